"""Journeys on a server that already has an admin: form errors with and without htmx, the
keyboard's first stop, switching to English, and the server's clock on a new user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import (
    ADMIN_FULL_NAME,
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    START,
    LiveServer,
    check_accessibility,
    log_in,
)

pytestmark = pytest.mark.e2e

WRONG_PASSWORD_MESSAGE = "Fel användarnamn eller lösenord."


def test_wrong_password_is_shown_in_place_with_htmx(page: Page, server: LiveServer) -> None:
    password = server.create_user("htmx.hanna")
    page.goto("/login")
    check_accessibility(page)
    page.get_by_label("Användarnamn").fill("htmx.hanna")
    page.get_by_label("Lösenord").fill(password + "-fel")
    # A full page load would forget this; an htmx swap keeps it.
    page.evaluate("() => { window.__sameDocument = true; }")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Logga in").click()
    assert answer.value.status == 422
    assert answer.value.request.all_headers().get("hx-request") == "true"

    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
    for label in ("Användarnamn", "Lösenord"):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(WRONG_PASSWORD_MESSAGE)
    expect(page.get_by_label("Användarnamn")).to_have_value("htmx.hanna")
    expect(page).to_have_url("/login")
    assert page.evaluate("() => window.__sameDocument") is True
    check_accessibility(page)


def test_login_works_without_javascript(no_js_page: Page, server: LiveServer) -> None:
    page = no_js_page
    password = server.create_user("utan.skript", full_name="Ulla Utan Skript")
    page.goto("/login")
    check_accessibility(page)
    page.get_by_label("Användarnamn").fill("utan.skript")
    page.get_by_label("Lösenord").fill(password + "-fel")

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Logga in").click()
    response = navigation.value
    assert response is not None and response.status == 422
    assert "hx-request" not in response.request.all_headers()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
    expect(page.get_by_label("Lösenord")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)

    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("link", name="Ulla Utan Skript")).to_be_visible()
    check_accessibility(page)


def test_tab_from_page_load_lands_on_the_visible_skip_link(page: Page, server: LiveServer) -> None:
    log_in(page, "tangent.tove", server.create_user("tangent.tove"))
    page.goto("/account")
    check_accessibility(page)
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    focus_ring = skip_link.evaluate(
        """(link) => {
          const style = getComputedStyle(link);
          return {
            focusVisible: link.matches(":focus-visible"),
            outline: style.outlineStyle,
            width: parseFloat(style.outlineWidth),
          };
        }"""
    )
    assert focus_ring["focusVisible"], focus_ring
    assert focus_ring["outline"] != "none" and focus_ring["width"] >= 2, focus_ring
    check_accessibility(page)

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    expect(page).to_have_url("/account#main")


def test_switching_to_english_on_my_account(page: Page, server: LiveServer) -> None:
    log_in(page, "sprak.sara", server.create_user("sprak.sara"))
    expect(page).to_have_url("/")
    page.goto("/account")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    check_accessibility(page)

    page.get_by_label("Språk i Matcha").select_option(label="English")
    page.get_by_role("button", name="Spara språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page)

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("heading", name="Mitt konto")).to_have_count(0)
    expect(page.get_by_label("Language in Matcha")).to_have_value("en")
    check_accessibility(page)


@pytest.fixture
def set_server_clock(server: LiveServer) -> Iterator[Callable[[dt.datetime], None]]:
    """Moves the live server's clock for one test, and puts it back afterwards."""
    yield server.set_clock
    server.set_clock(START)


def test_a_new_user_is_dated_by_the_server_clock(
    page: Page, server: LiveServer, set_server_clock: Callable[[dt.datetime], None]
) -> None:
    # Half past eleven on New Year's Eve in UTC is already 2031 in Stockholm.
    set_server_clock(dt.datetime(2030, 12, 31, 23, 30, tzinfo=dt.UTC))
    log_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(page).to_have_url("/")
    check_accessibility(page)
    page.goto("/admin/users")
    page.get_by_role("button", name="Ny användare").click()
    check_accessibility(page)
    page.get_by_label("Namn", exact=True).fill("Nyårs Nora")
    page.get_by_label("Användarnamn", exact=True).fill("nyars.nora")
    page.get_by_label("Tillfälligt lösenord").fill("noras-lösenord-1")
    page.get_by_label("Upprepa lösenordet").fill("noras-lösenord-1")
    page.get_by_role("button", name="Skapa användare").click()
    expect(page).to_have_url("/admin/users")
    check_accessibility(page)

    created = page.get_by_role("columnheader").all_inner_texts().index("Skapad")

    def created_cell(name: str) -> Locator:
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
        return row.get_by_role("cell").nth(created)

    expect(created_cell("Nyårs Nora")).to_have_text("2031-01-01")
    expect(created_cell(ADMIN_FULL_NAME)).to_have_text(START.date().isoformat())
