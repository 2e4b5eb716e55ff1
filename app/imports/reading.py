"""Reading an uploaded sheet into a table: CSV in whatever encoding and delimiter old Excel
wrote it, or XLSX; the header row found below any title lines; no database involved.

Cells keep their type (text, numbers, real Excel dates); app/imports/values.py turns them
into Matcha's values, app/imports/mapping.py says which column is which field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.exports.csv_format import GUARD, unneutralise
from app.i18n import N_
from app.imports.bounds import (
    CELL_TOO_LONG,
    UNTERMINATED_QUOTE,
    Cell,
    CellCounter,
    Limits,
    TooBig,
    UnreadableFile,
    check_archive,
    filled,
    is_blank,
    last_filled,
)
from app.imports.mapping import recognised_headers
from app.text import grouped

# How far down a title block may reach before the header row (rows, not counting blanks).
HEADER_SEARCH_ROWS = 30
# How many rows below a candidate header row are compared with it (the shape heuristic).
SHAPE_SAMPLE_ROWS = 5
# The CSV text read to guess the delimiter: enough for dozens of rows of any sheet.
DELIMITER_SAMPLE_CHARS = 64 * 1024
DELIMITERS = (";", "\t", ",")  # on a tie, the one Swedish Excel writes wins
# A header cell merged down over this many rows at most makes a header of several rows.
MAX_HEADER_ROWS = 3

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls of Excel 97-2003, or an encrypted .xlsx


@dataclass(frozen=True)
class Row:
    # The row as a spreadsheet program numbers it (1-based; a CSV record with a quoted line
    # break inside is still one row), so that "rad 17" is where the user finds it in Excel.
    number: int
    cells: list[Cell]


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str | None  # "utf-8-sig", "utf-8", "utf-16" or "cp1252"; None for xlsx
    delimiter: str | None  # None for xlsx
    sheets: list[str]  # the workbook's worksheets; empty for csv
    sheet: str | None  # the one read
    header_row: int  # 1-based number of the (first) header row; 0 when the file is empty
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
    limits: Limits = Limits(),
) -> Table:
    """The sheet as a table: the header row and the data rows below it, blank rows left out.

    `max_rows` stops after that many data rows (a preview). Raises UnreadableFile with a
    Swedish message when the bytes are no sheet, or `sheet` is not in the workbook, and
    TooBig when the sheet is over a limit: found while reading, so a file far over one
    costs no more than one just under it.
    """
    counter = CellCounter(filename, limits, above_data=HEADER_SEARCH_ROWS + MAX_HEADER_ROWS)
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, filename, sheet=sheet, max_rows=max_rows, counter=counter)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            N_(
                "%(file)s är en gammal Excel-fil (.xls) eller en lösenordsskyddad fil. "
                "Öppna den i Excel och spara som .xlsx eller CSV."
            ),
            field="file",
            variables={"file": filename},
        )
    return _read_csv(data, filename, max_rows=max_rows, counter=counter)


# --- CSV -----------------------------------------------------------------------------------


def _keep_undefined_cp1252(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined. Windows itself maps them to the
    # control characters U+0081 ... U+009D, and so do we: reading never fails, nothing is lost.
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(chr(byte) for byte in bad), error.end


codecs.register_error("matcha-cp1252", _keep_undefined_cp1252)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 with or without a BOM, UTF-16 with a BOM
    (Excel's "Unicode text"), else Windows-1252, what older Swedish Excel writes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="matcha-cp1252"), "cp1252"


def _not_a_sheet(filename: str) -> UnreadableFile:
    return UnreadableFile(
        N_(
            "%(file)s går inte att läsa. Ladda upp en CSV-fil eller en Excel-fil (.xlsx), "
            "t.ex. sparad med Spara som i Excel."
        ),
        field="file",
        variables={"file": filename},
    )


def _read_csv(data: bytes, filename: str, *, max_rows: int | None, counter: CellCounter) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:  # binary: an image, a PDF, a zipped file of another kind
        raise _not_a_sheet(filename)
    end = text.find("\n")
    first_line = (text if end < 0 else text[:end]).rstrip("\r")  # no copy of the rest
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's own hint line ("sep=;"). Excel hides it, so it does not count as a row.
        delimiter, text = first_line[4], text[end + 1 :] if end >= 0 else ""
    else:
        delimiter = sniff_delimiter(text)
    table = _build(
        _csv_rows(text, delimiter, filename, counter), merged=(), max_rows=max_rows, counter=counter
    )
    return Table(
        kind="csv",
        encoding=encoding,
        delimiter=delimiter,
        sheets=[],
        sheet=None,
        header_row=table.header_row,
        headers=table.headers,
        rows=table.rows,
    )


def _csv_rows(
    text: str, delimiter: str, filename: str, counter: CellCounter
) -> Iterator[tuple[int, list[Cell]]]:
    """The records, each checked against the limits as it is read. Python's csv module
    bounds a field at 131,072 characters (the cell limit is at most that): an opening quote
    never closed takes the rest of the file into one field and meets it, or, in a smaller
    file, ends as a last cell that runs over lines to the end with an odd number of quotes
    in the file: either way the user is told where."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    cells: list[Cell] = []
    try:
        for number, record in enumerate(records, start=1):
            # Counted on the record's strings at C speed: this runs for every row.
            counter.chars(number, max(map(len, record), default=0))
            cells = _csv_cells(record)
            counter.width(number, last_filled(cells))
            counter.add(len(record) - record.count(""))
            yield number, cells
    except csv.Error:
        raise TooBig(
            CELL_TOO_LONG,
            field="file",
            variables={
                "file": filename,
                "row": number + 1,
                "max": grouped(counter.limits.cell_chars),
            },
        ) from None
    last = next((cell for cell in reversed(cells) if cell is not None), None)
    if isinstance(last, str) and "\n" in last and text.count('"') % 2:
        raise UnreadableFile(
            UNTERMINATED_QUOTE, field="file", variables={"file": filename, "row": number}
        )


