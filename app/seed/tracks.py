"""Demo samverkansparter (Arbetsförmedlingen, Komvux, a folkhögskola, a yrkeshögskola, a
training company) with their contact persons, and demo lokala jobbspår: employers from
the seeded register with a contact each, partner contacts, a coordinator and co-workers,
a kompetensprofil, an insatspaket, the default checklist (done where its day has passed),
participants and outcomes for the finished one, and a second round of it made as a user
makes one ("Ny omgång", app/tracks/rounds.py). Numbers only: no job seeker is named."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.auth.models import User
from app.clock import Clock
from app.companies.models import AgreementStatus, Company, CompanyKind, CompanyStatus
from app.contacts.models import Contact
from app.events.checklist import template
from app.events.models import ChecklistFor
from app.phases import Phase
from app.query import select_columns, table_of
from app.seed.generator import Generator, company_derived, contact_derived
from app.seed.inserts import insert_returning_ids
from app.seed.track_data import (
    CLOSING_DAYS,
    PARTNERS,
    PLANNING_DAYS,
    RECRUITMENT_DAYS,
    TRACKS,
    DemoTrack,
)
from app.text import company_name_key
from app.tracks import rounds
from app.tracks.models import (
    CompetenceProfile,
    Intervention,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    JobTrackEmployment,
    JobTrackMember,
    JobTrackTask,
    TrackStatus,
)

# A finished track's participant counts (track_data.DemoTrack.counts).
COUNTS = (
    "identified",
    "started",
    "completed",
    "left_early",
    "to_studies",
    "to_other",
    "outcome_unknown",
)


@dataclass
class Seeded:
    partners: int = 0
    tracks: int = 0


def _partners(session: Session, generator: Generator) -> tuple[int, dict[str, int]]:
    """The partners' ids by key, made (with their contact persons) where no partner of the
    name exists yet, so a second seed does not make them twice: (how many made, ids)."""
    keys = {company_name_key(name): key for key, name, *_ in PARTNERS}
    found = {
        keys[name_key]: company_id
        for company_id, name_key in session.execute(
            select_columns(Company.id, Company.name_key).where(
                col(Company.kind) == CompanyKind.partner, col(Company.name_key).in_(keys)
            )
        )
    }
    rows, titles = [], []
    for key, name, form, industry, sni, people in PARTNERS:
        if key in found:
            continue
        row = generator.company()
        org_number = generator.org_number(form)
        row.update(
            name=name,
            org_number=org_number,
            industry=industry,
            sni_code=sni,
            kind=CompanyKind.partner,
            status=CompanyStatus.active,
            agreement_status=AgreementStatus.none,
            agreement_date=None,
            archived_at=None,
            **company_derived(name, org_number, row["city"], row["municipality"]),
        )
        rows.append((key, row))
        titles.append(people)
    if not rows:
        return 0, found
    ids = insert_returning_ids(session, Company, [row for _, row in rows])
    contacts: list[dict[str, Any]] = []
    for company_id, (key, row), people in zip(ids, rows, titles, strict=True):
        found[key] = company_id
        made = generator.contacts(company_id, row)[: len(people)]
        for contact, title in zip(made, people, strict=False):
            contact.update(
                title=title,
                **contact_derived(contact["name"], title, contact["email"], contact["phone"]),
            )
        contacts += made
    if contacts:
        session.execute(insert(Contact), contacts)
    return len(rows), found


def _first_contacts(session: Session, company_ids: list[int]) -> dict[int, int]:
    """Each company's first contact person (its primary one where it has one)."""
    first: dict[int, int] = {}
    for contact_id, company_id in session.execute(
        select_columns(Contact.id, Contact.company_id)
        .where(col(Contact.company_id).in_(company_ids))
        .order_by(col(Contact.is_primary).desc(), col(Contact.id))
    ):
        first.setdefault(company_id, contact_id)
    return first


def _employers(
    session: Session, industry: str, first_company_id: int
) -> list[tuple[int, str | None]]:
    """Two employers of the industry from this seed's companies (any two if it has none),
    with their municipalities."""
    employers = select_columns(Company.id, Company.municipality).where(
        Company.id >= first_company_id,
        col(Company.kind) == CompanyKind.employer,
        col(Company.archived_at).is_(None),
    )
    for query in (employers.where(Company.industry == industry), employers):
        found = session.execute(query.order_by(col(Company.id)).limit(2)).all()
        if found:
            return [(company_id, municipality) for company_id, municipality in found]
    return []


def _status(dates: dict[str, dt.date], today: dt.date) -> TrackStatus:
    for status, starts in (
        (TrackStatus.closing, "closing_starts_on"),
        (TrackStatus.execution, "execution_starts_on"),
        (TrackStatus.recruitment, "recruitment_starts_on"),
    ):
        if dates[starts] <= today:
            return status
    return TrackStatus.planning


def _dates(demo: DemoTrack, today: dt.date) -> dict[str, dt.date]:
    planning = today + dt.timedelta(days=demo.planning)
    recruitment = planning + dt.timedelta(days=PLANNING_DAYS)
    execution = recruitment + dt.timedelta(days=RECRUITMENT_DAYS)
    closing = execution + dt.timedelta(days=demo.execution_days)
    return {
        "planning_starts_on": planning,
        "recruitment_starts_on": recruitment,
        "execution_starts_on": execution,
        "closing_starts_on": closing,
        "ends_on": closing + dt.timedelta(days=CLOSING_DAYS),
    }


