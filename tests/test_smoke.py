from tests.factories import PASSWORD, make_user


def test_admin_lands_on_user_list(client, session, clock):
    make_user(session, clock, role="admin", username="admin")
    client.login("admin", PASSWORD)
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert "Användare" in page.text
