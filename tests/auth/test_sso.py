"""Sign-in through a real OpenID provider (tests/oidc/provider.mjs, oidc-provider on a
loopback port) issuing Entra ID-shaped tokens: the whole flow over HTTP, each check of
the answer, the role mapping, linking accounts, passwords turned off, sign-out there."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from app.auth import sessions
from app.auth.models import NO_PASSWORD, Role, SecurityEvent, User, UserSession
from app.auth.sso import PENDING_COOKIE, Provider, SsoFailed
from app.clock import STOCKHOLM
from tests.factories import PASSWORD, make_company, make_user
from tests.oidc.provider import (
    ADMIN,
    ADMIN_GROUP,
    BROKER,
    BROKER_GROUP,
    BROKER_ROLE,
    CLIENT_ID,
    CLIENT_SECRET,
    NOGROUP,
    OVERAGE,
    VIEWER,
    VIEWER_ROLE,
    entra_account,
    sign_in_at_provider,
    sign_out_at_provider,
)


@pytest.fixture
def settings(settings, oidc_provider):
    return settings.model_copy(
        update={
            "oidc_issuer": oidc_provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_label": "Kommunens konto",
            "oidc_admin_groups": ADMIN_GROUP,
            "oidc_broker_groups": f"{BROKER_GROUP},{BROKER_ROLE}",
            "oidc_viewer_groups": VIEWER_ROLE,
        }
    )


@pytest.fixture(autouse=True)
def real_time(clock):
    """The provider signs with the wall clock's time: the app's clock agrees."""
    clock.set(dt.datetime.now(STOCKHOLM))


@pytest.fixture
def provider_browser():
    """The browser's side at the provider (its own cookies there)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        yield browser


def start(client, next_url: str = "/") -> str:
    """Clicks "Logga in med ...": the authorization URL the app sends the browser to."""
    response = client.get("/login/sso", params={"next": next_url})
    assert response.status_code == 303, response.text
    assert client.cookies.get(PENDING_COOKIE)
    return response.headers["location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}"


def sign_in(client, login: str, *, browser=None, next_url: str = "/"):
    back = sign_in_at_provider(start(client, next_url), login, browser=browser)
    return client.get(callback_path(back))


def events(session, kind: str = "sign_in") -> list[SecurityEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)  # type: ignore[arg-type]
        )
    )


def user_named(session, username: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).one()


def test_the_login_page_offers_the_organisations_account(client, session, clock):
    make_user(session, clock, role="admin", username="admin")
    page = client.get("/login")
    assert "Logga in med Kommunens konto" in page.text
    assert 'id="username"' in page.text  # local passwords are on by default


def test_first_sign_in_creates_the_user_with_the_role_of_their_group(
    client, session, oidc_provider
):
    response = sign_in(client, BROKER, next_url="/companies")
    assert response.status_code == 303
    assert response.headers["location"] == "/companies"
    assert client.cookies.get(PENDING_COOKIE) is None  # used once
    user = user_named(session, "bertil.broker")
    assert user.role == Role.broker
    assert (user.oidc_issuer, user.oidc_subject) == (oidc_provider.issuer, BROKER)
    assert user.password_hash == NO_PASSWORD
    assert user.full_name and user.email == "bertil.broker@matcha.example"
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.method == "sso"
    # The session is the shorter SSO one: 8 hours, not the 12 of a password.
    assert row.expires_at - row.created_at == dt.timedelta(hours=8)
    assert client.get("/").status_code == 200
    (signed_in,) = events(session)
    assert signed_in.succeeded and json.loads(signed_in.detail) == {"method": "sso"}
    assert [e.kind for e in events(session, "user_created")] == ["user_created"]


def test_the_password_login_never_lets_an_sso_user_in(client, session):
    sign_in(client, BROKER)
    client.cookies.clear()
    response = client.post_form("/login", {"username": "bertil.broker", "password": NO_PASSWORD})
    assert response.status_code == 422


