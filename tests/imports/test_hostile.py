"""Hostile and broken sheets: each is refused with a message that says what is wrong,
reading it costs a bounded amount of memory (measured in a fresh process), and the limits
hold exactly where they are set."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from app.imports.bounds import NO_LIMITS, Limits, TooBig, UnreadableFile
from app.imports.models import ImportJob
from app.imports.reading import read_table
from tests.factories import PASSWORD, make_user
from tests.imports import hostile
from tests.imports.test_routes import upload

ROOT = Path(__file__).resolve().parents[2]
# What each case is answered with (Swedish, as the page shows it).
EXPECTED = {
    "csv_million_headers": "har en ifylld cell i kolumn BDWGN (rad 1). Matcha läser högst 200",
    "xlsx_far_column": "har en ifylld cell i kolumn XFD (rad 2). Matcha läser högst 200",
    "xlsx_million_rows": "packas upp till mer än en Excel-fil med data kan innehålla",
    "xlsx_million_rows_declared": "har fler än 100\u202f000 rader",
    "xlsx_many_rows_undeclared": "har fler än 100\u202f000 rader",
    "xlsx_huge_cell": "har en cell på rad 2 med fler än 32\u202f767 tecken",
    "xlsx_entities": "går inte att öppna som Excel-arbetsbok",
    "xlsx_cut_off": "går inte att öppna som Excel-arbetsbok",
    "csv_huge_cell": "har en cell på rad 2 med fler än 32\u202f767 tecken",
    "csv_unterminated_quote": 'har ett citattecken (") på rad 3 som aldrig avslutas',
    "csv_unterminated_quote_large": "har en cell på rad 2 med fler än 32\u202f767 tecken",
    "csv_many_cells": "har fler än 2\u202f000\u202f000 ifyllda celler",
}
# The bound on what reading one hostile file may add to the process's peak.
MEMORY_BOUND_MB = 200


def test_every_case_has_its_answer():
    assert set(EXPECTED) == set(hostile.CASES)


@pytest.mark.parametrize("case", sorted(hostile.CASES))
def test_a_hostile_file_is_refused_in_bounded_memory(case):
    """In a process of its own, so that its peak memory (ru_maxrss) is this file's."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.imports.hostile", case],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["message"].startswith("hostile."), measured
    assert EXPECTED[case] in measured["message"], measured
    assert measured["grown_mb"] <= MEMORY_BOUND_MB, measured


# --- the limits, exactly ------------------------------------------------------------------


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_the_row_limit_holds_at_its_value():
    limits = Limits(rows=3)
    at_limit = csv("Företagsnamn;Ort", "A;1", "B;2", "C;3")
    assert len(read_table(at_limit, "a.csv", limits=limits).rows) == 3
    with pytest.raises(TooBig) as refused:
        read_table(csv("Företagsnamn;Ort", "A;1", "B;2", "C;3", "D;4"), "a.csv", limits=limits)
    assert refused.value.variables["max"] == "3"
    # Blank rows and title lines do not count.
    spaced = csv("Kontakter 2019", "", "Företagsnamn;Ort", "A;1", ";", "B;2", "", "C;3")
    assert len(read_table(spaced, "a.csv", limits=limits).rows) == 3


def test_the_column_limit_counts_up_to_the_last_filled_cell():
    limits = Limits(columns=3)
    assert read_table(csv("A;B;C;;;", "1;2;3;;;"), "a.csv", limits=limits).headers == [
        "A",
        "B",
        "C",
    ]
    with pytest.raises(TooBig) as refused:
        read_table(csv("A;B;C", "1;2;3;;x"), "a.csv", limits=limits)
    assert refused.value.variables == {"file": "a.csv", "column": "E", "row": 2, "max": 3}


def test_the_cell_and_character_limits_hold_at_their_values():
    assert read_table(csv("A;B", "x" * 100 + ";1"), "a.csv", limits=Limits(cell_chars=100)).rows
    with pytest.raises(TooBig):
        read_table(csv("A;B", "x" * 101 + ";1"), "a.csv", limits=Limits(cell_chars=100))
    four = csv("A;B", "1;2")
    assert read_table(four, "a.csv", limits=Limits(cells=4)).rows
    with pytest.raises(TooBig):
        read_table(four, "a.csv", limits=Limits(cells=3))


