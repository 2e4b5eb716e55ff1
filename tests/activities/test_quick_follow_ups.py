"""The follow-up quick choices: each lands on a Swedish working day, counted from today in
Stockholm; the old "week" still counts; anything else is no quick choice."""

import datetime as dt

import pytest

from app.activities import service as activities
from app.activities.form import QUICK_FOLLOW_UPS, follow_up_day

D = dt.date


def test_the_choices_offered_and_their_labels():
    assert QUICK_FOLLOW_UPS == {
        "tomorrow": "I morgon",
        "next_week": "Nästa vecka",
        "two_weeks": "Om två veckor",
        "month": "Om en månad",
    }


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 3)),  # Monday → Tuesday
        (D(2026, 3, 6), D(2026, 3, 9)),  # Friday → Monday
        (D(2026, 3, 8), D(2026, 3, 9)),  # Sunday → Monday
        (D(2026, 12, 23), D(2026, 12, 28)),  # over julafton, juldagen and the weekend
        (D(2026, 4, 2), D(2026, 4, 7)),  # skärtorsdagen → the Tuesday after annandag påsk
        (D(2026, 6, 18), D(2026, 6, 22)),  # over midsommarafton and midsommardagen
        (D(2026, 12, 30), D(2027, 1, 4)),  # over nyårsafton, nyårsdagen and the weekend
    ],
)
def test_tomorrow_is_the_next_working_day(today, expected):
    assert follow_up_day("tomorrow", today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 9)),  # Monday → next Monday
        (D(2026, 3, 6), D(2026, 3, 9)),  # Friday → Monday
        (D(2026, 3, 8), D(2026, 3, 9)),  # Sunday: next week starts tomorrow
        (D(2026, 3, 31), D(2026, 4, 7)),  # next Monday is annandag påsk → Tuesday
        (D(2026, 12, 29), D(2027, 1, 4)),  # over the turn of the year
    ],
)
def test_next_week_is_monday_of_next_week_or_its_first_working_day(today, expected):
    assert follow_up_day("next_week", today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 16)),
        (D(2026, 12, 10), D(2026, 12, 28)),  # 24 December → the first day after Christmas
        (D(2026, 3, 21), D(2026, 4, 7)),  # 4 April, a Saturday; Easter → Tuesday
    ],
)
def test_two_weeks_on_a_working_day(today, expected):
    assert follow_up_day("two_weeks", today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 2), D(2026, 4, 2)),  # skärtorsdagen is a working day
        (D(2026, 1, 31), D(2026, 3, 2)),  # 28 February, a Saturday → Monday
        (D(2026, 3, 31), D(2026, 4, 30)),  # the month's last day, 30 April (valborg: working)
        (D(2026, 4, 30), D(2026, 6, 1)),  # 30 May, a Saturday → Monday 1 June
        (D(2026, 4, 1), D(2026, 5, 4)),  # första maj, a Friday → Monday
        (D(2026, 11, 24), D(2026, 12, 28)),  # julafton → after Christmas
        (D(2026, 12, 15), D(2027, 1, 15)),  # into the next year
    ],
)
def test_a_month_on_a_working_day(today, expected):
    assert follow_up_day("month", today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 3), D(2026, 3, 10)),
        (D(2026, 12, 17), D(2026, 12, 28)),  # a week on is julafton
    ],
)
def test_the_old_week_still_counts_a_week_on_a_working_day(today, expected):
    assert follow_up_day("week", today) == expected


@pytest.mark.parametrize("choice", ["", "date", "yesterday", "TOMORROW"])
def test_anything_else_is_no_quick_choice(choice):
    assert follow_up_day(choice, D(2026, 3, 2)) is None


def test_quick_choices_count_from_today_in_stockholm(clock):
    # Friday 6 March 2026, 23:30 in Stockholm: still Friday, so "I morgon" is Monday.
    clock.set(dt.datetime(2026, 3, 6, 22, 30, tzinfo=dt.UTC))
    assert activities.quick_follow_up("tomorrow", clock=clock) == D(2026, 3, 9)
    # Half an hour later it is Saturday there (still Friday in UTC): Monday all the same,
    # and "Nästa vecka" is that Monday too.
    clock.advance(dt.timedelta(minutes=30))
    assert activities.quick_follow_up("tomorrow", clock=clock) == D(2026, 3, 9)
    assert activities.quick_follow_up("next_week", clock=clock) == D(2026, 3, 9)
    # Sunday evening in Stockholm is Monday's choices already by 23:00 UTC.
    clock.set(dt.datetime(2026, 3, 8, 23, 0, tzinfo=dt.UTC))
    assert activities.quick_follow_up("tomorrow", clock=clock) == D(2026, 3, 10)
    assert activities.quick_follow_up("next_week", clock=clock) == D(2026, 3, 16)
