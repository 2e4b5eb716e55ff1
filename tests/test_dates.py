"""Dates as Swedes type them (app/dates.py): every accepted form in both languages, the
nearest date in the field's direction when no year is given, the refusals, and a date
with a time."""

from __future__ import annotations

import datetime as dt

import pytest

from app import i18n
from app.clock import STOCKHOLM
from app.dates import (
    DIRECTIONS,
    NO_SUCH_DATE,
    NO_TIME,
    UNREADABLE,
    UNREADABLE_MOMENT,
    YEAR_OUT_OF_RANGE,
    Direction,
    Reading,
    Time,
    month_number,
    parse_date,
    parse_moment,
    reading,
    spoken,
    understood,
)
from app.errors import ValidationFailed

# A Sunday near the turn of the year: year-less dates fall on either side of it.
DEC_20 = dt.date(2026, 12, 20)
# A Monday in spring, as in the rest of the suite.
MAR_2 = dt.date(2026, 3, 2)


def read(text: str, direction: Direction = "future", today: dt.date = MAR_2) -> dt.date | None:
    return parse_date(text, today=today, direction=direction, field="due_on", label="Klart senast")


def refusal(text: str, direction: Direction = "future", today: dt.date = MAR_2) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        read(text, direction, today)
    assert caught.value.field == "due_on"
    return caught.value


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # ISO 8601 and its relatives
        ("2026-12-01", "2026-12-01"),
        ("2026-12-1", "2026-12-01"),
        ("2026/12/01", "2026-12-01"),
        ("2026.12.01", "2026-12-01"),
        ("  2026-12-01 ", "2026-12-01"),
        ("20261201", "2026-12-01"),
        # Day first, with and without a year
        ("1/12", "2026-12-01"),
        ("01/12", "2026-12-01"),
        ("1.12", "2026-12-01"),
        ("1.12.", "2026-12-01"),
        ("1/12 2026", "2026-12-01"),
        ("1/12/2026", "2026-12-01"),
        ("1.12.2026", "2026-12-01"),
        ("1/12-26", "2026-12-01"),
        ("1/12 -26", "2026-12-01"),
        ("1/12 26", "2026-12-01"),
        ("1/12 2027", "2027-12-01"),
        # Swedish month names and abbreviations, any case, trailing dot or not
        ("1 dec", "2026-12-01"),
        ("1 dec.", "2026-12-01"),
        ("1 DEC", "2026-12-01"),
        ("1dec", "2026-12-01"),
        ("1 december", "2026-12-01"),
        ("1 december 2026", "2026-12-01"),
        ("1 December 2026", "2026-12-01"),
        ("den 1 december", "2026-12-01"),
        ("1:a december", "2026-12-01"),
        ("2:e jan 2027", "2027-01-02"),
        ("15 jan", "2027-01-15"),
        ("15 feb", "2027-02-15"),
        ("15 mar", "2026-03-15"),
        ("15 mars", "2026-03-15"),
        ("15 apr", "2026-04-15"),
        ("15 maj", "2026-05-15"),
        ("15 jun", "2026-06-15"),
        ("15 juni", "2026-06-15"),
        ("15 jul", "2026-07-15"),
        ("15 aug", "2026-08-15"),
        ("15 sep", "2026-09-15"),
        ("15 sept.", "2026-09-15"),
        ("15 Okt", "2026-10-15"),
        ("15 nov", "2026-11-15"),
        ("15 oktober 2030", "2030-10-15"),
        # English month names, both orders
        ("1 Dec", "2026-12-01"),
        ("1st December 2026", "2026-12-01"),
        ("Dec 1", "2026-12-01"),
        ("Dec. 1", "2026-12-01"),
        ("December 1, 2026", "2026-12-01"),
        ("December 1st", "2026-12-01"),
        ("15 May", "2026-05-15"),
        ("Oct 15", "2026-10-15"),
        # Words
        ("i dag", "2026-03-02"),
        ("idag", "2026-03-02"),
        ("I dag", "2026-03-02"),
        ("i morgon", "2026-03-03"),
        ("imorgon", "2026-03-03"),
        ("i övermorgon", "2026-03-04"),
        ("i går", "2026-03-01"),
        ("igår", "2026-03-01"),
        ("i förrgår", "2026-02-28"),
        ("today", "2026-03-02"),
        ("Tomorrow", "2026-03-03"),
        ("yesterday", "2026-03-01"),
    ],
)
def test_every_form_reads_as_the_date_meant(typed: str, meant: str) -> None:
    assert read(typed) == dt.date.fromisoformat(meant)


def test_empty_is_no_date() -> None:
    assert read("") is None
    assert read("   ") is None


