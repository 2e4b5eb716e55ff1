"""The event's page (facts, status, companies, presented assignments, checklist by phase,
outcome, history) as every event route shows it, and a refused change shown on it with
the message at its form."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import parents, saving
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.errors import DomainError, Forbidden
from app.events import checklist, participants
from app.events import service as events
from app.events.checklist import TaskForm
from app.events.models import (
    PARTICIPATION_LABELS,
    PHASE_LABELS,
    PHASES,
    STATUS_LABELS,
    RecruitmentEvent,
)
from app.events.participants import OutcomeForm
from app.templating import render


def labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "participation_labels": PARTICIPATION_LABELS,
        "phase_labels": PHASE_LABELS,
        "phases": PHASES,
        "assignment_status_labels": ASSIGNMENT_STATUS_LABELS,
    }


def event_url(event_id: int | None, anchor: str = "") -> str:
    return f"/events/{event_id}" + (f"#{anchor}" if anchor else "")


def current(event_id: int, session: Session) -> RecruitmentEvent:
    """The event as saved now; NotFound (a 404) when someone deleted it meanwhile."""
    return events.get(event_id, session=session)


def page(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    event: RecruitmentEvent,
    *,
    errors: dict[str, DomainError] | None = None,
    outcome_form: OutcomeForm | None = None,
    task_forms: dict[str, TaskForm] | None = None,
    status_code: int = 200,
) -> Response:
    owner, members = events.team(event, session=session)
    rows = participants.participants(event.id, session=session)
    presented = participants.presented(event.id, session=session)
    can_edit = user.role != Role.viewer
    context = {
        "event": event,
        "owner": owner,
        "members": members,
        "parent_track": parents.parent("track", event.track_id, session=session),
        "participants": rows,
        "bcc": participants.bcc_addresses(rows),
        "presented": presented,
        "assignment_choices": participants.assignment_choices(event.id, session=session)
        if can_edit
        else [],
        "tasks": checklist.by_phase(event.id, session=session),
        "people": companies.owners(session=session) if can_edit else [],
        "history": events.history_of(event.id, session=session),
        "today": today(clock),
        "now": clock.now(),
        "can_edit": can_edit,
        "may_manage": events.may_manage(event, user),
        "may_record_outcome": participants.may_record_outcome(event, clock=clock),
        "outcome_closes": participants.closes_on_outcome(event, clock=clock),
        "errors": errors or {},
        "outcome_form": outcome_form,
        "task_forms": task_forms or {},
        **labels(),
    }
    return render(request, "events/detail.html", context, status_code=status_code)


def refused_at(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    event_id: int,
    key: str,
    **typed: Any,
) -> saving.Refused:
    """A change the service refused: the page again with the message at its form (`key`);
    Forbidden is the 403 page (app/main.py)."""

    def answer(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        return page(
            request,
            session,
            clock,
            user,
            current(event_id, session),
            errors={key: error},
            status_code=error.http_status,
            **typed,
        )

    return answer
