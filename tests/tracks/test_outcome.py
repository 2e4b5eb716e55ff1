"""A track's outcome: hires of its assignments and events counted once beside the ones
counted by hand, the counts checked against each other, saved without making the track's
own edit form stale, and conflicts between two colleagues saving at once."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assignments.models import EmploymentType
from app.errors import Conflict, ValidationFailed
from app.events import participants
from app.history import service as history
from app.tracks import links, outcome
from app.tracks.outcome import HAND_KINDS, ResultsForm
from tests import statements
from tests.conftest import START
from tests.events.factories import make_event
from tests.factories import make_company, make_track
from tests.tracks.helpers import make_assignment, take_part


def hires_at_event(session, clock, user, event, assignment, on_assignment, total):
    """The event's outcome: `on_assignment` hired on the assignment, `total` in all."""
    by = {"user": user, "session": session, "clock": clock}
    participants.invite(event, str(assignment.company_id), **by)
    participants.link_assignment(event, str(assignment.id), **by)
    form = participants.OutcomeForm(
        hires=str(total),
        assignment_id=[str(assignment.id)],
        seen_hires=["0"],
        assignment_hires=[str(on_assignment)],
    )
    participants.save_outcome(event, form, **by)
    session.commit()


def attach(session, clock, user, track, kind, row):
    links.attach(track, kind, str(row.id), user=user, session=session, clock=clock)
    session.commit()


def results_form(track, session, **typed):
    form = ResultsForm.from_outcome(outcome.outcome(track, session=session))
    by_kind = typed.pop("by_kind", {})
    for name, value in typed.items():
        setattr(form, name, value)
    form.count = [by_kind.get(kind, "") for kind in form.kind]
    return form


def save(track, session, clock, user, **typed):
    found = outcome.save(
        track, results_form(track, session, **typed), user=user, session=session, clock=clock
    )
    session.commit()
    return found


def test_hires_of_the_tracks_assignment_and_event_count_once(session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo)
    take_part(session, clock, track, company)
    assignment = make_assignment(
        session, clock, company, bo, employment_type="job_track", positions="5", filled_count="1"
    )
    event = make_event(session, clock, bo, starts=START - dt.timedelta(days=7))
    # 3 filled on the assignment, 2 of them at the event, which hired 4 in all.
    hires_at_event(session, clock, bo, event, assignment, on_assignment=2, total=4)
    session.refresh(assignment)
    assert assignment.filled_count == 3
    attach(session, clock, bo, track, links.ASSIGNMENT, assignment)
    attach(session, clock, bo, track, links.EVENT, event)

    found = outcome.outcome(track, session=session)
    assert found.from_assignments == {EmploymentType.job_track: 3}
    assert found.from_events == 2
    assert found.linked == found.employed == 5

    # The event alone: its 4 hires (the assignment is not the track's).
    links.detach(track, links.ASSIGNMENT, assignment.id, user=bo, session=session, clock=clock)
    assert outcome.outcome(track, session=session).employed == 4


def test_an_events_hires_on_another_tracks_assignment_count_on_this_track(
    session, clock, bo, company
):
    track, other = make_track(session, clock), make_track(session, clock)
    for each in (track, other):
        take_part(session, clock, each, company)
    assignment = make_assignment(session, clock, company, bo, positions="5")
    event = make_event(session, clock, bo, starts=START - dt.timedelta(days=7))
    hires_at_event(session, clock, bo, event, assignment, on_assignment=2, total=3)
    attach(session, clock, bo, other, links.ASSIGNMENT, assignment)
    attach(session, clock, bo, track, links.EVENT, event)
    assert outcome.outcome(track, session=session).employed == 3
    assert outcome.outcome(other, session=session).employed == 2


def test_by_hand_counts_add_to_the_linked_hires_by_kind(session, clock, bo, company):
    track = make_track(session, clock)
    take_part(session, clock, track, company)
    assignment = make_assignment(
        session, clock, company, bo, employment_type="ordinary", positions="4", filled_count="2"
    )
    attach(session, clock, bo, track, links.ASSIGNMENT, assignment)
    found = save(
        track,
        session,
        clock,
        bo,
        identified="20",
        started="12",
        completed="9",
        left_early="3",
        to_studies="2",
        by_kind={"ordinary": "3", "wage_subsidy": "1"},
    )
    assert found.by_hand == {EmploymentType.ordinary: 3, EmploymentType.wage_subsidy: 1}
    assert found.employed_as(EmploymentType.ordinary) == 5
    assert found.employed == 6
    assert found.with_outcome == 8
    assert found.kinds == [EmploymentType.ordinary, EmploymentType.wage_subsidy]


