"""The period a report covers: whole days in Swedish time, from a preset (this month,
quarter or year, last month or year) or typed dates, with the UTC instants that bound it
for querying stored instants, and the ISO 8601 weeks and the months it covers.

Labels are composed when read, with the active locale's gettext: in a page they follow
the user's language, in an export (no locale active) they stay Swedish."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from app.clock import STOCKHOLM
from app.dates import Direction, parse_date
from app.errors import ValidationFailed
from app.i18n import N_, gettext


class Preset(enum.StrEnum):
    this_month = "month"
    this_quarter = "quarter"
    this_year = "year"
    last_month = "last_month"
    last_year = "last_year"
    custom = "custom"


PRESET_LABELS = {
    Preset.this_month: N_("Denna månad"),
    Preset.this_quarter: N_("Detta kvartal"),
    Preset.this_year: N_("Detta år"),
    Preset.last_month: N_("Förra månaden"),
    Preset.last_year: N_("Förra året"),
    Preset.custom: N_("Egen period"),
}
DEFAULT_PRESET = Preset.this_month
# The longest custom period: three years of weeks still make a readable table and chart.
MAX_YEARS = 3

MONTH_ABBREVIATIONS = (
    N_("jan"),
    N_("feb"),
    N_("mar"),
    N_("apr"),
    N_("maj"),
    N_("jun"),
    N_("jul"),
    N_("aug"),
    N_("sep"),
    N_("okt"),
    N_("nov"),
    N_("dec"),
)


def midnight(day: dt.date) -> dt.datetime:
    """The instant a day starts in Stockholm, in UTC (23:00 or 22:00 the day before, by
    DST). Midnight is never skipped or repeated there: the clocks change at 02:00/03:00."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def month_abbreviation(month: int) -> str:
    return gettext(MONTH_ABBREVIATIONS[month - 1])


def day_label(day: dt.date, *, with_year: bool = True) -> str:
    """ "1 jan 2026" (or "1 jan")."""
    text = f"{day.day} {month_abbreviation(day.month)}"
    return f"{text} {day.year}" if with_year else text


def week_label(iso_year: int, week: int, *, with_year: bool) -> str:
    if with_year:
        return gettext(N_("v. %(week)s %(year)s"), week=week, year=iso_year)
    return gettext(N_("v. %(week)s"), week=week)


