"""Every page on a phone: as admin, broker and viewer, Chromium at 390×844 opens one URL
per route pattern that answers the role with a page (the world's samples fill the path
parameters) and checks that nothing scrolls sideways (scrollWidth ≤ innerWidth), that
every link shown answers 2xx (after redirects), and axe-core on each page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext
from sqlmodel import Session

from app.clock import SettableClock
from tests.e2e.support import START, LiveServer, check_accessibility, log_in
from tests.factories import PASSWORD
from tests.test_routes import all_routes, path_with_samples
from tests.world import make_world

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# Not pages: files, feeds, fragments for htmx, the sign-in and first-run pages.
NOT_PAGES = (".{file_format}", ".csv", ".ics", "/healthz", "/dates/", "/login", "/setup", "/{path")


def pages() -> list[str]:
    """The path of every GET route that may be a page, in the app's order."""
    return [
        path
        for method, path in all_routes()
        if method == "GET" and not any(part in path for part in NOT_PAGES)
    ]


@pytest.mark.parametrize("role", ["admin", "broker", "viewer"])
def test_every_page_fits_a_phone(
    new_context: Callable[..., BrowserContext], fresh_server: LiveServer, role: str
) -> None:
    with Session(fresh_server.engine) as session:
        samples = make_world(session, SettableClock(START))["samples"]
    context = new_context(base_url=fresh_server.url, viewport=PHONE)
    page = context.new_page()
    log_in(page, role, PASSWORD)
    checked: list[str] = []
    wide: list[str] = []
    links: dict[str, int] = {}
    for pattern in pages():
        url = path_with_samples(pattern, samples)
        response = page.goto(url)
        assert response is not None
        html = response.headers.get("content-type", "").startswith("text/html")
        if response.status != 200 or not html or page.url.endswith("/login"):
            continue  # not this role's page, or not a page
        checked.append(url)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide.append(f"{url}: {width[0]} px wide")
        check_accessibility(page)
        shown = page.eval_on_selector_all(
            "a[href^='/']:not([download])",
            "(links) => links.filter((a) => a.getClientRects().length)"
            ".map((a) => a.pathname + a.search)",
        )
        for link in shown:
            if link not in links and link != "/logout":
                links[link] = context.request.get(link).status
    broken = {link: status for link, status in links.items() if not 200 <= status < 300}
    assert not wide, f"{role}: pages wider than a phone:\n" + "\n".join(wide)
    assert not broken, f"{role}: links shown that do not answer 2xx: {broken}"
    # The walk saw the pages the role has (at least Min dag, the lists and a company).
    assert len(checked) >= 15, checked
    print(f"\n{role}: {len(checked)} pages at 390 px, {len(links)} links followed:")
    print("\n".join(f"  {url}" for url in checked))
