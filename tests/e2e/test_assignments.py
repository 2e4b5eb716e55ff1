"""A rekryteringsuppdrag in the browser, from start to finish: made from its company's page,
moved through the pipeline board with the keyboard alone and closed as filled with its
count, found in the list by its employment type, and exported. Every page and state
visited passes axe-core.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.exports.service import ASSIGNMENT_HEADERS
from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_assignment_in,
    make_company_in,
)

pytestmark = pytest.mark.e2e

# Tab presses allowed to reach a control from wherever focus is.
MAX_TABS = 120

COMPANY = "Åsele Lager & Logistik AB"
OCCUPATION = "Truckförare"
EMPLOYMENT_TYPE = "Lönestöd"
DEADLINE = "2026-03-31"
# Closed as filled at the same company, but ordinary employment: the filter leaves it out.
OTHER_OCCUPATION = "Lagerchef"


# --- helpers ----------------------------------------------------------------------------


def flash(page: Page) -> Locator:
    return page.locator("#flash")


def mark_document(page: Page) -> None:
    """A full page load forgets this mark; an htmx swap keeps it (see same_document)."""
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


def press_until_focused(page: Page, key: str, selector: str) -> None:
    """Presses `key` (Tab or Shift+Tab), as a keyboard user does, until the focused element
    matches `selector`."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    active = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
    pytest.fail(f"{MAX_TABS} presses of {key} did not reach {selector}; focus is on {active}")


def status_line(page: Page) -> Locator:
    """The assignment page's status and filled count, under its heading."""
    return page.locator("h1 + p")


def fact(page: Page, term: str) -> Locator:
    """The value of one of the assignment page's facts."""
    return page.locator("dl.facts dt").filter(has_text=re.compile(rf"^{term}$")).locator("+ dd")


def column(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(name)} \(\d+\)$"))


def move_button(card_id: str, to_status: str) -> str:
    """The selector of the card's button that moves it to `to_status` (a status value)."""
    return f"#{card_id} form:has(input[name=status][value={to_status}]) button"


def move_with_keyboard(page: Page, card_id: str, to_status: str, *, key: str, press: str) -> None:
    """Reaches the card's move button with `key` (Tab or Shift+Tab) and activates it with
    `press` (Enter or Space); waits for the board's htmx answer."""
    press_until_focused(page, key, move_button(card_id, to_status))
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/status")
    ) as answer:
        page.keyboard.press(press)
    assert answer.value.status == 200, answer.value.status
    assert answer.value.request.all_headers().get("hx-request") == "true"


# --- the journey ------------------------------------------------------------------------


