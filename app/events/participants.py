"""The companies taking part in an event, the assignments presented there, and the outcome.

- A company is invited from the register; inviting it logs a note on the company (in the
  same transaction) and picks its primary contact as the one who comes, until changed.
- Presented assignments are the participating companies' open assignments.
- The outcome: the four counts, each company's participation, and the hires per linked
  assignment. The hires entered for an assignment are the event's share of its filled
  count: saving the outcome adds the difference since the last save to filled_count
  (through the assignment service, with its rules and history), so saving the same
  outcome twice counts nothing twice, and lowering a number gives the places back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.activities import service as activities
from app.activities.models import ActivityKind
from app.assignments import service as assignments
from app.assignments.models import OPEN_STATUSES, Assignment
from app.auth.models import User
from app.clock import Clock, to_local
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import by_name, get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.events import service as events
from app.events.models import (
    EventAssignment,
    EventCompany,
    EventStatus,
    Participation,
    RecruitmentEvent,
)
from app.history import service as history
from app.i18n import N_

# Closed or cancelled events take no new companies or assignments.
_SETTLED = (EventStatus.closed, EventStatus.cancelled)


class EditConflict(history.EditConflict):
    """Someone changed the company's participation after this user saw it."""

    MESSAGE = N_(
        "Någon annan har ändrat företagets deltagande under tiden. Se ändringarna nedan "
        "och välj igen."
    )


def _check_open(event: RecruitmentEvent) -> None:
    if event.status == EventStatus.cancelled:
        raise Conflict("Träffen är inställd. Ta tillbaka den innan du ändrar deltagarna.")
    if event.status == EventStatus.closed:
        raise Conflict("Träffen är avslutad. Ändra deltagandet i utfallet i stället.")


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
        .join(Company, Company.id == EventCompany.company_id)  # type: ignore[arg-type]
        .outerjoin(Contact, Contact.id == EventCompany.contact_id)  # type: ignore[arg-type]
        .where(EventCompany.event_id == event_id)
        .order_by(by_name(Company.name, Company.sort_key, dialect=dialect), Company.id)
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
                Contact.id,
            )
        ).all():
            by_company[contact.company_id].append(contact)
        for participant in found:
            participant.contacts = by_company.get(participant.company.id, [])  # type: ignore[arg-type]
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


def _snapshot(link: EventCompany, *, session: Session) -> dict[str, Any]:
    # Not the contact's name: history must not keep a name "Radera person" cannot reach.
    return {"participation": link.status.value}


def _record(
    link: EventCompany,
    action: str,
    changes: dict[str, Any],
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    """On the participation, and on the company: its page's history shows it."""
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="event_company",
        entity_id=link.id,  # type: ignore[arg-type]
        action=action,
        changes=changes,
        company_id=link.company_id,
        version=link.version,
    )


def invitation_note(event: RecruitmentEvent) -> str:
    """The note logged on an invited company (stored text, in Swedish like the notes)."""
    when = to_local(event.starts_at).strftime("%Y-%m-%d %H:%M")
    return f"Inbjuden till rekryteringsträff: {event.title} {when}"


def invite(
    event: RecruitmentEvent, company_id: str, *, user: User, session: Session, clock: Clock
) -> EventCompany:
    """Adds a company as invited, with its primary contact, and logs the invitation on
    the company as a note by the inviting user."""
    _check_open(event)
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
        .order_by(col(Contact.is_primary).desc(), Contact.id)
        .limit(1)
    ).first()
    now = clock.now()
    link = EventCompany(
        event_id=event.id,  # type: ignore[arg-type]
        company_id=company.id,  # type: ignore[arg-type]
        contact_id=primary.id if primary and primary.is_primary else None,
        created_at=now,
        updated_at=now,
    )
    session.add(link)
    session.flush()
    _record(
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
    return _change(
        link, status, contact_id, version=form.version, user=user, session=session, clock=clock
    )


def _change(
    link: EventCompany,
    status: Participation,
    contact_id: int | None,
    *,
    version: int | None,
    user: User,
    session: Session,
    clock: Clock,
) -> EventCompany:
    before = _snapshot(link, session=session)
    contact_before = link.contact_id
    link.status = status
    link.contact_id = contact_id
    changes = history.diff(before, _snapshot(link, session=session))
    if not changes and contact_before == contact_id:
        return link
    if contact_before != contact_id:
        changes["contact_changed"] = True  # who, not named: see _snapshot
    # A query here must not autoflush the changed row before the guarded flush below, or
    # a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        company = session.get(Company, link.company_id)
    changes["participant"] = company.name if company else None  # which, on the event's page
    link.updated_at = clock.now()
    session.add(link)
    history.flush_or_conflict(
        link, "event_company", version, conflict=EditConflict, get=_link, session=session
    )
    _record(link, "update", changes, user=user, session=session, clock=clock)
    return link


def _link(link_id: int, *, session: Session) -> EventCompany:
    """The participation as it now is, or NotFound: what history.flush_or_conflict reloads."""
    link = session.get(EventCompany, link_id)
    if link is None:
        raise NotFound("Företaget är inte med på träffen.")
    return link


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
    links = _company_links(event.id, link.company_id, session=session)  # type: ignore[arg-type]
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
            .join(Assignment, Assignment.id == EventAssignment.assignment_id)  # type: ignore[arg-type]
            .where(EventAssignment.event_id == event_id, Assignment.company_id == company_id)
        ).all()
    )


