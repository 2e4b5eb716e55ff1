"""What the browser tests share: the live server they drive, axe-core, and common steps.

The server is a subprocess running tests/e2e/liveserver.py with uvicorn on its own SQLite
file and data folder, on a free port of 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.activities import service as activities
from app.auth.models import User
from app.cli import migrate
from app.clock import STOCKHOLM, SettableClock
from app.companies.models import Company
from app.config import PROJECT_ROOT
from app.contacts import service as contacts
from app.db import make_engine
from tests.assignments.factories import make_assignment
from tests.e2e.liveserver import CLOCK_PATH
from tests.factories import PASSWORD, make_company, make_user

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The same Monday morning as the unit tests (tests/conftest.py); tests that care set it.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM)
# Importing the app takes a few seconds, several times that on a busy machine.
SERVER_START_TIMEOUT = 60.0

ADMIN_USERNAME = "admin"
ADMIN_FULL_NAME = "Ada Administratör"
ADMIN_PASSWORD = PASSWORD


# --- the live server ------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    engine: Engine

    def set_clock(self, instant: dt.datetime) -> None:
        """Moves the server's clock (the test-only route of tests/e2e/liveserver.py)."""
        response = httpx.post(self.url + CLOCK_PATH, json={"now": instant.isoformat()})
        assert response.status_code == 200, response.text

    def create_user(
        self, username: str, *, full_name: str | None = None, role: str = "broker"
    ) -> str:
        """A user straight in the database, for tests whose subject is not user management.

        Returns the user's password.
        """
        with Session(self.engine) as session:
            make_user(
                session,
                SettableClock(START),
                role=role,
                username=username,
                full_name=full_name or username.replace(".", " ").title(),
            )
        return PASSWORD


def make_company_in(server: LiveServer, *, by: str, tags: str = "", **fields: str) -> int:
    """A company straight in the server's database, made through the company service (so
    with its search text and history) by the user named `by`. Returns its id."""
    with Session(server.engine) as session:
        author = session.exec(select(User).where(User.username == by)).one()
        company = make_company(session, SettableClock(START), user=author, tags=tags, **fields)
        return company.id  # type: ignore[return-value]


def make_contact_in(server: LiveServer, company_id: int, *, by: str, **fields: Any) -> int:
    """A contact person of the company, made through the contact service by `by`."""
    with Session(server.engine) as session:
        author = session.exec(select(User).where(User.username == by)).one()
        company = session.get_one(Company, company_id)
        contact = contacts.create(
            company,
            contacts.ContactForm(**fields),
            user=author,
            session=session,
            clock=SettableClock(START),
        )
        session.commit()
        return contact.id  # type: ignore[return-value]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the live server exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer /healthz:\n{log.read_text()[-3000:]}")


