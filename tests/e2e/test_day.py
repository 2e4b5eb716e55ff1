"""The second half of a broker's day in the browser: a call logged with the keyboard alone,
its follow-up found on Min dag the next day, moved and marked done, a call logged from a
row of Min dag, the overdue groups paged, the rows at a phone's width, and the company
list exported with a filter. Every page and state visited passes axe-core.

Min dag depends on the server's clock, which these tests move; so each test has a server
of its own (`fresh_server`, without an admin) and makes the users it needs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.exports.service import COMPANY_HEADERS
from tests.e2e.support import (
    START,
    LiveServer,
    check_accessibility,
    log_in,
    make_activity_in,
    make_company_in,
    make_contact_in,
)

pytestmark = pytest.mark.e2e

TOMORROW = START + dt.timedelta(days=1)
# "Nästa vecka" from Tuesday 3 March: Monday 9 March.
NEXT_WEEK = START + dt.timedelta(days=7)
# Tab presses allowed to reach a control from wherever focus is.
MAX_TABS = 80


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    return fresh_server


# --- helpers ----------------------------------------------------------------------------


def broker(page: Page, server: LiveServer, username: str, full_name: str) -> str:
    """A broker of this test's own, logged in on `page`; returns the password."""
    password = server.create_user(username, full_name=full_name)
    log_in(page, username, password)
    return password


def flash(page: Page) -> Locator:
    return page.locator("#flash")


