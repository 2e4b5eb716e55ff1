"""A job track's links: its assignments (rekryteringsuppdrag), events
(rekryteringsträffar) and agreements, attached and detached from the track. Each is the
row's track_id, written with a plain UPDATE that leaves the row's version alone (an open
edit form of the assignment stays good), and recorded in the track's history.

The rows' own pages show "Jobbspår: <name>" through app/parents.py, registered here: the
register and the events cannot import tracks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from app import parents
from app.agreements.models import KIND_LABELS, STATE_LABELS, Agreement
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.assignments.models import Assignment, EmploymentType
from app.auth.models import User
from app.clock import Clock, to_local
from app.companies.models import Company
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import STATUS_LABELS as EVENT_STATUS_LABELS
from app.events.models import EventStatus, RecruitmentEvent
from app.i18n import N_
from app.query import table_of
from app.tracks import audit
from app.tracks.models import JobTrack, JobTrackCompany
from app.validation import typed_id

parents.register(
    "track", label=N_("Jobbspår"), model=JobTrack, name=JobTrack.name, path="/tracks/{id}"
)

# How far back an event is still offered for attaching; and how many rows are offered.
RECENT_EVENT_DAYS = 90
OFFERED_AT_MOST = 200


@dataclass(frozen=True)
class LinkKind:
    """One kind of row a track links: its table, how history names it, its messages."""

    key: str  # the history field and the path's part: "assignment", "event", "agreement"
    model: Any
    choose: str  # msgid: nothing chosen
    missing: str  # msgid: no such row
    elsewhere: str  # msgid: on another track (%(track)s)
    not_employer: str  # msgid: its company does not take part in the track ("" if any may)
    not_linked: str  # msgid: detaching a row not on this track


ASSIGNMENT = LinkKind(
    key="assignment",
    model=Assignment,
    choose=N_("Välj ett uppdrag."),
    missing=N_("Uppdraget finns inte längre."),
    elsewhere=N_("Uppdraget hör redan till jobbspåret %(track)s."),
    not_employer=N_("Uppdragets företag är inte med i jobbspåret. Lägg först till företaget."),
    not_linked=N_("Uppdraget hör inte till jobbspåret."),
)
EVENT = LinkKind(
    key="event",
    model=RecruitmentEvent,
    choose=N_("Välj en rekryteringsträff."),
    missing=N_("Rekryteringsträffen finns inte längre."),
    elsewhere=N_("Rekryteringsträffen hör redan till jobbspåret %(track)s."),
    not_employer="",
    not_linked=N_("Rekryteringsträffen hör inte till jobbspåret."),
)
AGREEMENT = LinkKind(
    key="agreement",
    model=Agreement,
    choose=N_("Välj ett avtal."),
    missing=N_("Avtalet finns inte längre."),
    elsewhere=N_("Avtalet hör redan till jobbspåret %(track)s."),
    not_employer=N_("Avtalets företag är inte med i jobbspåret. Lägg först till företaget."),
    not_linked=N_("Avtalet hör inte till jobbspåret."),
)
KINDS = {kind.key: kind for kind in (ASSIGNMENT, EVENT, AGREEMENT)}


@dataclass(frozen=True)
class Linked:
    """One linked (or offered) row as the track shows it."""

    id: int
    name: str  # the assignment's occupation, the event's title, the agreement's kind label
    company: str  # the company's name ("" for an event)
    row: Any  # the Assignment, RecruitmentEvent or Agreement


@dataclass(frozen=True)
class Links:
    assignments: list[Linked]
    events: list[Linked]
    agreements: list[Linked]

    @property
    def empty(self) -> bool:
        return not (self.assignments or self.events or self.agreements)


def section(track: JobTrack, *, session: Session, clock: Clock, user: User) -> dict[str, Any]:
    """The track page's section (templates/tracks/_links.html): its links and the labels
    of their statuses. Three statements."""
    return {
        "links": linked(track, session=session),
        "link_labels": {
            "assignment_status": ASSIGNMENT_STATUS_LABELS,
            "event_status": EVENT_STATUS_LABELS,
            "agreement_state": STATE_LABELS,
        },
    }


def linked(track: JobTrack, *, session: Session) -> Links:
    """The track's assignments (newest first), events (by start) and agreements."""
    assignments = session.exec(
        select(Assignment, Company.name)
        .join(Company, col(Company.id) == Assignment.company_id)
        .where(Assignment.track_id == track.id)
        .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
    ).all()
    events = session.exec(
        select(RecruitmentEvent)
        .where(RecruitmentEvent.track_id == track.id)
        .order_by(col(RecruitmentEvent.starts_at), col(RecruitmentEvent.id))
    ).all()
    return Links(
        assignments=[_assignment(row, name) for row, name in assignments],
        events=[_event(row) for row in events],
        agreements=_agreements(select_where=Agreement.track_id == track.id, session=session),
    )


