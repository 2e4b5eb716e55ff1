"""Login throttling per account and per client address; forwarded headers only from
trusted proxies, so one office NAT or a forged header cannot lock everyone out."""

import datetime as dt

from app.auth import throttle
from tests.conftest import Client
from tests.factories import PASSWORD, make_user


def attempt(client, username, password, headers=None):
    token = client.csrf_token("/login")
    return client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        headers=headers or {},
    )


def test_account_is_throttled_after_repeated_failures_then_recovers(client, session, clock):
    make_user(session, clock, username="anna")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        assert attempt(client, "anna", "fel lösenord").status_code == 422
    blocked = attempt(client, "anna", PASSWORD)
    assert blocked.status_code == 429
    assert "För många misslyckade inloggningar. Försök igen om 15 min." in blocked.text
    clock.advance(throttle.WINDOW + dt.timedelta(seconds=1))
    assert attempt(client, "anna", PASSWORD).status_code == 303


def test_throttling_one_account_leaves_colleagues_alone(client, session, clock):
    make_user(session, clock, username="anna")
    make_user(session, clock, username="bosse")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        attempt(client, "anna", "fel lösenord")
    assert attempt(client, "bosse", PASSWORD).status_code == 303


def test_successful_login_forgives_earlier_typos(client, session, clock):
    make_user(session, clock, username="anna")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT - 1):
        attempt(client, "anna", "fel lösenord")
    assert attempt(client, "anna", PASSWORD).status_code == 303
    client.cookies.clear()
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT - 1):
        attempt(client, "anna", "fel lösenord")
    assert attempt(client, "anna", PASSWORD).status_code == 303


def fail_many(session, clock, client_ip, count):
    """Earlier failures from one address, recorded as the login route records them."""
    for number in range(count):
        throttle.record(f"gissning{number}", client_ip, False, session=session, clock=clock)
    session.commit()


def test_one_address_guessing_many_accounts_is_throttled(client, session, clock):
    make_user(session, clock, username="anna")
    fail_many(session, clock, "testclient", throttle.MAX_FAILURES_PER_ADDRESS - 1)
    assert attempt(client, "gissning", "fel").status_code == 422
    assert attempt(client, "anna", PASSWORD).status_code == 429


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, session, clock):
    make_user(session, clock, username="anna")
    fail_many(session, clock, "testclient", throttle.MAX_FAILURES_PER_ADDRESS - 1)
    # A forged header does not make the attacker a new address.
    assert attempt(client, "x", "fel", {"X-Forwarded-For": "10.0.0.1"}).status_code == 422
    assert attempt(client, "anna", PASSWORD, {"X-Forwarded-For": "10.9.9.9"}).status_code == 429


def test_behind_a_trusted_proxy_each_office_client_counts_separately(app, session, clock):
    app.state.settings.trusted_proxies = "10.0.0.2"
    make_user(session, clock, username="anna")
    with Client(app, follow_redirects=False, client=("10.0.0.2", 41000)) as proxied:
        fail_many(session, clock, "198.51.100.7", throttle.MAX_FAILURES_PER_ADDRESS)
        office_a = {"X-Forwarded-For": "198.51.100.7"}
        assert attempt(proxied, "anna", PASSWORD, office_a).status_code == 429
        # Another client behind the same proxy is not locked out.
        office_b = {"X-Forwarded-For": "203.0.113.5, 198.51.100.8"}
        assert attempt(proxied, "anna", PASSWORD, office_b).status_code == 303


def test_untrusted_peer_cannot_claim_an_address(app, session, clock):
    app.state.settings.trusted_proxies = "10.0.0.2"
    make_user(session, clock, username="anna")
    with Client(app, follow_redirects=False, client=("192.0.2.50", 41000)) as direct:
        fail_many(session, clock, "192.0.2.50", throttle.MAX_FAILURES_PER_ADDRESS)
        spoofed = {"X-Forwarded-For": "198.51.100.99"}
        assert attempt(direct, "anna", PASSWORD, spoofed).status_code == 429
