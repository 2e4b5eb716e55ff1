"""Every role sees only the links it may follow: for admin, broker and viewer, the menu
and the main pages (Min dag, the lists, a company, an assignment, an event, the reports)
are read and every internal link they show is followed; each must answer 200 (or a
redirect to a 200), never 403 or 404."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request

from app.activities import service as activities
from app.auth.deps import may_open
from app.auth.models import Role
from app.companies import service as companies
from tests.factories import PASSWORD
from tests.world import make_world

LINK = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"", re.IGNORECASE)
NAV = re.compile(r'<nav aria-label="Huvudmeny">(.*?)</nav>', re.DOTALL)
# The static files are no pages.
NOT_PAGES = ("/static/",)


def links(html: str) -> list[str]:
    """The internal links an HTML page shows, without their #fragment, in order."""
    found = []
    for raw in LINK.findall(html):
        href = urldefrag(unescape(raw)).url
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue  # external, mailto:, tel:, or a #fragment of the page itself
        if href.startswith(NOT_PAGES) or href in found:
            continue
        found.append(href)
    return found


@pytest.fixture
def world(session, clock):
    world = make_world(session, clock)
    by = {"session": session, "clock": clock}
    company = companies.get(world["samples"]["other_company_id"], session=session)
    # A follow-up due today, logged by the admin on the broker's company: on both their
    # Min dag, and the broker sees a colleague's activity, which they may not edit.
    activities.create(
        company,
        activities.ActivityForm(notes="Ringde om praktik", follow_up_on="2026-03-02"),
        user=world["admin"],
        **by,
    )
    session.commit()
    return world


def main_pages(samples: dict[str, object], nav: list[str]) -> list[str]:
    return [
        "/",
        *nav,
        f"/companies/{samples['company_id']}",
        f"/companies/{samples['other_company_id']}",
        f"/contacts/{samples['contact_id']}",
        f"/assignments/{samples['assignment_id']}",
        f"/events/{samples['event_id']}",
        f"/events/{samples['past_event_id']}",
        "/reports",
        "/account",
    ]


@pytest.mark.parametrize("role", ["admin", "broker", "viewer"])
def test_every_link_a_role_sees_answers(client, world, role):
    """From the main pages, page by page through the pages their links lead to (those
    without a query string: the lists' sorts and filters are followed, not crawled)."""
    client.login(role, PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    if role != "viewer":
        assert "Ringde om praktik" in home.text  # Min dag shows the follow-up
    nav_html = NAV.search(home.text)
    assert nav_html, "no main menu on Min dag"
    nav = links(nav_html.group(1))
    assert "/companies" in nav and "/reports" in nav
    to_read = list(dict.fromkeys(main_pages(world["samples"], nav)))
    queued = set(to_read)
    answered: dict[str, int] = {}
    broken: list[str] = []
    while to_read:
        page = to_read.pop(0)
        response = client.get(page, follow_redirects=True)
        answered[page] = response.status_code
        assert response.status_code == 200, f"{role}: {page} answered {response.status_code}"
        for link in links(response.text):
            if link not in answered:
                answer = client.get(link, follow_redirects=True)
                answered[link] = answer.status_code
                html = answer.headers.get("content-type", "").startswith("text/html")
                if answer.status_code == 200 and html and "?" not in link and link not in queued:
                    to_read.append(link)
                    queued.add(link)
            if answered[link] != 200:
                broken.append(f"{page} -> {link}: {answered[link]}")
    assert not broken, f"{role} is shown links that do not answer 200:\n" + "\n".join(broken)
    # The walk reached the pages each role has: the reports, the team's for team leads,
    # the imports for those who import, the users for admins.
    assert len(queued) > 15, sorted(queued)
    assert ("/reports/team" in answered) == (role in ("admin", "viewer"))
    assert ("/imports" in answered) == (role in ("admin", "broker"))
    assert ("/admin/users" in answered) == (role == "admin")


@pytest.mark.parametrize("role", ["admin", "broker", "viewer"])
def test_may_open_asks_the_routes_own_gates(app, client, world, role):
    """A page's may_open(path) agrees with what the route answers the role, for every
    page without a path parameter."""
    client.login(role, PASSWORD)
    user = world[role]
    request = Request({"type": "http", "app": app, "state": {}, "headers": []})
    request.state.user = user
    paths = [
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "GET" in (context.methods or ())
        and "{" not in context.path
        and context.path not in ("/login", "/setup", "/healthz")
    ]
    assert "/reports/team" in paths and "/admin/users" in paths
    for path in paths:
        status = client.get(path).status_code
        assert may_open(request, path) == (status != 403), (path, status)
    assert not may_open(request, "/finns/inte")
    assert may_open(request, f"/companies/{world['samples']['company_id']}")
    assert may_open(request, "/assignments/new") == (user.role != Role.viewer)
