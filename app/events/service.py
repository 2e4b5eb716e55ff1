"""Recruitment events: create, edit (with edit conflicts), change status, delete, the team,
the list, and the event's history (with its companies' and checklist's).

The rules (the form's in form.py, with their messages in Swedish):
- a title, a start and an end in Swedish time, the end after the start; a time that does
  not exist in Sweden (the hour skipped when summer time starts) is refused;
- an owner: an active broker or admin (the one already chosen stays allowed);
- any broker or admin changes an event, its companies, checklist and outcome: it is the
  team's work; only the owner or an admin cancels it (inställd) or takes it back from
  cancelled, and deletes it;
- avslutad only once the event has started; saving the outcome of an event that has
  ended closes it (outcome.py);
- an event with an outcome (any count or hire) is not deleted: it counts in the follow-up;
  cancel or close it instead.

The list is in listing.py; its names and the form's that callers use are importable
from here too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, SQLModel, col, delete, select

from app import i18n
from app.auth.models import Role, User
from app.clock import Clock, to_local
from app.db import swedish_sort_key
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events import checklist
from app.events.audit import record
from app.events.form import EventForm, clean, local_input
from app.events.form import optional_count as optional_count
from app.events.listing import EventFilters as EventFilters
from app.events.listing import filtered as filtered
from app.events.listing import list_ as list_
from app.events.listing import taking_part as taking_part
from app.events.models import (
    STATUS_LABELS,
    EventAssignment,
    EventCompany,
    EventMember,
    EventStatus,
    EventTask,
    RecruitmentEvent,
)
from app.history import service as history
from app.history.models import AuditEvent
from app.i18n import N_

# What history records and an edit conflict compares, besides status, owner and team.
TRACKED_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "description",
    "target_group",
    "capacity",
)
OUTCOME_FIELDS = ("jobseekers_invited", "jobseekers_attended", "interviews", "hires")


class EditConflict(history.EditConflict):
    """Someone saved the event after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat träffen medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


class StatusName:
    """An event status as a message variable, translated when the message is shown."""

    def __init__(self, status: EventStatus) -> None:
        self.status = status

    def __str__(self) -> str:
        return i18n.gettext(STATUS_LABELS[self.status])


def get(event_id: int, *, session: Session) -> RecruitmentEvent:
    event = session.get(RecruitmentEvent, event_id)
    if event is None:
        raise NotFound("Träffen finns inte.")
    return event


def member_ids(event_id: int, *, session: Session) -> list[int]:
    return list(
        session.exec(select(EventMember.user_id).where(EventMember.event_id == event_id)).all()
    )


def team(event: RecruitmentEvent, *, session: Session) -> tuple[User | None, list[User]]:
    """The owner and the other members, in Swedish order: one query."""
    ids = select(EventMember.user_id).where(EventMember.event_id == event.id)
    people = session.exec(
        select(User).where(or_(col(User.id) == event.owner_id, col(User.id).in_(ids)))
    ).all()
    owner = next((p for p in people if p.id == event.owner_id), None)
    others = sorted(
        (p for p in people if p.id != event.owner_id), key=lambda p: swedish_sort_key(p.full_name)
    )
    return owner, others


def _tracked(event: RecruitmentEvent, members: set[int], *, session: Session) -> dict[str, Any]:
    """What history compares: the fields, the status, and the owner and team by name."""
    ids = members | ({event.owner_id} if event.owner_id else set())
    names = (
        {u.id: u.full_name for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}
        if ids
        else {}
    )
    team_names = sorted((names[i] for i in members if i in names), key=swedish_sort_key)
    fields = history.snapshot(event, TRACKED_FIELDS)
    # "title" is a contact's title in history's labels: the event's has a name of its own.
    fields["event_title"] = fields.pop("title")
    return {
        **fields,
        "event_status": event.status.value,
        "owner": names.get(event.owner_id) if event.owner_id is not None else None,
        "members": ", ".join(team_names) or None,
    }


