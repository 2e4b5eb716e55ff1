"""Dates as Swedes type them, in the browser: a follow-up typed as "1 dec" says what it
means before it is saved, and a date that does not exist is refused with focus left on
the date, not on the notes. Every state visited passes axe-core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_activity_in,
    make_company_in,
)

pytestmark = pytest.mark.e2e

REFUSED = "Återkoppling: datumet 32/1 finns inte."
HINT = "T.ex. 1/12, 1 dec eller i morgon."


def on_company_page(page: Page, server: LiveServer, username: str) -> int:
    """A broker of the test's own, logged in, on a company page of theirs; its id."""
    password = server.create_user(username)
    log_in(page, username, password)
    company_id = make_company_in(server, by=username, name=f"Datumverkstaden {username} AB")
    page.goto(f"/companies/{company_id}")
    return company_id


def open_call_log(page: Page) -> Locator:
    """The company page's call-log form (first on the page, always open)."""
    form = page.locator("#activity-add-form")
    form.get_by_role("textbox", name="Anteckning").focus()
    return form


def saved_and_settled(page: Page, save: Callable[[], None]) -> int:
    """Saves with `save` and waits until htmx has settled the answer (the moment it
    focuses an autofocus field), so that focus is asserted where it ends up. Returns the
    answer's status."""
    page.evaluate(
        """() => {
        window.__saveSettled = new Promise((resolve) => {
          const settled = (event) => {
            if (event.detail.requestConfig?.verb !== "post") return;
            document.removeEventListener("htmx:afterSettle", settled);
            resolve(event.detail.xhr.status);
          };
          document.addEventListener("htmx:afterSettle", settled);
        });
      }"""
    )
    save()
    return page.evaluate("() => window.__saveSettled")


def follow_up_date(form: Locator) -> Locator:
    return form.get_by_role("group", name="Återkoppling").get_by_label("Datum", exact=True)


def understood(form: Locator) -> Locator:
    """What the follow-up date is understood as, said beside it."""
    return form.locator(".date-understood[id$='-follow_up_on-understood']")


def test_a_follow_up_typed_as_1_dec_says_what_it_means_and_is_saved(
    page: Page, server: LiveServer
) -> None:
    on_company_page(page, server, "datum.dagny")
    form = open_call_log(page)
    form.get_by_role("textbox", name="Anteckning").fill("Ring i december om vinterjobben.")
    date = follow_up_date(form)
    expect(date).to_have_attribute("autocomplete", "off")
    expect(form.get_by_text(HINT)).to_be_visible()
    date.fill("1 dec")
    # Typed on Monday 2 March 2026: the next 1 December.
    expect(understood(form)).to_have_text("Tolkas som tisdag 1 december 2026")
    expect(date).to_have_accessible_description(f"{HINT} Tolkas som tisdag 1 december 2026")
    check_accessibility(page)

    # A date that does not exist is said to be one before it is sent.
    date.fill("32/1")
    expect(understood(form)).to_have_text(REFUSED)
    date.fill("1 dec")
    expect(understood(form)).to_have_text("Tolkas som tisdag 1 december 2026")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        date.press("Enter")
    assert answer.value.status == 200
    entry = page.locator("#activity-timeline > li.activity").first
    expect(entry).to_contain_text("Ring i december om vinterjobben.")
    expect(entry).to_contain_text("Återkoppling: 2026-12-01")
    check_accessibility(page)


def test_a_refused_follow_up_date_keeps_focus_on_the_date(page: Page, server: LiveServer) -> None:
    on_company_page(page, server, "datum.dennis")
    form = open_call_log(page)
    form.get_by_role("textbox", name="Anteckning").fill("Samtal om praktik.")
    date = follow_up_date(form)
    date.fill("32/1")
    # Saved from the notes, where a broker is (Ctrl+Enter): the refusal comes back.
    form.get_by_role("textbox", name="Anteckning").focus()
    assert saved_and_settled(page, lambda: page.keyboard.press("Control+Enter")) == 422

    form = page.locator("#activity-add-form")
    date = follow_up_date(form)
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_value("32/1")
    expect(form.locator(".field-error")).to_have_text(REFUSED)
    expect(date).to_have_accessible_description(f"{REFUSED} {HINT}")
    # What was typed elsewhere is kept.
    expect(form.get_by_role("textbox", name="Anteckning")).to_have_value("Samtal om praktik.")
    check_accessibility(page)

    # Corrected in place, it is saved.
    date.fill("i morgon")
    expect(understood(form)).to_have_text("Tolkas som tisdag 3 mars 2026")
    date.press("Enter")
    entry = page.locator("#activity-timeline > li.activity").first
    expect(entry).to_contain_text("Återkoppling: 2026-03-03")
    check_accessibility(page)


def test_a_refused_date_in_the_edit_form_keeps_focus_on_the_date(
    page: Page, server: LiveServer
) -> None:
    company_id = on_company_page(page, server, "datum.doris")
    make_activity_in(server, company_id, by="datum.doris", notes="Första samtalet.")
    page.reload()
    page.locator("#activity-timeline > li.activity").first.get_by_role(
        "button", name="Redigera"
    ).click()
    edit = page.get_by_role("form", name="Redigera kontakthändelse")
    # The edit form opens with focus in its notes.
    expect(edit.get_by_role("textbox", name="Anteckning")).to_be_focused()
    date = follow_up_date(edit)
    date.fill("31/2")
    assert saved_and_settled(page, lambda: date.press("Enter")) == 422
    edit = page.get_by_role("form", name="Redigera kontakthändelse")
    date = follow_up_date(edit)
    # Focus on the date to fix, not on the notes (the form's usual first field).
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(edit.locator(".field-error")).to_have_text("Återkoppling: datumet 31/2 finns inte.")
    check_accessibility(page)
