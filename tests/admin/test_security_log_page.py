"""The security log page for admins: filters, paging, the export (itself logged), and who
may open it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlmodel import select

from app.admin.security_log import PAGE_SIZE
from app.auth import security_log
from app.auth.models import SecurityEvent
from app.auth.security_log import Kind
from app.clock import STOCKHOLM
from app.exports.csv_format import Dialect
from tests import statements
from tests.factories import PASSWORD, make_user

PAGE = "/admin/security-log"


@pytest.fixture
def admin(client, session, clock):
    user = make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    client.login("admin", PASSWORD)
    return user


def at(clock, day: int, hour: int = 10) -> None:
    clock.set(dt.datetime(2026, 2, day, hour, 0, tzinfo=STOCKHOLM))


@pytest.fixture
def logged(session, clock, admin):
    """A few events on different days: Bo's role changed by Ada, an export by Bo, an
    erasure, a failed password change."""
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    at(clock, 2)
    security_log.record(
        session,
        Kind.role_changed,
        clock=clock,
        user=bo,
        actor=admin,
        detail={"from": "broker", "to": "viewer"},
    )
    at(clock, 10)
    security_log.record(
        session,
        Kind.export,
        clock=clock,
        user=bo,
        detail={"list": "contacts", "format": "csv", "filters": {"q": "bygg"}},
        rows=12,
    )
    at(clock, 20, hour=23)  # 22:00 UTC: still the 20th in Stockholm
    security_log.record(
        session, Kind.erasure, clock=clock, user=admin, detail={"entity": "contact", "id": 7}
    )
    security_log.record(
        session, Kind.session_ended, clock=clock, succeeded=False, reason="idle", user=bo
    )
    session.commit()
    clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM))
    return bo


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return body.split("<tr>")[1:]


def test_the_admin_sees_the_log_newest_first(client, session, clock, admin, logged):
    page = client.get(PAGE).text
    rows = rows_of(page)
    # Newest: the admin's own sign-in, from the test client's address.
    assert "Inloggning" in rows[0] and "admin" in rows[0] and "testclient" in rows[0]
    assert "Session avslutad" in rows[1] and "inaktiv för länge" in rows[1]
    assert "Misslyckades" in rows[1]
    assert "Radering (GDPR)" in rows[2] and "kontaktperson nr 7" in rows[2]
    assert "2026-02-20 23:00" in rows[2]  # Stockholm time
    assert "Kontaktpersoner (CSV)" in rows[3] and "q=bygg" in rows[3] and "12 rader" in rows[3]
    assert "Roll ändrad" in rows[4] and "Jobbmäklare → Läsbehörighet" in rows[4]
    assert "Ada Admin" in rows[4] and "bo" in rows[4]
    assert all("testclient" not in row for row in rows[1:])  # recorded outside a request


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("kind=export", ["export"]),
        ("outcome=failed", ["session_ended"]),
        ("outcome=ok&user=ad", ["sign_in", "erasure", "role_changed"]),
        ("user=BO", ["session_ended", "export", "role_changed"]),
        ("start=2026-02-10&end=2026-02-20", ["session_ended", "erasure", "export"]),
        ("end=2026-02-09", ["role_changed"]),
        ("start=2026-02-21", ["sign_in"]),
        ("kind=nonsense", ["sign_in", "session_ended", "erasure", "export", "role_changed"]),
    ],
)
def test_the_filters(client, session, clock, admin, logged, query, kinds):
    page = client.get(f"{PAGE}?{query}").text
    labels = {kind.value: label for kind, label in security_log.KIND_LABELS.items()}
    shown = rows_of(page)
    assert len(shown) == len(kinds)
    for row, kind in zip(shown, kinds, strict=True):
        assert labels[kind] in row


def test_an_unreadable_date_is_said_and_left_out(client, session, clock, admin, logged):
    response = client.get(f"{PAGE}?start=trettonde+månaden")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert len(rows_of(response.text)) == 5  # the four, and the admin's sign-in


@pytest.mark.parametrize("role", ["broker", "viewer"])
def test_only_admins_may_open_it(client, session, clock, role):
    make_user(session, clock, role=role, username="someone")
    client.login("someone", PASSWORD)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}.csv").status_code == 403
    assert "/admin/security-log" not in client.get("/").text


def test_the_users_page_links_to_it(client, session, clock, admin):
    assert f'href="{PAGE}"' in client.get("/admin/users").text


def test_the_export_has_the_filtered_rows_and_is_itself_logged(
    client, session, clock, admin, logged
):
    response = client.get(f"{PAGE}.csv?user=bo&kind=&page=3")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="sakerhetslogg-2026-03-02.csv"'
    )
    header, *rows = csv.reader(
        io.StringIO(response.content.decode("utf-8-sig"), newline=""), dialect=Dialect
    )
    assert header[:3] == ["Tid", "Händelse", "Lyckades"]
    assert [row[1] for row in rows] == [
        "Session avslutad",
        "Export med personuppgifter",
        "Roll ändrad",
    ]
    assert rows[0][0] == "2026-02-20 23:00"
    assert json.loads(rows[1][-1])["filters"] == {"q": "bygg"}
    session.expire_all()
    [export] = session.exec(
        select(SecurityEvent).where(
            SecurityEvent.kind == "export", SecurityEvent.user_id == admin.id
        )
    ).all()
    assert export.rows == 3
    assert json.loads(export.detail or "") == {
        "list": "security_log",
        "format": "csv",
        "filters": {"user": "bo"},
    }
    # ...and the page shows it now.
    assert "Säkerhetsloggen (CSV)" in rows_of(client.get(PAGE).text)[0]


def test_paging_and_constant_statements(client, session, clock, engine, admin):
    def add(count: int) -> None:
        for number in range(count):
            security_log.record(
                session,
                Kind.export,
                clock=clock,
                user=admin,
                detail={"list": "contacts", "format": "csv", "filters": {"n": number}},
                rows=number,
            )
        session.commit()

    def page():
        assert client.get(f"{PAGE}?page=2").status_code == 200

    add(2 * PAGE_SIZE + 5)  # page 2 is not the last: the list counts what it found
    few = statements.count(engine, page)
    add(3 * PAGE_SIZE)
    assert statements.count(engine, page) == few
    first = client.get(PAGE).text
    assert len(rows_of(first)) == PAGE_SIZE and 'rel="next"' in first
    assert "Över" in first or "256 händelser" in first  # and the admin's sign-in