def _set_members(event: RecruitmentEvent, members: set[int], *, session: Session) -> None:
    current = set(member_ids(event.id, session=session))
    if current - members:
        session.exec(
            delete(EventMember).where(
                col(EventMember.event_id) == event.id,
                col(EventMember.user_id).in_(current - members),
            )
        )
    for user_id in members - current:
        session.add(EventMember(event_id=event.id, user_id=user_id))


def new_form(user: User, *, clock: Clock) -> EventForm:
    """A new event: the broker who creates it owns it, until told otherwise."""
    return EventForm(owner_id=str(user.id) if user.role != Role.viewer else "")


def create(form: EventForm, *, user: User, session: Session, clock: Clock) -> RecruitmentEvent:
    """A new event, with its checklist from the default template."""
    values = clean(form, session=session, clock=clock)
    members = values.pop("members")
    now = clock.now()
    event = RecruitmentEvent(**values, created_by_id=user.id, created_at=now, updated_at=now)
    session.add(event)
    session.flush()
    _set_members(event, members, session=session)
    session.flush()
    checklist.from_template(event, session=session, clock=clock)
    filled = {
        k: v for k, v in _tracked(event, members, session=session).items() if v not in (None, "")
    }
    record(event, "create", history.diff({}, filled), user=user, session=session, clock=clock)
    return event


# The event's own wrappers of history's optimistic locking, for the outcome form
# (participants.save_outcome) that edits the event too.


def conflict(event: RecruitmentEvent, version: int, *, session: Session) -> EditConflict:
    return EditConflict.since(event, "event", version, session=session)


def flush_or_conflict(event: RecruitmentEvent, version: int | None, session: Session) -> None:
    history.flush_or_conflict(
        event, "event", version, conflict=EditConflict, get=get, session=session
    )


def update(
    event: RecruitmentEvent, form: EventForm, *, user: User, session: Session, clock: Clock
) -> RecruitmentEvent:
    history.check_version(event, "event", form.version, conflict=EditConflict, session=session)
    current_members = set(member_ids(event.id, session=session))
    values = clean(
        form, session=session, clock=clock, current=event, current_members=current_members
    )
    members = values.pop("members")
    before = _tracked(event, current_members, session=session)
    start_before = to_local(event.starts_at).date()
    for name, value in values.items():
        setattr(event, name, value)
    # _tracked() and _set_members() query: no autoflush of the changed row before the
    # guarded flush below, or a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        changes = history.diff(before, _tracked(event, members, session=session))
        if not changes:
            return event
        _set_members(event, members, session=session)
    event.updated_at = clock.now()
    session.add(event)
    flush_or_conflict(event, form.version, session)
    record(event, "update", changes, user=user, session=session, clock=clock)
    moved = (to_local(event.starts_at).date() - start_before).days
    checklist.follow_the_start(event.id, moved, session=session, clock=clock)
    return event


def rebase(form: EventForm, error: EditConflict, *, session: Session) -> EventForm:
    """After an edit conflict: the user's form with the other person's changes taken in
    wherever the user left the field as it was, and the current version."""
    current = EventForm.from_event(error.current, member_ids(error.current.id, session=session))
    result = form.model_copy()
    before = history.values_before(error.changes)
    for name in TRACKED_FIELDS:
        recorded = before.get("event_title" if name == "title" else name)
        if recorded is None and ("event_title" if name == "title" else name) not in before:
            continue
        typed: Any = getattr(form, name)
        if name in ("starts_at", "ends_at") and recorded:
            recorded = local_input(dt.datetime.fromisoformat(recorded))
            # The field's ISO form either way: "2026-04-15T09:00" is "2026-04-15 09:00".
            typed = re.sub(r"^(\d{4}-\d{2}-\d{2})T", r"\1 ", typed.strip())
        if history.same_value(typed, recorded):
            setattr(result, name, getattr(current, name))
    for name, field in (("owner", "owner_id"), ("members", "member_ids")):
        if name in before:
            setattr(result, field, getattr(current, field))
    result.version = error.current.version
    return result


