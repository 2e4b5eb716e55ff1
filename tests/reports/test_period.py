"""The report's period: presets on a given day, custom dates and their messages, the UTC
bounds of Stockholm days across DST, ISO weeks (2026 has 53) and months, and the period
in words."""

from __future__ import annotations

import datetime as dt

import pytest

from app.dates import NO_SUCH_DATE, UNREADABLE, YEAR_OUT_OF_RANGE
from app.errors import ValidationFailed
from app.reports.period import Period, Preset, midnight, resolve

UTC = dt.UTC


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("last_month", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        ("last_year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_presets_on_a_day_in_february(preset, first, last):
    period = resolve(preset, today=dt.date(2026, 2, 14))
    assert (period.first, period.last, period.preset) == (first, last, Preset(preset))


def test_quarters_and_last_month_over_the_new_year():
    assert resolve("quarter", today=dt.date(2026, 11, 30)) == Period(
        dt.date(2026, 10, 1), dt.date(2026, 12, 31), Preset.this_quarter
    )
    last = resolve("last_month", today=dt.date(2027, 1, 1))
    assert (last.first, last.last) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_nothing_asked_for_is_this_month_and_so_is_an_unknown_preset():
    today = dt.date(2026, 3, 2)
    for preset in ("", "fortnight"):
        period = resolve(preset, today=today)
        assert (period.first, period.last) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert period.preset == Preset.this_month


def test_custom_dates_also_without_choosing_custom():
    period = resolve("", "2026-01-05", "2026-01-18", today=dt.date(2026, 3, 2))
    assert (period.first, period.last, period.preset) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 18),
        Preset.custom,
    )
    assert period.query() == {"period": "custom", "from": "2026-01-05", "to": "2026-01-18"}
    # A preset wins over dates left in the form.
    assert resolve("year", "2026-01-05", "2026-01-18", today=dt.date(2026, 3, 2)).preset == (
        Preset.this_year
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("", "2026-01-01", "from", "Ange första dagen i perioden."),
        ("2026-01-01", "", "to", "Ange sista dagen i perioden."),
        ("januari", "2026-01-31", "from", UNREADABLE),
        ("2026-01-01", "2026-02-30", "to", NO_SUCH_DATE),
        (
            "2026-02-01",
            "2026-01-31",
            "to",
            "Periodens första dag måste vara före eller samma som den sista.",
        ),
        ("2026-01-01", "2029-01-01", "to", "En period kan vara högst %(years)s år."),
        ("0999-01-01", "1000-01-01", "from", YEAR_OUT_OF_RANGE),
    ],
)
def test_custom_periods_that_cannot_be(start, end, field, message):
    with pytest.raises(ValidationFailed) as raised:
        resolve("custom", start, end, today=dt.date(2026, 3, 2))
    assert (raised.value.field, raised.value.message) == (field, message)


def test_three_years_to_the_day_is_the_longest_period():
    period = resolve("custom", "2026-01-01", "2028-12-31", today=dt.date(2026, 3, 2))
    assert period.last == dt.date(2028, 12, 31)
    assert len(period.months()) == 36


def test_days_start_at_stockholm_midnight_in_winter_and_summer():
    assert midnight(dt.date(2026, 3, 1)) == dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    # Summer time began on Sunday 29 March 2026.
    assert midnight(dt.date(2026, 3, 29)) == dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert midnight(dt.date(2026, 3, 30)) == dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march.start == dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    # 2026-03-31 21:59:59Z is still March in Stockholm; 22:00Z is April.
    assert march.end == dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    # Back to winter time on 25 October: that day has 25 hours.
    october = Period(dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    assert october.end - october.start == dt.timedelta(hours=25)


def test_the_weeks_of_march_2026_cut_to_the_period():
    weeks = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).weeks()
    assert [w.key for w in weeks] == [(2026, n) for n in range(9, 15)]
    assert (weeks[0].first, weeks[0].last) == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert (weeks[-1].first, weeks[-1].last) == (dt.date(2026, 3, 30), dt.date(2026, 3, 31))
    assert [w.label for w in weeks[:2]] == ["v. 9", "v. 10"]
    # The DST week's bounds: it starts in winter time and ends in summer time.
    dst = weeks[4]
    assert dst.key == (2026, 13)
    assert dst.start == dt.datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert dst.end == dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_2026_has_53_iso_weeks_and_week_53_spans_the_new_year():
    weeks = Period(dt.date(2026, 12, 28), dt.date(2027, 1, 10)).weeks()
    assert [w.key for w in weeks] == [(2026, 53), (2027, 1)]
    assert (weeks[0].first, weeks[0].last) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert [w.label for w in weeks] == ["v. 53 2026", "v. 1 2027"]
    year = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)).weeks()
    assert (year[0].key, year[-1].key, len(year)) == ((2026, 1), (2026, 53), 53)


def test_months_cut_to_the_period():
    months = Period(dt.date(2026, 1, 15), dt.date(2026, 3, 10)).months()
    assert [(m.key, m.first, m.last) for m in months] == [
        ((2026, 1), dt.date(2026, 1, 15), dt.date(2026, 1, 31)),
        ((2026, 2), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ((2026, 3), dt.date(2026, 3, 1), dt.date(2026, 3, 10)),
    ]
    assert [m.label for m in months] == ["jan 2026", "feb 2026", "mar 2026"]


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "1 jan–31 mar 2026, v. 1–14"),
        (dt.date(2026, 5, 5), dt.date(2026, 5, 5), "5 maj 2026, v. 19"),
        (
            dt.date(2026, 12, 28),
            dt.date(2027, 1, 10),
            "28 dec 2026–10 jan 2027, v. 53 2026–v. 1 2027",
        ),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31), "1 dec–31 dec 2025, v. 49 2025–v. 1 2026"),
    ],
)
def test_the_period_in_words(first, last, words):
    assert Period(first, last).label == words
