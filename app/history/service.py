"""Recording and reading history. Every change to a company or contact goes through here,
and so does optimistic locking: an edit conflict shows what was saved meanwhile.

An entry shows its author's name and, for a contact, the contact's: auth and contacts
register where those names are (register_names), so history joins them without importing
either feature."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Self

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.clock import Clock
from app.errors import Conflict
from app.history.models import AuditEvent
from app.query import table_of


class Author(Protocol):
    """Who made a change: a signed-in user (app.auth)."""

    @property
    def id(self) -> int | None: ...


# The tables whose names an entry shows: "author" (a user, by AuditEvent.user_id) and
# "contact" (by AuditEvent.entity_id of a contact's event). Filled by register_names().
NameKind = Literal["author", "contact"]
_names: dict[NameKind, tuple[Any, Any]] = {}


def register_names(kind: NameKind, model: Any, name: Any) -> None:
    """Where the names of this kind are: the table model (joined on its `id`) and its name
    column. Registered by the feature that owns the table, from its models module."""
    _names[kind] = (model, name)


def _names_of(kind: NameKind) -> tuple[Any, Any]:
    try:
        return _names[kind]
    except KeyError:
        raise LookupError(f"history: no names registered for {kind!r}") from None


def snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The values of these fields, as plain JSON-able values, for a diff later."""
    return {name: _plain(getattr(record, name)) for name in fields}


