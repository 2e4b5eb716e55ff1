"""The reports page over HTTP: every role may read it, the period in words, the filters,
custom dates refused with a message, htmx swapping the results, each table as CSV and
XLSX with the same period and filters, and a constant number of statements (Avtal per
slag has its own tests in test_agreements.py)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import update

from app.auth.models import User
from tests import statements
from tests.factories import PASSWORD, make_user
from tests.reports.conftest import activity, agreement, company
from tests.reports.test_service import march_activities, quarter_of_assignments

MARCH = "?period=custom&from=2026-03-01&to=2026-03-31"
HTMX = {"HX-Request": "true"}


def section(html: str, key: str) -> str:
    start = html.index(f'<section class="report-section" id="report-{key}"')
    return html[start : html.index("</section>", start)]


def cells(html: str) -> list[list[str]]:
    """The table's rows as text: header cells and data cells alike."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


@pytest.mark.parametrize("role", ["admin", "broker", "viewer"])
def test_every_role_reads_the_reports(client, session, late, role):
    make_user(session, late, role=role, username="someone")
    client.login("someone", PASSWORD)
    response = client.get("/reports")
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    # This month by default (the clock says 1 February 2027).
    assert '<h2 id="report-period">1 feb–28 feb 2027, v. 5–8</h2>' in response.text
    assert "Det finns inga uppgifter för perioden med de valda filtren." in response.text
    # Teamöversikt is for team leads (admins and viewers): no link a broker cannot follow.
    assert ('href="/reports/team"' in response.text) == (role != "broker")
    assert 'href="/static/reports.css"' in response.text


def test_the_reports_need_a_login(client):
    assert client.get("/reports").status_code == 303
    assert client.get("/reports/companies.csv").status_code == 303


def test_the_page_shows_tables_with_totals_and_charts(client, session, late, signed_in, cia):
    march_activities(session, late, signed_in, cia)
    html = client.get("/reports" + MARCH).text
    assert "1 mar–31 mar 2026, v. 9–14" in html
    by_broker = section(html, "activities-by-broker")
    assert '<th scope="col">Jobbmäklare</th>' in by_broker
    assert cells(by_broker)[1:] == [
        ["Bo Ek", "2", "1", "1", "1", "1", "6"],
        ["Cia Lind", "2", "0", "0", "0", "0", "2"],
        ["Totalt", "4", "1", "1", "1", "1", "8"],
    ]
    by_week = section(html, "activities-by-week")
    assert 'role="img"' in by_week  # the chart beside the table
    assert 'href="#table-activities-by-week"' in by_week
    assert cells(by_week)[1] == ["v. 9", "1", "1", "0", "0", "0", "2"]
    assert (
        'href="/reports/activities-by-week.csv?period=custom&amp;from=2026-03-01&amp;to=2026-03-31"'
        in by_week
    )
    # No assignments in March: the section says so instead of an empty chart and table.
    assert "Inga uppgifter för perioden." in section(html, "hires-by-month")


def test_filters_change_the_figures_and_are_kept(client, session, late, signed_in, cia):
    march_activities(session, late, signed_in, cia)
    html = client.get(f"/reports{MARCH}&broker={cia.id}&municipality=Lund").text
    assert cells(section(html, "activities-by-broker"))[1:] == [
        ["Cia Lind", "2", "0", "0", "0", "0", "2"],
        ["Totalt", "2", "0", "0", "0", "0", "2"],
    ]
    assert f'<option value="{cia.id}" selected>Cia Lind</option>' in html
    assert '<option value="Lund" selected>Lund</option>' in html
    assert "Jobbmäklare: Cia Lind." in html
    assert f"broker={cia.id}&amp;municipality=Lund" in html  # in the export links


