"""The assignments presented at an event: the participating companies' open assignments,
linked and unlinked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.assignments.models import OPEN_STATUSES, Assignment
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.db import by_name, get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.events import service as events
from app.events.models import EventAssignment, EventCompany, RecruitmentEvent
from app.events.participation import check_open


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
        .join(Assignment, col(Assignment.id) == EventAssignment.assignment_id)
        .join(Company, col(Company.id) == Assignment.company_id)
        .where(EventAssignment.event_id == event_id)
        .order_by(
            by_name(Company.name, Company.sort_key, dialect=dialect),
            Assignment.occupation,
            col(Assignment.id),
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
        .join(Company, col(Company.id) == Assignment.company_id)
        .where(
            col(Assignment.company_id).in_(companies),
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.id).not_in(linked),
        )
        .order_by(
            by_name(Company.name, Company.sort_key, dialect=dialect),
            Assignment.occupation,
            col(Assignment.id),
        )
    ).all()
    return [(a, name) for a, name in rows]


def link_assignment(
    event: RecruitmentEvent, assignment_id: str, *, user: User, session: Session, clock: Clock
) -> EventAssignment:
    check_open(event)
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
    link = EventAssignment(event_id=event.id, assignment_id=assignment.id)
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
