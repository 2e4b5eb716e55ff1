"""An event as an .ics file: parsed back with icalendar, the instants are the event's, on
both sides of the daylight-saving changes; the UID is stable and SEQUENCE grows."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from starlette.datastructures import URL

from app.clock import STOCKHOLM
from app.events import ics
from app.events import service as events
from app.events.models import EventStatus
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_user


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return client


def download(client, event_id: int) -> icalendar.Event:
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="traff-')
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Stockholm"
    [component] = calendar.walk("VEVENT")
    return component


def test_the_file_holds_the_event(signed_in, session, clock, bo):
    event = make_event(
        session,
        clock,
        bo,
        title="Rekryteringsträff lager",
        place="Stadshuset, Storgatan 1",
        online_url="https://meet.example.se/abc",
        description="Truckkort är meriterande.",
        target_group="Unga vuxna",
    )
    component = download(signed_in, event.id)
    assert component["UID"] == f"event-{event.id}@testserver"
    assert component["SUMMARY"] == "Rekryteringsträff lager"
    assert component["LOCATION"] == "Stadshuset, Storgatan 1, https://meet.example.se/abc"
    assert component["URL"] == f"http://testserver/events/{event.id}"
    description = str(component["DESCRIPTION"])
    assert "Truckkort är meriterande." in description
    assert "Målgrupp: Unga vuxna" in description
    assert f"http://testserver/events/{event.id}" in description
    assert component["STATUS"] == "CONFIRMED"
    assert component["SEQUENCE"] == 0
    assert component.decoded("DTSTAMP") == clock.now()
    assert component.decoded("LAST-MODIFIED") == clock.now()
    start = component.decoded("DTSTART")
    assert component["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert start == dt.datetime(2026, 3, 16, 9, 0, tzinfo=STOCKHOLM)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert component.decoded("DTEND") - start == dt.timedelta(hours=3)


@pytest.mark.parametrize(
    ("starts", "ends", "hours"),
    [
        # The spring change, Sunday 29 March 2026: 02:00 becomes 03:00, so 01:30–04:00 on
        # the clock is an hour and a half.
        ("2026-03-29T01:30", "2026-03-29T04:00", 1.5),
        # The autumn change, Sunday 25 October 2026: 03:00 becomes 02:00 again, so
        # 01:00–04:00 on the clock is four hours.
        ("2026-10-25T01:00", "2026-10-25T04:00", 4),
        # A plain day either side: the offset is the season's.
        ("2026-03-30T09:00", "2026-03-30T11:00", 2),
        ("2026-10-26T09:00", "2026-10-26T11:00", 2),
    ],
)
def test_times_are_right_across_daylight_saving_changes(
    signed_in, session, clock, bo, starts, ends, hours
):
    event = make_event(
        session,
        clock,
        bo,
        starts=dt.datetime.fromisoformat(starts).replace(tzinfo=STOCKHOLM),
        ends_at=ends,
    )
    component = download(signed_in, event.id)
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    # The same instants as stored, compared in UTC.
    session.refresh(event)
    assert start.astimezone(dt.UTC) == event.starts_at.replace(tzinfo=dt.UTC)
    assert end.astimezone(dt.UTC) == event.ends_at.replace(tzinfo=dt.UTC)
    # (Subtracting two times in the same zone would give the wall-clock difference.)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=hours)
    # And on the wall clock the user typed.
    assert start.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M") == starts
    assert end.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M") == ends


def test_uid_stays_and_sequence_grows_when_the_event_changes(signed_in, session, clock, bo):
    event = make_event(session, clock, bo, title="Första namnet")
    before = download(signed_in, event.id)
    clock.advance(dt.timedelta(minutes=5))
    form = events.EventForm.from_event(event, [])
    form.title = "Andra namnet"
    events.update(event, form, user=bo, session=session, clock=clock)
    session.commit()
    after = download(signed_in, event.id)
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["SUMMARY"] == "Andra namnet"
    assert after.decoded("LAST-MODIFIED") == clock.now()


def test_a_cancelled_event_is_cancelled_in_the_calendar(signed_in, session, clock, bo):
    event = make_event(session, clock, bo)
    events.change_status(
        event,
        events.StatusForm(status=EventStatus.cancelled.value),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    assert download(signed_in, event.id)["STATUS"] == "CANCELLED"


def test_a_digital_event_has_its_link_as_location(signed_in, session, clock, bo):
    event = make_event(session, clock, bo, online_url="https://teams.example.se/m/1")
    component = download(signed_in, event.id)
    assert component["LOCATION"] == "https://teams.example.se/m/1"
    assert "Digitalt: https://teams.example.se/m/1" in str(component["DESCRIPTION"])


def test_behind_an_https_proxy_the_links_say_https():
    # The proxy speaks plain HTTP to Matcha; MATCHA_SECURE_COOKIES says the users use HTTPS.
    heard = URL("http://matcha.example.se/")
    assert ics.server_links(heard, https=True) == ics.Links(
        base_url="https://matcha.example.se", host="matcha.example.se"
    )
    local = URL("http://127.0.0.1:8000/")
    assert ics.server_links(local, https=False).base_url == "http://127.0.0.1:8000"


def test_a_viewer_downloads_too_and_an_unknown_event_is_404(client, session, clock, bo):
    event = make_event(session, clock, bo)
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert download(client, event.id)["SUMMARY"] == event.title
    assert client.get(f"/events/{event.id + 1000}.ics").status_code == 404
