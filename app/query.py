"""Typed shapes for the few SQLModel statements its stubs cannot type: a SELECT of more
than four columns (sqlmodel's `select()` is typed up to four) and a model's Core table;
and how many rows a list found, counted cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from sqlalchemy import Table, func, inspect, select
from sqlmodel import Session, SQLModel
from sqlmodel.sql.expression import Select

# A SELECT of several columns or entities whose row shape the caller knows.
Rows: TypeAlias = Select[*tuple[Any, ...]]


def select_columns(*columns: Any) -> Rows:
    """`select()` of any number of columns or entities; rows are tuples of that many."""
    return Select(*columns)


def table_of(model: type[SQLModel]) -> Table:
    """The Core `Table` of a table model (for bulk inserts and `.c` columns)."""
    return cast(Table, inspect(model).local_table)


# A list counts what it found up to this many; beyond, it says "more than" (a full count of
# a large register costs more than the page it heads).
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Found:
    """How many a list found: exactly `number`, or at least that many (counting stopped)."""

    number: int
    at_least: bool = False


def count_found(
    statement: Rows,
    *,
    page: int,
    page_size: int,
    shown: int,
    has_next: bool,
    session: Session,
    limit: int = COUNT_LIMIT,
) -> Found:
    """How many rows `statement` (the list's query, one narrow column, unpaged) finds.

    A last page tells by itself (no query); otherwise one count that stops at `limit` (or
    just past the page, deep in a long list), so its cost is bounded whatever the data."""
    offset = (page - 1) * page_size
    if not has_next and (shown or page == 1):
        return Found(offset + shown)
    cap = max(limit, offset + page_size + 1)
    rows = statement.order_by(None).limit(cap).subquery()
    number = session.connection().execute(select(func.count()).select_from(rows)).scalar_one()
    return Found(number, at_least=number >= cap)
