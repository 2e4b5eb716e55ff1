"""Rapporter in the browser: a team lead opens the reports from the main menu, changes the
period and the filters, sees the tables and the charts change with them (by exact,
hand-counted figures), exports a table as CSV and looks at the team view. The form also
works without JavaScript. Every page and state visited passes axe-core.

The figures depend on every record in the database, so each test has a server of its own
(`fresh_server`) and makes all of its data through the app's services (see `seed`). The
server's clock stays at START: Monday 2 March 2026, 09:00, ISO week 10.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, Response, expect
from sqlmodel import Session, select

from app.auth.models import User
from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_activity_in,
    make_assignment_in,
    make_company_in,
)

pytestmark = pytest.mark.e2e

LEAD = "tea.teamledare"
LEAD_NAME = "Tea Teamledare"
ANNA, ANNA_NAME = "anna.ahlberg", "Anna Ahlberg"
BERTIL, BERTIL_NAME = "bertil.berg", "Bertil Berg"

UMEA_COMPANY = "Umeå Snickeri AB"
SKELLEFTEA_COMPANY = "Skellefteå Kraftverkstad AB"
UNOWNED_COMPANY = "Ägarlösa Åkeriet AB"

ACTIVITY_HEADER = ["Jobbmäklare", "Samtal", "Möte", "Besök", "E-post", "Anteckning", "Totalt"]
ACTIVITY_DESCRIPTION = "Staplat stapeldiagram över kontakthändelser per vecka och typ."
HIRES_DESCRIPTION = "Stapeldiagram över hur många som anställdes genom uppdrag, per månad."
STATUS_DESCRIPTION = "Liggande stapeldiagram över uppdragen per status."


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    return fresh_server


# --- the data, and what it adds up to -----------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    lead_password: str
    anna_id: int
    bertil_id: int


def user_id(server: LiveServer, username: str) -> int:
    with Session(server.engine) as session:
        found = session.exec(select(User.id).where(User.username == username)).one()
        assert found is not None
        return found


def seed(server: LiveServer) -> Seeded:
    """Two brokers' work in two municipalities over three months, all made through the
    services at START (2026-03-02 09:00, week 10):

    activities (Stockholm time)           week  company (municipality)
      Anna    call     2026-03-02 08:15   10    Umeå Snickeri (Umeå)
      Anna    meeting  2026-02-24 10:00    9    Umeå Snickeri (Umeå)
      Anna    visit    2026-01-14 13:00    3    Skellefteå Kraftverkstad (Skellefteå)
      Bertil  call     2026-03-01 12:00    9    Skellefteå Kraftverkstad (Skellefteå)
      Bertil  email    2026-02-10 09:00    7    Skellefteå Kraftverkstad (Skellefteå)
      Bertil  meeting  2026-03-02 08:45   10    Umeå Snickeri (Umeå)

    companies, all new on 2 March: Umeå Snickeri (owner Anna), Skellefteå Kraftverkstad
    (owner Bertil), Ägarlösa Åkeriet (Umeå, no owner).
    assignments, both opened on 2 March: at Umeå Snickeri, Anna's, lönestöd,
    2 positions, closed as filled with 2 the same day; at Skellefteå Kraftverkstad,
    Bertil's, ordinary, 1 position, still new, deadline 27 February (past).
    Bertil's call of 1 March has its follow-up today, 2 March.
    """
    lead_password = server.create_user(LEAD, full_name=LEAD_NAME, role="admin")
    server.create_user(ANNA, full_name=ANNA_NAME)
    server.create_user(BERTIL, full_name=BERTIL_NAME)
    anna_id, bertil_id = user_id(server, ANNA), user_id(server, BERTIL)

    umea = make_company_in(
        server,
        by=ANNA,
        name=UMEA_COMPANY,
        city="Umeå",
        municipality="Umeå",
        owner_id=str(anna_id),
    )
    skelleftea = make_company_in(
        server,
        by=BERTIL,
        name=SKELLEFTEA_COMPANY,
        city="Skellefteå",
        municipality="Skellefteå",
        owner_id=str(bertil_id),
    )
    make_company_in(server, by=ANNA, name=UNOWNED_COMPANY, city="Umeå", municipality="Umeå")

    make_activity_in(server, umea, by=ANNA, kind="call", occurred_at="2026-03-02T08:15")
    make_activity_in(server, umea, by=ANNA, kind="meeting", occurred_at="2026-02-24T10:00")
    make_activity_in(server, skelleftea, by=ANNA, kind="visit", occurred_at="2026-01-14T13:00")
    make_activity_in(
        server,
        skelleftea,
        by=BERTIL,
        kind="call",
        occurred_at="2026-03-01T12:00",
        follow_up_on="2026-03-02",
    )
    make_activity_in(server, skelleftea, by=BERTIL, kind="email", occurred_at="2026-02-10T09:00")
    make_activity_in(server, umea, by=BERTIL, kind="meeting", occurred_at="2026-03-02T08:45")

    make_assignment_in(
        server,
        umea,
        by=ANNA,
        occupation="Snickare",
        positions=2,
        employment_type="wage_subsidy",
        owner_id=str(anna_id),
        status="filled",
        filled_count=2,
    )
    make_assignment_in(
        server,
        skelleftea,
        by=BERTIL,
        occupation="Elektriker",
        positions=1,
        employment_type="ordinary",
        owner_id=str(bertil_id),
        deadline="2026-02-27",
    )
    return Seeded(lead_password=lead_password, anna_id=anna_id, bertil_id=bertil_id)


# --- helpers ----------------------------------------------------------------------------


def main_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Huvudmeny")


def mark_document(page: Page) -> None:
    """A full page load forgets this mark; an htmx swap keeps it (see same_document)."""
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def control(page: Page, name: str) -> Locator:
    """A control of the report form by its name attribute (the selects' labels wrap them,
    so their accessible names go on with the chosen option's text)."""
    return page.locator(f"#report-form [name={name}]")


def period_heading(page: Page) -> Locator:
    return page.locator("#results h2#report-period")


def rows_of(page: Page, table_key: str) -> list[list[str]]:
    """The table's body and totals rows, each as its cells' texts."""
    return page.locator(f"#table-{table_key}").evaluate(
        """t => [...t.querySelectorAll('tbody tr, tfoot tr')]
                 .map(r => [...r.cells].map(c => c.textContent.trim()))"""
    )


def header_of(page: Page, table_key: str) -> list[str]:
    return page.locator(f"#table-{table_key} thead th").all_inner_texts()


def non_zero(rows: list[list[str]]) -> list[list[str]]:
    return [row for row in rows if any(cell not in ("", "0") for cell in row[1:])]


def section(page: Page, table_key: str) -> Locator:
    return page.locator(f"#report-{table_key}")


def chart_text(page: Page, chart_id: str) -> Locator:
    """The chart's text alternative: its SVG's <desc>."""
    return page.locator(f"#{chart_id}-desc")


def bars(page: Page, table_key: str) -> Locator:
    """The drawn bars of the table's chart: one rect per non-zero value."""
    return section(page, table_key).locator(".chart-bars rect")


def is_report_swap(response: Response) -> bool:
    return (
        urlsplit(response.url).path == "/reports"
        and response.request.all_headers().get("hx-request") == "true"
    )


def swap(page: Page, action: Callable[[], object], *, status: int = 200) -> None:
    """Does what changes the report (a select, Enter in a date) and waits for htmx's
    answer, which must have this status."""
    with page.expect_response(is_report_swap) as answer:
        action()
    assert answer.value.status == status, answer.value.status


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def expect_activity_chart(
    page: Page, *, total: int, peak: str, peak_value: int, per_kind: str
) -> None:
    expect(chart_text(page, "chart-activities")).to_have_text(
        f"{ACTIVITY_DESCRIPTION} Totalt {total}, flest {peak} med {peak_value}. "
        f"Per serie: {per_kind}."
    )


# --- the journey ------------------------------------------------------------------------


def test_reports_follow_the_period_and_filters_and_export_what_is_shown(
    page: Page, server: LiveServer
) -> None:
    seeded = seed(server)
    log_in(page, LEAD, seeded.lead_password)

    # --- from the main menu: this month, March 2026 -------------------------------------
    main_menu(page).get_by_role("link", name="Rapporter").click()
    expect(page).to_have_url("/reports")
    expect(page.get_by_role("heading", name="Rapporter", level=1)).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Rapporter")).to_have_attribute(
        "aria-current", "page"
    )
    expect(control(page, "period")).to_have_value("month")
    expect(period_heading(page)).to_have_text("1 mar–31 mar 2026, v. 9–14")
    expect(page.locator("#results")).to_contain_text(
        "Alla jobbmäklare. Alla anställningsformer. Alla kommuner."
    )
    check_accessibility(page)

    assert header_of(page, "activities-by-broker") == ACTIVITY_HEADER
    assert rows_of(page, "activities-by-broker") == [
        [ANNA_NAME, "1", "0", "0", "0", "0", "1"],
        [BERTIL_NAME, "1", "1", "0", "0", "0", "2"],
        ["Totalt", "2", "1", "0", "0", "0", "3"],
    ]
    assert rows_of(page, "activities-by-week") == [
        ["v. 9", "1", "0", "0", "0", "0", "1"],
        ["v. 10", "1", "1", "0", "0", "0", "2"],
        ["v. 11", "0", "0", "0", "0", "0", "0"],
        ["v. 12", "0", "0", "0", "0", "0", "0"],
        ["v. 13", "0", "0", "0", "0", "0", "0"],
        ["v. 14", "0", "0", "0", "0", "0", "0"],
        ["Totalt", "2", "1", "0", "0", "0", "3"],
    ]
    expect(page.locator("#caption-activities-by-week")).to_have_text(
        "Kontakthändelser per vecka, 1 mar–31 mar 2026, v. 9–14"
    )
    expect_activity_chart(
        page,
        total=3,
        peak="v. 10",
        peak_value=2,
        per_kind="Samtal 2, Möte 1, Besök 0, E-post 0, Anteckning 0",
    )
    # v. 9 calls; v. 10 calls and meetings.
    expect(bars(page, "activities-by-week")).to_have_count(3)
    assert rows_of(page, "companies") == [
        ["Kontaktade företag", "2"],
        ["Nya företag", "3"],
        ["Undertecknade avsiktsförklaringar", "0"],
    ]
    assignments = rows_of(page, "assignments")
    assert non_zero(assignments) == [
        ["Ordinarie anställning", "1", "1", "0", "0", "0", "0"],
        ["Lönestöd", "1", "2", "1", "2", "0", "0"],
        ["Totalt", "2", "3", "1", "2", "0", "0"],
    ], assignments
    assert rows_of(page, "hires-by-month") == [["mar 2026", "1", "2"], ["Totalt", "1", "2"]]
    expect(chart_text(page, "chart-hires")).to_have_text(
        f"{HIRES_DESCRIPTION} Totalt 2, flest mar 2026 med 2."
    )
    expect(bars(page, "hires-by-month")).to_have_count(1)
    expect(chart_text(page, "chart-statuses")).to_have_text(
        f"{STATUS_DESCRIPTION} Totalt 2, flest Ny med 1."
    )
    expect(bars(page, "assignment-statuses")).to_have_count(2)
    mark_document(page)

    # --- the period: this year ----------------------------------------------------------
    swap(page, lambda: control(page, "period").select_option(label="Detta år"))
    expect(period_heading(page)).to_have_text("1 jan–31 dec 2026, v. 1–53")
    assert query_of(page.url)["period"] == ["year"], page.url
    assert same_document(page)
    # The form's dates, outside the swapped results, follow the period shown.
    expect(control(page, "from")).to_have_value("2026-01-01")
    expect(control(page, "to")).to_have_value("2026-12-31")
    check_accessibility(page)

    assert rows_of(page, "activities-by-broker") == [
        [ANNA_NAME, "1", "1", "1", "0", "0", "3"],
        [BERTIL_NAME, "1", "1", "0", "1", "0", "3"],
        ["Totalt", "2", "2", "1", "1", "0", "6"],
    ]
    weeks = rows_of(page, "activities-by-week")
    assert len(weeks) == 53 + 1, len(weeks)  # ISO 2026 has 53 weeks; then the totals
    assert non_zero(weeks) == [
        ["v. 3", "0", "0", "1", "0", "0", "1"],
        ["v. 7", "0", "0", "0", "1", "0", "1"],
        ["v. 9", "1", "1", "0", "0", "0", "2"],
        ["v. 10", "1", "1", "0", "0", "0", "2"],
        ["Totalt", "2", "2", "1", "1", "0", "6"],
    ]
    # Weeks 9 and 10 have two each: the first of equals is named.
    expect_activity_chart(
        page,
        total=6,
        peak="v. 9",
        peak_value=2,
        per_kind="Samtal 2, Möte 2, Besök 1, E-post 1, Anteckning 0",
    )
    expect(bars(page, "activities-by-week")).to_have_count(6)
    hires = rows_of(page, "hires-by-month")
    assert len(hires) == 12 + 1, hires
    assert non_zero(hires) == [["mar 2026", "1", "2"], ["Totalt", "1", "2"]]
    expect(chart_text(page, "chart-hires")).to_have_text(
        f"{HIRES_DESCRIPTION} Totalt 2, flest mar 2026 med 2."
    )

    # --- a filter: Bertil's work --------------------------------------------------------
    swap(page, lambda: control(page, "broker").select_option(label=BERTIL_NAME))
    expect(page.locator("#results")).to_contain_text(f"Jobbmäklare: {BERTIL_NAME}.")
    query = query_of(page.url)
    assert query["period"] == ["year"] and query["broker"] == [str(seeded.bertil_id)], page.url
    assert same_document(page)
    check_accessibility(page)

    assert rows_of(page, "activities-by-broker") == [
        [BERTIL_NAME, "1", "1", "0", "1", "0", "3"],
        ["Totalt", "1", "1", "0", "1", "0", "3"],
    ]
    assert non_zero(rows_of(page, "activities-by-week")) == [
        ["v. 7", "0", "0", "0", "1", "0", "1"],
        ["v. 9", "1", "0", "0", "0", "0", "1"],
        ["v. 10", "0", "1", "0", "0", "0", "1"],
        ["Totalt", "1", "1", "0", "1", "0", "3"],
    ]
    expect_activity_chart(
        page,
        total=3,
        peak="v. 7",
        peak_value=1,
        per_kind="Samtal 1, Möte 1, Besök 0, E-post 1, Anteckning 0",
    )
    expect(bars(page, "activities-by-week")).to_have_count(3)
    # Bertil's companies: Skellefteå Kraftverkstad and Umeå Snickeri contacted, one his own.
    assert rows_of(page, "companies") == [
        ["Kontaktade företag", "2"],
        ["Nya företag", "1"],
        ["Undertecknade avsiktsförklaringar", "0"],
    ]
    # The filled assignment is Anna's: no hires, and no chart drawn for none.
    hires_section = section(page, "hires-by-month")
    expect(hires_section).to_contain_text("Inga uppgifter för perioden.")
    expect(hires_section.locator("svg")).to_have_count(0)
    expect(page.locator("#table-hires-by-month")).to_have_count(0)
    expect(chart_text(page, "chart-statuses")).to_have_text(
        f"{STATUS_DESCRIPTION} Totalt 1, flest Ny med 1."
    )
    expect(bars(page, "assignment-statuses")).to_have_count(1)

    # --- a custom period: February up to and with Sunday 1 March ------------------------
    # "Egen period" starts from the days shown, this year's.
    swap(page, lambda: control(page, "period").select_option(label="Egen period"))
    expect(period_heading(page)).to_have_text("1 jan–31 dec 2026, v. 1–53")
    assert query_of(page.url)["from"] == ["2026-01-01"], page.url
    # Typed the wrong way round first, sent with Enter: refused in words, the field
    # marked, and focus still in it.
    control(page, "from").fill("2026-02-01")
    control(page, "to").fill("2026-01-31")
    swap(page, lambda: control(page, "to").press("Enter"), status=422)
    expect(page.locator("#results").get_by_role("alert")).to_have_text(
        "Periodens första dag måste vara före eller samma som den sista."
    )
    expect(control(page, "to")).to_have_attribute("aria-invalid", "true")
    expect(control(page, "to")).to_have_attribute(
        "aria-describedby", "period-hint period-error report-to-understood"
    )
    expect(control(page, "to")).to_be_focused()
    expect(control(page, "from")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#results table")).to_have_count(0)
    assert same_document(page)
    check_accessibility(page)

    control(page, "to").fill("2026-03-01")
    swap(page, lambda: page.get_by_role("button", name="Visa rapporten").click())
    expect(control(page, "to")).not_to_have_attribute("aria-invalid", "true")
    expect(period_heading(page)).to_have_text("1 feb–1 mar 2026, v. 5–9")
    query = query_of(page.url)
    assert query["period"] == ["custom"], page.url
    assert query["from"] == ["2026-02-01"] and query["to"] == ["2026-03-01"], page.url
    assert query["broker"] == [str(seeded.bertil_id)], page.url
    assert same_document(page)
    check_accessibility(page)

    assert rows_of(page, "activities-by-week") == [
        ["v. 5", "0", "0", "0", "0", "0", "0"],
        ["v. 6", "0", "0", "0", "0", "0", "0"],
        ["v. 7", "0", "0", "0", "1", "0", "1"],
        ["v. 8", "0", "0", "0", "0", "0", "0"],
        ["v. 9", "1", "0", "0", "0", "0", "1"],
        ["Totalt", "1", "0", "0", "1", "0", "2"],
    ]
    expect_activity_chart(
        page,
        total=2,
        peak="v. 7",
        peak_value=1,
        per_kind="Samtal 1, Möte 0, Besök 0, E-post 1, Anteckning 0",
    )
    expect(bars(page, "activities-by-week")).to_have_count(2)

    # --- and by municipality instead of broker: Umeå ------------------------------------
    swap(page, lambda: control(page, "broker").select_option(label="Alla"))
    swap(page, lambda: control(page, "municipality").select_option(label="Umeå"))
    expect(page.locator("#results")).to_contain_text("Alla jobbmäklare.")
    expect(page.locator("#results")).to_contain_text("Kommun: Umeå.")
    query = query_of(page.url)
    assert query["municipality"] == ["Umeå"] and query["period"] == ["custom"], page.url
    assert query.get("broker", [""]) == [""], page.url
    assert same_document(page)
    check_accessibility(page)

    # In Umeå that month: Anna's meeting at Umeå Snickeri alone.
    assert rows_of(page, "activities-by-broker") == [
        [ANNA_NAME, "0", "1", "0", "0", "0", "1"],
        ["Totalt", "0", "1", "0", "0", "0", "1"],
    ]
    assert non_zero(rows_of(page, "activities-by-week")) == [
        ["v. 9", "0", "1", "0", "0", "0", "1"],
        ["Totalt", "0", "1", "0", "0", "0", "1"],
    ]
    expect_activity_chart(
        page,
        total=1,
        peak="v. 9",
        peak_value=1,
        per_kind="Samtal 0, Möte 1, Besök 0, E-post 0, Anteckning 0",
    )
    expect(bars(page, "activities-by-week")).to_have_count(1)

    # --- the table as CSV, by the link beside it: what the page shows -------------------
    broker_section = section(page, "activities-by-broker")
    with page.expect_download() as download_info:
        # (Chromium names it "Exportera CSV : …": the hidden part is positioned apart.)
        broker_section.get_by_role(
            "link", name=re.compile(r"^Exportera CSV ?: Kontakthändelser per jobbmäklare$")
        ).click()
    download = download_info.value
    assert download.suggested_filename == (
        "kontakthandelser-per-jobbmaklare-2026-02-01--2026-03-01.csv"
    ), download.suggested_filename
    exported = query_of(download.url)
    assert exported == {
        "period": ["custom"],
        "from": ["2026-02-01"],
        "to": ["2026-03-01"],
        "municipality": ["Umeå"],
    }, download.url
    path = download.path()
    assert path is not None
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    text = data[3:].decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""), delimiter=";")) == [
        ACTIVITY_HEADER,
        [ANNA_NAME, "0", "1", "0", "0", "0", "1"],
        ["Totalt", "0", "1", "0", "0", "0", "1"],
    ]
    # The page is unchanged by the download.
    expect(period_heading(page)).to_have_text("1 feb–1 mar 2026, v. 5–9")

    # --- the team view, from the reports -----------------------------------------------
    page.get_by_role("link", name="Teamöversikt").click()
    expect(page).to_have_url("/reports/team")
    expect(page.get_by_role("heading", name="Teamöversikt", level=1)).to_be_visible()
    check_accessibility(page)
    workload = page.get_by_role("region", name="Återkopplingar och uppdrag per jobbmäklare")

    def workload_row(row_id: str) -> list[str]:
        return workload.locator(f"#{row_id}").evaluate(
            "r => [...r.cells].map(c => c.textContent.replace(/\\s+/g, ' ').trim())"
        )

    # Bertil: his follow-up today and his assignment past its deadline of 27 February.
    bertil_row = workload_row(f"broker-{seeded.bertil_id}")
    assert bertil_row[0] == BERTIL_NAME, bertil_row
    assert bertil_row[1:] == [
        "0",
        f"1 återkopplingar i dag för {BERTIL_NAME}",
        "",
        f"1 uppdrag efter deadline för {BERTIL_NAME}",
        "2026-02-27",
    ], bertil_row
    assert workload_row(f"broker-{seeded.anna_id}") == [ANNA_NAME, "0", "0", "", "0", ""]
    team_row = workload_row("broker-team")
    assert team_row[0] == "Hela teamet", team_row
    assert [re.sub(r" .*", "", cell) for cell in team_row[1:]] == ["0", "1", "", "1", "2026-02-27"]
    unowned = page.get_by_role("region", name="Företag utan ansvarig jobbmäklare")
    expect(unowned).to_contain_text("1 företag har ingen ansvarig jobbmäklare.")
    expect(unowned.get_by_role("link", name=UNOWNED_COMPANY)).to_be_visible()
    expect(unowned.locator("tbody tr")).to_have_count(1)