# --- presented assignments --------------------------------------------------------------


@dataclass
class Presented:
    link: EventAssignment
    assignment: Assignment
    company_name: str

    @property
    def label(self) -> str:
        return f"{self.assignment.occupation} ({self.company_name})"


def presented(event_id: int, *, session: Session) -> list[Presented]:
    """The event's linked assignments with their companies' names: one query."""
    dialect = session.get_bind().dialect.name
    rows = session.exec(
        select(EventAssignment, Assignment, Company.name)
        .join(Assignment, Assignment.id == EventAssignment.assignment_id)  # type: ignore[arg-type]
        .join(Company, Company.id == Assignment.company_id)  # type: ignore[arg-type]
        .where(EventAssignment.event_id == event_id)
        .order_by(
            by_name(Company.name, Company.sort_key, dialect=dialect),
            Assignment.occupation,
            Assignment.id,
        )
    ).all()
    return [Presented(link=link, assignment=a, company_name=name) for link, a, name in rows]


def assignment_choices(event_id: int, *, session: Session) -> list[tuple[Assignment, str]]:
    """The participating companies' open assignments not yet linked: one query."""
    dialect = session.get_bind().dialect.name
    companies = select(EventCompany.company_id).where(EventCompany.event_id == event_id)
    linked = select(EventAssignment.assignment_id).where(EventAssignment.event_id == event_id)
    rows = session.exec(
        select(Assignment, Company.name)
        .join(Company, Company.id == Assignment.company_id)  # type: ignore[arg-type]
        .where(
            col(Assignment.company_id).in_(companies),
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.id).not_in(linked),
        )
        .order_by(
            by_name(Company.name, Company.sort_key, dialect=dialect),
            Assignment.occupation,
            Assignment.id,
        )
    ).all()
    return [(a, name) for a, name in rows]


