"""The companies taking part in an event, the assignments presented there, and the outcome.

- A company is invited from the register; inviting it logs a note on the company (in the
  same transaction) and picks its primary contact as the one who comes, until changed.
- Presented assignments are the participating companies' open assignments.
- The outcome: the four counts, each company's participation, and the hires per linked
  assignment. The hires entered for an assignment are the event's share of its filled
  count: saving the outcome adds the difference since the last save to filled_count
  (through the assignment service, with its rules and history), so saving the same
  outcome twice counts nothing twice, and lowering a number gives the places back.

The companies are here; the presented assignments are in presented.py, the outcome in
outcome.py, a participation's history and change in participation.py; their names
callers use are importable from here too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, SQLModel, col, select

from app.activities import service as activities
from app.activities.models import ActivityKind
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import Clock, to_local
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import by_name, get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.events import service as events
from app.events.models import EventAssignment, EventCompany, Participation, RecruitmentEvent
from app.events.outcome import OutcomeForm as OutcomeForm
from app.events.outcome import closes_on_outcome as closes_on_outcome
from app.events.outcome import may_record_outcome as may_record_outcome
from app.events.outcome import save_outcome as save_outcome
from app.events.participation import EditConflict as EditConflict
from app.events.participation import change, check_open, record
from app.events.presented import assignment_choices as assignment_choices
from app.events.presented import get_link as get_link
from app.events.presented import link_assignment as link_assignment
from app.events.presented import presented as presented
from app.events.presented import unlink_assignment as unlink_assignment
from app.history import service as history

# --- companies --------------------------------------------------------------------------


@dataclass
class Participant:
    link: EventCompany
    company: Company
    contact: Contact | None
    contacts: list[Contact] = field(default_factory=list)


def participants(
    event_id: int, *, session: Session, with_contacts: bool = True
) -> list[Participant]:
    """The event's companies in Swedish order with the contact who comes, and (for the
    contact choice) each company's contacts: two queries however many companies."""
    dialect = session.get_bind().dialect.name
    rows = session.exec(
        select(EventCompany, Company, Contact)
        .join(Company, col(Company.id) == EventCompany.company_id)
        .outerjoin(Contact, col(Contact.id) == EventCompany.contact_id)
        .where(EventCompany.event_id == event_id)
        .order_by(
            by_name(col(Company.name), col(Company.sort_key), dialect=dialect), col(Company.id)
        )
    ).all()
    found = [Participant(link=link, company=c, contact=contact) for link, c, contact in rows]
    if with_contacts and found:
        by_company: dict[int, list[Contact]] = defaultdict(list)
        for contact in session.exec(
            select(Contact)
            .where(col(Contact.company_id).in_([p.company.id for p in found]))
            # The key column, not the collation: on SQLite the Python collation cost the
            # event page ~10 ms for 150 contacts (docs/benchmarks.md).
            .order_by(
                col(Contact.is_primary).desc(),
                by_name(Contact.name, Contact.sort_key, dialect=dialect),
                col(Contact.id),
            )
        ).all():
            by_company[contact.company_id].append(contact)
        for participant in found:
            participant.contacts = by_company.get(participant.company.id, [])
    return found


def bcc_addresses(rows: list[Participant]) -> str:
    """The chosen contacts' e-mail addresses of the companies that have not declined,
    joined for a BCC field ("Kopiera e-postadresser")."""
    seen: dict[str, None] = {}
    for row in rows:
        if row.link.status != Participation.declined and row.contact and row.contact.email:
            seen.setdefault(row.contact.email.strip(), None)
    return "; ".join(seen)


def get_participant(event_id: int, company_id: int, *, session: Session) -> EventCompany:
    link = session.exec(
        select(EventCompany).where(
            EventCompany.event_id == event_id, EventCompany.company_id == company_id
        )
    ).first()
    if link is None:
        raise NotFound("Företaget är inte med på träffen.")
    return link


