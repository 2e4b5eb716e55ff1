"""An event's outcome: the four counts, each company's participation, and the hires per
presented assignment, added to the assignments' filled counts (participants.py says how).
Saving the outcome of an event that is over closes it (Avslutad)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel, select

from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.errors import Conflict, ValidationFailed
from app.events import service as events
from app.events.models import (
    EventAssignment,
    EventCompany,
    EventStatus,
    Participation,
    RecruitmentEvent,
)
from app.events.participation import change
from app.events.presented import presented
from app.history import service as history


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


def closes_on_outcome(event: RecruitmentEvent, *, clock: Clock) -> bool:
    """Whether saving the outcome closes the event: it has been held (it has ended, and
    was not cancelled) and is not yet Avslutad. A count taken while it is on does not."""
    return (
        event.status not in (EventStatus.cancelled, EventStatus.closed)
        and event.ends_at <= clock.now()
    )


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
        p.link.hires for p in presented(event.id, session=session) if p.assignment.id not in hires
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
    changes: dict[str, Any] = history.diff(before, history.snapshot(event, events.OUTCOME_FIELDS))
    for link, status in statuses:
        if link.status != status:
            change(
                link, status, link.contact_id, version=None, user=user, session=session, clock=clock
            )
            changes.setdefault("participants_changed", 0)
            changes["participants_changed"] += 1
    hire_changes = []
    for shown, assignment, new in hires.values():
        if new == shown.hires:
            continue
        assignments.add_hires(
            assignment,
            new - shown.hires,
            event_title=event.title,
            user=user,
            session=session,
            clock=clock,
        )
        hire_changes.append((assignment.occupation, shown.hires, new))
        shown.hires = new
        session.add(shown)
    if hire_changes:
        changes["assignment_hires"] = [
            "; ".join(f"{name}: {old}" for name, old, _ in hire_changes),
            "; ".join(f"{name}: {new}" for name, _, new in hire_changes),
        ]
    if closes_on_outcome(event, clock=clock):
        # The outcome is what is left to do once the event is over: saving it closes the
        # event, in the same history entry (an inställd one never gets here).
        changes["event_status"] = [event.status.value, EventStatus.closed.value]
        event.status = EventStatus.closed
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
    links = {str(p.assignment.id): p for p in presented(event.id, session=session)}
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
        result[found.assignment.id] = (found.link, found.assignment, new)
    return result
