"""The rules of a job track in its service: phase dates in order, the status one phase at
a time, who cancels, reopens and deletes, the co-workers, and history."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import Conflict, Forbidden, ValidationFailed
from app.history import service as history
from app.tracks import service as tracks
from app.tracks.form import TrackForm
from app.tracks.models import TrackStatus
from app.tracks.service import StatusForm
from tests.factories import make_track, make_user


def form(coordinator, **typed):
    defaults = {"name": "Barnskötare", "occupation": "Barnskötare", "places": "10"}
    return TrackForm(coordinator_id=str(coordinator.id), **{**defaults, **typed})


def test_dates_without_a_year_follow_the_one_before(session, clock):
    broker = make_user(session, clock, role="broker")
    track = tracks.create(
        form(broker, planning_starts_on="2026-11-01", recruitment_starts_on="15/1"),
        user=broker,
        session=session,
        clock=clock,
    )
    assert track.recruitment_starts_on == dt.date(2027, 1, 15)


def test_a_date_before_an_earlier_phase_is_refused_at_its_field(session, clock):
    broker = make_user(session, clock, role="broker")
    typed = form(broker, planning_starts_on="2026-05-01", ends_on="2026-04-30")
    with pytest.raises(ValidationFailed) as refused:
        tracks.create(typed, user=broker, session=session, clock=clock)
    assert refused.value.field == "ends_on"


def test_co_workers_leave_out_the_coordinator_and_are_recorded(session, clock):
    broker = make_user(session, clock, role="broker", full_name="Bo Ek")
    colleague = make_user(session, clock, role="broker", full_name="Åsa Öberg")
    viewer = make_user(session, clock, role="viewer")
    typed = form(broker, member_ids=[str(broker.id), str(colleague.id)])
    track = tracks.create(typed, user=broker, session=session, clock=clock)
    assert tracks.member_ids(track.id, session=session) == [colleague.id]
    (entry,) = tracks.history_of(track.id, session=session)
    assert entry.event.changes["co_workers"] == [None, "Åsa Öberg"]
    with pytest.raises(ValidationFailed):
        tracks.update(
            track,
            form(broker, member_ids=[str(viewer.id)], version=track.version),
            user=broker,
            session=session,
            clock=clock,
        )


def test_an_update_from_an_old_version_is_a_conflict(session, clock):
    broker = make_user(session, clock, role="broker")
    track = tracks.create(form(broker), user=broker, session=session, clock=clock)
    session.commit()
    tracks.update(
        track, form(broker, places="11", version=1), user=broker, session=session, clock=clock
    )
    session.commit()
    with pytest.raises(tracks.EditConflict) as conflict:
        tracks.update(
            track, form(broker, places="9", version=1), user=broker, session=session, clock=clock
        )
    assert [e.event.changes for e in conflict.value.changes] == [{"places": [10, 11]}]


def test_the_status_goes_one_phase_at_a_time(session, clock):
    broker = make_user(session, clock, role="broker")
    track = make_track(session, clock, coordinator=broker)

    def go(status, user=broker):
        return tracks.set_status(
            track, StatusForm(status=status), user=user, session=session, clock=clock
        )

    with pytest.raises(ValidationFailed):
        go("execution")
    go("recruitment")
    go("execution")
    go("recruitment")  # one step back, a mistake corrected
    assert track.status == TrackStatus.recruitment
    changes = [e.event.changes for e in history.for_record("job_track", track.id, session=session)]
    assert changes[0] == {"track_status": ["execution", "recruitment"]}


def test_only_the_coordinator_or_an_admin_cancels_and_reopens(session, clock):
    coordinator = make_user(session, clock, role="broker")
    colleague = make_user(session, clock, role="broker")
    admin = make_user(session, clock, role="admin")
    track = make_track(
        session,
        clock,
        coordinator=coordinator,
        planning_starts_on=dt.date(2026, 1, 1),
        recruitment_starts_on=dt.date(2026, 2, 1),
        execution_starts_on=dt.date(2026, 9, 1),
    )
    cancel = StatusForm(status="cancelled")
    with pytest.raises(Forbidden):
        tracks.set_status(track, cancel, user=colleague, session=session, clock=clock)
    tracks.set_status(track, cancel, user=coordinator, session=session, clock=clock)
    # Reopened in the phase its dates say it is in today (2026-03-02: recruitment).
    assert tracks.reopen_status(track, clock=clock) == TrackStatus.recruitment
    reopen = StatusForm(status="recruitment", from_status="cancelled")
    tracks.set_status(track, reopen, user=admin, session=session, clock=clock)
    assert track.status == TrackStatus.recruitment


def test_a_stale_status_button_is_a_conflict(session, clock):
    broker = make_user(session, clock, role="broker")
    track = make_track(session, clock, coordinator=broker, status="recruitment")
    stale = StatusForm(status="recruitment", from_status="planning")
    with pytest.raises(Conflict):
        tracks.set_status(track, stale, user=broker, session=session, clock=clock)


def test_deleting_is_the_coordinators_or_an_admins_and_keeps_history(session, clock):
    coordinator = make_user(session, clock, role="broker")
    colleague = make_user(session, clock, role="broker")
    track = make_track(session, clock, coordinator=coordinator)
    track_id = track.id
    with pytest.raises(Forbidden):
        tracks.delete_track(track, user=colleague, session=session, clock=clock)
    tracks.delete_track(track, user=coordinator, session=session, clock=clock)
    (entry,) = history.for_record("job_track", track_id, session=session)
    assert entry.event.action == "delete"
    assert entry.event.changes["name"][0] == track.name
