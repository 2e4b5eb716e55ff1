"""Dependencies of routes that name an event (or one of its checklist items, companies or
presented assignments): load it, or NotFound (a 404, app/main.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.events import checklist, participants
from app.events import service as events
from app.events.models import EventAssignment, EventCompany, EventTask, RecruitmentEvent


def valid_event(event_id: int, session: SessionDep) -> RecruitmentEvent:
    return events.get(event_id, session=session)


EventDep = Annotated[RecruitmentEvent, Depends(valid_event)]


def valid_task(event_id: int, task_id: int, session: SessionDep) -> EventTask:
    return checklist.get_task(event_id, task_id, session=session)


TaskDep = Annotated[EventTask, Depends(valid_task)]


def valid_participant(event_id: int, company_id: int, session: SessionDep) -> EventCompany:
    return participants.get_participant(event_id, company_id, session=session)


ParticipantDep = Annotated[EventCompany, Depends(valid_participant)]


def valid_link(event_id: int, assignment_id: int, session: SessionDep) -> EventAssignment:
    return participants.get_link(event_id, assignment_id, session=session)


LinkDep = Annotated[EventAssignment, Depends(valid_link)]
