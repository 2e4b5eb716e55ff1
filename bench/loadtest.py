"""`make loadtest` (python -m bench.loadtest): a unit's brokers at work at once.

Starts the real server the way `make run` does (`matcha serve`, on loopback, a throwaway
SQLite file or a fresh PostgreSQL database), seeds demo companies owned by N load brokers,
signs all of them in at the same moment and lets each one work for a fixed time over one
kept-alive connection: search, company pages, Min dag, lists, and calls logged with a
unique marker in the notes (30 % of the requests), pausing 1-5 s between requests as a
person reading the page would (--think-max 0: no pause, as fast as the server answers).
Afterwards it reads the database: every call the server acknowledged must be stored once,
and no call it answered with an error may be stored.

It prints requests per second, p50/p95 per kind of request, answers by status, reset
connections, the server's peak memory and whether the targets (docs/benchmarks.md) hold;
the exit status is 1 when one does not. Bounded: it stops by itself after the time given,
every request has a timeout, and the server and the database are removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
MATCHA = ROOT / ".venv" / "bin" / "matcha"
CACHE = Path(__file__).parent / ".cache"
PASSWORD = "load-test-password"  # noqa: S105 (throwaway users in a throwaway database)
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# What a broker does, and how often (the weights are per cent: 30 % of requests log a call).
MIX = {"search": 20, "company": 20, "today": 15, "list": 15, "log_call": 30}
LISTS = ("/companies", "/contacts", "/assignments", "/events")
SEARCH_TERMS = ("ab", "bygg", "vård", "stock", "ängel", "556", "göte", "rest", "logistik", "it")
FOLLOW_UPS = ("", "", "tomorrow", "next_week", "two_weeks", "month")
READS = frozenset({"search", "company", "today", "list"})

# The targets of the issue that asked for this test (docs/benchmarks.md).
TARGET_READ_P95_S = 1.0
TARGET_PEAK_RSS_MB = 1024


@dataclasses.dataclass
class Answer:
    kind: str
    seconds: float
    status: int | None  # None: no answer (reset, timeout)
    failure: str | None = None  # "reset", "timeout", "refused"
    marker: str | None = None


@dataclasses.dataclass
class Broker:
    username: str
    client: httpx.AsyncClient
    token: str = ""
    company_ids: list[int] = dataclasses.field(default_factory=list)


# --- the database -------------------------------------------------------------------------


@contextlib.contextmanager
def database(engine_name: str, workdir: Path) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{workdir / 'matcha.db'}"
        return
    name = f"matcha_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        os.environ.get("PG_ADMIN_URL", PG_ADMIN_URL), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def matcha(
    *args: str, env: dict[str, str], stdin: str | None = None, executable: Path = MATCHA
) -> None:
    """Runs a `matcha` command; its output is shown only if it fails."""
    done = subprocess.run(  # noqa: S603 (our own command)
        [str(executable), *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"matcha {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def prepare(url: str, env: dict[str, str], *, brokers: int, companies: int) -> list[str]:
    """Migrates, creates the load brokers (all with one password) and seeds demo data that
    they own, so each has a Min dag of their own."""
    matcha("migrate", env=env)
    # One broker through the real command; the others get the same password hash directly
    # (hashing 50 passwords one by one would be most of the set-up time).
    usernames = [f"last{number:02d}" for number in range(1, brokers + 1)]
    matcha(
        "create-user",
        "--username",
        usernames[0],
        "--full-name",
        "Last Mäklare 01",
        "--role",
        "broker",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    engine = create_engine(url)
    with engine.begin() as connection:
        row = (
            connection.execute(
                text("SELECT * FROM user_account WHERE username = :u"), {"u": usernames[0]}
            )
            .mappings()
            .one()
        )
        columns = [c for c in row if c != "id"]
        for number, username in enumerate(usernames[1:], start=2):
            values = {**{c: row[c] for c in columns}, "username": username}
            values["full_name"] = f"Last Mäklare {number:02d}"
            values["email"] = None
            connection.execute(
                text(
                    f"INSERT INTO user_account ({', '.join(columns)}) "  # noqa: S608 (our columns)
                    f"VALUES ({', '.join(':' + c for c in columns)})"
                ),
                values,
            )
    engine.dispose()
    matcha("seed", "--companies", str(companies), "--seed", "13", env=env)
    return usernames


def companies_by_owner(url: str) -> dict[str, list[int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.username, c.id FROM company c JOIN user_account u ON u.id = c.owner_id"
                " WHERE c.archived_at IS NULL AND c.merged_into_id IS NULL"
            )
        ).all()
    engine.dispose()
    owned: dict[str, list[int]] = defaultdict(list)
    for username, company_id in rows:
        owned[username].append(company_id)
    return owned


def stored_markers(url: str, run: str) -> Counter[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        notes = connection.execute(
            text("SELECT notes FROM activity WHERE notes LIKE :prefix"), {"prefix": f"{run}-%"}
        ).scalars()
        found = Counter(note.split()[0] for note in notes)
    engine.dispose()
    return found


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (uvicorn's workers)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending += [int(child) for child in children]
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run_once(self) -> None:
        self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.run_once()


@contextlib.contextmanager
def server(
    env: dict[str, str],
    port: int,
    log_path: Path,
    executable: Path = MATCHA,
    *,
    command: list[str] | None = None,
    ready_path: str = "/healthz",
) -> Iterator[subprocess.Popen[bytes]]:
    """`matcha serve` on the port (or another server's `command`), once it answers 200 at
    `ready_path`; stopped and waited for afterwards."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            command or [str(executable), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server stopped at start-up; see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    ready = httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2)
                    if ready.status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer within 60 s; see {log_path}")
                time.sleep(0.2)
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- the brokers --------------------------------------------------------------------------

TOKEN = re.compile(r'"X-CSRF-Token": "([0-9a-f]+)"|name="csrf_token" value="([0-9a-f]+)"')


def token_in(html: str) -> str:
    match = TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else ""


class Run:
    def __init__(self, base: str, run_id: str, *, seconds: float, think: tuple[float, float]):
        self.base = base
        self.run_id = run_id
        self.seconds = seconds
        self.think = think
        self.answers: list[Answer] = []
        self.idle: list[Answer] = []
        self.sequence = 0

    async def request(
        self, broker: Broker, kind: str, method: str, path: str, **kwargs: Any
    ) -> tuple[Answer, httpx.Response | None]:
        started = time.perf_counter()
        marker = kwargs.pop("marker", None)
        try:
            response = await broker.client.request(method, path, **kwargs)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            answer = Answer(kind, time.perf_counter() - started, None, "reset", marker)
            self.answers.append(answer)
            del error
            return answer, None
        except httpx.TimeoutException:
            answer = Answer(kind, time.perf_counter() - started, None, "timeout", marker)
            self.answers.append(answer)
            return answer, None
        except httpx.ConnectError:
            answer = Answer(kind, time.perf_counter() - started, None, "refused", marker)
            self.answers.append(answer)
            return answer, None
        answer = Answer(kind, time.perf_counter() - started, response.status_code, None, marker)
        self.answers.append(answer)
        return answer, response

    async def sign_in(self, broker: Broker, barrier: asyncio.Barrier) -> bool:
        _answer, page = await self.request(broker, "login_form", "GET", "/login")
        token = token_in(page.text) if page is not None else ""
        await barrier.wait()  # every broker presses "Logga in" at the same moment
        _answer, response = await self.request(
            broker,
            "login",
            "POST",
            "/login",
            data={"csrf_token": token, "username": broker.username, "password": PASSWORD},
        )
        if response is None or response.status_code != 303:
            return False
        _answer, day = await self.request(broker, "login_day", "GET", "/")
        broker.token = token_in(day.text) if day is not None else ""
        return bool(broker.token)

    async def idle_pass(self, broker: Broker, rng: random.Random, rounds: int = 10) -> None:
        """Each kind of read `rounds` times by one broker while the others wait: the
        server's own time for a page, the baseline the loaded figures are compared with."""
        answers, self.answers = self.answers, self.idle
        try:
            for _ in range(rounds):
                for kind in sorted(READS):
                    await self.act(broker, kind, rng)
        finally:
            self.answers = answers

    async def work(self, broker: Broker, rng: random.Random, until: float) -> None:
        kinds, weights = zip(*MIX.items(), strict=True)
        low, high = self.think
        if high > 0:  # people signed in together do not all click at the same instant
            await asyncio.sleep(rng.uniform(0, high))
        while time.monotonic() < until:
            await self.act(broker, rng.choices(kinds, weights)[0], rng)
            if high > 0:  # a pause, cut short by the end of the run
                await asyncio.sleep(min(rng.uniform(low, high), until - time.monotonic()))

    async def act(self, broker: Broker, kind: str, rng: random.Random) -> None:
        company = rng.choice(broker.company_ids)
        if kind == "search":
            term = rng.choice(SEARCH_TERMS)
            await self.request(
                broker,
                kind,
                "GET",
                "/companies",
                params={"q": term},
                headers={"HX-Request": "true"},
            )
        elif kind == "company":
            await self.request(broker, kind, "GET", f"/companies/{company}")
        elif kind == "today":
            await self.request(broker, kind, "GET", "/")
        elif kind == "list":
            await self.request(broker, kind, "GET", rng.choice(LISTS))
        else:
            self.sequence += 1
            marker = f"{self.run_id}-{self.sequence}"
            await self.request(
                broker,
                kind,
                "POST",
                f"/companies/{company}/activities",
                marker=marker,
                headers={"HX-Request": "true", "X-CSRF-Token": broker.token},
                data={
                    "kind": rng.choice(("call", "call", "email", "meeting")),
                    "notes": f"{marker} Ringde om lediga tjänster, återkommer.",
                    "follow_up": rng.choice(FOLLOW_UPS),
                },
            )


async def simulate(
    base: str,
    run_id: str,
    usernames: list[str],
    owned: dict[str, list[int]],
    args: argparse.Namespace,
) -> tuple[Run, int, float]:
    run = Run(base, run_id, seconds=args.seconds, think=(args.think_min, args.think_max))
    all_companies = [c for ids in owned.values() for c in ids]
    timeout = httpx.Timeout(args.timeout)
    brokers = [
        Broker(
            username,
            httpx.AsyncClient(
                base_url=base,
                timeout=timeout,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                follow_redirects=False,
            ),
            company_ids=owned.get(username) or all_companies,
        )
        for username in usernames
    ]
    try:
        barrier = asyncio.Barrier(len(brokers))
        signed_in = await asyncio.gather(*(run.sign_in(b, barrier) for b in brokers))
        rngs = [random.Random(f"{run_id}-{n}") for n in range(len(brokers))]  # noqa: S311
        if signed_in[0]:
            await run.idle_pass(brokers[0], random.Random(run_id))  # noqa: S311
        started = time.monotonic()
        until = started + args.seconds
        await asyncio.gather(
            *(
                run.work(broker, rng, until)
                for broker, rng, ok in zip(brokers, rngs, signed_in, strict=True)
                if ok
            )
        )
        elapsed = time.monotonic() - started
    finally:
        await asyncio.gather(*(b.client.aclose() for b in brokers))
    return run, sum(signed_in), elapsed


# --- the report ---------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(
    run: Run,
    *,
    signed_in: int,
    brokers: int,
    elapsed: float,
    stored: Counter[str],
    peak_rss_mb: float,
    server_errors_logged: int,
    label: str,
) -> dict[str, Any]:
    work = [a for a in run.answers if a.kind not in ("login_form", "login", "login_day")]
    by_kind: dict[str, list[Answer]] = defaultdict(list)
    for answer in run.answers:
        by_kind[answer.kind].append(answer)
    statuses = Counter(str(a.status) if a.status else a.failure for a in run.answers)
    calls = [a for a in run.answers if a.kind == "log_call"]
    acknowledged = [a.marker for a in calls if a.status is not None and a.status < 400]
    refused = [a.marker for a in calls if a.status is not None and a.status >= 400]
    unanswered = [a.marker for a in calls if a.status is None]
    lost = [m for m in acknowledged if stored[m] == 0]
    doubled = [m for m in stored if stored[m] > 1]
    phantom = [m for m in refused if stored[m] > 0]
    reads = [a.seconds for a in work if a.kind in READS and a.status is not None]
    # The same pages asked one at a time before the load: the baseline of this run.
    idle: dict[str, list[float]] = defaultdict(list)
    for answer in run.idle:
        if answer.status == 200:
            idle[answer.kind].append(answer.seconds)
    idle_reads = [seconds for values in idle.values() for seconds in values]
    result = {
        "label": label,
        "brokers": brokers,
        "signed_in": signed_in,
        "seconds": round(elapsed, 1),
        "requests": len(work),
        "requests_per_second": round(len(work) / elapsed, 1) if elapsed else 0.0,
        "statuses": dict(sorted(statuses.items())),
        "errors_5xx": sum(1 for a in run.answers if a.status is not None and a.status >= 500),
        "reset_connections": sum(1 for a in run.answers if a.failure == "reset"),
        "timeouts": sum(1 for a in run.answers if a.failure == "timeout"),
        "calls_acknowledged": len(acknowledged),
        "calls_refused": len(refused),
        "calls_unanswered": len(unanswered),
        "calls_unanswered_but_stored": sum(1 for m in unanswered if stored[m] > 0),
        "lost_writes": len(lost),
        "phantom_writes": len(phantom),
        "stored_twice": len(doubled),
        "read_p50_ms": round(statistics.median(reads) * 1000, 1) if reads else None,
        "read_p95_ms": round(percentile(reads, 0.95) * 1000, 1) if reads else None,
        "per_kind": {
            kind: {
                "count": len(answers),
                "p50_ms": round(statistics.median([a.seconds for a in answers]) * 1000, 1),
                "p95_ms": round(percentile([a.seconds for a in answers], 0.95) * 1000, 1),
                "idle_p50_ms": round(statistics.median(idle[kind]) * 1000, 1)
                if idle.get(kind)
                else None,
            }
            for kind, answers in sorted(by_kind.items())
        },
        "idle_read_p50_ms": round(statistics.median(idle_reads) * 1000, 1) if idle_reads else None,
        "peak_server_rss_mb": round(peak_rss_mb),
        "server_error_log_lines": server_errors_logged,
    }
    checks = {
        "no answer >= 500": result["errors_5xx"] == 0,
        "no reset connection": result["reset_connections"] == 0 and result["timeouts"] == 0,
        "no lost write": not lost and not doubled,
        "no phantom write": not phantom,
        "every broker signed in": signed_in == brokers,
        f"read p95 <= {TARGET_READ_P95_S:g} s": bool(reads)
        and percentile(reads, 0.95) <= TARGET_READ_P95_S,
        f"peak server RSS <= {TARGET_PEAK_RSS_MB} MB": peak_rss_mb <= TARGET_PEAK_RSS_MB,
    }
    result["checks"] = checks
    return result


