"""The insatspaket as a timeline: the insatser in order of start, each placed by its dates
between the earliest start and the latest end, and the gaps where no insats runs between
one's end and the next one's start. Overlapping insatser are fine; a gap is a day or more
that none of the insatser before the next one covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.tracks.models import Intervention


@dataclass(frozen=True)
class Gap:
    """Days without an insats: from the day after the latest end so far to the day before
    the next start."""

    starts_on: dt.date
    ends_on: dt.date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Bar:
    """An insats on the timeline: where its bar starts and how wide it is, in percent of
    the whole span (an insats without an end is one day long on the picture)."""

    intervention: Intervention
    left: float
    width: float

    @property
    def days(self) -> int | None:
        starts, ends = self.intervention.starts_on, self.intervention.ends_on
        return (ends - starts).days + 1 if starts and ends else None


@dataclass
class Timeline:
    """The dated insatser as bars with the gaps between them, in order (`items`), the span
    they cover, and the insatser without a start date (listed after, not drawn)."""

    items: list[Bar | Gap] = field(default_factory=list)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    undated: list[Intervention] = field(default_factory=list)

    @property
    def gaps(self) -> list[Gap]:
        return [item for item in self.items if isinstance(item, Gap)]

    @property
    def bars(self) -> list[Bar]:
        return [item for item in self.items if isinstance(item, Bar)]


def order_key(intervention: Intervention) -> tuple[dt.date, int]:
    """The timeline's order: by start, then in the order they were added."""
    assert intervention.starts_on is not None
    return intervention.starts_on, intervention.id


def _last_day(intervention: Intervention) -> dt.date:
    assert intervention.starts_on is not None
    return intervention.ends_on or intervention.starts_on


def build(interventions: Sequence[Intervention]) -> Timeline:
    dated = sorted((i for i in interventions if i.starts_on is not None), key=order_key)
    undated = [i for i in interventions if i.starts_on is None]
    timeline = Timeline(undated=sorted(undated, key=lambda i: i.id))
    if not dated:
        return timeline
    first = dated[0].starts_on
    assert first is not None
    last = max(_last_day(i) for i in dated)
    timeline.starts_on, timeline.ends_on = first, last
    span = (last - first).days + 1
    covered_to: dt.date | None = None
    for intervention in dated:
        starts = intervention.starts_on
        assert starts is not None
        if covered_to is not None and (starts - covered_to).days > 1:
            timeline.items.append(
                Gap(covered_to + dt.timedelta(days=1), starts - dt.timedelta(days=1))
            )
        ends = _last_day(intervention)
        covered_to = ends if covered_to is None else max(covered_to, ends)
        left = (starts - first).days / span * 100
        width = ((ends - starts).days + 1) / span * 100
        timeline.items.append(Bar(intervention, round(left, 2), round(width, 2)))
    return timeline
