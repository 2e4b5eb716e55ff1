"""The database layer on the engine under test: Swedish order, UTC instants, SQLite pragmas."""

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text

from app.clock import STOCKHOLM
from app.db import in_swedish_order, swedish_sort_key
from tests.factories import make_user

SWEDISH_ORDER = [
    "alfa",
    "Bravo",
    "Émile",
    "Eva",
    "Xylem",
    "yxa",
    "Zeta",
    "zorro",
    "Åby",
    "åsa",
    "Ärla",
    "Öst",
    "östra",
]


def test_text_sorts_in_swedish_order_in_the_database(session):
    scratch = MetaData()
    words = Table(
        "tmp_words",
        scratch,
        Column("id", Integer, primary_key=True),
        Column("word", String(50)),
        prefixes=["TEMPORARY"],
    )
    words.create(session.connection())
    shuffled = SWEDISH_ORDER[::-1][1::2] + SWEDISH_ORDER[::-1][0::2]
    session.execute(insert(words), [{"word": w} for w in shuffled])
    result = session.execute(select(words.c.word).order_by(in_swedish_order(words.c.word)))
    assert [row[0] for row in result] == SWEDISH_ORDER


def test_python_sort_key_matches_swedish_order():
    assert sorted(reversed(SWEDISH_ORDER), key=swedish_sort_key) == SWEDISH_ORDER


def test_instants_are_stored_in_utc_and_come_back_aware(session, clock):
    # 00:30 in Stockholm on 3 March is still 2 March in UTC.
    clock.set(dt.datetime(2026, 3, 3, 0, 30, tzinfo=STOCKHOLM))
    user = make_user(session, clock)
    raw = session.execute(
        text("SELECT created_at FROM user_account WHERE id = :id"), {"id": user.id}
    ).scalar_one()
    raw_text = raw.isoformat(sep=" ") if isinstance(raw, dt.datetime) else str(raw)
    assert raw_text.startswith("2026-03-02 23:30")
    session.expire_all()
    assert user.created_at == dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert user.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(session, clock):
    user = make_user(session, clock)
    user.created_at = dt.datetime(2026, 1, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    session.add(user)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
    session.rollback()


def test_sqlite_connections_use_wal_foreign_keys_a_busy_timeout_and_a_page_cache(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        # Negative: KiB. 64 MiB of page cache rather than the default 2 MB (app/db.py).
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
        # Deleted rows are overwritten, not left readable in free pages (GDPR erasure).
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_postgresql_has_the_icu_collation(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL collation")
    with engine.connect() as connection:
        provider = connection.execute(
            text("SELECT collprovider FROM pg_collation WHERE collname = 'swedish'")
        ).scalar_one()
    assert provider == "i"


def test_postgresql_connections_do_not_compile_queries_just_in_time(engine):
    """JIT compiling costs tens of milliseconds, more than a page's queries take: a query
    the planner overestimates (Min dag's follow-ups) would pay it on every request."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
