"""Dependencies of routes that name an assignment: load it or answer 404, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.db import SessionDep
from app.errors import NotFound


def valid_assignment(assignment_id: int, session: SessionDep) -> Assignment:
    try:
        return assignments.get(assignment_id, session=session)
    except NotFound:
        raise HTTPException(status_code=404) from None


AssignmentDep = Annotated[Assignment, Depends(valid_assignment)]
