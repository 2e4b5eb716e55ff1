"""Event pages over HTTP: the list's order, filters and pages, new and edit, inviting from
the register's search (plain GET and htmx), ticking checklist items in one click, the
outcome form, the admin's default checklist, what a viewer sees, and a constant number
of statements for the list and the event page as data grows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.activities.models import Activity
from app.events import participants
from app.events.models import EventTask, RecruitmentEvent
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import STARTS, invite, make_event
from tests.factories import PASSWORD, make_company, make_user
from tests.lists import found_count
from tests.statements import count, recorded

HTMX = {"HX-Request": "true"}


@pytest.fixture
def event(session, clock, bo):
    return make_event(session, clock, bo)


def titles(html):
    return re.findall(r'<a href="/events/\d+">([^<]+)</a>', html)


@pytest.fixture
def four(session, clock, bo):
    """Two events to come and two past ones, one of them Cia's; returns Cia."""
    cia = make_user(session, clock, role="broker", full_name="Cia Lind")
    day = dt.timedelta(days=1)
    make_event(session, clock, bo, title="Långt fram", starts=STARTS + 30 * day)
    make_event(session, clock, bo, title="Snart", starts=STARTS)
    make_event(session, clock, cia, title="Förra veckan", starts=STARTS - 21 * day)
    make_event(session, clock, bo, title="Förra månaden", starts=STARTS - 40 * day)
    return cia


def test_the_list_shows_upcoming_events_first_then_past_ones(client, four):
    cia = four
    assert titles(client.get("/events").text) == [
        "Snart",
        "Långt fram",
        "Förra veckan",
        "Förra månaden",
    ]
    assert titles(client.get("/events?owner=me").text) == ["Snart", "Långt fram", "Förra månaden"]
    assert titles(client.get(f"/events?owner={cia.id}", headers=HTMX).text) == ["Förra veckan"]
    assert titles(client.get("/events?status=cancelled").text) == []


def test_the_list_pages(client, session, clock, bo):
    for number in range(26):
        make_event(
            session, clock, bo, title=f"Träff {number}", starts=STARTS + dt.timedelta(days=number)
        )
    first = client.get("/events?owner=me").text
    assert len(titles(first)) == 25 and 'href="/events?owner=me&amp;page=2"' in first
    assert titles(client.get("/events?owner=me&page=2").text) == ["Träff 25"]


def sort_headers(html):
    """{column: (aria-sort or None, its link)} of the list's sortable headers."""
    headers = re.findall(
        r'<th scope="col"(?: aria-sort="(\w+)")?>\s*<a href="([^"]+)" class="sort-link">([^<]+)',
        html,
    )
    return {label: (sort or None, href.replace("&amp;", "&")) for sort, href, label in headers}


def test_the_list_says_how_many_it_found(client, four):
    assert found_count(client.get("/events").text) == "4 träffar"
    assert found_count(client.get(f"/events?owner={four.id}").text) == "1 träff"
    nothing = client.get("/events?status=cancelled", headers=HTMX).text
    assert found_count(nothing) == "0 träffar"
    assert "Inga träffar matchar filtret." in nothing
    assert nothing.lstrip().startswith('<div id="results">')
    live = '<div aria-live="polite" aria-atomic="true">'
    assert live + '<p class="found-count visually-hidden"' in nothing  # "0": said, not shown


def test_the_list_sorts_by_start_from_its_header(client, four):
    page = client.get("/events").text
    # By default those to come first: no column says it sorts the list.
    assert sort_headers(page) == {"När": (None, "/events?sort=start")}
    earliest = client.get("/events?sort=start").text
    assert titles(earliest) == ["Förra månaden", "Förra veckan", "Snart", "Långt fram"]
    assert sort_headers(earliest) == {"När": ("ascending", "/events?sort=-start")}
    assert '<option value="start" selected>' in earliest
    latest = client.get("/events?sort=-start").text
    assert titles(latest) == ["Långt fram", "Snart", "Förra veckan", "Förra månaden"]
    assert sort_headers(latest) == {"När": ("descending", "/events?sort=start")}
    # The header keeps the filters and goes back to the first page; pages and the export
    # keep the order.
    mine = client.get("/events?owner=me&sort=-start&page=1").text
    assert sort_headers(mine) == {"När": ("descending", "/events?owner=me&sort=start")}
    assert titles(mine) == ["Långt fram", "Snart", "Förra månaden"]
    assert 'href="/events/export.csv?owner=me&amp;sort=-start"' in mine
    assert titles(client.get("/events?sort=evil").text) == titles(page)


