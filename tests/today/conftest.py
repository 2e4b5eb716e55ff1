"""Min dag's people: Bo, a broker who is signed in, and his colleague Cia."""

import datetime as dt

import pytest

from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.assignments import service as assignments
from app.assignments.form import AssignmentForm
from app.clock import today
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def bo(client, session, clock):
    user = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    return user


@pytest.fixture
def cia(session, clock):
    return make_user(session, clock, role="broker", username="cia", full_name="Cia Lind")


def owned_by(session, clock, user, name):
    return make_company(session, clock, user=user, name=name, owner_id=str(user.id))


def ending_agreement(session, clock, company, user, *, days, state="signed"):
    """A samverkansavtal of the company, signed, valid to `days` from today."""
    day = today(clock)
    form = AgreementForm(
        kind="cooperation",
        state=state,
        signed_on=(day - dt.timedelta(days=300)).isoformat(),
        valid_to=(day + dt.timedelta(days=days)).isoformat(),
    )
    return agreements.create(company, form, user=user, session=session, clock=clock)


def placement_due(session, clock, company, user, *, occupation="Lärarassistent", days_ago=1):
    """An extratjänst filled by one, its employments ended `days_ago`: its first
    follow-up is due."""
    day = today(clock)
    form = AssignmentForm(
        occupation=occupation,
        employment_type="extra_job",
        source_user_id=str(user.id),
        owner_id=str(user.id),
        filled_count="1",
        start_on=(day - dt.timedelta(days=200)).isoformat(),
        ends_on=(day - dt.timedelta(days=days_ago)).isoformat(),
    )
    return assignments.create(company, form, user=user, session=session, clock=clock)


@pytest.fixture
def company(session, clock, bo):
    return owned_by(session, clock, bo, "Ängelholms Bygg AB")