@dataclass(frozen=True)
class Bucket:
    """A week or a month of the period, cut to the period's days: its rows in a table."""

    key: tuple[int, int]  # (ISO year, ISO week) or (year, month)
    first: dt.date
    last: dt.date
    is_week: bool
    # A week's label names its ISO year when the period's weeks span more than one.
    with_year: bool = False

    @property
    def start(self) -> dt.datetime:
        return midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the instant the day after the last starts."""
        return midnight(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        year, number = self.key
        if self.is_week:
            return week_label(year, number, with_year=self.with_year)
        return f"{month_abbreviation(number)} {year}"


@dataclass(frozen=True)
class Period:
    """The days first..last, both included, in Swedish time."""

    first: dt.date
    last: dt.date
    preset: Preset = Preset.custom

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (UTC)."""
        return midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (UTC): query with start <= t < end."""
        return midnight(self.last + dt.timedelta(days=1))

    def weeks(self) -> list[Bucket]:
        """The ISO 8601 weeks the period touches, Monday to Sunday, cut to the period."""
        monday = self.first - dt.timedelta(days=self.first.weekday())
        spans_years = monday.isocalendar()[0] != self.last.isocalendar()[0]
        found = []
        while monday <= self.last:
            iso_year, week, _ = monday.isocalendar()
            found.append(
                Bucket(
                    key=(iso_year, week),
                    first=max(monday, self.first),
                    last=min(monday + dt.timedelta(days=6), self.last),
                    is_week=True,
                    with_year=spans_years,
                )
            )
            monday += dt.timedelta(days=7)
        return found

    def months(self) -> list[Bucket]:
        """The calendar months the period touches, cut to the period."""
        found = []
        first = self.first.replace(day=1)
        while first <= self.last:
            following = _next_month(first)
            found.append(
                Bucket(
                    key=(first.year, first.month),
                    first=max(first, self.first),
                    last=min(following - dt.timedelta(days=1), self.last),
                    is_week=False,
                )
            )
            first = following
        return found

    @property
    def label(self) -> str:
        """The period in words: "1 jan–31 mar 2026, v. 1–14"."""
        if self.first == self.last:
            days = day_label(self.first)
        elif self.first.year == self.last.year:
            days = f"{day_label(self.first, with_year=False)}–{day_label(self.last)}"
        else:
            days = f"{day_label(self.first)}–{day_label(self.last)}"
        weeks = self.weeks()
        first_week, last_week = weeks[0], weeks[-1]
        if first_week.key == last_week.key:
            week_text = first_week.label
        elif not first_week.with_year:
            week_text = gettext(
                N_("v. %(first)s–%(last)s"), first=first_week.key[1], last=last_week.key[1]
            )
        else:
            week_text = f"{first_week.label}–{last_week.label}"
        return f"{days}, {week_text}"

    def query(self) -> dict[str, str]:
        """The query string that shows this period again."""
        if self.preset != Preset.custom:
            return {"period": self.preset.value}
        return {
            "period": Preset.custom.value,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
        }

    @property
    def slug(self) -> str:
        """For file names: "2026-01-01--2026-03-31"."""
        return f"{self.first.isoformat()}--{self.last.isoformat()}"


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_period(preset: Preset, *, today: dt.date) -> Period:
    """The days a preset means on `today` (the Stockholm date, app/clock.py today())."""
    if preset == Preset.this_month:
        first = today.replace(day=1)
        return Period(first, _next_month(first) - dt.timedelta(days=1), preset)
    if preset == Preset.this_quarter:
        first = _quarter_start(today)
        last = _next_month(_next_month(_next_month(first))) - dt.timedelta(days=1)
        return Period(first, last, preset)
    if preset == Preset.this_year:
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), preset)
    if preset == Preset.last_month:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(last.replace(day=1), last, preset)
    if preset == Preset.last_year:
        year = today.year - 1
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), preset)
    raise ValueError(f"not a preset with fixed days: {preset}")


# The labels of the period's dates, which name them in a refusal.
DATE_LABELS = {"from": N_("Från och med"), "to": N_("Till och med")}


def typed_day(
    value: str, *, field: str, today: dt.date, near: dt.date | None = None
) -> dt.date | None:
    """A day of the period as typed (app/dates.py; its years are far enough for any
    register, and the instants around them stay within what dates hold). Without a year,
    the first day is the latest such day up to today, the last day the first such day
    on or after the first day (`near`): 1/11–31/1 typed in March is the winter just gone."""
    direction: Direction = "past" if field == "from" else "future"
    return parse_date(
        value, today=today, direction=direction, field=field, label=DATE_LABELS[field], near=near
    )


def resolve(preset: str = "", start: str = "", end: str = "", *, today: dt.date) -> Period:
    """The period asked for: a preset by name, or custom dates (also when only dates are
    given). Nothing asked for is this month. Raises ValidationFailed (field "from" or
    "to") for custom dates that cannot make a period."""
    preset, start, end = preset.strip(), start.strip(), end.strip()
    if preset in Preset._value2member_map_ and preset != Preset.custom:
        return preset_period(Preset(preset), today=today)
    asks_custom = preset == Preset.custom or (preset == "" and (start or end))
    if not asks_custom:
        return preset_period(DEFAULT_PRESET, today=today)
    if not start:
        raise ValidationFailed(N_("Ange första dagen i perioden."), field="from")
    if not end:
        raise ValidationFailed(N_("Ange sista dagen i perioden."), field="to")
    first = typed_day(start, field="from", today=today)
    last = typed_day(end, field="to", today=today, near=first)
    assert first is not None and last is not None  # neither is empty
    if first > last:
        raise ValidationFailed(
            N_("Periodens första dag måste vara före eller samma som den sista."), field="to"
        )
    if last >= _years_later(first, MAX_YEARS):
        raise ValidationFailed(
            N_("En period kan vara högst %(years)s år."), field="to", variables={"years": MAX_YEARS}
        )
    return Period(first, last, Preset.custom)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, to a year that has none
        return day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)
