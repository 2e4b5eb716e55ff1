"""The admin's user management: create, change role, deactivate, reset password."""

from sqlmodel import select

from app.auth.models import Role, User, UserSession
from app.auth.passwords import verify_password
from app.events import feed as calendar_feed
from tests.conftest import Client
from tests.factories import PASSWORD, make_user


def as_admin(client, session, clock):
    admin = make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    client.login("admin", PASSWORD)
    return admin


def test_user_list_in_swedish_order_active_first(client, session, clock):
    as_admin(client, session, clock)
    for name in ("Östen Ek", "Zara Al", "Åke Berg", "Ärla Lund"):
        make_user(session, clock, full_name=name)
    make_user(session, clock, full_name="Bo Borta", is_active=False)
    page = client.get("/admin/users").text
    order = [
        page.index(name)
        for name in ("Ada Admin", "Zara Al", "Åke Berg", "Ärla Lund", "Östen Ek", "Bo Borta")
    ]
    assert order == sorted(order)
    assert "Inaktiverad" in page


def test_admin_creates_a_broker(client, session, clock):
    as_admin(client, session, clock)
    response = client.post_form(
        "/admin/users",
        {
            "full_name": "Bo Ek",
            "username": "bo.ek",
            "email": "bo@kommun.example",
            "role": "broker",
            "password": "tillfälligt-123",
            "password_confirm": "tillfälligt-123",
        },
        token_from="/admin/users/new",
    )
    assert response.status_code == 303
    user = session.exec(select(User).where(User.username == "bo.ek")).one()
    assert user.role == Role.broker
    assert "Användaren Bo Ek är skapad." in client.get("/admin/users").text


def test_duplicate_username_is_a_conflict_and_keeps_the_form(client, session, clock):
    as_admin(client, session, clock)
    make_user(session, clock, username="bo.ek")
    response = client.post_form(
        "/admin/users",
        {
            "full_name": "Bo Ek",
            "username": "Bo.Ek",
            "role": "broker",
            "password": "tillfälligt-123",
            "password_confirm": "tillfälligt-123",
        },
        token_from="/admin/users/new",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Användarnamnet är redan taget." in response.text
    assert 'value="Bo Ek"' in response.text
    assert len(session.exec(select(User).where(User.username == "bo.ek")).all()) == 1


def test_create_user_validates_every_field(client, session, clock):
    as_admin(client, session, clock)
    cases = [
        ({"full_name": ""}, "Ange namn."),
        ({"username": "x"}, "Användarnamnet ska vara 2–64 tecken"),
        ({"username": "har mellanslag"}, "Användarnamnet ska vara 2–64 tecken"),
        ({"email": "inte-en-adress"}, "E-postadressen ser inte rätt ut."),
        ({"role": "superuser"}, "Välj en roll."),
        ({"password": "kort", "password_confirm": "kort"}, "minst 10 tecken"),
    ]
    valid = {
        "full_name": "Bo Ek",
        "username": "bo",
        "role": "broker",
        "password": "tillfälligt-123",
        "password_confirm": "tillfälligt-123",
    }
    for change, message in cases:
        response = client.post_form(
            "/admin/users", {**valid, **change}, token_from="/admin/users/new"
        )
        assert response.status_code == 422, change
        assert message in response.text, change
    assert session.exec(select(User).where(User.username == "bo")).first() is None


def test_deactivating_a_user_ends_their_sessions_and_blocks_login(app, client, session, clock):
    as_admin(client, session, clock)
    broker = make_user(session, clock, username="bo")
    with Client(app, follow_redirects=False) as brokers_browser:
        brokers_browser.login("bo", PASSWORD)
        response = client.post_form(
            f"/admin/users/{broker.id}/active", {"active": "false"}, token_from="/account"
        )
        assert response.status_code == 303
        assert brokers_browser.get("/account").status_code == 303
        assert (
            session.exec(select(UserSession).where(UserSession.user_id == broker.id)).first()
            is None
        )
        token = brokers_browser.csrf_token("/login")
        refused = brokers_browser.post(
            "/login", data={"csrf_token": token, "username": "bo", "password": PASSWORD}
        )
        assert refused.status_code == 422
    client.post_form(f"/admin/users/{broker.id}/active", {"active": "true"}, token_from="/account")
    session.refresh(broker)
    assert broker.is_active


def test_admin_cannot_deactivate_themselves_or_remove_the_last_admin(client, session, clock):
    admin = as_admin(client, session, clock)
    response = client.post_form(
        f"/admin/users/{admin.id}/active",
        {"active": "false"},
        token_from="/account",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Du kan inte inaktivera dig själv." in response.text
    response = client.post_form(
        f"/admin/users/{admin.id}/role", {"role": "broker"}, token_from="/account"
    )
    assert response.status_code == 409
    assert "Det måste finnas minst en aktiv administratör." in response.text
    session.refresh(admin)
    assert admin.role == Role.admin and admin.is_active


def test_change_role(client, session, clock):
    as_admin(client, session, clock)
    broker = make_user(session, clock, username="bo")
    response = client.post_form(
        f"/admin/users/{broker.id}/role", {"role": "viewer"}, token_from="/account"
    )
    assert response.status_code == 303
    session.refresh(broker)
    assert broker.role == Role.viewer


def test_reset_password_ends_the_users_sessions(app, client, session, clock):
    as_admin(client, session, clock)
    broker = make_user(session, clock, username="bo")
    with Client(app, follow_redirects=False) as brokers_browser:
        brokers_browser.login("bo", PASSWORD)
        response = client.post_form(
            f"/admin/users/{broker.id}/password",
            {"password": "helt-nytt-lösen", "password_confirm": "helt-nytt-lösen"},
            token_from="/account",
        )
        assert response.status_code == 303
        assert brokers_browser.get("/account").status_code == 303
        brokers_browser.login("bo", "helt-nytt-lösen")
    session.refresh(broker)
    assert verify_password(broker.password_hash, "helt-nytt-lösen")


def test_unknown_user_is_404(client, session, clock):
    as_admin(client, session, clock)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/users/abc").status_code == 404
    page = client.get("/admin/users/999999")
    assert "Sidan finns inte" in page.text


def test_a_reactivated_user_needs_a_new_calendar_feed(app, client, session, clock):
    """Deactivating ends the feed too: the old address, perhaps still in a phone's calendar,
    stays dead when the user comes back; they make a new one."""
    as_admin(client, session, clock)
    broker = make_user(session, clock, username="bo")
    token = calendar_feed.create(broker, session=session, clock=clock)
    session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    client.post_form(f"/admin/users/{broker.id}/active", {"active": "false"}, token_from="/account")
    client.post_form(f"/admin/users/{broker.id}/active", {"active": "true"}, token_from="/account")
    session.refresh(broker)
    assert broker.is_active
    assert calendar_feed.active_token(broker, session=session) is None
    assert client.get(f"/calendar/{token}.ics").status_code == 404