def offered(track: JobTrack, *, session: Session, clock: Clock) -> Links:
    """What the track may attach: the unattached assignments of its employers, those of
    the jobbspår type first; the unattached events from RECENT_EVENT_DAYS ago on, not
    cancelled; the unattached agreements of its employers. At most OFFERED_AT_MOST each."""
    employers = select(JobTrackCompany.company_id).where(JobTrackCompany.track_id == track.id)
    assignments = session.exec(
        select(Assignment, Company.name)
        .join(Company, col(Company.id) == Assignment.company_id)
        .where(col(Assignment.track_id).is_(None), col(Assignment.company_id).in_(employers))
        .order_by(
            case((col(Assignment.employment_type) == EmploymentType.job_track, 0), else_=1),
            col(Assignment.created_at).desc(),
            col(Assignment.id).desc(),
        )
        .limit(OFFERED_AT_MOST)
    ).all()
    since = clock.now() - dt.timedelta(days=RECENT_EVENT_DAYS)
    events = session.exec(
        select(RecruitmentEvent)
        .where(
            col(RecruitmentEvent.track_id).is_(None),
            RecruitmentEvent.status != EventStatus.cancelled,
            RecruitmentEvent.starts_at >= since,
        )
        .order_by(col(RecruitmentEvent.starts_at), col(RecruitmentEvent.id))
        .limit(OFFERED_AT_MOST)
    ).all()
    agreements = _agreements(
        select_where=col(Agreement.track_id).is_(None) & col(Agreement.company_id).in_(employers),
        session=session,
    )
    return Links(
        assignments=[_assignment(row, name) for row, name in assignments],
        events=[_event(row) for row in events],
        agreements=agreements,
    )


def _assignment(row: Assignment, company: str) -> Linked:
    return Linked(id=row.id, name=row.occupation, company=company, row=row)


def _event(row: RecruitmentEvent) -> Linked:
    return Linked(id=row.id, name=row.title, company="", row=row)


def _agreements(*, select_where: Any, session: Session) -> list[Linked]:
    rows = session.exec(
        select(Agreement, Company.name)
        .join(Company, col(Company.id) == Agreement.company_id)
        .where(select_where)
        .order_by(col(Agreement.created_at).desc(), col(Agreement.id).desc())
        .limit(OFFERED_AT_MOST)
    ).all()
    return [
        # The kind's msgid: the page translates it.
        Linked(id=row.id, name=KIND_LABELS[row.kind], company=name, row=row)
        for row, name in rows
    ]


# --- attaching and detaching ------------------------------------------------------------


def attach(
    track: JobTrack, kind: LinkKind, chosen: str, *, user: User, session: Session, clock: Clock
) -> Any:
    """Put the chosen row on the track. One that is already on it stays (nothing to do);
    one on another track is a Conflict: it is detached there first."""
    row_id = typed_id(chosen)
    if row_id is None:
        raise ValidationFailed(kind.choose, field=f"{kind.key}_id")
    row = session.get(kind.model, row_id)
    if row is None:
        raise ValidationFailed(kind.missing, field=f"{kind.key}_id")
    if kind.not_employer and not _takes_part(track, row.company_id, session=session):
        raise ValidationFailed(kind.not_employer, field=f"{kind.key}_id")
    table = table_of(kind.model)
    moved = session.execute(
        sql_update(table)
        .where(table.c.id == row_id, table.c.track_id.is_(None))
        .values(track_id=track.id)
    )
    session.expire(row, ["track_id"])
    if not moved.rowcount:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        if row.track_id == track.id:
            return row
        other = session.get(JobTrack, row.track_id) if row.track_id else None
        raise Conflict(kind.elsewhere, variables={"track": other.name if other else ""})
    audit.record(
        track,
        "update",
        {kind.key: [None, describe(row, session=session)]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    return row


def detach(
    track: JobTrack, kind: LinkKind, row_id: int, *, user: User, session: Session, clock: Clock
) -> Any:
    """Take the row off the track; NotFound when it is not on it (any more)."""
    row = session.get(kind.model, row_id)
    if row is None:
        raise NotFound(kind.missing)
    table = table_of(kind.model)
    moved = session.execute(
        sql_update(table)
        .where(table.c.id == row_id, table.c.track_id == track.id)
        .values(track_id=None)
    )
    session.expire(row, ["track_id"])
    if not moved.rowcount:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        raise NotFound(kind.not_linked)
    audit.record(
        track,
        "update",
        {kind.key: [describe(row, session=session), None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    return row


def _takes_part(track: JobTrack, company_id: int, *, session: Session) -> bool:
    return (
        session.exec(
            select(JobTrackCompany.id).where(
                JobTrackCompany.track_id == track.id, JobTrackCompany.company_id == company_id
            )
        ).first()
        is not None
    )


def describe(row: Any, *, session: Session) -> str:
    """How the track's history names the row: "Kock, Provföretaget AB" (an assignment),
    "Vårträffen 2026-04-15" (an event), "Samverkansavtal, Provföretaget AB" (an agreement)."""
    if isinstance(row, RecruitmentEvent):
        return f"{row.title} {to_local(row.starts_at):%Y-%m-%d}"
    company = session.get(Company, row.company_id)
    # In Swedish, as history keeps what it records.
    name = row.occupation if isinstance(row, Assignment) else KIND_LABELS[row.kind]
    return f"{name}, {company.name}" if company else name
