"""`make bench` (python -m bench): seeds the 50k demo data once into bench/.cache/, then
measures each page's server time in-process with the real app, a database-free baseline
page with the same layout, and the CSV export of all contacts. See docs/benchmarks.md."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import sqlite3
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from jinja2 import DictLoader, Environment
from sqlalchemy import Engine, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import make_url

from app import seed as demo
from app.activities.models import Activity
from app.assignments.models import Assignment
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.cli import migrate
from app.clock import SystemClock, to_local
from app.companies.models import Company
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.events.models import EventAssignment, EventCompany, EventTask, RecruitmentEvent
from app.main import create_app
from app.tracks.models import Intervention, JobTrack
from bench import imports, overhttp

CACHE = Path(__file__).parent / ".cache"
# Raise when app/seed/ starts making other data (3: recruitment events).
SEED_VERSION = 3
# The event page is measured at the size the issue names (docs/benchmarks.md).
BIG_EVENT = {"companies": 50, "assignments": 30, "tasks": 40}
COMPANIES = 50_000
PASSWORD = "benchmark-password"  # noqa: S105 (a throwaway database under bench/.cache)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class ServerTimer:
    """ASGI wrapper: the time from the request's arrival to the last byte of the response,
    so the test client's own overhead is not counted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        started = time.perf_counter()

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - started

        await self.app(scope, receive, timed_send)


