"""The security log itself: only appended to (triggers on the engine under test), the
retention purge, the JSON line after the commit, and nothing secret in it."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from app.auth import security_log
from app.auth.models import SecurityEvent, SecurityLogPurge
from app.auth.security_log import Kind
from app.clock import STOCKHOLM
from tests.conftest import Client
from tests.factories import PASSWORD, make_user

SECURITY = "matcha.security"


def lines(caplog) -> list[dict]:
    return [record.fields for record in caplog.records if record.name == SECURITY]


def refused(session, statement, message: str) -> None:
    """The statement is refused by a trigger, in a savepoint so the test goes on."""
    savepoint = session.begin_nested()
    with pytest.raises(DBAPIError, match=message):
        session.execute(statement)
    savepoint.rollback()


def test_an_event_cannot_be_changed_or_deleted(session, clock):
    event = security_log.record(session, Kind.export, clock=clock, username="bo", rows=3)
    session.commit()
    assert event.id
    refused(
        session,
        update(SecurityEvent).where(col(SecurityEvent.id) == event.id).values(rows=0),
        "append-only",
    )
    refused(session, delete(SecurityEvent).where(col(SecurityEvent.id) == event.id), "append-only")
    # Nor by plain SQL, however it is put.
    refused(session, text("DELETE FROM security_event"), "append-only")
    session.expire_all()
    assert session.get(SecurityEvent, event.id).rows == 3


def test_the_purge_removes_only_what_is_older_than_the_months_kept(session, clock, caplog):
    def at(day: dt.date, username: str) -> int:
        clock.set(dt.datetime.combine(day, dt.time(12), tzinfo=STOCKHOLM))
        event = security_log.record(session, Kind.export, clock=clock, username=username)
        session.flush()
        return event.id

    old = at(dt.date(2025, 1, 10), "gammal")
    kept = at(dt.date(2025, 6, 10), "kvar")
    session.commit()
    clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=SECURITY):
        assert security_log.purge(session=session, clock=clock, months=12) == 1
        session.commit()
    session.expire_all()
    assert session.get(SecurityEvent, old) is None
    assert session.get(SecurityEvent, kept) is not None
    [purged] = session.exec(select(SecurityEvent).where(SecurityEvent.kind == "log_purged")).all()
    assert purged.rows == 1
    assert json.loads(purged.detail or "") == {"before": "2025-03-02", "months": 12}
    assert [line["event"] for line in lines(caplog)] == ["log_purged"]
    # Nothing more to purge: no write, no event.
    assert security_log.purge(session=session, clock=clock, months=12) == 0
    # The line the purge drew only moves forward: what it released stays released...
    refused(
        session,
        update(SecurityLogPurge).values(purge_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        "only moves forward",
    )
    # ...and what it kept cannot be deleted.
    refused(session, delete(SecurityEvent).where(col(SecurityEvent.id) == kept), "append-only")
    refused(session, delete(SecurityLogPurge), "security_log_purge")


def test_the_line_follows_the_commit_and_not_a_rollback(session, clock, caplog):
    user = make_user(session, clock, username="bo", full_name="Bo Ek")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=SECURITY):
        security_log.record(session, Kind.role_changed, clock=clock, user=user, detail={"to": "x"})
        assert lines(caplog) == []  # not yet: the change may still be rolled back
        session.commit()
        [line] = lines(caplog)
        assert line["event"] == "role_changed"
        assert (line["user_id"], line["username"], line["detail"]) == (user.id, "bo", {"to": "x"})
        caplog.clear()
        security_log.record(session, Kind.user_deactivated, clock=clock, user=user)
        session.rollback()
        session.commit()
        assert lines(caplog) == []
    assert not session.exec(
        select(SecurityEvent).where(SecurityEvent.kind == "user_deactivated")
    ).all()


@pytest.mark.parametrize("key", ["password", "new_password", "token", "client_secret", "code"])
def test_a_detail_that_sounds_secret_is_refused(session, clock, key):
    with pytest.raises(ValueError, match="secret"):
        security_log.record(session, Kind.export, clock=clock, detail={key: "x"})


def test_no_password_ever_appears(client, session, clock, caplog):
    secret = "Hemligt-Lösenord-4711"
    admin = make_user(session, clock, role="admin", username="admin", full_name="Ada Admin")
    bo = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    with caplog.at_level(logging.DEBUG):
        # Failed sign-ins with it, as a password and as a user name.
        client.post_form("/login", {"username": "bo", "password": secret})
        client.post_form("/login", {"username": secret, "password": secret})
        # An admin resets Bo's password to it (Bo signed in elsewhere, so sessions end).
        with Client(client.app, follow_redirects=False) as bo_client:
            bo_client.login("bo", PASSWORD)
            client.login("admin", PASSWORD)
            page = f"/admin/users/{bo.id}"
            reset = {"password": secret, "password_confirm": secret}
            assert client.post_form(f"{page}/password", reset, token_from=page).status_code == 303
            # Bo changes it to another one with it in it.
            bo_client.login("bo", secret)
            changed = {
                "current_password": secret,
                "password": secret + "-2",
                "password_confirm": secret + "-2",
            }
            response = bo_client.post_form("/account/password", changed, token_from="/account")
            assert response.status_code == 303
    session.expire_all()
    stored = session.exec(select(SecurityEvent)).all()
    kinds = {event.kind for event in stored}
    assert {"password_reset", "password_changed", "sessions_revoked"} <= kinds
    for event in stored:
        for name in SecurityEvent.model_fields:
            assert "Hemligt" not in str(getattr(event, name)), (event.kind, name)
    logged = [(record.getMessage(), record.__dict__) for record in caplog.records]
    assert any(record.name == SECURITY for record in caplog.records)
    for message, fields in logged:
        assert "Hemligt" not in message
        assert "Hemligt" not in json.dumps(fields.get("fields", {}), default=str)
    assert admin.id
