"""Min dag's people: Bo, a broker who is signed in, and his colleague Cia."""

import pytest

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


@pytest.fixture
def company(session, clock, bo):
    return owned_by(session, clock, bo, "Ängelholms Bygg AB")