def test_app_roles_give_a_role_too(client, session):
    assert sign_in(client, VIEWER).status_code == 303
    assert user_named(session, "vera.viewer").role == Role.viewer


def test_group_overage_is_answered_by_app_roles(client, session):
    # Entra ID sends no groups claim to a member of over 200 groups: the app role counts.
    assert sign_in(client, OVERAGE).status_code == 303
    assert user_named(session, "olga.overage").role == Role.broker


def test_the_highest_mapped_role_wins(client, session):
    assert sign_in(client, ADMIN).status_code == 303
    assert user_named(session, "anna.admin").role == Role.admin


def test_a_user_in_no_mapped_group_is_refused_in_swedish(client, session):
    response = sign_in(client, NOGROUP)
    assert response.status_code == 403
    assert "ger ingen behörighet till Matcha" in response.text
    assert session.exec(select(User).where(User.username == "nils.nogroup")).first() is None
    assert client.cookies.get(sessions.SESSION_COOKIE) is None
    (refused,) = events(session)
    assert (refused.succeeded, refused.reason, refused.username) == (
        False,
        "no_mapped_group",
        "nils.nogroup@matcha.example",
    )


def test_the_role_follows_the_mapping_at_each_sign_in(client, session, oidc_provider):
    login = "greta.group"
    claims = entra_account(login, "Greta Grupp", oid="g-1", groups=[BROKER_GROUP])
    oidc_provider.set_account(login, claims)
    assert sign_in(client, login).status_code == 303
    assert user_named(session, "greta.group").role == Role.broker

    oidc_provider.set_account(login, {**claims, "groups": [ADMIN_GROUP]})
    client.cookies.clear()
    assert sign_in(client, login).status_code == 303
    assert user_named(session, "greta.group").role == Role.admin
    (changed,) = events(session, "role_changed")
    assert json.loads(changed.detail) == {"from": "broker", "to": "admin", "source": "sso"}

    # Out of every mapped group: refused, and the role is not kept for next time.
    oidc_provider.set_account(login, {**claims, "groups": []})
    client.cookies.clear()
    assert sign_in(client, login).status_code == 403


def test_a_deactivated_user_cannot_sign_in_by_sso(client, session, clock):
    assert sign_in(client, BROKER).status_code == 303
    user = user_named(session, "bertil.broker")
    user.is_active = False
    session.add(user)
    session.commit()
    client.cookies.clear()
    response = sign_in(client, BROKER)
    assert response.status_code == 403
    assert "inaktiverat" in response.text
    assert events(session)[-1].reason == "inactive"


def test_users_must_exist_when_the_setting_says_so(app, client, session):
    app.state.settings = app.state.settings.model_copy(update={"oidc_create_users": False})
    response = sign_in(client, BROKER)
    assert response.status_code == 403
    assert "Du har inget konto i Matcha" in response.text
    assert events(session)[-1].reason == "unknown_user"


def test_a_replayed_answer_is_refused(client, session, provider_browser):
    back = sign_in_at_provider(start(client), BROKER, browser=provider_browser)
    assert client.get(callback_path(back)).status_code == 303
    client.cookies.delete(sessions.SESSION_COOKIE)
    again = client.get(callback_path(back))
    assert again.status_code == 400
    assert "redan använts" in again.text
    assert events(session)[-1].reason == "state"


def test_a_wrong_state_is_refused(client, session):
    back = sign_in_at_provider(start(client), BROKER)
    forged = back.replace("state=", "state=x")
    response = client.get(callback_path(forged))
    assert response.status_code == 400
    assert session.exec(select(User).where(User.username == "bertil.broker")).first() is None
    assert events(session)[-1].reason == "state"


