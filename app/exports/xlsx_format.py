"""Matcha's XLSX files: one sheet named in Swedish, a bold frozen header row, columns sized
from the headers and the first rows, and typed cells. Text is always text (a value that
begins with `=` is never a formula, "#N/A" never an error), dates are dates, instants are
Excel datetimes in Stockholm time, numbers are numbers, yes/no is "Ja"/"Nej".

Written with openpyxl's write-only workbook, which streams the sheet to a temporary file
row by row, into a spooled temporary file that is then sent in chunks: a zip cannot be
written into a socket, but memory stays flat however long the list is."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.clock import to_local
from app.exports.table import NO, YES, Cell, Row, Table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
INSTANT_FORMAT = "yyyy-mm-dd hh:mm"
# What a worksheet (XML 1.0) cannot hold: control characters but tab, LF and CR (openpyxl's
# ILLEGAL_CHARACTERS_RE), and the non-characters U+FFFE and U+FFFF, which openpyxl writes as
# they are, making a workbook no program opens.
NOT_IN_A_WORKSHEET = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What openpyxl would not write as plain text: "=…" becomes a formula, "#N/A" an error.
_NOT_PLAIN_TEXT = frozenset("=#")
# Column widths, in characters: from the header and this many rows, within these bounds.
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 6, 60
# A file this small stays in memory; a longer one spills to disk.
SPOOL_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
CREATOR = "Matcha"


class _Cells:
    """Turns typed values into what a write-only sheet appends: plain values where
    openpyxl gets the type right, explicit cells where it would not."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self._sheet = sheet

    def _styled(self, value: object, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self._sheet, value=value)
        cell.number_format = number_format
        return cell

    def text(self, value: str) -> str | WriteOnlyCell:
        if NOT_IN_A_WORKSHEET.search(value):
            # Control characters pasted into a note: a worksheet cannot hold them.
            value = NOT_IN_A_WORKSHEET.sub("", value)
        if value[:1] in _NOT_PLAIN_TEXT:
            cell = WriteOnlyCell(self._sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def row(self, values: Row) -> list[object]:
        cells: list[object] = []
        for value in values:
            if value.__class__ is str:
                cells.append(self.text(value) if value else None)
            elif value is None or value.__class__ is int:
                cells.append(value)
            elif value is True or value is False:
                cells.append(YES if value else NO)
            elif isinstance(value, dt.datetime):
                local = to_local(value).replace(tzinfo=None, second=0, microsecond=0)
                cells.append(self._styled(local, INSTANT_FORMAT))
            elif isinstance(value, dt.date):
                cells.append(self._styled(value, DATE_FORMAT))
            elif isinstance(value, str):
                cells.append(self.text(str(value)))
            else:
                cells.append(value)
        return cells


def _shown(value: Cell) -> int:
    """About how many characters wide a value looks in its cell."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len("2026-03-02 09:00")
    if isinstance(value, dt.date):
        return len("2026-03-02")
    if value is True or value is False:
        return len(NO)
    text = str(value)
    return max(len(line) for line in text.split("\n")) if "\n" in text else len(text)


def widths(headers: Sequence[str], rows: Sequence[Row]) -> list[float]:
    """Each column wide enough for its header and the sampled rows, within bounds."""
    result = []
    for index, header in enumerate(headers):
        widest = max([len(header) + 2, *(_shown(row[index]) + 1 for row in rows)])
        result.append(float(min(MAX_WIDTH, max(MIN_WIDTH, widest))))
    return result


def write(table: Table, target: IO[bytes]) -> int:
    """Writes the table as an XLSX file to `target`; returns the number of rows."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = CREATOR
    workbook.properties.lastModifiedBy = CREATOR
    workbook.properties.title = table.sheet
    sheet = workbook.create_sheet(table.sheet)
    batches = iter(table.batches)
    # The columns and the frozen pane go out before the first row: read a sample first.
    first = list(islice(batches, 1))
    sample = list(first[0][:WIDTH_SAMPLE]) if first else []
    for index, width in enumerate(widths(table.headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    cells = _Cells(sheet)
    count = 0
    for batch in chain(first, batches):
        for values in batch:
            sheet.append(cells.row(values))
        count += len(batch)
    workbook.save(target)
    return count


def xlsx_file(table: Table) -> Iterator[bytes]:
    """The file in chunks: written whole to a spooled temporary file first."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        write(table, spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
