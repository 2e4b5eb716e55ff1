"""Hostile and broken sheets, written byte by byte (sheet XML straight into a zip, never
through openpyxl, which would not write them), and a measurement of reading one in a
fresh process: `python -m tests.imports.hostile CASE` prints what the reader answered,
the seconds it took and how much the process's peak memory grew (ru_maxrss)."""

from __future__ import annotations

import io
import json
import random
import resource
import sys
import time
import zipfile
from collections.abc import Callable, Iterator

HEADER = "Företagsnamn;Ort;Telefon\n"

OOXML = "application/vnd.openxmlformats"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{OOXML}-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    f'ContentType="{OOXML}-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{OOXML}-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{DOC_RELS}">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def text_cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    cells = (text_cell("A1", "Företagsnamn"), text_cell("B1", "Ort"), text_cell("C1", "Telefon"))
    return f'<row r="1">{"".join(cells)}</row>'


def workbook(rows: Iterator[str], *, dimension: str | None = None, prologue: str = "") -> bytes:
    """An .xlsx of one sheet whose rows are the XML given, streamed into the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            start = prologue or SHEET_START
            if dimension:
                start += f'<dimension ref="{dimension}"/>'
            sheet.write((start + "<sheetData>").encode())
            chunk: list[str] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return buffer.getvalue()


# --- the cases --------------------------------------------------------------------------


def csv_million_headers() -> bytes:
    """9 MB: one header line of 1,000,000 columns."""
    return (";".join(f"k{n}" for n in range(1_000_000)) + "\n1;2;3\n").encode()


def xlsx_far_column() -> bytes:
    """A few kilobytes: 2,000 rows whose one cell is in column XFD, the last Excel has."""
    rows = (f'<row r="{n}"><c r="XFD{n}"><v>{n}</v></c></row>' for n in range(2, 2_002))
    return workbook(iter([header_row(), *rows]))


def xlsx_million_rows() -> bytes:
    """Some hundred kilobytes: 1,000,000 rows alike, packed more than a hundredfold."""
    rows = ('<row><c t="inlineStr"><is><t>Bygg AB</t></is></c></row>' for _ in range(1_000_000))
    return workbook(iter([header_row(), *rows]))


def xlsx_million_rows_declared() -> bytes:
    """A sheet that declares 1,000,000 rows (`<dimension>`) and holds a few."""
    rows = [header_row(), f'<row r="2">{text_cell("A2", "Bygg AB")}</row>']
    return workbook(iter(rows), dimension="A1:C1000000")


def xlsx_many_rows_undeclared() -> bytes:
    """300,000 rows of varied numbers: packs like real data, declares nothing."""
    chance = random.Random(14)

    def rows() -> Iterator[str]:
        yield header_row()
        for n in range(2, 300_002):
            yield f'<row r="{n}"><c r="A{n}"><v>{chance.randrange(10**9)}</v></c></row>'

    return workbook(rows())


def xlsx_huge_cell() -> bytes:
    """One cell of 19 MB of letters that do not pack."""
    chance = random.Random(19)
    letters = "".join(chance.choices("abcdefghijklmnopqrstuvwxyz", k=19 * 1024 * 1024))
    return workbook(iter([header_row(), f'<row r="2">{text_cell("A2", letters)}</row>']))


def xlsx_entities() -> bytes:
    """ "Billion laughs": entities that expand a kilobyte to gigabytes."""
    doctype = (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet ['
        '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8))
        + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    rows = [header_row(), f'<row r="2">{text_cell("A2", "&i;")}</row>']
    return workbook(iter(rows), prologue=doctype)


def xlsx_cut_off() -> bytes:
    """A sheet whose XML stops halfway through a row, below a declared size."""
    rows = [header_row(), f'<row r="2">{text_cell("A2", "Bygg AB")}</row><row r="3"><c r="A']
    data = workbook(iter(rows), dimension="A1:C3")
    # The writer closed the document: rewrite the sheet without its end.
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            content = source.read(member)
            if member.filename.endswith("sheet1.xml"):
                content = content[: content.index(b'<row r="3">') + 14]
            archive.writestr(member.filename, content)
    return buffer.getvalue()


def csv_huge_cell() -> bytes:
    """19 MB in one cell."""
    return (HEADER + "Bygg AB;" + "x" * (19 * 1024 * 1024) + ";070\n").encode()


def csv_unterminated_quote() -> bytes:
    """A quote opened on row 3 and never closed, in a small file."""
    return (HEADER + "Bygg AB;Umeå;070\n" + '"Mål AB;Luleå;070\n' + "Såg AB;Piteå;070\n").encode()


def csv_unterminated_quote_large() -> bytes:
    """The same in a 5 MB file: the rest of the file would be one cell."""
    rows = "".join(f"Företag {n};Umeå;070-{n}\n" for n in range(200_000))
    return (HEADER + '"Mål AB;Luleå;070\n' + rows).encode()


def csv_many_cells() -> bytes:
    """3,000,000 filled cells: 150 columns, 20,000 rows."""
    header = ";".join(["Företagsnamn", *(f"Fält {n}" for n in range(149))])
    row = ";".join(["Bygg AB", *("1" * 149)])
    return (header + "\n" + "\n".join([row] * 20_000) + "\n").encode()


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "csv_million_headers": (csv_million_headers, "hostile.csv"),
    "xlsx_far_column": (xlsx_far_column, "hostile.xlsx"),
    "xlsx_million_rows": (xlsx_million_rows, "hostile.xlsx"),
    "xlsx_million_rows_declared": (xlsx_million_rows_declared, "hostile.xlsx"),
    "xlsx_many_rows_undeclared": (xlsx_many_rows_undeclared, "hostile.xlsx"),
    "xlsx_huge_cell": (xlsx_huge_cell, "hostile.xlsx"),
    "xlsx_entities": (xlsx_entities, "hostile.xlsx"),
    "xlsx_cut_off": (xlsx_cut_off, "hostile.xlsx"),
    "csv_huge_cell": (csv_huge_cell, "hostile.csv"),
    "csv_unterminated_quote": (csv_unterminated_quote, "hostile.csv"),
    "csv_unterminated_quote_large": (csv_unterminated_quote_large, "hostile.csv"),
    "csv_many_cells": (csv_many_cells, "hostile.csv"),
}


def measure(case: str) -> dict[str, object]:
    """Reads the case's file as the import does, in this process: the answer, the time
    and the peak memory's growth over the process with the file already in memory."""
    from app.i18n import translate
    from app.imports.bounds import UnreadableFile
    from app.imports.reading import read_table

    make, filename = CASES[case]
    data = make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        table = read_table(data, filename)
        message = f"read: {len(table.rows)} rows"
    except UnreadableFile as error:
        message = translate("sv", error.message, **error.variables)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "bytes": len(data),
        "message": message,
        "seconds": round(seconds, 3),
        "grown_mb": round((after - before) / 1024, 1),  # ru_maxrss is in KiB on Linux
    }


if __name__ == "__main__":
    for name in sys.argv[1:] or CASES:
        print(json.dumps(measure(name), ensure_ascii=False), flush=True)
