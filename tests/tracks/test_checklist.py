"""A job track's checklist: made from the tracks' default checklist with each item's day
counted from the start of its phase, items following their phase when it moves, and
over HTTP: add, edit (with its edit conflict), tick and untick, delete, refused forms
shown with what was typed, what a viewer may do, and a constant number of statements."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from app.clock import today
from app.events.checklists import EditConflict, TaskForm, template
from app.events.models import ChecklistFor
from app.history.models import AuditEvent
from app.phases import Phase
from app.tracks import checklist
from app.tracks.checklist import TRACK
from app.tracks.models import JobTrackTask
from tests.factories import PASSWORD, make_track, make_user
from tests.statements import count

HTMX = {"HX-Request": "true"}
DAY = dt.timedelta(days=1)


def tasks_of(session, track):
    statement = select(JobTrackTask).where(JobTrackTask.track_id == track.id)
    return list(session.exec(statement.order_by(col(JobTrackTask.id))).all())


@pytest.fixture
def track(session, clock, bo):
    """Bo's track: planning began ten days ago, recruitment in a month, execution not
    planned yet, closing in five months; its checklist from the default."""
    day = today(clock)
    row = make_track(
        session,
        clock,
        coordinator=bo,
        planning_starts_on=day - 10 * DAY,
        recruitment_starts_on=day + 30 * DAY,
        execution_starts_on=None,
        closing_starts_on=day + 150 * DAY,
    )
    checklist.from_template(row, session=session, clock=clock)
    session.commit()
    return row


def test_the_default_checklist_counts_from_each_phases_start(session, clock, bo, track):
    day = today(clock)
    items = template(session=session, checklist=ChecklistFor.track)
    tasks = tasks_of(session, track)
    assert [(t.phase, t.title) for t in tasks] == [(i.phase, i.title) for i in items]
    assert {t.assignee_id for t in tasks} == {bo.id}
    due = {t.title: t.due_on for t in tasks}
    # Planning began ten days ago: day 7 has passed (due today, not overdue), day 14 not.
    assert due["Kartlägg arbetsgivarens kompetensbehov i en kompetensprofil"] == day
    assert due["Kom överens om insatspaketet med anordnarna"] == day + 4 * DAY
    assert due["Genomför rekryteringsaktiviteterna"] == day + 37 * DAY
    assert due["Sammanfatta och utvärdera resultaten"] == day + 164 * DAY
    # Execution has no start date yet: its items have no day either.
    assert {t.due_on for t in tasks if t.phase == Phase.execution} == {None}
    assert {t.phase for t in tasks} == set(Phase)


def test_the_items_follow_their_phase(session, clock, bo, track):
    day = today(clock)
    form = TaskForm(phase="execution", title="Boka lokal för handledarträff")
    by_hand = TRACK.add_task(track.id, form, user=bo, session=session, clock=clock)
    done = next(t for t in tasks_of(session, track) if t.title.startswith("Genomför"))
    TRACK.set_done(done, True, user=bo, session=session, clock=clock)
    before = checklist.starts(track)
    track.recruitment_starts_on = day + 37 * DAY
    track.execution_starts_on = day + 70 * DAY
    session.add(track)
    checklist.follow_the_phases(track, before, session=session, clock=clock)
    session.commit()

    due = {t.title: t.due_on for t in tasks_of(session, track)}
    assert due["Samordna arbetet med att hitta deltagare"] == day + 37 * DAY
    assert due["Arbetsgivaren deltar i urvalet av deltagare"] == day + 51 * DAY
    assert due["Genomför rekryteringsaktiviteterna"] == day + 37 * DAY  # done: stays
    assert due["Bevaka övergångarna mellan insatserna"] == day + 70 * DAY
    assert due["Lös problem eller lyft dem till styrgruppen"] == day + 100 * DAY
    assert due["Boka lokal för handledarträff"] is None  # not from the default
    assert by_hand.due_on is None
    assert due["Kom överens om insatspaketet med anordnarna"] == day + 4 * DAY  # unmoved


def test_a_phase_moved_earlier_makes_nothing_overdue(session, clock, track):
    day = today(clock)
    before = checklist.starts(track)
    track.planning_starts_on = day - 40 * DAY
    checklist.follow_the_phases(track, before, session=session, clock=clock)
    planning = [t.due_on for t in tasks_of(session, track) if t.phase == Phase.planning]
    assert min(planning) == day and day + 4 * DAY not in planning


def test_an_item_is_ticked_and_unticked_in_one_click(client, session, track):
    task = tasks_of(session, track)[0]
    url = f"/tracks/{track.id}/tasks/{task.id}/done"
    response = client.post_form(url, {"done": "1"}, token_from="/", headers=HTMX)
    assert response.status_code == 200
    assert response.text.startswith(f'<li id="task-{task.id}" class="task done">')
    assert f'hx-post="/tracks/{track.id}/tasks/{task.id}/done"' in response.text
    assert 'aria-pressed="true"' in response.text and "autofocus" in response.text
    plain = client.post_form(url, {"done": "0"}, token_from="/")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/tracks/{track.id}#task-{task.id}"
    session.refresh(task)
    assert task.done_at is None


def test_add_edit_and_delete_an_item(client, session, clock, bo, track):
    response = client.post_form(
        f"/tracks/{track.id}/tasks",
        {"phase": "closing", "title": "Skicka enkät till arbetsgivaren", "due_on": "2026-09-01"},
        token_from="/",
    )
    assert response.status_code == 303
    task = tasks_of(session, track)[-1]
    assert (task.phase, task.title, task.due_on) == (
        Phase.closing,
        "Skicka enkät till arbetsgivaren",
        dt.date(2026, 9, 1),
    )
    assert response.headers["location"] == f"/tracks/{track.id}#task-{task.id}"
    edit = client.get(f"/tracks/{track.id}/tasks/{task.id}/edit")
    assert edit.status_code == 200 and "Skicka enkät till arbetsgivaren" in edit.text
    assert f'action="/tracks/{track.id}/tasks/{task.id}"' in edit.text
    saved = client.post_form(
        f"/tracks/{track.id}/tasks/{task.id}",
        {"phase": "closing", "title": "Skicka enkät", "version": str(task.version)},
        token_from="/",
    )
    assert saved.status_code == 303
    session.refresh(task)
    assert task.title == "Skicka enkät" and task.due_on is None
    gone = client.post_form(f"/tracks/{track.id}/tasks/{task.id}/delete", token_from="/")
    assert gone.status_code == 303 and gone.headers["location"].endswith("#checklist-closing")
    assert task.id not in {t.id for t in tasks_of(session, track)}
    on_track = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "job_track", AuditEvent.entity_id == track.id)
    ).one()
    assert on_track.changes == {"task": ["Skicka enkät", None]} and on_track.version is None


def test_a_refused_item_comes_back_with_what_was_typed(client, track):
    response = client.post_form(
        f"/tracks/{track.id}/tasks",
        {"phase": "recruitment", "title": "Ring Arbetsförmedlingen", "due_on": "32/13"},
        token_from="/",
    )
    assert response.status_code == 422
    assert 'value="Ring Arbetsförmedlingen"' in response.text
    assert 'class="form-error"' in response.text
    # At the recruitment phase's form, opened.
    assert response.text.index('class="form-error"') > response.text.index(
        'id="checklist-recruitment"'
    )


def test_a_stale_edit_shows_the_conflict(client, session, clock, bo, track):
    task = tasks_of(session, track)[0]
    stale = TaskForm.from_task(task)
    moved = stale.model_copy(update={"title": "Ring AF först"})
    TRACK.update_task(task, moved, user=bo, session=session, clock=clock)
    session.commit()
    with pytest.raises(EditConflict):
        TRACK.update_task(task, stale, user=bo, session=session, clock=clock)
    session.rollback()
    response = client.post_form(
        f"/tracks/{track.id}/tasks/{task.id}",
        {**stale.model_dump(exclude_none=True), "due_on": "", "assignee_id": ""},
        token_from="/",
        headers=HTMX,
    )
    assert response.status_code == 409
    assert 'id="edit-conflict"' in response.text and "Ring AF först" in response.text


def test_a_viewer_reads_the_checklist_and_changes_nothing(client, session, clock, track):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    page = client.get(f"/tracks/{track.id}/checklist")
    assert page.status_code == 200 and "Planera en ny omgång" in page.text
    assert "/done" not in page.text and "Lägg till uppgift" not in page.text
    task = tasks_of(session, track)[0]
    tick = client.post_form(f"/tracks/{track.id}/tasks/{task.id}/done", token_from="/")
    assert tick.status_code == 403
    session.refresh(task)
    assert task.done_at is None


def test_the_partial_marks_overdue_items_and_phases_without_a_date(client, session, clock, track):
    task = tasks_of(session, track)[0]
    task.due_on = today(clock) - 3 * DAY
    session.add(task)
    session.commit()
    page = client.get(f"/tracks/{track.id}/checklist").text
    item = page[page.index(f'id="task-{task.id}"') :]
    assert "Försenad" in item[: item.index("</li>")]
    assert "Fasen har inget startdatum än." in page
    assert 'id="checklist-heading"' in page


def test_the_checklist_costs_the_same_statements_as_it_grows(client, session, clock, bo, engine):
    track = make_track(session, clock, coordinator=bo)
    checklist.from_template(track, session=session, clock=clock)
    session.commit()

    def page():
        assert client.get(f"/tracks/{track.id}/checklist").status_code == 200

    few = count(engine, page)
    checklist.from_template(track, session=session, clock=clock)
    session.commit()
    assert count(engine, page) == few


def test_the_tracks_history_tells_what_was_done_to_its_checklist(client, session, clock, track):
    from app.tracks import service as tracks

    task = tasks_of(session, track)[0]
    client.post_form(f"/tracks/{track.id}/tasks/{task.id}/done", {"done": "1"}, token_from="/")
    client.post_form(
        f"/tracks/{track.id}/tasks",
        {"phase": "closing", "title": "Skicka enkät till arbetsgivaren"},
        token_from="/",
    )
    entries = tracks.history_of(track.id, session=session)
    changes = [entry.event.changes for entry in entries]
    assert {"done": [False, True]} in changes
    assert any((c or {}).get("task") == [None, "Skicka enkät till arbetsgivaren"] for c in changes)
    page = client.get(f"/tracks/{track.id}/history")
    assert page.text.count("Skicka enkät till arbetsgivaren") == 1
