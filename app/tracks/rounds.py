"""Rounds of a job track ("Ny omgång"): a track run again as a new round, copied from the
one before it and moved in time; and the series of rounds a track belongs to.

A new round copies the track's name, occupation, municipality, description, coordinator,
co-workers, planned places, employers, contact persons, kompetensprofil, insatspaket and
checklist. Every date (the phases', the insatser's, the checklist's) moves by as many days
as the start of planning moves, so the plan keeps its shape. What belonged to the round
that ran stays with it: status, participants and outcomes, linked assignments, events and
agreements, and which checklist items were done. Colleagues who have left, or can no
longer edit, and employers that are archived are not carried over.

The rounds of a series point to their first round (first_round_id, None on the first
itself) and to the round they were copied from (previous_round_id). A round is numbered
after the series' last round, so numbers stay unique when an older round is copied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, func, select

from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies.models import Company
from app.contacts.models import Contact
from app.dates import parse_date
from app.db import hold_write_lock
from app.errors import ValidationFailed
from app.events.checklists import phase_rank
from app.i18n import N_
from app.phases import PHASES, Phase
from app.query import select_columns
from app.tracks.audit import record
from app.tracks.models import (
    TRACK_STATUS_LABELS,
    CompetenceProfile,
    Intervention,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    JobTrackMember,
    JobTrackTask,
    TrackStatus,
)

START_LABEL = N_("Planeringen börjar")


class NewRoundForm(SQLModel):
    """The new round's form: when its planning starts, as typed."""

    planning_starts_on: str = ""


def _day(value: dt.date | None, days: int) -> dt.date | None:
    return value + dt.timedelta(days=days) if value else None


def start_of(track: JobTrack, *, session: Session) -> dt.date | None:
    """Where the track's plan starts: its planning start, else the earliest date it has
    (a phase's, an insats's, a checklist item's); None for a track with no dates at all."""
    if track.planning_starts_on:
        return track.planning_starts_on
    own = [
        day
        for day in (
            track.recruitment_starts_on,
            track.execution_starts_on,
            track.closing_starts_on,
            track.ends_on,
        )
        if day
    ]
    if own:
        return min(own)
    parts = (
        session.execute(
            select(func.min(Intervention.starts_on)).where(Intervention.track_id == track.id)
        ).scalar_one(),
        session.execute(
            select(func.min(JobTrackTask.due_on)).where(JobTrackTask.track_id == track.id)
        ).scalar_one(),
    )
    found = [day for day in parts if day]
    return min(found) if found else None


def new_form(track: JobTrack, *, clock: Clock) -> NewRoundForm:
    """The form as it opens: the new round plans from the day after this one ends, or
    from today when this one has no end."""
    start = _day(track.ends_on, 1) or today(clock)
    return NewRoundForm(planning_starts_on=start.isoformat())


def _clean_start(
    track: JobTrack, form: NewRoundForm, *, session: Session, clock: Clock
) -> tuple[dt.date, dt.date | None]:
    """The new round's planning start, and the copied round's start it moves from."""
    start = parse_date(
        form.planning_starts_on,
        today=today(clock),
        direction="future",
        field="planning_starts_on",
        label=START_LABEL,
        near=_day(track.ends_on, 1),
    )
    if start is None:
        raise ValidationFailed(
            "Ange när planeringen av den nya omgången börjar.", field="planning_starts_on"
        )
    copied_start = start_of(track, session=session)
    if copied_start is not None and start < copied_start:
        raise ValidationFailed(
            "Den nya omgången kan inte börja före den här omgången, som börjar %(start)s.",
            field="planning_starts_on",
            variables={"start": copied_start.isoformat()},
        )
    return start, copied_start


def _still_colleagues(user_ids: set[int], *, session: Session) -> set[int]:
    """Those of these users who may still be given work: active brokers and admins."""
    if not user_ids:
        return set()
    return set(
        session.execute(
            select_columns(User.id).where(
                col(User.id).in_(user_ids),
                col(User.is_active).is_(True),
                col(User.role) != Role.viewer,
            )
        ).scalars()
    )


@dataclass
class Parts:
    """What a new round takes over from the track (its form shows them, new_round copies
    them): colleagues who may still be given work, employers that are not archived and
    contact persons at companies that are not."""

    coordinator_id: int | None
    member_ids: list[int]
    company_ids: list[int]
    contact_ids: list[int]
    profile: CompetenceProfile | None
    interventions: list[Intervention]
    tasks: list[JobTrackTask]
    colleagues: set[int]


