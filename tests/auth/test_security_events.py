"""What the security log records, through the real routes: role changes, (de)activations,
password resets, exports of personal data, erasures, imports and sessions found over."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlmodel import col, select

from app.auth.models import SecurityEvent
from app.auth.security_log import Kind
from app.exports.csv_format import Dialect
from tests.conftest import Client
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user
from tests.imports.conftest import imported
from tests.imports.test_engine import csv_bytes


def events(session, kind: Kind) -> list[SecurityEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(SecurityEvent)
            .where(SecurityEvent.kind == kind.value)
            .order_by(col(SecurityEvent.id))
        ).all()
    )


def detail(event: SecurityEvent) -> dict:
    return json.loads(event.detail or "{}")


def data_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), dialect=Dialect))[1:]


@pytest.fixture
def admin(client, session, clock):
    user = make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    client.login("admin", PASSWORD)
    return user


def test_a_role_change_names_the_admin_and_both_roles(client, session, clock, admin):
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    page = f"/admin/users/{bo.id}"
    response = client.post_form(f"{page}/role", {"role": "viewer"}, token_from=page)
    assert response.status_code == 303
    [event] = events(session, Kind.role_changed)
    assert (event.user_id, event.username, event.actor_id, event.actor_name) == (
        bo.id,
        "bo",
        admin.id,
        "Ada Admin",
    )
    assert detail(event) == {"from": "broker", "to": "viewer"}
    assert event.succeeded and event.client_ip == "testclient"
    # The same role again changes nothing and tells nothing.
    client.post_form(f"{page}/role", {"role": "viewer"}, token_from=page)
    assert len(events(session, Kind.role_changed)) == 1


def test_deactivation_ends_the_sessions_and_says_so(client, session, clock, admin):
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    with Client(client.app, follow_redirects=False) as bo_client:
        bo_client.login("bo", PASSWORD)
    page = f"/admin/users/{bo.id}"
    client.post_form(f"{page}/active", {"active": "false"}, token_from=page)
    [off] = events(session, Kind.user_deactivated)
    assert (off.user_id, off.actor_id) == (bo.id, admin.id)
    [revoked] = events(session, Kind.sessions_revoked)
    assert (revoked.user_id, revoked.actor_id, revoked.reason, revoked.rows) == (
        bo.id,
        admin.id,
        "deactivated",
        1,
    )
    client.post_form(f"{page}/active", {"active": "true"}, token_from=page)
    [on] = events(session, Kind.user_activated)
    assert (on.user_id, on.actor_id) == (bo.id, admin.id)


def test_a_password_reset_by_an_admin(client, session, clock, admin):
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    page = f"/admin/users/{bo.id}"
    new = "ett-helt-nytt-lösenord"
    client.post_form(
        f"{page}/password", {"password": new, "password_confirm": new}, token_from=page
    )
    [event] = events(session, Kind.password_reset)
    assert (event.user_id, event.actor_id, event.detail) == (bo.id, admin.id, None)
    # Bo had no session open: no sessions_revoked event with nothing in it.
    assert events(session, Kind.sessions_revoked) == []


def test_an_admin_creating_a_user(client, session, clock, admin):
    client.post_form(
        "/admin/users",
        {
            "full_name": "Bo Ek",
            "username": "bo",
            "role": "viewer",
            "password": "tillfälligt-123",
            "password_confirm": "tillfälligt-123",
        },
        token_from="/admin/users/new",
    )
    [event] = events(session, Kind.user_created)
    assert (event.username, event.actor_id, detail(event)) == ("bo", admin.id, {"role": "viewer"})


def test_an_export_tells_the_list_its_filter_and_its_rows(client, session, clock, admin):
    for name in ("Bygg AB", "Bygg & Måleri HB", "Café Ost"):
        company = make_company(session, clock, user=admin, name=name)
        make_contact(session, clock, company, admin, name=f"Kontakt på {name}")
    response = client.get("/contacts/export.csv?q=Bygg&sort=-name&page=1")
    assert response.status_code == 200
    rows = data_rows(response.content)
    assert len(rows) == 2
    [event] = events(session, Kind.export)
    assert (event.user_id, event.username, event.rows, event.succeeded) == (
        admin.id,
        "admin",
        2,
        True,
    )
    assert detail(event) == {"list": "contacts", "format": "csv", "filters": {"q": "Bygg"}}


@pytest.mark.parametrize(
    ("path", "list_name"),
    [
        ("/companies/export.xlsx", "companies"),
        ("/assignments/export.csv", "assignments"),
        ("/agreements/export.csv", "agreements"),
        ("/events/export.csv", "events"),
        ("/tracks/export.csv", "tracks"),
    ],
)
def test_every_list_of_personal_data_is_logged(client, session, clock, admin, path, list_name):
    make_company(session, clock, user=admin, name="Bygg AB")
    assert client.get(path).status_code == 200
    [event] = events(session, Kind.export)
    assert detail(event)["list"] == list_name
    assert detail(event)["format"] == path.rsplit(".", 1)[1]


def test_a_company_activities_export_names_the_company(client, session, clock, admin):
    company = make_company(session, clock, user=admin, name="Bygg AB")
    client.get(f"/companies/{company.id}/activities.csv")
    [event] = events(session, Kind.export)
    assert detail(event)["filters"] == {"company_id": company.id}
    assert event.rows == 0


def test_a_report_export_is_not_logged(client, session, clock, admin):
    assert client.get("/reports/companies.csv").status_code == 200
    assert events(session, Kind.export) == []


def test_an_imports_failed_rows_are_an_export(client, session, clock, admin):
    data = csv_bytes("Företagsnamn;Ort", "Bygg AB;Umeå", ";Luleå")
    job = imported(session, clock, admin, data, "foretag.csv", "companies")
    body = client.get(f"/imports/{job.id}/failed.csv").content
    [event] = events(session, Kind.export)
    assert event.rows == len(data_rows(body)) == 1
    assert detail(event) == {
        "list": "import_failed_rows",
        "format": "csv",
        "filters": {"import_id": job.id},
    }


def test_an_erasure_names_the_contact_by_id_only(client, session, clock, admin):
    company = make_company(session, clock, user=admin, name="Bygg AB")
    contact = make_contact(session, clock, company, admin, name="Greta Gårdsdotter")
    contact_id = contact.id
    confirm = f"/contacts/{contact_id}/erase"
    assert client.post_form(confirm, token_from=confirm).status_code == 303
    [event] = events(session, Kind.erasure)
    assert detail(event) == {"entity": "contact", "id": contact_id}
    assert event.user_id == admin.id
    every_column = [str(getattr(event, name)) for name in SecurityEvent.model_fields]
    assert not any("Greta" in value for value in every_column)


def test_an_import_and_its_undo(client, session, clock, admin):
    data = csv_bytes("Företagsnamn;Ort", "Bygg AB;Umeå", "Måleri HB;Luleå")
    job = imported(session, clock, admin, data, "foretag.csv", "companies")
    [committed] = events(session, Kind.import_committed)
    assert committed.user_id == admin.id and committed.rows == 2
    assert detail(committed) == {
        "import_id": job.id,
        "file_name": "foretag.csv",
        "kind": "companies",
        "created": 2,
        "updated": 0,
        "failed": 0,
    }
    page = f"/imports/{job.id}"
    assert client.post_form(f"{page}/undo", token_from=page).status_code == 303
    [undone] = events(session, Kind.import_undone)
    assert (undone.user_id, undone.rows) == (admin.id, 2)
    assert detail(undone) == {"import_id": job.id, "file_name": "foretag.csv", "kind": "companies"}


@pytest.mark.parametrize(
    ("later", "reason"),
    [(dt.timedelta(hours=13), "expired"), (dt.timedelta(hours=3), "idle")],
)
def test_a_session_found_over_is_ended_and_told(client, session, clock, admin, later, reason):
    clock.advance(later)
    assert client.get("/").status_code == 303  # to the login page
    [event] = events(session, Kind.session_ended)
    assert (event.user_id, event.reason) == (admin.id, reason)


def test_a_session_of_a_deactivated_user(client, session, clock, admin):
    admin.is_active = False
    session.add(admin)
    session.commit()
    assert client.get("/").status_code == 303
    [event] = events(session, Kind.session_ended)
    assert event.reason == "deactivated"
