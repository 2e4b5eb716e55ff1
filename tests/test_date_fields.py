"""Every date field over HTTP reads dates as Swedes type them (app/dates.py): "1 dec" and
"1/12" are saved as the day they mean in the field's direction, "32/1" is refused in
Swedish with the field marked and focused and nothing saved; a form shown again for
another field has its date in ISO form and says what it means; /dates/understood says it
while the date is typed. The clock says Monday 2 March 2026."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.activities.models import Activity
from app.agreements.models import Agreement
from app.assignments.models import Assignment
from app.clock import STOCKHOLM, to_local
from app.events.models import EventTask, RecruitmentEvent
from tests.activities.factories import make_activity
from tests.events.factories import make_event

HTMX = {"HX-Request": "true"}
# Typed on 2 March 2026: the next 1 December for a follow-up or a deadline...
FUTURE = [("1 dec", dt.date(2026, 12, 1)), ("1/12", dt.date(2026, 12, 1))]
# ...and the last one for when something happened.
PAST = [("1 dec", dt.date(2025, 12, 1)), ("1/12", dt.date(2025, 12, 1))]


def refused_field(html: str, name: str) -> str:
    """The <input> named `name` in the form shown again: marked invalid and focused."""
    match = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    field = match.group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field, field
    return field


# --- the call log's follow-up, logged and edited ------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), FUTURE)
def test_a_follow_up_typed_as_swedes_type_it_is_saved(client, session, company, typed, meant):
    response = client.post_form(
        f"/companies/{company.id}/activities",
        {"notes": "Ringde", "follow_up_on": typed},
        token_from=f"/companies/{company.id}",
    )
    assert response.status_code == 303, response.text
    assert session.exec(select(Activity)).one().follow_up_on == meant


def test_a_follow_up_that_does_not_exist_is_refused_in_place(client, session, company):
    response = client.post_form(
        f"/companies/{company.id}/activities",
        {"notes": "Ringde", "follow_up_on": "32/1"},
        token_from=f"/companies/{company.id}",
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Återkoppling: datumet 32/1 finns inte." in response.text
    field = refused_field(response.text, "follow_up_on")
    assert 'value="32/1"' in field
    # Focus goes to the date, not to the notes that the form otherwise starts in.
    assert response.text.count("autofocus") == 1
    assert session.exec(select(Activity)).first() is None


def test_an_edited_follow_up_is_read_the_same_way(client, session, clock, company, bo):
    activity = make_activity(session, clock, company, bo, notes="Ringde")
    fields = {"kind": "call", "notes": "Ringde", "version": str(activity.version)}
    path = f"/activities/{activity.id}"
    refused = client.post_form(
        path, {**fields, "follow_up_on": "32/1"}, token_from=f"/companies/{company.id}"
    )
    assert refused.status_code == 422
    assert "Återkoppling: datumet 32/1 finns inte." in refused.text
    refused_field(refused.text, "follow_up_on")
    # The edit form starts in the notes, except when a field is to be fixed.
    assert refused.text.count("autofocus") == 1
    saved = client.post_form(
        path, {**fields, "follow_up_on": "1 dec"}, token_from=f"/companies/{company.id}"
    )
    assert saved.status_code == 303, saved.text
    session.refresh(activity)
    assert activity.follow_up_on == dt.date(2026, 12, 1)


def test_when_a_call_happened_takes_a_date_and_a_time(client, session, company):
    path = f"/companies/{company.id}/activities"
    refused = client.post_form(
        path, {"notes": "Ringde", "occurred_at": "snart"}, token_from=path.rsplit("/", 1)[0]
    )
    assert refused.status_code == 422
    assert "När: tidpunkten går inte att läsa." in refused.text
    refused_field(refused.text, "occurred_at")
    saved = client.post_form(
        path, {"notes": "Ringde", "occurred_at": "i går 14:30"}, token_from=path.rsplit("/", 1)[0]
    )
    assert saved.status_code == 303, saved.text
    occurred_at = session.exec(select(Activity)).one().occurred_at
    assert to_local(occurred_at) == dt.datetime(2026, 3, 1, 14, 30, tzinfo=STOCKHOLM)


def test_a_form_shown_again_has_the_date_in_iso_form_and_says_what_it_means(
    client, session, company
):
    # Refused for its notes (a note needs some): the follow-up typed as 5/3 comes back as
    # the date it means, without JavaScript as with it.
    for headers in ({}, HTMX):
        response = client.post_form(
            f"/companies/{company.id}/activities",
            {"kind": "note", "notes": "", "follow_up_on": "5/3"},
            token_from=f"/companies/{company.id}",
            headers=headers,
        )
        assert response.status_code == 422
        assert 'name="follow_up_on" type="text" autocomplete="off"' in response.text
        assert 'value="2026-03-05"' in response.text
        assert "Tolkas som torsdag 5 mars 2026" in response.text
        assert "Skriv något i anteckningen." in response.text
    assert session.exec(select(Activity)).first() is None


# --- Min dag's "Flytta till…" -------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), FUTURE)
def test_a_follow_up_moved_on_min_dag_takes_the_same_forms(
    client, session, clock, company, bo, typed, meant
):
    activity = make_activity(session, clock, company, bo, follow_up_on="2026-03-02")
    path = f"/today/follow-ups/{activity.id}/move"
    refused = client.post_form(path, {"follow_up_on": "32/1"}, token_from="/", headers=HTMX)
    assert refused.status_code == 422
    assert "Återkoppling: datumet 32/1 finns inte." in refused.text
    refused_field(refused.text, "follow_up_on")
    moved = client.post_form(path, {"follow_up_on": typed}, token_from="/")
    assert moved.status_code == 303, moved.text
    session.refresh(activity)
    assert activity.follow_up_on == meant


# --- a company's letter of intent: when it was sent or signed ------------------------------


@pytest.mark.parametrize(("typed", "meant"), PAST)
def test_an_agreements_signing_day_is_the_last_such_day(client, session, company, bo, typed, meant):
    fields = {"kind": "letter_of_intent", "state": "signed"}
    new = f"/companies/{company.id}/agreements/new"
    refused = client.post_form(
        f"/companies/{company.id}/agreements", {**fields, "signed_on": "32/1"}, token_from=new
    )
    assert refused.status_code == 422
    assert "Undertecknat: datumet 32/1 finns inte." in refused.text
    refused_field(refused.text, "signed_on")
    saved = client.post_form(
        f"/companies/{company.id}/agreements", {**fields, "signed_on": typed}, token_from=new
    )
    assert saved.status_code == 303, saved.text
    assert session.exec(select(Agreement)).one().signed_on == meant
    session.refresh(company)
    assert (company.agreement_status, company.agreement_date) == ("signed", meant)


# --- an assignment's start and deadline --------------------------------------------------


@pytest.mark.parametrize("name", ["start_on", "deadline"])
@pytest.mark.parametrize(("typed", "meant"), FUTURE)
def test_an_assignments_dates_are_the_next_such_day(
    client, session, company, bo, name, typed, meant
):
    fields = {
        "occupation": "Kock",
        "positions": "1",
        "employment_type": "ordinary",
        "source_kind": "broker",
        "source_user_id": str(bo.id),
        "filled_count": "0",
    }
    path = f"/companies/{company.id}/assignments"
    refused = client.post_form(path, {**fields, name: "32/1"}, headers=HTMX)
    assert refused.status_code == 422
    label = {"start_on": "Startdatum", "deadline": "Sista dag"}[name]
    assert f"{label}: datumet 32/1 finns inte." in refused.text
    refused_field(refused.text, name)
    saved = client.post_form(path, {**fields, name: typed})
    assert saved.status_code == 303, saved.text
    assert getattr(session.exec(select(Assignment)).one(), name) == meant


# --- an event's checklist item ------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), FUTURE)
def test_a_checklist_items_due_date_is_the_next_such_day(client, session, clock, bo, typed, meant):
    event = make_event(session, clock, bo)
    path = f"/events/{event.id}/tasks"
    fields = {"phase": "planning", "title": "Boka lokal"}
    refused = client.post_form(path, {**fields, "due_on": "32/1"}, token_from="/events")
    assert refused.status_code == 422
    assert "Klart senast: datumet 32/1 finns inte." in refused.text
    refused_field(refused.text, "due_on")
    added = client.post_form(path, {**fields, "due_on": typed}, token_from="/events")
    assert added.status_code == 303, added.text
    task = session.exec(select(EventTask).where(EventTask.title == "Boka lokal")).one()
    assert task.due_on == meant

    edit = f"/events/{event.id}/tasks/{task.id}"
    fields = {**fields, "version": str(task.version)}
    refused = client.post_form(edit, {**fields, "due_on": "31/2"}, token_from="/events")
    assert refused.status_code == 422
    assert "Klart senast: datumet 31/2 finns inte." in refused.text
    refused_field(refused.text, "due_on")
    saved = client.post_form(edit, {**fields, "due_on": "i morgon"}, token_from="/events")
    assert saved.status_code == 303, saved.text
    session.refresh(task)
    assert task.due_on == dt.date(2026, 3, 3)


# --- an event's start and end -------------------------------------------------------------


def test_an_events_times_take_a_date_and_a_time(client, session, clock, bo):
    fields = {"title": "Vårträff", "owner_id": str(bo.id)}
    refused = client.post_form(
        "/events", {**fields, "starts_at": "15/4", "ends_at": "15/4 12"}, token_from="/events/new"
    )
    assert refused.status_code == 422
    assert "Börjar: ange också klockslag, till exempel 15/4 9:00." in refused.text
    refused_field(refused.text, "starts_at")
    # Shown again, the end is read as the field reads it.
    assert 'value="2026-04-15 12:00"' in refused.text
    assert "Tolkas som onsdag 15 april 2026 kl. 12:00" in refused.text
    saved = client.post_form(
        "/events",
        {**fields, "starts_at": "15/4 9", "ends_at": "15/4 kl 12"},
        token_from="/events/new",
    )
    assert saved.status_code == 303, saved.text
    event = session.exec(select(RecruitmentEvent)).one()
    assert to_local(event.starts_at) == dt.datetime(2026, 4, 15, 9, tzinfo=STOCKHOLM)
    assert to_local(event.ends_at) == dt.datetime(2026, 4, 15, 12, tzinfo=STOCKHOLM)
    edit = client.get(f"/events/{event.id}/edit")
    assert 'value="2026-04-15 09:00"' in edit.text


# --- a report's period --------------------------------------------------------------------


def test_a_reports_days_are_read_around_today_and_shown_in_iso_form(client, bo):
    # In March, 1/11–31/1 is the winter just gone.
    response = client.get("/reports?period=custom&from=1/11&to=31/1")
    assert response.status_code == 200
    assert '<h2 id="report-period">1 nov 2025–31 jan 2026' in response.text
    assert 'value="2025-11-01"' in response.text and 'value="2026-01-31"' in response.text
    assert "Tolkas som lördag 31 januari 2026" in response.text
    # htmx keeps the address as read, so a bookmark shows the same days next year.
    fragment = client.get("/reports?period=custom&from=1 jan&to=31 mar", headers=HTMX)
    assert fragment.headers["HX-Push-Url"] == "/reports?period=custom&from=2026-01-01&to=2026-03-31"
    assert (
        "HX-Push-Url"
        not in client.get(
            "/reports?period=custom&from=2026-01-01&to=2026-03-31", headers=HTMX
        ).headers
    )

    refused = client.get("/reports?period=custom&from=1/1&to=32/1")
    assert refused.status_code == 422
    assert "Till och med: datumet 32/1 finns inte." in refused.text


# --- what a date means, while it is typed -------------------------------------------------


def understood(client, **params: str) -> str:
    response = client.get("/dates/understood", params=params, headers=HTMX)
    assert response.status_code == 200
    return response.text.strip()


def test_what_a_date_means_is_said_while_it_is_typed(client, bo):
    follow_up = {"field": "follow_up_on", "label": "Återkoppling", "direction": "future"}
    assert understood(client, **follow_up, follow_up_on="1 dec") == (
        "Tolkas som tisdag 1 december 2026"
    )
    assert understood(client, **follow_up, follow_up_on="") == ""
    assert "Återkoppling: datumet 32/1 finns inte." in understood(
        client, **follow_up, follow_up_on="32/1"
    )
    occurred = {"field": "occurred_at", "label": "När", "direction": "past", "time": "optional"}
    assert understood(client, **occurred, occurred_at="1/12 14") == (
        "Tolkas som måndag 1 december 2025 kl. 14:00"
    )
    agreement = {"field": "agreement_date", "label": "Datum", "direction": "past"}
    assert understood(client, **agreement, agreement_date="1/12") == (
        "Tolkas som måndag 1 december 2025"
    )
    # A period's last day follows its first.
    period_end = {"field": "to", "label": "Till och med", "direction": "future"}
    assert understood(
        client, **period_end, near="from", near_direction="past", to="31/1", **{"from": "1/11"}
    ) == ("Tolkas som lördag 31 januari 2026")


def test_what_a_date_means_is_said_in_the_users_language(client, session, clock, bo):
    client.post_form("/account/locale", {"locale": "en"}, token_from="/account")
    params = {"field": "due_on", "label": "Klart senast", "direction": "future"}
    assert understood(client, **params, due_on="i morgon") == "Understood as Tuesday 3 March 2026"
    assert "Due: there is no date 32/1." in understood(client, **params, due_on="32/1")


def test_what_a_date_means_is_for_signed_in_users(client):
    response = client.get("/dates/understood?field=x&x=1/12")
    assert response.status_code in (303, 401)
