"""First run: with no user, every page leads to setup; afterwards setup is gone."""

from sqlmodel import select

from app.auth.models import Role, User
from app.auth.passwords import verify_password
from tests.factories import make_user


def test_every_page_leads_to_setup_when_there_is_no_user(client):
    for path in ("/", "/login", "/account", "/admin/users", "/admin/users/1"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/setup", path
    page = client.get("/setup")
    assert page.status_code == 200
    assert "Skapa administratör" in page.text


def test_setup_creates_the_first_admin_and_signs_them_in(client, session):
    token = client.csrf_token("/setup")
    response = client.post(
        "/setup",
        data={
            "csrf_token": token,
            "full_name": "  Åsa   Öberg ",
            "username": "Asa.Oberg",
            "email": "asa@kommun.example",
            "password": "ett långt lösenord",
            "password_confirm": "ett långt lösenord",
        },
    )
    assert response.status_code == 303
    admin = session.exec(select(User)).one()
    assert (admin.username, admin.full_name, admin.role) == ("asa.oberg", "Åsa Öberg", Role.admin)
    assert admin.password_hash.startswith("$argon2id$")
    assert verify_password(admin.password_hash, "ett långt lösenord")
    landing = client.get("/", follow_redirects=True)
    assert landing.url.path == "/"
    assert "Välkommen! Du är nu administratör för Matcha." in landing.text
    # The flash is shown once.
    assert "Välkommen!" not in client.get("/").text


def test_setup_is_gone_once_a_user_exists(client, session, clock):
    token = client.csrf_token("/setup")
    make_user(session, clock, role="admin")
    assert client.get("/setup").status_code == 404
    response = client.post(
        "/setup",
        data={
            "csrf_token": token,
            "full_name": "Eve",
            "username": "eve",
            "password": "x" * 12,
            "password_confirm": "x" * 12,
        },
    )
    assert response.status_code == 404
    assert session.exec(select(User).where(User.username == "eve")).first() is None


def post_setup(client, headers=None, **fields):
    form = {"full_name": "Kim Ek", "username": "kim", **fields}
    return client.post_form("/setup", form, token_from="/setup", headers=headers or {})


def test_setup_explains_bad_input_in_swedish_and_keeps_what_was_typed(client, session):
    response = post_setup(
        client, password="kort", password_confirm="kort", headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Lösenordet måste ha minst 10 tecken." in response.text
    assert 'value="Kim Ek"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<html" not in response.text, "an htmx request gets the form alone"
    assert session.exec(select(User)).first() is None


def test_setup_rejects_mismatched_passwords(client, session):
    response = post_setup(
        client, password="ett långt lösenord", password_confirm="ett annat lösenord"
    )
    assert response.status_code == 422
    assert "Lösenorden stämmer inte överens." in response.text
    assert "<html" in response.text, "a plain form post gets the whole page"
    assert session.exec(select(User)).first() is None
