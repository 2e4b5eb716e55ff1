"""Matcha's CSV dialect, the one Swedish Excel opens right: UTF-8 with a BOM, `;` between
cells, CRLF line ends, no `sep=` line. And formula neutralisation: a cell a spreadsheet
would run as a formula gets a leading apostrophe on the way out (`neutralise`), which
Matcha's own import takes off again (`unneutralise`), so "+46 72 909 13 93" survives.
A user may pick `,` instead of `;` (Excel in other locales, `User.csv_delimiter`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from app.clock import to_local
from app.exports.table import NO, YES, Cell, Row, Table

BOM = "\ufeff"
DELIMITERS = (";", ",")
ENCODING = "utf-8"
# What a spreadsheet reads as the start of a formula (OWASP's "CSV injection" list).
FORMULA_STARTS = frozenset("=+-@\t\r")
GUARD = "'"
# First characters that make neutralise() look closer; any other cell goes out as it is.
_MAY_NEED_GUARD = FORMULA_STARTS | {GUARD}


class Dialect(csv.Dialect):
    delimiter = ";"
    quotechar = '"'
    doublequote = True
    escapechar = None
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    skipinitialspace = False
    strict = False


def _needs_guard(value: str) -> bool:
    # Apostrophes already in front count too: "'=x" goes out as "''=x", so that
    # unneutralise(neutralise(v)) == v for every text, not only for formulas.
    return value.lstrip(GUARD)[:1] in FORMULA_STARTS


def neutralise(value: str) -> str:
    """The cell as written: with a leading apostrophe if it could run as a formula."""
    return GUARD + value if _needs_guard(value) else value


def unneutralise(value: str) -> str:
    """The cell as it was before `neutralise` (the import's half of the round trip)."""
    if value.startswith(GUARD) and _needs_guard(value[1:]):
        return value[1:]
    return value


def date_cell(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def instant_cell(value: dt.datetime | None) -> str:
    """An instant as a Swedish reader means it: YYYY-MM-DD HH:MM in Stockholm time."""
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def typed_cell(value: Cell) -> str:
    """A cell that is not plain text, as text: numbers, yes/no, dates and instants."""
    if isinstance(value, str):  # a subclass of str (an enum's value): still text
        return neutralise(str(value))
    if value is None:
        return ""
    if value is True or value is False:
        return YES if value else NO
    if isinstance(value, dt.datetime):
        return instant_cell(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class Writer:
    """Turns rows into encoded CSV text, one chunk per call: the caller decides the batch."""

    def __init__(self, delimiter: str = Dialect.delimiter) -> None:
        if delimiter not in DELIMITERS:
            raise ValueError(f"unsupported delimiter {delimiter!r}")
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, dialect=Dialect, delimiter=delimiter)

    def chunk(self, rows: Iterable[Row], *, bom: bool = False) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        if bom:
            self._buffer.write(BOM)
        # Inlined tests of the type and the first character: this runs for every cell of a
        # 150,000-row export, and a function call per text cell costs a good part of a
        # second. Only text is neutralised: numbers, dates and yes/no are Matcha's own.
        self._csv.writerows(
            [
                (
                    (neutralise(cell) if cell and cell[0] in _MAY_NEED_GUARD else cell)
                    if cell.__class__ is str
                    else typed_cell(cell)
                )
                for cell in row
            ]
            for row in rows
        )
        return self._buffer.getvalue().encode(ENCODING)


def csv_file(table: Table, *, delimiter: str = Dialect.delimiter) -> Iterator[bytes]:
    """The file: BOM and headers first (the download starts at once), then a chunk per
    batch of rows."""
    writer = Writer(delimiter)
    yield writer.chunk([table.headers], bom=True)
    for batch in table.batches:
        yield writer.chunk(batch)