def test_saving_leaves_the_tracks_version_and_records_what_changed(session, clock, bo):
    track = make_track(session, clock)
    version = track.version
    save(track, session, clock, bo, identified="10", started="8", by_kind={"fixed_term": "2"})
    session.refresh(track)
    assert (track.identified, track.started, track.version) == (10, 8, version)
    [entry] = history.for_record("job_track", track.id, session=session)
    assert entry.event.version is None
    assert entry.event.changes == {
        "identified": [None, 10],
        "started": [None, 8],
        "employment_by_hand": [None, "Visstidsanställning: 2"],
    }
    # The same again: nothing changed, nothing recorded.
    save(track, session, clock, bo, identified="10", started="8", by_kind={"fixed_term": "2"})
    assert len(history.for_record("job_track", track.id, session=session)) == 1


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"identified": "5", "started": "6"}, "started", "Fler kan inte ha börjat (6)"),
        (
            {"started": "6", "completed": "4", "left_early": "3"},
            "completed",
            "avbröt i förtid (7) kan inte vara fler än de som började (6)",
        ),
        ({"completed": "2"}, "started", "Fyll i hur många som började"),
        ({"to_studies": "1"}, "started", "Fyll i hur många som började"),
        (
            {"started": "4", "to_studies": "1", "to_other": "1", "by_kind": {"ordinary": "3"}},
            "to_studies",
            "Utfallen (5, varav 0 anställningar",
        ),
        ({"started": "-1"}, "started", "Ange ett antal som en siffra"),
        ({"started": "8", "by_kind": {"ordinary": "två"}}, "count-ordinary", "Ange ett antal"),
    ],
)
def test_counts_that_do_not_fit_together_are_refused(session, clock, bo, typed, field, message):
    track = make_track(session, clock)
    with pytest.raises(ValidationFailed) as refused:
        outcome.save(
            track, results_form(track, session, **typed), user=bo, session=session, clock=clock
        )
    assert refused.value.field == field
    assert message in refused.value.message % refused.value.variables


def test_linked_hires_count_against_those_who_started(session, clock, bo, company):
    track = make_track(session, clock)
    take_part(session, clock, track, company)
    assignment = make_assignment(session, clock, company, bo, positions="9", filled_count="6")
    attach(session, clock, bo, track, links.ASSIGNMENT, assignment)
    with pytest.raises(ValidationFailed) as refused:
        outcome.save(
            track, results_form(track, session, started="5"), user=bo, session=session, clock=clock
        )
    assert refused.value.variables == {"total": 6, "linked": 6, "started": 5}
    assert save(track, session, clock, bo, started="6").counts["started"] == 6


def test_a_form_opened_before_a_colleagues_save_is_a_conflict(session, clock, bo):
    track = make_track(session, clock)
    stale = results_form(track, session, started="7")
    save(track, session, clock, bo, started="8")
    with pytest.raises(Conflict):
        outcome.save(track, stale, user=bo, session=session, clock=clock)


def test_outcomes_of_many_tracks_take_three_statements(session, engine, clock, bo):
    company = make_company(session, clock, user=bo)
    tracks = [make_track(session, clock) for _ in range(3)]
    for track in tracks:
        take_part(session, clock, track, company)
        save(track, session, clock, bo, started="9", by_kind={"ordinary": "1"})
    for track in tracks:
        session.refresh(track)  # loaded before, as a page has them
    with statements.recorded(engine) as seen:
        found = outcome.outcomes(tracks, session=session)
    assert len(seen) == 3
    assert all(found[track.id].employed == 1 for track in tracks)


def test_every_hand_kind_is_a_job():
    assert EmploymentType.internship not in HAND_KINDS
    assert EmploymentType.job_track not in HAND_KINDS
    assert EmploymentType.ordinary in HAND_KINDS
