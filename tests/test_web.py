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


def test_what_a_signed_in_user_sees_is_not_stored(client, session, clock):
    """Back or a shared computer's cache showed a company page without the call just
    logged; signed-in answers say no-store. The login page and static files may be kept."""
    assert "no-store" not in client.get("/login").headers.get("cache-control", "")
    assert "no-store" not in client.get("/static/matcha.css").headers.get("cache-control", "")
    make_user(session, clock, username="anna")
    client.login("anna", PASSWORD)
    for path in ("/", "/companies", "/account", "/companies/export.csv"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_a_body_over_the_limit_is_refused_before_it_is_read(settings, clock, engine, session):
    """An anonymous 400 MB POST to /login was read and spooled before the CSRF check
    refused it. The limit is the import's and a megabyte (here 1 + 1 MB)."""
    from app.db import get_session

    settings.import_max_mb = 1
    assert settings.request_max_bytes() == 2 * 1024 * 1024
    app = create_app(settings, clock=clock, engine=engine)
    app.dependency_overrides[get_session] = lambda: session
    big = {"username": "x", "password": "y" * (3 * 1024 * 1024)}
    with Client(app, follow_redirects=False) as anonymous:
        response = anonymous.post("/login", data=big)
        assert response.status_code == 413  # not 403: the CSRF check never read it
        assert "högst 2 MB" in response.text

        def chunks():  # no Content-Length: counted as it arrives
            yield b"username=x&password="
            for _ in range(3 * 16):
                yield b"y" * 65536

        streamed = anonymous.post(
            "/login",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
        make_user(session, clock, username="anna")
        anonymous.login("anna", PASSWORD)
        token = anonymous.csrf_token("/account")
        refused = anonymous.post(
            "/companies",
            data={"name": "Stor AB", "notes": "x" * (3 * 1024 * 1024)},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
    assert refused.status_code == 413
    assert refused.headers["hx-reswap"] == "none"
    message = json.loads(refused.headers["hx-trigger"])["matcha:refused"]["message"]
    assert message.startswith("Det du skickade är större än Matcha tar emot (högst 2 MB)")
