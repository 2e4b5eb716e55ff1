"""Every route that saves, walked on a real SQLite file with the real app and its own
sessions (not the rolled-back test session), as a server runs it:

- No phantom writes: the moment a request commits its write, a colleague takes SQLite's
  write lock and keeps it until the answer is sent. The answer must still be a success:
  nothing a route does after its commit (rendering, reading, logging) may write or wait
  for the lock. Before app/db.py took the lock only for writes, a read after the commit
  started BEGIN IMMEDIATE, timed out and answered 500 for a call that was stored.
- Busy: with the lock held by a colleague from the start, the save answers 503 with
  Retry-After, writes nothing, and what the user typed is in the answer (the form shown
  again, or a page that sends it again); for htmx the form's own fields stay as typed and
  the message comes as the matcha:refused event (static/matcha.js).

Each route's request is in SAVES below; a route added later must be added there too.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from sqlmodel import Session

from app.auth import passwords, sessions
from app.auth.models import User
from app.cli import migrate
from app.clock import SettableClock
from app.config import Settings
from app.db import SQLiteConnection, make_engine
from app.db_sqlite import write_gate
from app.home import FALLBACK_PATH
from app.main import create_app
from app.models import metadata
from tests import databases
from tests.conftest import START, Client
from tests.factories import PASSWORD
from tests.world import make_world

pytestmark = pytest.mark.skipif(
    (databases.test_server_url() or "sqlite").split(":")[0] != "sqlite",
    reason="SQLite's write lock (the PostgreSQL run has no single writer)",
)

# How long the app waits for the lock in these tests (a server waits 5 s).
TEST_BUSY_TIMEOUT = 0.1


class Colleague:
    """Someone else saving: takes SQLite's write lock (and this process's write gate, as a
    colleague's request in the same server would) and holds it until released."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.armed = False
        self.holding: sqlite3.Connection | None = None
        self.gate: threading.Lock | None = None

    def take(self, gate: threading.Lock) -> None:
        assert self.holding is None
        gate.acquire()
        self.gate = gate
        self.holding = sqlite3.connect(
            self.path, timeout=5, isolation_level=None, check_same_thread=False
        )
        self.holding.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.armed = False
        if self.holding is not None:
            self.holding.execute("ROLLBACK")
            self.holding.close()
            self.holding = None
        if self.gate is not None:
            self.gate.release()
            self.gate = None


class ColleagueAfterCommit(SQLiteConnection):
    """The app's connection in these tests: waits TEST_BUSY_TIMEOUT for the lock, and when
    the colleague is armed, the colleague takes the lock the moment a write commits."""

    busy_timeout = TEST_BUSY_TIMEOUT
    colleague: Colleague | None = None

    def commit(self) -> None:
        wrote = self.writing
        super().commit()
        colleague = type(self).colleague
        if wrote and colleague is not None and colleague.armed and colleague.holding is None:
            colleague.take(self.gate)


@dataclass
class Save:
    """One route's request: form data (and files) from the world's samples, and who sends it."""

    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda _samples: {}
    files: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    user: str = "admin"
    # Values the user typed that a refused save must give back (default: every text value).
    typed: Callable[[dict[str, Any]], list[str]] | None = None
    signed_out: bool = False
    statuses: tuple[int, ...] = (200, 204, 303)
    notes: list[str] = field(default_factory=list)
    # Path parameters that must name another record of the world than the sample of the
    # same name (e.g. restore: {"company_id": the archived company}).
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # On a database without the world (no users, samples empty): /setup, which answers 404
    # once anyone exists, saves only there.
    empty_world: bool = False


NEW_PASSWORD = "nytt-lösenord-för-provet"
# The import's upload: a sheet the wizard reads (tests/world.py analyses one like it).
SHEET = "Företagsnamn;Ort\r\nNya Bolaget AB;Kiruna\r\n".encode()
# Users' passwords are never sent back: what the user typed is the rest.
NOT_PASSWORDS = ("username", "full_name", "email")


