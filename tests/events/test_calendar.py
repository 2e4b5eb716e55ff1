"""The events' month view: a real grid (Monday first, ISO weeks), events on their days in
Swedish time, month links, today marked, and one query however many events there are."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from app.clock import STOCKHOLM
from app.events import calendar
from app.events.models import EventStatus, RecruitmentEvent
from tests import statements
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_user


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return client


def cell(html: str, day: dt.date) -> str:
    """The table cell of one day of the grid."""
    match = re.search(
        rf'<td[^>]*>\s*<time class="day-number" datetime="{day.isoformat()}">.*?</td>',
        html,
        re.S,
    )
    assert match, f"no cell for {day}"
    return match.group(0)


def bulk_events(session, owner, starts: list[dt.datetime], hours: int = 2) -> None:
    """Event rows straight into the table: fast enough for thousands."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    session.add_all(
        RecruitmentEvent(
            title=f"Massträff {number}",
            starts_at=start.astimezone(dt.UTC),
            ends_at=(start + dt.timedelta(hours=hours)).astimezone(dt.UTC),
            owner_id=owner.id,
            created_at=now,
            updated_at=now,
        )
        for number, start in enumerate(starts)
    )
    session.commit()


def test_march_2026_is_six_weeks_monday_first_with_iso_week_numbers(signed_in):
    response = signed_in.get("/events/calendar?month=2026-03")
    assert response.status_code == 200
    html = response.text
    assert '<h2 class="calendar-title">Mars 2026</h2>' in html
    headers = re.findall(r'<th scope="col"><span aria-hidden="true">(\w+)', html)
    assert headers == ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]
    assert '<span class="visually-hidden">måndag</span>' in html
    weeks = re.findall(r'<th scope="row" class="calendar-week">.*?</span>(\d+)</th>', html)
    # 1 March 2026 is a Sunday: the grid starts on Monday 23 February (week 9) and ends
    # on Sunday 5 April (week 14).
    assert weeks == ["9", "10", "11", "12", "13", "14"]
    days = re.findall(r'class="day-number" datetime="([\d-]+)"', html)
    assert days[0] == "2026-02-23" and days[-1] == "2026-04-05" and len(days) == 42
    assert 'class="outside"' in cell(html, dt.date(2026, 2, 23))


def test_today_is_marked_for_eyes_and_screen_readers(signed_in):
    html = signed_in.get("/events/calendar?month=2026-03").text
    today = cell(html, dt.date(2026, 3, 2))  # the suite's clock: Monday 2 March
    assert 'aria-current="date"' in today
    assert "idag" in today
    assert html.count('aria-current="date"') == 1


def test_events_are_on_their_day_in_swedish_time(signed_in, session, clock, bo):
    make_event(session, clock, bo, title="Lagerträffen")
    # 00:30 on 1 April in Stockholm is still 31 March in UTC.
    make_event(
        session,
        clock,
        bo,
        title="Nattbageriet",
        starts=dt.datetime(2026, 4, 1, 0, 30, tzinfo=STOCKHOLM),
    )
    html = signed_in.get("/events/calendar?month=2026-03").text
    march_16 = cell(html, dt.date(2026, 3, 16))
    assert "Lagerträffen" in march_16
    assert '<time datetime="2026-03-16T09:00:00+01:00">09:00</time>' in march_16
    assert "Nattbageriet" in cell(html, dt.date(2026, 4, 1))
    assert "Nattbageriet" not in cell(html, dt.date(2026, 3, 31))


def test_an_event_over_several_days_shows_on_each(signed_in, session, clock, bo):
    make_event(
        session,
        clock,
        bo,
        title="Jobbmässan",
        starts=dt.datetime(2026, 3, 10, 9, 0, tzinfo=STOCKHOLM),
        hours=48 + 7,
    )
    html = signed_in.get("/events/calendar?month=2026-03").text
    assert "09:00</time> Jobbmässan" in cell(html, dt.date(2026, 3, 10))
    for day in (11, 12):
        assert "forts. Jobbmässan" in cell(html, dt.date(2026, 3, day))
    assert "Jobbmässan" not in cell(html, dt.date(2026, 3, 13))