class StatementCounter:
    """Counts statements, and keeps each one's time in the latest request for --statements."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.timings: list[tuple[str, float]] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self.count += 1
        self._started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.timings.append((statement, time.perf_counter() - self._started))


def cached_database(companies: int) -> str:
    """The seeded database, built once (a few minutes) and reused."""
    CACHE.mkdir(exist_ok=True)
    # The seed's version is in the name: a seed that makes other data gets a new file.
    path = CACHE / f"matcha-{companies // 1000}k-seed{SEED_VERSION}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        migrate(url)  # a cache from before the latest migrations (indexes) catches up
        return url
    partial = path.with_suffix(".partial.db")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    seed_into(f"sqlite:///{partial}", companies)
    # A plain connection: the app's engine opens every transaction itself (BEGIN), and
    # SQLite refuses a checkpoint inside a transaction.
    with contextlib.closing(sqlite3.connect(partial)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(path)
    return url


def seed_into(url: str, companies: int) -> None:
    """Migrates an empty database and seeds the benchmark's data into it (the seed number
    is the company count: the same data on every engine). On PostgreSQL it is then
    vacuumed and analysed, as autovacuum leaves a database in use: the planner's statistics,
    and the visibility map without which an index-only scan reads the table too (the
    reports' counts took 3× as long on a freshly loaded database)."""
    migrate(url)
    engine = make_engine(url)
    started = time.perf_counter()
    report = demo.seed(
        engine,
        companies=companies,
        seed=companies,
        clock=SystemClock(),
        progress=lambda message: print(f"\r  seeding: {message}", end="", flush=True),
    )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()
    print(
        f"\nseeded {report.companies} companies, {report.contacts} contacts, "
        f"{report.activities} activities, {report.assignments} assignments, "
        f"{report.events} events "
        f"in {time.perf_counter() - started:.0f} s"
    )


def postgres_url(url: str) -> str | None:
    """DATABASE_URL when it names a PostgreSQL server (as the app reads it), else None."""
    if not url.startswith(("postgres://", "postgresql")):
        return None
    return Settings(database_url=url).database_url


@contextlib.contextmanager
def postgres_database(server_url: str, companies: int) -> Iterator[str]:
    """A database of its own on that PostgreSQL server for this run, seeded as the SQLite
    cache is (the same seed, so the same data) and analysed; dropped afterwards."""
    name = f"matcha_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        seed_into(url, companies)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_user(engine: Engine) -> tuple[str, int]:
    """The first seeded broker, with a password the benchmark knows; and a company of theirs
    with a typical timeline."""
    with engine.begin() as connection:
        user_id, username = connection.execute(
            select(User.id, User.username).where(User.role == Role.broker).order_by(User.id)  # type: ignore[arg-type]
        ).first()
        connection.execute(
            update(User).where(User.id == user_id).values(password_hash=hash_password(PASSWORD))  # type: ignore[arg-type]
        )
        company_id = connection.execute(
            select(Activity.company_id)
            .group_by(Activity.company_id)
            .having(func.count() >= 12)
            .order_by(Activity.company_id)
            .limit(1)
        ).scalar_one()
    return username, company_id


def busiest_municipality(engine: Engine) -> str:
    """The municipality with the most companies: the reports' slowest filter."""
    with engine.connect() as connection:
        return str(
            connection.execute(
                select(Company.municipality)
                .where(Company.municipality.is_not(None))  # type: ignore[union-attr]
                .group_by(Company.municipality)
                .order_by(func.count().desc())
                .limit(1)
            ).scalar_one()
        )


def a_track(engine: Engine) -> int:
    """The seeded job track with the most on its page (insatser, then employers)."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(JobTrack.id)
                .outerjoin(Intervention, Intervention.track_id == JobTrack.id)  # type: ignore[arg-type]
                .group_by(JobTrack.id)
                .order_by(func.count(Intervention.id).desc(), JobTrack.id)  # type: ignore[arg-type]
                .limit(1)
            ).scalar_one()
        )


def big_event(engine: Engine) -> tuple[int, str]:
    """The seeded event closest to today, grown to BIG_EVENT's size (once: the cache keeps
    it), and its month for the calendar ("2026-11")."""
    with engine.begin() as connection:
        event_id, starts_at = connection.execute(
            select(RecruitmentEvent.id, RecruitmentEvent.starts_at)
            .where(RecruitmentEvent.starts_at >= dt.datetime.now(dt.UTC))
            .order_by(RecruitmentEvent.starts_at)
            .limit(1)
        ).one()
        taking_part = set(
            connection.execute(
                select(EventCompany.company_id).where(EventCompany.event_id == event_id)
            ).scalars()
        )
        missing = BIG_EVENT["companies"] - len(taking_part)
        if missing > 0:
            extra = connection.execute(
                select(Company.id).where(Company.id.not_in(taking_part)).limit(missing)  # type: ignore[union-attr]
            ).scalars()
            now = starts_at
            connection.execute(
                insert(EventCompany),
                [
                    {"event_id": event_id, "company_id": company_id, "status": "invited",
                     "created_at": now, "updated_at": now, "version": 1}
                    for company_id in extra
                ],
            )  # fmt: skip
            taking_part = set(
                connection.execute(
                    select(EventCompany.company_id).where(EventCompany.event_id == event_id)
                ).scalars()
            )
        presented = set(
            connection.execute(
                select(EventAssignment.assignment_id).where(EventAssignment.event_id == event_id)
            ).scalars()
        )
        missing = BIG_EVENT["assignments"] - len(presented)
        if missing > 0:
            extra = connection.execute(
                select(Assignment.id)
                .where(Assignment.company_id.in_(taking_part), Assignment.id.not_in(presented))  # type: ignore[attr-defined,union-attr]
                .limit(missing)
            ).scalars()
            rows = [{"event_id": event_id, "assignment_id": a, "hires": 0} for a in extra]
            if rows:
                connection.execute(insert(EventAssignment), rows)
        tasks = connection.execute(
            select(func.count()).select_from(EventTask).where(EventTask.event_id == event_id)
        ).scalar_one()
        if tasks < BIG_EVENT["tasks"]:
            connection.execute(
                insert(EventTask),
                [
                    {"event_id": event_id, "phase": "execution", "title": f"Extra punkt {n}",
                     "position": 100 + n, "created_at": starts_at, "updated_at": starts_at,
                     "version": 1}
                    for n in range(BIG_EVENT["tasks"] - tasks)
                ],
            )  # fmt: skip
    return event_id, to_local(starts_at).strftime("%Y-%m")


def measure(
    client: TestClient,
    timer: ServerTimer,
    path: str,
    *,
    counter: StatementCounter | None = None,
    requests: int = 50,
) -> tuple[float, float, int]:
    # A fragment htmx asks for (the header search's suggestions) says so, as htmx does.
    headers = {"HX-Request": "true"} if path.startswith("/search/") else {}
    for _ in range(5):  # warm-up: template compilation, statement cache, page cache
        assert client.get(path, headers=headers).status_code == 200, path
    times = []
    statements = 0
    for _ in range(requests):
        before = counter.count if counter else 0
        if counter:
            counter.timings.clear()
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        times.append(timer.last * 1000)
        statements = (counter.count - before) if counter else 0
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, statements


def report(name: str, median: float, p95: float, statements: int) -> None:
    print(f"{name:<24} median {median:6.1f} ms  p95 {p95:6.1f} ms  statements {statements}")


def report_statements(counter: StatementCounter) -> None:
    """The last request's statements, slowest first: where a page's time goes."""
    for statement, seconds in sorted(counter.timings, key=lambda timing: -timing[1]):
        print(f"    {seconds * 1000:6.2f} ms  {' '.join(statement.split())[:110]}")


def baseline_app() -> FastAPI:
    """A page with the same layout (templates/base.html) and a 50-row table, no database."""
    layout = (PROJECT_ROOT / "templates" / "base.html").read_text()
    page = (
        '{% extends "base.html" %}{% block title %}Baslinje{% endblock %}{% block content %}'
        "<h1>Baslinje</h1><table><tbody>{% for row in rows %}<tr><td><a href='/x/{{ row.id }}'>"
        "{{ row.name }}</a></td><td>{{ row.city }}</td><td>{{ row.status }}</td></tr>"
        "{% endfor %}</tbody></table>{% endblock %}"
    )
    environment = Environment(
        loader=DictLoader({"base.html": layout, "page.html": page}), autoescape=True
    )
    environment.globals.update(_=lambda text, **_: text, csrf_field=lambda token: "")
    template = environment.get_template("page.html")
    rows = [
        {"id": n, "name": f"Företag {n} AB", "city": "Ängelholm", "status": "Aktiv"}
        for n in range(50)
    ]
    app = FastAPI()

    @app.get("/")
    def baseline() -> HTMLResponse:
        return HTMLResponse(
            template.render(
                locale="sv",
                csrf_token="0" * 64,
                current_user={"role": "broker", "full_name": "Anna Andersson"},
                request={"url": {"path": "/"}},
                may_open=lambda path: not path.startswith("/admin"),  # a broker's menu
                flash_messages=[],
                rows=rows,
            )
        )

    return app


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the login page"
    return match.group(1)


def export_contacts(client: TestClient) -> tuple[float, int, int]:
    started = time.perf_counter()
    size = lines = 0
    with client.stream("GET", "/contacts/export.csv") as response:
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\r\n")
    return time.perf_counter() - started, size, lines - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--companies", type=int, default=COMPANIES)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--statements", action="store_true", help="show each page's statements and their time"
    )
    parser.add_argument("--only", default="", help="measure only pages whose name has this")
    parser.add_argument(
        "--http-requests",
        type=int,
        default=200,
        help="requests per page and connection count over HTTP (0: no HTTP phase)",
    )
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        server = postgres_url(os.environ.get("DATABASE_URL", ""))
        if server is None:
            url = cached_database(args.companies)
        else:
            url = stack.enter_context(postgres_database(server, args.companies))
        return measure_all(url, args)


def measure_all(url: str, args: argparse.Namespace) -> int:
    """Every page in-process, the export, then over HTTP and the import (main())."""
    engine = make_engine(url)
    username, company_id = bench_user(engine)
    event_id, event_month = big_event(engine)
    track_id = a_track(engine)
    place = busiest_municipality(engine)
    settings = Settings(
        data_dir=CACHE / "data",
        database_url=url,
        secret_key="benchmark-secret-key",  # noqa: S106
        log_level="WARNING",
    )
    app = create_app(settings, engine=engine)
    timer = ServerTimer(app)
    counter = StatementCounter(engine)
    engine_name = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(
        f"{args.companies} companies, {engine_name}, {args.requests} requests per page "
        "after warm-up"
    )
    plain_timer = ServerTimer(baseline_app())
    with TestClient(plain_timer) as plain:  # type: ignore[arg-type]
        baseline = measure(plain, plain_timer, "/", requests=args.requests)
        report("baseline (no db)", *baseline)
    in_process: dict[str, float] = {}
    with TestClient(timer, base_url="http://testserver") as client:  # type: ignore[arg-type]
        token = csrf_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={"csrf_token": token, "username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        pages = [
            ("company list", "/companies"),
            ("search ängel", "/companies?q=%C3%A4ngel"),
            ("search bygg", "/companies?q=bygg"),
            ("search 556", "/companies?q=556"),
            # The header's search as the user types: every kind, a few of each.
            ("header search bygg", "/search/suggestions?q=bygg"),
            ("header search ängel", "/search/suggestions?q=%C3%A4ngel"),
            ("header search 556", "/search/suggestions?q=556"),
            ("company page", f"/companies/{company_id}"),
            ("contact list", "/contacts"),
            ("Min dag", "/"),
            ("assignment board", "/assignments/board"),
            ("assignment list", "/assignments"),
            ("event page", f"/events/{event_id}"),
            ("event calendar", f"/events/calendar?month={event_month}"),
            ("job track list", "/tracks"),
            ("job track page", f"/tracks/{track_id}"),
            ("job track results", f"/tracks/{track_id}/results"),
            ("reports, this year", "/reports?period=year"),
            ("reports, last year", "/reports?period=last_year"),
            ("reports, year, municipality", f"/reports?period=year&municipality={place}"),
        ]
        pages = [(name, path) for name, path in pages if args.only in name]
        for name, path in pages:
            figures = measure(client, timer, path, counter=counter, requests=args.requests)
            in_process[name] = figures[0]
            report(name, *figures)
            if args.statements:
                report_statements(counter)
        if args.only in "contacts CSV export":
            report_export(client)
    engine.dispose()
    if args.http_requests and pages:
        overhttp.run(
            database_url=url,
            data_dir=CACHE / "data",
            username=username,
            password=PASSWORD,
            pages=pages,
            in_process_ms=in_process,
            baseline_in_process_ms=baseline[0],
            requests=args.http_requests,
        )
    if args.only in "company import":
        # Matcha's own CSV of the 50k register's companies (48,445 not archived or merged,
        # made up to 50,000 rows), and a unit's cp1252 sheet with a contact person on every
        # row, into an empty register, each beside a bare executemany of the same file
        # (bench/imports.py); then the first again with a colleague saving meanwhile.
        data = imports.companies_csv(url, rows=50_000)
        imports.report(imports.import_companies(data, colleague=False, bare=True))
        sheet = imports.contact_sheet(url, rows=50_000)
        imports.report(
            imports.import_companies(sheet, shape="a unit's sheet", colleague=False, bare=True)
        )
        imports.report(imports.import_companies(data, colleague=True))
    return 0


def report_export(client: TestClient) -> None:
    seconds, size, rows = export_contacts(client)
    tracemalloc.start()
    export_contacts(client)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"contacts CSV export    {rows} rows, {size / 1e6:.1f} MB in {seconds:.2f} s, "
        f"peak Python memory {peak / 1e6:.1f} MB (tracemalloc, second run)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
