"""A rekryteringsträff in the browser, from plan to outcome: plan it, invite three
companies (one confirms), tick checklist items in each phase, link an assignment, record
the outcome with a hire on it, download the event as .ics and open the print view. axe-core
checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar
from playwright.sync_api import Page, expect

from app.clock import STOCKHOLM
from tests.e2e.support import (
    START,
    LiveServer,
    check_accessibility,
    log_in,
    make_assignment_in,
    make_company_in,
    make_contact_in,
)

TITLE = "Rekryteringsträff lager och logistik"
COMPANIES = ("Åkeri Östergren AB", "Lagerbolaget i Härnösand AB", "Ölands Logistik AB")
OCCUPATION = "Truckförare"
STARTS = dt.datetime(2026, 3, 20, 9, 0, tzinfo=STOCKHOLM)
PHASES = ("planning", "recruitment", "execution", "closing")


def test_plan_run_and_follow_up_an_event(page: Page, server: LiveServer) -> None:
    password = server.create_user("trff.tova", full_name="Tova Träff")
    ids = {
        name: make_company_in(server, by="trff.tova", name=name, city="Härnösand")
        for name in COMPANIES
    }
    make_contact_in(
        server,
        ids[COMPANIES[0]],
        by="trff.tova",
        name="Östen Åberg",
        email="osten@akeri.example.se",
        is_primary=True,
    )
    assignment_id = make_assignment_in(
        server, ids[COMPANIES[0]], by="trff.tova", occupation=OCCUPATION, positions=2
    )
    try:
        log_in(page, "trff.tova", password)

        # --- plan it --------------------------------------------------------------------
        page.goto("/events/new")
        check_accessibility(page)
        page.get_by_label("Rubrik").fill(TITLE)
        page.get_by_label("Börjar").fill("2026-03-20T09:00")
        page.get_by_label("Slutar").fill("2026-03-20T12:00")
        page.get_by_label("Plats", exact=False).first.fill("Jobbtorget, Storgatan 3, Härnösand")
        page.get_by_role("button", name="Spara").click()
        expect(page).to_have_url(re.compile(r"/events/\d+$"))
        event_url = page.url
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        # A new event starts from the default checklist, in four phases.
        for phase in PHASES:
            expect(page.locator(f"#phase-{phase} + ul.tasks li")).not_to_have_count(0)
        check_accessibility(page)

        # --- invite three companies from the register -----------------------------------
        for name in COMPANIES:
            page.locator("#company-q").fill(name.split()[0])
            page.get_by_role("button", name=f"Bjud in {name}").click()
            expect(page.locator(f"#company-{ids[name]}")).to_contain_text("Inbjuden")
        expect(page.locator("ul.participants > li")).to_have_count(3)
        # The primary contact comes; their address is ready for a BCC field.
        expect(page.get_by_label("Kopiera e-postadresser")).to_have_value("osten@akeri.example.se")
        check_accessibility(page)

        # --- one confirms ----------------------------------------------------------------
        confirmed = COMPANIES[1]
        row = page.locator(f"#company-{ids[confirmed]}")
        row.get_by_label("Status").select_option(label="Bekräftad")
        row.get_by_role("button", name=f"Spara deltagandet för {confirmed}").click()
        expect(page.locator(f"#company-{ids[confirmed]}")).to_contain_text("Bekräftad")
        expect(page.locator(f"#company-{ids[COMPANIES[2]]}")).to_contain_text("Inbjuden")

        # --- the assignment presented there ----------------------------------------------
        page.get_by_label("Koppla ett pågående uppdrag", exact=False).select_option(
            value=str(assignment_id)
        )
        page.get_by_role("button", name="Koppla uppdraget").click()
        expect(page.locator("#assignments")).to_contain_text(OCCUPATION)

        # --- tick an item in each phase (htmx: the item is swapped in place) ----------------
        for phase in PHASES:
            item = page.locator(f"#phase-{phase} + ul.tasks li").first
            item_id = item.get_attribute("id")
            item.get_by_role("button").first.click()
            ticked = page.locator(f"#{item_id}")
            expect(ticked.get_by_role("button").first).to_have_attribute("aria-pressed", "true")
        check_accessibility(page)
        page.reload()
        for phase in PHASES:
            expect(page.locator(f"#phase-{phase} + ul.tasks li.done")).to_have_count(1)

        # --- the outcome, after the event: one hire on the assignment ----------------------
        server.set_clock(STARTS + dt.timedelta(hours=4))
        log_in(page, "trff.tova", password)
        page.goto(event_url)
        page.get_by_role("spinbutton", name="Inbjudna arbetssökande").fill("40")
        page.get_by_role("spinbutton", name="Arbetssökande som kom").fill("26")
        page.get_by_role("spinbutton", name="Intervjuer").fill("12")
        page.locator(f"#outcome-hires-{assignment_id}").fill("1")
        page.get_by_role("button", name="Spara utfallet").click()
        expect(page.locator("#assignments")).to_contain_text("1 anställda via träffen")
        check_accessibility(page)
        page.goto(f"/assignments/{assignment_id}")
        expect(page.locator("main")).to_contain_text("1 av 2 tillsatta")
        page.goto(event_url)

        # --- the event in a calendar: the .ics parses, with the right instant ---------------
        with page.expect_download() as download:
            page.get_by_role("link", name="Lägg till i min kalender (.ics)").click()
        calendar = Calendar.from_ical(download.value.path().read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == TITLE
        assert event.decoded("DTSTART") == STARTS
        assert event.decoded("DTEND") == STARTS + dt.timedelta(hours=3)

        # --- the participant list to print: no navigation or buttons on paper ---------------
        page.get_by_role("link", name="Deltagarlista att skriva ut").click()
        for name in COMPANIES:
            expect(page.locator("main")).to_contain_text(name)
        expect(page.locator("main")).to_contain_text("Östen Åberg")
        check_accessibility(page)
        page.emulate_media(media="print")
        expect(page.locator("nav:visible, button:visible, a[role=button]:visible")).to_have_count(0)
    finally:
        server.set_clock(START)