@pytest.mark.parametrize(
    ("typed", "direction", "meant"),
    [
        # Typed on 20 December 2026: a follow-up in early January is next year's...
        ("5/1", "future", "2027-01-05"),
        ("5 jan", "future", "2027-01-05"),
        ("Jan 5", "future", "2027-01-05"),
        # ...while the January just gone is when something happened.
        ("5/1", "past", "2026-01-05"),
        # Christmas Eve: this year's is ahead, last year's behind.
        ("24/12", "future", "2026-12-24"),
        ("24/12", "past", "2025-12-24"),
        ("24 dec", "either", "2026-12-24"),
        # Today itself is both ahead and behind.
        ("20/12", "future", "2026-12-20"),
        ("20/12", "past", "2026-12-20"),
        # The nearest either way: 1 December is 19 days back, next 1 January 12 ahead.
        ("1/12", "either", "2026-12-01"),
        ("1/1", "either", "2027-01-01"),
        # A leap day without a year is the nearest one in the direction.
        ("29/2", "future", "2028-02-29"),
        ("29 feb", "past", "2024-02-29"),
        ("29/2", "either", "2028-02-29"),
        # Words and full dates do not move.
        ("i går", "future", "2026-12-19"),
        ("i morgon", "past", "2026-12-21"),
        ("1/12 2026", "future", "2026-12-01"),
        ("2027-01-05", "past", "2027-01-05"),
    ],
)
def test_a_date_without_a_year_is_the_nearest_in_the_direction(
    typed: str, direction: Direction, meant: str
) -> None:
    assert read(typed, direction, DEC_20) == dt.date.fromisoformat(meant)


def test_a_leap_day_typed_on_a_leap_day_is_that_day() -> None:
    leap_day = dt.date(2028, 2, 29)
    for direction in DIRECTIONS:
        assert read("29/2", direction, leap_day) == leap_day


def test_near_moves_the_reference_but_not_today() -> None:
    # A report's last day: year-less, the first on or after the period's first day.
    first = dt.date(2025, 11, 1)
    assert parse_date(
        "31/1", today=MAR_2, direction="future", field="to", label="Till", near=first
    ) == dt.date(2026, 1, 31)
    assert (
        parse_date("i dag", today=MAR_2, direction="future", field="to", label="Till", near=first)
        == MAR_2
    )


@pytest.mark.parametrize(
    ("typed", "today", "meant"),
    [("1/12 26", MAR_2, 2026), ("1/12 75", MAR_2, 2075), ("1/12 77", MAR_2, 1977)],
)
def test_a_two_digit_year_is_within_fifty_years(typed: str, today: dt.date, meant: int) -> None:
    day = read(typed, today=today)
    assert day is not None
    assert day.year == meant


@pytest.mark.parametrize(
    "typed",
    [
        "31/2",
        "30/2 2026",
        "29/2 2026",
        "0/1",
        "32/1",
        "1/13",
        "1/0",
        "2026-02-30",
        "20261301",
        "31 april",
        "Apr 31",
        "0 dec",
    ],
)
def test_a_day_that_does_not_exist_is_refused(typed: str) -> None:
    error = refusal(typed)
    assert error.message == NO_SUCH_DATE
    assert error.variables["value"] == typed
    assert str(error.variables["field"]) == "Klart senast"


def test_the_day_without_a_year_that_no_year_has_is_refused() -> None:
    for direction in DIRECTIONS:
        assert refusal("31/4", direction, DEC_20).message == NO_SUCH_DATE


@pytest.mark.parametrize(
    "typed",
    [
        "snart",
        "1 foo",
        "dec",
        "12",
        "1212",
        "1/12/2026/1",
        "2026-12",
        "1-12",
        "next week",
        "måndag",
        "1 ju",
        "i dag 9:30",
        "1/12 kl 14",
        "201261201",
        "1.12,2026",
    ],
)
def test_anything_else_is_refused_with_the_forms_to_use(typed: str) -> None:
    error = refusal(typed)
    assert error.message == UNREADABLE
    assert "1/12, 1/12 2026, 1 dec, 2026-12-01, i dag eller i morgon" in error.message
    assert (error.message % {**error.variables, "field": "Klart senast"}).startswith(
        "Klart senast: datumet går inte att läsa."
    )


@pytest.mark.parametrize("typed", ["1899-12-31", "3000-01-01", "0226-03-01", "1/12 1850"])
def test_a_year_out_of_range_is_refused(typed: str) -> None:
    error = refusal(typed)
    assert error.message == YEAR_OUT_OF_RANGE
    assert (error.variables["first"], error.variables["last"]) == (1900, 2999)


def test_the_message_names_the_field_in_the_language_shown() -> None:
    error = refusal("32/1")
    assert i18n.translate("sv", error.message, **error.variables) == (
        "Klart senast: datumet 32/1 finns inte."
    )
    assert i18n.translate("en", error.message, **error.variables) == ("Due: there is no date 32/1.")
    token = i18n.activate("en")
    try:
        assert i18n.gettext(error.message, **error.variables) == ("Due: there is no date 32/1.")
    finally:
        i18n.deactivate(token)


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("jan", 1),
        ("Januari", 1),
        ("january", 1),
        ("feb.", 2),
        ("mar", 3),
        ("maj", 5),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("sept", 9),
        ("sep", 9),
        ("okt", 10),
        ("oct", 10),
        ("DEC", 12),
        ("ju", None),
        ("ma", None),
        ("juno", None),
        ("", None),
    ],
)
def test_month_names(name: str, number: int | None) -> None:
    assert month_number(name) == number


