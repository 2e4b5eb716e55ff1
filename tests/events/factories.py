"""Event test data through the real services (history, checklist from the template)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.auth.models import User
from app.clock import STOCKHOLM, Clock
from app.companies.models import Company
from app.events import participants
from app.events import service as events
from app.events.models import EventCompany, RecruitmentEvent

# Two weeks after the suite's clock (a Monday 9:00), 9–12 Swedish time.
STARTS = dt.datetime(2026, 3, 16, 9, 0, tzinfo=STOCKHOLM)


def local(instant: dt.datetime) -> str:
    return instant.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


def make_event(
    session: Session,
    clock: Clock,
    user: User,
    *,
    starts: dt.datetime = STARTS,
    hours: int = 3,
    **fields: object,
) -> RecruitmentEvent:
    values = {
        "title": "Rekryteringsträff lager",
        "starts_at": local(starts),
        "ends_at": local(starts + dt.timedelta(hours=hours)),
        "owner_id": str(user.id),
        **fields,
    }
    event = events.create(events.EventForm(**values), user=user, session=session, clock=clock)
    session.commit()
    return event


def invite(
    session: Session, clock: Clock, event: RecruitmentEvent, company: Company, user: User
) -> EventCompany:
    link = participants.invite(event, str(company.id), user=user, session=session, clock=clock)
    session.commit()
    return link
