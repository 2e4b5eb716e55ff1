"""An event's checklist by phase (planering, rekrytering, genomförande, avslut): items with
a due date, an assignee and done; and the default checklist a new event starts from,
which an admin edits. An item's due date from the template is the event's start date (in
Swedish time) plus the item's days_from_start, but never before today: an item whose day
has already passed when the event is made (or moved) is due today, not overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, SQLModel, col, select

from app.auth import service as users
from app.auth.models import User
from app.clock import Clock, to_local, today
from app.dates import parse_date
from app.db import get_typed, hold_write_lock
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.audit import record
from app.events.models import (
    PHASES,
    ChecklistFor,
    ChecklistTemplateItem,
    EventTask,
    Phase,
    RecruitmentEvent,
)
from app.history import service as history
from app.i18n import N_
from app.validation import required_text

MAX_DAYS = 365


class EditConflict(history.EditConflict):
    """Someone saved the checklist item after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat uppgiften medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


def phase_rank(column: Any) -> Any:
    """ORDER BY expression: the phases in their order."""
    return case({phase.value: rank for rank, phase in enumerate(PHASES)}, value=column)


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise ValidationFailed("Välj en fas.", field="phase") from None


def _title(value: str) -> str:
    return required_text(
        value, field="title", max_length=200, message=N_("Skriv vad som ska göras.")
    )


# --- an event's checklist ---------------------------------------------------------------


@dataclass
class TaskRow:
    task: EventTask
    assignee_name: str | None

    def overdue(self, today: dt.date) -> bool:
        return (
            self.task.done_at is None and self.task.due_on is not None and self.task.due_on < today
        )


def by_phase(event_id: int, *, session: Session) -> dict[Phase, list[TaskRow]]:
    """The event's items by phase, in order, with their assignees' names: one query."""
    rows = session.exec(
        select(EventTask, User.full_name)
        .outerjoin(User, col(User.id) == EventTask.assignee_id)
        .where(EventTask.event_id == event_id)
        .order_by(col(EventTask.phase), col(EventTask.position), col(EventTask.id))
    ).all()
    result: dict[Phase, list[TaskRow]] = {phase: [] for phase in PHASES}
    for task, name in rows:
        result[task.phase].append(TaskRow(task=task, assignee_name=name))
    return result


def from_template(event: RecruitmentEvent, *, session: Session, clock: Clock) -> list[EventTask]:
    """The default checklist's items as the new event's tasks, assigned to its owner. An
    item whose offset has already passed (an event made at short notice) is due today."""
    start, first_day = to_local(event.starts_at).date(), today(clock)
    now = clock.now()
    tasks = [
        EventTask(
            event_id=event.id,
            phase=item.phase,
            title=item.title,
            due_on=max(start + dt.timedelta(days=item.days_from_start), first_day),
            assignee_id=event.owner_id,
            position=item.position,
            created_at=now,
            updated_at=now,
        )
        for item in template(session=session)
    ]
    session.add_all(tasks)
    session.flush()
    return tasks


def follow_the_start(
    event_id: int, days: int, *, session: Session, clock: Clock
) -> list[EventTask]:
    """The event moved `days` days: its open items' due dates move with it, as the plan
    was made relative to the start. Items already done keep their dates. Moving the event
    earlier makes no item overdue that was not: one whose new day has passed is due today
    (one already overdue keeps its day)."""
    if days == 0:
        return []
    tasks = list(
        session.exec(
            select(EventTask).where(
                EventTask.event_id == event_id,
                col(EventTask.done_at).is_(None),
                col(EventTask.due_on).is_not(None),
            )
        ).all()
    )
    now, first_day = clock.now(), today(clock)
    for task in tasks:
        if task.due_on is None:  # not selected above: only tasks with a day move
            continue
        task.due_on = max(task.due_on + dt.timedelta(days=days), min(task.due_on, first_day))
        task.updated_at = now
        session.add(task)
    session.flush()
    return tasks


def get_task(event_id: int, task_id: int, *, session: Session) -> EventTask:
    task = session.get(EventTask, task_id)
    if task is None or task.event_id != event_id:
        raise NotFound("Uppgiften finns inte.")
    return task


