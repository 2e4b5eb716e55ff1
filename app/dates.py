"""Dates as Swedes type them, read the same way in every date field of the app, and the
words that say back what was understood ("tisdag 1 december 2026").

Accepted, in any case and with or without a trailing dot:

- 2026-12-01 (also with / or .) and 20261201;
- 1/12, 1.12, 1/12 2026, 1/12/2026, 1.12.2026, 1/12-26 and 1/12 26 (day first, in
  English too: the app is Swedish and a day-first reading never changes with the language);
- 1 dec, 1 dec., 1:a december, den 1 december 2026, 1 Dec, 1st December 2026, Dec 1,
  December 1, 2026 (Swedish and English month names and their abbreviations);
- i dag, idag, i morgon, imorgon, i övermorgon, i går, igår, i förrgår, today, tomorrow,
  yesterday.

A date-and-time field (when a call happened, when an event starts) takes any of these
followed by a time: 1/12 14:30, 1 dec kl 9, i går 14.30, i dag 9, 2026-12-01T14:30. In
such a field a number after the date is an hour (1/12 14 is two o'clock), not a year.

Swedish and English words are read in either language: a broker who reads the app in
English still types "i morgon". A date without a year is the nearest one in the field's
direction: on or after the reference day for a follow-up or a deadline, on or before it
for when something happened, or simply the nearest. A two-digit year is the one within
fifty years of today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from babel.dates import format_date

from app.clock import to_local
from app.errors import ValidationFailed
from app.i18n import N_, LazyText, active_locale, gettext
from app.text import fold

T = TypeVar("T")
Direction = Literal["future", "past", "either"]
DIRECTIONS: tuple[Direction, ...] = ("future", "past", "either")

# The years a date field takes: a typo such as 0226 or 2226 is refused, not stored.
FIRST_YEAR, LAST_YEAR = 1900, 2999

UNREADABLE = N_(
    "%(field)s: datumet går inte att läsa. Skriv till exempel 1/12, 1/12 2026, 1 dec, "
    "2026-12-01, i dag eller i morgon."
)
NO_SUCH_DATE = N_("%(field)s: datumet %(value)s finns inte.")
YEAR_OUT_OF_RANGE = N_("%(field)s: ange ett år mellan %(first)s och %(last)s.")
UNDERSTOOD = N_("Tolkas som %(date)s")
UNREADABLE_MOMENT = N_(
    "%(field)s: tidpunkten går inte att läsa. Skriv till exempel i dag 9:30, i går 14, "
    "1/12 14:30 eller 2026-12-01 14:30."
)
NO_TIME = N_("%(field)s: ange också klockslag, till exempel %(example)s.")
AT_TIME = N_("%(date)s kl. %(time)s")

# Whether a date-and-time field needs the time typed ("required": an event's start), or
# takes a date alone ("optional": when a call happened, today now and another day at noon).
Time = Literal["required", "optional"]
NOON = dt.time(12)

_MONTHS = (
    ("januari", "january"),
    ("februari", "february"),
    ("mars", "march"),
    ("april",),
    ("maj", "may"),
    ("juni", "june"),
    ("juli", "july"),
    ("augusti", "august"),
    ("september",),
    ("oktober", "october"),
    ("november",),
    ("december",),
)
_MONTH_NAMES = {name: number for number, names in enumerate(_MONTHS, start=1) for name in names}

# Days from today, by the words for them with their spaces taken out ("i morgon", "imorgon").
_DAY_WORDS = {
    "idag": 0,
    "today": 0,
    "imorgon": 1,
    "tomorrow": 1,
    "iovermorgon": 2,
    "overmorgon": 2,
    "igar": -1,
    "yesterday": -1,
    "iforrgar": -2,
    "forrgar": -2,
}

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# 1/12, 1.12, 1/12 2026, 1/12/2026, 1.12.26, 1/12-26, 1/12 -2026.
_DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})(?:(?:\2|\s*-\s*|\s)(\d{4}|\d{2}))?")
# 1 dec, 1dec, 1:a december 2026, 1st Dec, 1 dec. 26, 1 December, 2026.
_DAY_MONTH = re.compile(r"(\d{1,2})(?::[ae]|st|nd|rd|th)?\.?\s?([a-z]+)\.?(?:,?\s?(\d{4}|\d{2}))?")
# Dec 1, December 1st, 2026, dec. 1 2026.
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s?(\d{1,2})(?:st|nd|rd|th)?(?:,?\s(\d{4}))?")
# A date and a time after it: "1/12 14:30", "i dag kl. 9", "1 dec at 9.30", "2026-12-01t14:30".
_DATE_AND_TIME = re.compile(
    r"(?P<date>.+?)(?:\s*\b(?:kl|klockan|at)\b\.?\s*|\s+|(?<=\d)t)"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2})(?::\d{2})?)?"
)


@dataclass(frozen=True)
class _Typed:
    """What the text said: a day and a month, and the year when it gave one."""

    day: int
    month: int
    year: int | None


def month_number(name: str) -> int | None:
    """'mars', 'Mar', 'sept', 'okt', 'MAJ', 'dec.' -> the month's number: a Swedish or
    English name, or its first three letters or more. None for anything else."""
    name = fold(name).rstrip(".")
    if len(name) < 3:
        return None
    found = {number for full, number in _MONTH_NAMES.items() if full.startswith(name)}
    return found.pop() if len(found) == 1 else None


def parse_date(
    text: str | None,
    *,
    today: dt.date,
    direction: Direction,
    field: str,
    label: str,
    near: dt.date | None = None,
) -> dt.date | None:
    """The date `text` means, typed on `today` (the Stockholm date); None when it is empty.

    A date without a year is the nearest one to `near` (today unless given) in
    `direction`. Raises ValidationFailed on `field`; `label` (a msgid) names the field in
    the message."""
    shown = " ".join((text or "").split())
    if not shown:
        return None
    folded = fold(shown).rstrip(".,")
    name = LazyText(label)
    if (days := _DAY_WORDS.get(folded.replace(" ", ""))) is not None:
        return today + dt.timedelta(days=days)
    typed = _read(folded.removeprefix("den "), today=today)
    if typed is None:
        raise ValidationFailed(UNREADABLE, field=field, variables={"field": name})
    if typed.year is not None and not FIRST_YEAR <= typed.year <= LAST_YEAR:
        raise ValidationFailed(
            YEAR_OUT_OF_RANGE,
            field=field,
            variables={"field": name, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    try:
        if typed.year is None:
            return _nearest(typed.month, typed.day, near=near or today, direction=direction)
        return dt.date(typed.year, typed.month, typed.day)
    except ValueError:
        raise ValidationFailed(
            NO_SUCH_DATE, field=field, variables={"field": name, "value": shown}
        ) from None


def parse_moment(
    text: str | None,
    *,
    now: dt.datetime,
    direction: Direction,
    time: Time,
    field: str,
    label: str,
    near: dt.date | None = None,
) -> dt.datetime | None:
    """The date and time `text` means, typed at `now` (an aware instant), as a naive
    Swedish time; None when it is empty. The date is read as parse_date reads it. Without
    a time, a "required" one is asked for; an "optional" one is now for today, noon for
    another day."""
    shown = " ".join((text or "").split())
    if not shown:
        return None
    local = to_local(now).replace(tzinfo=None, second=0, microsecond=0)
    today = local.date()
    if match := _DATE_AND_TIME.fullmatch(fold(shown).rstrip(".,")):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if hour < 24 and minute < 60:
            day, error = _refusal(
                lambda: parse_date(
                    match["date"],
                    today=today,
                    direction=direction,
                    field=field,
                    label=label,
                    near=near,
                )
            )
            if day is not None:
                return dt.datetime.combine(day, dt.time(hour, minute))
            if error is not None and error.message != UNREADABLE:
                raise error  # a date in a known form that does not exist: 31/2 14:00
    try:
        day = parse_date(
            shown, today=today, direction=direction, field=field, label=label, near=near
        )
    except ValidationFailed as error:
        if error.message == UNREADABLE:
            raise ValidationFailed(
                UNREADABLE_MOMENT, field=field, variables=error.variables
            ) from None
        raise
    assert day is not None  # the text is not empty
    if time == "required":
        raise ValidationFailed(
            NO_TIME,
            field=field,
            variables={"field": LazyText(label), "example": f"{shown} 9:00"},
        )
    return local if day == today else dt.datetime.combine(day, NOON)


def _read(folded: str, *, today: dt.date) -> _Typed | None:
    """Day, month and perhaps year of a date in one of the accepted forms (its text folded:
    lower case, no diacritics); None when it is in none of them."""
    if match := _ISO.fullmatch(folded):
        year, _, month, day = match.groups()
        return _Typed(int(day), int(month), int(year))
    if match := _COMPACT.fullmatch(folded):
        year, month, day = match.groups()
        return _Typed(int(day), int(month), int(year))
    if match := _DAY_FIRST.fullmatch(folded):
        day, _, month, year = match.groups()
        return _Typed(int(day), int(month), _full_year(year, today=today) if year else None)
    for pattern, order in ((_DAY_MONTH, "dmy"), (_MONTH_DAY, "mdy")):
        if match := pattern.fullmatch(folded):
            parts = dict(zip(order, match.groups(), strict=True))
            month = month_number(parts["m"])
            if month is None:
                return None
            year = parts["y"]
            return _Typed(int(parts["d"]), month, _full_year(year, today=today) if year else None)
    return None


def _full_year(year: str, *, today: dt.date) -> int:
    """A four-digit year as it is; a two-digit one within fifty years of today's (in 2026:
    26 is 2026, 75 is 2075, 77 is 1977)."""
    if len(year) == 4:
        return int(year)
    this_year = today.year
    candidate = this_year - this_year % 100 + int(year)
    if candidate > this_year + 50:
        return candidate - 100
    if candidate <= this_year - 50:
        return candidate + 100
    return candidate


def _nearest(month: int, day: int, *, near: dt.date, direction: Direction) -> dt.date:
    """The day-and-month nearest to `near` in `direction`. 29 February is the nearest leap
    day: they are at most eight years apart. Raises ValueError for a day no year has."""
    candidates = []
    for year in range(max(near.year - 8, FIRST_YEAR), min(near.year + 8, LAST_YEAR) + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if direction == "future":
        candidates = [candidate for candidate in candidates if candidate >= near]
    elif direction == "past":
        candidates = [candidate for candidate in candidates if candidate <= near]
    if not candidates:
        raise ValueError(f"no day {day}/{month}")
    # Equally near before and after: the later one (a follow-up rather than a past call).
    return min(candidates, key=lambda candidate: (abs(candidate - near), candidate < near))


def spoken(day: dt.date, locale: str | None = None) -> str:
    """The date as it is said: 'tisdag 1 december 2026', 'Tuesday 1 December 2026' (in the
    locale given, else the one being rendered)."""
    return format_date(day, "EEEE d MMMM y", locale=locale or active_locale())


def understood(day: dt.date | dt.datetime) -> str:
    """What a date field shows beside it: 'Tolkas som tisdag 1 december 2026', and with a
    time (a naive Swedish time) 'Tolkas som tisdag 1 december 2026 kl. 14:30'."""
    if isinstance(day, dt.datetime):
        at = gettext(AT_TIME, date=spoken(day.date()), time=day.strftime("%H:%M"))
        return gettext(UNDERSTOOD, date=at)
    return gettext(UNDERSTOOD, date=spoken(day))


@dataclass(frozen=True)
class Reading:
    """A date field's text as a form shows it again: `value` is the date in ISO form when
    the text could be read (else the text as typed), `understood` says what it means,
    `day` is the date (None when there is none)."""

    value: str
    understood: str
    day: dt.date | None = None


def reading(
    text: str | None,
    *,
    today: dt.date,
    direction: Direction,
    near: dt.date | None = None,
    time: Time | None = None,
    now: dt.datetime | None = None,
) -> Reading:
    """For a form shown again (another field refused, or the stored value): the date typed
    in ISO form and what it means, in the language being rendered; with `time` (and `now`)
    the date and time, as "2026-12-01 14:30". Text that cannot be read is shown as typed;
    the refusal of the save says why."""
    typed = text or ""
    meant: dt.date | dt.datetime | None
    if time is not None:
        assert now is not None, "a date-and-time field is read at an instant"
        meant, _ = _refusal(
            lambda: parse_moment(
                typed, now=now, direction=direction, time=time, field="", label="", near=near
            )
        )
    else:
        meant, _ = _refusal(
            lambda: parse_date(
                typed, today=today, direction=direction, field="", label="", near=near
            )
        )
    if meant is None:
        return Reading(typed, "")
    if isinstance(meant, dt.datetime):
        return Reading(meant.strftime("%Y-%m-%d %H:%M"), understood(meant), meant.date())
    return Reading(meant.isoformat(), understood(meant), meant)


def _refusal(read: Callable[[], T]) -> tuple[T | None, ValidationFailed | None]:
    """What `read` returns, or None and the ValidationFailed that refused it."""
    try:
        return read(), None
    except ValidationFailed as error:
        return None, error