def test_only_a_page_that_is_not_the_last_asks_for_the_count(client, session, clock, bo, engine):
    for number in range(27):
        make_event(
            session, clock, bo, title=f"Träff {number}", starts=STARTS + dt.timedelta(days=number)
        )

    def counts(url):
        with recorded(engine) as seen:
            html = client.get(url).text
        return found_count(html), [s for s in seen if "count(" in s.lower()]

    number, counting = counts("/events")
    # The count of each event's companies is there too; the list's own is one more.
    assert number == "27 träffar" and len(counting) == 2
    number, counting = counts("/events?page=2")
    assert number == "27 träffar" and len(counting) == 1


def test_the_list_costs_one_count_more_past_its_first_page(client, session, clock, bo, engine):
    def add(first, last):
        for number in range(first, last):
            make_event(session, clock, bo, starts=STARTS + dt.timedelta(days=number))

    def listing():
        assert client.get("/events?sort=-start").status_code == 200

    add(0, 3)
    few = count(engine, listing)
    add(3, 40)
    # A last page says how many it found by itself; a longer list counts them once.
    assert count(engine, listing) == few + 1


def test_new_event_is_saved_with_its_checklist(client, session, clock, bo):
    form = client.get("/events/new").text
    assert f'<option value="{bo.id}" selected>' in form
    response = client.post_form(
        "/events",
        {
            "title": "Vårträffen",
            "starts_at": "2026-04-15T09:00",
            "ends_at": "2026-04-15T12:00",
            "place": "Stadshuset",
            "owner_id": str(bo.id),
        },
        token_from="/events/new",
    )
    assert response.status_code == 303
    event = session.exec(select(RecruitmentEvent)).one()
    assert response.headers["location"] == f"/events/{event.id}"
    page = client.get(f"/events/{event.id}").text
    assert "Boka lokal eller digitalt mötesrum" in page and "2026-04-15 09:00" in page


def test_an_invalid_event_is_shown_again_with_its_message(client, bo):
    response = client.post_form(
        "/events",
        {"title": "X", "starts_at": "2026-04-15T09:00", "ends_at": "2026-04-15T08:00"},
        token_from="/events/new",
        headers=HTMX,
    )
    assert response.status_code == 422
    ends_at = re.search(r'<input id="ends_at"[^>]*>', response.text)
    assert ends_at, response.text
    assert 'aria-invalid="true"' in ends_at.group(0)
    assert 'aria-describedby="ends_at-error ends_at-hint ends_at-understood"' in ends_at.group(0)
    assert "<html" not in response.text


def test_a_stale_edit_shows_the_conflict(client, session, clock, bo, event):
    data = {
        "title": "Ny rubrik",
        "starts_at": "2026-03-16T09:00",
        "ends_at": "2026-03-16T12:00",
        "owner_id": str(bo.id),
        "version": "1",
    }
    assert client.post_form(f"/events/{event.id}", data, token_from="/events").status_code == 303
    data["place"] = "Biblioteket"
    response = client.post_form(f"/events/{event.id}", data, token_from="/events")
    assert response.status_code == 409
    assert 'id="edit-conflict"' in response.text and "Ny rubrik" in response.text


def test_inviting_from_the_search_logs_the_invitation(client, session, clock, bo, event):
    company = make_company(session, clock, user=bo, name="Ängelholms Bygg AB")
    page = client.get(f"/events/{event.id}/companies/new?q=ängelholm")
    assert (
        page.status_code == 200
        and "<html" in page.text
        and "Bjud in Ängelholms Bygg AB" in page.text
    )
    fragment = client.get(f"/events/{event.id}/companies/new?q=ängelholm", headers=HTMX).text
    assert fragment.startswith('<div id="found"')
    response = client.post_form(
        f"/events/{event.id}/companies", {"company_id": str(company.id)}, token_from="/events"
    )
    assert response.status_code == 303
    assert session.exec(select(Activity).where(Activity.company_id == company.id)).one()
    again = client.get(f"/events/{event.id}/companies/new?q=ängelholm", headers=HTMX).text
    assert "redan med" in again
    refused = client.post_form(
        f"/events/{event.id}/companies", {"company_id": str(company.id)}, token_from="/events"
    )
    assert refused.status_code == 409 and "är redan med på träffen" in refused.text