def test_htmx_gets_only_the_results(client, session, late, signed_in):
    response = client.get("/reports?period=last_year", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')
    assert "1 jan–31 dec 2026" in response.text
    assert "<form" not in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "period=custom&from=2026-03-31&to=2026-03-01",
            "Periodens första dag måste vara före eller samma som den sista.",
        ),
        ("period=custom&from=2026-01-01&to=2030-01-01", "En period kan vara högst 3 år."),
        (
            "period=custom&from=mars&to=2026-03-01",
            "Från och med: datumet går inte att läsa. Skriv till exempel 1/12, 1/12 2026, "
            "1 dec, 2026-12-01, i dag eller i morgon.",
        ),
        ("period=custom&from=1/1&to=32/1", "Till och med: datumet 32/1 finns inte."),
        ("period=custom&to=2026-03-01", "Ange första dagen i perioden."),
    ],
)
def test_custom_dates_that_make_no_period_are_refused_with_a_message(
    client, signed_in, query, message
):
    response = client.get(f"/reports?{query}")
    assert response.status_code == 422
    assert f'<p class="error" id="period-error" role="alert">{message}</p>' in response.text
    assert 'aria-invalid="true"' in response.text
    assert client.get(f"/reports/companies.csv?{query}").status_code == 422


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_a_table_as_csv_with_the_period_in_its_name(client, session, late, signed_in, cia):
    march_activities(session, late, signed_in, cia)
    response = client.get("/reports/activities-by-week.csv" + MARCH)
    assert response.headers["content-disposition"] == (
        'attachment; filename="kontakthandelser-per-vecka-2026-03-01--2026-03-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == ["Vecka", "Samtal", "Möte", "Besök", "E-post", "Anteckning", "Totalt"]
    assert rows[1] == ["v. 9", "1", "1", "0", "0", "0", "2"]
    assert rows[-1] == ["Totalt", "4", "1", "1", "1", "1", "8"]
    assert len(rows) == 8  # header, six weeks, totals


def test_exports_are_swedish_and_honour_filters_and_the_users_delimiter(
    client, session, late, signed_in, cia
):
    march_activities(session, late, signed_in, cia)
    session.execute(
        update(User).where(User.id == signed_in.id).values(locale="en", csv_delimiter=",")
    )  # type: ignore[arg-type]
    session.commit()
    response = client.get(f"/reports/activities-by-broker.csv{MARCH}&broker={cia.id}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=","))
    assert rows == [
        ["Jobbmäklare", "Samtal", "Möte", "Besök", "E-post", "Anteckning", "Totalt"],
        ["Cia Lind", "2", "0", "0", "0", "0", "2"],
        ["Totalt", "2", "0", "0", "0", "0", "2"],
    ]


def test_a_table_as_xlsx(client, session, late, signed_in, cia):
    quarter_of_assignments(session, late, signed_in, cia)
    response = client.get("/reports/assignments.xlsx?period=custom&from=2026-01-01&to=2026-03-31")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="uppdrag-per-anstallningsform-2026-01-01--2026-03-31.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Rekryteringsuppdrag per anställ"
    assert rows[0][:3] == ["Anställningsform", "Inlagda uppdrag", "Platser i inlagda uppdrag"]
    assert rows[1] == ["Ordinarie anställning", 1, 3, 2, 4, 0, 0]
    assert rows[-1] == ["Totalt", 4, 7, 2, 4, 0, 1]


def test_an_unknown_table_is_not_found(client, signed_in):
    assert client.get("/reports/salaries.csv").status_code == 404
    assert client.get("/reports/companies.pdf").status_code in (400, 404)


def test_the_page_costs_the_same_statements_as_data_grows(
    client, session, engine, late, signed_in, cia
):
    def page() -> None:
        assert client.get("/reports?period=year").status_code == 200

    late.set(late.now().replace(year=2026, month=12))
    alfa = company(session, late, signed_in, "Alfa AB")
    activity(session, late, alfa, signed_in, "2026-03-03T10:00")
    small = statements.count(engine, page)
    march_activities(session, late, signed_in, cia)
    quarter_of_assignments(session, late, signed_in, cia)
    old = agreement(session, late, alfa, signed_in, signed_on="2026-01-05", valid_to="2026-03-31")
    agreement(session, late, alfa, signed_in, "cooperation", "draft", renews_id=str(old.id))
    agreement(session, late, alfa, signed_in, "internship", "ended", signed_on="2026-02-05")
    assert statements.count(engine, page) == small


def test_large_figures_are_grouped_by_thousands():
    from app.templating import env

    number = env.filters["number"]
    assert (number(21616), number(999), number(1234567), number(None)) == (
        "21\u202f616",
        "999",
        "1\u202f234\u202f567",
        "",
    )
