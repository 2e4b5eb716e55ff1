"""Typed shapes for the few SQLModel statements its stubs cannot type: a SELECT of more
than four columns (sqlmodel's `select()` is typed up to four) and a model's Core table."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from sqlalchemy import Table, inspect
from sqlmodel import SQLModel
from sqlmodel.sql.expression import Select

# A SELECT of several columns or entities whose row shape the caller knows.
Rows: TypeAlias = Select[*tuple[Any, ...]]


def select_columns(*columns: Any) -> Rows:
    """`select()` of any number of columns or entities; rows are tuples of that many."""
    return Select(*columns)


def table_of(model: type[SQLModel]) -> Table:
    """The Core `Table` of a table model (for bulk inserts and `.c` columns)."""
    return cast(Table, inspect(model).local_table)