SAVES: dict[tuple[str, str], Save] = {
    ("POST", "/setup"): Save(
        lambda s: {
            "username": "forsta",
            "full_name": "Första Administratören",
            "email": "forsta@kommun.example",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        signed_out=True,
        empty_world=True,
        typed=lambda d: [d[name] for name in NOT_PASSWORDS],
    ),
    ("POST", "/login"): Save(
        lambda s: {"username": "broker", "password": PASSWORD},
        signed_out=True,
        typed=lambda d: [d["username"]],
    ),
    ("POST", "/logout"): Save(),
    ("POST", "/account/password"): Save(
        lambda s: {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        user="broker",
        typed=lambda d: [],  # only passwords
    ),
    ("POST", "/account/locale"): Save(lambda s: {"locale": "en"}, user="broker"),
    ("POST", "/account/csv-delimiter"): Save(lambda s: {"csv_delimiter": ","}, user="broker"),
    ("POST", "/account/calendar-feed"): Save(user="broker"),
    ("POST", "/account/calendar-feed/revoke"): Save(user="broker"),
    ("POST", "/today/follow-ups/{activity_id:int}/done"): Save(user="broker"),
    ("POST", "/today/follow-ups/{activity_id:int}/move"): Save(
        lambda s: {"follow_up_on": "2026-03-11"}, user="broker"
    ),
    ("POST", "/today/follow-ups/{activity_id:int}/log"): Save(
        lambda s: {"kind": "call", "notes": "Ringde om återkopplingen", "done": "1"},
        user="broker",
    ),
    ("POST", "/admin/users"): Save(
        lambda s: {
            "username": "nyanvandare",
            "full_name": "Ny Användare",
            "email": "ny.anvandare@kommun.example",
            "role": "broker",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        typed=lambda d: [d[name] for name in NOT_PASSWORDS],
    ),
    ("POST", "/admin/users/{user_id:int}/role"): Save(lambda s: {"role": "viewer"}),
    ("POST", "/admin/users/{user_id:int}/active"): Save(lambda s: {"active": "false"}),
    ("POST", "/admin/users/{user_id:int}/sso"): Save(
        lambda s: {"oidc_issuer": "https://login.example/tenant/v2.0", "oidc_subject": "oid-1"}
    ),
    ("POST", "/admin/users/{user_id:int}/password"): Save(
        lambda s: {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        typed=lambda d: [],  # only passwords
    ),
    ("POST", "/admin/checklist"): Save(
        lambda s: {"phase": "planning", "title": "Beställ fika till alla", "days_from_start": "-9"}
    ),
    ("POST", "/admin/checklist/{item_id:int}"): Save(
        lambda s: {"phase": "planning", "title": "Boka en större lokal", "days_from_start": "-23"}
    ),
    ("POST", "/admin/checklist/{item_id:int}/move"): Save(lambda s: {"direction": "down"}),
    ("POST", "/admin/checklist/{item_id:int}/delete"): Save(),
    ("POST", "/admin/income-support"): Save(lambda s: {"amount_per_month": "9500", "months": "6"}),
    ("POST", "/companies/{company_id:int}/merge"): Save(
        lambda s: {
            "other_id": str(s["other_company_id"]),
            "kept_version": str(s["company_version"]),
            "other_version": str(s["other_company_version"]),
        },
        user="broker",
    ),
    ("POST", "/admin/handover"): Save(
        lambda s: {"from_user_id": str(s["user_id"]), "to_user_id": str(s["admin_id"])}
    ),
    ("POST", "/companies/handover"): Save(
        lambda s: {"company_ids": str(s["other_company_id"]), "to_owner_id": str(s["admin_id"])}
    ),
    ("POST", "/companies"): Save(
        lambda s: {"name": "Nya Bygg AB", "city": "Umeå", "status": "prospect"}, user="broker"
    ),
    ("POST", "/companies/{company_id:int}"): Save(
        lambda s: {"name": "Provföretaget i Umeå AB", "city": "Umeå", "status": "active"},
        user="broker",
    ),
    ("POST", "/companies/{company_id:int}/archive"): Save(user="broker"),
    ("POST", "/companies/{company_id:int}/restore"): Save(
        params=lambda s: {"company_id": s["archived_company_id"]}
    ),
    ("POST", "/companies/{company_id:int}/contacts"): Save(
        lambda s: {
            "name": "Nya Personen",
            "title": "Platschef",
            "phone": "070-123 45 67",
            "email": "nya.personen@provforetaget.example",
        },
        user="broker",
    ),
    ("POST", "/contacts/{contact_id:int}"): Save(
        lambda s: {"name": "Prov Persson", "title": "Rekryterare", "phone": "090-12 34 56"},
        user="broker",
    ),
    ("POST", "/contacts/{contact_id:int}/delete"): Save(user="broker"),
    ("POST", "/contacts/{contact_id:int}/erase-history"): Save(
        user="broker", params=lambda s: {"contact_id": s["deleted_contact_id"]}
    ),
    ("POST", "/contacts/{contact_id:int}/erase"): Save(user="broker"),
    ("POST", "/companies/{company_id:int}/activities"): Save(
        lambda s: {"kind": "call", "notes": "Ringde om sommarjobb", "follow_up": "week"},
        user="broker",
    ),
    ("POST", "/companies/{company_id:int}/log"): Save(
        lambda s: {"kind": "call", "notes": "Ringde från listan", "follow_up": "next_week"},
        user="broker",
    ),
    ("POST", "/activities/{activity_id:int}"): Save(
        lambda s: {
            "kind": "call",
            "notes": "Ringde och bokade besök",
            "follow_up_on": "2026-03-10",
        },
        user="broker",
    ),
    ("POST", "/activities/{activity_id:int}/delete"): Save(user="broker"),
    ("POST", "/activities/{activity_id:int}/done"): Save(user="broker"),
    ("POST", "/companies/{company_id:int}/assignments"): Save(
        lambda s: {
            "occupation": "Diskare",
            "positions": "2",
            "workplace": "Restaurangen vid torget",
            "source_user_id": str(s["user_id"]),
        },
        user="broker",
    ),
    ("POST", "/assignments/{assignment_id:int}"): Save(
        lambda s: {
            "occupation": "Kock till lunchrestaurangen",
            "positions": "3",
            "source_user_id": str(s["user_id"]),
        },
        user="broker",
    ),
    ("POST", "/assignments/{assignment_id:int}/delete"): Save(user="broker"),
    ("POST", "/assignments/{assignment_id:int}/follow-ups/{follow_up_id:int}"): Save(
        lambda s: {"due_on": "2026-02-27", "ordinary_job": "1", "notes": "Fick fast jobb"},
        user="broker",
        params=lambda s: {"assignment_id": s["placed_assignment_id"]},
    ),
    ("POST", "/companies/{company_id:int}/agreements"): Save(
        lambda s: {"kind": "cooperation", "state": "draft", "notes": "Samverkan om lagerjobb"},
        user="broker",
    ),
    ("POST", "/agreements/{agreement_id:int}"): Save(
        lambda s: {"kind": "cooperation", "state": "draft", "notes": "Samverkan om kockar"},
        user="broker",
    ),
    ("POST", "/agreements/{agreement_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/profile"): Save(
        lambda s: {"occupation": "Truckförare", "licences": "B-körkort, truckkort"},
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/interventions"): Save(
        lambda s: {"kind": "internship", "title": "Praktik på lagret", "starts_on": "2026-05-04"},
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/interventions/{intervention_id:int}"): Save(
        lambda s: {"kind": "training", "title": "Truckkort A och B", "starts_on": "2026-04-13"},
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/interventions/{intervention_id:int}/delete"): Save(
        user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/assignments"): Save(
        lambda s: {"assignment_id": str(s["other_assignment_id"])}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/assignments/{assignment_id:int}/detach"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/events"): Save(
        lambda s: {"event_id": str(s["past_event_id"])}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/events/{event_id:int}/detach"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/agreements"): Save(
        lambda s: {"agreement_id": str(s["other_agreement_id"])}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/agreements/{agreement_id:int}/detach"): Save(user="broker"),
    # The results form as opened on the world's track: nothing counted yet.
    ("POST", "/tracks/{track_id:int}/results"): Save(
        lambda s: {"identified": "12", "started": "10", "seen": ",,,,,,;"}, user="broker"
    ),
    ("POST", "/assignments/{assignment_id:int}/status"): Save(
        lambda s: {"status": "searching", "from_status": "new"}, user="broker"
    ),
    ("POST", "/events"): Save(
        lambda s: {
            "title": "Vårens rekryteringsträff",
            # As the form shows a date and time again (app/dates.reading).
            "starts_at": "2026-04-15 09:00",
            "ends_at": "2026-04-15 12:00",
            "place": "Folkets hus",
            "owner_id": str(s["user_id"]),
        },
        user="broker",
    ),
    ("POST", "/events/{event_id:int}"): Save(
        lambda s: {
            "title": "Provträffen i stadshuset",
            "starts_at": "2026-03-16 09:00",
            "ends_at": "2026-03-16 13:00",
            "place": "Stadshuset",
            "owner_id": str(s["user_id"]),
        },
        user="broker",
    ),
    ("POST", "/events/{event_id:int}/status"): Save(
        lambda s: {"status": "recruiting", "from_status": "planning"}, user="broker"
    ),
    ("POST", "/events/{event_id:int}/delete"): Save(user="broker"),
    ("POST", "/events/{event_id:int}/companies"): Save(
        lambda s: {"company_id": str(s["other_company_id"])}, user="broker"
    ),
    ("POST", "/events/{event_id:int}/companies/{company_id:int}"): Save(
        lambda s: {"status": "confirmed", "contact_id": str(s["contact_id"])}, user="broker"
    ),
    ("POST", "/events/{event_id:int}/companies/{company_id:int}/delete"): Save(user="broker"),
    ("POST", "/events/{event_id:int}/assignments"): Save(
        lambda s: {"assignment_id": str(s["other_assignment_id"])}, user="broker"
    ),
    ("POST", "/events/{event_id:int}/assignments/{assignment_id:int}/delete"): Save(user="broker"),
    ("POST", "/events/{event_id:int}/outcome"): Save(
        lambda s: {
            "jobseekers_invited": "40",
            "jobseekers_attended": "31",
            "interviews": "12",
            "hires": "4",
        },
        user="broker",
        params=lambda s: {"event_id": s["past_event_id"]},
    ),
    ("POST", "/events/{event_id:int}/tasks"): Save(
        lambda s: {"phase": "planning", "title": "Beställ fika", "due_on": "2026-03-12"},
        user="broker",
    ),
    ("POST", "/events/{event_id:int}/tasks/{task_id:int}"): Save(
        lambda s: {"phase": "planning", "title": "Boka lokal i god tid", "due_on": "2026-03-05"},
        user="broker",
    ),
    ("POST", "/events/{event_id:int}/tasks/{task_id:int}/done"): Save(
        lambda s: {"done": "1"}, user="broker"
    ),
    ("POST", "/events/{event_id:int}/tasks/{task_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks"): Save(
        lambda s: {
            "name": "Undersköterska hösten 2026",
            "occupation": "Undersköterska",
            "places": "12",
            "coordinator_id": str(s["user_id"]),
            "planning_starts_on": "2026-04-01",
            "ends_on": "2026-12-15",
        },
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}"): Save(
        lambda s: {
            "name": "Provspåret i vården",
            "occupation": "Vårdbiträde",
            "places": "10",
            "coordinator_id": str(s["user_id"]),
        },
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/status"): Save(
        lambda s: {"status": "recruitment", "from_status": "planning"}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/companies"): Save(
        lambda s: {"company_id": str(s["other_company_id"])}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/companies/{company_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/contacts"): Save(
        lambda s: {"contact_id": str(s["partner_contact_id"])}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/contacts/{contact_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/tasks"): Save(
        lambda s: {
            "phase": "recruitment",
            "title": "Ring Arbetsförmedlingen",
            "due_on": "2026-04-12",
        },
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/tasks/{track_task_id:int}"): Save(
        lambda s: {"phase": "planning", "title": "Samordna med anordnarna", "due_on": "2026-03-05"},
        user="broker",
    ),
    ("POST", "/tracks/{track_id:int}/tasks/{track_task_id:int}/done"): Save(
        lambda s: {"done": "1"}, user="broker"
    ),
    ("POST", "/tracks/{track_id:int}/tasks/{track_task_id:int}/delete"): Save(user="broker"),
    ("POST", "/tracks/{track_id:int}/new-round"): Save(
        lambda s: {"planning_starts_on": "2026-09-01"}, user="broker"
    ),
    ("POST", "/imports"): Save(
        lambda s: {"kind": "companies"},
        files=lambda s: {"file": ("prov.csv", SHEET, "text/csv")},
        user="broker",
    ),
    ("POST", "/imports/{job_id:int}/options"): Save(
        lambda s: {"column": ["name", "city"], "duplicate_policy": "update", "step": "propose"},
        user="broker",
    ),
    ("POST", "/imports/{job_id:int}/sheet"): Save(lambda s: {"sheet": "Fler"}, user="broker"),
    ("POST", "/imports/{job_id:int}/queue"): Save(user="broker"),
    ("POST", "/imports/{job_id:int}/discard"): Save(user="broker"),
    ("POST", "/imports/{job_id:int}/undo"): Save(
        user="broker", params=lambda s: {"job_id": s["done_job_id"]}
    ),
}


def saving_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite://", secret_key="walk"))
    return [
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in sorted(context.methods or ())
        if method in {"POST", "PUT", "PATCH", "DELETE"} and context.path != FALLBACK_PATH
    ]


# POSTs that save nothing here: they send the browser on to the OpenID provider (linking
# an account; the link itself is saved by the GET it comes back to).
NOT_SAVING = {("POST", "/account/sso")}
ROUTES = [route for route in saving_routes() if route not in NOT_SAVING]


def test_every_saving_route_is_walked():
    missing = [route for route in ROUTES if route not in SAVES]
    assert not missing, f"add these routes to SAVES: {missing}"


@dataclass
class Templates:
    """Databases each test copies: migrated and empty, and with the world in it."""

    empty: Path
    world: Path
    samples: dict[str, Any]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    folder = tmp_path_factory.mktemp("write-path")
    empty, world = folder / "empty.db", folder / "world.db"
    migrate(f"sqlite:///{empty}")
    shutil.copy(empty, world)
    engine = make_engine(f"sqlite:///{world}")
    with Session(engine) as session:
        samples = make_world(session, SettableClock(START))["samples"]
    engine.dispose()  # the last connection closed: the WAL is folded into the file
    return Templates(empty, world, samples)


@dataclass
class Server:
    client: Client
    colleague: Colleague
    samples: dict[str, Any]
    path: Path
    engine: Any
    clock: SettableClock

    def sign_in(self, username: str) -> None:
        """A session as the login makes one (without its deliberately slow password check),
        its cookie in the client."""
        with Session(self.engine) as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            token, _ = sessions.start(
                user,
                session=session,
                clock=self.clock,
                policy=sessions.SessionPolicy(
                    idle=dt.timedelta(hours=2), absolute=dt.timedelta(hours=12)
                ),
                client_ip="testclient",
                user_agent="test",
            )
            session.commit()
        self.client.cookies.set(sessions.SESSION_COOKIE, token)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        with Session(self.engine) as session:
            return {
                table.name: [tuple(row) for row in session.execute(select(table)).all()]
                for table in metadata.sorted_tables
            }


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """One app and client for the module (building the app is most of a test's time);
    each test gives it its own database and clock."""
    folder = tmp_path_factory.mktemp("write-path-app")
    settings = Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'unused.db'}",
        secret_key="test-secret-key-not-for-production",
        trusted_proxies="",
        import_worker=False,
    )
    placeholder = make_engine(settings.database_url)
    app = create_app(settings, clock=SettableClock(START), engine=placeholder)
    with Client(app, follow_redirects=False) as client:
        yield client
    placeholder.dispose()


@pytest.fixture
def server(
    templates: Templates, client: Client, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """The app on a fresh copy of the database with the world in it; none (samples empty)
    when the walked route's Save asks for an empty_world."""
    route = request.node.callspec.params
    empty = SAVES[(route["method"], route["path"])].empty_world
    path = tmp_path / "matcha.db"
    shutil.copy(templates.empty if empty else templates.world, path)
    engine = make_engine(f"sqlite:///{path}", sqlite_connection=ColleagueAfterCommit)
    clock = SettableClock(START)
    app = client.app
    app.state.engine, app.state.clock = engine, clock  # type: ignore[attr-defined]
    client.cookies.clear()
    colleague = Colleague(path)
    ColleagueAfterCommit.colleague = colleague
    samples = {} if empty else dict(templates.samples)
    try:
        yield Server(client, colleague, samples, path, engine, clock)
    finally:
        colleague.release()
        ColleagueAfterCommit.colleague = None
        engine.dispose()


def fill(path: str, samples: dict[str, Any]) -> str:
    from tests.test_routes import path_with_samples

    return path_with_samples(path, samples)


def flat(values: Any) -> list[str]:
    """Form values, a list's (several fields of one name) one by one."""
    return [v for value in values for v in (value if isinstance(value, list) else [value])]


def sign_in(server: Server, save: Save) -> str:
    """Signs in as the route's user; the CSRF token its pages carry."""
    if not save.signed_out:
        server.sign_in(save.user)
    return server.client.csrf_token("/account" if not save.signed_out else "/login")


def send(server: Server, method: str, path: str, save: Save, token: str, *, htmx: bool):
    data = save.data(server.samples)
    headers = {"HX-Request": "true", "X-CSRF-Token": token} if htmx else {}
    form = data if htmx else {"csrf_token": token, **data}
    files = save.files(server.samples) if save.files else None
    params = {**server.samples, **(save.params(server.samples) if save.params else {})}
    response = server.client.request(
        method, fill(path, params), data=form, files=files, headers=headers
    )
    return data, response


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_save_answers_success_though_a_colleague_writes_right_after_its_commit(
    server, method, path, htmx
):
    save = SAVES[(method, path)]
    token = sign_in(server, save)
    server.colleague.armed = True
    try:
        _data, response = send(server, method, path, save, token, htmx=htmx)
        took_lock = server.colleague.holding is not None
    finally:
        server.colleague.release()
    assert response.status_code in save.statuses, (
        f"{method} {path} answered {response.status_code} after its commit"
        f" (phantom write?): {response.text[:300]}"
    )
    assert took_lock, f"{method} {path} committed no write: is its request in SAVES valid?"


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_save_refused_as_busy_writes_nothing_and_keeps_what_was_typed(server, method, path, htmx):
    save = SAVES[(method, path)]
    token = sign_in(server, save)
    before = server.rows()
    server.colleague.take(write_gate(str(server.path)))
    try:
        data, response = send(server, method, path, save, token, htmx=htmx)
    finally:
        server.colleague.release()
    assert response.status_code == 503, f"{method} {path}: {response.status_code}"
    assert response.headers.get("retry-after"), "503 says when to try again"
    assert server.rows() == before, f"{method} {path} wrote while refused"
    if htmx and "matcha:refused" in response.headers.get("hx-trigger", ""):
        # Not swapped: the form in the browser keeps its fields; the message goes into it.
        assert response.headers.get("hx-reswap") == "none"
        return
    if htmx:
        assert "HX-Request" in response.headers.get("vary", ""), "a form shown again says Vary"
    page = html.unescape(response.text)
    typed = save.typed(data) if save.typed else [v for v in flat(data.values()) if v]
    for value in typed:
        assert value in page, f"{method} {path}: {value!r} is not in the answer"


class WatchingHasher(PasswordHasher):
    """argon2-cffi's hasher, noting whether this process held SQLite's write lock (its
    write gate, app/db.py) each time a password was hashed or checked."""

    def __init__(self, gate: threading.Lock) -> None:
        super().__init__()
        self.gate = gate
        self.seen: list[bool] = []

    def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def, override]
        self.seen.append(self.gate.locked())
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # type: ignore[no-untyped-def, override]
        self.seen.append(self.gate.locked())
        return super().verify(hash, password)


PASSWORD_SAVES = [
    ("POST", "/setup"),
    ("POST", "/login"),
    ("POST", "/account/password"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{user_id:int}/password"),
]


@pytest.mark.parametrize(("method", "path"), PASSWORD_SAVES)
def test_no_password_is_hashed_while_the_write_lock_is_held(server, monkeypatch, method, path):
    """Login took the write lock when it looked the session up and held it through argon2
    (a noticeable moment of a core): every colleague's save waited for it."""
    watching = WatchingHasher(write_gate(str(server.path)))
    save = SAVES[(method, path)]
    token = sign_in(server, save)
    monkeypatch.setattr(passwords, "_hasher", watching)
    _data, response = send(server, method, path, save, token, htmx=False)
    assert response.status_code in save.statuses, response.text[:300]
    assert watching.seen, "the route hashed or checked no password"
    assert not any(watching.seen), f"{method} {path} hashed a password holding the write lock"
