"""`seed()`: fills an empty database with demo data in one transaction, brokers and tags
first, then companies in batches with their contacts, activities and assignments, then
recruitment events, then the samverkansparter and lokala jobbspår."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import Session, col

from app.activities.models import Activity
from app.activities.service import derived_from_activities
from app.agreements.models import Agreement, AgreementSignatory
from app.assignments.models import Assignment
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.clock import Clock, today
from app.companies.models import Company, CompanyTag, Tag
from app.contacts.models import Contact
from app.query import select_columns, table_of
from app.seed.data import TAGS
from app.seed.events import events
from app.seed.generator import Generator
from app.seed.inserts import batches, insert_returning_ids
from app.seed.tracks import tracks
from app.text import fold

BROKER_COUNT = 6


class SeedRefused(Exception):
    """The database already has companies and --force was not given."""


@dataclass
class SeedReport:
    companies: int = 0
    contacts: int = 0
    activities: int = 0
    assignments: int = 0
    events: int = 0
    tags: int = 0
    # Samverkansparter (companies of kind partner, besides the `companies` employers) and
    # job tracks, rounds counted one by one.
    partners: int = 0
    tracks: int = 0
    created_users: list[str] = field(default_factory=list)
    has_admin: bool = True


def _brokers(
    session: Session, rng: random.Random, fake: Faker, now: dt.datetime, report: SeedReport
) -> list[int]:
    """The active brokers' ids; a handful of new ones (random, unknown passwords) if none."""
    ids = list(
        session.execute(
            select_columns(User.id).where(
                col(User.role) == Role.broker, col(User.is_active).is_(True)
            )
        ).scalars()
    )
    report.has_admin = (
        session.execute(
            select(func.count()).select_from(User).where(col(User.role) == Role.admin)
        ).scalar_one()
        > 0
    )
    if ids:
        return ids
    taken = set(session.execute(select_columns(User.username)).scalars())
    rows: list[dict[str, Any]] = []
    while len(rows) < BROKER_COUNT:
        first, last = fake.first_name(), fake.last_name()
        username = re.sub(r"[^a-z.]", "", fold(f"{first}.{last}"))
        if username in taken:
            continue
        taken.add(username)
        rows.append(
            {
                "username": username,
                "full_name": f"{first} {last}",
                "email": f"{username}@kommunen.example.se",
                "role": Role.broker,
                # Nobody knows this password: an admin resets it before the broker signs in.
                "password_hash": hash_password(secrets.token_urlsafe(32)),
                "is_active": True,
                "locale": "sv",
                "created_at": now,
                "password_changed_at": now,
            }
        )
        report.created_users.append(username)
    session.execute(insert(User), rows)
    return list(
        session.execute(
            select_columns(User.id).where(col(User.username).in_(report.created_users))
        ).scalars()
    )


def _tags(session: Session) -> list[int]:
    existing = set(session.execute(select_columns(Tag.name_key)).scalars())
    new = [{"name": name, "name_key": fold(name)} for name in TAGS if fold(name) not in existing]
    if new:
        session.execute(insert(Tag), new)
    return list(session.execute(select_columns(col(Tag.id)).order_by(col(Tag.id))).scalars())


def refresh_contact_dates(session: Session, *, from_id: int = 0) -> None:
    """What every company from `from_id` on derives from its activities, in one UPDATE:
    the activity service's subqueries, correlated."""
    companies = table_of(Company)
    session.execute(
        update(companies)
        .where(companies.c.id >= from_id)
        .values(**derived_from_activities(companies.c.id))
    )


def seed(
    engine: Engine,
    *,
    companies: int,
    clock: Clock,
    seed: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda _message: None,
) -> SeedReport:
    """Fills the database with `companies` companies, ~3 contacts, ~10 activities and ~0.4
    recruitment assignments each; besides them a handful of samverkansparter, and job
    tracks where there are none yet.

    Refuses (SeedRefused) when there already are companies, unless `force`. One
    transaction: it all goes in, or nothing does.
    """
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    now = clock.now().replace(microsecond=0)
    report = SeedReport()
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            # The whole seed is one transaction: with SQLite's default 2 MB page cache it
            # spills and rewrites the same pages to the WAL over and over.
            session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        existing = session.execute(select(func.count()).select_from(Company)).scalar_one()
        if existing and not force:
            raise SeedRefused(existing)
        generator = Generator(
            rng=rng,
            fake=fake,
            now=now,
            today=today(clock),
            broker_ids=_brokers(session, rng, fake, now, report),
            taken_org_numbers=set(
                session.execute(
                    select_columns(Company.org_number).where(col(Company.org_number).is_not(None))
                ).scalars()
            ),
        )
        tag_ids = _tags(session)
        report.tags = len(tag_ids)
        first_id: int | None = None
        for batch in batches(generator.company() for _ in range(companies)):
            company_ids = insert_returning_ids(session, Company, batch)
            first_id = company_ids[0] if first_id is None else first_id
            links = [
                {"company_id": company_id, "tag_id": tag_id}
                for company_id in company_ids
                for tag_id in rng.sample(tag_ids, rng.choice([0, 0, 1, 1, 2, 3]))
            ]
            if links:
                session.execute(insert(CompanyTag), links)
            contact_rows = [
                generator.contacts(company_id, row)
                for company_id, row in zip(company_ids, batch, strict=True)
            ]
            flat = [row for rows in contact_rows for row in rows]
            contact_ids = iter(
                [
                    contact_id
                    for part in batches(iter(flat))
                    for contact_id in insert_returning_ids(session, Contact, part)
                ]
            )
            contact_ids_by_company = [[next(contact_ids) for _ in rows] for rows in contact_rows]
            activity_rows = [
                row
                for company_id, company, contacts in zip(
                    company_ids, batch, contact_ids_by_company, strict=True
                )
                for row in generator.activities(company_id, company, contacts)
            ]
            for part in batches(iter(activity_rows)):
                session.execute(insert(Activity), part)
            assignment_rows = [
                row
                for company_id, company, contacts in zip(
                    company_ids, batch, contact_ids_by_company, strict=True
                )
                for row in generator.assignments(company_id, company, contacts)
            ]
            for part in batches(iter(assignment_rows)):
                session.execute(insert(Assignment), part)
            agreement_rows = [
                found
                for company_id, company, contacts in zip(
                    company_ids, batch, contact_ids_by_company, strict=True
                )
                for found in generator.agreements(company_id, company, contacts)
            ]
            for agreements in batches(iter(agreement_rows)):
                ids = insert_returning_ids(session, Agreement, [row for row, _ in agreements])
                signatories = [
                    {"agreement_id": agreement_id, "contact_id": contact_id}
                    for agreement_id, (_, people) in zip(ids, agreements, strict=True)
                    for contact_id in people
                ]
                if signatories:
                    session.execute(insert(AgreementSignatory), signatories)
            report.companies += len(batch)
            report.contacts += len(flat)
            report.activities += len(activity_rows)
            report.assignments += len(assignment_rows)
            progress(f"{report.companies} av {companies} företag")
        if first_id is not None:
            refresh_contact_dates(session, from_id=first_id)
            progress("rekryteringsträffar")
            report.events = events(
                session, rng, generator, first_company_id=first_id, count=max(1, companies // 25)
            )
            progress("jobbspår")
            made = tracks(session, rng, generator, clock=clock, first_company_id=first_id)
            report.partners, report.tracks = made.partners, made.tracks
        session.commit()
    return report
