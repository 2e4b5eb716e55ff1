"""The database: engine for SQLite or PostgreSQL, naming convention, Swedish order, sessions."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
import unicodedata
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Column, DateTime, Engine, Integer, create_engine, event
from sqlalchemy import text as sql
from sqlalchemy.sql import ColumnElement, collate
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# The collation every list sorted by a name uses. PostgreSQL: created by a migration from
# ICU's sv-SE. SQLite: registered on each connection from swedish_sort_key below.
SWEDISH = "swedish"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant stored in UTC and always handed back timezone-aware.

    SQLite keeps no offset, so we store naive UTC there and re-attach UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware instant (see app.clock)")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Swedish alphabet: ... x y z å ä ö. Letters a Swede files under another letter first.
_SWEDISH_LETTERS = {"å": "{1", "ä": "{2", "æ": "{2", "ö": "{3", "ø": "{3", "ü": "y"}


def version_column() -> Column[int]:
    """A row version for optimistic locking: pass it as the field's sa_column and as the
    mapper's version_id_col, and SQLAlchemy refuses (StaleDataError) to overwrite a row
    someone else saved since it was read."""
    return Column("version", Integer, nullable=False, default=1)


def swedish_sort_key(text: str) -> tuple[str, str]:
    """A sort key for Swedish order: case and accents only break ties ('é' sorts as 'e')."""
    folded = text.casefold()
    if folded.isascii():  # nothing to map: ASCII letters sort as themselves
        return folded, text
    return "".join(_primary(char) for char in folded), text


@functools.lru_cache(maxsize=4096)
def _primary(char: str) -> str:
    mapped = _SWEDISH_LETTERS.get(char)
    if mapped is None:
        mapped = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
    return mapped


def _swedish_collation(a: str, b: str) -> int:
    ka, kb = swedish_sort_key(a), swedish_sort_key(b)
    return (ka > kb) - (ka < kb)


def swedish_key(text: str) -> str:
    """The stored sort key of a name: in plain byte order it sorts the Swedish way."""
    return swedish_sort_key(text)[0][:200]


def by_name(name: Any, key: Any, *, dialect: str) -> Any:
    """ORDER BY for a long list sorted by name. On SQLite a Python collation on every
    comparison costs a second at 50,000 rows, so there we sort by the indexed key column
    (swedish_key); PostgreSQL's ICU collation is fast enough on the name itself."""
    return key if dialect == "sqlite" else in_swedish_order(name)


def in_swedish_order(column: Any) -> ColumnElement[Any]:
    """ORDER BY expression that sorts text the Swedish way on both engines."""
    return collate(column, SWEDISH)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINTs work (SQLAlchemy docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache instead of SQLite's 2 MB: a list or export that reads rows in
        # index order jumps around the table, and each page missed is a read from the OS.
        # Pages are taken as they are read, so an idle connection costs nothing.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()
        dbapi_connection.create_collation(SWEDISH, _swedish_collation)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at the start. With a deferred BEGIN, a request
        # that reads and then writes fails with "database is locked" (and its work is
        # lost) whenever another request wrote in between; busy_timeout cannot help there.
        # Reading requests ask for DEFERRED (see for_reading) and never wait for writers.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def next_ids(session: Session, table: str, count: int) -> list[int]:
    """Ids for `count` new rows of the table (its primary key `id`), so a bulk insert can
    name them and needs no RETURNING (SQLAlchemy returns rows in order on SQLite only one
    row per statement). On SQLite the caller must be in a write transaction (BEGIN
    IMMEDIATE, the default here): no one else can take an id before its insert."""
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                sql(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"table": table, "n": count},
            )
        )
    # AUTOINCREMENT tables never reuse an id, even a deleted one: sqlite_sequence knows.
    last = session.scalar(
        sql(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = :table), 0),"  # noqa: S608 (a table name of ours)
            f" coalesce((SELECT max(id) FROM {table}), 0))"
        ),
        {"table": table},
    )
    return list(range(last + 1, last + 1 + count))


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 5}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def for_reading(engine: Engine) -> Engine:
    """The same engine and pool, for work that only reads: on SQLite its transactions do
    not take the write lock, so pages and health checks never queue behind writers."""
    return engine.execution_options(sqlite_begin="DEFERRED")


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    state = request.app.state
    engine = state.reading_engine if request.method in READING_METHODS else state.engine
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
