"""The event services: validation, the checklist from the template, status and delete
rules, edit conflicts, invitations logging an activity, presented assignments, and the
outcome's hires reaching the assignments' filled counts without double counting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.activities.models import Activity, ActivityKind
from app.assignments import service as assignments
from app.assignments.models import AssignmentStatus
from app.errors import Conflict, Forbidden, ValidationFailed
from app.events import checklist, participants
from app.events import service as events
from app.events.models import (
    EventAssignment,
    EventCompany,
    EventStatus,
    EventTask,
    Participation,
    Phase,
    RecruitmentEvent,
)
from app.history import service as history
from app.history.models import AuditEvent
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import STARTS, invite, local, make_event
from tests.factories import make_company, make_user


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def cia(session, clock):
    return make_user(session, clock, role="broker", username="cia", full_name="Cia Lind")


@pytest.fixture
def company(session, clock, bo):
    return make_company(session, clock, user=bo, name="Ängelholms Bygg AB")


@pytest.fixture
def event(session, clock, bo):
    return make_event(session, clock, bo)


def form_for(event, session, **changes):
    form = events.EventForm.from_event(event, events.member_ids(event.id, session=session))
    return form.model_copy(update=changes)


def refused(exc_type, action):
    with pytest.raises(exc_type) as caught:
        action()
    return caught.value


# --- the event ----------------------------------------------------------------------------


def test_create_keeps_swedish_time_and_starts_the_checklist_from_the_template(
    session, clock, bo, cia
):
    event = make_event(session, clock, bo, member_ids=[str(cia.id), str(bo.id)], capacity="40")
    assert event.starts_at == STARTS.astimezone(dt.UTC)
    assert event.starts_at.hour == 8  # 9:00 in Stockholm is 8:00 UTC in winter
    assert events.member_ids(event.id, session=session) == [cia.id]  # the owner is not a member
    tasks = session.exec(select(EventTask).where(EventTask.event_id == event.id)).all()
    template = checklist.template(session=session)
    assert len(tasks) == len(template) > 0
    by_title = {task.title: task for task in tasks}
    for item in template:
        task = by_title[item.title]
        assert task.phase == item.phase
        # The event is two weeks away: an item planned further ahead is due today.
        planned = dt.date(2026, 3, 16) + dt.timedelta(days=item.days_from_start)
        assert task.due_on == max(planned, dt.date(2026, 3, 2))
        assert task.assignee_id == bo.id
    created = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "event", AuditEvent.entity_id == event.id)
    ).one()
    assert created.changes["event_title"] == [None, "Rekryteringsträff lager"]
    assert created.changes["members"] == [None, "Cia Lind"]


def test_no_checklist_item_starts_overdue(session, clock, bo):
    """An event nine days away: the items planned for six weeks, five, four and three
    weeks before are due today, none is overdue; the later ones keep their days."""
    soon = dt.datetime(2026, 3, 11, 9, 0, tzinfo=STARTS.tzinfo)
    event = make_event(session, clock, bo, starts=soon)
    today = dt.date(2026, 3, 2)
    rows = [row for rows in checklist.by_phase(event.id, session=session).values() for row in rows]
    assert rows and not any(row.overdue(today) for row in rows)
    offsets = {item.title: item.days_from_start for item in checklist.template(session=session)}
    for row in rows:
        planned = soon.date() + dt.timedelta(days=offsets[row.task.title])
        assert row.task.due_on == (today if planned < today else planned), row.task.title
    assert (
        sum(row.task.due_on == today for row in rows)
        == sum(soon.date() + dt.timedelta(days=days) < today for days in offsets.values())
        > 0
    )


def test_moving_the_event_earlier_makes_no_item_overdue(session, clock, bo, event):
    """Two weeks away, moved to four days away: the items due before then are due today;
    one already overdue (an item added by hand) keeps its day."""
    late = checklist.add_task(
        event,
        checklist.TaskForm(phase="planning", title="Ring lokalvården", due_on="2026-02-27"),
        user=bo,
        session=session,
        clock=clock,
    )
    sooner = dt.datetime(2026, 3, 6, 9, 0, tzinfo=STARTS.tzinfo)
    form = form_for(
        event, session, starts_at=local(sooner), ends_at=local(sooner + dt.timedelta(hours=3))
    )
    events.update(event, form, user=bo, session=session, clock=clock)
    session.commit()
    today = dt.date(2026, 3, 2)
    rows = [row for rows in checklist.by_phase(event.id, session=session).values() for row in rows]
    assert [row.task.id for row in rows if row.overdue(today)] == [late.id]
    assert late.due_on == dt.date(2026, 2, 27)
    offsets = {item.title: item.days_from_start for item in checklist.template(session=session)}
    for row in rows:
        if row.task.id != late.id:
            planned = sooner.date() + dt.timedelta(days=offsets[row.task.title])
            assert row.task.due_on == max(planned, today), row.task.title


def test_a_summer_time_event_is_stored_in_utc(session, clock, bo):
    summer = dt.datetime(2026, 6, 10, 9, 0, tzinfo=STARTS.tzinfo)
    event = make_event(session, clock, bo, starts=summer)
    assert event.starts_at.hour == 7  # CEST is UTC+2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": " "}, "title", "rubrik"),
        ({"starts_at": ""}, "starts_at", "börjar"),
        ({"ends_at": "2026-03-16T08:00"}, "ends_at", "sluta efter"),
        ({"starts_at": "2026-03-29T02:30", "ends_at": "2026-03-29T04:00"}, "starts_at", "02:30"),
        ({"starts_at": "16/3"}, "starts_at", "ange också klockslag, till exempel 16/3 9:00"),
        ({"ends_at": "snart"}, "ends_at", "tidpunkten går inte att läsa"),
        ({"ends_at": "31/3 25:00"}, "ends_at", "tidpunkten går inte att läsa"),
        ({"online_url": "teams"}, "online_url", "https://"),
        ({"capacity": "0"}, "capacity", "minst 1"),
        ({"owner_id": ""}, "owner_id", "ansvarig"),
    ],
)
def test_create_refuses_what_does_not_hold(session, clock, bo, fields, field, message):
    values = {
        "title": "Träff",
        "starts_at": "2026-03-16T09:00",
        "ends_at": "2026-03-16T12:00",
        "owner_id": str(bo.id),
        **fields,
    }
    error = refused(
        ValidationFailed,
        lambda: events.create(events.EventForm(**values), user=bo, session=session, clock=clock),
    )
    assert error.field == field
    assert message in (error.message % error.variables if error.variables else error.message)


def test_a_viewer_cannot_own_an_event(session, clock, bo):
    viewer = make_user(session, clock, role="viewer")
    error = refused(
        ValidationFailed, lambda: make_event(session, clock, bo, owner_id=str(viewer.id))
    )
    assert error.field == "owner_id"


def test_a_stale_edit_is_a_conflict_that_keeps_the_others_changes(session, clock, bo, cia, event):
    stale = form_for(event, session)
    events.update(
        event, form_for(event, session, place="Stadshuset"), user=cia, session=session, clock=clock
    )
    session.commit()
    mine = stale.model_copy(update={"title": "Vårens träff"})
    error = refused(
        events.EditConflict,
        lambda: events.update(event, mine, user=bo, session=session, clock=clock),
    )
    assert [entry.user_name for entry in error.changes] == ["Cia Lind"]
    assert error.changes[0].event.changes["place"] == [None, "Stadshuset"]
    rebased = events.rebase(mine, error, session=session)
    assert (rebased.title, rebased.place, rebased.version) == ("Vårens träff", "Stadshuset", 2)
    events.update(event, rebased, user=bo, session=session, clock=clock)
    session.commit()
    assert (event.title, event.place) == ("Vårens träff", "Stadshuset")


def test_moving_the_event_moves_its_open_checklist_items(session, clock, bo, event):
    tasks = session.exec(select(EventTask).where(EventTask.event_id == event.id)).all()
    done, *open_ones = sorted(tasks, key=lambda task: task.id)
    checklist.set_done(done, True, user=bo, session=session, clock=clock)
    due = {task.id: task.due_on for task in tasks}
    later = STARTS + dt.timedelta(days=7)
    form = form_for(
        event, session, starts_at=local(later), ends_at=local(later + dt.timedelta(hours=3))
    )
    events.update(event, form, user=bo, session=session, clock=clock)
    session.commit()
    session.expire_all()
    for task in session.exec(select(EventTask).where(EventTask.event_id == event.id)):
        expected = due[task.id] if task.id == done.id else due[task.id] + dt.timedelta(days=7)
        assert task.due_on == expected, task.title
    # Only a new time on the same day moves nothing.
    form = form_for(
        event,
        session,
        starts_at=local(later + dt.timedelta(hours=1)),
        ends_at=local(later + dt.timedelta(hours=4)),
    )
    events.update(event, form, user=bo, session=session, clock=clock)
    session.commit()
    assert session.get(EventTask, open_ones[0].id).due_on == due[open_ones[0].id] + dt.timedelta(
        days=7
    )


def test_status_rules(session, clock, bo, cia, event):
    change = events.StatusForm
    error = refused(
        ValidationFailed,
        lambda: events.change_status(
            event, change(status="closed"), user=bo, session=session, clock=clock
        ),
    )
    assert "inte börjat" in error.message
    refused(
        Forbidden,
        lambda: events.change_status(
            event, change(status="cancelled"), user=cia, session=session, clock=clock
        ),
    )
    events.change_status(event, change(status="recruiting"), user=cia, session=session, clock=clock)
    events.change_status(event, change(status="cancelled"), user=bo, session=session, clock=clock)
    session.commit()
    assert event.status == EventStatus.cancelled
    stale = change(status="planning", from_status="recruiting")
    refused(
        Conflict,
        lambda: events.change_status(event, stale, user=bo, session=session, clock=clock),
    )
    clock.set(STARTS + dt.timedelta(hours=4))
    events.change_status(event, change(status="closed"), user=bo, session=session, clock=clock)
    changes = [e.event.changes for e in history.for_record("event", event.id, session=session)]
    assert {"event_status": ["cancelled", "closed"]} in changes


def test_only_the_owner_or_an_admin_deletes_and_never_an_event_with_an_outcome(
    session, clock, bo, cia, event
):
    refused(
        Forbidden,
        lambda: events.delete_event(event, user=cia, session=session, clock=clock),
    )
    event.interviews = 3
    error = refused(
        Conflict, lambda: events.delete_event(event, user=bo, session=session, clock=clock)
    )
    assert "utfall" in error.message
    event.interviews = None
    admin = make_user(session, clock, role="admin")
    event_id = event.id
    events.delete_event(event, user=admin, session=session, clock=clock)
    session.commit()
    assert session.get(RecruitmentEvent, event_id) is None
    assert not session.exec(select(EventTask).where(EventTask.event_id == event_id)).all()
    assert history.for_record("event", event_id, session=session)[0].event.action == "delete"


# --- companies and assignments ----------------------------------------------------------


def test_inviting_logs_a_note_on_the_company_in_the_same_transaction(
    session, clock, bo, cia, company, event
):
    primary = make_contact(session, clock, company, bo, name="Eva Berg", is_primary=True)
    link = invite(session, clock, event, company, cia)
    assert (link.status, link.contact_id) == (Participation.invited, primary.id)
    note = session.exec(select(Activity).where(Activity.company_id == company.id)).one()
    assert note.kind == ActivityKind.note
    assert note.user_id == cia.id
    assert note.contact_id == primary.id
    assert note.notes == "Inbjuden till rekryteringsträff: Rekryteringsträff lager 2026-03-16 09:00"
    error = refused(Conflict, lambda: invite(session, clock, event, company, bo))
    assert error.variables == {"company": "Ängelholms Bygg AB"}
    company_history = history.for_company(company.id, session=session)
    assert any(e.event.entity == "event_company" for e in company_history)


def test_a_refused_invitation_logs_nothing(session, clock, bo, company, event):
    events.change_status(
        event, events.StatusForm(status="cancelled"), user=bo, session=session, clock=clock
    )
    session.commit()
    refused(Conflict, lambda: invite(session, clock, event, company, bo))
    session.rollback()
    assert not session.exec(select(Activity)).all()
    assert not session.exec(select(EventCompany)).all()


def test_bcc_has_the_chosen_contacts_of_companies_that_have_not_declined(session, clock, bo, event):
    rows = []
    for name, email, status in (
        ("A AB", "a@a.se", "confirmed"),
        ("B AB", "b@b.se", "declined"),
        ("C AB", "a@a.se", "invited"),
        ("D AB", "", "invited"),
    ):
        company = make_company(session, clock, user=bo, name=name)
        make_contact(session, clock, company, bo, name="X", email=email, is_primary=True)
        link = invite(session, clock, event, company, bo)
        link.status = Participation(status)
        rows.append(link)
    session.commit()
    found = participants.participants(event.id, session=session)
    assert participants.bcc_addresses(found) == "a@a.se"


def test_a_save_that_lands_between_reading_and_writing_is_an_edit_conflict(
    session, clock, bo, cia, event
):
    """Someone saves after this request read the event but before it writes: the user
    gets the edit conflict, not an error page (the members' names are looked up, a query,
    between the change and the write)."""
    from sqlalchemy import update

    mine = form_for(event, session, title="Vårens träff")
    mine.member_ids = [str(cia.id)]
    session.execute(
        update(RecruitmentEvent)
        .where(RecruitmentEvent.id == event.id)  # type: ignore[arg-type]
        .values(place="Stadshuset", version=RecruitmentEvent.version + 1),
        execution_options={"synchronize_session": False},
    )
    refused(
        events.EditConflict,
        lambda: events.update(event, mine, user=bo, session=session, clock=clock),
    )


def test_a_participant_change_records_history_and_stale_ones_conflict(
    session, clock, bo, cia, company, event
):
    contact = make_contact(session, clock, company, bo, name="Eva Berg")
    link = invite(session, clock, event, company, bo)
    form = participants.ParticipantForm(status="confirmed", contact_id=str(contact.id), version=1)
    participants.update_participant(link, form, user=cia, session=session, clock=clock)
    session.commit()
    assert (link.status, link.contact_id, link.version) == (Participation.confirmed, contact.id, 2)
    stale = participants.ParticipantForm(status="declined", version=1)
    error = refused(
        participants.EditConflict,
        lambda: participants.update_participant(link, stale, user=bo, session=session, clock=clock),
    )
    assert error.changes[0].event.changes["participation"] == ["invited", "confirmed"]
    other = make_company(session, clock, user=bo, name="Annat AB")
    foreign = make_contact(session, clock, other, bo, name="Fel Person")
    wrong = participants.ParticipantForm(status="confirmed", contact_id=str(foreign.id))
    refused(
        ValidationFailed,
        lambda: participants.update_participant(link, wrong, user=bo, session=session, clock=clock),
    )


def test_only_open_assignments_of_participating_companies_are_linked(
    session, clock, bo, company, event
):
    other = make_company(session, clock, user=bo, name="Utanför AB")
    open_one = make_assignment(session, clock, company, bo, occupation="Kock")
    closed = make_assignment(session, clock, company, bo, occupation="Städare", status="cancelled")
    outside = make_assignment(session, clock, other, bo, occupation="Bagare")
    invite(session, clock, event, company, bo)
    choices = participants.assignment_choices(event.id, session=session)
    assert [a.id for a, _ in choices] == [open_one.id]
    for assignment in (closed, outside):
        refused(
            ValidationFailed,
            lambda a=assignment: participants.link_assignment(
                event, str(a.id), user=bo, session=session, clock=clock
            ),
        )
    participants.link_assignment(event, str(open_one.id), user=bo, session=session, clock=clock)
    session.commit()
    assert participants.assignment_choices(event.id, session=session) == []
    refused(
        Conflict,
        lambda: participants.link_assignment(
            event, str(open_one.id), user=bo, session=session, clock=clock
        ),
    )


# --- the outcome --------------------------------------------------------------------------


@pytest.fixture
def held(session, clock, bo, company, event):
    """The event with one company and a linked assignment of 3 positions, 1 filled, after
    it started."""
    assignment = make_assignment(session, clock, company, bo, positions=3, filled_count=1)
    invite(session, clock, event, company, bo)
    participants.link_assignment(event, str(assignment.id), user=bo, session=session, clock=clock)
    session.commit()
    clock.set(STARTS + dt.timedelta(hours=4))
    return event, assignment


def outcome(event, company, assignment, *, hires, seen=0, status="attended", **counts):
    return participants.OutcomeForm(
        company_id=[str(company.id)],
        seen_status=["invited"],
        status=[status],
        assignment_id=[str(assignment.id)],
        seen_hires=[str(seen)],
        assignment_hires=[str(hires)],
        version=event.version,
        **counts,
    )


def save(session, clock, user, event, form):
    participants.save_outcome(event, form, user=user, session=session, clock=clock)
    session.commit()


def test_hires_add_to_the_filled_count_once_however_often_the_outcome_is_saved(
    session, clock, bo, company, held
):
    event, assignment = held
    save(session, clock, bo, event, outcome(event, company, assignment, hires=2, interviews="9"))
    assert assignment.filled_count == 3
    assert (event.hires, event.interviews) == (2, 9)  # the total follows the assignments
    link = session.exec(select(EventCompany)).one()
    assert link.status == Participation.attended
    save(session, clock, bo, event, outcome(event, company, assignment, hires=2, seen=2))
    assert assignment.filled_count == 3  # saved again: nothing counted twice
    save(session, clock, bo, event, outcome(event, company, assignment, hires=1, seen=2))
    assert assignment.filled_count == 2  # corrected down: the place is free again
    entries = history.for_record("assignment", assignment.id, session=session)
    filled = [e.event.changes for e in entries if "filled_count" in e.event.changes]
    assert filled[0] == {"filled_count": [3, 2], "event": "Rekryteringsträff lager"}
    assert filled[1] == {"filled_count": [1, 3], "event": "Rekryteringsträff lager"}


def event_changes(event, session):
    return [e.event.changes for e in history.for_record("event", event.id, session=session)]


def test_saving_the_outcome_of_a_held_event_closes_it(session, clock, bo, cia, company, held):
    event, assignment = held
    assert event.status == EventStatus.planning
    save(session, clock, cia, event, outcome(event, company, assignment, hires=1, interviews="3"))
    assert event.status == EventStatus.closed
    # One history entry: the outcome and the status change it made, by who saved it.
    latest = history.for_record("event", event.id, session=session)[0]
    assert latest.user_name == "Cia Lind"
    assert latest.event.changes["event_status"] == ["planning", "closed"]
    assert latest.event.changes["interviews"] == [None, 3]
    # Changing the outcome afterwards keeps it closed, with no second status change.
    save(session, clock, bo, event, outcome(event, company, assignment, hires=1, seen=1))
    assert event.status == EventStatus.closed
    statuses = [c["event_status"] for c in event_changes(event, session) if "event_status" in c]
    assert statuses == [["planning", "closed"], [None, "planning"]]  # the latter: created


@pytest.mark.parametrize("status", ["recruiting", "running"])
def test_an_unchanged_outcome_saved_after_the_event_closes_it_too(
    session, clock, bo, company, held, status
):
    event, _assignment = held
    events.change_status(
        event, events.StatusForm(status=status), user=bo, session=session, clock=clock
    )
    session.commit()
    save(session, clock, bo, event, participants.OutcomeForm(version=event.version))
    assert event.status == EventStatus.closed
    assert event_changes(event, session)[0] == {"event_status": [status, "closed"]}


def test_an_outcome_counted_while_the_event_is_on_leaves_its_status(
    session, clock, bo, company, held
):
    event, assignment = held
    clock.set(STARTS + dt.timedelta(hours=1))  # 9–12: still going on
    save(session, clock, bo, event, outcome(event, company, assignment, hires=0, interviews="2"))
    assert (event.status, event.interviews) == (EventStatus.planning, 2)
    assert [c for c in event_changes(event, session) if "event_status" in c] == [
        event_changes(event, session)[-1]  # created
    ]


def test_a_cancelled_event_stays_cancelled(session, clock, bo, company, held):
    event, assignment = held
    events.change_status(
        event, events.StatusForm(status="cancelled"), user=bo, session=session, clock=clock
    )
    session.commit()
    refused(
        Conflict,
        lambda: participants.save_outcome(
            event,
            outcome(event, company, assignment, hires=1),
            user=bo,
            session=session,
            clock=clock,
        ),
    )
    session.rollback()
    session.refresh(event)
    assert event.status == EventStatus.cancelled


def test_hires_beyond_the_positions_are_refused_and_nothing_changes(
    session, clock, bo, company, held
):
    event, assignment = held
    error = refused(
        ValidationFailed,
        lambda: participants.save_outcome(
            event,
            outcome(event, company, assignment, hires=3, interviews="5"),
            user=bo,
            session=session,
            clock=clock,
        ),
    )
    session.rollback()
    assert error.variables["positions"] == 3 and "får inte plats" in error.message
    session.refresh(assignment)
    session.refresh(event)
    assert (assignment.filled_count, event.interviews) == (1, None)
    assert session.exec(select(EventAssignment)).one().hires == 0


def test_a_closed_assignment_keeps_its_rule(session, clock, bo, company, held):
    event, assignment = held
    assignments.change_status(
        assignment,
        assignments.StatusForm(status="partly_filled", filled_count="1"),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    error = refused(
        ValidationFailed,
        lambda: participants.save_outcome(
            event,
            outcome(event, company, assignment, hires=2),
            user=bo,
            session=session,
            clock=clock,
        ),
    )
    assert "avslutat" in error.message
    assert assignment.status == AssignmentStatus.partly_filled


def test_the_total_cannot_be_below_the_hires_on_assignments(session, clock, bo, company, held):
    event, assignment = held
    error = refused(
        ValidationFailed,
        lambda: participants.save_outcome(
            event,
            participants.OutcomeForm(
                hires="1",
                assignment_id=[str(assignment.id)],
                seen_hires=["0"],
                assignment_hires=["2"],
            ),
            user=bo,
            session=session,
            clock=clock,
        ),
    )
    assert error.field == "hires"


def test_the_outcome_waits_for_the_event_and_refuses_stale_forms(
    session, clock, bo, cia, company, held
):
    event, assignment = held
    clock.set(STARTS - dt.timedelta(hours=1))
    refused(
        Conflict,
        lambda: participants.save_outcome(
            event,
            outcome(event, company, assignment, hires=1),
            user=bo,
            session=session,
            clock=clock,
        ),
    )
    clock.set(STARTS + dt.timedelta(hours=4))
    stale = outcome(event, company, assignment, hires=1)
    save(session, clock, cia, event, outcome(event, company, assignment, hires=1, interviews="4"))
    refused(
        events.EditConflict,
        lambda: participants.save_outcome(event, stale, user=bo, session=session, clock=clock),
    )
    session.rollback()
    # A colleague changed the company's participation on its own form meanwhile.
    link = session.exec(select(EventCompany)).one()
    link.status = Participation.declined
    session.commit()
    seen_attended = outcome(event, company, assignment, hires=1, seen=1, status="confirmed")
    seen_attended.seen_status = ["attended"]
    error = refused(
        Conflict,
        lambda: participants.save_outcome(
            event, seen_attended, user=bo, session=session, clock=clock
        ),
    )
    assert error.variables == {"company": "Ängelholms Bygg AB"}


def test_a_company_with_hires_or_an_assignment_with_hires_stays(session, clock, bo, company, held):
    event, assignment = held
    save(session, clock, bo, event, outcome(event, company, assignment, hires=1))
    link = participants.get_link(event.id, assignment.id, session=session)
    refused(
        Conflict,
        lambda: participants.unlink_assignment(event, link, user=bo, session=session, clock=clock),
    )
    participant = participants.get_participant(event.id, company.id, session=session)
    refused(
        Conflict,
        lambda: participants.remove_participant(
            event, participant, user=bo, session=session, clock=clock
        ),
    )


# --- the checklist ------------------------------------------------------------------------


def test_tasks_are_added_ticked_edited_with_conflicts_and_deleted(session, clock, bo, cia, event):
    task = checklist.add_task(
        event,
        checklist.TaskForm(phase="closing", title="Skicka tack", due_on="2026-03-20"),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    assert task.phase == Phase.closing
    last = max(
        t.task.position for t in checklist.by_phase(event.id, session=session)[Phase.closing]
    )
    assert task.position == last
    checklist.set_done(task, True, user=cia, session=session, clock=clock)
    checklist.set_done(task, True, user=bo, session=session, clock=clock)  # agrees: no change
    session.commit()
    assert task.done_at == clock.now() and task.version == 2
    stale = checklist.TaskForm(phase="closing", title="Skicka tack", version=1)
    error = refused(
        checklist.EditConflict,
        lambda: checklist.update_task(task, stale, user=bo, session=session, clock=clock),
    )
    assert error.changes[0].event.changes == {"done": [False, True]}
    form = checklist.TaskForm.from_task(task).model_copy(update={"assignee_id": str(cia.id)})
    checklist.update_task(task, form, user=bo, session=session, clock=clock)
    checklist.delete_task(event, task, user=bo, session=session, clock=clock)
    session.commit()
    entries = events.history_of(event.id, session=session)
    assert entries[0].event.changes == {"task": ["Skicka tack", None]}


def test_the_template_is_edited_reordered_and_used_by_new_events(session, clock, bo):
    item = checklist.add_item(
        checklist.TemplateItemForm(phase="planning", title="Beställ fika", days_from_start="-2"),
        session=session,
    )
    planning = [i for i in checklist.template(session=session) if i.phase == Phase.planning]
    assert planning[-1].id == item.id
    checklist.move_item(item, "up", session=session)
    planning = [i for i in checklist.template(session=session) if i.phase == Phase.planning]
    assert planning[-2].id == item.id
    refused(
        ValidationFailed,
        lambda: checklist.update_item(
            item,
            checklist.TemplateItemForm(phase="planning", title="x", days_from_start="två"),
            session=session,
        ),
    )
    event = make_event(session, clock, bo)
    fika = session.exec(
        select(EventTask).where(EventTask.event_id == event.id, EventTask.title == "Beställ fika")
    ).one()
    assert fika.due_on == dt.date(2026, 3, 14)
    assert local(event.starts_at) == "2026-03-16T09:00"


def _saved_meanwhile(session, model, record_id):
    """A colleague's save between this request's read and its write: the row's version
    moves on while the record in hand still has the old one."""
    from sqlalchemy import update

    session.execute(
        update(model).where(model.id == record_id).values(version=model.version + 1),
        execution_options={"synchronize_session": False},
    )


def test_task_and_participant_saves_that_lose_a_race_are_conflicts(
    session, clock, bo, cia, company, event
):
    task = checklist.add_task(
        event, checklist.TaskForm(phase="closing", title="Skicka tack"), user=bo,
        session=session, clock=clock,
    )  # fmt: skip
    session.commit()
    form = checklist.TaskForm.from_task(task).model_copy(update={"title": "Tacka alla"})
    _saved_meanwhile(session, EventTask, task.id)
    error = refused(
        checklist.EditConflict,
        lambda: checklist.update_task(task, form, user=bo, session=session, clock=clock),
    )
    assert error.current.id == task.id

    task = session.get(EventTask, task.id)
    _saved_meanwhile(session, EventTask, task.id)
    error = refused(
        Conflict, lambda: checklist.set_done(task, True, user=cia, session=session, clock=clock)
    )
    assert error.message == "Någon annan har ändrat uppgiften. Ladda om sidan."

    link = invite(session, clock, event, company, bo)
    session.commit()
    _saved_meanwhile(session, EventCompany, link.id)
    confirmed = participants.ParticipantForm(status="confirmed", version=link.version)
    error = refused(
        participants.EditConflict,
        lambda: participants.update_participant(
            link, confirmed, user=bo, session=session, clock=clock
        ),
    )
    assert error.current.id == link.id
