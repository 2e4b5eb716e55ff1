"""One clock: UTC instants, Stockholm dates."""

import datetime as dt

import pytest

from app.clock import STOCKHOLM, SettableClock, SystemClock, to_local, today
from tests.factories import PASSWORD, make_user


def test_today_is_the_date_in_stockholm():
    clock = SettableClock(dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC))
    assert today(clock) == dt.date(2026, 7, 1)  # 00:30 summer time
    clock.set(dt.datetime(2026, 12, 31, 22, 59, tzinfo=dt.UTC))
    assert today(clock) == dt.date(2026, 12, 31)  # 23:59 winter time
    clock.advance(dt.timedelta(minutes=1))
    assert today(clock) == dt.date(2027, 1, 1)


def test_clock_instants_are_utc_and_aware():
    clock = SettableClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM))
    assert clock.now() == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert clock.now().utcoffset() == dt.timedelta(0)
    assert SystemClock().now().tzinfo is dt.UTC
    with pytest.raises(ValueError, match="aware"):
        clock.set(dt.datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001


def test_to_local_reads_naive_values_as_utc():
    assert to_local(dt.datetime(2026, 7, 1, 10, 0)).hour == 12  # noqa: DTZ001


def test_app_shows_times_in_stockholm(client, session, clock):
    clock.set(dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC))  # 01:30 on 2 July in Sweden
    admin = make_user(session, clock, role="admin", username="admin")
    client.login("admin", PASSWORD)
    page = client.get(f"/admin/users/{admin.id}").text
    assert "2026-07-02 01:30" in page
