"""A user's own account: change password, choose language."""

from sqlmodel import select

from app.auth.models import UserSession
from app.auth.passwords import verify_password
from tests.conftest import Client
from tests.factories import PASSWORD, make_user


def test_change_own_password_keeps_this_session_and_ends_the_others(app, client, session, clock):
    user = make_user(session, clock, username="anna", role="viewer")
    client.login("anna", PASSWORD)
    with Client(app, follow_redirects=False) as other_browser:
        other_browser.login("anna", PASSWORD)
        response = client.post_form(
            "/account/password",
            {
                "current_password": PASSWORD,
                "password": "ett nytt lösenord",
                "password_confirm": "ett nytt lösenord",
            },
            token_from="/account",
        )
        assert response.status_code == 303
        assert client.get("/account").status_code == 200
        assert other_browser.get("/account").status_code == 303
    session.refresh(user)
    assert verify_password(user.password_hash, "ett nytt lösenord")
    assert len(session.exec(select(UserSession)).all()) == 1


def test_change_own_password_needs_the_current_one(client, session, clock):
    user = make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    response = client.post_form(
        "/account/password",
        {
            "current_password": "gissat lösen",
            "password": "ett nytt lösenord",
            "password_confirm": "ett nytt lösenord",
        },
        token_from="/account",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Nuvarande lösenord stämmer inte." in response.text
    session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_unknown_locale_is_refused(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    response = client.post_form("/account/locale", {"locale": "xx"}, token_from="/account")
    assert response.status_code == 422
    assert "Välj ett språk." in response.text