def mark_document(page: Page) -> None:
    """A full page load forgets this mark; an htmx swap keeps it (see same_document)."""
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def tab_to(page: Page, selector: str) -> None:
    """Presses Tab, as a keyboard user does, until the focused element matches `selector`."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    active = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
    pytest.fail(f"{MAX_TABS} Tabs did not reach {selector}; focus is on {active}")


def day_row(page: Page, company_name: str) -> Locator:
    """A follow-up on Min dag, by its company's name (the row's first link)."""
    follow_ups = page.get_by_role("region", name="Återkopplingar i dag och försenade")
    return follow_ups.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=company_name, exact=True)
    )


def timeline_entries(page: Page) -> Locator:
    return page.locator("#activity-timeline > li.activity")


# --- 1. a call with a follow-up tomorrow, logged with the keyboard alone ----------------

CALL_COMPANY = "Örebro Åkeri & Gjuteri AB"
CALL_NOTE = "Pratade med Åsa om två praktikplatser i lagret, hör av mig i morgon."


def test_log_a_call_with_a_follow_up_tomorrow_using_only_the_keyboard(
    page: Page, server: LiveServer
) -> None:
    broker(page, server, "tangent.tove", "Tove Tangentsson")
    company_id = make_company_in(server, by="tangent.tove", name=CALL_COMPANY, city="Örebro")
    for name in ("Åsa Öberg", "Örjan Ek", "Märta Lind"):
        make_contact_in(server, company_id, by="tangent.tove", name=name, phone="070-123 45 67")
    page.goto(f"/companies/{company_id}")
    expect(page.get_by_role("heading", name=CALL_COMPANY, level=1)).to_be_visible()
    expect(page.get_by_text("Inga kontakthändelser ännu.")).to_be_visible()
    check_accessibility(page)
    mark_document(page)

    # From the top of the page: Tab, Tab to the skip link to the form, Enter, and focus is
    # in the notes (before the form came first: 34 Tabs to a summary, then Enter).
    tabs = 0
    while not focused(page, "a.skip-link[href='#activity-new-notes']") and tabs < 3:
        page.keyboard.press("Tab")
        tabs += 1
    assert tabs == 2
    expect(page.get_by_role("link", name="Hoppa till ny kontakthändelse")).to_be_in_viewport()
    page.keyboard.press("Enter")
    notes = page.get_by_role("textbox", name="Anteckning")
    expect(notes).to_be_focused()
    page.keyboard.type(CALL_NOTE)

    # One Tab on to the follow-up choices (focus enters the group on "Ingen"); "I morgon"
    # with an arrow key; Ctrl+Enter from there saves.
    follow_up = page.get_by_role("group", name="Återkoppling")
    page.keyboard.press("Tab")
    expect(follow_up.get_by_role("radio", name="Ingen")).to_be_focused()
    page.keyboard.press("ArrowRight")
    tomorrow = follow_up.get_by_role("radio", name="I morgon")
    expect(tomorrow).to_be_focused()
    expect(tomorrow).to_be_checked()
    expect(follow_up).to_contain_text("I morgon tis 3 mars")
    with page.expect_response(
        lambda r: (
            r.request.method == "POST" and r.url.endswith(f"/companies/{company_id}/activities")
        )
    ) as answer:
        page.keyboard.press("Control+Enter")
    assert answer.value.status == 200
    assert answer.value.request.all_headers().get("hx-request") == "true"

    # The call is first in the timeline, in the same document, and has focus; the live
    # region says it was saved, and when the follow-up is.
    entries = timeline_entries(page)
    expect(entries).to_have_count(1)
    entry = entries.first
    expect(entry).to_be_focused()
    expect(entry).to_have_accessible_name("Samtal, 2026-03-02 09:00")
    expect(flash(page)).to_have_text("Kontakthändelsen är sparad. Återkoppling tis 3 mars.")
    expect(entry).to_contain_text(CALL_NOTE)
    expect(entry).to_contain_text("Återkoppling: 2026-03-03")
    expect(entry).to_contain_text("Tove Tangentsson")
    assert same_document(page)
    # The form is empty again for the next call.
    expect(notes).to_have_value("")
    expect(follow_up.get_by_role("radio", name="Ingen")).to_be_checked()
    check_accessibility(page)

    # The saved values as the server has them, after a reload.
    page.reload()
    expect(timeline_entries(page)).to_have_count(1)
    expect(timeline_entries(page).first).to_contain_text("Återkoppling: 2026-03-03")
    check_accessibility(page)


def test_enter_in_a_one_line_field_saves_the_call(page: Page, server: LiveServer) -> None:
    broker(page, server, "enter.elin", "Elin Entersson")
    company_id = make_company_in(server, by="enter.elin", name="Älvdalens Snickeri AB")
    page.goto(f"/companies/{company_id}")
    mark_document(page)
    tab_to(page, "a.skip-link[href='#activity-new-notes']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Anteckning")).to_be_focused()
    page.keyboard.type("Kort samtal med ägaren.")
    tab_to(page, "input[name=outcome]")
    expect(page.get_by_label("Utfall")).to_be_focused()
    page.keyboard.type("Återkommer i höst")
    page.keyboard.press("Enter")

    expect(flash(page)).to_contain_text("Kontakthändelsen är sparad.")
    entry = timeline_entries(page).first
    expect(entry).to_contain_text("Kort samtal med ägaren.")
    expect(entry).to_contain_text("Utfall: Återkommer i höst")
    expect(entry).not_to_contain_text("Återkoppling")
    assert same_document(page)
    check_accessibility(page)


# --- 2. Min dag: the follow-up tomorrow, moved a week, then done -------------------------

DAY_COMPANY = "Kållands Fiskrökeri AB"
DAY_NOTE = "Lovade att ringa om sommarjobben."


def test_find_a_follow_up_on_min_dag_move_it_and_mark_it_done(
    page: Page, server: LiveServer
) -> None:
    password = server.create_user("dag.dora", full_name="Dora Dagsson")
    company_id = make_company_in(server, by="dag.dora", name=DAY_COMPANY, city="Lidköping")
    make_activity_in(server, company_id, by="dag.dora", notes=DAY_NOTE, follow_up="tomorrow")
    # Another one, due a week from now: the neighbour that focus moves to.
    other_id = make_company_in(server, by="dag.dora", name="Grannens Glas AB", city="Skara")
    make_activity_in(server, other_id, by="dag.dora", notes="Glas", follow_up="week")
    try:
        # Today (START) the follow-up is not due yet.
        log_in(page, "dag.dora", password)
        expect(page).to_have_url("/")
        expect(page.get_by_role("heading", name="Min dag", level=1)).to_be_visible()
        expect(day_row(page, DAY_COMPANY)).to_have_count(0)
        expect(page.get_by_text("Inga återkopplingar i dag.")).to_be_visible()
        check_accessibility(page)

        # Tomorrow it is on Min dag (the session ended overnight: log in again).
        server.set_clock(TOMORROW.replace(hour=8))
        log_in(page, "dag.dora", password)
        expect(page).to_have_url("/")
        expect(page.get_by_text("I dag är det 2026-03-03.")).to_be_visible()
        row = day_row(page, DAY_COMPANY)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("I dag")
        expect(row).to_contain_text(DAY_NOTE)
        expect(row).not_to_contain_text("Försenad")
        check_accessibility(page)

        # "Nästa vecka": the row leaves today's list, in place, and today's count follows.
        mark_document(page)
        row.get_by_role("button", name=re.compile("^Nästa vecka")).click()
        expect(flash(page)).to_contain_text("Återkopplingen är flyttad till 2026-03-09.")
        expect(day_row(page, DAY_COMPANY)).to_have_count(0)
        assert same_document(page)
        # The button went with its row: focus is on its group's heading, not lost.
        expect(page.get_by_role("heading", name="I dag (0)")).to_be_focused()
        check_accessibility(page)
        page.reload()
        expect(day_row(page, DAY_COMPANY)).to_have_count(0)
        expect(page.get_by_text("Inga återkopplingar i dag.")).to_be_visible()

        # Next Monday it is back; "Klar" takes it off for good.
        server.set_clock(NEXT_WEEK.replace(hour=8))
        log_in(page, "dag.dora", password)
        expect(page.get_by_text("I dag är det 2026-03-09.")).to_be_visible()
        row = day_row(page, DAY_COMPANY)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("I dag")
        check_accessibility(page)
        mark_document(page)
        # Its name carries the company ("Klar: <name>"; Chromium reads a space before the
        # colon, the visually hidden part being a separate box).
        row.get_by_role("button", name=re.compile(rf"^Klar\s*: {re.escape(DAY_COMPANY)}$")).click()
        expect(flash(page)).to_contain_text("Återkopplingen är markerad som klar.")
        expect(day_row(page, DAY_COMPANY)).to_have_count(0)
        assert same_document(page)
        # Focus moved on to the remaining row's "Klar": the next one is one Enter away.
        expect(
            day_row(page, "Grannens Glas AB").get_by_role("button", name=re.compile("^Klar"))
        ).to_be_focused()
        check_accessibility(page)
        page.reload()
        expect(day_row(page, DAY_COMPANY)).to_have_count(0)

        # The company page: the follow-up is done, and its history records the move and
        # the "klar".
        page.goto(f"/companies/{company_id}")
        entry = timeline_entries(page).first
        expect(entry).to_contain_text("Återkoppling: 2026-03-09 klar")
        expect(entry.get_by_role("button", name="Markera återkopplingen klar")).to_have_count(0)
        history = page.get_by_role("region", name="Historik")
        changes = history.locator("li").filter(has_text="ändrade en kontakthändelse")
        expect(changes.filter(has_text="Återkoppling: 2026-03-03 → 2026-03-09")).to_have_count(1)
        expect(
            changes.filter(has_text=re.compile(r"Återkoppling klar:\s*nej\s*→\s*ja"))
        ).to_have_count(1)
        check_accessibility(page)
    finally:
        server.set_clock(START)


# --- 3. a call logged from a row of Min dag, with the keyboard -------------------------

ROW_COMPANY = "Tranås Trädgård & Trä AB"
ROW_NOTE = "Åsa tackade ja till två praktikanter i april."


def test_log_a_call_from_a_row_of_min_dag_with_the_keyboard(page: Page, server: LiveServer) -> None:
    password = server.create_user("rad.rut", full_name="Rut Radsson")
    company_id = make_company_in(server, by="rad.rut", name=ROW_COMPANY, city="Tranås")
    make_activity_in(server, company_id, by="rad.rut", notes="Ring Åsa", follow_up="tomorrow")
    other_id = make_company_in(server, by="rad.rut", name="Nästa Rad AB", city="Eksjö")
    make_activity_in(server, other_id, by="rad.rut", notes="Nästa", follow_up="tomorrow")
    try:
        server.set_clock(TOMORROW.replace(hour=8))
        log_in(page, "rad.rut", password)
        row = day_row(page, ROW_COMPANY)
        expect(row).to_have_count(1)
        mark_document(page)

        # Tab to the row's "Logga samtal" and press Enter: the form opens in the row, focus
        # in its notes.
        tab_to(page, f"#{row.get_attribute('id')} a.follow-up-log-link")
        page.keyboard.press("Enter")
        form = row.get_by_role("form", name=f"Logga kontakt med {ROW_COMPANY}")
        expect(form).to_be_visible()
        notes = form.get_by_role("textbox", name="Anteckning")
        expect(notes).to_be_focused()
        expect(form.get_by_role("checkbox", name="Markera återkopplingen klar")).to_be_checked()
        assert same_document(page)
        check_accessibility(page)

        # A note with nothing in it is refused in place, focus on the field to fix.
        # Shift+Tab back to the kinds (focus enters the group on "Samtal"), down to the last.
        for _ in range(MAX_TABS):
            if focused(page, "li.follow-up input[name=kind]"):
                break
            page.keyboard.press("Shift+Tab")
        expect(form.get_by_role("radio", name="Samtal")).to_be_focused()
        for _ in range(4):
            page.keyboard.press("ArrowDown")
        expect(form.get_by_role("radio", name="Anteckning")).to_be_checked()
        form.get_by_role("button", name="Spara kontakthändelse").press("Enter")
        expect(row).to_contain_text("Skriv något i anteckningen.")
        expect(notes).to_be_focused()
        expect(form.get_by_role("radio", name="Anteckning")).to_be_checked()
        check_accessibility(page)

        # Typed and saved with Ctrl+Enter: the call is logged, the follow-up done, the row
        # gone, the notice read out, and focus on the next row's "Klar".
        page.keyboard.type(ROW_NOTE)
        with page.expect_response(lambda r: r.url.endswith("/log")) as answer:
            page.keyboard.press("Control+Enter")
        assert answer.value.status == 200
        expect(flash(page)).to_contain_text(
            f"Kontakthändelsen på {ROW_COMPANY} är sparad och återkopplingen är markerad som klar."
        )
        expect(flash(page)).to_have_attribute("aria-live", "polite")
        expect(day_row(page, ROW_COMPANY)).to_have_count(0)
        expect(
            day_row(page, "Nästa Rad AB").get_by_role("button", name=re.compile("^Klar"))
        ).to_be_focused()
        expect(page.get_by_role("heading", name="I dag (1)")).to_be_visible()
        assert same_document(page)
        check_accessibility(page)

        page.goto(f"/companies/{company_id}")
        entries = timeline_entries(page)
        expect(entries.first).to_contain_text(ROW_NOTE)
        expect(entries.nth(1)).to_contain_text("Återkoppling: 2026-03-03 klar")
    finally:
        server.set_clock(START)


def test_overdue_groups_page_in_place_and_rows_fit_a_phone(page: Page, server: LiveServer) -> None:
    password = server.create_user("sida.siv", full_name="Siv Sidsson")
    company_id = make_company_in(server, by="sida.siv", name="Sidornas Samfällighet AB")
    for number in range(12):
        make_activity_in(
            server, company_id, by="sida.siv", notes=f"Punkt {number}", follow_up="tomorrow"
        )
    try:
        # Two days later all twelve are a day overdue: ten on the first page of the group.
        server.set_clock((TOMORROW + dt.timedelta(days=1)).replace(hour=8))
        log_in(page, "sida.siv", password)
        group = page.locator("#follow-ups-week")
        expect(
            group.get_by_role("heading", name="Försenade de senaste 7 dagarna (12)")
        ).to_be_visible()
        expect(group.locator("li.follow-up")).to_have_count(10)
        expect(group.locator("li.follow-up").first).to_contain_text("Försenad 1 dag")
        expect(group).to_contain_text("Sida 1 av 2")
        mark_document(page)
        group.get_by_role("link", name="Nästa →").focus()
        page.keyboard.press("Enter")
        expect(group).to_contain_text("Sida 2 av 2")
        expect(group.locator("li.follow-up")).to_have_count(2)
        expect(page).to_have_url(re.compile(r"/\?week_page=2$"))
        expect(
            group.get_by_role("heading", name=re.compile("^Försenade de senaste"))
        ).to_be_focused()
        assert same_document(page)
        check_accessibility(page)

        # At a phone's width (390 px) the rows and their buttons wrap: nothing runs off.
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        overflow = page.evaluate(
            "() => { const s = document.getElementById('follow-ups');"
            " return s.scrollWidth - s.clientWidth; }"
        )
        assert overflow <= 0, f"the follow-ups are {overflow} px wider than the screen"
        first = group.locator("li.follow-up").first
        box = first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        klar = first.get_by_role("button", name=re.compile("^Klar"))
        button = klar.bounding_box()
        assert button is not None and button["height"] >= 24  # a target large enough
        check_accessibility(page)
    finally:
        server.set_clock(START)


# --- 4. the company list exported with a filter ------------------------------------------

EXPORTED = {
    "Ängelholms Bygg & Måleri AB": "Ängelholm",
    "Östgöta Byggservice AB": "Linköping",
}
NOT_EXPORTED = {
    "Åre Fjällbygg AB": "Åre",  # matches the search, but not the status filter
    "Bröderna Öhmans Bageri AB": "Ängelholm",  # matches neither
}


def test_export_the_company_list_with_a_filter(page: Page, server: LiveServer) -> None:
    broker(page, server, "export.erik", "Erik Exportsson")
    for name, city in EXPORTED.items():
        make_company_in(server, by="export.erik", name=name, city=city, status="active")
    for name, city in NOT_EXPORTED.items():
        make_company_in(server, by="export.erik", name=name, city=city)

    page.goto("/companies")
    check_accessibility(page)
    page.get_by_label("Sök på namn, org.nr eller ort").fill("bygg")
    expect(page).to_have_url(re.compile(r"[?&]q=bygg(&|$)"))
    page.get_by_text("Filter och sortering").click()
    page.get_by_label("Status").select_option(label="Aktiv")
    expect(page).to_have_url(re.compile(r"[?&]status=active(&|$)"))
    results = page.locator("#results tbody tr:not([hidden])")
    expect(results).to_have_count(len(EXPORTED))
    for name in EXPORTED:
        expect(results.get_by_role("link", name=name)).to_be_visible()
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportera CSV").click()
    download = download_info.value
    assert re.fullmatch(r"foretag.*\.csv", download.suggested_filename), download.suggested_filename
    assert "q=bygg" in download.url and "status=active" in download.url, download.url
    path = download.path()
    assert path is not None
    data = path.read_bytes()

    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    text = data[3:].decode("utf-8")
    assert not text.startswith("sep="), text[:20]
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "bare LF outside CRLF"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert tuple(rows[0]) == COMPANY_HEADERS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["Namn"]: r["Ort"] for r in records} == EXPORTED
    assert {r["Status"] for r in records} == {"Aktiv"}
    # The page the browser shows is unchanged by the download.
    expect(page).to_have_url(re.compile(r"/companies\?"))
    expect(results).to_have_count(len(EXPORTED))