def test_an_event_ending_at_midnight_does_not_spill_into_the_next_day():
    first = dt.date(2026, 3, 1)

    class Rows:
        def exec(self, _statement):
            return self

        def all(self):
            return [
                (
                    1,
                    "Kvällsträff",
                    dt.datetime(2026, 3, 5, 17, 0, tzinfo=dt.UTC),  # 18:00 in Stockholm
                    dt.datetime(2026, 3, 5, 23, 0, tzinfo=dt.UTC),  # midnight
                    EventStatus.planning,
                )
            ]

    class Clock:
        def now(self):
            return dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

    month = calendar.month(first, session=Rows(), clock=Clock())  # type: ignore[arg-type]
    by_day = {day.date: day for week in month.weeks for day in week.days}
    assert [e.title for e in by_day[dt.date(2026, 3, 5)].entries] == ["Kvällsträff"]
    assert by_day[dt.date(2026, 3, 6)].entries == []


def test_a_cancelled_event_says_so(signed_in, session, clock, bo):
    event = make_event(session, clock, bo, title="Caféträffen")
    event.status = EventStatus.cancelled
    session.add(event)
    session.commit()
    march_16 = cell(signed_in.get("/events/calendar?month=2026-03").text, dt.date(2026, 3, 16))
    assert '<li class="cancelled">' in march_16
    assert "(inställd)" in march_16


def test_month_links_go_back_and_forth_across_the_new_year(signed_in):
    html = signed_in.get("/events/calendar?month=2026-01").text
    assert 'href="/events/calendar?month=2025-12" rel="prev"' in html
    assert 'href="/events/calendar?month=2026-02" rel="next"' in html
    assert "december 2025" in html  # the link's name says which month
    assert 'href="/events/calendar?month=2026-03">Denna månad' in html
    assert 'href="/events"' in html  # the list view


@pytest.mark.parametrize("month", ["", "2026-13", "26-03", "x", "0000-01", "2026-03-01"])
def test_a_missing_or_wrong_month_shows_this_month(signed_in, month):
    response = signed_in.get(f"/events/calendar?month={month}")
    assert response.status_code == 200
    assert "Mars 2026" in response.text
    assert "Denna månad" not in response.text


def test_the_calendar_follows_the_users_language(signed_in, session, bo):
    bo.locale = "en"
    session.add(bo)
    session.commit()
    html = signed_in.get("/events/calendar?month=2026-03").text
    assert "March 2026" in html
    headers = re.findall(r'<th scope="col"><span aria-hidden="true">(\w+)', html)
    assert headers[0] == "Mon"


def test_a_viewer_sees_the_calendar_without_the_new_event_link(client, session, clock):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    html = client.get("/events/calendar").text
    assert "Mars 2026" in html
    assert 'href="/events/new"' not in html


def test_the_calendar_costs_one_query_for_the_month_however_many_events(
    signed_in, session, engine, bo
):
    def page():
        response = signed_in.get("/events/calendar?month=2026-05")
        assert response.status_code == 200
        return response.text

    first = dt.datetime(2026, 5, 4, 9, 0, tzinfo=STOCKHOLM)
    bulk_events(session, bo, [first + dt.timedelta(days=n % 20) for n in range(5)])
    page()  # warm: the first request after a commit opens the test's savepoint
    with statements.recorded(engine) as few:
        page()
    # 2,000 events over four years, some 40 of them in May 2026.
    start = dt.datetime(2024, 6, 3, 10, 0, tzinfo=STOCKHOLM)
    bulk_events(session, bo, [start + dt.timedelta(hours=17 * n) for n in range(1995)])
    page()  # the same again: the test's session opens a savepoint after a commit
    started = time.perf_counter()
    with statements.recorded(engine) as many:
        html = page()
    elapsed = time.perf_counter() - started
    assert len(many) == len(few)
    assert len([s for s in many if "FROM recruitment_event" in s]) == 1
    assert html.count("Massträff") > 30
    assert elapsed < 2.0  # generous: a shared test machine; `make bench` measures for real


def test_the_list_and_the_calendar_link_to_each_other(signed_in):
    assert 'href="/events/calendar"' in signed_in.get("/events").text
    assert 'href="/events">' in signed_in.get("/events/calendar").text
