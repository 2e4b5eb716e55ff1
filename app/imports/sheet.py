"""A sheet as a table of rows, and how its header row is found: below any title lines,
by its header words and the shape of the rows under it, over several rows where header
cells are merged down."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.imports.bounds import Cell, CellCounter, filled, is_blank, last_filled
from app.imports.mapping import recognised_headers

# How far down a title block may reach before the header row (rows, not counting blanks).
HEADER_SEARCH_ROWS = 30
# How many rows below a candidate header row are compared with it (the shape heuristic).
SHAPE_SAMPLE_ROWS = 5
# A header cell merged down over this many rows at most makes a header of several rows.
MAX_HEADER_ROWS = 3


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


Area = tuple[int, int, int, int]


@dataclass
class Body:
    header_row: int
    headers: list[str]
    rows: list[Row]


def _blank_row(cells: Sequence[Cell]) -> bool:
    return all(is_blank(cell) for cell in cells)


def build(
    rows: Iterator[tuple[int, list[Cell]]],
    *,
    merged: Sequence[Area],
    max_rows: int | None,
    counter: CellCounter,
) -> Body:
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
        return Body(header_row=0, headers=[], rows=[])
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
    return Body(
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