class TaskForm(SQLModel):
    phase: str = Phase.planning.value
    title: str = ""
    due_on: str = ""
    assignee_id: str = ""
    version: int | None = None

    @classmethod
    def from_task(cls, task: EventTask) -> TaskForm:
        return cls(
            phase=task.phase.value,
            title=task.title,
            due_on=task.due_on.isoformat() if task.due_on else "",
            assignee_id=str(task.assignee_id or ""),
            version=task.version,
        )


def _assignee(value: str, *, session: Session, keep: int | None) -> int | None:
    if not value:
        return None
    return users.chosen_colleague(
        session,
        value,
        field="assignee_id",
        message=N_("Välj en aktiv jobbmäklare som ansvarig."),
        keep=(keep,),
    )


def _clean(
    form: TaskForm, *, session: Session, clock: Clock, current: EventTask | None = None
) -> dict[str, Any]:
    return {
        "phase": _phase(form.phase),
        "title": _title(form.title),
        "due_on": parse_date(
            form.due_on,
            today=today(clock),
            direction="future",
            field="due_on",
            label=N_("Klart senast"),
        ),
        "assignee_id": _assignee(
            form.assignee_id, session=session, keep=current.assignee_id if current else None
        ),
    }


def _tracked(task: EventTask, *, session: Session) -> dict[str, Any]:
    assignee = session.get(User, task.assignee_id) if task.assignee_id else None
    return {
        "task": task.title,
        **history.snapshot(task, ("phase", "due_on")),
        "assignee": assignee.full_name if assignee else None,
        "done": task.done_at is not None,
    }


_record = history.Recorder("event_task")


