"""Activity test data through the real service (history, the company's denormalised dates)."""

from __future__ import annotations

from sqlmodel import Session

from app.activities import service as activities
from app.activities.models import Activity
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company


def make_activity(
    session: Session, clock: Clock, company: Company, user: User, **fields: object
) -> Activity:
    form = activities.ActivityForm(**{"notes": "Ringde om praktikplatser", **fields})
    activity = activities.create(company, form, user=user, session=session, clock=clock)
    session.commit()
    return activity
