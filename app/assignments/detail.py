"""One assignment's page: its facts, status change, history, and the follow-up of its
placements (follow_ups.py) with a form per follow-up point. The routes that change the
assignment itself are in routes.py; they show this page again when a change is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import parents, saving
from app.activities import service as activities
from app.activities.models import KIND_LABELS
from app.assignments import follow_ups, listing
from app.assignments import service as assignments
from app.assignments.deps import AssignmentDep
from app.assignments.follow_ups import FollowUpForm
from app.assignments.models import (
    CLOSED_STATUSES,
    EMPLOYMENT_TYPE_LABELS,
    FOLLOW_UP_POINT_LABELS,
    FOLLOWED_UP_TYPES,
    OPEN_STATUSES,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Assignment,
    PlacementFollowUp,
    employment_type_choices,
)
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.contacts.models import Contact
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, NotFound
from app.history import service as history
from app.i18n import N_
from app.templating import render

router = APIRouter()


def labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "employment_type_labels": EMPLOYMENT_TYPE_LABELS,
        "employment_type_choices": employment_type_choices,
        "source_labels": SOURCE_LABELS,
        "open_statuses": OPEN_STATUSES,
        "closed_statuses": CLOSED_STATUSES,
        "next_status": assignments.next_status,
        "previous_status": assignments.previous_status,
    }


@dataclass
class FollowUpShown:
    """A follow-up point as the page shows it: the row, its form (what was typed, after a
    refusal), and the refusal."""

    row: PlacementFollowUp
    form: FollowUpForm
    error: DomainError | None = None


def _follow_ups(
    assignment: Assignment,
    session: Session,
    refused: tuple[int, FollowUpForm, DomainError] | None,
) -> list[FollowUpShown]:
    shown = []
    for row in follow_ups.for_assignment(assignment.id, session=session):
        if refused is not None and refused[0] == row.id:
            shown.append(FollowUpShown(row=row, form=refused[1], error=refused[2]))
        else:
            shown.append(FollowUpShown(row=row, form=FollowUpForm.from_follow_up(row)))
    return shown


def render_detail(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    assignment: Assignment,
    *,
    status_error: DomainError | None = None,
    typed_filled: str = "",
    follow_up_refused: tuple[int, FollowUpForm, DomainError] | None = None,
    status_code: int = 200,
) -> Response:
    ids = {assignment.owner_id, assignment.source_user_id, assignment.created_by_id} - {None}
    people = {person.id: person for person in (session.get(User, i) for i in ids) if person}
    shown = _follow_ups(assignment, session, follow_up_refused)
    context = {
        "assignment": assignment,
        "company": companies.get(assignment.company_id, session=session),
        "parent_track": parents.parent("track", assignment.track_id, session=session),
        "contact": session.get(Contact, assignment.contact_id) if assignment.contact_id else None,
        "people": people,
        "history": history.for_record("assignment", assignment.id, session=session),
        "activities": activities.about_assignment(assignment.id, session=session),
        "kind_labels": KIND_LABELS,
        "today": today(clock),
        "overdue": listing.is_overdue(assignment, today(clock)),
        "offers_filled": assignments.offers_filled(assignment),
        "can_edit": user.role != Role.viewer,
        "may_delete": assignments.may_delete(assignment, user),
        "status_error": status_error,
        "typed_filled": typed_filled.strip()[:4],
        "follow_ups": shown,
        "follow_up_results": follow_ups.results([assignment], session=session).get(assignment.id),
        "followed_up_type": assignment.employment_type in FOLLOWED_UP_TYPES,
        "point_labels": FOLLOW_UP_POINT_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        **labels(),
    }
    return render(request, "assignments/detail.html", context, status_code=status_code)


@router.get("/assignments/{assignment_id:int}")
def show_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    assignment: AssignmentDep,
) -> Response:
    return render_detail(request, session, clock, user, assignment)


@router.post("/assignments/{assignment_id:int}/follow-ups/{follow_up_id:int}")
def record_follow_up(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    assignment: AssignmentDep,
    follow_up_id: int,
    form: Annotated[FollowUpForm, Form()],
) -> Response:
    """Saves a follow-up point: its day, and what came of the placements."""
    row = follow_ups.get(follow_up_id, session=session)
    if row.assignment_id != assignment.id:
        raise NotFound("Uppföljningen finns inte.")
    assignment_id = assignment.id

    def refused(error: DomainError) -> Response:
        current = assignments.get(assignment_id, session=session)
        return render_detail(
            request,
            session,
            clock,
            user,
            current,
            follow_up_refused=(follow_up_id, form, error),
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        follow_ups.record(row, assignment, form, user=user, session=session, clock=clock)
    url = f"/assignments/{assignment_id}#follow-up-{follow_up_id}"
    return saving.saved(request, session, url, N_("Uppföljningen är sparad."))
