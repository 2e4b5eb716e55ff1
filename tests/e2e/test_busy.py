"""A save that finds the database busy (a colleague's long write holds SQLite's one write
lock past the busy timeout): the browser says so in the form that was sent, keeps what was
typed, and the same form saves once the lock is free. With htmx and without JavaScript.

The "colleague" is a plain sqlite3 connection to the live server's database that holds
the write lock (BEGIN IMMEDIATE); the server waits its busy timeout (5 s) and refuses.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in, make_company_in

pytestmark = pytest.mark.e2e

BUSY = "Det gick inte att spara just nu eftersom många sparar samtidigt."
NOTE = "Ringde Åsa på lagret om två platser – återkommer på fredag."


@contextmanager
def colleague_writing(server: LiveServer) -> Iterator[None]:
    """Holds the live server's write lock until the block ends."""
    holder = sqlite3.connect(server.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def notes_stored(server: LiveServer, company_id: int) -> list[str]:
    with server.engine.connect() as connection:
        return [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT notes FROM activity WHERE company_id = ?", (company_id,)
            )
        ]


def test_a_call_refused_as_busy_keeps_the_note_in_the_form_and_saves_next_time(
    page: Page, server: LiveServer
) -> None:
    password = server.create_user("upptagen.ulla", full_name="Ulla Upptagen")
    log_in(page, "upptagen.ulla", password)
    company_id = make_company_in(server, by="upptagen.ulla", name="Lagret i Kiruna AB")
    page.goto(f"/companies/{company_id}")
    notes = page.get_by_role("textbox", name="Anteckning")
    notes.fill(NOTE)
    form = page.locator("form").filter(has=notes)

    with colleague_writing(server):
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            form.get_by_role("button", name="Spara").click()
        assert answer.value.status == 503
        assert answer.value.headers.get("retry-after")
    refusal = form.get_by_role("alert")
    expect(refusal).to_contain_text(BUSY)
    expect(refusal).to_contain_text("Försök igen")
    expect(refusal).to_be_focused()  # read out at once, not left for the user to find
    expect(notes).to_have_value(NOTE)
    assert notes_stored(server, company_id) == []
    check_accessibility(page)

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Spara").click()
    assert answer.value.status == 200
    expect(page.locator("#flash")).to_contain_text("Kontakthändelsen är sparad.")
    expect(page.locator("#activity-timeline")).to_contain_text(NOTE)
    expect(page.get_by_text(BUSY)).to_have_count(0)
    assert notes_stored(server, company_id) == [NOTE]


def test_without_javascript_the_refused_form_comes_back_filled_in(
    no_js_page: Page, server: LiveServer
) -> None:
    page = no_js_page
    password = server.create_user("utan.skript", full_name="Sven Utan Skript")
    log_in(page, "utan.skript", password)
    company_id = make_company_in(server, by="utan.skript", name="Gruvans Verkstad AB")
    page.goto(f"/companies/{company_id}")
    page.get_by_role("textbox", name="Anteckning").fill(NOTE)

    with colleague_writing(server):
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Spara").first.click()
        assert answer.value.status == 503
    # The call-log form again, with the message in it and the note as typed.
    expect(page.get_by_role("alert")).to_contain_text(BUSY)
    notes = page.get_by_role("textbox", name="Anteckning")
    expect(notes).to_have_value(NOTE)
    assert notes_stored(server, company_id) == []

    page.get_by_role("button", name="Spara").first.click()
    expect(page).to_have_url(re.compile(rf"/companies/{company_id}#activity-\d+$"))
    expect(page.locator("#activity-timeline")).to_contain_text(NOTE)
    assert notes_stored(server, company_id) == [NOTE]


def test_a_refused_plain_form_is_sent_again_with_one_press(page: Page, server: LiveServer) -> None:
    """A plain form (no htmx) with no form of its own to show again (Arkivera): a page
    says what happened and sends the same thing again with one button."""
    password = server.create_user("arkiv.anna", full_name="Anna Arkiv")
    log_in(page, "arkiv.anna", password)
    company_id = make_company_in(server, by="arkiv.anna", name="Nedlagda Sågen AB")
    page.goto(f"/companies/{company_id}")

    with colleague_writing(server):
        page.get_by_role("button", name="Arkivera företaget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Det gick inte att spara just nu")
    expect(page.get_by_role("alert")).to_contain_text(BUSY)
    again = page.get_by_role("button", name="Skicka igen")
    expect(again).to_be_visible()
    expect(page.get_by_role("link", name="Tillbaka")).to_have_attribute(
        "href", f"/companies/{company_id}"
    )
    check_accessibility(page)

    again.click()
    expect(page).to_have_url(f"{server.url}/companies/{company_id}")
    expect(page.locator("#flash")).to_contain_text("arkiverat")
