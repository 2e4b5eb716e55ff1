"""Dependencies of routes that name an activity: load it, or NotFound (a 404,
app/main.py); and one that also checks the user may change it (Forbidden, a 403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.activities import service as activities
from app.activities.models import Activity
from app.auth.deps import Editor
from app.db import SessionDep


def valid_activity(activity_id: int, session: SessionDep) -> Activity:
    return activities.get(activity_id, session=session)


ActivityDep = Annotated[Activity, Depends(valid_activity)]


def changeable_activity(activity: ActivityDep, user: Editor) -> Activity:
    """Its author or an admin edits or deletes an activity."""
    activities.check_may_change(activity, user)
    return activity


ChangeableActivity = Annotated[Activity, Depends(changeable_activity)]