def link_assignment(
    event: RecruitmentEvent, assignment_id: str, *, user: User, session: Session, clock: Clock
) -> EventAssignment:
    _check_open(event)
    assignment = get_typed(session, Assignment, assignment_id)
    participating = (
        assignment is not None
        and session.exec(
            select(EventCompany.id).where(
                EventCompany.event_id == event.id, EventCompany.company_id == assignment.company_id
            )
        ).first()
    )
    if assignment is None or not participating:
        raise ValidationFailed(
            "Välj ett uppdrag hos ett av företagen på träffen.", field="assignment_id"
        )
    if assignment.status not in OPEN_STATUSES:
        raise ValidationFailed(
            "Uppdraget är avslutat. Bara pågående uppdrag kan presenteras.", field="assignment_id"
        )
    taken = session.exec(
        select(EventAssignment.id).where(
            EventAssignment.event_id == event.id, EventAssignment.assignment_id == assignment.id
        )
    ).first()
    if taken is not None:
        raise Conflict("Uppdraget är redan kopplat till träffen.")
    link = EventAssignment(event_id=event.id, assignment_id=assignment.id)  # type: ignore[arg-type]
    session.add(link)
    session.flush()
    company = session.get(Company, assignment.company_id)
    events.record(
        event,
        "update",
        {"assignment": [None, f"{assignment.occupation} ({company.name if company else ''})"]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    return link


def get_link(event_id: int, assignment_id: int, *, session: Session) -> EventAssignment:
    link = session.exec(
        select(EventAssignment).where(
            EventAssignment.event_id == event_id, EventAssignment.assignment_id == assignment_id
        )
    ).first()
    if link is None:
        raise NotFound("Uppdraget är inte kopplat till träffen.")
    return link


def unlink_assignment(
    event: RecruitmentEvent,
    link: EventAssignment,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    if link.hires:
        raise Conflict(
            "Uppdraget har %(hires)s anställningar från träffen. Sätt dem till 0 i utfallet "
            "innan du tar bort kopplingen.",
            variables={"hires": link.hires},
        )
    assignment = session.get(Assignment, link.assignment_id)
    events.record(
        event,
        "update",
        {"assignment": [assignment.occupation if assignment else None, None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    session.delete(link)
    session.flush()


# --- the outcome ------------------------------------------------------------------------


class OutcomeForm(SQLModel):
    """The outcome form. Per company and per linked assignment, parallel lists in the
    page's order: the id, the value the user saw (a colleague may have changed it since)
    and the value chosen."""

    jobseekers_invited: str = ""
    jobseekers_attended: str = ""
    interviews: str = ""
    hires: str = ""
    company_id: list[str] = []
    seen_status: list[str] = []
    status: list[str] = []
    assignment_id: list[str] = []
    seen_hires: list[str] = []
    assignment_hires: list[str] = []
    version: int | None = None


def may_record_outcome(event: RecruitmentEvent, *, clock: Clock) -> bool:
    return event.status != EventStatus.cancelled and event.starts_at <= clock.now()


def save_outcome(
    event: RecruitmentEvent, form: OutcomeForm, *, user: User, session: Session, clock: Clock
) -> RecruitmentEvent:
    if event.status == EventStatus.cancelled:
        raise Conflict("Träffen är inställd och har inget utfall.")
    if event.starts_at > clock.now():
        raise Conflict("Utfallet fyller du i när träffen har börjat.")
    if form.version is not None and form.version != event.version:
        raise events.conflict(event, form.version, session=session)
    counts = {
        name: events.optional_count(getattr(form, name), field=name)
        for name in events.OUTCOME_FIELDS
    }
    statuses = _typed_statuses(event, form, session=session)
    hires = _typed_hires(event, form, session=session)
    on_assignments = sum(new for _, _, new in hires.values()) + sum(
        p.link.hires
        for p in presented(event.id, session=session)  # type: ignore[arg-type]
        if p.assignment.id not in hires
    )
    if counts["hires"] is None and on_assignments:
        counts["hires"] = on_assignments
    if counts["hires"] is not None and counts["hires"] < on_assignments:
        raise ValidationFailed(
            "Antal anställningar totalt (%(total)s) kan inte vara färre än anställningarna "
            "på uppdragen (%(assignments)s).",
            field="hires",
            variables={"total": counts["hires"], "assignments": on_assignments},
        )
    before = history.snapshot(event, events.OUTCOME_FIELDS)
    for name, value in counts.items():
        setattr(event, name, value)
    changes = history.diff(before, history.snapshot(event, events.OUTCOME_FIELDS))
    for link, status in statuses:
        if link.status != status:
            _change(
                link, status, link.contact_id, version=None, user=user, session=session, clock=clock
            )
            changes.setdefault("participants_changed", 0)
            changes["participants_changed"] += 1
    hire_changes = []
    for link, assignment, new in hires.values():
        if new == link.hires:
            continue
        assignments.add_hires(
            assignment,
            new - link.hires,
            event_title=event.title,
            user=user,
            session=session,
            clock=clock,
        )
        hire_changes.append((assignment.occupation, link.hires, new))
        link.hires = new
        session.add(link)
    if hire_changes:
        changes["assignment_hires"] = [
            "; ".join(f"{name}: {old}" for name, old, _ in hire_changes),
            "; ".join(f"{name}: {new}" for name, _, new in hire_changes),
        ]
    if not changes:
        return event
    event.updated_at = clock.now()  # a new version: a stale outcome form is a conflict
    session.add(event)
    events.flush_or_conflict(event, form.version, session)
    events.record(event, "update", changes, user=user, session=session, clock=clock)
    return event


def _typed_statuses(
    event: RecruitmentEvent, form: OutcomeForm, *, session: Session
) -> list[tuple[EventCompany, Participation]]:
    if not (len(form.company_id) == len(form.seen_status) == len(form.status)):
        raise ValidationFailed("Formuläret är ofullständigt. Ladda om sidan och försök igen.")
    links = {
        str(link.company_id): link
        for link in session.exec(select(EventCompany).where(EventCompany.event_id == event.id))
    }
    result = []
    for company_id, seen, typed in zip(form.company_id, form.seen_status, form.status, strict=True):
        link = links.get(company_id)
        if link is None:
            continue  # taken off the event meanwhile
        try:
            status = Participation(typed)
        except ValueError:
            raise ValidationFailed("Välj företagets status.", field="status") from None
        if seen != link.status.value and status != link.status:
            company = session.get(Company, link.company_id)
            raise Conflict(
                "Någon annan har ändrat %(company)s deltagande under tiden. Se hur det är nu "
                "och spara igen.",
                variables={"company": company.name if company else ""},
            )
        result.append((link, status))
    return result


def _typed_hires(
    event: RecruitmentEvent, form: OutcomeForm, *, session: Session
) -> dict[int, tuple[EventAssignment, Assignment, int]]:
    if not (len(form.assignment_id) == len(form.seen_hires) == len(form.assignment_hires)):
        raise ValidationFailed("Formuläret är ofullständigt. Ladda om sidan och försök igen.")
    links = {str(p.assignment.id): p for p in presented(event.id, session=session)}  # type: ignore[arg-type]
    result = {}
    for assignment_id, seen, typed in zip(
        form.assignment_id, form.seen_hires, form.assignment_hires, strict=True
    ):
        found = links.get(assignment_id)
        if found is None:
            continue
        new = events.optional_count(typed, field="assignment_hires") or 0
        if seen != str(found.link.hires) and new != found.link.hires:
            raise Conflict(
                "Någon annan har ändrat anställningarna på %(occupation)s under tiden. Se hur "
                "det är nu och spara igen.",
                variables={"occupation": found.assignment.occupation},
            )
        result[found.assignment.id] = (found.link, found.assignment, new)  # type: ignore[index]
    return result
