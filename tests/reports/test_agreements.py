"""Avtal per slag against hand-counted agreements on both engines: signed, in force and
ending at the edges of the period (and of Stockholm's days), renewed ones not ending, what
each filter leaves out, one statement whatever the data, its export and its section of
the page, in Swedish and in English."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import update

from app.auth.models import User
from app.clock import today
from app.reports import service as reports
from app.reports.period import Period, resolve
from app.reports.service import ReportFilters
from app.reports.tables.agreements import agreements_table
from tests import statements
from tests.reports.conftest import agreement, at, company
from tests.reports.test_routes import MARCH as MARCH_QUERY
from tests.reports.test_routes import cells, read_csv, section

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
KINDS = ("Avsiktsförklaring", "Samverkansavtal", "Rekryteringsavtal", "Praktikavtal", "Annat avtal")


def figures(session, clock, period=MARCH, **filters):
    """The table as {kind: [signed, in force, ending]}, only the kinds with a figure."""
    found = reports.report(ReportFilters(period, **filters), session=session, clock=clock)
    return {row.shown: row.values for row in found.agreements.rows if any(row.values)}


def test_one_row_per_kind_in_their_order_even_when_empty(session, late, bo):
    found = reports.report(ReportFilters(MARCH), session=session, clock=late).agreements
    assert [row.shown for row in found.rows] == list(KINDS)
    assert found.empty and found.totals == [0, 0, 0]


def test_signed_on_the_periods_first_and_last_day_but_not_around_them(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    for day, kind in [
        ("2026-02-28", "cooperation"),  # the day before
        ("2026-03-01", "recruitment"),  # the first day
        ("2026-03-31", "internship"),  # the last day
        ("2026-04-01", "other"),  # the day after
    ]:
        agreement(session, late, alfa, bo, kind, signed_on=day)
    assert figures(session, late) == {
        # Signed before March and valid until further notice: in force all of March.
        "Samverkansavtal": [0, 1, 0],
        "Rekryteringsavtal": [1, 1, 0],
        "Praktikavtal": [1, 1, 0],
    }


def test_in_force_means_signed_by_the_last_day_and_valid_some_day_of_the_period(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    signed = "2026-01-10"
    in_force = [
        {"valid_to": "2026-03-01"},  # its last day is the period's first
        {"valid_from": "2026-03-31"},  # valid from the period's last day
        {"valid_from": "2025-01-01", "valid_to": "2027-01-01"},  # around the whole period
    ]
    not_in_force = [
        {"valid_to": "2026-02-28"},  # over the day before
        {"valid_from": "2026-04-01"},  # valid only after it
    ]
    for dates in in_force + not_in_force:
        agreement(session, late, alfa, bo, "cooperation", signed_on=signed, **dates)
    # Valid from March but signed only after it: not yet in force in March.
    agreement(
        session, late, alfa, bo, "recruitment", signed_on="2026-04-02", valid_from="2026-03-01"
    )
    # Ended: in force until its last valid day; without one, when it ended is unknown.
    agreement(
        session, late, alfa, bo, "internship", "ended", signed_on=signed, valid_to="2026-05-01"
    )
    agreement(session, late, alfa, bo, "internship", "ended", signed_on=signed)
    # Never signed: not counted at all.
    agreement(session, late, alfa, bo, "other", "draft", valid_from="2026-03-01")
    agreement(session, late, alfa, bo, "other", "sent", sent_on="2026-03-02", valid_to="2026-03-20")
    assert figures(session, late) == {
        "Samverkansavtal": [0, 3, 1],  # valid to 1 March: ends in the period too
        "Praktikavtal": [0, 1, 0],
    }


def test_ending_in_the_period_unless_renewed(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    signed = "2025-06-01"
    for valid_to in ("2026-02-28", "2026-03-01", "2026-03-31", "2026-04-01"):
        agreement(session, late, alfa, bo, "cooperation", signed_on=signed, valid_to=valid_to)
    # Ended on its last valid day, in the period: ending too.
    agreement(
        session, late, alfa, bo, "cooperation", "ended", signed_on=signed, valid_to="2026-03-15"
    )
    # Renewed ("Förnya"), by a draft or by a signed agreement: still in force in March,
    # but not ending.
    renewed = agreement(
        session, late, alfa, bo, "recruitment", signed_on=signed, valid_to="2026-03-20"
    )
    agreement(session, late, alfa, bo, "recruitment", "draft", renews_id=str(renewed.id))
    renewed_and_signed = agreement(
        session, late, alfa, bo, "internship", signed_on=signed, valid_to="2026-03-20"
    )
    agreement(
        session,
        late,
        alfa,
        bo,
        "internship",
        signed_on="2026-03-10",
        valid_from="2026-03-21",
        renews_id=str(renewed_and_signed.id),
    )
    assert figures(session, late) == {
        "Samverkansavtal": [0, 4, 3],
        "Rekryteringsavtal": [0, 1, 0],
        "Praktikavtal": [1, 2, 0],  # the renewal signed in March and in force from the 21st
    }


def test_the_period_is_of_stockholm_days(session, late, bo):
    """Half past midnight on 1 April in Stockholm is still 31 March in UTC: this month is
    April there, and an agreement signed that day counts in April, not in March."""
    alfa = company(session, late, bo, "Alfa AB")
    late.set(at("2026-04-01T00:30"))
    agreement(session, late, alfa, bo, "cooperation", signed_on="2026-04-01")
    this_month = resolve("month", today=today(late))
    assert (this_month.first, this_month.last) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert figures(session, late, this_month) == {"Samverkansavtal": [1, 1, 0]}
    assert figures(session, late, MARCH) == {}


def test_broker_is_the_companys_owner_and_municipality_the_companys(session, late, bo, cia):
    alfa = company(session, late, bo, "Alfa AB", "Malmö")
    beta = company(session, late, cia, "Beta AB", "Lund")
    # Bo writes both: the figure follows the company's owner, not the author.
    agreement(session, late, alfa, bo, "cooperation", signed_on="2026-03-05")
    agreement(session, late, beta, bo, "cooperation", signed_on="2026-03-06", valid_to="2026-03-30")
    agreement(session, late, beta, bo, "letter_of_intent", signed_on="2026-02-01")
    both = {"Avsiktsförklaring": [0, 1, 0], "Samverkansavtal": [2, 2, 1]}
    assert figures(session, late) == both
    cias = {"Avsiktsförklaring": [0, 1, 0], "Samverkansavtal": [1, 1, 1]}
    assert figures(session, late, broker_id=cia.id) == cias
    assert figures(session, late, municipality="Lund") == cias
    assert figures(session, late, broker_id=bo.id) == {"Samverkansavtal": [1, 1, 0]}
    assert figures(session, late, broker_id=bo.id, municipality="Lund") == {}
    assert figures(session, late, municipality="Kiruna") == {}
    # Agreements have no employment type: the filter changes nothing here.
    assert figures(session, late, employment_type="ordinary") == both


def test_letters_of_intent_signed_agree_with_the_companies_table(session, late, bo, cia):
    alfa = company(session, late, bo, "Alfa AB", "Malmö")
    beta = company(session, late, cia, "Beta AB", "Lund")
    agreement(session, late, alfa, bo, "letter_of_intent", signed_on="2026-03-01")
    agreement(session, late, beta, cia, "letter_of_intent", "ended", signed_on="2026-03-31")
    agreement(session, late, beta, cia, "letter_of_intent", signed_on="2026-04-01")
    for filters in ({}, {"broker_id": cia.id}, {"municipality": "Malmö"}):
        found = reports.report(ReportFilters(MARCH, **filters), session=session, clock=late)
        companies = {row.shown: row.values for row in found.companies.rows}
        letters = found.agreements.rows[0]
        assert letters.values[0] == companies["Undertecknade avsiktsförklaringar"][0], filters


def test_one_statement_whatever_the_data_and_filters(session, engine, late, bo, cia):
    def selects(action) -> int:
        """The queries the action runs (not the savepoint a test's session opens after a
        commit)."""
        with statements.recorded(engine) as seen:
            action()
        return len([each for each in seen if each.lstrip().upper().startswith("SELECT")])

    def table(**filters) -> int:
        return selects(lambda: agreements_table(ReportFilters(MARCH, **filters), session=session))

    def whole_report(**filters) -> int:
        return selects(
            lambda: reports.report(ReportFilters(MARCH, **filters), session=session, clock=late)
        )

    alfa = company(session, late, bo, "Alfa AB", "Malmö")
    assert table() == 1
    # The report's documented seventeen statements (sixteen for one broker), this one of them.
    assert (whole_report(), whole_report(broker_id=bo.id)) == (17, 16)
    for number in range(1, 6):
        old = agreement(
            session,
            late,
            alfa,
            bo,
            "cooperation",
            signed_on=f"2026-01-0{number}",
            valid_to=f"2026-03-1{number}",
        )
        agreement(session, late, alfa, bo, "cooperation", "draft", renews_id=str(old.id))
        agreement(session, late, alfa, bo, "internship", "ended", signed_on="2026-03-02")
    assert table() == table(broker_id=bo.id) == table(municipality="Lund") == 1
    assert table(broker_id=bo.id, municipality="Malmö") == 1
    assert (whole_report(), whole_report(broker_id=bo.id)) == (17, 16)


def test_the_table_as_csv_and_xlsx(client, session, late, signed_in, cia):
    alfa = company(session, late, signed_in, "Alfa AB", "Malmö")
    beta = company(session, late, cia, "Beta AB", "Lund")
    agreement(session, late, alfa, signed_in, "cooperation", signed_on="2026-03-05")
    agreement(session, late, beta, cia, "internship", signed_on="2026-01-05", valid_to="2026-03-31")
    response = client.get("/reports/agreements.csv" + MARCH_QUERY)
    assert response.headers["content-disposition"] == (
        'attachment; filename="avtal-per-slag-2026-03-01--2026-03-31.csv"'
    )
    assert read_csv(response) == [
        ["Slag av avtal", "Undertecknade", "Gällande", "Upphör under perioden"],
        ["Avsiktsförklaring", "0", "0", "0"],
        ["Samverkansavtal", "1", "1", "0"],
        ["Rekryteringsavtal", "0", "0", "0"],
        ["Praktikavtal", "0", "1", "1"],
        ["Annat avtal", "0", "0", "0"],
        ["Totalt", "1", "2", "1"],
    ]
    lund = client.get(f"/reports/agreements.xlsx{MARCH_QUERY}&municipality=Lund")
    assert lund.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(lund.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Avtal per slag"
    assert rows[4] == ["Praktikavtal", 0, 1, 1]
    assert rows[-1] == ["Totalt", 0, 1, 1]


def test_the_page_shows_the_table_in_swedish_and_english(client, session, late, signed_in):
    alfa = company(session, late, signed_in, "Alfa AB")
    agreement(session, late, alfa, signed_in, "recruitment", signed_on="2026-03-05")
    html = client.get("/reports" + MARCH_QUERY).text
    shown = section(html, "agreements")
    assert '<h3 id="heading-agreements">Avtal per slag</h3>' in shown
    assert "Ett upphört avtal utan Giltigt till räknas inte som gällande" in shown
    assert 'href="/reports/agreements.xlsx?period=custom&amp;' in shown
    assert cells(shown) == [
        ["Slag av avtal", "Undertecknade", "Gällande", "Upphör under perioden"],
        ["Avsiktsförklaring", "0", "0", "0"],
        ["Samverkansavtal", "0", "0", "0"],
        ["Rekryteringsavtal", "1", "1", "0"],
        ["Praktikavtal", "0", "0", "0"],
        ["Annat avtal", "0", "0", "0"],
        ["Totalt", "1", "1", "0"],
    ]
    # Right after the companies' figures.
    assert html.index('id="report-companies"') < html.index('id="report-agreements"')
    assert html.index('id="report-agreements"') < html.index('id="report-assignments"')

    session.execute(update(User).where(User.id == signed_in.id).values(locale="en"))  # type: ignore[arg-type]
    session.commit()
    english = section(client.get("/reports" + MARCH_QUERY).text, "agreements")
    assert '<h3 id="heading-agreements">Agreements by kind</h3>' in english
    assert "Employment type does not apply here." in english
    assert cells(english)[0] == ["Kind of agreement", "Signed", "In force", "Ending in the period"]
    assert cells(english)[3] == ["Recruitment agreement", "1", "1", "0"]
    # The export stays Swedish.
    assert read_csv(client.get("/reports/agreements.csv" + MARCH_QUERY))[3][0] == (
        "Rekryteringsavtal"
    )
