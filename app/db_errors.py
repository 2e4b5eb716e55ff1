"""What a driver's error means: SQLite busy (locked), or a database that takes no writes
(full or read-only, on SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3

from app.errors import DatabaseUnwritable


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