def sheet_xml(*rows: str, dimension: str | None = None) -> bytes:
    return hostile.workbook(iter([hostile.header_row(), *rows]), dimension=dimension)


def test_a_formatted_empty_cell_far_right_neither_counts_nor_pads_the_row():
    """Excel writes a cell that only has formatting as `<c r="XFD2" s="1"/>`: the row is
    as long as its last cell with a value, not 16,384 cells."""
    data = sheet_xml(
        f'<row r="2">{hostile.text_cell("A2", "Bygg AB")}<c r="XFD2" s="1"/></row>',
        dimension="A1:XFD2",
    )
    table = read_table(data, "a.xlsx")
    assert table.headers == ["Företagsnamn", "Ort", "Telefon"]
    assert table.rows[0].cells == ["Bygg AB", None, None]


def test_a_workbook_declaring_rows_within_the_limit_is_read():
    rows = [f'<row r="{n}">{hostile.text_cell(f"A{n}", f"F{n}")}</row>' for n in range(2, 12)]
    data = sheet_xml(*rows, dimension="A1:C11")
    assert len(read_table(data, "a.xlsx", limits=Limits(rows=10)).rows) == 10
    with pytest.raises(TooBig):
        read_table(data, "a.xlsx", limits=Limits(rows=5))


def test_a_member_packed_too_tightly_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (5 * 1024 * 1024))
    with pytest.raises(TooBig) as refused:
        read_table(buffer.getvalue(), "a.xlsx")
    assert refused.value.variables["member"] == "xl/worksheets/sheet1.xml"


def test_a_file_read_again_is_not_refused_by_a_lowered_limit():
    data = csv("Företagsnamn;Ort", "A;1", "B;2")
    assert len(read_table(data, "a.csv", limits=NO_LIMITS).rows) == 2


def test_an_odd_quote_inside_a_cell_is_no_unterminated_quote():
    """`12" rör` is read as written: only a quote that swallows the rest of the file is
    refused."""
    table = read_table(csv("Företagsnamn;Ort", 'Rör 12" AB;Umeå', "B;2"), "a.csv")
    assert [row.cells[0] for row in table.rows] == ['Rör 12" AB', "B"]


def test_xml_entities_are_refused_not_expanded():
    """openpyxl parses with defusedxml when it is installed (a pinned dependency): even one
    harmless-looking entity makes the workbook unreadable, rather than expanded."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    doctype = (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY n "Bygg AB">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    rows = [hostile.header_row(), f'<row r="2">{hostile.text_cell("A2", "&n;")}</row>']
    with pytest.raises(UnreadableFile):
        read_table(hostile.workbook(iter(rows), prologue=doctype), "a.xlsx")


def test_an_unreadable_workbook_is_no_server_error():
    with pytest.raises(UnreadableFile):
        read_table(hostile.xlsx_cut_off(), "a.xlsx")


# --- through the page --------------------------------------------------------------------


@pytest.fixture
def signed_in(client, session, clock):
    make_user(session, clock, role="broker", username="anna", full_name="Anna Andersson")
    client.login("anna", PASSWORD)
    return client


@pytest.mark.parametrize(
    ("case", "name"),
    [("csv_unterminated_quote", "lista.csv"), ("xlsx_far_column", "lista.xlsx")],
)
def test_the_upload_page_says_what_is_wrong_and_stores_nothing(signed_in, session, case, name):
    response = upload(signed_in, hostile.CASES[case][0](), name, kind="contacts")
    assert response.status_code == 422
    assert EXPECTED[case] in html.unescape(response.text)
    assert re.search(r'id="file"[^>]*aria-invalid="true"', response.text)
    assert re.search(r'<option value="contacts"\s+selected', response.text)  # kept
    assert session.exec(select(ImportJob)).all() == []


def test_the_limits_are_settings(signed_in, session, app):
    app.state.settings.import_max_rows = 2
    response = upload(signed_in, csv("Företagsnamn;Ort", "A;1", "B;2", "C;3"), "tre.csv")
    assert response.status_code == 422
    assert "tre.csv har fler än 2 rader" in response.text
    assert session.exec(select(ImportJob)).all() == []
    app.state.settings.import_max_rows = 3
    again = upload(signed_in, csv("Företagsnamn;Ort", "A;1", "B;2", "C;3"), "tre.csv")
    assert again.status_code == 303