def test_a_checklist_item_is_ticked_in_one_click(client, session, clock, bo, event):
    task = session.exec(select(EventTask).where(EventTask.event_id == event.id)).first()
    url = f"/events/{event.id}/tasks/{task.id}/done"
    response = client.post_form(url, {"done": "1"}, token_from="/events", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith(f'<li id="task-{task.id}" class="task done">')
    assert 'aria-pressed="true"' in response.text and "autofocus" in response.text
    plain = client.post_form(url, {"done": "0"}, token_from="/events")
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#task-{task.id}")
    session.refresh(task)
    assert task.done_at is None


def test_the_outcome_form_saves_hires_on_the_assignment(client, session, clock, bo, event):
    company = make_company(session, clock, user=bo, name="Ängelholms Bygg AB")
    assignment = make_assignment(session, clock, company, bo, positions=2)
    invite(session, clock, event, company, bo)
    participants.link_assignment(event, str(assignment.id), user=bo, session=session, clock=clock)
    session.commit()
    assert "Utfallet fyller du i när träffen har börjat." in client.get(f"/events/{event.id}").text
    clock.set(STARTS + dt.timedelta(hours=4))
    client.login("bo", PASSWORD)  # two weeks later: a new session
    page = client.get(f"/events/{event.id}").text
    assert 'id="outcome-hires-' in page
    assert "när du sparar utfallet blir den avslutad" in page
    data = {
        "version": str(event.version),
        "jobseekers_invited": "30",
        "jobseekers_attended": "22",
        "interviews": "12",
        "hires": "",
        "company_id": str(company.id),
        "seen_status": "invited",
        "status": "attended",
        "assignment_id": str(assignment.id),
        "seen_hires": "0",
        "assignment_hires": "2",
    }
    response = client.post_form(f"/events/{event.id}/outcome", data, token_from="/events")
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "Utfallet är sparat och träffen är avslutad." in page
    assert "när du sparar utfallet blir den avslutad" not in page
    session.refresh(assignment)
    assert assignment.filled_count == 2
    history = client.get(f"/assignments/{assignment.id}").text
    assert "Rekryteringsträff lager" in history
    session.refresh(event)
    data.update(version=str(event.version), seen_hires="2", assignment_hires="3")
    refused = client.post_form(f"/events/{event.id}/outcome", data, token_from="/events")
    assert refused.status_code == 422 and "får inte plats" in refused.text


def test_a_viewer_reads_but_sees_no_forms(client, session, clock, event):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    page = client.get(f"/events/{event.id}").text
    assert event.title in page
    assert 'method="post" action="/events/' not in page
    assert client.get("/events").status_code == 200
    assert client.get(f"/events/{event.id}/companies/new").status_code == 403


def test_the_admin_edits_the_default_checklist(client, session, clock):
    make_user(session, clock, role="admin", username="ada")
    client.login("ada", PASSWORD)
    page = client.get("/admin/checklist").text
    assert "Boka lokal eller digitalt mötesrum" in page
    response = client.post_form(
        "/admin/checklist",
        {"phase": "closing", "title": "Skicka enkät", "days_from_start": "7"},
        token_from="/admin/checklist",
    )
    assert response.status_code == 303
    assert "Skicka enkät" in client.get("/admin/checklist").text
    bad = client.post_form(
        "/admin/checklist",
        {"phase": "closing", "title": "", "days_from_start": "7"},
        token_from="/admin/checklist",
    )
    assert bad.status_code == 422


def test_pages_in_english(client, session, clock, bo, event):
    bo.locale = "en"
    session.add(bo)
    session.commit()
    page = client.get(f"/events/{event.id}").text
    assert "Checklist" in page and "Participating companies" in page
    assert "Recruitment events" in client.get("/events").text


def test_the_event_page_and_list_cost_the_same_statements_as_data_grows(
    client, session, clock, engine, bo
):
    event = make_event(session, clock, bo)
    clock.set(STARTS + dt.timedelta(hours=4))  # the outcome form too
    client.login("bo", PASSWORD)  # two weeks later: a new session

    def grow(companies):
        for _ in range(companies):
            company = make_company(session, clock, user=bo)
            make_contact(session, clock, company, bo, is_primary=True, email="a@b.se")
            make_contact(session, clock, company, bo)
            assignment = make_assignment(session, clock, company, bo)
            make_assignment(session, clock, company, bo)
            invite(session, clock, event, company, bo)
            participants.link_assignment(
                event, str(assignment.id), user=bo, session=session, clock=clock
            )
            make_event(session, clock, bo, starts=STARTS + dt.timedelta(days=companies))
        session.commit()

    def page():
        assert client.get(f"/events/{event.id}").status_code == 200

    def listing():
        assert client.get("/events").status_code == 200

    grow(2)
    few, few_list = count(engine, page), count(engine, listing)
    grow(8)
    assert count(engine, page) == few
    assert count(engine, listing) == few_list
