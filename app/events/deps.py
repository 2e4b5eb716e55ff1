"""Dependencies of routes that name an event (or one of its checklist items): load it or
answer 404, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from app.db import SessionDep
from app.errors import NotFound
from app.events import checklist
from app.events import service as events
from app.events.models import EventTask, RecruitmentEvent


def valid_event(event_id: int, session: SessionDep) -> RecruitmentEvent:
    try:
        return events.get(event_id, session=session)
    except NotFound:
        raise HTTPException(status_code=404) from None


EventDep = Annotated[RecruitmentEvent, Depends(valid_event)]


def valid_task(event_id: int, task_id: int, session: SessionDep) -> EventTask:
    try:
        return checklist.get_task(event_id, task_id, session=session)
    except NotFound:
        raise HTTPException(status_code=404) from None


TaskDep = Annotated[EventTask, Depends(valid_task)]
