"""Throwaway databases for tests: a SQLite file, or a fresh database on a PostgreSQL server.

TEST_DATABASE_URL picks the engine. Unset: SQLite. A PostgreSQL URL names a server (and
a database to connect to for administration); each test run creates its own database
there and drops it afterwards, so runs never share state.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def test_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url or None


@contextmanager
def throwaway_database(tmp_dir: Path, name: str = "matcha") -> Iterator[str]:
    """Yields the URL of an empty database that is removed afterwards."""
    server = test_server_url()
    if server is None or server.startswith("sqlite"):
        yield f"sqlite:///{tmp_dir / (name + '.db')}"
        return
    database = f"{name}_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(server).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
