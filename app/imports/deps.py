"""Dependencies of routes that name an import: load it, or NotFound (a 404, app/main.py);
and one that also checks the user may give it up (Forbidden, a 403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.deps import Editor
from app.auth.models import Role
from app.db import SessionDep
from app.errors import Forbidden
from app.i18n import N_
from app.imports import engine
from app.imports.models import ImportJob


def valid_job(job_id: int, session: SessionDep) -> ImportJob:
    return engine.get(job_id, session=session)


JobDep = Annotated[ImportJob, Depends(valid_job)]


def discardable_job(job: JobDep, user: Editor) -> ImportJob:
    """Whoever uploaded an import, or an admin, gives it up."""
    if job.user_id != user.id and user.role != Role.admin:
        raise Forbidden(
            N_("Bara den som laddade upp importen eller en administratör kan ta bort den.")
        )
    return job


DiscardableJob = Annotated[ImportJob, Depends(discardable_job)]
