"""Dependencies of routes that name an assignment: load it, or NotFound (a 404,
app/main.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.assignments import service as assignments
from app.assignments.models import Assignment
from app.db import SessionDep


def valid_assignment(assignment_id: int, session: SessionDep) -> Assignment:
    return assignments.get(assignment_id, session=session)


AssignmentDep = Annotated[Assignment, Depends(valid_assignment)]
