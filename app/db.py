"""The database: engine for SQLite or PostgreSQL, naming convention, Swedish order, sessions,
and SQLite's write lock taken only for the writes (SQLiteConnection)."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Enum,
    Integer,
    create_engine,
    event,
)
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ColumnElement, collate
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from app.errors import BUSY_MESSAGE, CommitUncertain, DatabaseBusy, DatabaseUnwritable
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


# How long a write waits for SQLite's single write lock before it gives up and the user is
# asked to try again (DatabaseBusy, HTTP 503). Writes hold the lock for milliseconds.
BUSY_TIMEOUT_SECONDS = 5.0

# Statements that only read. Anything else (INSERT, UPDATE, DELETE, SAVEPOINT, DDL, ...)
# is taken to write: a statement wrongly taken to write only takes the lock early.
_READ_ONLY = re.compile(r"\s*(SELECT|PRAGMA|EXPLAIN|VALUES)\b", re.IGNORECASE)
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_DML_KEYWORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b")


def writes(statement: str) -> bool:
    """Whether a statement may change the database (and so needs the write lock)."""
    if _READ_ONLY.match(statement):
        return False
    if _WITH.match(statement):
        return _DML_KEYWORD.search(statement) is not None
    return True


_gates: dict[str, threading.Lock] = {}
_gates_lock = threading.Lock()


def _write_gate(database: str | None) -> threading.Lock:
    """One lock per database file for all engines of this process: writers of one process
    queue on it and are handed the write lock at once, instead of polling SQLite's busy
    handler (which sleeps up to 100 ms between tries and lets a newcomer overtake)."""
    if not database or database == ":memory:":
        return threading.Lock()
    key = os.path.realpath(database)
    with _gates_lock:
        return _gates.setdefault(key, threading.Lock())


class SQLiteConnection(sqlite3.Connection):
    """A pysqlite connection that takes the write lock only when it writes.

    Every transaction starts DEFERRED (a snapshot to read from; in WAL mode readers never
    wait for the writer). The first statement that writes ends that read transaction
    (nothing was written in it) and starts BEGIN IMMEDIATE in its place, so the write lock
    is held from the first write to the commit: milliseconds, never through password
    hashing, file parsing or rendering done before. What was read before sees the database
    as it was then; writes guard against that as they must on PostgreSQL (READ COMMITTED):
    row versions, constraints and UPDATEs computed in SQL.

    Upgrading the read transaction in place instead would fail at once (SQLITE_BUSY_SNAPSHOT,
    no busy timeout helps) whenever anyone wrote since it began.
    """

    gate: threading.Lock
    busy_timeout: float = BUSY_TIMEOUT_SECONDS
    reading = False  # in a DEFERRED transaction of ours, nothing written yet
    writing = False  # in an IMMEDIATE transaction, holding the gate
    _changes_at_begin = 0

    def begin(self, mode: str) -> None:
        if mode == "IMMEDIATE":
            self._begin_writing()
            return
        self.execute("BEGIN DEFERRED")
        self.reading = True
        self._changes_at_begin = self.total_changes

    def upgrade(self) -> None:
        """Swaps the read transaction for a write transaction (see the class)."""
        if self.total_changes != self._changes_at_begin:
            raise RuntimeError("a write went unnoticed in a reading transaction")
        sqlite3.Connection.rollback(self)
        self.reading = False
        self._begin_writing()

    def _begin_writing(self) -> None:
        wait = self.busy_timeout
        if not (self.gate.acquire(timeout=wait) if wait > 0 else self.gate.acquire(False)):
            raise DatabaseBusy(BUSY_MESSAGE)
        try:
            if wait != BUSY_TIMEOUT_SECONDS:  # another process may hold the lock too
                self.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            try:
                self.execute("BEGIN IMMEDIATE")
            finally:
                if wait != BUSY_TIMEOUT_SECONDS:
                    self.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        except sqlite3.OperationalError as error:
            self.gate.release()
            if is_busy(error):
                raise DatabaseBusy(BUSY_MESSAGE) from error
            refusal = unwritable(error)
            if refusal is not None:
                raise refusal from error
            raise
        self.writing = True

    def _ended(self) -> None:
        self.reading = False
        if self.writing:
            self.writing = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._ended()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._ended()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._ended()


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY) or "table is locked" (SQLITE_LOCKED)."""
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    return isinstance(original, sqlite3.OperationalError) and (
        code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        or (code is None and "locked" in str(original))
    )


