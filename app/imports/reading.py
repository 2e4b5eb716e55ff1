"""Reading an uploaded sheet into a table: CSV in whatever encoding and delimiter old Excel
wrote it, or XLSX; the header row found below any title lines; no database involved.

Cells keep their type (text, numbers, real Excel dates); app/imports/values.py turns them
into Matcha's values, app/imports/mapping.py says which column is which field. CSV is read
here; XLSX in xlsx_reading.py; the table and its header row in sheet.py.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator

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
    last_filled,
)
from app.imports.sheet import HEADER_SEARCH_ROWS, MAX_HEADER_ROWS, Table, build
from app.imports.xlsx_reading import read_xlsx
from app.text import grouped

# The CSV text read to guess the delimiter: enough for dozens of rows of any sheet.
DELIMITER_SAMPLE_CHARS = 64 * 1024
DELIMITERS = (";", "\t", ",")  # on a tie, the one Swedish Excel writes wins

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls of Excel 97-2003, or an encrypted .xlsx


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
        return read_xlsx(data, filename, sheet=sheet, max_rows=max_rows, counter=counter)
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
    table = build(
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
    best, best_score = DELIMITERS[0], (False, 0)
    for delimiter in DELIMITERS:
        widths = Counter(
            len(record)
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            if any(cell.strip() for cell in record)
        )
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        # The cells in rows of one shape, not the rows: a wrong delimiter ignores quotes
        # and cuts a quoted cell's line breaks into more, narrower "rows". A delimiter that
        # gives every row the same width (over one) comes first: a wrong one cutting quoted
        # tabs and line breaks may make more cells, but not rows of one shape.
        score = (count == widths.total(), count * width) if width > 1 else (False, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
