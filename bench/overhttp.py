"""The HTTP phase of `make bench`: the same pages served as `make run` serves them.

`matcha serve` (uvicorn with httptools and uvloop, its configured workers, the request log)
on a loopback port, on the benchmark's database; the baseline page served by uvicorn with
the same options. Each page is driven by the load test's client (httpx, one kept-alive
connection per simulated user, signed in once) at 1 and at 10 connections at once, after a
warm-up; printed: requests per second and p50/p95 of the time a client waits for a whole
answer, and the server's peak memory meanwhile.

The check: a page's median over one connection should be within its in-process median plus
the baseline's HTTP overhead (the baseline's median over HTTP less its in-process median),
plus 50 %. Bounded: a fixed number of requests per page, a timeout on each, and both
servers stopped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.loadtest import RssSampler, free_port, server, token_in

CONNECTIONS = (1, 10)
# Over HTTP the overhead may add this share to a page's in-process time plus the baseline's.
ALLOWED_OVERHEAD = 0.5
WARM_UP = 3  # requests per connection before measuring
TIMEOUT_S = 30


@dataclass(frozen=True)
class Figures:
    per_second: float
    p50_ms: float
    p95_ms: float


def headers_for(path: str) -> dict[str, str]:
    # A fragment htmx asks for (the header search's suggestions) says so, as htmx does.
    return {"HX-Request": "true"} if path.startswith("/search/") else {}


def _client(base: str, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base,
        cookies=cookies,
        timeout=httpx.Timeout(TIMEOUT_S),
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        follow_redirects=False,
    )


async def _sign_in(base: str, username: str, password: str) -> httpx.Cookies:
    async with _client(base) as client:
        form = await client.get("/login")
        response = await client.post(
            "/login",
            data={"csrf_token": token_in(form.text), "username": username, "password": password},
        )
        if response.status_code != 303:
            raise SystemExit(f"signing in over HTTP failed: {response.status_code}")
        return client.cookies


async def _drive(
    base: str, path: str, *, connections: int, requests: int, cookies: httpx.Cookies | None
) -> Figures:
    """`requests` answers of `path` over `connections` kept-alive connections at once."""
    clients = [_client(base, cookies) for _ in range(connections)]
    headers = headers_for(path)
    waits: list[float] = []

    async def get(client: httpx.AsyncClient) -> None:
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        waits.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} over HTTP")

    async def user(client: httpx.AsyncClient, count: int) -> None:
        for _ in range(count):
            await get(client)

    try:
        for client in clients:
            for _ in range(WARM_UP):
                await get(client)
        waits.clear()
        each = max(1, requests // connections)
        started = time.perf_counter()
        await asyncio.gather(*(user(client, each) for client in clients))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    waits.sort()
    p95 = waits[min(len(waits) - 1, round(0.95 * len(waits)) - 1)]
    return Figures(len(waits) / elapsed, statistics.median(waits) * 1000, p95 * 1000)


def _row(name: str, figures: dict[int, Figures]) -> str:
    cells = " | ".join(
        f"{f.per_second:6.1f} req/s p50 {f.p50_ms:6.1f} p95 {f.p95_ms:6.1f}"
        for f in (figures[n] for n in CONNECTIONS)
    )
    return f"{name:<24} {cells}"


def run(
    *,
    database_url: str,
    data_dir: Path,
    username: str,
    password: str,
    pages: list[tuple[str, str]],
    in_process_ms: dict[str, float],
    baseline_in_process_ms: float,
    requests: int,
) -> bool:
    """Serves and measures; prints the table and the check; True when every page holds."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MATCHA_DATA_DIR": str(data_dir),
        "SECRET_KEY": "benchmark-secret-key",
        "MATCHA_HOST": "127.0.0.1",
        "PYTHONPATH": str(root),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"over HTTP: {requests} requests per page and connection count, "
        f"{' and '.join(map(str, CONNECTIONS))} kept-alive connections"
    )
    print(f"{'':<24} " + " | ".join(f"{n} connection(s)".ljust(36) for n in CONNECTIONS))
    baseline_port = free_port()
    baseline_command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.__main__:baseline_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(baseline_port),
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--timeout-keep-alive",
        "75",
        "--no-access-log",
    ]
    with server(
        env,
        baseline_port,
        data_dir / "baseline-server.log",
        command=baseline_command,
        ready_path="/",
    ):
        base = f"http://127.0.0.1:{baseline_port}"
        baseline = {
            n: asyncio.run(_drive(base, "/", connections=n, requests=requests, cookies=None))
            for n in CONNECTIONS
        }
    print(_row("baseline (no db)", baseline))
    overhead = baseline[1].p50_ms - baseline_in_process_ms
    port = free_port()
    results: dict[str, dict[int, Figures]] = {}
    with server(env, port, data_dir / "bench-server.log") as process:
        sampler = RssSampler(process.pid)
        sampler.start()
        base = f"http://127.0.0.1:{port}"
        cookies = asyncio.run(_sign_in(base, username, password))
        for name, path in pages:
            results[name] = {
                n: asyncio.run(
                    _drive(base, path, connections=n, requests=requests, cookies=cookies)
                )
                for n in CONNECTIONS
            }
            print(_row(name, results[name]), flush=True)
        sampler.stopped.set()
        sampler.join()
        sampler.run_once()
    cache_mb = env.get("MATCHA_SQLITE_CACHE_MB", "64 (the default)")
    print(
        f"the server's memory (RSS) while it answered: peak {sampler.peak_kb / 1024:.0f} MB "
        f"(SQLite page cache {cache_mb} MiB per connection)"
    )
    print(
        f"the check: p50 over 1 connection ≤ (in-process median + the baseline's HTTP "
        f"overhead {overhead:.1f} ms) × {1 + ALLOWED_OVERHEAD:g}"
    )
    holds = True
    for name, figures in results.items():
        limit = (in_process_ms[name] + overhead) * (1 + ALLOWED_OVERHEAD)
        ok = figures[1].p50_ms <= limit
        holds &= ok
        print(
            f"{name:<24} {figures[1].p50_ms:6.1f} ms over HTTP, {in_process_ms[name]:6.1f} ms "
            f"in-process, limit {limit:6.1f} ms: {'holds' if ok else 'DOES NOT HOLD'}"
        )
    return holds
