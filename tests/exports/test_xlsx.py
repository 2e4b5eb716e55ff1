"""The XLSX exports: every list opens in openpyxl with its header, typed cells (text stays
text, dates are dates, numbers numbers), a bold frozen header row, sized columns, and the
list's filters; written in batches like the CSV."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from app.companies.service import CompanyFilters
from app.events.exports import EVENT_HEADERS, PARTICIPANT_HEADERS
from app.exports import service as exports
from app.exports import xlsx_format
from app.exports.table import Table
from tests.activities.factories import make_activity
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import invite, make_event
from tests.factories import PASSWORD, make_company, make_user
from tests.statements import recorded


def excel(*parts: int) -> dt.datetime:
    """A datetime as a spreadsheet holds it: local time, no tzinfo."""
    return dt.datetime(*parts, tzinfo=dt.UTC).replace(tzinfo=None)  # type: ignore[misc]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_of(body: bytes, title: str) -> Worksheet:
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == [title]
    assert workbook.properties.creator == "Matcha"
    sheet = workbook[title]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    return sheet


def records(sheet: Worksheet) -> list[dict[str, object]]:
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in rows]


def cells(sheet: Worksheet, row: int) -> dict[str, openpyxl.cell.Cell]:
    return {head.value: cell for head, cell in zip(sheet[1], sheet[row], strict=True)}


def download(client, path: str, filename: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    return response.content


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", username="mäklaren", full_name="Åsa Öberg")


@pytest.fixture
def signed_in(client, broker):
    client.login("mäklaren", PASSWORD)
    return client


def test_company_export_typed_cells_bold_frozen_header_and_widths(
    signed_in, session, clock, broker
):
    company = make_company(
        session,
        clock,
        user=broker,
        name="Åkeri Öst AB",
        org_number="556036-0793",
        phone="+46 72 909 13 93",
        postal_code="72212",
        owner_id=str(broker.id),
        tags="jobbspår, bygg",
        agreement_status="signed",
        agreement_date="2026-02-27",
        notes="=1+1",
    )
    make_activity(session, clock, company, broker, follow_up_on="2026-03-09")
    make_company(session, clock, user=broker, name="Ölbageri #N/A", notes="#N/A")
    body = download(signed_in, "/companies/export.xlsx", "foretag-2026-03-02.xlsx")
    sheet = sheet_of(body, "Företag")
    assert [c.value for c in sheet[1]] == list(exports.COMPANY_HEADERS)
    first = cells(sheet, 2)
    assert first["Namn"].value == "Åkeri Öst AB"
    # Text stays text: the formula-looking note, the phone number, the postal code.
    assert first["Anteckningar"].value == "=1+1"
    assert first["Anteckningar"].data_type == "s"
    assert first["Telefon"].value == "+46 72 909 13 93"
    assert first["Postnummer"].value == "722 12"
    assert first["Postnummer"].data_type == "s"
    assert first["Taggar"].value == "bygg, jobbspår"
    # Dates are dates, instants Stockholm time without tzinfo.
    assert first["Datum avsiktsförklaring"].value == excel(2026, 2, 27)
    assert first["Datum avsiktsförklaring"].is_date
    assert first["Datum avsiktsförklaring"].number_format == "yyyy-mm-dd"
    assert first["Nästa återkoppling"].value == excel(2026, 3, 9)
    assert first["Senaste kontakt"].value == excel(2026, 3, 2, 9, 0)
    assert first["Senaste kontakt"].number_format == "yyyy-mm-dd hh:mm"
    # Empty cells are empty, not "".
    assert first["Bransch"].value is None
    second = cells(sheet, 3)
    assert second["Anteckningar"].value == "#N/A"
    assert second["Anteckningar"].data_type == "s"
    # Widths from the headers and the rows, within bounds.
    widths = {head.value: sheet.column_dimensions[head.column_letter].width for head in sheet[1]}
    assert widths["Namn"] >= len("Åkeri Öst AB")
    assert widths["Datum avsiktsförklaring"] >= len("Datum avsiktsförklaring")
    assert all(6 <= width <= 60 for width in widths.values())


def test_company_export_honours_the_lists_filters(signed_in, session, clock, broker):
    make_company(session, clock, user=broker, name="Bygg Ängel AB", owner_id=str(broker.id))
    make_company(session, clock, user=broker, name="Ängelholms Bygg", status="active")
    make_company(session, clock, user=broker, name="Bageri Norr")

    def names(query: str) -> list[object]:
        body = signed_in.get("/companies/export.xlsx" + query).content
        return [row["Namn"] for row in records(sheet_of(body, "Företag"))]

    assert names("") == ["Bageri Norr", "Bygg Ängel AB", "Ängelholms Bygg"]
    assert names("?q=bygg&sort=-name") == ["Ängelholms Bygg", "Bygg Ängel AB"]
    assert names("?owner=me") == ["Bygg Ängel AB"]
    assert names("?status=active") == ["Ängelholms Bygg"]


def test_contact_export_yes_no_and_filters(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Vård & Omsorg i Öre AB")
    make_contact(session, clock, company, broker, name="Örjan Åberg", is_supervisor=True)
    make_contact(session, clock, company, broker, name="Anna Berg", notes='=HYPERLINK("x")')
    body = download(signed_in, "/contacts/export.xlsx", "kontakter-2026-03-02.xlsx")
    sheet = sheet_of(body, "Kontakter")
    assert records(sheet) == [
        {
            "Namn": "Anna Berg",
            "Roll/titel": None,
            "Företag": "Vård & Omsorg i Öre AB",
            "Organisationsnummer": None,
            "Telefon": None,
            "E-post": None,
            "Handledare": "Nej",
            "Primär kontakt": "Nej",
            "Anteckningar": '=HYPERLINK("x")',
        },
        {
            "Namn": "Örjan Åberg",
            "Roll/titel": None,
            "Företag": "Vård & Omsorg i Öre AB",
            "Organisationsnummer": None,
            "Telefon": None,
            "E-post": None,
            "Handledare": "Ja",
            "Primär kontakt": "Nej",
            "Anteckningar": None,
        },
    ]
    assert cells(sheet, 2)["Anteckningar"].data_type == "s"
    body = signed_in.get("/contacts/export.xlsx?supervisors=true").content
    assert [r["Namn"] for r in records(sheet_of(body, "Kontakter"))] == ["Örjan Åberg"]


def test_activity_export(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Åkeri Öst AB")
    make_activity(
        session,
        clock,
        company,
        broker,
        kind="meeting",
        occurred_at="2026-02-20T14:15",
        follow_up_on="2026-03-10",
        notes="Möte",
    )
    make_activity(session, clock, make_company(session, clock, user=broker), broker)
    body = download(
        signed_in,
        f"/companies/{company.id}/activities.xlsx",
        "kontakthandelser-akeri-ost-ab-2026-03-02.xlsx",
    )
    (row,) = records(sheet_of(body, "Kontakthändelser"))
    assert row["Datum"] == excel(2026, 2, 20, 14, 15)
    assert row["Typ"] == "Möte"
    assert row["Återkoppling"] == excel(2026, 3, 10)
    assert row["Återkoppling klar"] is None
    assert signed_in.get("/companies/999999/activities.xlsx").status_code == 404


def test_assignment_export_numbers_are_numbers(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Kök & Co")
    make_assignment(
        session, clock, company, broker, occupation="Kock", positions=3, deadline="2026-04-01"
    )
    make_assignment(
        session, clock, company, broker, occupation="Bagare", status="filled", filled_count=1
    )
    body = download(signed_in, "/assignments/export.xlsx", "rekryteringsuppdrag-2026-03-02.xlsx")
    sheet = sheet_of(body, "Rekryteringsuppdrag")
    (row,) = records(sheet)  # the list's default: open ones only
    assert row["Yrke"] == "Kock"
    assert row["Antal platser"] == 3
    assert cells(sheet, 2)["Antal platser"].data_type == "n"
    assert row["Antal tillsatta"] == 0
    assert row["Sista dag"] == excel(2026, 4, 1)
    body = signed_in.get("/assignments/export.xlsx?state=closed").content
    assert [r["Yrke"] for r in records(sheet_of(body, "Rekryteringsuppdrag"))] == ["Bagare"]


def test_event_and_participant_exports(signed_in, session, clock, broker):
    event = make_event(session, clock, broker, title="Träff på Åkeriet", capacity="40")
    company = make_company(session, clock, user=broker, name="Åkeri Öst AB")
    invite(session, clock, event, company, broker)
    body = download(signed_in, "/events/export.xlsx", "rekryteringstraffar-2026-03-02.xlsx")
    sheet = sheet_of(body, "Rekryteringsträffar")
    assert [c.value for c in sheet[1]] == list(EVENT_HEADERS)
    (row,) = records(sheet)
    assert row["Träff"] == "Träff på Åkeriet"
    assert isinstance(row["Börjar"], dt.datetime)
    assert row["Max antal deltagare"] == 40
    assert row["Företag"] == 1
    assert row["Bekräftade företag"] == 0
    assert row["Anställningar"] is None
    assert signed_in.get("/events/export.xlsx?status=cancelled").status_code == 200
    cancelled = sheet_of(
        signed_in.get("/events/export.xlsx?status=cancelled").content, "Rekryteringsträffar"
    )
    assert records(cancelled) == []
    body = download(
        signed_in,
        f"/events/{event.id}/participants.xlsx",
        "deltagare-traff-pa-akeriet-2026-03-02.xlsx",
    )
    sheet = sheet_of(body, "Deltagare")
    assert [c.value for c in sheet[1]] == list(PARTICIPANT_HEADERS)
    assert [r["Företag"] for r in records(sheet)] == ["Åkeri Öst AB"]


def test_an_unknown_format_is_not_found(signed_in):
    assert signed_in.get("/companies/export.pdf").status_code in (404, 422)


def test_the_list_pages_link_to_both_formats(signed_in, session, clock, broker):
    company = make_company(session, clock, user=broker, name="Bygg AB")
    make_contact(session, clock, company, broker, name="Eva Bygg")
    make_activity(session, clock, company, broker)
    make_assignment(session, clock, company, broker)
    make_event(session, clock, broker)
    page = signed_in.get("/companies?q=bygg").text
    assert 'href="/companies/export.xlsx?q=bygg"' in page
    assert 'href="/contacts/export.xlsx"' in signed_in.get("/contacts").text
    assert (
        f'href="/companies/{company.id}/activities.xlsx"'
        in signed_in.get(f"/companies/{company.id}").text
    )
    assert (
        'href="/assignments/export.xlsx?state=all"' in signed_in.get("/assignments?state=all").text
    )
    assert 'href="/events/export.xlsx"' in signed_in.get("/events").text


# --- the writer -------------------------------------------------------------------------


def write(table: Table) -> Worksheet:
    body = b"".join(xlsx_format.xlsx_file(table))
    return sheet_of(body, table.sheet)


def test_the_writer_types_every_kind_of_cell():
    stockholm_summer = dt.datetime(2026, 7, 1, 8, 30, 59, tzinfo=dt.UTC)
    table = Table(
        "prov",
        "Prov",
        ["Text", "Tal", "Ja/nej", "Datum", "Tid", "Tomt"],
        [
            [
                ["=1+1", 7, True, dt.date(2026, 3, 2), stockholm_summer, None],
                ["+46 8 12", 0, False, None, None, ""],
                ["styr\x0btecken\x01", -3, None, None, None, None],
            ]
        ],
    )
    sheet = write(table)
    text, number, yes, date, instant, empty = sheet[2]
    assert (text.value, text.data_type) == ("=1+1", "s")
    assert (number.value, number.data_type) == (7, "n")
    assert yes.value == "Ja"
    assert date.value == excel(2026, 3, 2)
    assert date.number_format == "yyyy-mm-dd"
    assert instant.value == excel(2026, 7, 1, 10, 30)  # CEST, seconds dropped
    assert instant.number_format == "yyyy-mm-dd hh:mm"
    assert empty.value is None
    assert [c.value for c in sheet[3]] == ["+46 8 12", 0, "Nej", None, None, None]
    assert sheet["A4"].value == "styrtecken"  # what a worksheet cannot hold is dropped
    assert sheet["B4"].value == -3


def test_non_characters_are_dropped_so_the_workbook_opens():
    # U+FFFE and U+FFFF went into the sheet's XML as they were: no program opened the file.
    table = Table("prov", "Prov", ["Text"], [[["Ek\ufffe AB\uffff"], ["Å\x85\x9f\U0010ffff"]]])
    sheet = write(table)
    assert sheet["A2"].value == "Ek AB"
    assert sheet["A3"].value == "Å\x85\x9f\U0010ffff"  # these a worksheet holds


def test_an_empty_table_is_a_header_row():
    sheet = write(Table("tom", "Tom", ["A", "B"], []))
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["A", "B"]]


def test_a_long_file_spills_to_disk_and_comes_back_whole(monkeypatch):
    monkeypatch.setattr(xlsx_format, "SPOOL_BYTES", 1024)
    monkeypatch.setattr(xlsx_format, "CHUNK_BYTES", 4096)
    rows = [[f"Rad {n} med text som tar plats", n] for n in range(2000)]
    chunks = list(xlsx_format.xlsx_file(Table("lang", "Lång", ["Text", "Nummer"], [rows])))
    assert len(chunks) > 1
    sheet = sheet_of(b"".join(chunks), "Lång")
    assert sheet.max_row == 2001
    assert sheet["B2001"].value == 1999


@pytest.fixture
def statements(engine):
    with recorded(engine) as seen:
        yield seen


def test_the_xlsx_reads_in_batches_with_few_statements(session, clock, broker, statements):
    for number in range(7):
        make_company(session, clock, user=broker, name=f"Firma {number}", tags="a, b")
    statements.clear()
    table = exports.company_table(
        CompanyFilters(), user=broker, session=session, clock=clock, batch_size=3
    )
    sheet = write(table)
    assert sheet.max_row == 8
    # The rows, then the tags of each batch of 3: not one statement per row.
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 + 3, statements
