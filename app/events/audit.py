"""An event's history: what was done to it, its companies and its checklist, recorded in
one place that the service, the checklist and the participants all write through."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.auth.models import User
from app.clock import Clock
from app.events.models import RecruitmentEvent
from app.history import service as history


def record(
    event: RecruitmentEvent,
    action: str,
    changes: dict[str, Any] | None,
    *,
    user: User,
    session: Session,
    clock: Clock,
    version: int | None = -1,
    company_id: int | None = None,
) -> None:
    """One history event on the event: at its version after the change, or none
    (version=None) for what happened to its companies and checklist, which an edit
    conflict on the event's own form must not list."""
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="event",
        entity_id=event.id,
        action=action,
        changes=changes,
        company_id=company_id,
        version=event.version if version == -1 else version,
    )
