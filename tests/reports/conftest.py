"""The reports' people and data: Bo and Cia, brokers; companies in two municipalities;
activities, assignments, events and agreements made through the real services at chosen
instants."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.clock import STOCKHOLM
from app.events.models import EventCompany, Participation, RecruitmentEvent
from tests.activities.factories import make_activity
from tests.assignments.factories import make_assignment
from tests.events.factories import invite, make_event
from tests.factories import PASSWORD, make_company, make_user

# After every instant the tests log: the activity service refuses times in the future.
LATE = dt.datetime(2027, 2, 1, 9, 0, tzinfo=STOCKHOLM)


def at(text: str) -> dt.datetime:
    """A Stockholm wall-clock time ("2026-03-31T23:59") as an aware instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@pytest.fixture
def late(clock):
    clock.set(LATE)
    return clock


@pytest.fixture
def bo(session, late):
    return make_user(session, late, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def cia(session, late):
    return make_user(session, late, role="broker", username="cia", full_name="Cia Lind")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return bo


def company(session, clock, owner, name, municipality="Malmö", **fields):
    return make_company(
        session,
        clock,
        user=owner,
        name=name,
        owner_id=str(owner.id),
        municipality=municipality,
        **fields,
    )


def activity(session, clock, company, user, when, kind="call"):
    """An activity at a Stockholm wall-clock time, logged then."""
    return make_activity(session, clock, company, user, kind=kind, occurred_at=when)


def assignment_at(session, clock, when, company, user, **fields):
    """An assignment registered (and closed, if a closing status is given) at `when`."""
    clock.set(at(when))
    try:
        return make_assignment(session, clock, company, user, owner_id=str(user.id), **fields)
    finally:
        clock.set(LATE)


def held_event(session, clock, user, starts, *, companies=(), attended=(), **outcome):
    """An event at `starts` (Stockholm time) with companies confirmed (and some attended)
    and its outcome figures written straight to the row."""
    event = make_event(session, clock, user, starts=at(starts))
    # By id: expired model instances compare equal to each other.
    attended_ids = {each.id for each in attended}
    for each in (*companies, *attended):
        link = invite(session, clock, event, each, user)
        status = Participation.attended if each.id in attended_ids else Participation.confirmed
        session.execute(
            update(EventCompany).where(EventCompany.id == link.id).values(status=status)  # type: ignore[arg-type]
        )
    if outcome:
        session.execute(
            update(RecruitmentEvent).where(RecruitmentEvent.id == event.id).values(**outcome)  # type: ignore[arg-type]
        )
    session.commit()
    return event


def close_at(session, clock, when, assignment, user, status, filled_count=0):
    from app.assignments import service as assignments

    clock.set(at(when))
    try:
        assignments.change_status(
            assignment,
            assignments.StatusForm(status=status, filled_count=str(filled_count)),
            user=user,
            session=session,
            clock=clock,
        )
        session.commit()
    finally:
        clock.set(LATE)


def agreement(session, clock, company, user, kind="cooperation", state="signed", **dates):
    """An agreement through the real service (dates as ISO days), saved."""
    form = AgreementForm(kind=kind, state=state, **dates)
    made = agreements.create(company, form, user=user, session=session, clock=clock)
    session.commit()
    return made
