"""The company page's call log in the browser: the form first, its follow-up choices and
date kept in step, Ctrl+Enter from any field, a refusal shown in place with focus on what
to fix, each contact's actions in one menu, a phone's width, and the same without
JavaScript. Every page and state visited passes axe-core.

The clock is the server's START (Monday 2 March 2026, 09:00) unless a test moves it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import (
    START,
    LiveServer,
    check_accessibility,
    log_in,
    make_company_in,
    make_contact_in,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    # A server of this module's tests' own: one of them moves the clock.
    return fresh_server


def broker_on_company(page: Page, server: LiveServer, username: str, company: str) -> int:
    """A broker of the test's own, signed in, on a new company's page; its id."""
    log_in(page, username, server.create_user(username))
    company_id = make_company_in(server, by=username, name=company, city="Luleå")
    page.goto(f"/companies/{company_id}")
    return company_id


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def follow_up(page: Page) -> Locator:
    return page.get_by_role("group", name="Återkoppling")


def entries(page: Page) -> Locator:
    return page.locator("#activity-timeline > li.activity")


def test_the_follow_up_choices_and_the_date_stay_in_step(page: Page, server: LiveServer) -> None:
    broker_on_company(page, server, "steg.stina", "Stegets Åkeri AB")
    group = follow_up(page)
    date = group.get_by_label("Datum", exact=True)
    expect(group.get_by_role("radio", name="Ingen")).to_be_checked()

    # Typing a date picks "Annat datum"; picking a quick choice empties the date.
    date.fill("2026-04-15")
    expect(group.get_by_role("radio", name="Annat datum")).to_be_checked()
    group.get_by_role("radio", name="Nästa vecka").check()
    expect(date).to_have_value("")
    # Emptying the date while "Annat datum" is picked goes back to "Ingen".
    group.get_by_role("radio", name="Annat datum").check()
    date.fill("2026-04-15")
    date.fill("")
    expect(group.get_by_role("radio", name="Ingen")).to_be_checked()
    check_accessibility(page)

    # Ctrl+Enter in the date field saves, with the date typed.
    date.fill("2026-04-15")
    page.get_by_role("textbox", name="Anteckning").fill("Ring efter påsk.")
    date.focus()
    page.keyboard.press("Control+Enter")
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_be_focused()
    expect(entries(page).first).to_contain_text("Återkoppling: 2026-04-15")
    expect(page.locator("#flash")).to_have_text(
        "Kontakthändelsen är sparad. Återkoppling ons 15 april."
    )
    expect(date).to_have_value("")


def test_a_refusal_is_shown_in_place_with_focus_on_the_field_to_fix(
    page: Page, server: LiveServer
) -> None:
    broker_on_company(page, server, "fel.frida", "Felfria Fönster AB")
    notes = page.get_by_role("textbox", name="Anteckning")
    notes.fill("Möte om två lärlingsplatser.")
    page.get_by_role("group", name="Typ").get_by_role("radio", name="Möte").check()
    group = follow_up(page)
    group.get_by_role("radio", name="Annat datum").check()
    notes.focus()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("Meta+Enter")  # ⌘+Enter, as on a Mac
    assert answer.value.status == 422

    # What was typed is kept; focus is on the date, which says what is wrong.
    date = group.get_by_label("Datum", exact=True)
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_accessible_description(
        "Skriv datumet för återkoppling, eller välj Ingen. T.ex. 1/12, 1 dec eller i morgon."
    )
    expect(notes).to_have_value("Möte om två lärlingsplatser.")
    expect(page.get_by_role("radio", name="Möte")).to_be_checked()
    expect(group.get_by_role("radio", name="Annat datum")).to_be_checked()
    expect(entries(page)).to_have_count(0)
    check_accessibility(page)

    # The fix: a quick choice, and the button saves as well.
    group.get_by_role("radio", name="Om två veckor").check()
    page.get_by_role("button", name="Spara kontakthändelse").click()
    expect(entries(page).first).to_be_focused()
    expect(entries(page).first).to_contain_text("Möte, 2026-03-02 09:00")
    expect(entries(page).first).to_contain_text("Återkoppling: 2026-03-16")


def test_i_morgon_on_a_thursday_before_easter_is_the_tuesday_after(
    page: Page, server: LiveServer
) -> None:
    server.set_clock(dt.datetime(2026, 4, 2, 10, 0, tzinfo=START.tzinfo))
    try:
        broker_on_company(page, server, "pask.per", "Påskliljan AB")
        group = follow_up(page)
        expect(group.get_by_role("radio", name="I morgon")).to_have_accessible_name(
            "I morgon tis 7 april"
        )
        page.get_by_role("textbox", name="Anteckning").fill("Hör av mig efter påsk.")
        group.get_by_role("radio", name="I morgon").check()
        page.keyboard.press("Control+Enter")
        expect(entries(page).first).to_contain_text("Återkoppling: 2026-04-07")
    finally:
        server.set_clock(START)


def test_each_contacts_actions_are_one_menu(page: Page, server: LiveServer) -> None:
    company_id = broker_on_company(page, server, "meny.maja", "Menyernas Möbler AB")
    for name in ("Anna Ström", "Berit Ödman"):
        make_contact_in(server, company_id, by="meny.maja", name=name, phone="070-111 22 33")
    page.reload()
    contact = page.get_by_role("article", name="Anna Ström")
    menu = contact.locator("details.menu")
    summary = menu.locator("summary")
    expect(summary).to_have_accessible_name("Åtgärder för Anna Ström")
    expect(contact.get_by_role("link", name="Redigera Anna Ström")).to_be_hidden()

    # One Tab stop per contact: from the phone link, the next stop is the menu, and the
    # one after it is the next contact's phone.
    contact.get_by_role("link", name="070-111 22 33").focus()
    page.keyboard.press("Shift+Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("article", name="Berit Ödman").locator("summary")).to_be_focused()

    # Enter opens it, Escape closes it and leaves focus on it.
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    edit = contact.get_by_role("link", name="Redigera Anna Ström")
    expect(edit).to_be_visible()
    expect(contact.get_by_role("button", name="Ta bort Anna Ström")).to_be_visible()
    expect(contact.get_by_role("link", name="Radera person (GDPR) Anna Ström")).to_be_visible()
    check_accessibility(page)
    page.keyboard.press("Tab")
    expect(edit).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    # An action from the menu works as before: the inline edit form, in place.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    edit_form = page.get_by_role("form", name="Redigera Anna Ström")
    expect(edit_form).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/companies/{company_id}$"))
    check_accessibility(page)


def test_on_a_phone_the_form_comes_first_and_nothing_is_wider_than_the_screen(
    page: Page, server: LiveServer
) -> None:
    page.set_viewport_size(PHONE)
    company_id = broker_on_company(page, server, "mobil.mona", "Mobilmekano AB")
    make_contact_in(server, company_id, by="mobil.mona", name="Lång Namnsson Långström")
    page.reload()
    form_top = page.locator("#activity-add-form").bounding_box()
    facts_top = page.get_by_role("region", name="Uppgifter").bounding_box()
    assert form_top and facts_top and form_top["y"] < facts_top["y"]
    page.locator("details.menu > summary").first.click()
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => e.outerHTML.slice(0, 80))"""
    )
    assert overflowing == []
    check_accessibility(page)


