"""A job track's checklist: the coordinator's tasks in each phase (planering, rekrytering,
genomförande, avslut), from the default checklist an admin edits. The events' checklist
code serves it (app/events/checklists.py); here is what is a track's own: an item's day
counts from the start of its phase, and moving a phase moves its open items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, select

from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.events.checklists import Checklist, TaskForm, TaskRow, template
from app.events.models import ChecklistFor
from app.history.models import AuditEvent
from app.phases import PHASE_LABELS, PHASES, Phase
from app.tracks import audit
from app.tracks.models import JobTrack, JobTrackTask

TRACK: Checklist[JobTrackTask] = Checklist(
    model=JobTrackTask,
    parent="track_id",
    entity="job_track_task",
    kind=ChecklistFor.track,
    record_on_parent=audit.record,
)

# The track's field holding the start of each phase.
PHASE_STARTS = {
    Phase.planning: "planning_starts_on",
    Phase.recruitment: "recruitment_starts_on",
    Phase.execution: "execution_starts_on",
    Phase.closing: "closing_starts_on",
}


def starts(track: JobTrack) -> dict[Phase, dt.date | None]:
    """When each of the track's phases starts (None where not planned yet)."""
    return {phase: getattr(track, field) for phase, field in PHASE_STARTS.items()}


def from_template(track: JobTrack, *, session: Session, clock: Clock) -> list[JobTrackTask]:
    """The default checklist as the new track's items, assigned to its coordinator, each
    due the given days after the start of its phase (never before today); an item of a
    phase with no start date yet has no day."""
    return TRACK.from_template(
        track.id,
        starts(track),
        assignee_id=track.coordinator_id,
        session=session,
        clock=clock,
    )


def follow_the_phases(
    track: JobTrack, before: dict[Phase, dt.date | None], *, session: Session, clock: Clock
) -> list[JobTrackTask]:
    """The track's phases were changed from `before`: a phase's open items move with its
    start; a phase that gets its first start date gives its undated items that came from
    the default checklist their days (those added by hand stay undated). A phase whose date
    is taken away leaves its items as they are."""
    moved: list[JobTrackTask] = []
    now = starts(track)
    undated_phases = []
    for phase in PHASES:
        old, new = before.get(phase), now[phase]
        if old is not None and new is not None:
            moved += TRACK.follow(
                track.id, (new - old).days, phase=phase, session=session, clock=clock
            )
        elif old is None and new is not None:
            undated_phases.append(phase)
    if undated_phases:
        moved += _date_from_template(track, undated_phases, now, session=session, clock=clock)
    return moved


def _date_from_template(
    track: JobTrack,
    phases: list[Phase],
    now: dict[Phase, dt.date | None],
    *,
    session: Session,
    clock: Clock,
) -> list[JobTrackTask]:
    days = {
        (item.phase, item.title): item.days_from_start
        for item in template(session=session, checklist=ChecklistFor.track)
        if item.phase in phases
    }
    tasks = session.exec(
        select(JobTrackTask).where(
            JobTrackTask.track_id == track.id,
            col(JobTrackTask.phase).in_(phases),
            col(JobTrackTask.done_at).is_(None),
            col(JobTrackTask.due_on).is_(None),
        )
    ).all()
    first_day, changed = today(clock), []
    for task in tasks:
        start, offset = now[task.phase], days.get((task.phase, task.title))
        if start is None or offset is None:
            continue
        task.due_on = max(start + dt.timedelta(days=offset), first_day)
        task.updated_at = clock.now()
        session.add(task)
        changed.append(task)
    session.flush()
    return changed


def history_where(track_id: int) -> ColumnElement[bool]:
    """The history entries of the track's checklist items (for the track's history; a
    removed item is recorded on the track itself)."""
    return and_(
        col(AuditEvent.entity) == TRACK.entity,
        col(AuditEvent.entity_id).in_(
            select(JobTrackTask.id).where(JobTrackTask.track_id == track_id)
        ),
    )


def section(
    track: JobTrack,
    *,
    session: Session,
    clock: Clock,
    user: User,
    errors: dict[str, Any] | None = None,
    task_forms: dict[str, TaskForm] | None = None,
) -> dict[str, Any]:
    """What templates/tracks/_checklist.html shows under its key "checklist": the items by
    phase with their assignees (one query), the colleagues to assign (one more, for
    editors), and a refused add's message and what was typed."""
    can_edit = user.role != Role.viewer
    tasks: dict[Phase, list[TaskRow[JobTrackTask]]] = TRACK.by_phase(track.id, session=session)
    return {
        "checklist": {
            "tasks_url": tasks_url(track.id),
            "tasks": tasks,
            "starts": starts(track),
            "people": companies.owners(session=session) if can_edit else [],
            "can_edit": can_edit,
            "today": today(clock),
            "errors": errors or {},
            "task_forms": task_forms or {},
            "phases": PHASES,
            "phase_labels": PHASE_LABELS,
        }
    }


def tasks_url(track_id: int) -> str:
    return f"/tracks/{track_id}/tasks"


def track_url(track_id: int, anchor: str = "") -> str:
    """The track's page, where its checklist is."""
    return f"/tracks/{track_id}" + (f"#{anchor}" if anchor else "")
