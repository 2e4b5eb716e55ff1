"""Export files: a table rendered as CSV or XLSX in chunks, and the response that streams
it as a download. Knows no feature: the export routes, the events' and the reports' all
answer through `download`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from fastapi.responses import StreamingResponse

from app.exports import csv_format, xlsx_format
from app.exports.table import ExportFormat, Table

MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.xlsx: xlsx_format.MEDIA_TYPE,
}


def render(table: Table, file_format: ExportFormat, *, delimiter: str = ";") -> Iterator[bytes]:
    """The table as a file of that format, in chunks. `delimiter` is the CSV's."""
    if file_format == ExportFormat.xlsx:
        return xlsx_format.xlsx_file(table)
    return csv_format.csv_file(table, delimiter=delimiter)


def download(
    table: Table, file_format: ExportFormat, *, delimiter: str, name: str
) -> StreamingResponse:
    """The table as a file download named `name`; CSV in the user's delimiter. Nothing is
    kept: the file holds what the user may see today."""
    return StreamingResponse(
        render(table, file_format, delimiter=delimiter),
        media_type=MEDIA_TYPES[file_format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def slug(text: str) -> str:
    """A file name part from a company name: ASCII, lower case, dashes ("Åkeri Öst AB" →
    "akeri-ost-ab")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "foretag"
