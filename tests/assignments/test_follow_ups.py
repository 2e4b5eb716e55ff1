"""Follow-up of placements: a fixed-term, subsidised or praktik assignment with filled
positions and an end day is followed up then and three months after; what came of the
positions is counted (never named), shown grey to green on the assignment and in the list,
and due follow-ups are on the owner's Min dag."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.assignments import follow_ups
from app.assignments import service as assignments
from app.assignments.follow_ups import FollowUpForm
from app.assignments.models import AssignmentStatus, FollowUpPoint
from app.clock import today
from app.errors import Conflict, Forbidden, ValidationFailed
from app.history.models import AuditEvent
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def company(session, clock, bo):
    return make_company(session, clock, user=bo, name="Kiruna Skola AB", owner_id=str(bo.id))


def placed(session, clock, company, bo, *, kind="extra_job", filled="2", ends_on="2026-11-30"):
    form = assignments.AssignmentForm(
        occupation="Lärarassistent",
        positions="3",
        employment_type=kind,
        source_user_id=str(bo.id),
        owner_id=str(bo.id),
        filled_count=filled,
        ends_on=ends_on,
    )
    assignment = assignments.create(company, form, user=bo, session=session, clock=clock)
    session.commit()
    return assignment


def points(session, assignment):
    return {
        row.point: row.due_on for row in follow_ups.for_assignment(assignment.id, session=session)
    }


def edit(session, clock, assignment, bo, **fields):
    form = assignments.AssignmentForm.from_assignment(assignment)
    for name, value in fields.items():
        setattr(form, name, value)
    assignments.update(assignment, form, user=bo, session=session, clock=clock)
    session.commit()


def record(session, clock, assignment, user, point=FollowUpPoint.at_end, **typed):
    row = next(
        r for r in follow_ups.for_assignment(assignment.id, session=session) if r.point == point
    )
    form = FollowUpForm.from_follow_up(row)
    for name, value in typed.items():
        setattr(form, name, value)
    saved = follow_ups.record(row, assignment, form, user=user, session=session, clock=clock)
    session.commit()
    return saved


# --- the points --------------------------------------------------------------------------


def test_the_end_day_and_three_months_after_the_months_last_day_where_shorter(
    session, clock, company, bo
):
    assignment = placed(session, clock, company, bo, ends_on="2026-11-30")
    assert points(session, assignment) == {
        FollowUpPoint.at_end: dt.date(2026, 11, 30),
        FollowUpPoint.later: dt.date(2027, 2, 28),
    }
    assert follow_ups.add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("kind", "filled", "ends_on"),
    [("ordinary", "2", "2026-11-30"), ("extra_job", "0", "2026-11-30"), ("extra_job", "2", "")],
)
def test_no_follow_up_for_ordinary_jobs_nobody_placed_or_no_end_day(
    session, clock, company, bo, kind, filled, ends_on
):
    assignment = placed(session, clock, company, bo, kind=kind, filled=filled, ends_on=ends_on)
    assert points(session, assignment) == {}


@pytest.mark.parametrize(
    "kind",
    ["fixed_term", "internship", "wage_subsidy", "new_start_job", "introduction_job"],
)
def test_fixed_term_praktik_and_every_subsidy_are_followed_up(session, clock, company, bo, kind):
    assert len(points(session, placed(session, clock, company, bo, kind=kind))) == 2


def test_the_points_follow_the_end_day_until_moved_or_recorded(session, clock, company, bo):
    assignment = placed(session, clock, company, bo, ends_on="2026-06-30")
    record(session, clock, assignment, bo, FollowUpPoint.later, due_on="2026-10-15")
    edit(session, clock, assignment, bo, ends_on="2026-08-31")
    # The first followed the end day; the second was moved by hand and stays.
    assert points(session, assignment) == {
        FollowUpPoint.at_end: dt.date(2026, 8, 31),
        FollowUpPoint.later: dt.date(2026, 10, 15),
    }


def test_a_recorded_follow_up_stays_when_the_assignment_no_longer_calls_for_one(
    session, clock, company, bo
):
    assignment = placed(session, clock, company, bo)
    record(session, clock, assignment, bo, ordinary_job="1")
    edit(session, clock, assignment, bo, employment_type="ordinary")
    assert points(session, assignment) == {FollowUpPoint.at_end: dt.date(2026, 11, 30)}


def test_hires_closing_the_assignment_schedule_its_follow_ups(session, clock, company, bo):
    assignment = placed(session, clock, company, bo, filled="0")
    assert points(session, assignment) == {}
    assignments.change_status(
        assignment,
        assignments.StatusForm(status=AssignmentStatus.partly_filled.value, filled_count="2"),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    assert len(points(session, assignment)) == 2


# --- recording ---------------------------------------------------------------------------


def test_recording_counts_outcomes_and_keeps_history(session, clock, company, bo):
    assignment = placed(session, clock, company, bo)
    saved = record(
        session,
        clock,
        assignment,
        bo,
        ordinary_job="1",
        studies="1",
        income_support_moved="1",
        notes="En fick fast tjänst",
    )
    assert (saved.ordinary_job, saved.studies, saved.no_job_or_studies) == (1, 1, 0)
    assert saved.recorded_at == clock.now() and saved.recorded_by_id == bo.id
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "assignment").order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes["point"] == [None, "at_end"]
    assert event.changes["ordinary_job"] == [None, 1]


def test_a_date_moved_without_counts_is_not_yet_recorded(session, clock, company, bo):
    assignment = placed(session, clock, company, bo)
    saved = record(session, clock, assignment, bo, due_on="2026-12-14")
    assert saved.recorded_at is None and saved.moved and saved.due_on == dt.date(2026, 12, 14)


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"ordinary_job": "2", "studies": "1"}, "ordinary_job"),
        ({"ordinary_job": "1", "income_support_moved": "2"}, "income_support_moved"),
        ({"studies": "två"}, "studies"),
        ({"due_on": ""}, "due_on"),
    ],
)
def test_outcomes_beyond_the_filled_positions_are_refused(
    session, clock, company, bo, typed, field
):
    assignment = placed(session, clock, company, bo)
    with pytest.raises(ValidationFailed) as refused:
        record(session, clock, assignment, bo, **typed)
    assert refused.value.field == field


def test_viewers_do_not_record_and_a_stale_form_is_a_conflict(session, clock, company, bo):
    assignment = placed(session, clock, company, bo)
    viewer = make_user(session, clock, role="viewer", username="vera")
    with pytest.raises(Forbidden):
        record(session, clock, assignment, viewer, ordinary_job="1")
    row = follow_ups.for_assignment(assignment.id, session=session)[0]
    stale = FollowUpForm.from_follow_up(row)
    record(session, clock, assignment, bo, ordinary_job="1")
    stale.ordinary_job = "2"
    with pytest.raises(Conflict):
        follow_ups.record(row, assignment, stale, user=bo, session=session, clock=clock)


def test_results_go_from_grey_to_green(session, clock, company, bo):
    assignment = placed(session, clock, company, bo)

    def results():
        return follow_ups.results([assignment], session=session)[assignment.id]

    assert (results().state, results().recorded, results().ordinary_job) == ("none", 0, None)
    record(session, clock, assignment, bo, ordinary_job="1")
    assert (results().state, results().ordinary_job) == ("partly", 1)
    record(session, clock, assignment, bo, FollowUpPoint.later, ordinary_job="2")
    assert (results().state, results().recorded, results().ordinary_job) == ("done", 2, 2)


# --- the pages ---------------------------------------------------------------------------


def test_the_assignment_page_records_a_follow_up_and_keeps_what_was_typed_when_refused(
    client, session, clock, company, bo
):
    assignment = placed(session, clock, company, bo, ends_on="2026-02-27")
    row = follow_ups.for_assignment(assignment.id, session=session)[0]
    page = f"/assignments/{assignment.id}"
    html = client.get(page).text
    assert "Uppföljt 0 av 2" in html and "Dags att följa upp" in html
    url = f"{page}/follow-ups/{row.id}"
    refused = client.post_form(
        url,
        {"due_on": "2026-02-27", "ordinary_job": "2", "studies": "1", "version": str(row.version)},
        token_from=page,
    )
    assert refused.status_code == 422
    assert "utfallen kan inte vara fler än så (nu 3)" in refused.text
    assert re.search(rf'id="fu{row.id}-studies"[^>]*value="1"', refused.text)
    saved = client.post_form(
        url,
        {"due_on": "2026-02-27", "ordinary_job": "2", "version": str(row.version)},
        token_from=page,
    )
    assert saved.status_code == 303
    html = client.get(page).text
    assert "Uppföljt 1 av 2" in html and "2 av 2 i ordinarie jobb" in html
    listed = client.get("/assignments?state=all").text
    assert 'class="results results-partly">1/2' in listed


def test_a_viewer_sees_the_follow_ups_without_forms_and_may_not_post(
    client, session, clock, company, bo
):
    assignment = placed(session, clock, company, bo)
    row = follow_ups.for_assignment(assignment.id, session=session)[0]
    page = f"/assignments/{assignment.id}"
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    html = client.get(page).text
    assert "Uppföljning av anställningarna" in html and "Spara uppföljningen" not in html
    refused = client.post_form(
        f"{page}/follow-ups/{row.id}", {"ordinary_job": "1"}, token_from=page
    )
    assert refused.status_code == 403


def test_a_follow_up_of_another_assignment_is_not_found(client, session, clock, company, bo):
    mine = placed(session, clock, company, bo)
    other = placed(session, clock, company, bo)
    row = follow_ups.for_assignment(other.id, session=session)[0]
    page = f"/assignments/{mine.id}"
    answer = client.post_form(f"{page}/follow-ups/{row.id}", {"ordinary_job": "1"}, token_from=page)
    assert answer.status_code == 404


def test_due_follow_ups_are_on_the_owners_min_dag(client, session, clock, company, bo):
    day = today(clock)
    due = placed(session, clock, company, bo, ends_on=(day - dt.timedelta(days=3)).isoformat())
    placed(session, clock, company, bo, ends_on=(day + dt.timedelta(days=3)).isoformat())
    html = client.get("/").text
    section = html[html.index('id="due-follow-ups"') : html.index('id="ending-agreements"')]
    assert f"/assignments/{due.id}#follow-up-" in section
    assert section.count("<li>") == 1
    record(session, clock, due, bo, ordinary_job="1")
    html = client.get("/").text
    assert "Inga anställningar att följa upp just nu." in html
