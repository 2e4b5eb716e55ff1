"""What came of a job track (one round): its participants counted by stage (identified,
started, completed, left early) and their outcomes: employment by kind, studies, other,
unknown. No one is named: the coordinator types the counts.

Employment comes from two places, counted once each: the hires of the track's own
assignments (their filled_count, by the assignment's employment type) and events (an
event's hires less those it made on assignments of the track, which are in the
assignments' filled_count already), and the ones the coordinator counts by hand, by kind
(JobTrackEmployment), for jobs found beyond those.

The counts are the track's columns, written with a plain UPDATE that leaves the track's
version alone: saving the results must not make an open edit form of the track stale.
The results form carries what it was opened on instead (`seen`), so that two colleagues
saving results at once find out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert
from sqlalchemy import update as sql_update
from sqlmodel import Session, SQLModel, col, select

from app.assignments.models import (
    EMPLOYMENT_TYPE_LABELS,
    LEGACY_TYPES,
    Assignment,
    EmploymentType,
)
from app.auth.models import User
from app.clock import Clock
from app.errors import Conflict, ValidationFailed
from app.events import service as events
from app.events.models import EventAssignment, RecruitmentEvent
from app.history import service as history
from app.query import table_of
from app.tracks import audit
from app.tracks.models import JobTrack, JobTrackEmployment

STAGES = ("identified", "started", "completed", "left_early")
OTHER_OUTCOMES = ("to_studies", "to_other", "outcome_unknown")
COUNTS = (*STAGES, *OTHER_OUTCOMES)
# The kinds a coordinator counts by hand: jobs (not praktik, not a track itself), and not
# the old undivided kind.
HAND_KINDS = tuple(
    kind
    for kind in EMPLOYMENT_TYPE_LABELS
    if kind not in (*LEGACY_TYPES, EmploymentType.internship, EmploymentType.job_track)
)


@dataclass
class Outcome:
    """One track's counts; None where not entered."""

    track_id: int
    counts: dict[str, int | None]
    # Employment by kind: counted by hand, and the hires of the track's assignments.
    by_hand: dict[EmploymentType, int] = field(default_factory=dict)
    from_assignments: dict[EmploymentType, int] = field(default_factory=dict)
    # Hires at the track's events not made on its assignments (their kind is not known).
    from_events: int = 0

    @property
    def linked(self) -> int:
        """Employment from the track's assignments and events."""
        return sum(self.from_assignments.values()) + self.from_events

    @property
    def employed(self) -> int:
        return sum(self.by_hand.values()) + self.linked

    @property
    def kinds(self) -> list[EmploymentType]:
        """The kinds with someone employed, in the labels' order."""
        found = {kind for kind, n in (*self.by_hand.items(), *self.from_assignments.items()) if n}
        return [kind for kind in EMPLOYMENT_TYPE_LABELS if kind in found]

    def employed_as(self, kind: EmploymentType) -> int:
        return self.by_hand.get(kind, 0) + self.from_assignments.get(kind, 0)

    @property
    def with_outcome(self) -> int:
        """Everyone with an outcome: employed, studies, other and unknown."""
        return self.employed + sum(self.counts[name] or 0 for name in OTHER_OUTCOMES)


def outcome(track: JobTrack, *, session: Session) -> Outcome:
    """The track's outcome: three statements."""
    return outcomes([track], session=session)[track.id]


def outcomes(tracks: Iterable[JobTrack], *, session: Session) -> dict[int, Outcome]:
    """The outcome of each of these tracks: three statements, however many they are."""
    found = {
        track.id: Outcome(track.id, {name: getattr(track, name) for name in COUNTS})
        for track in tracks
    }
    # No early return for none: a report costs the same statements whatever it finds.
    ids = list(found)
    for track_id, kind, count in session.exec(
        select(
            JobTrackEmployment.track_id,
            JobTrackEmployment.employment_type,
            JobTrackEmployment.count,
        ).where(col(JobTrackEmployment.track_id).in_(ids))
    ):
        if kind in EmploymentType._value2member_map_ and count:
            found[track_id].by_hand[EmploymentType(kind)] = count
    for on_track, kind, filled in session.exec(
        select(Assignment.track_id, Assignment.employment_type, func.sum(Assignment.filled_count))
        .where(col(Assignment.track_id).in_(ids))
        .group_by(col(Assignment.track_id), col(Assignment.employment_type))
    ):
        if on_track is not None and filled:
            found[on_track].from_assignments[EmploymentType(kind)] = int(filled)
    on_track_assignments = (
        select(func.coalesce(func.sum(EventAssignment.hires), 0))
        .join(Assignment, col(Assignment.id) == EventAssignment.assignment_id)
        .where(
            EventAssignment.event_id == RecruitmentEvent.id,
            Assignment.track_id == RecruitmentEvent.track_id,
        )
        .scalar_subquery()
    )
    for of_track, hires, counted in session.exec(
        select(RecruitmentEvent.track_id, RecruitmentEvent.hires, on_track_assignments).where(
            col(RecruitmentEvent.track_id).in_(ids)
        )
    ):
        if of_track is not None:
            found[of_track].from_events += max(0, (hires or 0) - int(counted or 0))
    return found


# --- the results form ---------------------------------------------------------------------


