"""The events' month view: a grid of whole weeks, Monday first as in Sweden, with ISO week
numbers, each event on the days it covers in Swedish time. One query for the month's
events, however many there are in all."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlmodel import Session, col

from app.clock import STOCKHOLM, Clock, to_local, today
from app.events.models import EventStatus, RecruitmentEvent
from app.query import select_columns

_MONTH = re.compile(r"(\d{4})-(\d{2})")
# Months the view moves between; beyond them prev/next would leave what dates can hold.
FIRST_YEAR, LAST_YEAR = 1970, 2999


@dataclass(frozen=True)
class Entry:
    """An event as a day of the grid shows it."""

    id: int
    title: str
    starts_at: dt.datetime  # Swedish time
    ends_at: dt.datetime  # Swedish time
    status: EventStatus
    # Shown on a day after its first: the time is the start's, not that day's.
    continued: bool = False

    @property
    def cancelled(self) -> bool:
        return self.status == EventStatus.cancelled


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Week:
    number: int  # ISO 8601, as Swedish calendars number weeks
    days: list[Day]


@dataclass
class Month:
    first: dt.date
    weeks: list[Week]
    previous: dt.date | None
    next: dt.date | None
    today: dt.date

    @property
    def param(self) -> str:
        return month_param(self.first)

    @property
    def count(self) -> int:
        """Events starting in the month (not those continuing into it)."""
        return sum(
            1
            for week in self.weeks
            for day in week.days
            if day.in_month
            for entry in day.entries
            if not entry.continued
        )


def month_param(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(value: str | None, *, clock: Clock) -> dt.date:
    """The first day of ?month=YYYY-MM; this month when missing or not a month."""
    match = _MONTH.fullmatch((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return today(clock).replace(day=1)


def _add_months(first: dt.date, months: int) -> dt.date | None:
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return dt.date(year, month + 1, 1)


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def month(first: dt.date, *, session: Session, clock: Clock) -> Month:
    """The month starting on `first` as whole weeks (Monday to Sunday), with the events on
    every day they cover, the grid's days from the neighbouring months included."""
    following = _add_months(first, 1) or dt.date(LAST_YEAR + 1, 1, 1)
    grid_start = first - dt.timedelta(days=first.weekday())
    last = following - dt.timedelta(days=1)
    grid_end = last + dt.timedelta(days=7 - last.isoweekday())  # the Sunday, inclusive
    rows = session.exec(
        select_columns(
            RecruitmentEvent.id,
            RecruitmentEvent.title,
            RecruitmentEvent.starts_at,
            RecruitmentEvent.ends_at,
            RecruitmentEvent.status,
        )
        .where(
            col(RecruitmentEvent.starts_at) < _midnight_utc(grid_end + dt.timedelta(days=1)),
            col(RecruitmentEvent.ends_at) > _midnight_utc(grid_start),
        )
        .order_by(col(RecruitmentEvent.starts_at), col(RecruitmentEvent.id))
    ).all()
    current = today(clock)
    days = {
        grid_start + dt.timedelta(days=n): Day(
            date=grid_start + dt.timedelta(days=n),
            in_month=(grid_start + dt.timedelta(days=n)).month == first.month,
            is_today=grid_start + dt.timedelta(days=n) == current,
        )
        for n in range((grid_end - grid_start).days + 1)
    }
    for event_id, title, starts_at, ends_at, status in rows:
        start, end = to_local(starts_at), to_local(ends_at)
        # An event ending at midnight does not cover the day that midnight starts.
        last_day = (end - dt.timedelta(microseconds=1)).date()
        day = max(start.date(), grid_start)
        while day <= min(last_day, grid_end):
            days[day].entries.append(
                Entry(
                    id=event_id,
                    title=title,
                    starts_at=start,
                    ends_at=end,
                    status=status,
                    continued=day != start.date(),
                )
            )
            day += dt.timedelta(days=1)
    ordered = list(days.values())
    weeks = [
        Week(number=ordered[i].date.isocalendar().week, days=ordered[i : i + 7])
        for i in range(0, len(ordered), 7)
    ]
    return Month(
        first=first,
        weeks=weeks,
        previous=_add_months(first, -1),
        next=_add_months(first, 1),
        today=current,
    )
