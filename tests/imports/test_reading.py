"""Reading uploaded sheets: the sample sheets, messier ones made here, and the round trip
of Matcha's own CSV export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from app.exports.csv_format import Writer
from app.imports.bounds import UnreadableFile
from app.imports.reading import Table, read_table, sniff_delimiter
from tests.imports.conftest import SAMPLES


def naive(*parts: int) -> dt.datetime:
    """A date and time as a workbook holds it: no time zone (Excel has none)."""
    return dt.datetime(*parts)  # noqa: DTZ001


def sample(name: str) -> Table:
    path = SAMPLES / name
    return read_table(path.read_bytes(), name)


def xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column(table: Table, header: str) -> list[object]:
    position = table.headers.index(header)
    return [row.cells[position] for row in table.rows]


# --- The sample sheets -----------------------------------------------------------------------


def test_the_old_company_list() -> None:
    table = sample("foretagskontakter_2019.csv")
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert (table.sheets, table.sheet) == ([], None)
    # Line 1 is a title, line 2 blank; the two empty trailing columns are gone.
    assert table.header_row == 3
    assert table.headers == [
        "Företagsnamn",
        "Org nr",
        "Bransch",
        "Adress",
        "Postnr",
        "Ort",
        "Telefon",
        "Kontaktperson",
        "Titel",
        "E-post",
        "Senast kontaktad",
        "Ansvarig",
        "Status",
        "Kommentar",
    ]
    # 123 rows; the blank rows at the end are not rows.
    assert len(table.rows) == 123
    assert (table.rows[0].number, table.rows[-1].number) == (4, 126)
    assert all(len(row.cells) == 14 for row in table.rows)
    first = table.rows[0].cells
    assert first[:2] == ["Smidepartner i Vellinge AB", "9585142228"]
    assert first[6] == "0715471305"  # leading zero kept: CSV cells are text
    assert first[11] == "Maria Åberg"
    assert "Öhman" in {str(name).split()[-1] for name in column(table, "Ansvarig")}
    comments = column(table, "Kommentar")
    assert "Rekryteringsträff?\nÅterkom i höst" in comments  # a quoted line break
    assert "Intresserad av praktik; 2 platser" in comments  # a quoted semicolon
    assert "=SUMMA(A1:A3) skrevs in av misstag" in comments  # as typed, not a formula
    assert 'Sa "kanske" till träffen i mars' in comments
    assert {"20190826", "2019-01-21", "23 januari 2019", "25/5/2019", "17.05.2019"} <= set(
        column(table, "Senast kontaktad")
    )


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    # A record with a quoted line break is one row in Excel, though two lines of text.
    table = sample("foretagskontakter_2019.csv")
    position = table.headers.index("Kommentar")
    with_break = [row for row in table.rows if "\n" in str(row.cells[position])]
    assert with_break
    numbers = [row.number for row in table.rows]
    assert numbers == list(range(4, 127))


def test_the_call_log_workbook() -> None:
    table = sample("samtalslogg_2023.xlsx")
    assert (table.kind, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert (table.sheets, table.sheet) == (["Samtal 2023"], "Samtal 2023")
    assert table.header_row == 1
    assert table.headers == [
        "Datum",
        "Företag",
        "Kontakt",
        "Typ",
        "Anteckning",
        "Återkoppling",
        "Handläggare",
    ]
    assert len(table.rows) == 300
    assert (table.rows[0].number, table.rows[-1].number) == (2, 301)
    dates = column(table, "Datum")
    assert dates[0] == naive(2023, 11, 9)  # a real Excel date
    assert "20/8/2023" in dates  # typed as text
    assert sum(isinstance(value, dt.datetime) for value in dates) == 284
    follow_ups = column(table, "Återkoppling")
    assert None in follow_ups
    assert {"Samtal", "samtal", "Tel", "Mejl", "Besök", "Möte"} <= set(column(table, "Typ"))
    assert "Jonas Öhman" in column(table, "Handläggare")


def test_the_assignment_follow_up() -> None:
    table = sample("uppdrag_uppfoljning.csv")
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "utf-8-sig", ";")
    assert table.header_row == 1
    assert table.headers[0] == "Företag"  # no BOM left in the first header
    assert table.headers[-1] == "Inkommit via"
    assert len(table.headers) == 11
    assert len(table.rows) == 80
    assert table.rows[0].cells[:5] == [
        "Åkeriteamet i Jokkmokk Aktiebolag",
        "548848-9922",
        "Lärarassistent",
        "4 st",
        "Extratjänst",
    ]
    assert {"Pågår", "Avbruten", "Tillsatt"} <= set(column(table, "Status"))


def test_max_rows_reads_a_preview() -> None:
    table = sample("samtalslogg_2023.xlsx")
    preview = read_table((SAMPLES / "samtalslogg_2023.xlsx").read_bytes(), "x.xlsx", max_rows=5)
    assert preview.headers == table.headers
    assert preview.rows == table.rows[:5]
    csv_preview = read_table((SAMPLES / "foretagskontakter_2019.csv").read_bytes(), "f", max_rows=2)
    assert [row.number for row in csv_preview.rows] == [4, 5]


# --- Messier CSV -------------------------------------------------------------------------------

COMPANY_ROWS = [
    ["Företag", "Orgnr", "Ort", "Tel."],
    ["Åkeri Öst AB", "556036-0793", "Örebro", "019-12 34 56"],
    ["Bäckens Café", "", "Jönköping", "036-11 22 33"],
]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    lines = [delimiter.join(row) for row in rows]
    return "\r\n".join(lines).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_encodings(encoding: str, expected: str) -> None:
    table = read_table(csv_bytes(COMPANY_ROWS, encoding=encoding), "f.csv")
    assert table.encoding == expected
    assert table.headers == COMPANY_ROWS[0]
    assert [row.cells for row in table.rows] == [
        ["Åkeri Öst AB", "556036-0793", "Örebro", "019-12 34 56"],
        ["Bäckens Café", None, "Jönköping", "036-11 22 33"],
    ]


def test_bytes_cp1252_leaves_undefined_never_fail() -> None:
    data = "Namn;Ort\r\nÅ\x81ke;Öl\r\n".encode("latin-1")
    table = read_table(data, "f.csv")
    assert table.encoding == "cp1252"
    assert table.rows[0].cells == ["Å\x81ke", "Öl"]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters(delimiter: str) -> None:
    table = read_table(csv_bytes(COMPANY_ROWS, delimiter=delimiter), "f.csv")
    assert table.delimiter == delimiter
    assert table.headers == COMPANY_ROWS[0]


def test_commas_inside_quotes_do_not_make_comma_the_delimiter() -> None:
    text = (
        'Namn;Kommentar;Ort\n"Bygg AB";"Ringer, sa nej, ring igen, kanske";Motala\n'
        'Café, Bar & Co;"Ja, ja, ja";Ystad\n'
    )
    assert sniff_delimiter(text) == ";"
    table = read_table(text.encode(), "f.csv")
    assert table.rows[1].cells == ["Café, Bar & Co", "Ja, ja, ja", "Ystad"]


def test_lf_line_ends_and_quoted_line_breaks() -> None:
    text = 'Namn,Anteckning\n"Ek, Ek & Ek","rad 1\nrad 2; ""citat"""\nLind AB,\n'
    table = read_table(text.encode(), "f.csv")
    assert table.delimiter == ","
    assert [row.cells for row in table.rows] == [
        ["Ek, Ek & Ek", 'rad 1\nrad 2; "citat"'],
        ["Lind AB", None],
    ]
    assert [row.number for row in table.rows] == [2, 3]


