"""The search in every page's header: what it finds, grouped; suggestions as a listbox; the
results page; archived companies only when asked for; constant statements."""

from __future__ import annotations

import re

import pytest

from app.companies import service as companies
from tests import statements
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def world(session, clock, bo, company):
    """Ängelholms Bygg AB with Åsa Berg (HR), an assignment for a snickare in Ängelholm, an
    event about bygg, an unrelated company, and an archived one named like the first."""
    make_contact(session, clock, company, bo, name="Åsa Berg", title="HR-chef")
    make_assignment(session, clock, company, bo, occupation="Snickare", workplace="Ängelholm")
    make_event(session, clock, bo, title="Branschträff bygg")
    make_company(session, clock, user=bo, name="Örebro Städ AB", city="Örebro")
    old = make_company(session, clock, user=bo, name="Ängelholms Gamla Bygg AB")
    companies.archive(old, user=bo, session=session, clock=clock)
    session.commit()
    return company


def group(html: str, kind: str) -> str:
    """The results page's section of one kind."""
    match = re.search(
        rf'<section class="found-group" aria-labelledby="found-{kind}">(.*?)</section>', html, re.S
    )
    return match.group(1) if match else ""


def test_the_results_page_groups_what_it_finds(client, world):
    page = client.get("/search?q=ängel").text
    assert "Ängelholms Bygg AB" in group(page, "company")
    assert "Snickare" in group(page, "assignment")
    # Archived and merged companies only when asked for, in a group of their own.
    assert "Ängelholms Gamla Bygg AB" not in page
    asked = client.get("/search?q=ängel&archived=true").text
    assert "Ängelholms Gamla Bygg AB" in group(asked, "archived")
    assert "Ängelholms Gamla Bygg AB" not in group(asked, "company")
    # Contact persons with their company; events by title; any case, any letters.
    contact = group(client.get("/search?q=ASA").text, "contact")
    assert "Åsa Berg" in contact and "HR-chef · Ängelholms Bygg AB" in contact
    assert "Branschträff bygg" in group(client.get("/search?q=BYGG").text, "event")
    assert "Örebro Städ AB" in group(client.get("/search?q=orebro").text, "company")
    assert "Inga träffar för ”zzz”." in client.get("/search?q=zzz").text
    # The field keeps what was searched for; an empty search shows the form only.
    assert 'id="search-q" name="q" value="ängel"' in page
    assert "found-group" not in client.get("/search").text


def test_suggestions_are_a_listbox_of_options(client, world):
    html = client.get("/search/suggestions?q=ängel", headers={"HX-Request": "true"}).text
    assert html.lstrip().startswith('<div id="site-search-results"')
    assert 'role="listbox"' in html and 'role="group"' in html
    options = re.findall(r'<a role="option" id="([^"]+)" href="([^"]+)"', html)
    assert (f"site-search-company-{world.id}", f"/companies/{world.id}") in options
    assert options[-1] == ("site-search-all", "/search?q=%C3%A4ngel")
    # What the live region says: the company and the assignment (not the archived company).
    assert 'data-count="2 förslag"' in html and len(options) == 3
    empty = client.get("/search/suggestions?q=", headers={"HX-Request": "true"}).text
    assert 'role="option"' not in empty
    # Nothing found: the way to search the archived companies too.
    none = client.get("/search/suggestions?q=zzz", headers={"HX-Request": "true"}).text
    assert 'href="/search?q=zzz&amp;archived=true"' in none


def test_every_page_has_the_search_field(client, world):
    html = client.get("/").text
    assert 'role="combobox"' in html and 'aria-controls="site-search-results"' in html
    assert '<form method="get" action="/search" data-site-search>' in html


def test_suggestions_opened_as_a_page_are_the_search_page(client, world):
    response = client.get("/search/suggestions?q=bygg")
    assert response.status_code == 303 and response.headers["location"] == "/search?q=bygg"


def test_only_signed_in_users_search(client, session, clock):
    assert client.get("/search?q=a").status_code in (302, 303)
    assert client.get("/search/suggestions?q=a").status_code in (302, 303, 401)


def test_a_broker_may_log_a_call_from_a_company_found(client, session, clock, world):
    page = client.get("/search?q=ängel").text
    assert f'hx-get="/companies/{world.id}/log?place=search"' in page
    assert f'<div id="company-{world.id}-log" hidden></div>' in page
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    viewer = client.get("/search?q=ängel").text
    assert "Ängelholms Bygg AB" in viewer and "/log?place=search" not in viewer


@pytest.mark.parametrize(
    "path", ["/search?q=bygg", "/search/suggestions?q=bygg", "/search?q=by&archived=true"]
)
def test_statements_are_constant_as_data_grows(client, session, clock, engine, bo, path):
    def add(first, last):
        for number in range(first, last):
            company = make_company(session, clock, user=bo, name=f"Bygg {number:02d} AB")
            make_contact(session, clock, company, bo, name=f"Byggare {number}")
            make_assignment(session, clock, company, bo, occupation=f"Byggare {number}")
            make_event(session, clock, bo, title=f"Bygg {number}")

    def page():
        # The suggestions are what htmx asks for (opened as a page, the search page).
        headers = {"HX-Request": "true"} if "suggestions" in path else {}
        assert client.get(path, headers=headers).status_code == 200

    add(0, 12)  # more than either page shows of each kind
    few = statements.count(engine, page)
    add(12, 40)
    assert statements.count(engine, page) == few
