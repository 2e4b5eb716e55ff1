"""The checklist of an event: add, edit, tick (htmx swaps just that item) and delete a
task. A refused change shows the event's page again with the message at its form
(pages.py), or the task's form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import Editor
from app.clock import today
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.events import checklist, pages
from app.events.checklist import TaskForm
from app.events.deps import EventDep, TaskDep
from app.events.models import RecruitmentEvent
from app.i18n import N_
from app.templating import render

router = APIRouter()


# --- the checklist ----------------------------------------------------------------------


@router.post("/events/{event_id:int}/tasks")
def add_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    event_id = event.id
    key = f"tasks-{form.phase}"
    refused = pages.refused_at(
        request, session, clock, user, event_id, key, task_forms={form.phase: form}
    )
    with saving.attempt(session, refused=refused):
        task = checklist.add_task(event, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, pages.event_url(event_id, f"task-{task.id}"), N_("Uppgiften är tillagd.")
    )


def _task_form_context(
    session: Session, event: RecruitmentEvent, form: TaskForm, task: Any, error: Any
) -> dict[str, Any]:
    return {
        "tasks_url": f"/events/{event.id}/tasks",
        "back_url": pages.event_url(event.id),
        "back_label": event.title,
        "task": task,
        "form": form,
        "error": error,
        "people": companies.owners(session=session),
        **pages.labels(),
    }


@router.get("/events/{event_id:int}/tasks/{task_id:int}/edit")
def edit_task(
    request: Request, session: SessionDep, user: Editor, event: EventDep, task: TaskDep
) -> Response:
    context = _task_form_context(session, event, TaskForm.from_task(task), task, None)
    return render(request, "_shared/checklist_task_form.html", context)


@router.post("/events/{event_id:int}/tasks/{task_id:int}")
def update_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    event_id, task_id = event.id, task.id

    def refused(error: DomainError) -> Response:
        current_event = pages.current(event_id, session)
        current = checklist.get_task(event_id, task_id, session=session)
        shown = (
            checklist.rebase(form, error, session=session)
            if isinstance(error, checklist.EditConflict)
            else form
        )
        context = _task_form_context(session, current_event, shown, current, error)
        return render(
            request,
            "_shared/checklist_task_form.html",
            context,
            block="task_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        checklist.update_task(task, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, pages.event_url(event_id, f"task-{task_id}"), N_("Uppgiften är sparad.")
    )


@router.post("/events/{event_id:int}/tasks/{task_id:int}/done")
def tick_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
    done: Annotated[str, Form()] = "1",
) -> Response:
    """One click: done (done=1) or not done (done=0). htmx swaps the item in place."""
    event_id, task_id = event.id, task.id
    refused = pages.refused_at(request, session, clock, user, event_id, f"task-{task_id}")
    with saving.attempt(session, refused=refused):
        checklist.set_done(task, done == "1", user=user, session=session, clock=clock)

    def item(_notice: str | None) -> Response:
        row = checklist.EVENT.row(task, session=session)
        context = {
            "tasks_url": f"/events/{event_id}/tasks",
            "row": row,
            "today": today(clock),
            "can_edit": True,
            "focus": True,
        }
        return render(request, "_shared/checklist_task.html", context)

    return saving.saved(
        request, session, pages.event_url(event_id, f"task-{task_id}"), fragment=item
    )


@router.post("/events/{event_id:int}/tasks/{task_id:int}/delete")
def delete_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
) -> Response:
    event_id, phase = event.id, task.phase
    checklist.delete_task(event, task, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, f"phase-{phase.value}"),
        N_("Uppgiften är borttagen."),
    )