# SQLSTATEs of PostgreSQL (disk_full, read_only_sql_transaction) and primary result codes
# of SQLite (SQLITE_FULL, SQLITE_READONLY) that say the database takes no writes.
_PG_FULL, _PG_READ_ONLY = "53100", "25006"
_SQLITE_FULL, _SQLITE_READ_ONLY = 13, 8


def unwritable(error: BaseException) -> DatabaseUnwritable | None:
    """The database-takes-no-writes error a driver raised, as the refusal users see."""
    original = getattr(error, "orig", error)
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF  # extended codes keep the primary code in the low byte
        if primary == _SQLITE_FULL:
            return DatabaseUnwritable(DatabaseUnwritable.FULL)
        if primary == _SQLITE_READ_ONLY:
            return DatabaseUnwritable(DatabaseUnwritable.READ_ONLY)
        return None
    state = getattr(original, "sqlstate", None)
    if state == _PG_FULL:
        return DatabaseUnwritable(DatabaseUnwritable.FULL)
    if state == _PG_READ_ONLY:
        return DatabaseUnwritable(DatabaseUnwritable.READ_ONLY)
    return None


def _refuse_unwritable(context: Any) -> None:
    """A write the database cannot take is a refusal the services pass on (a DomainError,
    503) and the routes show in the form, not a 500."""
    refusal = unwritable(context.original_exception)
    if refusal is not None:
        raise refusal from context.original_exception


def _configure_sqlite(engine: Engine) -> None:
    gate = _write_gate(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: SQLiteConnection, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINTs work (SQLAlchemy docs).
        dbapi_connection.isolation_level = None
        dbapi_connection.gate = gate
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # What is deleted is overwritten with zeros in the file, not left in free pages
        # where a copy of the file would still hold it (GDPR erasure; see the README on
        # what the WAL and backups keep, and for how long).
        cursor.execute("PRAGMA secure_delete=ON")
        # 64 MiB of page cache instead of SQLite's 2 MB: a list or export that reads rows in
        # index order jumps around the table, and each page missed is a read from the OS.
        # Pages are taken as they are read, so an idle connection costs nothing.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()
        dbapi_connection.create_collation(SWEDISH, _swedish_collation)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # DEFERRED unless asked (sqlite_begin="IMMEDIATE"): see SQLiteConnection.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        _raw(connection).begin(mode)

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before_execute(
        connection: Connection, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> tuple[str, Any]:
        raw = _raw(connection)
        if raw.reading and writes(statement):
            raw.upgrade()
        return statement, parameters


def _raw(connection: Connection) -> SQLiteConnection:
    return connection.connection.dbapi_connection  # type: ignore[return-value]


def _sqlite_connection(session: Session) -> SQLiteConnection | None:
    """The pysqlite connection under the session's transaction (None on PostgreSQL)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    raw = session.connection().connection.dbapi_connection
    return raw if isinstance(raw, SQLiteConnection) else None


def hold_write_lock(session: Session) -> None:
    """Takes SQLite's write lock now, before a read whose answer the coming writes rely on
    (e.g. the next free ids). Does nothing on PostgreSQL."""
    raw = _sqlite_connection(session)
    if raw is not None and raw.reading:
        raw.upgrade()


@contextlib.contextmanager
def without_waiting(session: Session) -> Iterator[None]:
    """Writes in this block do not wait for the write lock: busy means DatabaseBusy at once.
    For housekeeping that a request does in passing and that the next request can do."""
    raw = _sqlite_connection(session)
    if raw is None:
        yield
        return
    waited, raw.busy_timeout = raw.busy_timeout, 0
    try:
        yield
    finally:
        raw.busy_timeout = waited


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
            raw = _raw(connection)
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


def enum_column(enum_type: type[enum.StrEnum], name: str, *, nullable: bool = False) -> Column:
    """A column of a string enum, stored as its values ("1-9", not the Python name
    "micro") in a VARCHAR with a CHECK, the same on SQLite and PostgreSQL."""
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
    **kwargs: Any,
) -> Engine:
    """The engine for a database URL. `pool_size`: connections kept (a few more are lent
    when all are taken); an in-memory SQLite database has one per thread instead.
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
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
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
