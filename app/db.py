"""The database: engine for SQLite or PostgreSQL, naming convention, column types, sessions.
SQLite's write lock taken only for the writes is in db_sqlite.py, Swedish order in
db_swedish.py, what a driver's error means in db_errors.py; their names callers use are
importable from here too."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Column, DateTime, Engine, Enum, Integer, create_engine, event
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from app.db_errors import is_busy as is_busy
from app.db_errors import unwritable
from app.db_sqlite import (
    BUSY_TIMEOUT_SECONDS,
    DEFAULT_SQLITE_CACHE_MB,
    SQLiteConnection,
    configure_sqlite,
    hold_write_lock,
    raw_connection,
)
from app.db_sqlite import without_waiting as without_waiting
from app.db_sqlite import writes as writes
from app.db_swedish import SWEDISH as SWEDISH
from app.db_swedish import by_name as by_name
from app.db_swedish import in_swedish_order as in_swedish_order
from app.db_swedish import swedish_key as swedish_key
from app.db_swedish import swedish_sort_key as swedish_sort_key
from app.errors import CommitUncertain, DatabaseBusy, DatabaseUnwritable
from app.validation import typed_id

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


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


def version_column() -> Column[int]:
    """A row version for optimistic locking: pass it as the field's sa_column and as the
    mapper's version_id_col, and SQLAlchemy refuses (StaleDataError) to overwrite a row
    someone else saved since it was read."""
    return Column("version", Integer, nullable=False, default=1)


def _refuse_unwritable(context: Any) -> None:
    """A write the database cannot take is a refusal the services pass on (a DomainError,
    503) and the routes show in the form, not a 500."""
    refusal = unwritable(context.original_exception)
    if refusal is not None:
        raise refusal from context.original_exception


def writable(engine: Engine, *, thorough: bool = False) -> bool | str:
    """True if the database takes writes, else why not: "read-only" or "full". Quick by
    default (SQLite: whether a write transaction can begin, not waiting for a writer;
    PostgreSQL: whether the server is read-only). `thorough` also writes a page, inside a
    transaction that is rolled back: what finds a full disk."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
                if read_only == "on":
                    return "read-only"
                if thorough:
                    connection.exec_driver_sql("CREATE TEMPORARY TABLE healthz_probe (x int)")
                connection.rollback()
                return True
            raw = raw_connection(connection)
            raw.busy_timeout = 0  # a writer at work means the database takes writes
            try:
                connection.exec_driver_sql("SAVEPOINT healthz")  # takes the write lock
                if thorough:
                    connection.exec_driver_sql("CREATE TABLE healthz_probe (x INTEGER)")
            finally:
                raw.busy_timeout = BUSY_TIMEOUT_SECONDS
                connection.rollback()
            return True
    except DatabaseBusy:
        return True
    except DatabaseUnwritable as refusal:
        return "full" if refusal.message == DatabaseUnwritable.FULL else "read-only"


def get_typed(session: Session, model: type[T], value: str | None) -> T | None:
    """The row a typed id names (a form field, a query parameter), or None when it names
    none: not a number, or one longer than any id (which the database would refuse)."""
    row_id = typed_id(value)
    return session.get(model, row_id) if row_id is not None else None


def enum_column(
    enum_type: type[enum.StrEnum],
    name: str,
    *,
    nullable: bool = False,
    server_default: str | None = None,
) -> Column:
    """A column of a string enum, stored as its values ("1-9", not the Python name
    "micro") in a VARCHAR with a CHECK, the same on SQLite and PostgreSQL. A server
    default fills the rows a migration adds the column to."""
    return Column(
        Enum(
            enum_type,
            name=name,
            native_enum=False,
            length=16,
            validate_strings=True,
            values_callable=lambda members: [member.value for member in members],
        ),
        nullable=nullable,
        server_default=server_default,
    )


def next_ids(session: Session, table: str, count: int) -> list[int]:
    """Ids for `count` new rows of the table (its primary key `id`), so a bulk insert can
    name them and needs no RETURNING (SQLAlchemy returns rows in order on SQLite only one
    row per statement). On SQLite the caller must be in a write transaction (BEGIN
    IMMEDIATE): no one else can take an id before its insert. So it takes the lock first."""
    if count <= 0:
        return []
    hold_write_lock(session)
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


def make_engine(
    url: str,
    *,
    pool_size: int | None = None,
    sqlite_connection: type[SQLiteConnection] = SQLiteConnection,
    sqlite_cache_mb: int = DEFAULT_SQLITE_CACHE_MB,
    **kwargs: Any,
) -> Engine:
    """The engine for a database URL. `pool_size`: connections kept (a few more are lent
    when all are taken); an in-memory SQLite database has one per thread instead.
    `sqlite_cache_mb`: SQLite's page cache per connection (MATCHA_SQLITE_CACHE_MB).
    `sqlite_connection`: a subclass for tests that must act at a precise moment of a
    transaction (tests/test_write_path.py)."""
    if pool_size is not None and make_url(url).database not in (None, "", ":memory:"):
        kwargs = {"pool_size": pool_size, "max_overflow": 4, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": BUSY_TIMEOUT_SECONDS,
                "factory": sqlite_connection,
            },
            **kwargs,
        )
        configure_sqlite(engine, cache_mb=sqlite_cache_mb)
    else:
        # PostgreSQL's JIT compiler is for long analytical queries: it starts above a
        # planner cost, and a page's query whose cost the planner overestimates (Min dag's
        # follow-ups: 300 found, 12,000 guessed) paid 40 ms of compiling for 5 ms of work.
        # Off for Matcha's connections only (libpq's startup option).
        options = kwargs.pop("connect_args", {})
        options = {**options, "options": f"{options.get('options', '')} -c jit=off".strip()}
        engine = create_engine(url, pool_pre_ping=True, connect_args=options, **kwargs)
    event.listen(engine, "handle_error", _refuse_unwritable)
    return engine


class RequestSession(Session):
    """A request's session: a commit whose connection broke under it (the server gone,
    the network cut) may have been stored or not, and says so (CommitUncertain) rather
    than failing as a 500 the user would take for "not saved" and send again."""

    def commit(self) -> None:
        try:
            super().commit()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            self.rollback()
            raise CommitUncertain(CommitUncertain.MESSAGE) from error


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. On SQLite every transaction starts reading and takes the
    write lock at its first write (SQLiteConnection): what a request reads or renders
    after its commit starts a reading transaction, which never waits for a writer.

    An async generator, so that closing it (which hands its connection back to the pool)
    runs in the event loop: closed in a worker thread, as a plain generator is, it waited
    for a free thread while every thread waited for a connection (a deadlock under load)."""
    session = RequestSession(request.app.state.engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