def add_task(
    event: RecruitmentEvent, form: TaskForm, *, user: User, session: Session, clock: Clock
) -> EventTask:
    values = _clean(form, session=session, clock=clock)
    last = session.exec(
        select(func.max(EventTask.position)).where(
            EventTask.event_id == event.id, EventTask.phase == values["phase"]
        )
    ).one()
    now = clock.now()
    task = EventTask(
        event_id=event.id,
        position=(last or 0) + 1,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(task)
    session.flush()
    filled = {
        k: v for k, v in _tracked(task, session=session).items() if v not in (None, "", False)
    }
    _record(task, "create", history.diff({}, filled), user=user, session=session, clock=clock)
    return task


def _task(task_id: int, *, session: Session) -> EventTask:
    """The task as it now is, or NotFound: what history.flush_or_conflict reloads."""
    task = session.get(EventTask, task_id)
    if task is None:
        raise NotFound("Uppgiften finns inte.")
    return task


def _flush(task: EventTask, version: int | None, *, session: Session) -> None:
    history.flush_or_conflict(
        task, "event_task", version, conflict=EditConflict, get=_task, session=session
    )


def update_task(
    task: EventTask, form: TaskForm, *, user: User, session: Session, clock: Clock
) -> EventTask:
    history.check_version(task, "event_task", form.version, conflict=EditConflict, session=session)
    values = _clean(form, session=session, clock=clock, current=task)
    before = _tracked(task, session=session)
    if values["phase"] != task.phase:
        last = session.exec(
            select(func.max(EventTask.position)).where(
                EventTask.event_id == task.event_id, EventTask.phase == values["phase"]
            )
        ).one()
        task.position = (last or 0) + 1
    for name, value in values.items():
        setattr(task, name, value)
    changes = history.diff(before, _tracked(task, session=session))
    if not changes:
        return task
    task.updated_at = clock.now()
    session.add(task)
    _flush(task, form.version, session=session)
    _record(task, "update", changes, user=user, session=session, clock=clock)
    return task


def rebase(form: TaskForm, error: EditConflict, *, session: Session) -> TaskForm:
    """The user's form with the other person's changes where the user changed nothing."""
    current = TaskForm.from_task(error.current)
    result = form.model_copy()
    for name, before in history.values_before(error.changes).items():
        field = {"assignee": "assignee_id", "task": "title"}.get(name, name)
        if field not in TaskForm.model_fields:
            continue
        typed: Any = getattr(form, field)
        if name == "assignee":
            person = get_typed(session, User, typed)
            typed = person.full_name if person else None
        if history.same_value(typed, before):
            setattr(result, field, getattr(current, field))
    result.version = error.current.version
    return result


def set_done(
    task: EventTask, done: bool, *, user: User, session: Session, clock: Clock
) -> EventTask:
    """Ticks an item done or undone. Asking for the state it already has changes nothing
    (two colleagues ticking the same item agree)."""
    if (task.done_at is not None) == done:
        return task
    task.done_at = clock.now() if done else None
    task.updated_at = clock.now()
    session.add(task)
    task_id = task.id

    def changed_meanwhile() -> Exception:
        _task(task_id, session=session)  # NotFound when it is gone
        return Conflict("Någon annan har ändrat uppgiften. Ladda om sidan.")

    history.flush_or_raise(session, changed_meanwhile)
    _record(task, "update", {"done": [not done, done]}, user=user, session=session, clock=clock)
    return task


def delete_task(
    event: RecruitmentEvent, task: EventTask, *, user: User, session: Session, clock: Clock
) -> None:
    """Removes an item; the event's history keeps which."""
    record(
        event,
        "update",
        {"task": [task.title, None]},
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    session.delete(task)
    session.flush()


# --- the default checklist --------------------------------------------------------------


def template(
    *, session: Session, checklist: ChecklistFor = ChecklistFor.event
) -> list[ChecklistTemplateItem]:
    """A default checklist (a new event's unless told), by phase and position."""
    return list(
        session.exec(
            select(ChecklistTemplateItem)
            .where(ChecklistTemplateItem.checklist == checklist)
            .order_by(
                phase_rank(ChecklistTemplateItem.phase),
                col(ChecklistTemplateItem.position),
                col(ChecklistTemplateItem.id),
            )
        ).all()
    )


def get_item(item_id: int, *, session: Session) -> ChecklistTemplateItem:
    item = session.get(ChecklistTemplateItem, item_id)
    if item is None:
        raise NotFound("Punkten finns inte.")
    return item


class TemplateItemForm(SQLModel):
    phase: str = Phase.planning.value
    title: str = ""
    days_from_start: str = "0"


def _days(value: str) -> int:
    value = value.strip().replace("−", "-")
    try:
        days = int(value)
    except ValueError:
        raise ValidationFailed(
            "Ange antal dagar som ett heltal, minus för dagar före träffen.",
            field="days_from_start",
        ) from None
    if not -MAX_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(
            "Ange högst %(max)s dagar före eller efter träffen.",
            field="days_from_start",
            variables={"max": MAX_DAYS},
        )
    return days


def _last_position(phase: Phase, *, session: Session) -> int:
    last = session.exec(
        select(func.max(ChecklistTemplateItem.position)).where(
            ChecklistTemplateItem.checklist == ChecklistFor.event,
            ChecklistTemplateItem.phase == phase,
        )
    ).one()
    return last or 0


def add_item(form: TemplateItemForm, *, session: Session) -> ChecklistTemplateItem:
    phase = _phase(form.phase)
    item = ChecklistTemplateItem(
        phase=phase,
        title=_title(form.title),
        days_from_start=_days(form.days_from_start),
        position=_last_position(phase, session=session) + 1,
    )
    session.add(item)
    session.flush()
    return item


def update_item(
    item: ChecklistTemplateItem, form: TemplateItemForm, *, session: Session
) -> ChecklistTemplateItem:
    phase = _phase(form.phase)
    title, days = _title(form.title), _days(form.days_from_start)
    if phase != item.phase:
        item.position = _last_position(phase, session=session) + 1
    item.phase, item.title, item.days_from_start = phase, title, days
    session.add(item)
    session.flush()
    return item


def move_item(item: ChecklistTemplateItem, direction: str, *, session: Session) -> None:
    """Swaps the item with its neighbour in its phase ("up" or "down")."""
    hold_write_lock(session)  # the order read is the order renumbered
    same_phase = [i for i in template(session=session) if i.phase == item.phase]
    index = next(n for n, i in enumerate(same_phase) if i.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(same_phase):
        return
    # Renumber the phase so that equal positions (e.g. after edits) cannot stick.
    same_phase[index], same_phase[other] = same_phase[other], same_phase[index]
    for position, each in enumerate(same_phase, start=1):
        each.position = position
        session.add(each)
    session.flush()


def delete_item(item: ChecklistTemplateItem, *, session: Session) -> None:
    session.delete(item)
    session.flush()
