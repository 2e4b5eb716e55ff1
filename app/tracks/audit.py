"""A track's history: what was done to it, its employers, profile, insatser, checklist and
results, recorded in one place that every part of the track writes through."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.auth.models import User
from app.clock import Clock
from app.history import service as history
from app.tracks.models import JobTrack


def record(
    track: JobTrack,
    action: str,
    changes: dict[str, Any] | None,
    *,
    user: User,
    session: Session,
    clock: Clock,
    version: int | None = -1,
    company_id: int | None = None,
) -> None:
    """One history event on the track: at its version after the change, or none
    (version=None) for what happened to its parts (employers, profile, insatser,
    checklist), which an edit conflict on the track's own form must not list."""
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="job_track",
        entity_id=track.id,
        action=action,
        changes=changes,
        company_id=company_id,
        version=track.version if version == -1 else version,
    )