def parts(track: JobTrack, *, session: Session) -> Parts:
    members = list(
        session.execute(
            select_columns(JobTrackMember.user_id).where(JobTrackMember.track_id == track.id)
        ).scalars()
    )
    tasks = list(
        session.exec(
            select(JobTrackTask)
            .where(JobTrackTask.track_id == track.id)
            .order_by(phase_rank(JobTrackTask.phase), col(JobTrackTask.position))
            .order_by(col(JobTrackTask.id))
        ).all()
    )
    people = {track.coordinator_id, *members, *(task.assignee_id for task in tasks)}
    colleagues = _still_colleagues({i for i in people if i is not None}, session=session)
    company_ids = session.execute(
        select_columns(JobTrackCompany.company_id)
        .join(Company, col(Company.id) == JobTrackCompany.company_id)
        .where(JobTrackCompany.track_id == track.id, col(Company.archived_at).is_(None))
        .order_by(col(JobTrackCompany.id))
    ).scalars()
    contact_ids = session.execute(
        select_columns(JobTrackContact.contact_id)
        .join(Contact, col(Contact.id) == JobTrackContact.contact_id)
        .join(Company, col(Company.id) == Contact.company_id)
        .where(JobTrackContact.track_id == track.id, col(Company.archived_at).is_(None))
        .order_by(col(JobTrackContact.contact_id))
    ).scalars()
    interventions = session.exec(
        select(Intervention)
        .where(Intervention.track_id == track.id)
        .order_by(col(Intervention.starts_on), col(Intervention.id))
    ).all()
    return Parts(
        coordinator_id=track.coordinator_id if track.coordinator_id in colleagues else None,
        member_ids=sorted(i for i in members if i in colleagues),
        company_ids=list(company_ids),
        contact_ids=list(contact_ids),
        profile=session.get(CompetenceProfile, track.id),
        interventions=list(interventions),
        tasks=tasks,
        colleagues=colleagues,
    )


def _in_series(head_id: int) -> Any:
    """WHERE clause: the rounds of the series whose first round is `head_id`."""
    return or_(col(JobTrack.id) == head_id, col(JobTrack.first_round_id) == head_id)


def _series_head(track: JobTrack, *, session: Session) -> JobTrack:
    """The series' first round, locked: two new rounds made at once are numbered in turn."""
    hold_write_lock(session)
    head_id = track.first_round_id or track.id
    head = session.execute(
        select(JobTrack).where(JobTrack.id == head_id).with_for_update()
    ).scalar_one_or_none()
    return head or track


def next_round_number(track: JobTrack, *, session: Session) -> int:
    """The number a new round of the track's series gets: after its last round's."""
    head_id = track.first_round_id or track.id
    last = session.execute(
        select(func.max(JobTrack.round_number)).where(_in_series(head_id))
    ).scalar_one()
    return max(last or 0, track.round_number) + 1