# --- without JavaScript -----------------------------------------------------------------


def test_reports_form_works_without_javascript(no_js_page: Page, server: LiveServer) -> None:
    page = no_js_page
    seeded = seed(server)
    log_in(page, LEAD, seeded.lead_password)
    main_menu(page).get_by_role("link", name="Rapporter").click()
    expect(period_heading(page)).to_have_text("1 mar–31 mar 2026, v. 9–14")
    check_accessibility(page)

    # Choosing in the selects does nothing by itself; "Visa rapporten" loads the page.
    control(page, "period").select_option(label="Detta år")
    control(page, "municipality").select_option(label="Skellefteå")
    expect(period_heading(page)).to_have_text("1 mar–31 mar 2026, v. 9–14")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Visa rapporten").click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert "hx-request" not in response.request.all_headers()
    query = query_of(page.url)
    assert query["period"] == ["year"] and query["municipality"] == ["Skellefteå"], page.url
    expect(period_heading(page)).to_have_text("1 jan–31 dec 2026, v. 1–53")
    expect(page.locator("#results")).to_contain_text("Kommun: Skellefteå.")
    # The form shows what was chosen.
    expect(control(page, "period")).to_have_value("year")
    expect(control(page, "municipality")).to_have_value("Skellefteå")
    check_accessibility(page)

    # At Skellefteå Kraftverkstad: Anna's visit (v. 3), Bertil's email (v. 7) and call (v. 9).
    assert rows_of(page, "activities-by-broker") == [
        [ANNA_NAME, "0", "0", "1", "0", "0", "1"],
        [BERTIL_NAME, "1", "0", "0", "1", "0", "2"],
        ["Totalt", "1", "0", "1", "1", "0", "3"],
    ]
    assert non_zero(rows_of(page, "activities-by-week")) == [
        ["v. 3", "0", "0", "1", "0", "0", "1"],
        ["v. 7", "0", "0", "0", "1", "0", "1"],
        ["v. 9", "1", "0", "0", "0", "0", "1"],
        ["Totalt", "1", "0", "1", "1", "0", "3"],
    ]
    expect_activity_chart(
        page,
        total=3,
        peak="v. 3",
        peak_value=1,
        per_kind="Samtal 1, Möte 0, Besök 1, E-post 1, Anteckning 0",
    )
    expect(bars(page, "activities-by-week")).to_have_count(3)
    # Only the ordinary assignment, still new, is in Skellefteå: no hires there.
    expect(section(page, "hires-by-month")).to_contain_text("Inga uppgifter för perioden.")
    expect(chart_text(page, "chart-statuses")).to_have_text(
        f"{STATUS_DESCRIPTION} Totalt 1, flest Ny med 1."
    )

    # A custom period that ends before it starts: said in words, the page still usable.
    control(page, "period").select_option(label="Egen period")
    control(page, "from").fill("2026-03-31")
    control(page, "to").fill("2026-03-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Visa rapporten").click()
    response = navigation.value
    assert response is not None and response.status == 422, response and response.status
    expect(page.get_by_role("alert")).to_have_text(
        "Periodens första dag måste vara före eller samma som den sista."
    )
    expect(control(page, "to")).to_have_attribute("aria-invalid", "true")
    expect(control(page, "to")).to_have_value("2026-03-01")
    expect(page.locator("#results table")).to_have_count(0)
    check_accessibility(page)
