"""Assignment test data through the real service (history, derived search text)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session

from app.assignments import service as assignments
from app.assignments.models import CLOSED_STATUSES, Assignment, AssignmentStatus
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company


def make_assignment(
    session: Session,
    clock: Clock,
    company: Company,
    user: User,
    *,
    status: str | None = None,
    **fields: object,
) -> Assignment:
    """An assignment, saved; `status` (with `filled_count`) set as the pipeline would."""
    values = {
        "occupation": "Lagerarbetare",
        "source_user_id": str(user.id),
        **{k: str(v) if isinstance(v, int | dt.date) else v for k, v in fields.items()},
    }
    filled = values.pop("filled_count", "0")
    form = assignments.AssignmentForm(**values)
    assignment = assignments.create(company, form, user=user, session=session, clock=clock)
    closing = status is not None and AssignmentStatus(status) in CLOSED_STATUSES
    if filled != "0" and not closing:
        form = assignments.AssignmentForm.from_assignment(assignment)
        form.filled_count = str(filled)
        assignments.update(assignment, form, user=user, session=session, clock=clock)
    if status is not None:
        assignments.change_status(
            assignment,
            assignments.StatusForm(status=status, filled_count=str(filled)),
            user=user,
            session=session,
            clock=clock,
        )
    session.commit()
    return assignment


def set_deadline(session: Session, assignment: Assignment, day: dt.date | None) -> None:
    """A deadline in the past, written straight to the table (the form accepts any date,
    but tests read better saying which day they mean)."""
    session.execute(
        update(Assignment).where(Assignment.id == assignment.id).values(deadline=day)  # type: ignore[arg-type]
    )
    session.commit()
    session.refresh(assignment)