class ResultsForm(SQLModel):
    """The counts as typed; by hand counted employment as parallel lists (kind, count)."""

    identified: str = ""
    started: str = ""
    completed: str = ""
    left_early: str = ""
    to_studies: str = ""
    to_other: str = ""
    outcome_unknown: str = ""
    kind: list[str] = []
    count: list[str] = []
    # The saved results the form was opened on (fingerprint()).
    seen: str = ""

    @classmethod
    def from_outcome(cls, found: Outcome) -> ResultsForm:
        counts = {name: "" if n is None else str(n) for name, n in found.counts.items()}
        return cls(
            **counts,
            kind=[kind.value for kind in HAND_KINDS],
            count=[
                str(found.by_hand[kind]) if kind in found.by_hand else "" for kind in HAND_KINDS
            ],
            seen=fingerprint(found),
        )

    def by_kind(self) -> dict[str, str]:
        """What was typed for each kind, as the form shows it again."""
        return dict(zip(self.kind, self.count, strict=False))


def fingerprint(found: Outcome) -> str:
    """The saved results in a line: what a form was opened on."""
    counts = ",".join(
        "" if found.counts[name] is None else str(found.counts[name]) for name in COUNTS
    )
    hand = ",".join(f"{kind.value}={n}" for kind, n in sorted(found.by_hand.items()))
    return f"{counts};{hand}"


def save(
    track: JobTrack, form: ResultsForm, *, user: User, session: Session, clock: Clock
) -> Outcome:
    """Check and save the counts; one history entry with what changed."""
    before = outcome(track, session=session)
    if form.seen != fingerprint(before):
        raise Conflict(
            "Någon annan har sparat resultat för jobbspåret medan du skrev. De sparade "
            "siffrorna visas nu i tabellerna; spara igen för att ersätta dem med dina."
        )
    counts = {name: events.optional_count(getattr(form, name), field=name) for name in COUNTS}
    by_hand = _typed_kinds(form)
    _check(counts, sum(by_hand.values()), before.linked)
    changes: dict[str, Any] = history.diff(before.counts, counts)
    old_hand, new_hand = _described(before.by_hand), _described(by_hand)
    if old_hand != new_hand:
        changes["employment_by_hand"] = [old_hand or None, new_hand or None]
    if not changes:
        return before
    table = table_of(JobTrack)
    session.execute(sql_update(table).where(table.c.id == track.id).values(**counts))
    session.expire(track, list(COUNTS))
    session.execute(
        sql_delete(JobTrackEmployment).where(col(JobTrackEmployment.track_id) == track.id)
    )
    if by_hand:
        session.execute(
            insert(JobTrackEmployment),
            [
                {"track_id": track.id, "employment_type": kind.value, "count": n}
                for kind, n in by_hand.items()
            ],
        )
    audit.record(track, "update", changes, user=user, session=session, clock=clock, version=None)
    return outcome(track, session=session)


def _typed_kinds(form: ResultsForm) -> dict[EmploymentType, int]:
    if len(form.kind) != len(form.count):
        raise ValidationFailed("Formuläret är ofullständigt. Ladda om sidan och försök igen.")
    typed: dict[EmploymentType, int] = {}
    for kind, value in zip(form.kind, form.count, strict=True):
        if kind not in EmploymentType._value2member_map_ or EmploymentType(kind) not in HAND_KINDS:
            raise ValidationFailed("Formuläret är ofullständigt. Ladda om sidan och försök igen.")
        n = events.optional_count(value, field=f"count-{kind}")
        if n:
            typed[EmploymentType(kind)] = typed.get(EmploymentType(kind), 0) + n
    return typed


def _check(counts: Mapping[str, int | None], by_hand: int, linked: int) -> None:
    """The counts fit together: no more started than identified, no more completed and
    left early than started, no more outcomes than started."""
    identified, started = counts["identified"], counts["started"]
    if started is not None and identified is not None and started > identified:
        raise ValidationFailed(
            "Fler kan inte ha börjat (%(started)s) än som har identifierats (%(identified)s).",
            field="started",
            variables={"started": started, "identified": identified},
        )
    ended = (counts["completed"] or 0) + (counts["left_early"] or 0)
    typed_outcomes = by_hand + sum(counts[name] or 0 for name in OTHER_OUTCOMES)
    if started is None:
        if ended or typed_outcomes:
            raise ValidationFailed(
                "Fyll i hur många som började, innan du fyller i hur det gick för dem.",
                field="started",
            )
        return
    if ended > started:
        raise ValidationFailed(
            "De som fullföljde och de som avbröt i förtid (%(ended)s) kan inte vara fler än "
            "de som började (%(started)s).",
            field="completed",
            variables={"ended": ended, "started": started},
        )
    if typed_outcomes + linked > started:
        raise ValidationFailed(
            "Utfallen (%(total)s, varav %(linked)s anställningar genom jobbspårets uppdrag "
            "och träffar) kan inte vara fler än de som började (%(started)s).",
            field="to_studies",
            variables={"total": typed_outcomes + linked, "linked": linked, "started": started},
        )


def _described(by_hand: Mapping[EmploymentType, int]) -> str:
    """The by hand counted employment as history keeps it: "Ordinarie anställning: 3; ..."."""
    return "; ".join(
        f"{EMPLOYMENT_TYPE_LABELS[kind]}: {by_hand[kind]}"
        for kind in EMPLOYMENT_TYPE_LABELS
        if by_hand.get(kind)
    )
