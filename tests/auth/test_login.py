"""Login, logout and server-side sessions: cookie flags, expiry, revocation."""

import datetime as dt
import hashlib

from sqlmodel import select

from app.auth.models import UserSession
from app.auth.sessions import SESSION_COOKIE
from tests.factories import PASSWORD, make_user


def test_login_opens_a_server_side_session_with_a_safe_cookie(client, session, clock):
    user = make_user(session, clock, username="anna")
    token = client.csrf_token("/login")
    response = client.post(
        "/login", data={"csrf_token": token, "username": " ANNA ", "password": PASSWORD}
    )
    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    row = session.exec(select(UserSession)).one()
    assert row.user_id == user.id
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.token_hash


def test_secure_cookie_when_configured(client, session, clock, app):
    app.state.settings.secure_cookies = True
    make_user(session, clock, username="anna")
    token = client.csrf_token("/login")
    response = client.post(
        "/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD}
    )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "Secure" in cookie


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, session, clock):
    make_user(session, clock, username="anna")
    for username, password in (("anna", "fel lösenord!"), ("okänd", PASSWORD)):
        token = client.csrf_token("/login")
        response = client.post(
            "/login", data={"csrf_token": token, "username": username, "password": password}
        )
        assert response.status_code == 422
        assert "Fel användarnamn eller lösenord." in response.text
    assert session.exec(select(UserSession)).first() is None


def test_deactivated_user_cannot_log_in(client, session, clock):
    make_user(session, clock, username="anna", is_active=False)
    token = client.csrf_token("/login")
    response = client.post(
        "/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD}
    )
    assert response.status_code == 422


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, session, clock):
    make_user(session, clock, username="anna", role="admin")
    assert client.get("/admin/users").headers["location"] == "/login?next=/admin/users"
    for asked, landed in (
        ("/admin/users", "/admin/users"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        client.cookies.clear()
        token = client.csrf_token("/login")
        response = client.post(
            "/login",
            data={"csrf_token": token, "username": "anna", "password": PASSWORD, "next": asked},
        )
        assert response.headers["location"] == landed, asked


def test_logout_revokes_the_session(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    stolen = client.cookies.get(SESSION_COOKIE)
    token = client.csrf_token("/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert session.exec(select(UserSession)).first() is None
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/account").status_code == 303


def test_idle_session_expires(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    clock.advance(dt.timedelta(minutes=119))
    assert client.get("/account").status_code == 200  # activity keeps it alive
    clock.advance(dt.timedelta(minutes=119))
    assert client.get("/account").status_code == 200
    clock.advance(dt.timedelta(minutes=121))
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert session.exec(select(UserSession)).first() is None


def test_session_ends_at_its_absolute_limit_even_when_active(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    for _ in range(11):
        clock.advance(dt.timedelta(hours=1))
        assert client.get("/account").status_code == 200
    clock.advance(dt.timedelta(hours=1))
    assert client.get("/account").status_code == 303


def test_htmx_request_without_session_is_sent_to_login(client, session, clock):
    make_user(session, clock, username="anna")
    response = client.get("/account", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/login"
