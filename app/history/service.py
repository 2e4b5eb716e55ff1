"""Recording and reading history. Every change to a company or contact goes through here."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.auth.models import User
from app.clock import Clock
from app.history.models import AuditEvent


def snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The values of these fields, as plain JSON-able values, for a diff later."""
    return {name: _plain(getattr(record, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def record(
    *,
    session: Session,
    clock: Clock,
    user: User | None,
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


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    user_name: str | None


def _entries(session: Session, statement: Any) -> list[Entry]:
    rows = session.exec(
        statement.add_columns(User.full_name).outerjoin(User, User.id == AuditEvent.user_id)
    ).all()
    return [Entry(event=event, user_name=name) for event, name in rows]


def for_record(entity: str, entity_id: int, *, session: Session, limit: int = 50) -> list[Entry]:
    return _entries(
        session,
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit),
    )


def for_company(company_id: int, *, session: Session, limit: int = 50) -> list[Entry]:
    """The company's own history and that of its contacts, newest first."""
    return _entries(
        session,
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.entity == "company") & (AuditEvent.entity_id == company_id),
                AuditEvent.company_id == company_id,
            )
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(limit),
    )


def since_version(
    entity: str, entity_id: int, version: int, *, session: Session
) -> Sequence[Entry]:
    """What others saved after the version someone started editing: for an edit conflict."""
    return list(
        reversed(
            _entries(
                session,
                select(AuditEvent)
                .where(
                    AuditEvent.entity == entity,
                    AuditEvent.entity_id == entity_id,
                    AuditEvent.version > version,  # type: ignore[operator]
                )
                .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())  # type: ignore[attr-defined,union-attr]
                .limit(20),
            )
        )
    )


def erase(entity: str, entity_id: int, *, session: Session) -> None:
    """GDPR erasure: the events stay (something happened), the personal data in them goes."""
    session.exec(  # type: ignore[call-overload]
        update(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)  # type: ignore[arg-type]
        .values(changes={"erased": True})
    )