def print_report(result: dict[str, Any]) -> None:
    print(f"\n== {result['label']}")
    print(
        f"{result['signed_in']}/{result['brokers']} brokers signed in at once; "
        f"{result['requests']} requests in {result['seconds']} s = "
        f"{result['requests_per_second']} req/s"
    )
    print(f"{'kind':<12}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'alone p50':>11}")
    for kind, figures in result["per_kind"].items():
        alone = figures["idle_p50_ms"] if figures["idle_p50_ms"] is not None else ""
        print(
            f"{kind:<12}{figures['count']:>7}{figures['p50_ms']:>10}{figures['p95_ms']:>10}"
            f"{alone:>11}"
        )
    idle = result["idle_read_p50_ms"]
    ratio = f" = {result['read_p95_ms'] / idle:.1f}x" if idle else ""
    print(
        f"reads        p50 {result['read_p50_ms']} ms, p95 {result['read_p95_ms']} ms; "
        f"alone (one request at a time, before the load) p50 {idle} ms; p95 / alone{ratio}"
    )
    print(f"answers      {result['statuses']}")
    print(
        f"calls        {result['calls_acknowledged']} acknowledged, {result['calls_refused']} "
        f"refused, {result['calls_unanswered']} unanswered "
        f"({result['calls_unanswered_but_stored']} of them stored)"
    )
    print(
        f"writes       {result['lost_writes']} lost, {result['phantom_writes']} phantom, "
        f"{result['stored_twice']} stored twice"
    )
    print(
        f"connections  {result['reset_connections']} reset, {result['timeouts']} timed out; "
        f"server ERROR log lines {result['server_error_log_lines']}"
    )
    print(f"server RSS   peak {result['peak_server_rss_mb']} MB")
    for name, ok in result["checks"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="server processes (MATCHA_WORKERS)")
    parser.add_argument("--brokers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--companies", type=int, default=2000)
    # A broker clicks again 1-5 s after a page came (3 s on average): a very busy morning,
    # 50 brokers ask for about 15 pages a second. --think-max 0: each asks again at once.
    parser.add_argument(
        "--think-min", type=float, default=1.0, help="least pause between a broker's requests (s)"
    )
    parser.add_argument(
        "--think-max", type=float, default=5.0, help="longest pause between a broker's requests (s)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per request (s)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.seconds > 600 or args.brokers > 500:
        parser.error("bounded: at most 600 s and 500 brokers")

    CACHE.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-", dir=CACHE))
    run_id = f"LT{uuid.uuid4().hex[:8]}"
    label = (
        f"{args.engine}, {args.workers} worker(s), {args.brokers} brokers, {args.seconds:g} s, "
        f"{args.companies} companies, think {args.think_min:g}-{args.think_max:g} s"
    )
    try:
        with database(args.engine, workdir) as url:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "MATCHA_DATA_DIR": str(workdir),
                "SECRET_KEY": "load-test-" + uuid.uuid4().hex,
                "MATCHA_HOST": "127.0.0.1",
                "MATCHA_WORKERS": str(args.workers),
            }
            print(f"preparing: {label}", flush=True)
            usernames = prepare(url, env, brokers=args.brokers, companies=args.companies)
            owned = companies_by_owner(url)
            port = free_port()
            log_path = workdir / "server.log"
            with server(env, port, log_path) as process:
                sampler = RssSampler(process.pid)
                sampler.start()
                print(f"running {args.seconds:g} s against http://127.0.0.1:{port}", flush=True)
                run, signed_in, elapsed = asyncio.run(
                    simulate(f"http://127.0.0.1:{port}", run_id, usernames, owned, args)
                )
                sampler.stopped.set()
                sampler.join()
            log_text = log_path.read_text(errors="replace")
            errors_logged = sum(1 for line in log_text.splitlines() if '"level": "ERROR"' in line)
            result = report(
                run,
                signed_in=signed_in,
                brokers=args.brokers,
                elapsed=elapsed,
                stored=stored_markers(url, run_id),
                peak_rss_mb=sampler.peak_kb / 1024,
                server_errors_logged=errors_logged,
                label=label,
            )
            result["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if all(result["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