def test_an_assignment_from_company_page_through_the_board_to_the_export(
    page: Page, server: LiveServer
) -> None:
    password = server.create_user("uppdrag.ulla", full_name="Ulla Uppdragsson")
    company_id = make_company_in(server, by="uppdrag.ulla", name=COMPANY, city="Åsele")
    make_assignment_in(
        server,
        company_id,
        by="uppdrag.ulla",
        occupation=OTHER_OCCUPATION,
        positions=1,
        employment_type="ordinary",
        status="filled",
        filled_count=1,
    )
    log_in(page, "uppdrag.ulla", password)

    # --- the company page: "Nytt uppdrag" opens the form for this company ---------------
    page.goto(f"/companies/{company_id}")
    section = page.get_by_role("region", name="Rekryteringsuppdrag")
    expect(section.get_by_role("link", name=OTHER_OCCUPATION)).to_be_visible()
    check_accessibility(page)
    new = section.get_by_role("button", name="Nytt uppdrag")
    expect(new).to_be_visible()
    # A link drawn as a button is announced as one: Space presses it, as Enter does.
    press_until_focused(page, "Tab", '#assignments a[href^="/assignments/new"]')
    page.keyboard.press("Space")
    expect(page).to_have_url(f"/assignments/new?company_id={company_id}")
    expect(page.get_by_role("heading", name=f"Nytt uppdrag hos {COMPANY}", level=1)).to_be_visible()
    # Prefilled: the company's town, and the broker owns it and brought it in.
    expect(page.get_by_label("Arbetsort")).to_have_value("Åsele")
    expect(page.get_by_label("Ansvarig jobbmäklare").locator("option:checked")).to_have_text(
        "Ulla Uppdragsson"
    )
    check_accessibility(page)

    page.get_by_label("Yrke", exact=True).fill(OCCUPATION)
    page.get_by_label("Antal platser").fill("2")
    page.get_by_label("Anställningsform").select_option(label=EMPLOYMENT_TYPE)
    page.get_by_label("Sista dag").fill(DEADLINE)
    page.get_by_role("button", name="Spara").click()

    # --- its page -------------------------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/assignments/\d+$"))
    assignment_id = int(page.url.rsplit("/", 1)[1])
    card_id = f"assignment-{assignment_id}"
    expect(flash(page)).to_contain_text("Uppdraget är sparat.")
    expect(page.get_by_role("heading", name=f"{OCCUPATION} hos {COMPANY}", level=1)).to_be_visible()
    expect(fact(page, "Anställningsform")).to_have_text(EMPLOYMENT_TYPE)
    expect(fact(page, "Antal platser")).to_have_text("2")
    expect(fact(page, "Sista dag")).to_have_text(DEADLINE)
    expect(status_line(page)).to_have_text(re.compile(r"^\s*Ny\s*·\s*0 av 2 tillsatta\s*$"))
    check_accessibility(page)

    # --- the board: column by column with the keyboard alone ----------------------------
    page.get_by_role("link", name="Uppdragstavla").click()
    expect(page).to_have_url("/assignments/board")
    card = page.locator(f"#{card_id}")
    expect(column(page, "Ny").locator(f"#{card_id}")).to_be_visible()
    expect(card).to_contain_text(COMPANY)
    expect(card).to_contain_text("0 av 2 tillsatta")
    expect(card).to_contain_text("Ulla Uppdragsson")
    expect(card).to_contain_text(f"Sista dag {DEADLINE}")
    check_accessibility(page)
    mark_document(page)

    # Ny → Sökning pågår: Tab to the card's button, Enter. Focus stays on the moved card,
    # on its button onwards.
    move_with_keyboard(page, card_id, "searching", key="Tab", press="Enter")
    expect(column(page, "Sökning pågår").locator(f"#{card_id}")).to_be_visible()
    expect(column(page, "Ny").locator(f"#{card_id}")).to_have_count(0)
    expect(flash(page)).to_contain_text(f"{OCCUPATION} hos {COMPANY} har nu status Sökning pågår.")
    expect(page.locator(move_button(card_id, "presented"))).to_be_focused()
    assert same_document(page)
    check_accessibility(page)

    # Sökning pågår → Kandidater presenterade, with Space this time: focus on "Avsluta…".
    move_with_keyboard(page, card_id, "presented", key="Tab", press="Space")
    expect(column(page, "Kandidater presenterade").locator(f"#{card_id}")).to_be_visible()
    summary = card.locator("details.close-assignment > summary")
    expect(summary).to_be_focused()
    check_accessibility(page)

    # A step back with Shift+Tab (← Sökning pågår), then forward again: focus follows.
    move_with_keyboard(page, card_id, "searching", key="Shift+Tab", press="Enter")
    expect(column(page, "Sökning pågår").locator(f"#{card_id}")).to_be_visible()
    expect(page.locator(move_button(card_id, "new"))).to_be_focused()
    move_with_keyboard(page, card_id, "presented", key="Tab", press="Enter")
    expect(column(page, "Kandidater presenterade").locator(f"#{card_id}")).to_be_visible()
    expect(summary).to_be_focused()
    assert same_document(page)

    # "Avsluta…" with Enter: the filled count, "Tillsatt", "Avsluta uppdraget".
    page.keyboard.press("Enter")
    expect(card.locator("details.close-assignment")).to_have_attribute("open", "")
    filled = card.get_by_label("Antal tillsatta av 2 platser")
    press_until_focused(page, "Tab", f"#{card_id}-close-filled")
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    expect(filled).to_have_value("2")
    check_accessibility(page)
    press_until_focused(page, "Tab", f"#{card_id} input[type=radio][name=status]")
    # None is chosen yet (the count was 0): focus enters the group on its first, Tillsatt.
    tillsatt = card.get_by_role("radio", name="Tillsatt", exact=True)
    expect(tillsatt).to_be_focused()
    page.keyboard.press("Space")
    expect(tillsatt).to_be_checked()
    press_until_focused(page, "Tab", f"#{card_id} .close-form button[type=submit]")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/status")
    ) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200, answer.value.status

    # Closed: off the board (closed assignments live in the list), and said so.
    expect(flash(page)).to_contain_text(f"{OCCUPATION} hos {COMPANY} har nu status Tillsatt.")
    expect(page.locator(f"#{card_id}")).to_have_count(0)
    assert same_document(page)
    # The card took its focused button with it: focus is on the heading of the column it
    # left, not lost on <body>.
    expect(
        page.get_by_role("heading", name=re.compile(r"^Kandidater presenterade \(0\)$"))
    ).to_be_focused()
    check_accessibility(page)

    # --- its page: Tillsatt, 2 of 2 --------------------------------------------------------
    page.goto(f"/assignments/{assignment_id}")
    expect(status_line(page)).to_have_text(re.compile(r"^\s*Tillsatt\s*·\s*2 av 2 tillsatta\s*$"))
    expect(fact(page, "Antal tillsatta")).to_have_text("2")
    expect(fact(page, "Avslutat")).to_have_text("2026-03-02")
    check_accessibility(page)

    # --- the list, filtered by employment type ------------------------------------------
    page.goto("/assignments")
    expect(page.get_by_role("heading", name="Rekryteringsuppdrag", level=1)).to_be_visible()
    check_accessibility(page)
    # Closed ones: both, ours and the ordinary one made before; the filters are behind
    # their disclosure (closed: no filter in use).
    page.get_by_text("Filter och sortering").click()
    # (A label around a select: its name goes on with the chosen option, "Visa Pågående…".)
    page.get_by_role("combobox", name=re.compile(r"^Visa\b")).select_option(
        label="Avslutade uppdrag"
    )
    expect(page).to_have_url(re.compile(r"[?&]state=closed(&|$)"))
    rows = page.locator("#results tbody tr:not([hidden])")
    expect(rows).to_have_count(2)
    # By employment type: ours alone.
    page.get_by_label("Anställningsform").select_option(label=EMPLOYMENT_TYPE)
    expect(page).to_have_url(re.compile(r"[?&]employment_type=wage_subsidy(&|$)"))
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name=OCCUPATION)).to_be_visible()
    expect(row).to_contain_text(COMPANY)
    expect(row).to_contain_text("2/2")
    expect(row).to_contain_text(EMPLOYMENT_TYPE)
    expect(row).to_contain_text("Tillsatt")
    expect(page.locator("#results").get_by_text(OTHER_OCCUPATION)).to_have_count(0)
    check_accessibility(page)

    # --- the export keeps the filters ---------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportera CSV").click()
    download = download_info.value
    assert re.fullmatch(r"rekryteringsuppdrag.*\.csv", download.suggested_filename), (
        download.suggested_filename
    )
    assert "employment_type=wage_subsidy" in download.url, download.url
    assert "state=closed" in download.url, download.url
    path = download.path()
    assert path is not None
    data = path.read_bytes()

    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n")
    rows_csv = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert tuple(rows_csv[0]) == ASSIGNMENT_HEADERS
    records = [dict(zip(rows_csv[0], r, strict=True)) for r in rows_csv[1:]]
    assert len(records) == 1, records
    record = records[0]
    assert record["Yrke"] == OCCUPATION
    assert record["Företag"] == COMPANY
    assert record["Antal platser"] == "2"
    assert record["Antal tillsatta"] == "2"
    assert record["Anställningsform"] == EMPLOYMENT_TYPE
    assert record["Status"] == "Tillsatt"
    assert record["Arbetsort"] == "Åsele"
    assert record["Sista dag"] == DEADLINE
    assert record["Ansvarig"] == "Ulla Uppdragsson"
    assert record["Drog in uppdraget"] == "Ulla Uppdragsson"
    assert record["Avslutat"], record
    # The page the browser shows is unchanged by the download.
    expect(page).to_have_url(re.compile(r"/assignments\?"))
    expect(rows).to_have_count(1)