def _tick_passed(session: Session, track_id: int, today: dt.date) -> None:
    """The track's checklist items due before today, done at noon on their day."""
    tasks = table_of(JobTrackTask)
    day = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    session.execute(
        update(tasks)
        .where(tasks.c.track_id == track_id, tasks.c.due_on < today)
        .values(done_at=func.coalesce(tasks.c.done_at, day))
    )


def tracks(
    session: Session,
    rng: random.Random,
    generator: Generator,
    *,
    clock: Clock,
    first_company_id: int,
) -> Seeded:
    """The partners, and the demo tracks where the database has no track yet."""
    seeded = Seeded()
    seeded.partners, partner_ids = _partners(session, generator)
    if session.execute(select(func.count()).select_from(JobTrack)).scalar_one():
        return seeded
    partner_contacts = _first_contacts(session, list(partner_ids.values()))
    checklist = template(session=session, checklist=ChecklistFor.track)
    now, today = generator.now, generator.today
    for demo in TRACKS:
        dates = _dates(demo, today)
        found = _employers(session, demo.industry, first_company_id)
        employers = [company_id for company_id, _ in found]
        team = rng.sample(generator.broker_ids, min(3, len(generator.broker_ids)))
        coordinator, members = team[0], team[1:]
        finished = dates["ends_on"] < today
        [track_id] = insert_returning_ids(
            session,
            JobTrack,
            [
                {
                    "name": demo.name,
                    "occupation": demo.occupation,
                    "municipality": found[0][1] if found else None,
                    "description": demo.description,
                    "coordinator_id": coordinator,
                    "places": demo.places,
                    "status": _status(dates, today),
                    **dates,
                    "round_number": 1,
                    "previous_round_id": None,
                    "first_round_id": None,
                    **{name: demo.counts.get(name) if finished else None for name in COUNTS},
                    "created_by_id": coordinator,
                    "created_at": now - dt.timedelta(days=max(-demo.planning, 0)),
                    "updated_at": now,
                    "version": 1,
                }
            ],
        )
        employer_contacts = _first_contacts(session, employers)
        providers = {**partner_ids, "employer": employers[0] if employers else None}
        execution = dates["execution_starts_on"]
        phase_starts = {
            Phase.planning: dates["planning_starts_on"],
            Phase.recruitment: dates["recruitment_starts_on"],
            Phase.execution: execution,
            Phase.closing: dates["closing_starts_on"],
        }
        involved = [p for p in ("af", *(i.provider for i in demo.insatser)) if p in partner_ids]
        parts: list[tuple[Any, list[dict[str, Any]]]] = [
            (JobTrackMember, [{"track_id": track_id, "user_id": u} for u in members]),
            (
                JobTrackCompany,
                [{"track_id": track_id, "company_id": c, "created_at": now} for c in employers],
            ),
            (
                JobTrackContact,
                [
                    {"track_id": track_id, "contact_id": contact_id}
                    for contact_id in dict.fromkeys(
                        [
                            *employer_contacts.values(),
                            *(
                                partner_contacts[partner_ids[p]]
                                for p in involved
                                if partner_ids[p] in partner_contacts
                            ),
                        ]
                    )
                ],
            ),
            (
                CompetenceProfile,
                [{"track_id": track_id, **demo.profile, "updated_at": now, "version": 1}],
            ),
            (
                Intervention,
                [
                    {
                        "track_id": track_id,
                        "kind": insats.kind,
                        "title": insats.title,
                        "provider_id": providers.get(insats.provider),
                        "starts_on": execution + dt.timedelta(days=insats.starts),
                        "ends_on": execution + dt.timedelta(days=insats.starts + insats.days - 1),
                        "places": demo.places,
                        "notes": insats.notes,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                    for insats in demo.insatser
                ],
            ),
            (
                JobTrackTask,
                [
                    {
                        "track_id": track_id,
                        "phase": item.phase,
                        "title": item.title,
                        "due_on": phase_starts[item.phase]
                        + dt.timedelta(days=item.days_from_start),
                        "assignee_id": coordinator if position % 3 else rng.choice(team),
                        "done_at": None,
                        "position": item.position,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                    for position, item in enumerate(checklist)
                ],
            ),
            (
                JobTrackEmployment,
                [
                    {"track_id": track_id, "employment_type": kind, "count": count}
                    for kind, count in (demo.employment.items() if finished else ())
                ],
            ),
        ]
        for model, rows in parts:
            if rows:
                session.execute(insert(model), rows)
        if demo.second_round is not None:
            _second_round(session, track_id, demo.second_round, clock=clock, today=today)
            seeded.tracks += 1
        _tick_passed(session, track_id, today)
        seeded.tracks += 1
    return seeded


def _second_round(
    session: Session, track_id: int, days_ago: int, *, clock: Clock, today: dt.date
) -> None:
    """The track's next round, made by its coordinator through "Ny omgång", planning from
    `days_ago` days before today; put in the phase its dates say, its passed items done."""
    track = session.get_one(JobTrack, track_id)
    user = session.get_one(User, track.coordinator_id)
    start = today - dt.timedelta(days=days_ago)
    form = rounds.NewRoundForm(planning_starts_on=start.isoformat())
    copy = rounds.new_round(track, form, user=user, session=session, clock=clock)
    dates = {
        name: getattr(copy, name)
        for name in ("recruitment_starts_on", "execution_starts_on", "closing_starts_on")
    }
    # A plain UPDATE: the demo's state, not a change a user made (no new version).
    tracks_table = table_of(JobTrack)
    session.execute(
        update(tracks_table)
        .where(tracks_table.c.id == copy.id)
        .values(status=_status(dates, today))
    )
    _tick_passed(session, copy.id, today)
    session.expire_all()