def test_an_answer_for_another_nonce_is_refused_over_http(client, app, session):
    """The provider's token carries the nonce it was asked for; a pending sign-in that
    expects another (the cookie re-sealed with the app's key, as only an attacker with
    that key could) refuses it, and nobody is signed in."""
    url = start(client)
    provider = app.state.sso_provider
    pending = provider.unseal(client.cookies.get(PENDING_COOKIE))
    forged = provider._seal(dataclasses.replace(pending, nonce="another-nonce"))
    client.cookies.set(PENDING_COOKIE, forged)
    back = sign_in_at_provider(url, BROKER)
    response = client.get(callback_path(back))
    assert response.status_code == 400
    assert client.cookies.get(sessions.SESSION_COOKIE) is None
    assert events(session)[-1].reason == "nonce"


def test_a_pending_sign_in_from_another_browser_is_refused(client, app, session):
    back = sign_in_at_provider(start(client), BROKER)
    client.cookies.delete(PENDING_COOKIE)
    assert client.get(callback_path(back)).status_code == 400


# --- the ID token's checks, on real tokens from the provider ------------------------------


def real_token(oidc_provider, nonce: str, login: str = BROKER) -> str:
    """An ID token the provider issues to our client for `nonce` (the test is the client)."""
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    discovery = oidc_provider.discovery()
    verifier = "v" * 64
    url = httpx.URL(
        discovery["authorization_endpoint"],
        params={
            "client_id": CLIENT_ID,
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": "http://testserver/login/sso/callback",
            "state": "s",
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    back = sign_in_at_provider(str(url), login)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = httpx.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/login/sso/callback",
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    return answer.json()["id_token"]


@pytest.fixture
def provider_client(settings):
    provider = Provider(settings)
    yield provider
    provider.close()


def test_a_token_passes_with_its_own_nonce(oidc_provider, provider_client):
    identity = provider_client.verify(
        real_token(oidc_provider, "n-1"), nonce="n-1", now=dt.datetime.now(dt.UTC)
    )
    assert identity.subject == BROKER
    assert identity.groups == (BROKER_GROUP,)


def test_a_wrong_nonce_is_refused(oidc_provider, provider_client):
    token = real_token(oidc_provider, "n-1")
    with pytest.raises(SsoFailed) as refused:
        provider_client.verify(token, nonce="n-2", now=dt.datetime.now(dt.UTC))
    assert refused.value.reason == "nonce"


def test_an_expired_token_is_refused(oidc_provider, provider_client):
    token = real_token(oidc_provider, "n-1")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    with pytest.raises(SsoFailed) as refused:
        provider_client.verify(token, nonce="n-1", now=later)
    assert refused.value.reason == "token"
    assert "expired" in refused.value.detail


def test_a_token_from_another_issuer_is_refused(other_oidc_provider, provider_client):
    # Signed by the other provider's key and naming it as issuer: neither passes.
    token = real_token(other_oidc_provider, "n-1")
    with pytest.raises(SsoFailed) as refused:
        provider_client.verify(token, nonce="n-1", now=dt.datetime.now(dt.UTC))
    assert refused.value.reason == "token"


def test_metadata_naming_another_issuer_is_not_used(other_oidc_provider, settings):
    # OpenID Connect Discovery 4.3: the metadata must name the issuer configured.
    provider = Provider(
        settings.model_copy(update={"oidc_discovery_url": other_oidc_provider.discovery_url})
    )
    try:
        with pytest.raises(SsoFailed) as refused:
            provider.metadata()
        assert refused.value.reason == "provider"
        assert "issuer" in refused.value.detail
    finally:
        provider.close()


def test_a_token_for_another_client_is_refused(oidc_provider, settings):
    provider = Provider(settings.model_copy(update={"oidc_client_id": "another-client"}))
    try:
        with pytest.raises(SsoFailed) as refused:
            provider.verify(
                real_token(oidc_provider, "n-1"), nonce="n-1", now=dt.datetime.now(dt.UTC)
            )
        assert "not for this client" in refused.value.detail
    finally:
        provider.close()


def test_a_tampered_token_is_refused(oidc_provider, provider_client):
    header, payload, signature = real_token(oidc_provider, "n-1").split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(SsoFailed):
        provider_client.verify(tampered, nonce="n-1", now=dt.datetime.now(dt.UTC))


def test_rotated_keys_are_fetched_again(client, session, oidc_provider, app):
    assert sign_in(client, BROKER).status_code == 303  # the keys are now cached
    old_keys = app.state.sso_provider._keys()
    oidc_provider.rotate_keys()
    client.cookies.clear()
    assert sign_in(client, BROKER).status_code == 303
    assert app.state.sso_provider._keys() is not old_keys


def test_an_unreachable_provider_is_said_in_swedish(app, client, settings):
    app.state.sso_provider = Provider(
        settings.model_copy(
            update={
                "oidc_issuer": "http://127.0.0.1:9",
                "oidc_timeout_seconds": 2,
            }
        )
    )
    response = client.get("/login/sso")
    assert response.status_code == 502
    assert "Inloggningstjänsten svarade inte" in response.text


# --- existing users ------------------------------------------------------------------


def test_a_local_user_links_their_account_once(client, session, clock, oidc_provider):
    anna = make_user(session, clock, role="broker", username="anna", full_name="Anna Ek")
    company = make_company(session, clock, user=anna, name="Annas Bygg AB", owner_id=str(anna.id))
    client.login("anna", PASSWORD)
    assert "Koppla till Kommunens konto" in client.get("/account").text
    response = client.post_form("/account/sso", token_from="/account")
    assert response.status_code == 303
    back = sign_in_at_provider(response.headers["location"], BROKER)
    linked = client.get(callback_path(back))
    assert linked.status_code == 303 and linked.headers["location"] == "/account"
    session.refresh(anna)
    assert (anna.oidc_issuer, anna.oidc_subject) == (oidc_provider.issuer, BROKER)
    assert "Ditt konto är kopplat" in client.get("/account").text

    # Next time through the provider: the same user, not a new one.
    client.cookies.clear()
    assert sign_in(client, BROKER).status_code == 303
    assert session.exec(select(User)).all() == [anna]
    session.refresh(company)
    assert company.owner_id == anna.id  # her companies stay hers
    assert "Annas Bygg AB" in client.get("/companies", params={"owner": "me"}).text
    (linking,) = events(session, "account_linked")
    assert linking.user_id == anna.id


def test_a_link_begun_in_another_session_is_not_made(client, session, clock):
    anna = make_user(session, clock, role="broker", username="anna", full_name="Anna Ek")
    client.login("anna", PASSWORD)
    response = client.post_form("/account/sso", token_from="/account")
    back = sign_in_at_provider(response.headers["location"], BROKER)
    client.cookies.delete(sessions.SESSION_COOKIE)  # signed out meanwhile
    assert client.get(callback_path(back)).status_code == 400
    session.refresh(anna)
    assert anna.oidc_subject is None


def test_an_admin_links_a_local_user(client, session, clock, oidc_provider):
    make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("admin", PASSWORD)
    page = f"/admin/users/{bo.id}"
    response = client.post_form(
        f"{page}/sso",
        {"oidc_issuer": oidc_provider.issuer, "oidc_subject": BROKER},
        token_from=page,
    )
    assert response.status_code == 303, response.text
    client.cookies.clear()
    assert sign_in(client, BROKER).status_code == 303
    assert "<dd>bo</dd>" in client.get("/account").text
    session.refresh(bo)
    assert bo.oidc_subject == BROKER
    linking = events(session, "account_linked")[-1]
    assert linking.actor_name == "Ada Admin"


def test_an_identity_links_to_one_user_only(client, session, clock, oidc_provider):
    make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    cai = make_user(session, clock, role="broker", username="cai", full_name="Cai Ek")
    client.login("admin", PASSWORD)
    values = {"oidc_issuer": oidc_provider.issuer, "oidc_subject": BROKER}
    client.post_form(f"/admin/users/{bo.id}/sso", values, token_from=f"/admin/users/{bo.id}")
    response = client.post_form(
        f"/admin/users/{cai.id}/sso", values, token_from=f"/admin/users/{cai.id}"
    )
    assert response.status_code == 409
    assert "redan kopplat" in response.text


# --- local passwords off --------------------------------------------------------------


@pytest.fixture
def passwords_off(app):
    app.state.settings = app.state.settings.model_copy(
        update={"local_passwords": False, "break_glass_admins": "reserv"}
    )


def login_with_password(client, username: str):
    return client.post_form("/login", {"username": username, "password": PASSWORD})


def test_passwords_off_refuses_everyone_but_break_glass_admins(
    passwords_off, client, session, clock
):
    make_user(session, clock, role="admin", username="reserv", full_name="Reserv Admin")
    make_user(session, clock, role="admin", username="ada", full_name="Ada Admin")
    page = client.get("/login")
    assert "Reservinloggning för administratörer" in page.text
    refused = login_with_password(client, "ada")
    assert refused.status_code == 422
    assert "Inloggning med lösenord är avstängd" in refused.text
    assert events(session)[-1].reason == "passwords_off"
    assert login_with_password(client, "reserv").status_code == 303


def test_a_break_glass_name_must_be_an_admin(passwords_off, client, session, clock):
    make_user(session, clock, role="broker", username="reserv", full_name="Reserv Broker")
    assert login_with_password(client, "reserv").status_code == 422


def test_sso_still_works_with_passwords_off(passwords_off, client, session):
    assert sign_in(client, BROKER).status_code == 303


# --- signing out ----------------------------------------------------------------------


def test_sign_out_ends_the_session_here_and_at_the_provider(
    client, session, oidc_provider, provider_browser
):
    assert sign_in(client, BROKER, browser=provider_browser).status_code == 303
    response = client.post_form("/logout", token_from="/")
    assert response.status_code == 303
    end_session = response.headers["location"]
    assert end_session.startswith(oidc_provider.discovery()["end_session_endpoint"])
    query = parse_qs(urlsplit(end_session).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["http://testserver/login"]
    assert client.get("/").status_code in (302, 303, 401)  # no session here
    # At the provider: signed out there, and sent back to our login page.
    assert sign_out_at_provider(end_session, browser=provider_browser).startswith(
        "http://testserver/login"
    )
    # The provider asks for the login name again: its session has ended too.
    again = provider_browser.get(start(client), follow_redirects=True)
    assert "Login name" in again.text
    assert [e.kind for e in events(session, "sign_out")] == ["sign_out"]


def test_a_password_session_signs_out_only_here(client, session, clock):
    make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    response = client.post_form("/logout", token_from="/")
    assert response.headers["location"] == "/login"


# --- nothing secret in the log --------------------------------------------------------


def test_no_token_code_or_secret_reaches_the_security_log(client, session, caplog):
    caplog.set_level(logging.INFO, logger="matcha.security")
    url = start(client)
    back = sign_in_at_provider(url, BROKER)
    pending = client.cookies.get(PENDING_COOKIE)
    assert client.get(callback_path(back)).status_code == 303
    query = parse_qs(urlsplit(back).query)
    secrets = [
        query["code"][0],
        query["state"][0],
        parse_qs(urlsplit(url).query)["nonce"][0],
        parse_qs(urlsplit(url).query)["code_challenge"][0],
        pending,
        client.cookies.get(sessions.SESSION_COOKIE),
        CLIENT_SECRET,
    ]
    session.expire_all()
    stored = [
        str(value)
        for row in session.exec(select(SecurityEvent))
        for value in row.model_dump().values()
    ]
    lines = [
        record.getMessage() + json.dumps(getattr(record, "fields", {}))
        for record in caplog.records
        if record.name == "matcha.security"
    ]
    assert lines and stored
    for secret in secrets:
        assert secret
        assert not any(secret in value for value in stored), secret
        assert not any(secret in line for line in lines), secret
