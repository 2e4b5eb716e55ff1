"""Swedish working days: weekends, the public holidays and the three eves off."""

import datetime as dt

import pytest

from app.workdays import is_working_day, next_working_day, working_day_from

D = dt.date

# Every weekday off in 2026, by law (SFS 1989:253) or in practice (the three eves).
DAYS_OFF_2026 = {
    D(2026, 1, 1): "nyårsdagen",
    D(2026, 1, 6): "trettondedag jul",
    D(2026, 4, 3): "långfredagen",
    D(2026, 4, 6): "annandag påsk",
    D(2026, 5, 1): "första maj",
    D(2026, 5, 14): "Kristi himmelsfärdsdag",
    D(2026, 6, 19): "midsommarafton",
    D(2026, 12, 24): "julafton",
    D(2026, 12, 25): "juldagen",
    D(2026, 12, 31): "nyårsafton",
}


def test_the_weekdays_off_in_2026_are_exactly_the_holidays_and_eves():
    weekdays = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    off = {day for day in weekdays if day.weekday() < 5 and not is_working_day(day)}
    assert off == set(DAYS_OFF_2026)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 4, 2),  # skärtorsdagen: a working day (half a day for some)
        D(2026, 4, 30),  # valborgsmässoafton
        D(2025, 6, 9),  # the Monday after pingst: annandag pingst went in 2005
        D(2026, 1, 5),  # trettondagsafton
    ],
)
def test_eves_that_are_no_days_off_are_working_days(day):
    assert is_working_day(day)


def test_weekends_are_off_and_holidays_on_a_weekend_change_nothing():
    assert not is_working_day(D(2026, 3, 7))  # a Saturday
    assert not is_working_day(D(2026, 3, 8))  # a Sunday
    assert not is_working_day(D(2026, 6, 6))  # nationaldagen, a Saturday this year
    assert is_working_day(D(2026, 6, 8))  # the Monday after it is no holiday
    assert not is_working_day(D(2025, 6, 6))  # nationaldagen on a Friday


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 6), D(2026, 3, 9)),  # Friday → Monday
        (D(2026, 3, 7), D(2026, 3, 9)),  # Saturday → Monday
        (D(2026, 12, 23), D(2026, 12, 28)),  # julafton, juldagen, the weekend
        (D(2026, 4, 2), D(2026, 4, 7)),  # skärtorsdagen → the Tuesday after annandag påsk
        (D(2026, 6, 18), D(2026, 6, 22)),  # the day before midsommarafton → Monday
        (D(2026, 12, 30), D(2027, 1, 4)),  # nyårsafton, nyårsdagen, the weekend
        (D(2026, 5, 13), D(2026, 5, 15)),  # Kristi himmelsfärdsdag → the Friday after
        (D(2025, 6, 5), D(2025, 6, 9)),  # nationaldagen on a Friday; pingst is a Sunday
    ],
)
def test_the_next_working_day(day, expected):
    assert next_working_day(day) == expected


def test_a_working_day_is_its_own_first_working_day():
    assert working_day_from(D(2026, 3, 2)) == D(2026, 3, 2)
    assert working_day_from(D(2026, 12, 24)) == D(2026, 12, 28)
