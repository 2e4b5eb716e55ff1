"""SQLite's write lock taken only for the writes (SQLiteConnection): each transaction
reads from a snapshot and takes the lock at its first write, writers of one process queue
on one gate per file, and a connection gets its pragmas and the Swedish collation."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Connection, Engine, event
from sqlmodel import Session

from app.db_errors import is_busy, unwritable
from app.db_swedish import SWEDISH, swedish_collation
from app.errors import BUSY_MESSAGE, DatabaseBusy

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


def write_gate(database: str | None) -> threading.Lock:
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


# SQLite's page cache per connection, in MiB, unless the settings say otherwise.
DEFAULT_SQLITE_CACHE_MB = 64


def configure_sqlite(engine: Engine, *, cache_mb: int = DEFAULT_SQLITE_CACHE_MB) -> None:
    gate = write_gate(engine.url.database)

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
        # 64 MiB of page cache by default instead of SQLite's 2 MB: a list or export that
        # reads rows in index order jumps around the table, and each page missed is a read
        # from the OS. Pages are taken as they are read, so an idle connection costs little.
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
        cursor.close()
        dbapi_connection.create_collation(SWEDISH, swedish_collation)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # DEFERRED unless asked (sqlite_begin="IMMEDIATE"): see SQLiteConnection.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        raw_connection(connection).begin(mode)

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before_execute(
        connection: Connection, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> tuple[str, Any]:
        raw = raw_connection(connection)
        if raw.reading and writes(statement):
            raw.upgrade()
        return statement, parameters


def raw_connection(connection: Connection) -> SQLiteConnection:
    # Every connection of a SQLite engine is made by the SQLiteConnection factory.
    return cast(SQLiteConnection, connection.connection.dbapi_connection)


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
