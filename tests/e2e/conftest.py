"""Fixtures for the browser tests: Chromium as installed by apt, and live servers.

A module shares one server with an admin already in it (`live_server`); a module whose
tests need an empty database overrides `server` with `fresh_server`. Tests create the
users they need under their own names, so they depend neither on each other nor on order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.e2e.support import (
    ADMIN_FULL_NAME,
    ADMIN_USERNAME,
    AXE,
    CHROMIUM,
    FocusWatch,
    LiveServer,
    mark_scriptless,
    run_live_server,
)
from tests.tools import require_tool

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10's stand-in base_url fixture (used when pytest-base-url is not
    # installed) is a method on a plugin class, which pytest 9 warns about on every run.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require_tool(CHROMIUM, "Chromium", "install it with `apt-get install chromium`")
    require_tool(AXE, "axe-core", "run `npm ci` to install it")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The live server of each test decides the base URL (see `context`), not --base-url.
    return {key: value for key, value in browser_context_args.items() if key != "base_url"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per module, with an admin (ADMIN_USERNAME, ADMIN_PASSWORD) in it."""
    with run_live_server(tmp_path_factory.mktemp("live")) as server:
        server.create_user(ADMIN_USERNAME, full_name=ADMIN_FULL_NAME, role="admin")
        yield server


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own, on an empty database (first-run setup)."""
    with run_live_server(tmp_path) as server:
        yield server


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The server this test's pages talk to; a module overrides it to use `fresh_server`."""
    return live_server


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext],
) -> Iterator[Callable[..., BrowserContext]]:
    """pytest-playwright's, with every browser context (a test's second user's too) under
    the focus watch: after each htmx swap focus is in what was swapped or the flash area,
    never on <body> (support.FOCUS_WATCH). A miss fails the test as it ends."""
    watch = FocusWatch()

    def watched(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        if kwargs.get("java_script_enabled", True):
            watch.watch(context)
        return context

    yield watched
    if failures := watch.failures():
        pytest.fail(failures, pytrace=False)


@pytest.fixture
def context(new_context: Callable[..., BrowserContext], server: LiveServer) -> BrowserContext:
    return new_context(base_url=server.url)


@pytest.fixture
def no_js_page(new_context: Callable[..., BrowserContext], server: LiveServer) -> Page:
    """A page in a browser with JavaScript turned off: forms must work as plain POSTs."""
    context = new_context(base_url=server.url, java_script_enabled=False)
    mark_scriptless(context)
    return context.new_page()