def _csv_cells(record: list[str]) -> list[Cell]:
    # Empty cells are None, as in a workbook. A leading apostrophe that Matcha's own export put
    # before a would-be formula is taken off (app/exports/csv_format.py): the format's own
    # escape, undone here, so cells are what the user typed ("+46 70 ...", "=SUMMA").
    return [(unneutralise(cell) if cell[0] == GUARD else cell) if cell else None for cell in record]


def sniff_delimiter(text: str) -> str:
    """`;`, tab or `,`: the one that splits the most cells into rows of one width.

    Rows are parsed with quotes respected, so a `,` inside "Intresserad av praktik, 2 st"
    does not count. csv.Sniffer is not used: it guesses from character frequencies and
    is easily fooled by commas in free text.
    """
    sample = text[:DELIMITER_SAMPLE_CHARS]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample  # no half row at the end
    best, best_score = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        widths = Counter(
            len(record)
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            if any(cell.strip() for cell in record)
        )
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        # The cells in rows of one shape, not the rows: a wrong delimiter ignores quotes
        # and cuts a quoted cell's line breaks into more, narrower "rows".
        score = count * width if width > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- XLSX ----------------------------------------------------------------------------------


# What openpyxl and the XML parser raise for a file that is damaged or no workbook
# (xml.etree's ParseError is a SyntaxError; defusedxml's refusals are ValueErrors).
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    OSError,
    TypeError,
    SyntaxError,
)


def _not_a_workbook(filename: str) -> UnreadableFile:
    return UnreadableFile(
        N_(
            "%(file)s går inte att öppna som Excel-arbetsbok (.xlsx). "
            "Spara den som .xlsx eller CSV i Excel och försök igen."
        ),
        field="file",
        variables={"file": filename},
    )


def _read_xlsx(
    data: bytes, filename: str, *, sheet: str | None, max_rows: int | None, counter: CellCounter
) -> Table:
    from openpyxl import load_workbook  # a second or so to import: only when needed

    check_archive(data, filename, counter)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _DAMAGED as error:
        # A zip that is no workbook: .ods, .docx, a damaged or half-uploaded file; XML
        # with entities (defusedxml refuses them: a ValueError).
        raise _not_a_workbook(filename) from error
    try:
        worksheets = workbook.worksheets
        names = [worksheet.title for worksheet in worksheets]
        if sheet is not None and sheet not in names:
            raise UnreadableFile(
                N_("Arbetsboken har inget blad som heter %(sheet)s."), variables={"sheet": sheet}
            )
        try:
            chosen, table = _choose_sheet(workbook, sheet, max_rows=max_rows, counter=counter)
        except _DAMAGED as error:  # a sheet's XML cut off or malformed halfway down
            raise _not_a_workbook(filename) from error
    finally:
        workbook.close()
    return Table(
        kind="xlsx",
        encoding=None,
        delimiter=None,
        sheets=names,
        sheet=chosen,
        header_row=table.header_row,
        headers=table.headers,
        rows=table.rows,
    )


