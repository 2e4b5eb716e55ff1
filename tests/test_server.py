"""The server as `make run` starts it (`matcha serve`), over real sockets on loopback:
kept-alive connections are served without a stall and survive a successful save, and the
request log has exactly one line per request and no error."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app.cli import migrate
from tests.imports import hostile
from tests.imports.test_hostile import EXPECTED

MATCHA = Path(sys.executable).parent / "matcha"
PASSWORD = "ett-långt-lösenord"


@dataclass
class Served:
    port: int
    pid: int
    log: Path

    def log_lines(self) -> list[dict[str, object]]:
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    url = f"sqlite:///{folder / 'matcha.db'}"
    migrate(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MATCHA_DATA_DIR": str(folder / "data"),
        "SECRET_KEY": "server-test-secret",
        "MATCHA_LOG_LEVEL": "INFO",
        "MATCHA_SECURE_COOKIES": "false",
        "MATCHA_TRUSTED_PROXIES": "",
    }
    subprocess.run(
        [MATCHA, "create-user", "--username", "anna", "--full-name", "Anna Andersson",
         "--role", "broker", "--password-stdin"],
        input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [MATCHA, "serve", "--port", str(port)], env=env, stdout=log_file, stderr=log_file
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()) from None
                time.sleep(0.05)
        yield Served(port, process.pid, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Browser:
    """One kept-alive connection with cookies, as a browser tab keeps it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}
        self.sockets: set[tuple[str, int]] = set()
        self.requests = 0

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        file: tuple[str, str, bytes] | None = None,
        **headers: str,
    ) -> tuple[int, dict[str, str], str]:
        """`file` is (field, file name, content): the form goes as multipart then."""
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body: str | bytes | None = None
        if file is not None:
            boundary = "matcha-test-boundary"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
                for name, value in (form or {}).items()
            ]
            field, filename, content = file
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            body = b"".join(parts)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        self.requests += 1
        self.sockets.add(self.connection.sock.getsockname())
        for value in response.headers.get_all("set-cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        assert not response.will_close, f"the server closed the connection after {path}"
        return response.status, dict(response.headers), text


def token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_fifty_requests_on_one_kept_alive_connection_take_well_under_two_seconds(served):
    """uvicorn's pure-Python HTTP (h11) stalled each answer on a kept-alive connection by
    ~40 ms (delayed ACK): 50 answers took over 2 s. With httptools they take milliseconds,
    so the bound has a wide margin on any machine."""
    maps = Path(f"/proc/{served.pid}/maps").read_text()
    assert "httptools" in maps and "uvloop" in maps, "serve runs httptools and uvloop"
    browser = Browser(served.port)
    started = time.perf_counter()
    statuses = [browser.request("GET", "/healthz")[0] for _ in range(50)]
    elapsed = time.perf_counter() - started
    assert statuses == [200] * 50
    assert len(browser.sockets) == 1
    assert elapsed < 2.0, f"50 requests on one connection took {elapsed:.2f} s"


def test_a_kept_alive_connection_serves_the_next_request_after_each_save(served):
    """A successful plain-form POST (not htmx) of a signed-in user raised in the request
    log after the answer, and the connection was reset under the next request."""
    # The test before's last log line is written as its answer's last byte goes out,
    # maybe after that test ended: count from when the log has settled.
    before = -1
    deadline = time.monotonic() + 5
    while (count := len(served.log_lines())) != before and time.monotonic() < deadline:
        before = count
        time.sleep(0.2)
    browser = Browser(served.port)
    status, _, page = browser.request("GET", "/login")
    assert status == 200
    status, headers, _ = browser.request(
        "POST", "/login", {"csrf_token": token(page), "username": "anna", "password": PASSWORD}
    )
    assert status == 303, headers
    status, _, page = browser.request("GET", "/companies/new")
    assert status == 200
    status, headers, _ = browser.request(
        "POST", "/companies", {"csrf_token": token(page), "name": "Håll Uppe AB", "city": "Luleå"}
    )
    assert status == 303
    status, _, page = browser.request("GET", headers["location"])
    assert status == 200 and "Håll Uppe AB" in page
    company_path = headers["location"].split("#")[0]
    status, headers, _ = browser.request(
        "POST",
        f"{company_path}/activities",
        {"csrf_token": token(page), "kind": "call", "notes": "Ringde"},
    )
    assert status == 303
    status, _, page = browser.request("GET", company_path)
    assert status == 200 and "Ringde" in page
    status, _, _ = browser.request("POST", "/logout", {"csrf_token": token(page)})
    assert status == 303
    status, _, _ = browser.request("GET", "/login")
    assert status == 200
    assert len(browser.sockets) == 1, "every request went over the same connection"

    # A log line is written as its answer's last byte goes out: wait for the last one.
    deadline = time.monotonic() + 5
    while True:
        lines = served.log_lines()[before:]
        requests = [line for line in lines if line["logger"] == "matcha.request"]
        if len(requests) >= browser.requests or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(requests) == browser.requests, "one log line per request"
    assert [line for line in lines if line["level"] in ("ERROR", "CRITICAL")] == []
    assert {line["user_id"] for line in requests if line["method"] == "POST"} > {None}


def signed_in(port: int) -> Browser:
    browser = Browser(port)
    _, _, page = browser.request("GET", "/login")
    status, _, _ = browser.request(
        "POST", "/login", {"csrf_token": token(page), "username": "anna", "password": PASSWORD}
    )
    assert status == 303
    return browser


@pytest.mark.parametrize("case", ["csv_million_headers", "xlsx_many_rows_undeclared"])
def test_a_colleagues_saves_go_through_while_a_hostile_file_is_read(served, case):
    """The file is read before anything is written: a colleague's saves meanwhile are
    answered as saved, and the file with the reason it was refused."""
    make, filename = hostile.CASES[case]
    content = make()
    uploader, colleague = signed_in(served.port), signed_in(served.port)
    _, _, upload_page = uploader.request("GET", "/imports")
    _, _, new_company = colleague.request("GET", "/companies/new")
    answer: dict[str, object] = {}

    def send() -> None:
        status, _, page = uploader.request(
            "POST",
            "/imports",
            {"csrf_token": token(upload_page), "kind": "companies"},
            file=("file", filename, content),
        )
        answer.update(status=status, page=page)

    sending = threading.Thread(target=send)
    sending.start()
    saves = []
    while sending.is_alive() or not saves:
        status, _, _ = colleague.request(
            "POST",
            "/companies",
            {"csrf_token": token(new_company), "name": f"Under uppladdning {case} {len(saves)}"},
        )
        saves.append(status)
    sending.join()
    assert saves and set(saves) == {303}, saves
    assert answer["status"] == 422
    assert EXPECTED[case] in html.unescape(str(answer["page"]))
