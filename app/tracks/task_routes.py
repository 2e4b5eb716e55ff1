"""A job track's checklist: its page, and add, edit, tick (htmx swaps just that item) and
delete an item. A saved change goes back to the track's page; a refused one shows the
checklist's own page (or the item's form) with the message and what was typed. The
templates and the service are the events' checklist's (app/events/checklists.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import AnyUser, Editor
from app.auth.models import User
from app.clock import Clock, today
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, Forbidden
from app.events.checklists import EditConflict, TaskForm, rebase
from app.i18n import N_
from app.phases import PHASE_LABELS, PHASES
from app.templating import render
from app.tracks import checklist
from app.tracks import service as tracks
from app.tracks.checklist import TRACK, track_url
from app.tracks.deps import TrackDep, TrackTaskDep
from app.tracks.models import JobTrack, JobTrackTask

router = APIRouter()


def _page(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track: JobTrack,
    *,
    errors: dict[str, DomainError] | None = None,
    task_forms: dict[str, TaskForm] | None = None,
    status_code: int = 200,
) -> Response:
    section = checklist.section(
        track, session=session, clock=clock, user=user, errors=errors, task_forms=task_forms
    )
    context = {"track": track, **section}
    return render(request, "tracks/checklist.html", context, status_code=status_code)


def _refused_at(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track_id: int,
    key: str,
    **typed: Any,
) -> saving.Refused:
    """The checklist's page again with the message at its form (`key`); Forbidden is the
    403 page (app/main.py)."""

    def answer(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        track = tracks.get(track_id, session=session)  # NotFound when deleted meanwhile
        return _page(
            request,
            session,
            clock,
            user,
            track,
            errors={key: error},
            status_code=error.http_status,
            **typed,
        )

    return answer


@router.get("/tracks/{track_id:int}/checklist")
def show_checklist(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, track: TrackDep
) -> Response:
    return _page(request, session, clock, user, track)


@router.post("/tracks/{track_id:int}/tasks")
def add_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    track_id = track.id
    key = f"tasks-{form.phase}"
    refused = _refused_at(
        request, session, clock, user, track_id, key, task_forms={form.phase: form}
    )
    with saving.attempt(session, refused=refused):
        task = TRACK.add_task(track_id, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, track_url(track_id, f"task-{task.id}"), N_("Uppgiften är tillagd.")
    )


def _form_context(
    session: Session, track: JobTrack, form: TaskForm, task: JobTrackTask, error: Any
) -> dict[str, Any]:
    return {
        "tasks_url": checklist.tasks_url(track.id),
        "back_url": track_url(track.id),
        "back_label": track.name,
        "task": task,
        "form": form,
        "error": error,
        "people": companies.owners(session=session),
        "phases": PHASES,
        "phase_labels": PHASE_LABELS,
    }


@router.get("/tracks/{track_id:int}/tasks/{track_task_id:int}/edit")
def edit_task(
    request: Request, session: SessionDep, user: Editor, track: TrackDep, task: TrackTaskDep
) -> Response:
    context = _form_context(session, track, TaskForm.from_task(task), task, None)
    return render(request, "_shared/checklist_task_form.html", context)


@router.post("/tracks/{track_id:int}/tasks/{track_task_id:int}")
def update_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    task: TrackTaskDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    track_id, task_id = track.id, task.id

    def refused(error: DomainError) -> Response:
        current_track = tracks.get(track_id, session=session)
        current = TRACK.get_task(track_id, task_id, session=session)
        shown = rebase(form, error, session=session) if isinstance(error, EditConflict) else form
        return render(
            request,
            "_shared/checklist_task_form.html",
            _form_context(session, current_track, shown, current, error),
            block="task_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        TRACK.update_task(task, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, track_url(track_id, f"task-{task_id}"), N_("Uppgiften är sparad.")
    )


@router.post("/tracks/{track_id:int}/tasks/{track_task_id:int}/done")
def tick_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    task: TrackTaskDep,
    done: Annotated[str, Form()] = "1",
) -> Response:
    """One click: done (done=1) or not done (done=0). htmx swaps the item in place."""
    track_id, task_id = track.id, task.id
    refused = _refused_at(request, session, clock, user, track_id, f"task-{task_id}")
    with saving.attempt(session, refused=refused):
        TRACK.set_done(task, done == "1", user=user, session=session, clock=clock)

    def item(_notice: str | None) -> Response:
        context = {
            "tasks_url": checklist.tasks_url(track_id),
            "row": TRACK.row(task, session=session),
            "today": today(clock),
            "can_edit": True,
            "focus": True,
        }
        return render(request, "_shared/checklist_task.html", context)

    return saving.saved(request, session, track_url(track_id, f"task-{task_id}"), fragment=item)


@router.post("/tracks/{track_id:int}/tasks/{track_task_id:int}/delete")
def delete_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    task: TrackTaskDep,
) -> Response:
    track_id, phase = track.id, task.phase
    TRACK.delete_task(track, task, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        track_url(track_id, f"checklist-{phase.value}"),
        N_("Uppgiften är borttagen."),
    )
