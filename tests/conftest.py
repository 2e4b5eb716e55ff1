"""Fixtures for the whole suite: a migrated real database, a rolled-back session per test,
the app wired to both, a settable clock, and an HTTP client that speaks CSRF."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.cli import migrate
from app.clock import STOCKHOLM, SettableClock
from app.config import Settings
from app.db import get_session, make_engine
from app.main import create_app
from tests.databases import throwaway_database
from tests.factories import PASSWORD, make_company, make_user

# The OpenID provider for the sign-in tests (a Node process, started once per session when a
# test asks for it): imported here so that every test can use its fixtures.
from tests.oidc.provider import (  # noqa: F401
    oidc_provider,
    oidc_provider_factory,
    other_oidc_provider,
)

# A Monday morning in Stockholm; tests move the clock when the date matters.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    The app's own commits only release savepoints (SQLAlchemy's "join an external
    transaction" recipe), so each test starts from the migrated, empty database.
    """
    # The test's own transaction writes from the start (on SQLite: BEGIN IMMEDIATE).
    connection = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        trusted_proxies="",
        # Tests run import jobs themselves (app/imports/jobs.run).
        import_worker=False,
    )


@pytest.fixture
def app(settings: Settings, clock: SettableClock, engine: Engine, session: Session) -> FastAPI:
    app = create_app(settings, clock=clock, engine=engine)
    app.dependency_overrides[get_session] = lambda: session
    return app


class Client(TestClient):
    """TestClient that finds the page's CSRF token and sends it, like a browser form."""

    def csrf_token(self, path: str = "/login") -> str:
        page = self.get(path, follow_redirects=True)
        return csrf_token_in(page.text)

    def post_form(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        token_from: str = "/login",
        **kwargs,
    ):  # type: ignore[no-untyped-def]
        form = {"csrf_token": self.csrf_token(token_from), **(data or {})}
        return self.post(path, data=form, **kwargs)

    def login(self, username: str, password: str) -> None:
        response = self.post_form("/login", {"username": username, "password": password})
        assert response.status_code == 303, response.text


def csrf_token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html) or re.search(
        r'"X-CSRF-Token": "([0-9a-f]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def client(app: FastAPI) -> Iterator[Client]:
    with Client(app, follow_redirects=False) as client:
        yield client


# --- a signed-in broker and a company of theirs (a package or module may have its own) ----


@pytest.fixture
def bo(client, session, clock):
    """Bo Ek, a broker, signed in on `client`."""
    user = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    return user


@pytest.fixture
def company(session, clock, bo):
    """Ängelholms Bygg AB, registered by Bo."""
    return make_company(session, clock, user=bo, name="Ängelholms Bygg AB")
