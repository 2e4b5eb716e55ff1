"""Export files: a table rendered as CSV or XLSX in chunks, and the response that streams
it as a download. Knows no feature: the export routes, the events' and the reports' all
answer through `download`, and each says whether its export goes to the security log
(app/exports/audit.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Iterator

import anyio
import anyio.to_thread
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from app.exports import csv_format, xlsx_format
from app.exports.audit import ExportLog
from app.exports.table import Counted, ExportFormat, Table, counted_rows

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
    table: Table,
    file_format: ExportFormat,
    *,
    delimiter: str,
    name: str,
    logged: ExportLog | None,
) -> StreamingResponse:
    """The table as a file download named `name`; CSV in the user's delimiter. Nothing is
    kept: the file holds what the user may see today. `logged`: the security log's record
    of an export of personal data, written when the stream ends (None: not logged, and the
    caller says why)."""
    if logged is None:
        body: Iterator[bytes] | AsyncIterator[bytes] = render(
            table, file_format, delimiter=delimiter
        )
    else:
        counting, counted = counted_rows(table)
        chunks = render(counting, file_format, delimiter=delimiter)
        body = _recorded(chunks, counted, logged, file_format)
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[file_format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def _recorded(
    chunks: Iterator[bytes], counted: Counted, logged: ExportLog, file_format: ExportFormat
) -> AsyncIterator[bytes]:
    """The file's chunks, each made in a worker thread (they read the database), and once
    the stream has ended, completed or cut off, the export recorded with the rows read
    for it: in a worker thread too, shielded from the cancelling of a cut-off download."""
    completed = False
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
        completed = True
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_finish, chunks, counted, logged, file_format, completed)


def _finish(
    chunks: Iterator[bytes],
    counted: Counted,
    logged: ExportLog,
    file_format: ExportFormat,
    completed: bool,
) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()  # a cut-off file's reading ends here, not whenever it is collected
    logged.record(file_format, rows=counted.rows, completed=completed)


def slug(text: str) -> str:
    """A file name part from a company name: ASCII, lower case, dashes ("Åkeri Öst AB" →
    "akeri-ost-ab")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "foretag"
