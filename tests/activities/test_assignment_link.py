"""A call can be about one of the company's assignments: chosen in the call log, shown on
both timelines, kept in history, and kept (unlinked) when the assignment goes."""

from __future__ import annotations

from sqlmodel import select

from app.activities.models import Activity
from app.assignments import service as assignments
from app.history.models import AuditEvent
from tests.activities.factories import make_activity
from tests.activities.test_routes import log, page_of
from tests.assignments.factories import make_assignment
from tests.factories import make_company


def choices(html):
    """The call log's assignment choices (the select alone)."""
    start = html.index('name="assignment_id"')
    return html[start : html.index("</select>", start)]


def only_activity(session):
    session.expire_all()
    return session.exec(select(Activity)).one()


def test_a_call_about_an_assignment(client, session, clock, company, broker):
    open_one = make_assignment(session, clock, company, broker, occupation="Truckförare")
    make_assignment(session, clock, company, broker, occupation="Stängt", status="closed_unfilled")
    form = client.get(page_of(company)).text
    # The call log offers the company's open assignments only.
    assert "Truckförare" in choices(form) and "Stängt" not in choices(form)

    response = log(
        client, company, {"notes": "Pratade om truckkort", "assignment_id": str(open_one.id)}
    )
    assert response.status_code == 303
    activity = only_activity(session)
    assert activity.assignment_id == open_one.id

    timeline = client.get(page_of(company)).text
    assert f'om uppdraget <a href="/assignments/{open_one.id}">Truckförare</a>' in timeline
    detail = client.get(f"/assignments/{open_one.id}").text
    section = detail[detail.index('id="activities"') :]
    assert "Pratade om truckkort" in section and "Bo Ek" in section
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "activity", AuditEvent.action == "create")
    ).one()
    assert event.changes["assignment"] == [None, "Truckförare"]


def test_an_assignment_of_another_company_is_refused(client, session, clock, company, broker):
    other = make_company(session, clock, user=broker, name="Annat AB")
    theirs = make_assignment(session, clock, other, broker, occupation="Kock")
    response = log(client, company, {"notes": "Fel", "assignment_id": str(theirs.id)})
    assert response.status_code == 422
    assert "Välj ett rekryteringsuppdrag hos företaget." in response.text
    assert session.exec(select(Activity)).all() == []
    # Nonsense is refused the same way, not a server error.
    assert log(client, company, {"notes": "x", "assignment_id": "abc"}).status_code == 422


def test_the_edit_form_keeps_a_link_to_a_closed_assignment(client, session, clock, company, broker):
    assignment = make_assignment(session, clock, company, broker, occupation="Bagare")
    activity = make_activity(session, clock, company, broker, assignment_id=str(assignment.id))
    assignments.change_status(
        assignment,
        assignments.StatusForm(status="closed_unfilled", filled_count="0"),
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()
    form = client.get(f"/activities/{activity.id}/edit").text
    assert f'<option value="{assignment.id}" selected>Bagare' in form
    # A new call is not offered the closed one (and with nothing open, no choice at all).
    assert 'name="assignment_id"' not in client.get(page_of(company)).text


def test_deleting_the_assignment_keeps_the_call(client, session, clock, company, broker):
    assignment = make_assignment(session, clock, company, broker, occupation="Bagare")
    make_activity(session, clock, company, broker, assignment_id=str(assignment.id))
    assignments.delete(assignment, user=broker, session=session, clock=clock)
    session.commit()
    activity = only_activity(session)
    assert activity.assignment_id is None
    assert "om uppdraget" not in client.get(page_of(company)).text


def test_the_company_page_costs_the_same_with_linked_calls(
    client, session, clock, company, broker, engine
):
    from tests import statements

    def add(count):
        for number in range(count):
            linked = make_assignment(session, clock, company, broker, occupation=f"Yrke {number}")
            make_activity(session, clock, company, broker, assignment_id=str(linked.id))

    def page():
        assert client.get(page_of(company)).status_code == 200

    add(2)
    few = statements.count(engine, page)
    add(10)
    assert statements.count(engine, page) == few
