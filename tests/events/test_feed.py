"""The personal calendar feed: made, shown once and revoked on the account page; fetched
without a session by its secret URL, with my events and my open follow-ups only."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

import icalendar
import pytest
from sqlmodel import select

from app.clock import STOCKHOLM
from app.companies import service as companies
from app.events import service as events
from app.events.models import CalendarFeedToken
from tests import statements
from tests.activities.factories import make_activity
from tests.conftest import START
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_company, make_user

FEED = re.compile(r'value="(http://testserver/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def cia(session, clock):
    return make_user(session, clock, role="broker", username="cia", full_name="Cia Berg")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return client


def make_feed(client) -> tuple[str, str]:
    """Makes a feed address on the account page: (the URL, its token)."""
    response = client.post_form("/account/calendar-feed", token_from="/account")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = FEED.search(response.text)
    assert match, "the new address is not shown"
    return match.group(1), match.group(2)


def fetch(client, token: str):
    """The feed as a calendar client fetches it: no session cookie."""
    client.cookies.clear()
    return client.get(f"/calendar/{token}.ics")


def entries(client, token: str) -> dict[str, icalendar.Event]:
    response = fetch(client, token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Matcha: mina träffar och återkopplingar"
    assert calendar.walk("VTIMEZONE")
    return {str(c["SUMMARY"]): c for c in calendar.walk("VEVENT")}


def follow_up(session, clock, company, user, day: dt.date, **fields):
    """An activity with a follow-up on `day`, logged the day before (the service refuses a
    follow-up date already past)."""
    clock.set(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), tzinfo=STOCKHOLM))
    try:
        return make_activity(session, clock, company, user, follow_up_on=day.isoformat(), **fields)
    finally:
        clock.set(START)


# --- the account page -------------------------------------------------------------------


def test_the_account_page_offers_a_feed_and_shows_its_address_once(signed_in, session):
    page = signed_in.get("/account").text
    assert "Kalenderprenumeration" in page
    assert "Skapa adress för prenumeration" in page
    assert "Google Kalender" in page  # says which calendars cannot reach an intranet server

    _, token = make_feed(signed_in)
    # Only the hash is stored, as for sessions.
    [row] = session.exec(select(CalendarFeedToken)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    assert len(token) >= 40

    page = signed_in.get("/account").text
    assert token not in page
    assert "Prenumerationen är på sedan 2026-03-02." in page
    assert "Skapa ny adress" in page and "Stäng av prenumerationen" in page


def test_with_htmx_only_the_feed_section_comes_back(signed_in):
    token = signed_in.csrf_token("/account")
    response = signed_in.post(
        "/account/calendar-feed", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="calendar-feed">')
    assert FEED.search(response.text)


def test_a_new_address_revokes_the_old(signed_in, client):
    _, old = make_feed(signed_in)
    _, new = make_feed(signed_in)
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200


def test_revoking_ends_the_feed(signed_in, client):
    _, token = make_feed(signed_in)
    response = signed_in.post_form("/account/calendar-feed/revoke", token_from="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    page = signed_in.get("/account").text
    assert "Kalenderprenumerationen är avstängd." in page
    assert "Skapa adress för prenumeration" in page
    assert fetch(client, token).status_code == 404


def test_a_viewer_has_no_feed_to_make(client, session, clock):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert "Kalenderprenumeration" not in client.get("/account").text
    response = client.post_form("/account/calendar-feed", token_from="/account")
    assert response.status_code == 403
    assert session.exec(select(CalendarFeedToken)).all() == []


@pytest.mark.parametrize("token", ["unknown", "x" * 43, "a" * 300])
def test_an_unknown_token_is_404(client, token):
    assert fetch(client, token).status_code == 404


def test_a_deactivated_users_feed_is_404(signed_in, client, session, bo):
    _, token = make_feed(signed_in)
    bo.is_active = False
    session.add(bo)
    session.commit()
    assert fetch(client, token).status_code == 404


def test_the_token_never_reaches_the_request_log(signed_in, client, caplog):
    _, token = make_feed(signed_in)
    with caplog.at_level(logging.INFO, logger="matcha.request"):
        fetch(client, token)
    logged = [r for r in caplog.records if r.name == "matcha.request"]
    assert logged and all(token not in r.getMessage() for r in logged)
    assert all(token not in str(r.fields) for r in logged)  # type: ignore[attr-defined]
    assert "/calendar/<token>.ics" in logged[-1].getMessage()


# --- what the feed holds ----------------------------------------------------------------


def test_the_feed_has_my_events_and_no_one_elses(signed_in, client, session, clock, bo, cia):
    make_event(session, clock, bo, title="Min egen träff")
    make_event(
        session,
        clock,
        cia,
        title="Cias träff där jag är med",
        member_ids=[str(bo.id)],
        starts=dt.datetime(2026, 4, 20, 13, 0, tzinfo=STOCKHOLM),
    )
    make_event(session, clock, cia, title="Cias egen träff")
    # Out of the window: more than 90 days ago, and more than a year ahead.
    make_event(
        session,
        clock,
        bo,
        title="Gammal träff",
        starts=dt.datetime(2025, 11, 1, 9, 0, tzinfo=STOCKHOLM),
    )
    make_event(
        session,
        clock,
        bo,
        title="Långt fram",
        starts=dt.datetime(2027, 4, 1, 9, 0, tzinfo=STOCKHOLM),
    )
    _, token = make_feed(signed_in)
    found = entries(client, token)
    assert set(found) == {"Min egen träff", "Cias träff där jag är med"}
    team = found["Cias träff där jag är med"]
    assert team.decoded("DTSTART") == dt.datetime(2026, 4, 20, 13, 0, tzinfo=STOCKHOLM)
    assert team["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert str(team["UID"]).startswith("event-")


def test_the_feed_has_my_open_follow_ups_as_all_day_entries(
    signed_in, client, session, clock, bo, cia
):
    mine = make_company(session, clock, user=bo, name="Bos Bageri AB", owner_id=str(bo.id))
    theirs = make_company(session, clock, user=cia, name="Cias Cykel AB", owner_id=str(cia.id))
    archived = make_company(session, clock, user=bo, name="Nedlagt AB", owner_id=str(bo.id))
    # On my company, by a colleague: mine (I own the relationship).
    on_mine = follow_up(session, clock, mine, cia, dt.date(2026, 3, 10), notes="Ring om lager")
    # Written by me on a colleague's company: mine (I promised).
    follow_up(session, clock, theirs, bo, dt.date(2026, 3, 12))
    # A colleague's on their own company: not mine.
    follow_up(session, clock, theirs, cia, dt.date(2026, 3, 13))
    # Done, or on an archived company: not to follow up.
    done = follow_up(session, clock, mine, bo, dt.date(2026, 3, 14))
    done.follow_up_done_at = clock.now()
    session.add(done)
    follow_up(session, clock, archived, bo, dt.date(2026, 3, 15))
    companies.archive(archived, user=bo, session=session, clock=clock)
    # Overdue but within 90 days: still there, on its day.
    follow_up(session, clock, mine, bo, dt.date(2026, 2, 10))
    session.commit()

    _, token = make_feed(signed_in)
    assert set(entries(client, token)) == {
        "Återkoppling: Bos Bageri AB",
        "Återkoppling: Cias Cykel AB",
    }
    calendar = icalendar.Calendar.from_ical(fetch(client, token).content)
    by_uid = {str(c["UID"]): c for c in calendar.walk("VEVENT")}
    assert len(by_uid) == 3
    entry = by_uid[f"follow-up-{on_mine.id}@testserver"]
    assert entry.decoded("DTSTART") == dt.date(2026, 3, 10)
    assert entry.decoded("DTEND") == dt.date(2026, 3, 11)
    assert entry["DTSTART"].params["VALUE"] == "DATE"
    assert entry["TRANSP"] == "TRANSPARENT"
    assert "Ring om lager" in str(entry["DESCRIPTION"])
    assert str(entry["URL"]) == f"http://testserver/companies/{mine.id}"
    days = sorted(c.decoded("DTSTART") for c in by_uid.values())
    assert days == [dt.date(2026, 2, 10), dt.date(2026, 3, 10), dt.date(2026, 3, 12)]


def test_the_feed_speaks_the_users_language(signed_in, client, session, clock, bo):
    bo.locale = "en"
    session.add(bo)
    session.commit()
    company = make_company(session, clock, user=bo, name="Bos Bageri AB", owner_id=str(bo.id))
    follow_up(session, clock, company, bo, dt.date(2026, 3, 10))
    _, token = make_feed(signed_in)
    calendar = icalendar.Calendar.from_ical(fetch(client, token).content)
    [entry] = calendar.walk("VEVENT")
    # Whatever the catalogue says, the company's name is there and nothing fails.
    assert "Bos Bageri AB" in str(entry["SUMMARY"])


def test_an_empty_feed_is_still_a_calendar(signed_in, client):
    _, token = make_feed(signed_in)
    assert entries(client, token) == {}


def test_the_feed_costs_the_same_statements_as_data_grows(
    signed_in, client, session, clock, engine, bo
):
    _, token = make_feed(signed_in)
    company = make_company(session, clock, user=bo, owner_id=str(bo.id))

    def add(count):
        for number in range(count):
            make_event(
                session,
                clock,
                bo,
                title=f"Träff {number}",
                starts=dt.datetime(2026, 4, 1, 9, 0, tzinfo=STOCKHOLM) + dt.timedelta(days=number),
            )
            follow_up(session, clock, company, bo, dt.date(2026, 3, 3) + dt.timedelta(days=number))

    def feed():
        response = fetch(client, token)
        assert response.status_code == 200

    add(2)
    feed()
    few = statements.count(engine, feed)
    add(15)
    feed()
    many = statements.count(engine, feed)
    assert many == few <= 3


def test_the_team_member_loses_the_event_when_taken_off_the_team(
    signed_in, client, session, clock, bo, cia
):
    event = make_event(session, clock, cia, title="Teamträff", member_ids=[str(bo.id)])
    _, token = make_feed(signed_in)
    assert "Teamträff" in entries(client, token)
    form = events.EventForm.from_event(event, [])
    events.update(event, form, user=cia, session=session, clock=clock)
    session.commit()
    assert "Teamträff" not in entries(client, token)