def test_title_lines_blank_rows_and_trailing_columns() -> None:
    text = (
        "Arbetsmarknadsenheten;;;;\r\n"
        "Företagslista uppdaterad 2021-05-01;;;;\r\n"
        ";;;;\r\n"
        "\r\n"
        "Företagsnamn;Organisationsnummer;Kontaktperson;;\r\n"
        "Ek AB;556036-0793;Eva Ek;;\r\n"
        ";;;;\r\n"
        "Lind HB;;;;\r\n"
        ";;;;\r\n"
        ";;;;\r\n"
    )
    table = read_table(text.encode("cp1252"), "f.csv")
    assert table.header_row == 5
    assert table.headers == ["Företagsnamn", "Organisationsnummer", "Kontaktperson"]
    assert [(row.number, row.cells) for row in table.rows] == [
        (6, ["Ek AB", "556036-0793", "Eva Ek"]),
        (8, ["Lind HB", None, None]),
    ]


def test_a_header_of_unknown_words_is_found_by_its_shape() -> None:
    text = "Min lista\n\nA;B;C\n1;2;3\n4;5;6\n"
    table = read_table(text.encode(), "f.csv")
    assert (table.header_row, table.headers) == (3, ["A", "B", "C"])
    assert len(table.rows) == 2


def test_a_wide_title_line_is_not_taken_for_the_header() -> None:
    # The title has two cells, but the header below has Matcha's header words.
    text = "Lista;2019\nFöretag;Org.nr;Ort;Telefon\nEk AB;556036-0793;Ystad;0411-1\n"
    table = read_table(text.encode(), "f.csv")
    assert table.header_row == 2
    assert table.headers == ["Företag", "Org.nr", "Ort", "Telefon"]