@contextmanager
def run_live_server(
    tmp_dir: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """A migrated, empty SQLite database and the app serving it from a subprocess.

    `extra_env`: more settings for the app (MATCHA_* variables), over the ones set here.
    """
    database_url = f"sqlite:///{tmp_dir / 'matcha.db'}"
    migrate(database_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "e2e-secret-key-not-for-production",
        "MATCHA_DATA_DIR": str(tmp_dir / "data"),
        "MATCHA_LOG_LEVEL": "WARNING",
        "MATCHA_TEST_NOW": START.isoformat(),
        # Plain http on 127.0.0.1, whatever the developer's shell says.
        "MATCHA_SECURE_COOKIES": "false",
        "MATCHA_TRUSTED_PROXIES": "",
        **(extra_env or {}),
    }
    log = tmp_dir / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.e2e.liveserver:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    engine = make_engine(database_url)
    try:
        _wait_until_healthy(url, process, log)
        yield LiveServer(url=url, engine=engine)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        engine.dispose()


# --- accessibility --------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Contexts made with JavaScript off: axe cannot run in them (see check_accessibility).
_SCRIPTLESS: weakref.WeakSet[BrowserContext] = weakref.WeakSet()

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def mark_scriptless(context: BrowserContext) -> None:
    """Tells check_accessibility that this context was made with JavaScript off."""
    _SCRIPTLESS.add(context)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def check_accessibility(page: Page) -> None:
    """Runs axe-core on the page as it is now; fails on any serious or critical violation.

    The app's Content-Security-Policy allows only its own scripts, so axe is evaluated
    through the DevTools protocol (page.evaluate) rather than added as a <script>.
    """
    violations = _violations_of_copy(page) if page.context in _SCRIPTLESS else _violations(page)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            lines.extend(f"    {n['target']}: {n['summary']}" for n in v["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


def _violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return [v for v in page.evaluate(_RUN_AXE, AXE_TAGS) if v["impact"] in BLOCKING_IMPACTS]


def _violations_of_copy(page: Page) -> list[dict[str, Any]]:
    """axe on a page shown without JavaScript, run on a copy of it.

    With JavaScript off, page.evaluate still runs but timers never fire, so axe.run would
    wait forever. The copy is the same HTML at the same address, under the headers (and so
    the Content-Security-Policy) the server sends there, with the page's own scripts
    blocked so that it stays as the scriptless browser shows it.
    """
    html, url = page.content(), page.url
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport=page.viewport_size)
    try:
        copy = context.new_page()
        copy.route("**/*.js", lambda route: route.abort())
        copy.route(url, lambda route: route.fulfill(response=route.fetch(), body=html))
        copy.goto(url)
        return _violations(copy)
    finally:
        context.close()


# --- focus after htmx swaps ------------------------------------------------------------

# Installed in every page (BrowserContext.add_init_script) before the app's own scripts:
# after each htmx swap, where is focus? It must be inside the swapped region (what took the
# target's place; for a target that went with nothing in its place, the section it was in),
# in what the same answer swapped in out of band (the new entry of a timeline), or the
# flash area, or still on the element it was on before the swap, or on the one with
# its id that took its place (the user was there: a swap must not take it away). Never on
# <body>. A miss is reported
# to Python through the binding FOCUS_BINDING. The check runs when htmx:afterRequest
# reaches the window, after every listener of the app's: htmx has swapped and settled by
# then (static/matcha.js settles at once), also when the element that sent the request went
# with the swap (htmx then fires the event on its nearest remaining ancestor).
FOCUS_BINDING = "__matchaFocusMiss"
FOCUS_WATCH = """(() => {
  if (window.__matchaFocusWatch) return;
  window.__matchaFocusWatch = true;
  const swaps = new WeakMap();
  const describe = (element) => {
    if (!element) return "nothing";
    if (element === document.body) return "<body>";
    const html = element.outerHTML;
    return html.length > 200 ? html.slice(0, 200) + "…" : html;
  };
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const ancestors = [];
    for (let element = target?.parentElement; element; element = element.parentElement) {
      ancestors.push(element);
    }
    swaps.set(event.detail.xhr, {
      detail: event.detail,
      target,
      id: target?.id,
      previous: target?.previousElementSibling,
      next: target?.nextElementSibling,
      ancestors,
      settled: [],
      before: document.activeElement,
    });
  }, true);
  document.addEventListener("htmx:afterSettle", (event) => {
    swaps.get(event.detail.xhr)?.settled.push(event.target);
  }, true);
  window.addEventListener("htmx:afterRequest", (event) => {
    const swap = swaps.get(event.detail.xhr);
    if (!swap || swap.checked || !swap.detail.shouldSwap) return;
    swap.checked = true;
    const active = document.activeElement;
    // What took the target's place (not what came out of band): the target itself, the
    // element with its id, or the new elements between its old neighbours.
    const after = (a, b) => !a?.isConnected || Boolean(a.compareDocumentPosition(b) & 4);
    const same = swap.id && document.getElementById(swap.id);
    const regions = swap.target?.isConnected
      ? [swap.target]
      : same
        ? [same]
        : swap.settled.filter(
            (element) =>
              element.isConnected &&
              element.parentElement === swap.ancestors[0] &&
              after(swap.previous, element) &&
              after(element, swap.next),
          );
    if (!regions.length) {
      // Nothing took the target's place: the section (or article) it was in.
      const remaining = swap.ancestors.find((element) => element.isConnected);
      if (remaining) regions.push(remaining.closest("section, article") || remaining);
    }
    const flash = document.getElementById("flash");
    const inside = (region) => region && region !== document.body && region.contains(active);
    // Still in the field the user was in, or in its namesake that took its place (htmx
    // gives focus back by id, also to an element swapped out of band).
    const kept =
      active?.isConnected &&
      (active === swap.before || Boolean(active.id && active.id === swap.before?.id));
    const swapped = regions.some(inside) || swap.settled.some(inside) || inside(flash);
    if (active && active !== document.body && (swapped || kept)) {
      return;
    }
    window.__matchaFocusMiss({
      page: location.pathname + location.search,
      request: event.detail.requestConfig?.verb + " " + event.detail.pathInfo?.requestPath,
      status: event.detail.xhr.status,
      region: regions.map(describe).join(" | ") || "nothing",
      focus: describe(active),
      before: describe(swap.before),
    });
  });
})();"""


class FocusWatch:
    """The focus misses of one test's browser contexts (see FOCUS_WATCH)."""

    def __init__(self) -> None:
        self.misses: list[dict[str, Any]] = []
        self.contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext) -> None:
        if context in _SCRIPTLESS:
            return  # no script runs there, nor any htmx swap
        context.expose_binding(FOCUS_BINDING, lambda _source, miss: self.misses.append(miss))
        context.add_init_script(FOCUS_WATCH)
        self.contexts.append(context)

    def failures(self) -> str:
        """What went wrong, once every page's last reports have come in; "" if nothing."""
        for context in self.contexts:
            for page in context.pages:
                # Takes in the binding calls still on their way (a closed page has none).
                with contextlib.suppress(PlaywrightError):
                    page.evaluate("() => 0")
        if not self.misses:
            return ""
        lines = [f"{len(self.misses)} htmx swap(s) left focus outside what they swapped:"]
        for miss in self.misses:
            lines.append(
                f"- on {miss['page']}, {miss['request']} ({miss['status']}): focus on "
                f"{miss['focus']}\n    swapped: {miss['region']}\n    before: {miss['before']}"
            )
        return "\n".join(lines)


# --- steps many tests take --------------------------------------------------------------


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    check_accessibility(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page).not_to_have_url("/login")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url("/login")
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad.")
    check_accessibility(page)


def make_activity_in(server: LiveServer, company_id: int, *, by: str, **fields: str) -> int:
    """An activity at the company (a call unless `kind` says otherwise), logged through the
    activity service by `by` at START. Returns its id."""
    with Session(server.engine) as session:
        author = session.exec(select(User).where(User.username == by)).one()
        company = session.get_one(Company, company_id)
        activity = activities.create(
            company,
            activities.ActivityForm(**fields),
            user=author,
            session=session,
            clock=SettableClock(START),
        )
        session.commit()
        return activity.id  # type: ignore[return-value]


def make_assignment_in(
    server: LiveServer, company_id: int, *, by: str, status: str | None = None, **fields: Any
) -> int:
    """An assignment at the company, made through the assignment service by `by` at START
    (and moved to `status`, with `filled_count`, as the pipeline would). Returns its id."""
    with Session(server.engine) as session:
        author = session.exec(select(User).where(User.username == by)).one()
        company = session.get_one(Company, company_id)
        assignment = make_assignment(
            session, SettableClock(START), company, author, status=status, **fields
        )
        return assignment.id  # type: ignore[return-value]