def _choose_sheet(  # type: ignore[no-untyped-def]
    workbook, sheet: str | None, *, max_rows: int | None, counter: CellCounter
) -> tuple[str | None, _Body]:
    """The sheet asked for; by default the first with rows under a header, passing over a
    cover sheet with a line or two of text (chosen only when no sheet has more)."""

    def body(worksheet) -> _Body:  # type: ignore[no-untyped-def]
        rows, merged = _worksheet_rows(workbook, worksheet, counter=counter)
        return _build(iter(rows), merged=merged, max_rows=max_rows, counter=counter)

    worksheets = workbook.worksheets
    if sheet is not None:
        return sheet, body(worksheets[[w.title for w in worksheets].index(sheet)])
    fallback: tuple[str | None, _Body] = (
        worksheets[0].title if worksheets else None,
        _Body(header_row=0, headers=[], rows=[]),
    )
    for worksheet in worksheets:
        table = body(worksheet)
        if table.rows:
            return worksheet.title, table
        if table.headers and not fallback[1].headers:
            fallback = (worksheet.title, table)
    return fallback


# (first row, first column, last row, last column), 1-based, of one merged area.
Area = tuple[int, int, int, int]


def _worksheet_rows(  # type: ignore[no-untyped-def]
    workbook, worksheet, *, counter: CellCounter
) -> tuple[list[tuple[int, list[Cell]]], list[Area]]:
    """Every row that has cells, with its real row number, and the merged areas.

    openpyxl's read-only mode streams rows but keeps no merged areas, which come after the
    rows in the sheet's XML. We run the same streaming parser it runs (pinned openpyxl
    3.1.5; tests/imports/test_reading.py covers both) and take the areas at the end: one
    pass, memory for the values only. A row is as long as its last filled cell, never
    padded out to a far column that only holds formatting, and rows are counted against
    the limits as they are read.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    most = counter.most_rows
    rows: list[tuple[int, list[Cell]]] = []
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parsed = parser.parse()
        for number, cells in parsed:
            filled = [
                (cell["column"], value)
                for cell in cells
                if not is_blank(value := _xlsx_value(cell["value"]))
            ]
            if not filled:
                continue
            width = max(column for column, _ in filled)
            counter.width(number, width)  # before a row that wide is made
            values: list[Cell] = [None] * width
            for column, value in filled:
                values[column - 1] = value
            counter.row(number, values)
            rows.append((number, values))
            if len(rows) > most:
                raise counter.too_many_rows()
        areas = parser.merged_cells.mergeCell if parser.merged_cells else []
        merged = [(a.min_row, a.min_col, a.max_row, a.max_col) for a in map(_bounds, areas)]
    return rows, merged


def _bounds(merge_cell):  # type: ignore[no-untyped-def]
    from openpyxl.worksheet.cell_range import CellRange

    return CellRange(merge_cell.ref)


def _xlsx_value(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | dt.date):
        return None if value == "" else value  # type: ignore[return-value]
    if isinstance(value, dt.time):  # a time of day alone: as Excel shows it
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.timedelta):  # a duration cell ("[h]:mm")
        return str(value)
    return str(value)


# --- The header row and the data below it ---------------------------------------------------


@dataclass
class _Body:
    header_row: int
    headers: list[str]
    rows: list[Row]


def _blank_row(cells: Sequence[Cell]) -> bool:
    return all(is_blank(cell) for cell in cells)


def _build(
    rows: Iterator[tuple[int, list[Cell]]],
    *,
    merged: Sequence[Area],
    max_rows: int | None,
    counter: CellCounter,
) -> _Body:
    """Find the header row, then collect the data rows below it (blank ones left out),
    at most as many as the limit allows."""
    head: list[tuple[int, list[Cell]]] = []  # the rows read while looking for the header
    for number, cells in rows:
        if _blank_row(cells):
            continue
        head.append((number, cells))
        if len(head) >= HEADER_SEARCH_ROWS + SHAPE_SAMPLE_ROWS:
            break
    if not head:
        return _Body(header_row=0, headers=[], rows=[])
    index = _header_index(head)
    header_number, header_cells = head[index]
    band = _header_band(header_number, merged)
    header_lines = [header_cells]
    data: list[tuple[int, list[Cell]]] = []
    for number, cells in itertools.chain(head[index + 1 :], rows):
        if number <= band:
            header_lines.append(cells)
            continue
        if _blank_row(cells):
            continue
        data.append((number, cells))
        if max_rows is not None and len(data) >= max_rows:
            break
        if len(data) > counter.limits.rows:
            raise counter.too_many_rows()
    if merged:
        _fill_merged(header_number, band, header_lines, data, merged)
    headers = _headers(header_lines)
    width = max([last_filled(headers), *(last_filled(cells) for _, cells in data)], default=0)
    headers = (headers + [""] * width)[:width]
    return _Body(
        header_row=header_number,
        headers=headers,
        rows=[Row(number=number, cells=(cells + [None] * width)[:width]) for number, cells in data],
    )


def _header_index(head: list[tuple[int, list[Cell]]]) -> int:
    """Which of the first non-blank rows is the header.

    1. The first row in which at least two cells are header words Matcha knows
       ("Företagsnamn", "Org nr", "Telefon", ...; app/imports/mapping.py).
    2. Else the first row with at least two filled cells whose next rows are about as wide:
       a title line ("Företagskontakter 2019") has one filled cell, or is followed by
       rows much wider than itself.
    3. Else the first non-blank row.
    """
    candidates = head[:HEADER_SEARCH_ROWS]
    for index, (_, cells) in enumerate(candidates):
        texts = [str(cell) for cell in cells if isinstance(cell, str) and cell.strip()]
        if len(texts) >= 2 and recognised_headers(texts) >= 2:
            return index
    for index, (_, cells) in enumerate(candidates):
        count = filled(cells)
        if count < 2:
            continue
        below = [filled(row) for _, row in head[index + 1 : index + 1 + SHAPE_SAMPLE_ROWS]]
        if not below or all(width <= count + 1 for width in below):
            return index
    return 0


def _header_band(header_number: int, merged: Sequence[Area]) -> int:
    """The last row of the header: a header cell merged down over the row(s) below makes a
    header of several rows ("Kontaktperson" above "Namn" and "Telefon")."""
    last = header_number
    for first_row, _, last_row, _ in merged:
        if first_row == header_number and last_row > last:
            last = last_row
    return min(last, header_number + MAX_HEADER_ROWS - 1)


def _fill_merged(
    header_number: int,
    band: int,
    header_lines: list[list[Cell]],
    data: list[tuple[int, list[Cell]]],
    merged: Sequence[Area],
) -> None:
    """Give every cell of a merged area the value of its top-left cell, where that means
    something (in read-only mode openpyxl gives it to the top-left cell only):

    - in the header rows, across and down: "Kontaktperson" merged over two columns heads
      both of them;
    - in the data rows, down only: a company name merged over the three calls below it
      belongs to each of them; a comment merged across columns stays in its first column.

    A title merged across the top of the sheet is above the header and left as it is.
    """
    by_number = {header_number + offset: cells for offset, cells in enumerate(header_lines)}
    by_number.update(data)
    for first_row, first_col, last_row, last_col in merged:
        top = by_number.get(first_row)
        if top is None or len(top) < first_col:
            continue
        value = top[first_col - 1]
        in_header = header_number <= first_row <= band
        columns = range(first_col, (last_col if in_header else first_col) + 1)
        for number in range(first_row, last_row + 1):
            cells = by_number.get(number)
            if cells is None:
                continue
            if len(cells) < columns[-1]:
                cells.extend([None] * (columns[-1] - len(cells)))
            for column in columns:
                cells[column - 1] = value


def _headers(lines: list[list[Cell]]) -> list[str]:
    """One header per column, the header rows' words joined top to bottom."""
    width = max(len(cells) for cells in lines)
    headers = []
    for column in range(width):
        parts: list[str] = []
        for cells in lines:
            cell = cells[column] if column < len(cells) else None
            text = " ".join(_header_text(cell).split())
            if text and text not in parts:
                parts.append(text)
        headers.append(" ".join(parts))
    return headers


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()[:10]
    return str(cell)