def test_data_without_a_header_keeps_its_columns() -> None:
    text = "Företag;Ort;\nEk AB;Ystad;extra\n"
    table = read_table(text.encode(), "f.csv")
    assert table.headers == ["Företag", "Ort", ""]
    assert table.rows[0].cells == ["Ek AB", "Ystad", "extra"]


def test_excel_sep_line() -> None:
    table = read_table(b"sep=,\r\nNamn,Ort\r\nEk;Lind AB,Ystad\r\n", "f.csv")
    assert table.delimiter == ","
    assert table.headers == ["Namn", "Ort"]
    assert table.rows[0].cells == ["Ek;Lind AB", "Ystad"]


def test_an_empty_file() -> None:
    for data in (b"", b"\xef\xbb\xbf", b";;;\r\n;;\r\n"):
        table = read_table(data, "tom.csv")
        assert (table.headers, table.rows, table.header_row) == ([], [], 0)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.4\n\x00\x01\x02binary",
    ],
)
def test_what_is_no_sheet_is_refused_in_swedish(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read_table(data, "bild.png")
    assert raised.value.variables == {"file": "bild.png"}
    assert "går inte att läsa" in raised.value.message


def test_old_xls_and_other_zip_files_are_refused() -> None:
    with pytest.raises(UnreadableFile) as raised:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "gammal.xls")
    assert ".xls" in raised.value.message
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    with pytest.raises(UnreadableFile) as raised:
        read_table(buffer.getvalue(), "kalkyl.ods")
    assert "Excel-arbetsbok" in raised.value.message


# --- Messier XLSX ------------------------------------------------------------------------------


def test_xlsx_with_two_sheets_title_row_merged_header_and_text_dates() -> None:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Om listan"
    cover["A1"] = "Den här arbetsboken har två blad"
    calls = workbook.create_sheet("Samtal")
    calls["A1"] = "Samtalslogg 2024"
    calls.merge_cells("A1:E1")  # a title merged across the top
    calls.append([])
    calls.append(["Datum", "Företag", "Kontaktperson", None, "Typ"])
    calls.append([None, None, "Namn", "Telefon", None])
    calls.merge_cells("A3:A4")  # headers merged down over the second header row
    calls.merge_cells("B3:B4")
    calls.merge_cells("C3:D3")  # "Kontaktperson" across Namn and Telefon
    calls.merge_cells("E3:E4")
    calls.append([naive(2024, 3, 5), "Ek AB", "Eva Ek", "0701234567", "Samtal"])
    calls.append(["6 mars 2024", None, "Olle Ek", 701234568, "Mejl"])
    calls.append(["07.03.2024", None, None, None, "Besök"])
    calls.merge_cells("B5:B7")  # one company over its three calls
    calls.append([None] * 5)
    calls.append(["2024-03-08", "Lind HB", None, None, "Möte", None, None])
    data = xlsx(workbook)

    table = read_table(data, "logg.xlsx")
    # The first sheet has a single line of text and no header: the first sheet with one wins.
    assert table.sheets == ["Om listan", "Samtal"]
    assert table.sheet == "Samtal"
    assert table.header_row == 3
    assert table.headers == [
        "Datum",
        "Företag",
        "Kontaktperson Namn",
        "Kontaktperson Telefon",
        "Typ",
    ]
    assert [row.number for row in table.rows] == [5, 6, 7, 9]
    assert [row.cells for row in table.rows] == [
        [naive(2024, 3, 5), "Ek AB", "Eva Ek", "0701234567", "Samtal"],
        ["6 mars 2024", "Ek AB", "Olle Ek", 701234568, "Mejl"],
        ["07.03.2024", "Ek AB", None, None, "Besök"],
        ["2024-03-08", "Lind HB", None, None, "Möte"],
    ]

    chosen = read_table(data, "logg.xlsx", sheet="Om listan")
    assert chosen.sheet == "Om listan"
    assert chosen.headers == ["Den här arbetsboken har två blad"]
    assert chosen.rows == []


