"""Logging a call from a row of Min dag: "Logga samtal" opens the call-log form in the row
(htmx; without JavaScript the company page's form), saving logs the activity on that
company with its own follow-up and, ticked by default, marks the row's follow-up done in
the same transaction; a refusal is shown in the row with what was typed; who may."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import col, select

from app.activities.models import Activity
from app.history.models import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.today.conftest import owned_by
from tests.today.test_routes import (
    HTMX,
    TODAY,
    follow_up,
    follow_ups_on,
    post,
    reload,
    row,
)

CALL = {"kind": "call", "notes": "Pratade med Åsa om sommarjobben", "done": "1"}


def log_path(activity):
    return f"/today/follow-ups/{activity.id}/log"


def logged(session, company):
    """The company's activities, oldest first."""
    session.expire_all()
    statement = select(Activity).where(Activity.company_id == company.id)
    return list(session.exec(statement.order_by(col(Activity.id))).all())


@pytest.fixture
def due(session, clock, bo, company):
    return follow_up(session, clock, company, bo, TODAY - dt.timedelta(days=3), notes="Ring Åsa")


def test_logga_samtal_opens_the_form_in_the_row(client, session, clock, bo, company, due):
    html = row(follow_ups_on(client), due)
    # A real link (no JavaScript: the company page's form), htmx fetches the form instead.
    link = re.search(r'<a href="([^"]+)" role="button"[^>]*hx-get="([^"]+)"', html)
    assert link and link.groups() == (
        f"/companies/{company.id}?log=1#activity-add-form",
        log_path(due),
    )
    assert '>Logga samtal<span class="visually-hidden">: Ängelholms Bygg AB</span>' in html

    response = client.get(log_path(due), headers=HTMX)
    assert response.status_code == 200
    form = response.text
    assert form.lstrip().startswith(f'<li id="follow-up-{due.id}"')
    assert f'<form class="follow-up-log" method="post" action="{log_path(due)}"' in form
    assert 'aria-label="Logga kontakt med Ängelholms Bygg AB"' in form
    assert f'id="follow-up-{due.id}-log-notes" name="notes"' in form and " autofocus" in form
    assert '<input type="radio" name="kind" value="call" checked>' in form
    assert (
        '<input type="checkbox" name="done" value="1" checked> Markera återkopplingen klar' in form
    )
    assert 'class="follow-up-log-cancel"' in form
    assert ">Logga samtal<" not in form  # the link gives way to the form


def test_without_javascript_the_company_pages_form_opens(client, company, due):
    response = client.get(log_path(due))
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}?log=1#activity-add-form"
    page = client.get(f"/companies/{company.id}?log=1").text
    # The call-log form is first on the company page; ?log=1 puts focus in its notes.
    assert '<form id="activity-add-form"' in page
    assert re.search(r'<textarea id="activity-new-notes" name="notes"[^>]* autofocus', page)
    closed = client.get(f"/companies/{company.id}").text
    assert '<form id="activity-add-form"' in closed and " autofocus" not in closed


def test_saving_logs_the_call_and_marks_the_follow_up_done(client, session, bo, company, due):
    response = post(client, log_path(due), CALL, headers=HTMX)
    assert response.status_code == 200, response.text
    # The row goes; the counts and the notice (read out by the live region) come along.
    assert f'<li id="follow-up-{due.id}"' not in response.text
    assert 'id="follow-ups-week-count" class="count" hx-swap-oob="true">(0)<' in response.text
    assert (
        "Kontakthändelsen på Ängelholms Bygg AB är sparad och återkopplingen är markerad "
        "som klar." in response.text
    )
    call = logged(session, company)[-1]
    assert (call.kind, call.notes, call.user_id) == ("call", CALL["notes"], bo.id)
    assert call.follow_up_on is None
    assert reload(session, due).follow_up_done_at is not None
    changes = session.exec(
        select(AuditEvent.entity_id, AuditEvent.changes).where(AuditEvent.entity == "activity")
    ).all()
    assert (due.id, {"follow_up_done": [False, True]}) in changes
    assert any(entity_id == call.id for entity_id, _ in changes)
    assert f"follow-up-{due.id}" not in follow_ups_on(client)


def test_unticked_the_follow_up_stays_and_the_call_has_its_own(client, session, company, due):
    data = {**CALL, "done": "", "follow_up": "tomorrow"}
    response = post(client, log_path(due), data, headers=HTMX)
    assert response.status_code == 200, response.text
    # The row again, its form closed, still overdue.
    assert response.text.lstrip().startswith(f'<li id="follow-up-{due.id}"')
    assert "follow-up-log" not in response.text.split("</li>")[0].replace("follow-up-log-link", "")
    assert "Kontakthändelsen på Ängelholms Bygg AB är sparad." in response.text
    assert reload(session, due).follow_up_done_at is None
    assert logged(session, company)[-1].follow_up_on == TODAY + dt.timedelta(days=1)


