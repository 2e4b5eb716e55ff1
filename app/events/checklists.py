"""A checklist by phase (planering, rekrytering, genomförande, avslut): items with a due
date, an assignee and done, belonging to a parent. Recruitment events have one, and so do
lokala jobbspår (app/tracks/checklist.py): the same code serves both, described by a
`Checklist`. It lives in the events package because events had it first and the layers
let job tracks (above events) use it, never the other way round.

An item's due date from a default checklist is its start day plus the item's
days_from_start, but never before today: an item whose day has already passed when it is
made (or moved) is due today, not overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import case, func
from sqlmodel import Session, SQLModel, col, select

from app.auth import service as users
from app.auth.models import User
from app.clock import Clock, today
from app.dates import parse_date
from app.db import get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.models import PHASES, ChecklistFor, ChecklistTemplateItem, Phase
from app.history import service as history
from app.i18n import N_
from app.validation import required_text


class Task(Protocol):
    """What an item of any checklist has (EventTask, JobTrackTask)."""

    id: int
    phase: Phase
    title: str
    due_on: dt.date | None
    assignee_id: int | None
    done_at: dt.datetime | None
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


T = TypeVar("T", bound=Task)


class EditConflict(history.EditConflict):
    """Someone saved the checklist item after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat uppgiften medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


def phase_rank(column: Any) -> Any:
    """ORDER BY expression: the phases in their order."""
    return case({phase.value: rank for rank, phase in enumerate(PHASES)}, value=column)


def clean_phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise ValidationFailed("Välj en fas.", field="phase") from None


def clean_title(value: str) -> str:
    return required_text(
        value, field="title", max_length=200, message=N_("Skriv vad som ska göras.")
    )


@dataclass
class TaskRow(Generic[T]):
    task: T
    assignee_name: str | None

    def overdue(self, today: dt.date) -> bool:
        return (
            self.task.done_at is None and self.task.due_on is not None and self.task.due_on < today
        )