def invitation_note(event: RecruitmentEvent) -> str:
    """The note logged on an invited company (stored text, in Swedish like the notes)."""
    when = to_local(event.starts_at).strftime("%Y-%m-%d %H:%M")
    return f"Inbjuden till rekryteringsträff: {event.title} {when}"


def invite(
    event: RecruitmentEvent, company_id: str, *, user: User, session: Session, clock: Clock
) -> EventCompany:
    """Adds a company as invited, with its primary contact, and logs the invitation on
    the company as a note by the inviting user."""
    check_open(event)
    company = get_typed(session, Company, company_id)
    if company is None:
        raise ValidationFailed("Välj ett företag i registret.", field="company_id")
    if company.archived_at is not None:
        raise Conflict(
            "%(company)s är arkiverat. Återställ det innan du bjuder in det.",
            variables={"company": company.name},
        )
    taken = session.exec(
        select(EventCompany.id).where(
            EventCompany.event_id == event.id, EventCompany.company_id == company.id
        )
    ).first()
    if taken is not None:
        raise Conflict("%(company)s är redan med på träffen.", variables={"company": company.name})
    primary = session.exec(
        select(Contact)
        .where(Contact.company_id == company.id)
        .order_by(col(Contact.is_primary).desc(), col(Contact.id))
        .limit(1)
    ).first()
    now = clock.now()
    link = EventCompany(
        event_id=event.id,
        company_id=company.id,
        contact_id=primary.id if primary and primary.is_primary else None,
        created_at=now,
        updated_at=now,
    )
    session.add(link)
    session.flush()
    record(
        link,
        "create",
        {
            "event": event.title,
            "participant": [None, company.name],
            "participation": [None, link.status.value],
        },
        user=user,
        session=session,
        clock=clock,
    )
    activities.create(
        company,
        activities.ActivityForm(
            kind=ActivityKind.note.value,
            contact_id=str(link.contact_id or ""),
            notes=invitation_note(event),
        ),
        user=user,
        session=session,
        clock=clock,
    )
    return link


class ParticipantForm(SQLModel):
    status: str = ""
    contact_id: str = ""
    version: int | None = None


def update_participant(
    link: EventCompany, form: ParticipantForm, *, user: User, session: Session, clock: Clock
) -> EventCompany:
    """Changes a company's status and the contact who comes."""
    history.check_version(
        link, "event_company", form.version, conflict=EditConflict, session=session
    )
    try:
        status = Participation(form.status)
    except ValueError:
        raise ValidationFailed("Välj företagets status.", field="status") from None
    contact_id = None
    if form.contact_id:
        contact = get_typed(session, Contact, form.contact_id)
        if contact is None or contact.company_id != link.company_id:
            raise ValidationFailed("Välj en kontaktperson på företaget.", field="contact_id")
        contact_id = contact.id
    return change(
        link, status, contact_id, version=form.version, user=user, session=session, clock=clock
    )


def remove_participant(
    event: RecruitmentEvent,
    link: EventCompany,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    """Takes a company off the event, with its presented assignments; refused while one
    of them has hires from the event (they are in the assignment's filled count)."""
    links = _company_links(event.id, link.company_id, session=session)
    company = session.get(Company, link.company_id)
    if any(a.hires for a, _ in links):
        raise Conflict(
            "Företagets uppdrag har anställningar från träffen. Sätt dem till 0 i utfallet "
            "innan du tar bort företaget."
        )
    for assignment_link, _ in links:
        session.delete(assignment_link)
    events.record(
        event,
        "update",
        {"participant": [company.name if company else None, None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
        company_id=link.company_id,
    )
    session.delete(link)
    session.flush()


def _company_links(
    event_id: int, company_id: int, *, session: Session
) -> list[tuple[EventAssignment, Assignment]]:
    return list(
        session.exec(
            select(EventAssignment, Assignment)
            .join(Assignment, col(Assignment.id) == EventAssignment.assignment_id)
            .where(EventAssignment.event_id == event_id, Assignment.company_id == company_id)
        ).all()
    )