def plain(values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """snapshot() of values not (yet) in a record."""
    return {name: _plain(values.get(name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def created(after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """diff({}, after): what a new record's history shows, its fields that hold something
    (quicker, for an import's thousands)."""
    return {name: [None, new] for name, new in after.items() if new is not None and new != ""}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed. An empty text and no
    text read the same."""
    changes: dict[str, list[Any]] = {}
    for name, new in after.items():
        old = before.get(name)
        old = None if old == "" else old
        new = None if new == "" else new
        if old != new:
            changes[name] = [old, new]
    return changes


def record(
    *,
    session: Session,
    clock: Clock,
    user: Author | None,
    entity: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, Any] | None = None,
    company_id: int | None = None,
    version: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=clock.now(),
        user_id=user.id if user else None,
        entity=entity,
        entity_id=entity_id,
        company_id=company_id,
        action=action,
        changes=dict(changes or {}),
        version=version,
    )
    session.add(event)
    return event


class Versioned(Protocol):
    """A row whose changes history records: its id and its version after the change; a
    row that belongs to a company also has a company_id."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class Recorder:
    """Writes the history of one kind of row: `_record = Recorder("contact")` in a
    feature's service, then `_record(contact, "update", changes, user=…)`. The entry is at
    the row's version after the change and carries its company_id where it has one, so the
    company page's history lists it too."""

    entity: str

    def __call__(
        self,
        row: Versioned,
        action: str,
        changes: Mapping[str, Any] | None = None,
        *,
        user: Author | None,
        session: Session,
        clock: Clock,
    ) -> AuditEvent:
        return record(
            session=session,
            clock=clock,
            user=user,
            entity=self.entity,
            entity_id=row.id,
            action=action,
            changes=changes,
            company_id=getattr(row, "company_id", None),
            version=row.version,
        )


def record_many(
    *,
    session: Session,
    clock: Clock,
    user: Author | None,
    entity: str,
    action: str,
    events: Sequence[tuple[int, Mapping[str, Any], int | None]]
    | Sequence[tuple[int, Mapping[str, Any], int | None, int | None]],
) -> None:
    """Many events of one kind in one statement: (entity id, changes, version[, company
    id]) each. What record() writes for each, for a bulk write such as an import's batch."""
    if not events:
        return
    now = clock.now()
    session.execute(
        insert(table_of(AuditEvent)),
        [
            {
                "occurred_at": now,
                "user_id": user.id if user else None,
                "entity": entity,
                "entity_id": event[0],
                "company_id": event[3] if len(event) > 3 else None,
                "action": action,
                "changes": dict(event[1]),
                "version": event[2],
            }
            for event in events
        ],
    )


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    user_name: str | None
    # The contact's current name for contact events; None once the contact is gone.
    contact_name: str | None = None


def entries_where(
    session: Session, *conditions: Any, limit: int, newest_first: bool = True
) -> list[Entry]:
    """History entries matching the conditions, with their author's and contact's names,
    in one query: the building block of every feature's history list."""
    order = (col(AuditEvent.occurred_at), col(AuditEvent.id))
    authors, author_name = _names_of("author")
    contacts, contact_name = _names_of("contact")
    rows = session.exec(
        select(AuditEvent, author_name, contact_name)
        .outerjoin(authors, authors.id == AuditEvent.user_id)
        .outerjoin(
            contacts, and_(col(AuditEvent.entity) == "contact", contacts.id == AuditEvent.entity_id)
        )
        .where(*conditions)
        .order_by(*(c.desc() if newest_first else c.asc() for c in order))
        .limit(limit)
    ).all()
    return [
        Entry(event=event, user_name=user, contact_name=contact) for event, user, contact in rows
    ]


def for_record(entity: str, entity_id: int, *, session: Session, limit: int = 50) -> list[Entry]:
    return entries_where(
        session, AuditEvent.entity == entity, AuditEvent.entity_id == entity_id, limit=limit
    )


def for_company(company_id: int, *, session: Session, limit: int = 50) -> list[Entry]:
    """The company's own history and that of its contacts, newest first."""
    return entries_where(
        session,
        or_(
            (col(AuditEvent.entity) == "company") & (col(AuditEvent.entity_id) == company_id),
            col(AuditEvent.company_id) == company_id,
        ),
        limit=limit,
    )


def since_version(entity: str, entity_id: int, version: int, *, session: Session) -> list[Entry]:
    """What others saved after the version someone started editing, oldest first."""
    return entries_where(
        session,
        AuditEvent.entity == entity,
        AuditEvent.entity_id == entity_id,
        col(AuditEvent.version) > version,
        limit=20,
        newest_first=False,
    )


def erase(entity: str, entity_id: int, *, session: Session) -> None:
    """GDPR erasure: the events stay (something happened), the personal data in them goes."""
    session.exec(
        update(AuditEvent)
        .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == entity_id)
        .values(changes={"erased": True})
    )


def values_before(entries: Sequence[Entry]) -> dict[str, Any]:
    """For each field the entries changed, its value before the first of them."""
    before: dict[str, Any] = {}
    for entry in sorted(entries, key=lambda e: (e.event.occurred_at, e.event.id or 0)):
        for name, change in entry.event.changes.items():
            if isinstance(change, list) and len(change) == 2:
                before.setdefault(name, change[0])
    return before


def same_value(typed: Any, recorded: Any) -> bool:
    """Whether a typed form value equals a value history recorded (None reads as "")."""

    def text(value: Any) -> str:
        return "" if value is None else str(value).strip()

    return text(typed) == text(recorded)


class EditConflict(Conflict):
    """Someone saved the record after this user opened it: carries the record as it is now
    and what was saved meanwhile. Each feature subclasses it with its own MESSAGE."""

    MESSAGE = ""

    def __init__(self, current: Any, changes: Sequence[Entry]) -> None:
        super().__init__(self.MESSAGE)
        self.current = current
        self.changes = list(changes)

    @classmethod
    def since(cls, record: Any, entity: str, version: int, *, session: Session) -> Self:
        """The conflict with the record and what was saved to it after this version."""
        return cls(record, since_version(entity, record.id, version, session=session))


# Optimistic locking, the one place for its rules. A versioned record (app.db.version_column)
# is edited from a form that carries the version it was read at: check_version() refuses a
# form older than the record, and flush_or_conflict() catches the save that lands between
# our read and our write, which the UPDATE ... WHERE version = <what we read> finds.


def check_version(
    record: Any,
    entity: str,
    version: int | None,
    *,
    conflict: type[EditConflict],
    session: Session,
) -> None:
    """Raises conflict when the form was read at another version than the record's, with
    what was saved since. A form without a version is not checked."""
    if version is not None and version != record.version:
        raise conflict.since(record, entity, version, session=session)


def flush_or_raise(session: Session, stale: Callable[[], Exception]) -> None:
    """Flushes; when another save came in between (StaleDataError), rolls the transaction
    back, as it cannot go on, and raises stale(). stale() is called after the rollback, so
    it may read the records as they now are. Only this flush is guarded: a query that
    autoflushes the changed record first raises StaleDataError itself."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise stale() from None


def flush_or_conflict(
    record: Any,
    entity: str,
    version: int | None,
    *,
    conflict: type[EditConflict],
    get: Callable[..., Any],
    session: Session,
) -> None:
    """Flushes an edit begun at this version; when another save came in between, raises
    conflict with the record as it now is and what was saved since. get(id, session=) is
    the feature's own: it raises the feature's NotFound when the record is gone."""
    record_id = record.id  # now: after the rollback, reading it would reload the record

    def stale() -> EditConflict:
        current = get(record_id, session=session)
        return conflict.since(current, entity, version or 0, session=session)

    flush_or_raise(session, stale)
