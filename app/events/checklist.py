"""An event's checklist by phase (planering, rekrytering, genomförande, avslut): items with
a due date, an assignee and done (the code shared with job tracks' checklists is in
checklists.py); and the default checklists a new event or job track starts from, which an
admin edits. An item's due date from the template is the event's start date (in Swedish
time) plus the item's days_from_start, but never before today: an item whose day has
already passed when the event is made (or moved) is due today, not overdue."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, func, select

from app.auth.models import User
from app.clock import Clock, to_local
from app.db import hold_write_lock
from app.errors import NotFound, ValidationFailed
from app.events import audit
from app.events.checklists import PHASES as PHASES
from app.events.checklists import Checklist, TaskRow, clean_phase, clean_title
from app.events.checklists import EditConflict as EditConflict
from app.events.checklists import TaskForm as TaskForm
from app.events.checklists import rebase as rebase
from app.events.checklists import template as template
from app.events.models import (
    ChecklistFor,
    ChecklistTemplateItem,
    EventTask,
    Phase,
    RecruitmentEvent,
)
from app.i18n import N_

MAX_DAYS = 365

EVENT: Checklist[EventTask] = Checklist(
    model=EventTask,
    parent="event_id",
    entity="event_task",
    kind=ChecklistFor.event,
    record_on_parent=audit.record,
)


# --- an event's checklist ---------------------------------------------------------------


def by_phase(event_id: int, *, session: Session) -> dict[Phase, list[TaskRow[EventTask]]]:
    """The event's items by phase, in order, with their assignees' names: one query."""
    return EVENT.by_phase(event_id, session=session)


def from_template(event: RecruitmentEvent, *, session: Session, clock: Clock) -> list[EventTask]:
    """The default checklist's items as the new event's tasks, assigned to its owner, due
    from the event's start day (every phase counts from it)."""
    start = to_local(event.starts_at).date()
    return EVENT.from_template(
        event.id,
        dict.fromkeys(PHASES, start),
        assignee_id=event.owner_id,
        session=session,
        clock=clock,
    )


def follow_the_start(
    event_id: int, days: int, *, session: Session, clock: Clock
) -> list[EventTask]:
    """The event moved `days` days: its open items' due dates move with it."""
    return EVENT.follow(event_id, days, session=session, clock=clock)


def get_task(event_id: int, task_id: int, *, session: Session) -> EventTask:
    return EVENT.get_task(event_id, task_id, session=session)


def add_task(
    event: RecruitmentEvent, form: TaskForm, *, user: User, session: Session, clock: Clock
) -> EventTask:
    return EVENT.add_task(event.id, form, user=user, session=session, clock=clock)


def update_task(
    task: EventTask, form: TaskForm, *, user: User, session: Session, clock: Clock
) -> EventTask:
    return EVENT.update_task(task, form, user=user, session=session, clock=clock)


def set_done(
    task: EventTask, done: bool, *, user: User, session: Session, clock: Clock
) -> EventTask:
    return EVENT.set_done(task, done, user=user, session=session, clock=clock)


def delete_task(
    event: RecruitmentEvent, task: EventTask, *, user: User, session: Session, clock: Clock
) -> None:
    """Removes an item; the event's history keeps which."""
    EVENT.delete_task(event, task, user=user, session=session, clock=clock)


# --- the default checklists -------------------------------------------------------------


def get_item(item_id: int, *, session: Session) -> ChecklistTemplateItem:
    item = session.get(ChecklistTemplateItem, item_id)
    if item is None:
        raise NotFound("Punkten finns inte.")
    return item


class TemplateItemForm(SQLModel):
    # Which default checklist a new item goes to (an item keeps its own).
    checklist: str = ChecklistFor.event.value
    phase: str = Phase.planning.value
    title: str = ""
    days_from_start: str = "0"


def _checklist(value: str) -> ChecklistFor:
    try:
        return ChecklistFor(value)
    except ValueError:
        raise ValidationFailed("Välj en checklista.", field="checklist") from None


# A day count that is not a whole number, in the words of each checklist.
_NOT_DAYS = {
    ChecklistFor.event: N_("Ange antal dagar som ett heltal, minus för dagar före träffen."),
    ChecklistFor.track: N_("Ange antal dagar som ett heltal, minus för dagar före fasens start."),
}
_TOO_MANY_DAYS = {
    ChecklistFor.event: N_("Ange högst %(max)s dagar före eller efter träffen."),
    ChecklistFor.track: N_("Ange högst %(max)s dagar före eller efter fasens start."),
}


def _days(value: str, checklist: ChecklistFor) -> int:
    value = value.strip().replace("−", "-")
    try:
        days = int(value)
    except ValueError:
        raise ValidationFailed(_NOT_DAYS[checklist], field="days_from_start") from None
    if not -MAX_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(
            _TOO_MANY_DAYS[checklist], field="days_from_start", variables={"max": MAX_DAYS}
        )
    return days


def _last_position(checklist: ChecklistFor, phase: Phase, *, session: Session) -> int:
    last = session.exec(
        select(func.max(ChecklistTemplateItem.position)).where(
            ChecklistTemplateItem.checklist == checklist,
            ChecklistTemplateItem.phase == phase,
        )
    ).one()
    return last or 0


def add_item(form: TemplateItemForm, *, session: Session) -> ChecklistTemplateItem:
    checklist, phase = _checklist(form.checklist), clean_phase(form.phase)
    item = ChecklistTemplateItem(
        checklist=checklist,
        phase=phase,
        title=clean_title(form.title),
        days_from_start=_days(form.days_from_start, checklist),
        position=_last_position(checklist, phase, session=session) + 1,
    )
    session.add(item)
    session.flush()
    return item


def update_item(
    item: ChecklistTemplateItem, form: TemplateItemForm, *, session: Session
) -> ChecklistTemplateItem:
    phase = clean_phase(form.phase)
    title, days = clean_title(form.title), _days(form.days_from_start, item.checklist)
    if phase != item.phase:
        item.position = _last_position(item.checklist, phase, session=session) + 1
    item.phase, item.title, item.days_from_start = phase, title, days
    session.add(item)
    session.flush()
    return item


def move_item(item: ChecklistTemplateItem, direction: str, *, session: Session) -> None:
    """Swaps the item with its neighbour in its phase ("up" or "down")."""
    hold_write_lock(session)  # the order read is the order renumbered
    same_phase = [
        i for i in template(session=session, checklist=item.checklist) if i.phase == item.phase
    ]
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