def test_what_was_understood_is_said_in_the_language() -> None:
    day = dt.date(2026, 12, 1)
    assert spoken(day, "sv") == "tisdag 1 december 2026"
    assert spoken(day, "en") == "Tuesday 1 December 2026"


def test_a_form_shown_again_has_the_date_in_iso_form_and_what_it_means() -> None:
    assert reading("1 dec", today=DEC_20, direction="future").value == "2027-12-01"
    assert reading("1 dec", today=DEC_20, direction="future").understood == (
        "Tolkas som onsdag 1 december 2027"
    )
    token = i18n.activate("en")
    try:
        assert reading("i morgon", today=DEC_20, direction="past").understood == (
            "Understood as Monday 21 December 2026"
        )
    finally:
        i18n.deactivate(token)
    # What cannot be read stays as typed, with nothing understood.
    assert reading("32/1", today=DEC_20, direction="future") == Reading("32/1", "")
    assert reading("", today=DEC_20, direction="future") == Reading("", "")


# --- a date and a time --------------------------------------------------------------------

# Monday 2 March 2026, a quarter past nine in Stockholm.
NOW = dt.datetime(2026, 3, 2, 9, 15, 30, tzinfo=STOCKHOLM)


def read_moment(text: str, time: Time = "optional", now: dt.datetime = NOW) -> dt.datetime | None:
    return parse_moment(
        text, now=now, direction="past", time=time, field="occurred_at", label="När"
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-02-20T14:15", "2026-02-20 14:15"),
        ("2026-02-20 14:15", "2026-02-20 14:15"),
        ("2026-02-20 14:15:00", "2026-02-20 14:15"),
        ("1/12 14:30", "2025-12-01 14:30"),
        ("1/12 14.30", "2025-12-01 14:30"),
        ("1/12 kl 14", "2025-12-01 14:00"),
        ("1/12 kl. 9:05", "2025-12-01 09:05"),
        ("1/12 14", "2025-12-01 14:00"),  # an hour, not the year 2014
        ("1/12 2025 8:00", "2025-12-01 08:00"),
        ("1 dec 9", "2025-12-01 09:00"),
        ("Dec 1 at 9:30", "2025-12-01 09:30"),
        ("i dag 9", "2026-03-02 09:00"),
        ("idag 8.45", "2026-03-02 08:45"),
        ("i går 14:30", "2026-03-01 14:30"),
        ("igår kl 16", "2026-03-01 16:00"),
        ("yesterday 16:00", "2026-03-01 16:00"),
        # A date alone: now for today, noon for another day.
        ("i dag", "2026-03-02 09:15"),
        ("i går", "2026-03-01 12:00"),
        ("1/12", "2025-12-01 12:00"),
        ("1 dec 26", "2026-12-01 12:00"),  # 26 is no hour: the year
    ],
)
def test_a_date_and_a_time_read_as_meant(typed: str, meant: str) -> None:
    assert read_moment(typed) == dt.datetime.fromisoformat(meant)


def test_an_empty_date_and_time_is_none() -> None:
    assert read_moment("  ") is None


@pytest.mark.parametrize("typed", ["snart", "i dag 25", "i dag 9:60", "1/12 kl", "14:30"])
def test_a_date_and_time_that_cannot_be_read_is_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_moment(typed)
    assert caught.value.message == UNREADABLE_MOMENT
    assert caught.value.field == "occurred_at"


def test_a_date_that_does_not_exist_is_refused_with_its_time() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_moment("31/2 14:00")
    assert caught.value.message == NO_SUCH_DATE


def test_a_required_time_is_asked_for() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_moment("1/12", time="required")
    error = caught.value
    assert error.message == NO_TIME
    assert i18n.translate("sv", error.message, **error.variables) == (
        "När: ange också klockslag, till exempel 1/12 9:00."
    )
    assert read_moment("1/12 9", time="required") == dt.datetime.fromisoformat("2025-12-01 09:00")


def test_a_date_and_time_shown_again() -> None:
    shown = reading("i går 14", today=NOW.date(), direction="past", time="optional", now=NOW)
    assert shown == Reading(
        "2026-03-01 14:00", "Tolkas som söndag 1 mars 2026 kl. 14:00", dt.date(2026, 3, 1)
    )
    token = i18n.activate("en")
    try:
        assert understood(dt.datetime.fromisoformat("2026-03-01 14:00")) == (
            "Understood as Sunday 1 March 2026 at 14:00"
        )
    finally:
        i18n.deactivate(token)
