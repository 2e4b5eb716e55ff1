"""The assignment service: validation, the rules tying status, positions and filled count,
status changes with history, edit conflicts, who may delete, and the company's list."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.assignments import service as assignments
from app.assignments.models import (
    Assignment,
    AssignmentStatus,
    EmploymentType,
    SourceKind,
    employment_type_choices,
)
from app.assignments.service import AssignmentForm, EditConflict, Forbidden, StatusForm
from app.errors import Conflict, ValidationFailed
from app.history.models import AuditEvent
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import make_company, make_user


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def company(session, clock, bo):
    return make_company(session, clock, user=bo, name="Ängelholms Bygg AB", city="Ängelholm")


def form(bo, **fields):
    return AssignmentForm(**{"occupation": "Kock", "source_user_id": str(bo.id), **fields})


def create(session, clock, company, bo, **fields):
    assignment = assignments.create(
        company, form(bo, **fields), user=bo, session=session, clock=clock
    )
    session.commit()
    return assignment


def events(session, assignment):
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "assignment", AuditEvent.entity_id == assignment.id)
        .order_by(AuditEvent.id)
    ).all()


def change(session, clock, assignment, user, status, filled="", from_status=""):
    result = assignments.change_status(
        assignment,
        StatusForm(status=status, filled_count=filled, from_status=from_status),
        user=user,
        session=session,
        clock=clock,
    )
    session.commit()
    return result


def test_create_checks_and_derives_and_records(session, clock, company, bo):
    contact = make_contact(session, clock, company, bo, name="Eva Berg")
    assignment = create(
        session,
        clock,
        company,
        bo,
        occupation="  Kock  ",
        ssyk_code="5120",
        positions="3",
        employment_type="new_start_job",
        workplace="Ängelholm",
        deadline="2026-04-01",
        contact_id=str(contact.id),
        owner_id=str(bo.id),
        requirements="Livsmedelshygien",
    )
    assert assignment.occupation == "Kock"
    assert assignment.status == AssignmentStatus.new
    assert assignment.employment_type == EmploymentType.new_start_job
    assert (assignment.positions, assignment.filled_count) == (3, 0)
    assert assignment.created_by_id == bo.id
    assert assignment.search_text == "kock | 5120 | angelholm"
    [event] = events(session, assignment)
    assert event.action == "create"
    assert event.company_id == company.id
    assert event.changes["occupation"] == [None, "Kock"]
    assert event.changes["owner"] == [None, "Bo Ek"]
    assert event.changes["source_user"] == [None, "Bo Ek"]
    assert "contact_id" not in event.changes and "Eva Berg" not in str(event.changes)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"occupation": " "}, "occupation"),
        ({"ssyk_code": "51200"}, "ssyk_code"),
        ({"ssyk_code": "51a"}, "ssyk_code"),
        ({"positions": "0"}, "positions"),
        ({"positions": "1000"}, "positions"),
        ({"positions": "två"}, "positions"),
        ({"positions": "2", "filled_count": "3"}, "filled_count"),
        ({"filled_count": "-1"}, "filled_count"),
        ({"employment_type": "slav"}, "employment_type"),
        ({"deadline": "32/1"}, "deadline"),
        ({"source_kind": "broker", "source_user_id": ""}, "source_user_id"),
        ({"source_kind": "magi"}, "source_kind"),
        ({"contact_id": "999999"}, "contact_id"),
    ],
)
def test_create_refuses_what_does_not_fit(session, clock, company, bo, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        assignments.create(company, form(bo, **fields), user=bo, session=session, clock=clock)
    assert refused.value.field == field


@pytest.mark.parametrize("code", ["5", "51", "512", "5120", " 5120 "])
def test_ssyk_group_codes_of_one_to_four_digits_are_accepted(session, clock, company, bo, code):
    assert create(session, clock, company, bo, ssyk_code=code).ssyk_code == code.strip()


def test_a_viewer_or_inactive_user_cannot_own_or_bring_in(session, clock, company, bo):
    viewer = make_user(session, clock, role="viewer")
    gone = make_user(session, clock, role="broker", is_active=False)
    for name in ("owner_id", "source_user_id"):
        for user in (viewer, gone):
            with pytest.raises(ValidationFailed) as refused:
                create(session, clock, company, bo, **{name: str(user.id)})
            assert refused.value.field == name
            session.rollback()


def test_a_source_other_than_a_broker_names_nobody(session, clock, company, bo):
    assignment = create(session, clock, company, bo, source_kind="event")
    assert (assignment.source_kind, assignment.source_user_id) == (SourceKind.event, None)


def test_an_archived_company_takes_no_new_assignment(session, clock, company, bo):
    from app.companies import service as companies

    companies.archive(company, user=bo, session=session, clock=clock)
    with pytest.raises(Conflict):
        create(session, clock, company, bo)


# --- status -----------------------------------------------------------------------------


def test_open_statuses_move_in_one_step_and_keep_the_count(session, clock, company, bo):
    assignment = make_assignment(session, clock, company, bo, positions=3, filled_count=1)
    change(session, clock, assignment, bo, "searching", from_status="new")
    change(session, clock, assignment, bo, "presented")
    assert assignment.status == AssignmentStatus.presented
    assert assignment.filled_count == 1
    assert assignment.closed_at is None
    moves = [e.changes for e in events(session, assignment) if e.action == "update"][-2:]
    assert moves == [{"status": ["new", "searching"]}, {"status": ["searching", "presented"]}]


@pytest.mark.parametrize(
    ("status", "filled", "accepted"),
    [
        ("filled", "3", True),
        ("filled", "2", False),
        ("partly_filled", "2", True),
        ("partly_filled", "0", False),
        ("partly_filled", "3", False),
        ("closed_unfilled", "0", True),
        ("closed_unfilled", "1", False),
        ("cancelled", "0", True),
        ("cancelled", "1", True),
        ("cancelled", "3", False),
        ("filled", "4", False),
        ("filled", "", False),
    ],
)
def test_a_closed_status_asks_for_a_filled_count_that_fits_it(
    session, clock, company, bo, status, filled, accepted
):
    assignment = make_assignment(session, clock, company, bo, positions=3)
    if not accepted:
        with pytest.raises(ValidationFailed) as refused:
            change(session, clock, assignment, bo, status, filled)
        assert refused.value.field == "filled_count"
        return
    change(session, clock, assignment, bo, status, filled)
    assert assignment.status == AssignmentStatus(status)
    assert assignment.filled_count == int(filled)
    assert assignment.closed_at == clock.now()
    last = events(session, assignment)[-1]
    assert last.changes["status"] == ["new", status]


def test_reopening_clears_closed_at_and_keeps_the_count(session, clock, company, bo):
    assignment = make_assignment(
        session, clock, company, bo, positions=2, status="partly_filled", filled_count=1
    )
    change(session, clock, assignment, bo, "searching")
    assert (assignment.status, assignment.filled_count, assignment.closed_at) == (
        AssignmentStatus.searching,
        1,
        None,
    )


def test_a_move_from_a_status_that_changed_meanwhile_is_refused(session, clock, company, bo):
    assignment = make_assignment(session, clock, company, bo)
    change(session, clock, assignment, bo, "searching", from_status="new")
    with pytest.raises(Conflict):
        change(session, clock, assignment, bo, "searching", from_status="new")


def test_filled_count_equal_to_positions_offers_filled(session, clock, company, bo):
    assignment = make_assignment(session, clock, company, bo, positions=2, filled_count=1)
    assert not assignments.offers_filled(assignment)
    edited = AssignmentForm.from_assignment(assignment)
    edited.filled_count = "2"
    assignments.update(assignment, edited, user=bo, session=session, clock=clock)
    assert assignments.offers_filled(assignment)


def test_editing_a_closed_assignment_keeps_its_counts_consistent(session, clock, company, bo):
    assignment = make_assignment(
        session, clock, company, bo, positions=2, status="filled", filled_count=2
    )
    edited = AssignmentForm.from_assignment(assignment)
    edited.positions = "3"
    with pytest.raises(ValidationFailed) as refused:
        assignments.update(assignment, edited, user=bo, session=session, clock=clock)
    assert refused.value.field == "filled_count"


def test_the_database_refuses_more_filled_than_positions(session, clock, company, bo):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    assignment = make_assignment(session, clock, company, bo, positions=2)
    with pytest.raises(IntegrityError):
        session.execute(
            update(Assignment).where(Assignment.id == assignment.id).values(filled_count=3)  # type: ignore[arg-type]
        )
    session.rollback()


# --- edits, conflicts, delete -----------------------------------------------------------


def test_update_records_what_changed_and_nothing_when_nothing_did(session, clock, company, bo):
    assignment = make_assignment(session, clock, company, bo)
    unchanged = AssignmentForm.from_assignment(assignment)
    assignments.update(assignment, unchanged, user=bo, session=session, clock=clock)
    assert len(events(session, assignment)) == 1
    edited = AssignmentForm.from_assignment(assignment)
    edited.occupation, edited.deadline = "Kock", "2026-05-01"
    assignments.update(assignment, edited, user=bo, session=session, clock=clock)
    session.commit()
    assert events(session, assignment)[-1].changes == {
        "occupation": ["Lagerarbetare", "Kock"],
        "deadline": [None, "2026-05-01"],
    }
    assert assignment.version == 2


def test_an_edit_from_an_older_version_is_a_conflict_that_keeps_the_others_changes(
    session, clock, company, bo
):
    cia = make_user(session, clock, role="broker", full_name="Cia Lind")
    assignment = make_assignment(session, clock, company, bo)
    mine = AssignmentForm.from_assignment(assignment)
    theirs = AssignmentForm.from_assignment(assignment)
    theirs.workplace, theirs.owner_id = "Båstad", str(cia.id)
    assignments.update(assignment, theirs, user=cia, session=session, clock=clock)
    session.commit()
    mine.notes = "Ring efter lunch"
    with pytest.raises(EditConflict) as conflict:
        assignments.update(assignment, mine, user=bo, session=session, clock=clock)
    session.rollback()
    assert [e.user_name for e in conflict.value.changes] == ["Cia Lind"]
    rebased = assignments.rebase(mine, conflict.value, session=session)
    assert (rebased.workplace, rebased.owner_id) == ("Båstad", str(cia.id))
    assert rebased.notes == "Ring efter lunch"
    assert rebased.version == assignment.version
    assignments.update(assignment, rebased, user=bo, session=session, clock=clock)
    assert (assignment.notes, assignment.workplace) == ("Ring efter lunch", "Båstad")


def test_who_may_delete(session, clock, company, bo):
    cia = make_user(session, clock, role="broker")
    ada = make_user(session, clock, role="admin")
    viewer = make_user(session, clock, role="viewer")
    assignment = make_assignment(session, clock, company, bo, owner_id=str(cia.id))
    dan = make_user(session, clock, role="broker")
    assert [assignments.may_delete(assignment, u) for u in (bo, cia, ada, dan, viewer)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(Forbidden):
        assignments.delete(assignment, user=dan, session=session, clock=clock)
    assignment_id = assignment.id
    assignments.delete(assignment, user=cia, session=session, clock=clock)
    session.commit()
    assert session.get(Assignment, assignment_id) is None
    last = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_id == assignment_id)
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert last.action == "delete" and last.changes["occupation"] == ["Lagerarbetare", None]


def test_the_company_lists_open_assignments_first_by_deadline(session, clock, company, bo):
    closed = make_assignment(session, clock, company, bo, status="closed_unfilled")
    later = make_assignment(session, clock, company, bo, deadline="2026-05-01")
    none = make_assignment(session, clock, company, bo)
    sooner = make_assignment(session, clock, company, bo, deadline="2026-03-10")
    rows, more = assignments.for_company(company.id, session=session)
    assert [r.assignment.id for r in rows] == [sooner.id, later.id, none.id, closed.id]
    assert not more
    rows, more = assignments.for_company(company.id, session=session, limit=2)
    assert len(rows) == 2 and more


def test_deleting_the_company_deletes_its_assignments_and_a_contact_leaves_none_behind(
    session, clock, company, bo
):
    from app.contacts import service as contacts

    contact = make_contact(session, clock, company, bo)
    assignment = make_assignment(session, clock, company, bo, contact_id=str(contact.id))
    contacts.delete(contact, user=bo, session=session, clock=clock)
    session.commit()
    session.refresh(assignment)
    assert assignment.contact_id is None
    session.delete(company)
    session.commit()
    assert session.exec(select(Assignment)).all() == []


def test_a_save_that_lands_between_reading_and_writing_is_an_edit_conflict(
    session, clock, company, bo
):
    """Someone saves after this request read the assignment (its form and the record
    agree on the version) but before it writes: the UPDATE finds a newer version, and the
    user gets the edit conflict, not an error page."""
    from sqlalchemy import update

    cia = make_user(session, clock, role="broker", full_name="Cia Lind")
    assignment = make_assignment(session, clock, company, bo)
    mine = AssignmentForm.from_assignment(assignment)
    mine.owner_id = str(cia.id)  # history names owners: a query between change and flush
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id)  # type: ignore[arg-type]
        .values(workplace="Båstad", version=Assignment.version + 1),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(EditConflict):
        assignments.update(assignment, mine, user=bo, session=session, clock=clock)


# --- the subsidised kinds, split ---------------------------------------------------------


def test_a_new_assignment_names_its_kind_of_subsidy(session, clock, company, bo):
    with pytest.raises(ValidationFailed) as refused:
        create(session, clock, company, bo, employment_type="subsidised")
    assert refused.value.field == "employment_type"
    assert "extratjänst, lönestöd, nystartsjobb" in refused.value.message
    for kind in ("extra_job", "wage_subsidy", "new_start_job", "introduction_job", "other_subsidy"):
        assert create(session, clock, company, bo, employment_type=kind).employment_type == kind


def test_an_assignment_from_before_the_split_keeps_its_kind_until_it_is_chosen(
    session, clock, company, bo
):
    from sqlalchemy import update

    assignment = create(session, clock, company, bo, employment_type="wage_subsidy")
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(employment_type="subsidised")
    )
    session.commit()
    session.refresh(assignment)
    # Edited as it is, it stays undivided; the form offers the old kind to it alone.
    edited = AssignmentForm.from_assignment(assignment)
    edited.notes = "Ringde arbetsgivaren"
    assignments.update(assignment, edited, user=bo, session=session, clock=clock)
    assert assignment.employment_type == EmploymentType.subsidised
    assert EmploymentType.subsidised in employment_type_choices("subsidised")
    assert EmploymentType.subsidised not in employment_type_choices("extra_job")
    # Once split, it cannot go back.
    edited = AssignmentForm.from_assignment(assignment)
    edited.employment_type = "extra_job"
    assignments.update(assignment, edited, user=bo, session=session, clock=clock)
    assert assignment.employment_type == EmploymentType.extra_job
    edited = AssignmentForm.from_assignment(assignment)
    edited.employment_type = "subsidised"
    with pytest.raises(ValidationFailed):
        assignments.update(assignment, edited, user=bo, session=session, clock=clock)
