"""Hostile and broken sheets against the real server: `python -m bench.hostile [CASE ...]`.

For each case (tests/imports/hostile.py writes the files), a fresh `matcha serve` on
loopback with a throwaway SQLite file: one broker uploads the file while a colleague
saves a company again and again until the upload is answered. Reports the upload's
answer and time (where it was taken, also the job page it leads to), the server's
resident memory before and at its peak (sampled), and the colleague's saves meanwhile.
Bounded: each upload waits at most --timeout seconds, then the server is stopped. Not
part of `make ci`.

`--matcha PATH` runs another checkout's server (its `.venv/bin/matcha`): the "before".
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.loadtest import CACHE, MATCHA, RssSampler, free_port, matcha, server, token_in
from tests.imports.hostile import CASES

PASSWORD = "ett-långt-lösenord-för-mätning"  # noqa: S105 (a throwaway user)
MESSAGE = re.compile(r'class="(?:field-error|form-error)"[^>]*>(.*?)</(?:small|p)>', re.S)


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    token = token_in(client.get("/login").text)
    answer = client.post(
        "/login", data={"csrf_token": token, "username": "mats", "password": PASSWORD}
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in answered {answer.status_code}")
    return client


def measure(case: str, executable: Path, timeout: float) -> dict[str, Any]:
    make, filename = CASES[case]
    content = make()
    workdir = Path(tempfile.mkdtemp(prefix="hostile-", dir=CACHE))
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{workdir / 'matcha.db'}",
        "MATCHA_DATA_DIR": str(workdir),
        "SECRET_KEY": "hostile-" + uuid.uuid4().hex,
        "MATCHA_HOST": "127.0.0.1",
        "MATCHA_LOG_LEVEL": "WARNING",
    }
    try:
        matcha("migrate", env=env, executable=executable)
        matcha(
            "create-user", "--username", "mats", "--full-name", "Mats Mätare", "--role",
            "broker", "--password-stdin", env=env, stdin=PASSWORD + "\n", executable=executable,
        )  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with server(env, port, workdir / "server.log", executable) as process:
            uploader, colleague = signed_in(base), signed_in(base)
            upload_token = token_in(uploader.get("/imports").text)
            company_token = token_in(colleague.get("/companies/new").text)
            sampler = RssSampler(process.pid)
            sampler.run_once()
            before_kb = sampler.peak_kb
            sampler.start()
            answer: dict[str, Any] = {}

            def send() -> None:
                started = time.perf_counter()
                try:
                    response = uploader.post(
                        "/imports",
                        data={"csrf_token": upload_token, "kind": "companies"},
                        files={"file": (filename, content, "application/octet-stream")},
                        timeout=timeout,
                    )
                    found = MESSAGE.search(response.text)
                    answer["status"] = response.status_code
                    answer["message"] = html.unescape(found.group(1)) if found else ""
                    answer["seconds"] = time.perf_counter() - started
                    if response.status_code == 303:  # taken: the page the user sees next
                        location = response.headers["location"]
                        left = max(timeout - answer["seconds"], 1.0)
                        started = time.perf_counter()
                        page = uploader.get(location, timeout=left)
                        answer["job_page"] = {
                            "status": page.status_code,
                            "seconds": round(time.perf_counter() - started, 2),
                            "kb": round(len(page.content) / 1024),
                        }
                except httpx.TimeoutException:
                    answer.setdefault("seconds", time.perf_counter() - started)
                    answer.setdefault("message", "")
                    if "status" in answer:
                        answer["job_page"] = {"status": f"no answer in {timeout:g} s"}
                    else:
                        answer["status"] = f"no answer in {timeout:g} s"

            sending = threading.Thread(target=send)
            sending.start()
            saves: list[tuple[int, float]] = []
            while sending.is_alive():
                started = time.perf_counter()
                try:
                    status = colleague.post(
                        "/companies",
                        data={"csrf_token": company_token, "name": f"Kollega {len(saves)}"},
                        timeout=timeout,
                    ).status_code
                except httpx.TimeoutException:
                    status = 0
                saves.append((status, time.perf_counter() - started))
                time.sleep(0.25)
            sending.join()
            sampler.stopped.set()
            sampler.join()
            sampler.run_once()
        times = [seconds for _, seconds in saves]
        return {
            "case": case,
            "file_kb": round(len(content) / 1024),
            "status": answer["status"],
            "seconds": round(answer["seconds"], 2),
            "job_page": answer.get("job_page"),
            "rss_before_mb": round(before_kb / 1024),
            "rss_peak_mb": round(sampler.peak_kb / 1024),
            "colleague_saves": len(saves),
            "colleague_saved": sum(1 for status, _ in saves if status == 303),
            "colleague_median_ms": round(statistics.median(times) * 1000) if times else None,
            "colleague_max_ms": round(max(times) * 1000) if times else None,
            "message": answer["message"],
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("cases", nargs="*", help=f"some of: {', '.join(CASES)} (all by default)")
    parser.add_argument("--matcha", type=Path, default=MATCHA, help="the server to run")
    parser.add_argument("--timeout", type=float, default=60.0, help="per upload (s), at most 300")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    if args.timeout > 300:
        parser.error("bounded: at most 300 s per upload")
    CACHE.mkdir(exist_ok=True)
    results = []
    for case in args.cases or CASES:
        result = measure(case, args.matcha, args.timeout)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
