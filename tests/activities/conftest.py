"""The call log's people and place: Bo, a broker who is signed in, and a company."""

import pytest

from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def broker(client, session, clock):
    user = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    return user


@pytest.fixture
def company(session, clock, broker):
    return make_company(session, clock, user=broker, name="Ängelholms Bygg AB")
