"""When the database cannot take writes (its disk full, read-only) or its connections die:
saves answer 503 with a clear message and what was typed, pages keep working, /healthz
says so, and a connection the server cut is replaced without the user noticing."""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event, text

from app.cli import migrate
from app.clock import SettableClock
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from tests import databases
from tests.conftest import START, Client
from tests.factories import PASSWORD, make_company, make_user

ON_SQLITE = (databases.test_server_url() or "sqlite").split(":")[0] == "sqlite"
READ_ONLY = "databasen kan just nu bara läsas. Inget sparades"
FULL = "databasens disk är full. Inget sparades"


def app_on(engine: Engine, tmp_path: Path) -> FastAPI:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=str(engine.url),
        secret_key="test-secret-key-not-for-production",
        trusted_proxies="",
        import_worker=False,
    )
    return create_app(settings, clock=SettableClock(START), engine=engine)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "matcha.db"
    migrate(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    from sqlmodel import Session

    with Session(engine) as session:
        broker = make_user(session, SettableClock(START), username="anna")
        make_company(session, SettableClock(START), user=broker, name="Befintliga AB")
    engine.dispose()
    plain = sqlite3.connect(path, isolation_level=None)
    plain.execute("VACUUM")  # no free pages left: a save must grow the file
    plain.close()
    return path


def engine_where(path: Path, pragma: str) -> Engine:
    """The app's engine on the file, every connection told `pragma` as it opens."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        page_count = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(pragma.format(page_count=page_count))

    return engine


def save_is_refused_and_pages_work(app: FastAPI, message: str) -> None:
    with Client(app, follow_redirects=False) as client:
        # Signing in writes (a session row): on a database that takes no writes it is the
        # save refused, with the name typed kept.
        token = client.csrf_token("/login")
        refused = client.post(
            "/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD}
        )
        assert refused.status_code == 503
        assert message in html.unescape(refused.text)
        assert 'value="anna"' in refused.text  # the name typed is kept
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["database"] in ("read-only", "full")
        assert client.get("/healthz?write=1").status_code == 503


@pytest.mark.skipif(not ON_SQLITE, reason="a SQLite file")
def test_a_read_only_database_refuses_saves_and_keeps_serving_pages(sqlite_file, tmp_path):
    engine = engine_where(sqlite_file, "PRAGMA query_only=ON")
    app = app_on(engine, tmp_path)
    save_is_refused_and_pages_work(app, READ_ONLY)
    with Client(app) as client:
        health = client.get("/healthz").json()
        assert (health["status"], health["database"]) == ("degraded", "read-only")
    engine.dispose()


@pytest.mark.skipif(not ON_SQLITE, reason="a SQLite file")
def test_a_full_disk_refuses_a_save_with_what_was_typed_and_pages_keep_working(
    sqlite_file, tmp_path
):
    # Signed in while there is room; then the file may not grow by a page.
    roomy = make_engine(f"sqlite:///{sqlite_file}")
    app = app_on(roomy, tmp_path)
    with Client(app, follow_redirects=False) as client:
        client.login("anna", PASSWORD)
        cookies = dict(client.cookies)
    roomy.dispose()

    engine = engine_where(sqlite_file, "PRAGMA max_page_count={page_count}")
    app = app_on(engine, tmp_path)
    with Client(app, follow_redirects=False) as client:
        for name, value in cookies.items():
            client.cookies.set(name, value)
        assert client.get("/companies").status_code == 200  # reading goes on
        assert "Befintliga AB" in client.get("/companies").text
        token = client.csrf_token("/account")
        notes = "Lång anteckning om företaget. " * 300  # 9,000 characters: new pages
        refused = client.post(
            "/companies",
            data={"csrf_token": token, "name": "Fulla Disken AB", "notes": notes},
        )
        assert refused.status_code == 503
        page = html.unescape(refused.text)
        assert FULL in page
        assert 'value="Fulla Disken AB"' in page  # what was typed is in the form again
        health = client.get("/healthz")
        assert health.status_code == 200
        assert client.get("/healthz?write=1").json()["database"] == "full"
        assert client.get("/healthz?write=1").status_code == 503
    engine.dispose()
    check = make_engine(f"sqlite:///{sqlite_file}")
    with check.connect() as connection:
        names = connection.execute(text("SELECT name FROM company")).scalars().all()
    check.dispose()
    assert names == ["Befintliga AB"]


@pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL's server-side connections")
def test_connections_the_server_cut_are_replaced_without_the_user_noticing(database_url, tmp_path):
    engine = make_engine(
        database_url, pool_size=4, connect_args={"application_name": "matcha-faults-test"}
    )
    app = app_on(engine, tmp_path)
    with Client(app, follow_redirects=False) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code in (200, 303)
        admin = make_engine(database_url)
        with admin.connect() as connection:
            cut = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND application_name = 'matcha-faults-test'"
                )
            ).scalar()
        admin.dispose()
        assert cut >= 1
        for path in ("/healthz", "/login", "/healthz"):
            assert client.get(path).status_code in (200, 303), path
    engine.dispose()


@pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL's server-side connections")
def test_a_save_whose_commit_lost_the_connection_says_to_look_before_saving_again(tmp_path):
    """The connection dies as the save is committed: it may or may not be stored, so the
    user is sent to the page to look, and is not offered to send it again blindly."""
    with databases.throwaway_database(tmp_path / "db") as database_url:
        migrate(database_url)
        commit_lost_the_connection(database_url, tmp_path)


def commit_lost_the_connection(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url, connect_args={"application_name": "matcha-commit-test"})
    from sqlmodel import Session

    with Session(engine) as session:
        broker = make_user(session, SettableClock(START), username="anna")
        company = make_company(session, SettableClock(START), user=broker, name="Avbrutna AB")
        company_path = f"/companies/{company.id}"
    armed: list[bool] = []

    @event.listens_for(engine, "commit")
    def _cut(connection: Any) -> None:
        # Just before COMMIT goes to the server, the server ends this connection.
        if not armed:
            return
        armed.clear()
        pid = connection.connection.dbapi_connection.info.backend_pid
        admin = make_engine(database_url)
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()

    app = app_on(engine, tmp_path)
    with Client(app, follow_redirects=False) as client:
        client.login("anna", PASSWORD)
        page_url = f"http://testserver{company_path}"
        for htmx in (False, True):
            token = client.csrf_token(company_path)
            headers = {"Referer": page_url}
            if htmx:
                headers |= {"HX-Request": "true", "HX-Current-URL": page_url}
            armed.append(True)
            answer = client.post(
                f"{company_path}/activities",
                data={"csrf_token": token, "kind": "call", "notes": f"Avbrutet samtal {htmx}"},
                headers=headers,
            )
            assert answer.status_code == 503
            assert "Retry-After" not in answer.headers, answer.text
            if htmx:
                trigger = json.loads(answer.headers["HX-Trigger"])["matcha:refused"]
                assert "Det är oklart om det du sparade kom fram" in trigger["message"]
                assert trigger["href"] == company_path
            else:
                page = html.unescape(answer.text)
                assert "Det är oklart om det du sparade kom fram" in page
                assert f'<a href="{company_path}">Öppna sidan igen och se efter</a>' in page
                assert "Skicka igen" not in page  # never sent again blindly
            # The next request gets a fresh connection; the page shows what is stored.
            shown = client.get(company_path)
            assert shown.status_code == 200
            assert f"Avbrutet samtal {htmx}" not in shown.text  # the server never committed
    event.remove(engine, "commit", _cut)
    engine.dispose()