class TaskForm(SQLModel):
    phase: str = Phase.planning.value
    title: str = ""
    due_on: str = ""
    assignee_id: str = ""
    version: int | None = None

    @classmethod
    def from_task(cls, task: Task) -> TaskForm:
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
    form: TaskForm, *, session: Session, clock: Clock, current: Task | None = None
) -> dict[str, Any]:
    return {
        "phase": clean_phase(form.phase),
        "title": clean_title(form.title),
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


def _tracked(task: Task, *, session: Session) -> dict[str, Any]:
    assignee = session.get(User, task.assignee_id) if task.assignee_id else None
    return {
        "task": task.title,
        **history.snapshot(task, ("phase", "due_on")),
        "assignee": assignee.full_name if assignee else None,
        "done": task.done_at is not None,
    }


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


# Records a change on the parent (events.audit.record, tracks.audit.record).
ParentRecorder = Callable[..., None]


@dataclass(frozen=True)
class Checklist(Generic[T]):
    """Which checklist: the table of its items, the column naming their parent, the
    history entity of an item, the default checklist it starts from, and how a removed
    item is recorded on the parent (whose history keeps which)."""

    model: type[T]
    parent: str
    entity: str
    kind: ChecklistFor
    record_on_parent: ParentRecorder

    def _of(self, parent_id: int) -> Any:
        return getattr(self.model, self.parent) == parent_id

    def _new(self, **values: Any) -> T:
        """A new item (the model's constructor takes its columns, which Task cannot say)."""
        new: Callable[..., T] = self.model
        return new(**values)

    def parent_id(self, task: T) -> int:
        value: int = getattr(task, self.parent)
        return value

    def by_phase(self, parent_id: int, *, session: Session) -> dict[Phase, list[TaskRow[T]]]:
        """The parent's items by phase, in order, with their assignees' names: one query."""
        rows = session.exec(
            select(self.model, User.full_name)
            .outerjoin(User, col(User.id) == self.model.assignee_id)
            .where(self._of(parent_id))
            .order_by(col(self.model.phase), col(self.model.position), col(self.model.id))
        ).all()
        result: dict[Phase, list[TaskRow[T]]] = {phase: [] for phase in PHASES}
        for task, name in rows:
            result[task.phase].append(TaskRow(task=task, assignee_name=name))
        return result

    def row(self, task: T, *, session: Session) -> TaskRow[T]:
        """One item with its assignee's name, as the checklist shows it."""
        assignee = session.get(User, task.assignee_id) if task.assignee_id else None
        return TaskRow(task=task, assignee_name=assignee.full_name if assignee else None)

    def from_template(
        self,
        parent_id: int,
        starts: Mapping[Phase, dt.date | None],
        *,
        assignee_id: int | None,
        session: Session,
        clock: Clock,
    ) -> list[T]:
        """The default checklist's items as the parent's, assigned to `assignee_id`, each
        due `days_from_start` after the start of its phase (`starts`; undated where the
        phase has none), never before today."""
        first_day, now = today(clock), clock.now()
        tasks = []
        for item in template(session=session, checklist=self.kind):
            start = starts.get(item.phase)
            due = max(start + dt.timedelta(days=item.days_from_start), first_day) if start else None
            task = self._new(
                phase=item.phase,
                title=item.title,
                due_on=due,
                assignee_id=assignee_id,
                position=item.position,
                created_at=now,
                updated_at=now,
                **{self.parent: parent_id},
            )
            tasks.append(task)
        session.add_all(tasks)
        session.flush()
        return tasks

    def follow(
        self,
        parent_id: int,
        days: int,
        *,
        phase: Phase | None = None,
        session: Session,
        clock: Clock,
    ) -> list[T]:
        """The start moved `days` days: the open dated items (of one phase, if given) move
        with it, as the plan was made relative to the start. Items already done keep their
        dates. Moving earlier makes no item overdue that was not: one whose new day has
        passed is due today (one already overdue keeps its day)."""
        if days == 0:
            return []
        statement = select(self.model).where(
            self._of(parent_id),
            col(self.model.done_at).is_(None),
            col(self.model.due_on).is_not(None),
        )
        if phase is not None:
            statement = statement.where(self.model.phase == phase)
        tasks = list(session.exec(statement).all())
        now, first_day = clock.now(), today(clock)
        for task in tasks:
            if task.due_on is None:  # not selected above: only tasks with a day move
                continue
            task.due_on = max(task.due_on + dt.timedelta(days=days), min(task.due_on, first_day))
            task.updated_at = now
            session.add(task)
        session.flush()
        return tasks

    def get_task(self, parent_id: int, task_id: int, *, session: Session) -> T:
        task = session.get(self.model, task_id)
        if task is None or self.parent_id(task) != parent_id:
            raise NotFound("Uppgiften finns inte.")
        return task

    def _current(self, task_id: int, *, session: Session) -> T:
        """The task as it now is, or NotFound: what history.flush_or_conflict reloads."""
        task = session.get(self.model, task_id)
        if task is None:
            raise NotFound("Uppgiften finns inte.")
        return task

    def _last_position(self, parent_id: int, phase: Phase, *, session: Session) -> int:
        last = session.exec(
            select(func.max(self.model.position)).where(
                self._of(parent_id), self.model.phase == phase
            )
        ).one()
        return last or 0

    def _record(self, task: T, action: str, changes: dict[str, Any], **by: Any) -> None:
        history.Recorder(self.entity)(task, action, changes, **by)

    def add_task(
        self, parent_id: int, form: TaskForm, *, user: User, session: Session, clock: Clock
    ) -> T:
        values = _clean(form, session=session, clock=clock)
        now = clock.now()
        task = self._new(
            position=self._last_position(parent_id, values["phase"], session=session) + 1,
            created_at=now,
            updated_at=now,
            **{self.parent: parent_id},
            **values,
        )
        session.add(task)
        session.flush()
        filled = {
            k: v for k, v in _tracked(task, session=session).items() if v not in (None, "", False)
        }
        by = {"user": user, "session": session, "clock": clock}
        self._record(task, "create", history.diff({}, filled), **by)
        return task

    def update_task(
        self, task: T, form: TaskForm, *, user: User, session: Session, clock: Clock
    ) -> T:
        history.check_version(
            task, self.entity, form.version, conflict=EditConflict, session=session
        )
        values = _clean(form, session=session, clock=clock, current=task)
        before = _tracked(task, session=session)
        if values["phase"] != task.phase:
            last = self._last_position(self.parent_id(task), values["phase"], session=session)
            task.position = last + 1
        for name, value in values.items():
            setattr(task, name, value)
        changes = history.diff(before, _tracked(task, session=session))
        if not changes:
            return task
        task.updated_at = clock.now()
        session.add(task)
        history.flush_or_conflict(
            task,
            self.entity,
            form.version,
            conflict=EditConflict,
            get=self._current,
            session=session,
        )
        self._record(task, "update", changes, user=user, session=session, clock=clock)
        return task

    def set_done(self, task: T, done: bool, *, user: User, session: Session, clock: Clock) -> T:
        """Ticks an item done or undone. Asking for the state it already has changes
        nothing (two colleagues ticking the same item agree)."""
        if (task.done_at is not None) == done:
            return task
        task.done_at = clock.now() if done else None
        task.updated_at = clock.now()
        session.add(task)
        task_id = task.id

        def changed_meanwhile() -> Exception:
            self._current(task_id, session=session)  # NotFound when it is gone
            return Conflict("Någon annan har ändrat uppgiften. Ladda om sidan.")

        history.flush_or_raise(session, changed_meanwhile)
        changes = {"done": [not done, done]}
        self._record(task, "update", changes, user=user, session=session, clock=clock)
        return task

    def delete_task(
        self, parent: Any, task: T, *, user: User, session: Session, clock: Clock
    ) -> None:
        """Removes an item; the parent's history keeps which."""
        self.record_on_parent(
            parent,
            "update",
            {"task": [task.title, None]},
            user=user,
            session=session,
            clock=clock,
            version=None,
        )
        session.delete(task)
        session.flush()


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