def new_round(
    track: JobTrack, form: NewRoundForm, *, user: User, session: Session, clock: Clock
) -> JobTrack:
    """The next round of the track's series, copied from `track` and moved in time so that
    its planning starts on the day the form asks for. History on both rounds."""
    start, copied_start = _clean_start(track, form, session=session, clock=clock)
    days = (start - copied_start).days if copied_start else 0
    head = _series_head(track, session=session)
    number = next_round_number(track, session=session)
    carried = parts(track, session=session)
    now = clock.now()
    copy = JobTrack(
        name=track.name,
        occupation=track.occupation,
        municipality=track.municipality,
        description=track.description,
        coordinator_id=carried.coordinator_id,
        places=track.places,
        status=TrackStatus.planning,
        planning_starts_on=start,
        recruitment_starts_on=_day(track.recruitment_starts_on, days),
        execution_starts_on=_day(track.execution_starts_on, days),
        closing_starts_on=_day(track.closing_starts_on, days),
        ends_on=_day(track.ends_on, days),
        round_number=number,
        previous_round_id=track.id,
        first_round_id=head.id,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    session.add_all(_copies(carried, copy.id, days, now))
    session.flush()
    record(
        copy,
        "create",
        {
            "name": [None, copy.name],
            "round_number": [None, number],
            "copied_from_round": [None, track.round_number],
        },
        user=user,
        session=session,
        clock=clock,
    )
    # On the copied round as a change to its parts: its own form's edit conflict must not
    # list it.
    record(
        track,
        "update",
        {"new_round": [None, number]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    return copy


def _copies(carried: Parts, track_id: int, days: int, now: dt.datetime) -> list[Any]:
    """The carried parts as rows of the new round `track_id`, their dates moved `days`."""
    rows: list[Any] = [
        *(
            JobTrackCompany(track_id=track_id, company_id=i, created_at=now)
            for i in carried.company_ids
        ),
        *(JobTrackContact(track_id=track_id, contact_id=i) for i in carried.contact_ids),
        *(JobTrackMember(track_id=track_id, user_id=i) for i in carried.member_ids),
    ]
    if carried.profile is not None:
        values = carried.profile.model_dump(exclude={"track_id", "updated_at", "version"})
        rows.append(CompetenceProfile(**values, track_id=track_id, updated_at=now))
    rows += [
        Intervention(
            track_id=track_id,
            kind=insats.kind,
            title=insats.title,
            provider_id=insats.provider_id,
            starts_on=_day(insats.starts_on, days),
            ends_on=_day(insats.ends_on, days),
            places=insats.places,
            notes=insats.notes,
            created_at=now,
            updated_at=now,
        )
        for insats in carried.interventions
    ]
    rows += [
        JobTrackTask(
            track_id=track_id,
            phase=task.phase,
            title=task.title,
            due_on=_day(task.due_on, days),
            assignee_id=task.assignee_id if task.assignee_id in carried.colleagues else None,
            position=task.position,
            created_at=now,
            updated_at=now,
        )
        for task in carried.tasks
    ]
    return rows


@dataclass
class Preview:
    """What the new round's form says it will copy, by name."""

    number: int
    coordinator: str | None
    members: list[str]
    employers: list[str]
    # (name, company) of each contact person.
    contacts: list[tuple[str, str]]
    has_profile: bool
    # Each insats with its provider's name.
    interventions: list[tuple[Intervention, str | None]]
    tasks_by_phase: dict[Phase, int]


def preview(track: JobTrack, *, session: Session) -> Preview:
    """The parts a new round of the track takes over, named: a query per kind."""
    carried = parts(track, session=session)
    user_ids = {*carried.member_ids, carried.coordinator_id} - {None}
    users = dict(
        session.execute(
            select_columns(User.id, User.full_name).where(col(User.id).in_(user_ids))
        ).all()
    )
    company_ids = {*carried.company_ids, *(i.provider_id for i in carried.interventions)} - {None}
    companies = dict(
        session.execute(
            select_columns(Company.id, Company.name).where(col(Company.id).in_(company_ids))
        ).all()
    )
    contacts = session.execute(
        select_columns(Contact.name, Company.name)
        .join(Company, col(Company.id) == Contact.company_id)
        .where(col(Contact.id).in_(carried.contact_ids))
        .order_by(col(Company.name), col(Contact.name))
    ).all()
    tasks: dict[Phase, int] = dict.fromkeys(PHASES, 0)
    for task in carried.tasks:
        tasks[task.phase] += 1
    return Preview(
        number=next_round_number(track, session=session),
        coordinator=users.get(carried.coordinator_id) if carried.coordinator_id else None,
        members=sorted(users[i] for i in carried.member_ids),
        employers=[companies[i] for i in carried.company_ids],
        contacts=[(name, company) for name, company in contacts],
        has_profile=carried.profile is not None,
        interventions=[
            (i, companies.get(i.provider_id) if i.provider_id else None)
            for i in carried.interventions
        ],
        tasks_by_phase=tasks,
    )


# --- what the form shows, and the series on the track's page ----------------------------


@dataclass
class Round:
    """One round of a series, as its list shows it."""

    id: int
    name: str
    round_number: int
    status: TrackStatus
    planning_starts_on: dt.date | None
    ends_on: dt.date | None


def series(track: JobTrack, *, session: Session) -> list[Round]:
    """The rounds of the track's series in order, the first one first: one query."""
    head_id = track.first_round_id or track.id
    rows = session.execute(
        select_columns(
            JobTrack.id,
            JobTrack.name,
            JobTrack.round_number,
            JobTrack.status,
            JobTrack.planning_starts_on,
            JobTrack.ends_on,
        )
        .where(_in_series(head_id))
        .order_by(col(JobTrack.round_number), col(JobTrack.id))
    ).all()
    return [Round(*row) for row in rows]


def section(track: JobTrack, *, session: Session, clock: Clock, user: User) -> dict[str, Any]:
    """What templates/tracks/_rounds.html shows on the track's page: the series' rounds
    (the page's own marked there), and whether this user may start a new one."""
    return {
        "round_series": series(track, session=session),
        "round_may_start": user.role != Role.viewer,
        "round_status_labels": TRACK_STATUS_LABELS,
    }
