"""An export as data, before it is a file: its name, Swedish headers and typed rows in
batches. Each export defines its rows once (app/exports/service.py, app/events/exports.py);
the CSV and XLSX writers render them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.clock import Clock, today

# What a cell may hold. The writers decide how each type looks: a datetime is an instant
# (shown in Stockholm time), a bool is "Ja"/"Nej", None is an empty cell.
Cell = str | int | bool | dt.date | dt.datetime | None
Row = Sequence[Cell]

YES, NO = "Ja", "Nej"

# Rows per batch: one round trip to the database and one chunk of the file each.
BATCH_SIZE = 1000


class ExportFormat(enum.StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@dataclass
class Table:
    """One export. `batches` is read once: it streams from the database."""

    stem: str  # the file name without date and extension: "foretag"
    sheet: str  # the XLSX sheet's name, in Swedish: "Företag"
    headers: Sequence[str]
    batches: Iterable[Sequence[Row]]

    def rows(self) -> Iterator[Row]:
        for batch in self.batches:
            yield from batch


class Counted:
    """A table's batches, counting the rows as they pass: how many a file holds, known
    once it is written, without a query of its own."""

    def __init__(self, batches: Iterable[Sequence[Row]]) -> None:
        self._batches = batches
        self.rows = 0

    def __iter__(self) -> Iterator[Sequence[Row]]:
        for batch in self._batches:
            self.rows += len(batch)
            yield batch


def counted_rows(table: Table) -> tuple[Table, Counted]:
    """The same table, its rows counted as the file is written."""
    counted = Counted(table.batches)
    return Table(table.stem, table.sheet, table.headers, counted), counted


def batches(statement: Any, *, session: Session, batch_size: int | None) -> Iterator[Sequence[Any]]:
    """The statement's rows, a batch at a time. yield_per: a server-side cursor on
    PostgreSQL, fetchmany on SQLite; never all rows. On the connection, not the ORM
    session: the rows are plain columns, and the ORM's per-row work cost a fifth of a
    150,000-row export."""
    options = statement.execution_options(yield_per=batch_size or BATCH_SIZE)
    yield from session.connection().execute(options).partitions()


def filename(table: Table, file_format: ExportFormat, *, clock: Clock) -> str:
    return f"{table.stem}-{today(clock).isoformat()}.{file_format.value}"