def test_without_javascript_the_call_is_saved_and_the_page_shows_it(
    no_js_page: Page, server: LiveServer
) -> None:
    page = no_js_page
    company_id = broker_on_company(page, server, "utan.ulf", "Skriptlösa Snickeriet AB")
    page.get_by_role("textbox", name="Anteckning").fill("Ringde utan skript.")
    page.get_by_role("radio", name="Nästa vecka").check()
    page.get_by_role("button", name="Spara kontakthändelse").click()

    # Post/redirect/get: the company page at the new entry, the notice in the live region.
    expect(page).to_have_url(re.compile(rf"/companies/{company_id}#activity-\d+$"))
    expect(page.locator("#flash")).to_have_text(
        "Kontakthändelsen är sparad. Återkoppling mån 9 mars."
    )
    entry = entries(page).first
    expect(entry).to_contain_text("Ringde utan skript.")
    expect(entry).to_contain_text("Återkoppling: 2026-03-09")
    expect(page.get_by_role("textbox", name="Anteckning")).to_have_value("")
    check_accessibility(page)

    # A contact's menu opens without JavaScript too: it is a <details>.
    make_contact_in(server, company_id, by="utan.ulf", name="Greta Gran")
    page.goto(f"/companies/{company_id}")
    page.locator("summary", has_text="Åtgärder för Greta Gran").click()
    page.get_by_role("link", name="Radera person (GDPR) Greta Gran").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Radera Greta Gran")
