"""The web shell: fragment-or-page rendering, error pages, headers, health, request logs."""

import json
import logging

from sqlalchemy import create_engine

from app.db import get_session
from app.main import create_app
from tests.conftest import Client
from tests.factories import PASSWORD, make_user


def test_page_or_fragment_is_decided_by_htmx_headers(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    bad = {"current_password": "fel", "password": "a" * 12, "password_confirm": "a" * 12}
    whole = client.post_form("/account/password", bad, token_from="/account")
    assert "<html" in whole.text
    fragment = client.post_form(
        "/account/password", bad, token_from="/account", headers={"HX-Request": "true"}
    )
    assert fragment.text.lstrip().startswith('<form id="password-form"')
    boosted = client.post_form(
        "/account/password",
        bad,
        token_from="/account",
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert "<html" in boosted.text
    restore = client.get(
        "/account", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text
    for response in (whole, fragment, boosted, restore):
        assert response.headers["Vary"] == "HX-Request"


def test_successful_htmx_post_redirects_with_hx_redirect(client, session, clock):
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    response = client.post_form(
        "/account/locale", {"locale": "sv"}, token_from="/account", headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/account"


def test_unknown_page_is_a_friendly_404_inside_the_layout(client, session, clock):
    make_user(session, clock, username="anna")
    assert client.get("/finns/inte").headers["location"] == "/login?next=/finns/inte"
    client.login("anna", PASSWORD)
    page = client.get("/finns/inte")
    assert page.status_code == 404
    assert "Sidan finns inte" in page.text
    assert "Logga ut" in page.text, "the signed-in user keeps the navigation"
    assert client.get("/static/matcha.css").status_code == 200


def test_security_headers_on_every_answer(client):
    for path in ("/setup", "/healthz", "/static/matcha.css"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_unhandled_error_shows_the_500_page(app):
    def database_gone():
        raise RuntimeError("boom")

    app.dependency_overrides[get_session] = database_gone
    with Client(app, raise_server_exceptions=False) as tolerant:
        response = tolerant.get("/login")
    assert response.status_code == 500
    assert "Något gick fel" in response.text
    assert "boom" not in response.text


def test_health_reports_app_and_database(client, settings, clock, tmp_path):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    broken_app = create_app(settings, clock=clock, engine=unreachable)
    with Client(broken_app) as broken:
        response = broken.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_request_log_is_structured_and_never_holds_secrets(client, session, clock, caplog):
    user = make_user(session, clock, username="anna")
    with caplog.at_level(logging.INFO, logger="matcha.request"):
        client.login("anna", PASSWORD)
        client.get("/account")
    records = [r for r in caplog.records if r.name == "matcha.request"]
    account = next(r for r in records if r.fields["path"] == "/account")
    assert account.fields["method"] == "GET"
    assert account.fields["status"] == 200
    assert account.fields["user_id"] == user.id
    assert isinstance(account.fields["duration_ms"], float)
    from app.observability import JsonFormatter

    lines = "\n".join(JsonFormatter().format(r) for r in records)
    assert json.loads(lines.splitlines()[-1])["path"] == "/account"
    assert PASSWORD not in lines
    assert "matcha_session" not in lines and "csrf" not in lines
