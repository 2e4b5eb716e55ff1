"""Demo recruitment events with their companies, assignments presented, checklists and
outcomes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col

from app.assignments.models import Assignment
from app.clock import STOCKHOLM
from app.companies.models import Company
from app.contacts.models import Contact
from app.events.models import (
    ChecklistFor,
    ChecklistTemplateItem,
    EventAssignment,
    EventCompany,
    EventMember,
    EventStatus,
    EventTask,
    Participation,
    RecruitmentEvent,
)
from app.query import select_columns
from app.seed.data import EVENT_PLACES, EVENT_THEMES
from app.seed.generator import Generator
from app.seed.inserts import batches, insert_returning_ids


def events(
    session: Session,
    rng: random.Random,
    generator: Generator,
    *,
    first_company_id: int,
    count: int,
) -> int:
    """About one recruitment event per 25 companies, over the last two years and the next
    half year: participating companies with a contact each, some of their assignments
    presented, the default checklist (done where its date has passed), and the outcome of
    those held. Numbers only: no job seeker is named."""
    if count <= 0:
        return 0
    companies = session.execute(
        select_columns(Company.id, Company.city).where(Company.id >= first_company_id)
    ).all()
    contacts: dict[int, list[int]] = {}
    for contact_id, company_id in session.execute(
        select_columns(Contact.id, Contact.company_id).where(Contact.company_id >= first_company_id)
    ):
        contacts.setdefault(company_id, []).append(contact_id)
    assignments: dict[int, list[int]] = {}
    for assignment_id, company_id in session.execute(
        select_columns(Assignment.id, Assignment.company_id).where(
            Assignment.company_id >= first_company_id
        )
    ):
        assignments.setdefault(company_id, []).append(assignment_id)
    template = session.execute(
        select_columns(
            ChecklistTemplateItem.phase,
            ChecklistTemplateItem.title,
            ChecklistTemplateItem.days_from_start,
        )
        .where(ChecklistTemplateItem.checklist == ChecklistFor.event)
        .order_by(col(ChecklistTemplateItem.position))
    ).all()
    now, day = generator.now, generator.today
    event_rows: list[dict[str, Any]] = []
    for _ in range(count):
        start_day = day + dt.timedelta(days=rng.randrange(-730, 180))
        starts = dt.datetime.combine(start_day, dt.time(rng.choice([9, 10, 13])), tzinfo=STOCKHOLM)
        city = rng.choice(companies)[1] or "Kommunen"
        digital = rng.random() < 0.15
        if start_day < day:
            status = EventStatus.cancelled if rng.random() < 0.08 else EventStatus.closed
        elif start_day == day:
            status = EventStatus.running
        else:
            status = (
                EventStatus.recruiting
                if start_day - day < dt.timedelta(days=30)
                else EventStatus.planning
            )
        held = status == EventStatus.closed
        invited = rng.randrange(20, 120)
        attended = rng.randrange(invited // 3, invited) if held else None
        interviews = rng.randrange(0, attended // 2 + 1) if attended else None
        event_rows.append(
            {
                "title": f"{rng.choice(EVENT_THEMES)} {city}",
                "starts_at": starts.astimezone(dt.UTC),
                "ends_at": (starts + dt.timedelta(hours=rng.choice([2, 3, 4]))).astimezone(dt.UTC),
                "place": None if digital else f"{rng.choice(EVENT_PLACES)}, {city}",
                "online_url": f"https://mote.kommunen.example.se/traff-{rng.randrange(10**6)}"
                if digital
                else None,
                "description": "Arbetsgivare presenterar lediga jobb och träffar deltagarna.",
                "target_group": rng.choice(["Unga 18–24", "Nyanlända", "Alla inskrivna", None]),
                "capacity": rng.choice([40, 60, 100, 150, None]),
                "owner_id": rng.choice(generator.broker_ids),
                "status": status,
                "jobseekers_invited": invited if held else None,
                "jobseekers_attended": attended,
                "interviews": interviews,
                "hires": rng.randrange(0, interviews + 1) if interviews is not None else None,
                "created_by_id": None,
                "created_at": min(starts.astimezone(dt.UTC) - dt.timedelta(days=60), now),
                "updated_at": now,
                "version": 1,
            }
        )
    event_ids = [
        event_id
        for part in batches(iter(event_rows))
        for event_id in insert_returning_ids(session, RecruitmentEvent, part)
    ]
    members: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    presented: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for event_id, event in zip(event_ids, event_rows, strict=True):
        owner = event["owner_id"]
        members_wanted = rng.choice([0, 1, 2])  # drawn first: the same seed, the same data
        team = {
            owner,
            *rng.sample(generator.broker_ids, min(members_wanted, len(generator.broker_ids))),
        }
        members += [{"event_id": event_id, "user_id": user_id} for user_id in team]
        past = event["starts_at"].date() < day
        for company_id, _city in rng.sample(companies, min(len(companies), rng.randrange(4, 16))):
            if past:
                came = Participation.attended if rng.random() < 0.75 else Participation.declined
            else:
                came = rng.choice(list(Participation)[:3])
            company_contacts = contacts.get(company_id)
            participants.append(
                {
                    "event_id": event_id,
                    "company_id": company_id,
                    "status": came,
                    "contact_id": rng.choice(company_contacts) if company_contacts else None,
                    "created_at": event["created_at"],
                    "updated_at": now,
                    "version": 1,
                }
            )
            for assignment_id in assignments.get(company_id, [])[: rng.choice([0, 1, 1, 2])]:
                presented.append({"event_id": event_id, "assignment_id": assignment_id, "hires": 0})
        start_day = event["starts_at"].date()
        for position, (phase, title, offset) in enumerate(template):
            due = start_day + dt.timedelta(days=offset)
            done = due < day and rng.random() < 0.9
            tasks.append(
                {
                    "event_id": event_id,
                    "phase": phase,
                    "title": title,
                    "due_on": due,
                    "assignee_id": rng.choice(sorted(team)),
                    "done_at": dt.datetime.combine(due, dt.time(12), tzinfo=dt.UTC)
                    if done
                    else None,
                    "position": position,
                    "created_at": event["created_at"],
                    "updated_at": now,
                    "version": 1,
                }
            )
    for model, rows in (
        (EventMember, members),
        (EventCompany, participants),
        (EventAssignment, presented),
        (EventTask, tasks),
    ):
        for part in batches(iter(rows)):
            session.execute(insert(model), part)
    return len(event_ids)
