"""The one clock of the app: UTC for storage, Europe/Stockholm for 'today' and display.

Production always runs on SystemClock. Tests build the app with a SettableClock; nothing
in configuration can swap it, so production cannot be told a different date.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class SettableClock:
    """A clock for tests: frozen at an instant until set again (thread-safe)."""

    def __init__(self, instant: dt.datetime) -> None:
        self._lock = threading.Lock()
        self.set(instant)

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        with self._lock:
            self._instant = instant.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        with self._lock:
            self._instant += delta

    def now(self) -> dt.datetime:
        with self._lock:
            return self._instant


def local_now(clock: Clock) -> dt.datetime:
    return clock.now().astimezone(STOCKHOLM)


def today(clock: Clock) -> dt.date:
    """The date in Stockholm: what a broker means by 'today'."""
    return local_now(clock).date()


def to_local(instant: dt.datetime) -> dt.datetime:
    """A stored instant shown in Swedish time. Naive values are UTC (SQLite drops tzinfo)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(STOCKHOLM)
