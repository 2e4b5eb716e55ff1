"""First run in the browser: the setup page makes the first admin, who adds a broker; what
each role may reach. Every test here gets a server of its own on an empty database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in, log_out

pytestmark = pytest.mark.e2e

ADMIN = {"Namn": "Astrid Admin", "Användarnamn": "astrid", "Lösenord": "astrids-lösenord-1"}


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    return fresh_server


def fill(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def main_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Huvudmeny")


def test_first_admin_adds_a_broker_who_is_kept_out_of_admin(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url("/setup")
    expect(page.get_by_role("heading", name="Välkommen till Matcha")).to_be_visible()
    check_accessibility(page)

    fill(page, {**ADMIN, "Upprepa lösenordet": ADMIN["Lösenord"]})
    page.get_by_role("button", name="Skapa administratör").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("status")).to_have_text("Välkommen! Du är nu administratör för Matcha.")
    expect(page.get_by_role("heading", name="Min dag", exact=True)).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Astrid Admin")).to_be_visible()
    check_accessibility(page)

    log_out(page)
    response = page.goto("/setup")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    check_accessibility(page)

    log_in(page, ADMIN["Användarnamn"], ADMIN["Lösenord"])
    expect(page).to_have_url("/")
    check_accessibility(page)
    main_menu(page).get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("button", name="Ny användare").click()
    expect(page).to_have_url("/admin/users/new")
    check_accessibility(page)
    fill(
        page,
        {
            "Namn": "Bertil Broker",
            "Användarnamn": "bertil",
            "E-post (valfritt)": "bertil@example.se",
            "Tillfälligt lösenord": "bertils-lösenord-1",
            "Upprepa lösenordet": "bertils-lösenord-1",
        },
    )
    page.get_by_role("group", name="Roll").get_by_label("Jobbmäklare").check()
    page.get_by_role("button", name="Skapa användare").click()
    expect(page).to_have_url("/admin/users")
    expect(page.get_by_role("status")).to_have_text("Användaren Bertil Broker är skapad.")
    broker_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Bertil Broker"))
    expect(broker_row).to_contain_text("Jobbmäklare")
    check_accessibility(page)

    log_out(page)
    log_in(page, "bertil", "bertils-lösenord-1")
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Min dag")).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Bertil Broker")).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    check_accessibility(page)

    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Åtkomst nekad")).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    check_accessibility(page)


def test_setup_shows_a_too_short_password_in_place_with_htmx(page: Page) -> None:
    page.goto("/setup")
    check_accessibility(page)
    fill(page, {**ADMIN, "Lösenord": "kort", "Upprepa lösenordet": "kort"})
    # A full page load would forget this; an htmx swap keeps it.
    page.evaluate("() => { window.__sameDocument = true; }")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Skapa administratör").click()
    assert answer.value.status == 422
    assert answer.value.request.all_headers().get("hx-request") == "true"

    password = page.get_by_label("Lösenord", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Lösenordet måste ha minst 10 tecken.")
    # Focus goes to the field to fix, so keyboard and screen reader users hear the error.
    expect(password).to_be_focused()
    expect(page.get_by_label("Namn", exact=True)).to_have_value(ADMIN["Namn"])
    expect(page).to_have_url("/setup")
    assert page.evaluate("() => window.__sameDocument") is True
    check_accessibility(page)


def test_setup_works_without_javascript(no_js_page: Page) -> None:
    page = no_js_page
    page.goto("/setup")
    check_accessibility(page)
    fill(page, {**ADMIN, "Lösenord": "kort", "Upprepa lösenordet": "kort"})

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Skapa administratör").click()
    response = navigation.value
    assert response is not None and response.status == 422
    expect(page.get_by_role("heading", name="Välkommen till Matcha")).to_be_visible()
    password = page.get_by_label("Lösenord", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Lösenordet måste ha minst 10 tecken.")
    expect(page.get_by_label("Namn", exact=True)).to_have_value(ADMIN["Namn"])
    check_accessibility(page)

    fill(page, {"Lösenord": ADMIN["Lösenord"], "Upprepa lösenordet": ADMIN["Lösenord"]})
    page.get_by_role("button", name="Skapa administratör").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("status")).to_have_text("Välkommen! Du är nu administratör för Matcha.")
    check_accessibility(page)
