"""Recruitment events: create, edit (with edit conflicts), change status, delete, the team,
the list, and the event's history (with its companies' and checklist's).

The rules (messages in Swedish below):
- a title, a start and an end in Swedish time, the end after the start; a time that does
  not exist in Sweden (the hour skipped when summer time starts) is refused;
- an owner: an active broker or admin (the one already chosen stays allowed);
- any broker or admin changes an event, its companies, checklist and outcome: it is the
  team's work; only the owner or an admin cancels it (inställd) or takes it back from
  cancelled, and deletes it;
- avslutad only once the event has started;
- an event with an outcome (any count or hire) is not deleted: it counts in the follow-up;
  cancel or close it instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_
from sqlmodel import Session, SQLModel, col, delete, select

from app import i18n
from app.auth.models import Role, User
from app.clock import STOCKHOLM, Clock, to_local
from app.db import get_typed, swedish_sort_key
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events import checklist
from app.events.audit import record
from app.events.models import (
    STATUS_LABELS,
    EventAssignment,
    EventCompany,
    EventMember,
    EventStatus,
    EventTask,
    Participation,
    RecruitmentEvent,
)
from app.history import service as history
from app.history.models import AuditEvent
from app.i18n import N_
from app.validation import long_text, optional_text, required_text, typed_id

PAGE_SIZE = 25
MAX_COUNT = 99_999
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
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


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


def local_input(instant: dt.datetime | None) -> str:
    """An instant as a datetime-local field shows it, in Swedish time."""
    return to_local(instant).strftime("%Y-%m-%dT%H:%M") if instant else ""


class EventForm(SQLModel):
    """The event form as typed; `clean()` turns it into checked values or refuses it."""

    title: str = ""
    starts_at: str = ""  # datetime-local in Swedish time: "2026-04-15T09:00"
    ends_at: str = ""
    place: str = ""
    online_url: str = ""
    description: str = ""
    target_group: str = ""
    capacity: str = ""
    owner_id: str = ""
    member_ids: list[str] = []
    version: int | None = None

    @classmethod
    def from_event(cls, event: RecruitmentEvent, member_ids: list[int]) -> EventForm:
        return cls(
            title=event.title,
            starts_at=local_input(event.starts_at),
            ends_at=local_input(event.ends_at),
            place=event.place or "",
            online_url=event.online_url or "",
            description=event.description,
            target_group=event.target_group or "",
            capacity=str(event.capacity or ""),
            owner_id=str(event.owner_id or ""),
            member_ids=[str(i) for i in member_ids],
            version=event.version,
        )


def local_instant(value: str, *, field: str, message: str) -> dt.datetime:
    """A datetime-local value typed in Swedish time, as a UTC instant."""
    value = value.strip()
    if not value:
        raise ValidationFailed(message, field=field)
    try:
        typed = dt.datetime.fromisoformat(value).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise ValidationFailed("Ange tidpunkt som ÅÅÅÅ-MM-DD TT:MM.", field=field) from None
    instant = typed.replace(tzinfo=STOCKHOLM).astimezone(dt.UTC)
    if to_local(instant).replace(tzinfo=None) != typed:
        raise ValidationFailed(
            "Klockan %(time)s finns inte den dagen: då ställs klockan fram till sommartid. "
            "Välj en annan tid.",
            field=field,
            variables={"time": typed.strftime("%H:%M")},
        )
    return instant


def optional_count(value: str, *, field: str, minimum: int = 0) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not minimum <= int(value) <= MAX_COUNT:
        raise ValidationFailed(
            "Ange ett antal som en siffra, minst %(min)s.",
            field=field,
            variables={"min": minimum},
        )
    return int(value)


def _url(value: str) -> str | None:
    url = value.strip()
    if not url:
        return None
    if len(url) > 500 or not _URL.fullmatch(url):
        raise ValidationFailed(
            "Länken ska vara en hel webbadress som börjar med https://.", field="online_url"
        )
    return url


def _colleague(value: str, *, field: str, message: str, session: Session, keep: set[int]) -> int:
    """An active broker or admin; one already chosen stays allowed (`keep`)."""
    user = get_typed(session, User, value)
    if user is None or (user.id not in keep and (not user.is_active or user.role == Role.viewer)):
        raise ValidationFailed(message, field=field)
    return user.id  # type: ignore[return-value]


def clean(
    form: EventForm,
    *,
    session: Session,
    current: RecruitmentEvent | None = None,
    current_members: set[int] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    starts_at = local_instant(
        form.starts_at, field="starts_at", message=N_("Ange när träffen börjar.")
    )
    ends_at = local_instant(form.ends_at, field="ends_at", message=N_("Ange när träffen slutar."))
    if ends_at <= starts_at:
        raise ValidationFailed("Träffen måste sluta efter att den har börjat.", field="ends_at")
    if not form.owner_id:
        raise ValidationFailed("Välj vem som är ansvarig för träffen.", field="owner_id")
    owner_id = _colleague(
        form.owner_id,
        field="owner_id",
        message=N_("Välj en aktiv jobbmäklare som ansvarig."),
        session=session,
        keep={current.owner_id} if current and current.owner_id else set(),
    )
    members = {
        _colleague(
            value,
            field="member_ids",
            message=N_("Välj aktiva jobbmäklare till teamet."),
            session=session,
            keep=set(current_members),
        )
        for value in form.member_ids
        if value
    } - {owner_id}
    return {
        "title": required_text(
            form.title, field="title", max_length=200, message=N_("Ge träffen en rubrik.")
        ),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": optional_text(form.place, field="place", max_length=200),
        "online_url": _url(form.online_url),
        "description": long_text(form.description, field="description"),
        "target_group": optional_text(form.target_group, field="target_group", max_length=200),
        "capacity": optional_count(form.capacity, field="capacity", minimum=1),
        "owner_id": owner_id,
        "members": members,
    }


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
        select(User).where(or_(User.id == event.owner_id, col(User.id).in_(ids)))
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
        "owner": names.get(event.owner_id),  # type: ignore[arg-type]
        "members": ", ".join(team_names) or None,
    }


def _set_members(event: RecruitmentEvent, members: set[int], *, session: Session) -> None:
    current = set(member_ids(event.id, session=session))  # type: ignore[arg-type]
    if current - members:
        session.exec(  # type: ignore[call-overload]
            delete(EventMember).where(
                col(EventMember.event_id) == event.id,
                col(EventMember.user_id).in_(current - members),
            )
        )
    for user_id in members - current:
        session.add(EventMember(event_id=event.id, user_id=user_id))  # type: ignore[arg-type]


def new_form(user: User, *, clock: Clock) -> EventForm:
    """A new event: the broker who creates it owns it, until told otherwise."""
    return EventForm(owner_id=str(user.id) if user.role != Role.viewer else "")


def create(form: EventForm, *, user: User, session: Session, clock: Clock) -> RecruitmentEvent:
    """A new event, with its checklist from the default template."""
    values = clean(form, session=session)
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
    current_members = set(member_ids(event.id, session=session))  # type: ignore[arg-type]
    values = clean(form, session=session, current=event, current_members=current_members)
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
    checklist.follow_the_start(event.id, moved, session=session, clock=clock)  # type: ignore[arg-type]
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
    tracked = _tracked(event, set(member_ids(event.id, session=session)), session=session)  # type: ignore[arg-type]
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
        lambda: _status_taken(get(event_id, session=session)),  # type: ignore[arg-type]
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


# --- the list ---------------------------------------------------------------------------


class EventFilters(SQLModel):
    """The list's state; it lives in the URL's query string."""

    status: str = ""
    owner: str = ""  # "" all, "me", or a user id
    page: int = 1

    def normalized(self) -> EventFilters:
        return EventFilters(
            status=self.status if self.status in EventStatus._value2member_map_ else "",
            owner=self.owner if self.owner == "me" or typed_id(self.owner) else "",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if k != "page" and v}


@dataclass
class ListedEvent:
    event: RecruitmentEvent
    owner_name: str | None
    companies: int = 0  # taking part: all but those who declined
    confirmed: int = 0  # confirmed or attended
    upcoming: bool = True


@dataclass
class EventPage:
    rows: list[ListedEvent]
    page: int
    has_next: bool


def filtered(filters: EventFilters, *columns: Any, user: User, clock: Clock) -> Select[Any]:
    """The list's query for these columns (of RecruitmentEvent, and of User: the owner,
    outer joined), filtered and in the list's order, without paging: the list pages
    through it, the CSV export streams it whole. Events not yet over come first, soonest
    first; then past ones, latest first."""
    f = filters.normalized()
    upcoming = RecruitmentEvent.ends_at >= clock.now()  # type: ignore[operator]
    statement = select(*columns).outerjoin(
        User,
        User.id == RecruitmentEvent.owner_id,  # type: ignore[arg-type]
    )
    if f.status:
        statement = statement.where(RecruitmentEvent.status == EventStatus(f.status))
    if f.owner:
        statement = statement.where(
            RecruitmentEvent.owner_id == (user.id if f.owner == "me" else int(f.owner))
        )
    return statement.order_by(
        case((upcoming, 0), else_=1),
        case((upcoming, RecruitmentEvent.starts_at)).asc(),
        col(RecruitmentEvent.starts_at).desc(),
        col(RecruitmentEvent.id).desc(),
    )


def taking_part() -> Select[Any]:
    """Per event: the companies taking part (all but those who declined) and how many of
    them confirmed or attended, as (event_id, companies, confirmed)."""
    return (
        select(
            EventCompany.event_id,
            func.count().label("companies"),
            func.sum(
                case(
                    (
                        col(EventCompany.status).in_(
                            (Participation.confirmed, Participation.attended)
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("confirmed"),
        )
        .where(EventCompany.status != Participation.declined)
        .group_by(col(EventCompany.event_id))
    )


def list_(filters: EventFilters, *, user: User, session: Session, clock: Clock) -> EventPage:
    """One page of events in the list's order (filtered()). Two queries: the rows with
    their owners, then their companies' counts."""
    f = filters.normalized()
    now = clock.now()
    statement = filtered(f, RecruitmentEvent, User.full_name, user=user, clock=clock)
    found = session.exec(statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    rows = [
        ListedEvent(event=e, owner_name=name, upcoming=e.ends_at >= now)
        for e, name in found[:PAGE_SIZE]
    ]
    if rows:
        counts = session.exec(
            taking_part().where(col(EventCompany.event_id).in_([r.event.id for r in rows]))
        ).all()
        by_event = {event_id: (total, confirmed) for event_id, total, confirmed in counts}
        for row in rows:
            row.companies, row.confirmed = by_event.get(row.event.id, (0, 0))  # type: ignore[arg-type]
    return EventPage(rows=rows, page=f.page, has_next=len(found) > PAGE_SIZE)


# --- history ----------------------------------------------------------------------------


def history_of(event_id: int, *, session: Session, limit: int = 50) -> list[history.Entry]:
    """The event's history with its companies' and checklist items', newest first: one
    query. Removed companies and items are recorded on the event itself."""
    return history.entries_where(
        session,
        or_(
            and_(AuditEvent.entity == "event", AuditEvent.entity_id == event_id),
            and_(
                AuditEvent.entity == "event_company",
                col(AuditEvent.entity_id).in_(
                    select(EventCompany.id).where(EventCompany.event_id == event_id)
                ),
            ),
            and_(
                AuditEvent.entity == "event_task",
                col(AuditEvent.entity_id).in_(
                    select(EventTask.id).where(EventTask.event_id == event_id)
                ),
            ),
        ),
        limit=limit,
    )