def may_manage(event: RecruitmentEvent, user: User) -> bool:
    """The owner or an admin cancels, restores and deletes an event (never a viewer)."""
    if user.role == Role.admin:
        return True
    return user.role == Role.broker and event.owner_id == user.id


def has_outcome(event: RecruitmentEvent, *, session: Session) -> bool:
    if any(getattr(event, name) is not None for name in OUTCOME_FIELDS):
        return True
    hires = session.exec(
        select(func.coalesce(func.sum(EventAssignment.hires), 0)).where(
            EventAssignment.event_id == event.id
        )
    ).one()
    return bool(hires)


def delete_event(event: RecruitmentEvent, *, user: User, session: Session, clock: Clock) -> None:
    """Removes an event registered by mistake, with its checklist and links; history
    keeps what was removed."""
    if not may_manage(event, user):
        raise Forbidden(
            N_("Bara träffens ansvariga jobbmäklare eller en administratör kan ta bort den.")
        )
    if has_outcome(event, session=session):
        raise Conflict(
            "Träffen har ett utfall och räknas i uppföljningen, så den tas inte bort. "
            "Ställ in den eller avsluta den i stället."
        )
    tracked = _tracked(event, set(member_ids(event.id, session=session)), session=session)
    removed = {name: [value, None] for name, value in tracked.items() if value not in (None, "")}
    record(event, "delete", removed, user=user, session=session, clock=clock)
    session.delete(event)
    session.flush()


class StatusForm(SQLModel):
    """A status change: the status to go to and the one the user saw."""

    status: str = ""
    from_status: str = ""


def _status_taken(event: RecruitmentEvent) -> Conflict:
    """Someone else changed the event's status first: to the status it now has."""
    return Conflict(
        "Någon annan har redan ändrat träffens status till %(status)s.",
        variables={"status": StatusName(event.status)},
    )


def change_status(
    event: RecruitmentEvent, form: StatusForm, *, user: User, session: Session, clock: Clock
) -> RecruitmentEvent:
    try:
        status = EventStatus(form.status)
    except ValueError:
        raise ValidationFailed("Välj en status.", field="status") from None
    if form.from_status and form.from_status != event.status.value:
        raise _status_taken(event)
    if status == event.status:
        return event
    if EventStatus.cancelled in (status, event.status) and not may_manage(event, user):
        raise Forbidden(
            N_(
                "Bara träffens ansvariga jobbmäklare eller en administratör kan ställa in "
                "träffen eller ta tillbaka en inställd träff."
            )
        )
    if status == EventStatus.closed and event.starts_at > clock.now():
        raise ValidationFailed(
            "Träffen har inte börjat än. Den kan avslutas först när den har ägt rum.",
            field="status",
        )
    before = {"event_status": event.status.value}
    event.status = status
    event.updated_at = clock.now()
    session.add(event)
    event_id = event.id  # now: after a rollback, reading it would reload the event
    history.flush_or_raise(
        session,
        lambda: _status_taken(get(event_id, session=session)),
    )
    record(
        event,
        "update",
        history.diff(before, {"event_status": status.value}),
        user=user,
        session=session,
        clock=clock,
    )
    return event


# --- history ----------------------------------------------------------------------------


def history_of(event_id: int, *, session: Session, limit: int = 50) -> list[history.Entry]:
    """The event's history with its companies' and checklist items', newest first: one
    query. Removed companies and items are recorded on the event itself."""
    return history.entries_where(
        session,
        or_(
            and_(col(AuditEvent.entity) == "event", col(AuditEvent.entity_id) == event_id),
            and_(
                col(AuditEvent.entity) == "event_company",
                col(AuditEvent.entity_id).in_(
                    select(EventCompany.id).where(EventCompany.event_id == event_id)
                ),
            ),
            and_(
                col(AuditEvent.entity) == "event_task",
                col(AuditEvent.entity_id).in_(
                    select(EventTask.id).where(EventTask.event_id == event_id)
                ),
            ),
        ),
        limit=limit,
    )
