"""SQLite's one write lock (app/db.py, SQLiteConnection): taken at a transaction's first
write and held until its commit; reads never wait for it; a write that cannot get it is
refused as DatabaseBusy with nothing written. Real database files, real connections."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import hold_write_lock, make_engine, without_waiting, writes
from app.errors import DatabaseBusy


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "lock.db"


@pytest.fixture
def sqlite_engine(db_file: Path) -> Engine:
    engine = make_engine(f"sqlite:///{db_file}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (0)"))
    yield engine
    engine.dispose()


def other_process(db_file: Path) -> sqlite3.Connection:
    """A connection that shares nothing with the engine, as another process would: no wait
    for a lock (timeout 0), so a lock held by the engine shows as an error at once."""
    return sqlite3.connect(db_file, timeout=0, isolation_level=None)


def count(connection) -> int:  # type: ignore[no-untyped-def]
    return connection.execute(text("SELECT count(*) FROM t")).scalar_one()


def test_a_transaction_takes_the_write_lock_at_its_first_write_not_before(sqlite_engine, db_file):
    other = other_process(db_file)
    with sqlite_engine.begin() as connection:
        assert count(connection) == 1  # reading: the lock stays free
        other.execute("BEGIN IMMEDIATE")  # would fail at once if the engine held it
        other.execute("INSERT INTO t VALUES (1)")
        other.execute("COMMIT")
        # The first write ends the reading snapshot and starts a writing one: it neither
        # fails (SQLITE_BUSY_SNAPSHOT) nor misses the row committed meanwhile.
        connection.execute(text("INSERT INTO t VALUES (2)"))
        assert count(connection) == 3
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # now the engine holds it, until the commit
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_reads_never_wait_for_the_writer(sqlite_engine, db_file):
    writer = other_process(db_file)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    # Were the read to ask for the lock it would wait out the busy timeout and fail.
    with Session(sqlite_engine) as session:
        assert count(session) == 1
    writer.execute("COMMIT")
    writer.close()


def held_for_a_moment(db_file: Path, seconds: float = 1.0) -> threading.Thread:
    """Another process's write lock, held from now for `seconds`."""
    holder = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(seconds)
        holder.execute("ROLLBACK")
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_a_write_waits_for_the_lock_within_the_busy_timeout(sqlite_engine, db_file):
    releasing = held_for_a_moment(db_file)
    with Session(sqlite_engine) as session:
        session.execute(text("INSERT INTO t VALUES (7)"))  # waits for the release, then writes
        session.commit()
    releasing.join()
    with Session(sqlite_engine) as session:
        assert count(session) == 2


def test_housekeeping_does_not_wait_and_a_refused_write_leaves_nothing(sqlite_engine, db_file):
    """Without waiting, a write that finds the lock taken is DatabaseBusy at once: had it
    waited, it would have got the lock a second later and written."""
    releasing = held_for_a_moment(db_file)
    with Session(sqlite_engine) as session:
        assert count(session) == 1
        with without_waiting(session), pytest.raises(DatabaseBusy) as refused:
            session.execute(text("INSERT INTO t VALUES (7)"))
        assert refused.value.http_status == 503
        session.rollback()
    releasing.join()
    with Session(sqlite_engine) as session:  # the connection went back to the pool usable
        session.execute(text("INSERT INTO t VALUES (8)"))
        session.commit()
        assert session.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [0, 8]


def test_writers_of_one_process_queue_for_the_lock_and_all_land(sqlite_engine):
    """Two read-modify-writes at once, each taking the lock before it reads (as next_ids
    does): the second waits for the first's commit and builds on it."""
    errors: list[Exception] = []
    first_has_read = threading.Event()

    def increment(pause: float) -> None:
        try:
            with Session(sqlite_engine) as session:
                hold_write_lock(session)
                n = session.execute(text("SELECT max(n) FROM t")).scalar_one()
                first_has_read.set()
                time.sleep(pause)
                session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n + 1})
                session.commit()
        except Exception as error:
            errors.append(error)

    slow = threading.Thread(target=increment, args=(0.3,))
    slow.start()
    assert first_has_read.wait(timeout=5)
    fast = threading.Thread(target=increment, args=(0,))
    fast.start()
    slow.join()
    fast.join()
    assert errors == []
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [0, 1, 2]


def test_a_savepoint_takes_the_write_lock(sqlite_engine, db_file):
    other = other_process(db_file)
    with Session(sqlite_engine) as session:
        assert count(session) == 1
        with session.begin_nested():
            assert count(session) == 1  # SQLAlchemy emits the SAVEPOINT with this statement
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            session.execute(text("INSERT INTO t VALUES (1)"))
        session.commit()
    assert other.execute("SELECT count(*) FROM t").fetchone() == (2,)
    other.close()


def test_which_statements_write():
    assert not writes("SELECT 1")
    assert not writes("  select * from company")
    assert not writes("WITH due AS (SELECT 1) SELECT * FROM due")
    assert not writes("PRAGMA table_info(company)")
    assert not writes("SELECT updated_at, deleted_by FROM company")  # names, not keywords
    for statement in (
        "INSERT INTO t VALUES (1)",
        "UPDATE company SET name = ?",
        "DELETE FROM company",
        "REPLACE INTO t VALUES (1)",
        "SAVEPOINT sa_savepoint_1",
        "CREATE TABLE x (n INTEGER)",
        "WITH gone AS (SELECT id FROM company) DELETE FROM tag WHERE id IN gone",
    ):
        assert writes(statement), statement