def test_a_follow_up_today_on_the_new_call_joins_todays_group(client, session, company, due):
    data = {**CALL, "follow_up_on": TODAY.isoformat()}
    response = post(client, log_path(due), data, headers=HTMX)
    assert response.status_code == 200, response.text
    call = logged(session, company)[-1]
    added = response.text[response.text.index('hx-swap-oob="beforeend:#follow-ups-today-list"') :]
    assert f'<li id="follow-up-{call.id}"' in added
    assert 'id="follow-ups-today-count" class="count" hx-swap-oob="true">(1)<' in response.text
    assert f"follow-up-{call.id}" in follow_ups_on(client)


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"kind": "note", "notes": "", "done": ""}, "Skriv något i anteckningen.", "notes"),
        (
            {"kind": "visit", "notes": "Besökte lagret", "follow_up_on": "31 april"},
            "Återkoppling: datumet 31 april finns inte.",
            "follow_up_on",
        ),
    ],
)
def test_a_refused_call_is_shown_in_the_row_with_what_was_typed(
    client, session, company, due, data, message, field
):
    before = len(logged(session, company))
    response = post(client, log_path(due), data, headers=HTMX)
    assert response.status_code == 422
    form = response.text
    assert form.lstrip().startswith(f'<li id="follow-up-{due.id}"')
    assert message in form
    assert f'id="follow-up-{due.id}-log-{field}"' in form
    assert re.search(rf'id="follow-up-{due.id}-log-{field}"[^>]*aria-invalid="true"', form)
    assert f'<input type="radio" name="kind" value="{data["kind"]}" checked>' in form
    if data["notes"]:
        assert f">{data['notes']}</textarea>" in form
    if "follow_up_on" in data:
        assert f'value="{data["follow_up_on"]}"' in form
    done_box = re.search(r'<input type="checkbox" name="done" value="1"( checked)?>', form)
    assert done_box and bool(done_box.group(1)) == bool(data.get("done"))
    # Focus goes to the field to fix, and nowhere else.
    assert form.count(" autofocus") == (1 if field == "follow_up_on" else 0)
    assert len(logged(session, company)) == before
    assert reload(session, due).follow_up_done_at is None

    # Without JavaScript: the row and its form on a page of their own.
    response = post(client, log_path(due), data)
    assert response.status_code == 422
    assert "<h1>Logga kontakt med Ängelholms Bygg AB</h1>" in response.text
    assert message in response.text and '<form class="follow-up-log"' in response.text
    assert len(logged(session, company)) == before


def test_a_plain_form_goes_back_to_the_day_it_came_from(client, session, clock, bo, due):
    response = post(client, log_path(due), CALL)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    page = client.get("/").text
    assert "Kontakthändelsen på Ängelholms Bygg AB är sparad och återkopplingen" in page
    assert reload(session, due).follow_up_done_at is not None

    # An admin on Bo's day comes back to Bo's day.
    make_user(session, clock, role="admin", username="ada")
    client.login("ada", PASSWORD)
    other = follow_up(session, clock, owned_by(session, clock, bo, "Bos Andra AB"), bo, TODAY)
    html = row(follow_ups_on(client, f"/?user={bo.id}"), other)
    assert f'hx-get="{log_path(other)}?view={bo.id}"' in html
    assert (
        f'name="view" value="{bo.id}"'
        in client.get(f"{log_path(other)}?view={bo.id}", headers=HTMX).text
    )
    response = post(client, log_path(other), {**CALL, "view": str(bo.id)})
    assert (response.status_code, response.headers["location"]) == (303, f"/?user={bo.id}")


def test_cancel_closes_the_form(client, due):
    response = client.get(f"/today/follow-ups/{due.id}", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="follow-up-{due.id}"')
    assert (
        "follow-up-log-link" in response.text and '<form class="follow-up-log"' not in response.text
    )
    response = client.get(f"/today/follow-ups/{due.id}")
    assert (response.status_code, response.headers["location"]) == (303, "/")


def test_who_may_log_from_a_row(client, session, clock, bo, cia, company, due):
    before = len(logged(session, company))
    make_user(session, clock, role="viewer", username="vera")
    make_user(session, clock, role="broker", username="dan")

    client.login("vera", PASSWORD)
    assert "Logga samtal" not in follow_ups_on(client)
    assert client.get(log_path(due), headers=HTMX).status_code == 403
    assert post(client, log_path(due), CALL, headers=HTMX).status_code == 403
    # Dan neither wrote it nor owns the company.
    client.login("dan", PASSWORD)
    assert client.get(log_path(due), headers=HTMX).status_code == 403
    assert post(client, log_path(due), CALL).status_code == 403
    assert len(logged(session, company)) == before
    assert reload(session, due).follow_up_done_at is None

    # Cia wrote a follow-up on Bo's company: she may log from it, and so may Bo.
    hers = follow_up(session, clock, company, cia, TODAY)
    client.login("cia", PASSWORD)
    assert post(client, log_path(hers), CALL, headers=HTMX).status_code == 200


def test_a_call_without_the_csrf_token_is_refused(client, session, company, due):
    before = len(logged(session, company))
    response = client.post(log_path(due), data=CALL, headers=HTMX)
    assert response.status_code == 403
    assert len(logged(session, company)) == before
    assert reload(session, due).follow_up_done_at is None
