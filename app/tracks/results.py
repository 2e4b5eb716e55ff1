"""A job track's results as its pages show them: the participants by stage, the outcomes
of those who started with their shares, and the rounds of its series side by side.
Counts from 1 to 4 show as "< 5" and their shares are withheld (app/small_counts.py):
a track's participants are few, and a small count could single someone out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, or_, select

from app.assignments.models import EMPLOYMENT_TYPE_LABELS
from app.auth.models import User
from app.clock import Clock
from app.i18n import N_
from app.small_counts import Cell, shown_count, shown_share
from app.tracks.models import TRACK_STATUS_LABELS, JobTrack
from app.tracks.outcome import Outcome, outcome, outcomes

STAGE_LABELS = {
    "identified": N_("Identifierade"),
    "started": N_("Började"),
    "completed": N_("Fullföljde"),
    "left_early": N_("Avbröt i förtid"),
}


@dataclass(frozen=True)
class Line:
    """A row of a results table: a count as shown, and its share of those who started."""

    label: str  # msgid
    count: Cell
    share: int | None = None
    by_hand: Cell = None
    linked: Cell = None
    part: bool = False  # a part of the row above it ("varav")


@dataclass(frozen=True)
class Round:
    track: JobTrack
    started: Cell
    employed: Cell
    employed_share: int | None
    studies_share: int | None
    other_share: int | None
    unknown_share: int | None


@dataclass(frozen=True)
class Summary:
    """The key figures, for the track page's section."""

    identified: Cell
    started: Cell
    employed: Cell
    employed_share: int | None
    studies_share: int | None


def _line(label: str, count: int | None, started: int | None, **parts: Any) -> Line:
    return Line(label, shown_count(count), shown_share(count, started), **parts)


def stages(found: Outcome) -> list[Line]:
    """Identified and started; completed and left early with their shares of started."""
    started = found.counts["started"]
    return [
        _line(label, found.counts[name], started if name in ("completed", "left_early") else None)
        for name, label in STAGE_LABELS.items()
    ]


def outcome_lines(found: Outcome) -> list[Line]:
    """In a job (by hand, through the track's assignments and events, and both), each kind
    as a part of it, then studies, other and unknown: each with its share of started."""
    started = found.counts["started"]
    hand_total = sum(found.by_hand.values())
    lines = [
        _line(
            N_("I jobb"),
            found.employed,
            started,
            by_hand=shown_count(hand_total),
            linked=shown_count(found.linked),
        )
    ]
    for kind in found.kinds:
        lines.append(
            _line(
                EMPLOYMENT_TYPE_LABELS[kind],
                found.employed_as(kind),
                started,
                by_hand=shown_count(found.by_hand.get(kind, 0)),
                linked=shown_count(found.from_assignments.get(kind, 0)),
                part=True,
            )
        )
    if found.from_events:
        lines.append(
            _line(
                N_("Anställda vid rekryteringsträffar, anställningsform okänd"),
                found.from_events,
                started,
                by_hand=0,
                linked=shown_count(found.from_events),
                part=True,
            )
        )
    for name, label in (
        ("to_studies", N_("Studier")),
        ("to_other", N_("Annat")),
        ("outcome_unknown", N_("Okänt")),
    ):
        lines.append(_line(label, found.counts[name], started))
    return lines


def series(track: JobTrack, *, session: Session) -> list[Round]:
    """Every round of the track's series, in order: four statements."""
    first = track.first_round_id or track.id
    rounds = session.exec(
        select(JobTrack)
        .where(or_(col(JobTrack.id) == first, col(JobTrack.first_round_id) == first))
        .order_by(col(JobTrack.round_number), col(JobTrack.id))
    ).all()
    found = outcomes(rounds, session=session)
    return [_round(each, found[each.id]) for each in rounds]


def _round(track: JobTrack, found: Outcome) -> Round:
    started = found.counts["started"]
    return Round(
        track=track,
        started=shown_count(started),
        employed=shown_count(found.employed),
        employed_share=shown_share(found.employed, started),
        studies_share=shown_share(found.counts["to_studies"], started),
        other_share=shown_share(found.counts["to_other"], started),
        unknown_share=shown_share(found.counts["outcome_unknown"], started),
    )


def summary(found: Outcome) -> Summary:
    started = found.counts["started"]
    return Summary(
        identified=shown_count(found.counts["identified"]),
        started=shown_count(started),
        employed=shown_count(found.employed),
        employed_share=shown_share(found.employed, started),
        studies_share=shown_share(found.counts["to_studies"], started),
    )


def section(track: JobTrack, *, session: Session, clock: Clock, user: User) -> dict[str, Any]:
    """The track page's section (templates/tracks/_results.html): its key figures. Three
    statements."""
    return {"results": summary(outcome(track, session=session))}


def labels() -> dict[str, Any]:
    return {
        "track_status_labels": TRACK_STATUS_LABELS,
        "employment_type_labels": EMPLOYMENT_TYPE_LABELS,
    }