def test_a_data_cell_merged_across_stays_in_its_first_column() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Företag", "Anteckning", "Ort"])
    sheet.append(["Ek AB", "Lång anteckning över två kolumner", None])
    sheet.merge_cells("B2:C2")
    table = read_table(xlsx(workbook), "f.xlsx")
    assert table.rows[0].cells == ["Ek AB", "Lång anteckning över två kolumner", None]


def test_an_unknown_sheet_is_refused() -> None:
    workbook = Workbook()
    workbook.active.append(["Namn", "Ort"])
    with pytest.raises(UnreadableFile) as raised:
        read_table(xlsx(workbook), "f.xlsx", sheet="Blad9")
    assert raised.value.variables == {"sheet": "Blad9"}


def test_an_empty_workbook() -> None:
    table = read_table(xlsx(Workbook()), "tom.xlsx")
    assert (table.sheets, table.sheet, table.headers, table.rows) == (["Sheet"], "Sheet", [], [])


def test_xlsx_cell_types_and_gaps() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"] = "Namn"
    sheet["C3"] = "Antal"
    sheet["D3"] = "Start"
    sheet["B4"] = "=Ek AB"
    sheet["B4"].data_type = "s"  # text that looks like a formula, stored as text
    sheet["C4"] = 3
    sheet["D4"] = dt.date(2024, 3, 5)
    sheet["B40"] = "Lind HB"
    sheet["C40"] = 2.5
    sheet["D40"] = dt.time(9, 30)
    table = read_table(xlsx(workbook), "f.xlsx")
    # Column A is empty all the way down: kept, so that columns stay where Excel has them.
    assert table.headers == ["", "Namn", "Antal", "Start"]
    assert table.header_row == 3
    assert [(row.number, row.cells) for row in table.rows] == [
        (4, [None, "=Ek AB", 3, naive(2024, 3, 5)]),
        (40, [None, "Lind HB", 2.5, "09:30"]),
    ]


# --- Matcha's own CSV export reads back --------------------------------------------------------

# Any text a cell can hold, as Swedish as possible: no NUL (no spreadsheet keeps it) and
# no lone surrogates (not text).
cell_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("åäöÅÄÖéü;,\t\"'=+-@ \r\n")),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    max_size=20,
)
HEADERS = ["Namn", "Organisationsnummer", "Anteckningar"]


@settings(max_examples=300, deadline=None)
# Quoted tabs and line breaks that a tab delimiter would cut into more cells than ";" makes.
@example(rows=[["", "\t\r\t", "\r\t0\r\t0"]], bom=False)
@given(
    rows=st.lists(
        st.lists(cell_text, min_size=3, max_size=3).filter(
            lambda row: any(cell.strip() for cell in row)  # a blank row is no row
        ),
        max_size=8,
    ),
    bom=st.booleans(),
)
def test_matchas_csv_export_reads_back_identically(rows: list[list[str]], bom: bool) -> None:
    writer = Writer()
    data = writer.chunk([HEADERS], bom=bom) + writer.chunk(rows)
    table = read_table(data, "export.csv")
    assert table.delimiter == ";"
    assert table.headers == HEADERS
    assert [[cell or "" for cell in row.cells] for row in table.rows] == rows


@pytest.mark.parametrize(
    "value", ["=SUMMA(A1)", "+46 70 123 45 67", "-5", "@kommun", "'=x", "''", "'", "a\r\nb"]
)
def test_formula_guards_come_off(value: str) -> None:
    data = Writer().chunk([HEADERS, ["Ek AB", "", value]], bom=True)
    assert read_table(data, "export.csv").rows[0].cells == ["Ek AB", None, value]


def test_a_sheet_saved_by_hand_keeps_its_apostrophes() -> None:
    # Only the apostrophe before a would-be formula is Matcha's guard.
    data = b"Namn;Anteckning\r\nEk AB;'t is what it is\r\n"
    assert read_table(data, "f.csv").rows[0].cells == ["Ek AB", "'t is what it is"]


def test_reading_is_quick(tmp_path: Path) -> None:
    rows = [["Företagsnamn", "Org nr", "Ort", "Telefon", "Kommentar"]]
    rows += [[f"Företag {n} AB", "556036-0793", "Örebro", "070-123", "ok"] for n in range(50_000)]
    data = csv_bytes(rows, encoding="cp1252")
    table = read_table(data, "stor.csv")
    assert len(table.rows) == 50_000
