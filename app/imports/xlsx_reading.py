"""Reading an XLSX workbook: the sheet chosen (or the first with data), its rows read as
a stream, merged cells, and Excel's dates kept as dates."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib

from app.i18n import N_
from app.imports.bounds import Cell, CellCounter, UnreadableFile, check_archive, is_blank
from app.imports.sheet import Area, Body, Table, build

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


def read_xlsx(
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


def _choose_sheet(
    workbook, sheet: str | None, *, max_rows: int | None, counter: CellCounter
) -> tuple[str | None, Body]:
    """The sheet asked for; by default the first with rows under a header, passing over a
    cover sheet with a line or two of text (chosen only when no sheet has more)."""

    def body(worksheet) -> Body:
        rows, merged = _worksheet_rows(workbook, worksheet, counter=counter)
        return build(iter(rows), merged=merged, max_rows=max_rows, counter=counter)

    worksheets = workbook.worksheets
    if sheet is not None:
        return sheet, body(worksheets[[w.title for w in worksheets].index(sheet)])
    fallback: tuple[str | None, Body] = (
        worksheets[0].title if worksheets else None,
        Body(header_row=0, headers=[], rows=[]),
    )
    for worksheet in worksheets:
        table = body(worksheet)
        if table.rows:
            return worksheet.title, table
        if table.headers and not fallback[1].headers:
            fallback = (worksheet.title, table)
    return fallback


# (first row, first column, last row, last column), 1-based, of one merged area.


def _worksheet_rows(
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


def _bounds(merge_cell):
    from openpyxl.worksheet.cell_range import CellRange

    return CellRange(merge_cell.ref)


def _xlsx_value(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | dt.date):
        return None if value == "" else value
    if isinstance(value, dt.time):  # a time of day alone: as Excel shows it
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.timedelta):  # a duration cell ("[h]:mm")
        return str(value)
    return str(value)
