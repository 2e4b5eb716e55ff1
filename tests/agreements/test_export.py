"""The agreement list as CSV and XLSX over HTTP: Swedish headers and cells, the list's
filters and order over all pages, formula-safe cells, who may download it, the links on
the list, and the rows streamed with two statements per batch."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from app.agreements.listing import AgreementFilters
from app.exports import service as exports
from app.exports.csv_format import Dialect, csv_file, unneutralise
from tests.agreements.factories import make_agreement
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user
from tests.statements import recorded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = body.decode("utf-8-sig")
    return [
        [unneutralise(cell) for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), dialect=Dialect)
    ]


def records(body: bytes) -> list[dict[str, str]]:
    header, *rows = rows_of(body)
    assert header == list(exports.AGREEMENT_HEADERS)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def signed(session, clock, bo):
    """A signed cooperation agreement of Åkeri Öst AB (Bo's) with two signatories, for an
    assignment, signed for the unit by Bo; its notes look like a formula."""
    company = make_company(
        session,
        clock,
        user=bo,
        name="Åkeri Öst AB",
        org_number="556036-0793",
        municipality="Västerås",
        owner_id=str(bo.id),
    )
    eva = make_contact(session, clock, company, bo, name="Eva Berg")
    adam = make_contact(session, clock, company, bo, name="Adam Öst")
    assignment = make_assignment(session, clock, company, bo, occupation="Kock")
    return make_agreement(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        state="signed",
        sent_on="2026-02-01",
        signed_on="2026-02-20",
        valid_from="2026-03-01",
        valid_to="2027-02-28",
        signatory_ids=[str(eva.id), str(adam.id)],
        unit_signatory_id=str(bo.id),
        assignment_id=str(assignment.id),
        notes='=HYPERLINK("x")',
    )


def test_the_csv_has_swedish_headers_and_cells(client, session, clock, bo, signed):
    response = client.get("/agreements/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="avtal-2026-03-02.csv"'
    assert response.headers["cache-control"] == "no-store"
    # Neutralised with a leading apostrophe (and quoted for its own quotes).
    assert response.content.split(b"\r\n")[1].endswith(b';"\'=HYPERLINK(""x"")"')
    assert records(response.content) == [
        {
            "Företag": "Åkeri Öst AB",
            "Org.nr": "556036-0793",
            "Kommun": "Västerås",
            "Ansvarig": "Bo Ek",
            "Avtal": "Samverkansavtal",
            "Status": "Undertecknat",
            "Skickat": "2026-02-01",
            "Undertecknat": "2026-02-20",
            "Giltigt från": "2026-03-01",
            "Giltigt till": "2027-02-28",
            "Undertecknare hos företaget": "Adam Öst, Eva Berg",
            "Undertecknat för enheten av": "Bo Ek",
            "Uppdrag": "Kock",
            "Anteckningar": '=HYPERLINK("x")',
        }
    ]


def test_a_draft_has_empty_cells_where_nothing_is_known(client, session, clock, bo, company):
    make_agreement(session, clock, company, bo, kind="other")
    (row,) = records(client.get("/agreements/export.csv").content)
    assert (row["Företag"], row["Avtal"], row["Status"]) == (
        "Ängelholms Bygg AB",
        "Annat avtal",
        "Utkast",
    )
    empty = [name for name, value in row.items() if value == ""]
    assert empty == [
        "Org.nr",
        "Kommun",
        "Ansvarig",
        "Skickat",
        "Undertecknat",
        "Giltigt från",
        "Giltigt till",
        "Undertecknare hos företaget",
        "Undertecknat för enheten av",
        "Uppdrag",
        "Anteckningar",
    ]


def test_the_export_follows_the_lists_filters_and_order_over_all_pages(
    client, session, clock, bo, signed
):
    other = make_company(session, clock, user=bo, name="Bageriet i Borås", municipality="Borås")
    for number in range(30):  # more than a page of the list (25)
        make_agreement(
            session, clock, other, bo, kind="internship", valid_to=f"2026-04-{number + 1:02d}"
        )
    make_agreement(
        session, clock, other, bo, kind="recruitment", state="sent", sent_on="2026-03-01"
    )

    rows = records(client.get("/agreements/export.csv?kind=internship").content)
    assert [row["Giltigt till"] for row in rows] == [f"2026-04-{n + 1:02d}" for n in range(30)]
    rows = records(client.get("/agreements/export.csv?state=sent").content)
    assert [row["Avtal"] for row in rows] == ["Rekryteringsavtal"]
    rows = records(client.get("/agreements/export.csv?q=åkeri").content)
    assert [row["Företag"] for row in rows] == ["Åkeri Öst AB"]
    rows = records(client.get("/agreements/export.csv?municipality=Borås&sort=-valid_to").content)
    assert len(rows) == 31
    assert rows[0]["Giltigt till"] == "2026-04-30"
    assert rows[-1]["Giltigt till"] == ""  # no end day: last, either way
    rows = records(client.get("/agreements/export.csv?owner=none").content)
    assert {row["Företag"] for row in rows} == {"Bageriet i Borås"}
    rows = records(client.get(f"/agreements/export.csv?company_id={signed.company_id}").content)
    assert [row["Avtal"] for row in rows] == ["Samverkansavtal"]
    # Unknown values fall back to the default, as on the list.
    assert len(records(client.get("/agreements/export.csv?kind=nope&page=7").content)) == 32


def test_the_xlsx_has_typed_cells(client, session, clock, bo, signed):
    response = client.get("/agreements/export.xlsx?state=signed")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="avtal-2026-03-02.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Avtal"]
    sheet = workbook["Avtal"]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header == list(exports.AGREEMENT_HEADERS)
    (row,) = [dict(zip(header, values, strict=True)) for values in rows]
    assert row["Företag"] == "Åkeri Öst AB"
    # Days are date cells (openpyxl reads them as midnight).
    days = {name: row[name] for name in ("Skickat", "Undertecknat", "Giltigt från", "Giltigt till")}
    assert all(isinstance(day, dt.datetime) for day in days.values())
    assert {name: day.date() for name, day in days.items()} == {
        "Skickat": dt.date(2026, 2, 1),
        "Undertecknat": dt.date(2026, 2, 20),
        "Giltigt från": dt.date(2026, 3, 1),
        "Giltigt till": dt.date(2027, 2, 28),
    }
    assert row["Undertecknare hos företaget"] == "Adam Öst, Eva Berg"
    # A formula-looking note is a text cell, not a formula.
    notes = sheet.cell(row=2, column=header.index("Anteckningar") + 1)
    assert notes.data_type == "s"
    assert notes.value == '=HYPERLINK("x")'
    drafts = openpyxl.load_workbook(
        io.BytesIO(client.get("/agreements/export.xlsx?state=draft").content)
    )["Avtal"]
    assert drafts.max_row == 1  # the header only


def test_a_viewer_may_export_and_a_stranger_may_not(client, session, clock, bo, signed):
    make_user(session, clock, role="viewer", username="vera")
    client.post_form("/logout", token_from="/account")
    for url in ("/agreements/export.csv", "/agreements/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    client.login("vera", PASSWORD)
    assert records(client.get("/agreements/export.csv").content)[0]["Företag"] == "Åkeri Öst AB"
    assert client.get("/agreements/export.xlsx").status_code == 200
    assert client.get("/agreements/export.pdf").status_code in (404, 422)


def test_the_list_links_to_both_formats_with_its_filters(client, session, clock, bo, signed):
    page = client.get("/agreements?kind=cooperation&page=1").text
    assert 'href="/agreements/export.csv?kind=cooperation"' in page
    assert 'href="/agreements/export.xlsx?kind=cooperation"' in page
    fragment = client.get("/agreements?q=åkeri", headers={"HX-Request": "true"}).text
    assert 'href="/agreements/export.csv?q=%C3%A5keri"' in fragment
    assert "/agreements/export.csv" not in client.get("/agreements?state=ended").text


def test_the_export_streams_in_batches_with_two_statements_each(
    session, clock, bo, company, engine
):
    for number in range(5):
        contact = make_contact(session, clock, company, bo, name=f"Person {number}")
        make_agreement(session, clock, company, bo, signatory_ids=[str(contact.id)])
    with recorded(engine) as statements:
        chunks = list(
            csv_file(
                exports.agreement_table(
                    AgreementFilters(), user=bo, session=session, clock=clock, batch_size=2
                )
            )
        )
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 2, 2, 1]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The rows from one cursor, and each batch's signatories: never one per row.
    assert len(selects) == 1 + 3, statements
