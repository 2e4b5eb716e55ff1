"""Who works on a track besides its coordinator and co-workers: the employers taking part
(companies of the kind employer), each with its contact persons, and the contact persons
at samverkansparter (Arbetsförmedlingen, education providers: companies of the kind
partner). Every change is recorded in the track's history and the company's.

- An employer is added from the register: not archived, not a samverkanspart, once.
- A contact person is one of an employer's on the track, or one of a samverkanspart's.
- Removing an employer removes its contact persons from the track with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, delete, select

from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company, CompanyKind, is_partner
from app.contacts.models import Contact
from app.db import by_name, get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.tracks.audit import record
from app.tracks.models import JobTrack, JobTrackCompany, JobTrackContact


@dataclass
class Employer:
    """An employer on the track with its contact persons on the track."""

    link: JobTrackCompany
    company: Company
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class Partner:
    """A samverkanspart with its contact persons working on the track."""

    company: Company
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class People:
    employers: list[Employer]
    partners: list[Partner]


def _order(session: Session) -> tuple[Any, ...]:
    dialect = session.get_bind().dialect.name
    return (by_name(col(Company.name), col(Company.sort_key), dialect=dialect), col(Company.id))


def people(track_id: int, *, session: Session) -> People:
    """The track's employers and partners, each with its contact persons on the track, in
    Swedish order: two queries however many."""
    employers = [
        Employer(link=link, company=company)
        for link, company in session.exec(
            select(JobTrackCompany, Company)
            .join(Company, col(Company.id) == JobTrackCompany.company_id)
            .where(JobTrackCompany.track_id == track_id)
            .order_by(*_order(session))
        ).all()
    ]
    dialect = session.get_bind().dialect.name
    by_company: dict[int, list[Contact]] = defaultdict(list)
    companies: dict[int, Company] = {}
    for contact, company in session.exec(
        select(Contact, Company)
        .join(JobTrackContact, col(JobTrackContact.contact_id) == Contact.id)
        .join(Company, col(Company.id) == Contact.company_id)
        .where(JobTrackContact.track_id == track_id)
        .order_by(*_order(session), by_name(Contact.name, Contact.sort_key, dialect=dialect))
    ).all():
        by_company[company.id].append(contact)
        companies.setdefault(company.id, company)
    for employer in employers:
        employer.contacts = by_company.pop(employer.company.id, [])
    # The rest: contacts at partners (and at a company that became a partner meanwhile).
    partners = [Partner(companies[company_id], found) for company_id, found in by_company.items()]
    return People(employers=employers, partners=partners)


def contact_choices(track_id: int, *, session: Session) -> list[tuple[Company, list[Contact]]]:
    """Who can be added as a contact person: the contacts of the track's employers and of
    every samverkanspart not archived, by company, those already on the track left out.
    One query (samverkansparter are few)."""
    dialect = session.get_bind().dialect.name
    on_track = select(JobTrackContact.contact_id).where(JobTrackContact.track_id == track_id)
    employers = select(JobTrackCompany.company_id).where(JobTrackCompany.track_id == track_id)
    # The partners from their own index; the contacts of the few companies from theirs
    # (an OR over the join read every contact in the register).
    partners = select(Company.id).where(is_partner(), col(Company.archived_at).is_(None))
    grouped: dict[int, tuple[Company, list[Contact]]] = {}
    for contact, company in session.exec(
        select(Contact, Company)
        .join(Company, col(Company.id) == Contact.company_id)
        .where(
            col(Contact.company_id).in_(employers.union(partners)),
            col(Contact.id).not_in(on_track),
        )
        .order_by(
            col(Company.kind),
            *_order(session),
            by_name(Contact.name, Contact.sort_key, dialect=dialect),
        )
    ).all():
        grouped.setdefault(company.id, (company, []))[1].append(contact)
    return list(grouped.values())


def company_ids(track_id: int, *, session: Session) -> set[int]:
    return set(
        session.exec(
            select(JobTrackCompany.company_id).where(JobTrackCompany.track_id == track_id)
        ).all()
    )


def partner_ids(company_ids: list[int], *, session: Session) -> set[int]:
    """Which of these companies are samverkansparter (not to be added as employers)."""
    if not company_ids:
        return set()
    return set(
        session.exec(
            select(Company.id).where(
                col(Company.kind) == CompanyKind.partner, col(Company.id).in_(company_ids)
            )
        ).all()
    )


def add_employer(
    track: JobTrack, company_id: str, *, user: User, session: Session, clock: Clock
) -> JobTrackCompany:
    company = get_typed(session, Company, company_id)
    if company is None:
        raise ValidationFailed("Välj ett företag i registret.", field="company_id")
    if company.kind == CompanyKind.partner:
        raise ValidationFailed(
            "%(company)s är en samverkanspart, inte en arbetsgivare. Lägg till dess "
            "kontaktpersoner som medarbetare i stället.",
            field="company_id",
            variables={"company": company.name},
        )
    if company.archived_at is not None:
        raise Conflict(
            "%(company)s är arkiverat. Återställ det innan du lägger till det.",
            variables={"company": company.name},
        )
    if company.id in company_ids(track.id, session=session):
        raise Conflict(
            "%(company)s är redan med i jobbspåret.", variables={"company": company.name}
        )
    link = JobTrackCompany(track_id=track.id, company_id=company.id, created_at=clock.now())
    session.add(link)
    session.flush()
    record(
        track,
        "update",
        {"employer": [None, company.name]},
        user=user,
        session=session,
        clock=clock,
        version=None,
        company_id=company.id,
    )
    return link


def get_employer(track_id: int, company_id: int, *, session: Session) -> JobTrackCompany:
    link = session.exec(
        select(JobTrackCompany).where(
            JobTrackCompany.track_id == track_id, JobTrackCompany.company_id == company_id
        )
    ).first()
    if link is None:
        raise NotFound("Företaget är inte med i jobbspåret.")
    return link


def remove_employer(
    track: JobTrack, link: JobTrackCompany, *, user: User, session: Session, clock: Clock
) -> None:
    """The employer off the track, with its contact persons on it."""
    company = session.get(Company, link.company_id)
    contacts = select(Contact.id).where(Contact.company_id == link.company_id)
    session.exec(
        delete(JobTrackContact).where(
            col(JobTrackContact.track_id) == track.id, col(JobTrackContact.contact_id).in_(contacts)
        )
    )
    session.delete(link)
    session.flush()
    record(
        track,
        "update",
        {"employer": [company.name if company else None, None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
        company_id=link.company_id,
    )


def _contact_name(contact: Contact, company: Company) -> str:
    return f"{contact.name} ({company.name})"


def add_contact(
    track: JobTrack, contact_id: str, *, user: User, session: Session, clock: Clock
) -> Contact:
    contact = get_typed(session, Contact, contact_id)
    company = session.get(Company, contact.company_id) if contact else None
    if contact is None or company is None:
        raise ValidationFailed("Välj en kontaktperson.", field="contact_id")
    allowed = company.kind == CompanyKind.partner or company.id in company_ids(
        track.id, session=session
    )
    if not allowed:
        raise ValidationFailed(
            "Välj en kontaktperson hos jobbspårets arbetsgivare eller hos en samverkanspart.",
            field="contact_id",
        )
    taken = session.get(JobTrackContact, (track.id, contact.id))
    if taken is not None:
        raise Conflict("%(name)s är redan med i jobbspåret.", variables={"name": contact.name})
    session.add(JobTrackContact(track_id=track.id, contact_id=contact.id))
    session.flush()
    record(
        track,
        "update",
        {"track_contact": [None, _contact_name(contact, company)]},
        user=user,
        session=session,
        clock=clock,
        version=None,
        company_id=company.id,
    )
    return contact


def get_contact(track_id: int, contact_id: int, *, session: Session) -> JobTrackContact:
    link = session.get(JobTrackContact, (track_id, contact_id))
    if link is None:
        raise NotFound("Kontaktpersonen är inte med i jobbspåret.")
    return link


def remove_contact(
    track: JobTrack, link: JobTrackContact, *, user: User, session: Session, clock: Clock
) -> None:
    contact = session.get(Contact, link.contact_id)
    company = session.get(Company, contact.company_id) if contact else None
    session.delete(link)
    session.flush()
    record(
        track,
        "update",
        {"track_contact": [_contact_name(contact, company) if contact and company else None, None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
        company_id=company.id if company else None,
    )
