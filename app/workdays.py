"""Swedish working days: Monday to Friday, less the public holidays and the three eves that
are days off in practice (midsommarafton, julafton, nyårsafton).

The holidays come from the `holidays` package: its PUBLIC category is the law on public
holidays (SFS 1989:253), its DE_FACTO category the three eves, which the Annual Leave Act
(SFS 1977:480, 7 §) treats as Sundays and which collective agreements give off. A broker
does not call an employer on julafton, so a follow-up never falls on one.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

SATURDAY = 5


@lru_cache(maxsize=16)
def _days_off(year: int) -> frozenset[dt.date]:
    """The year's holidays and eves off (Sundays are left out: every weekend is off
    anyway). Built once per year and kept: a lookup is a set test."""
    # Imported on first use: the package loads every country's calendar, a third of a
    # second that the server's start and every `matcha` command would otherwise pay.
    from holidays.constants import DE_FACTO, PUBLIC
    from holidays.countries.sweden import Sweden

    return frozenset(Sweden(years=year, categories=(PUBLIC, DE_FACTO)))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < SATURDAY and day not in _days_off(day.year)


def working_day_from(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after `day` (Friday → Monday, 23 December → 28 December)."""
    return working_day_from(day + dt.timedelta(days=1))
