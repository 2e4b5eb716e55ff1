"""Undoing an import: the records it created are removed and those it updated get their
values back, in one transaction, while nobody has changed them since (each record's
version is still the one the import left); otherwise undo refuses and names them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.activities import service as activities
from app.activities.models import Activity
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.contacts.models import Contact
from app.errors import Conflict
from app.history import service as history
from app.i18n import N_
from app.imports import engine
from app.imports.kinds import ENTITIES, Context
from app.imports.links import CompanyIndex
from app.imports.models import ImportedRecord, ImportJob, ImportStatus

MODELS: dict[str, Any] = {
    "company": Company,
    "contact": Contact,
    "activity": Activity,
    "assignment": Assignment,
}
# A name is enough to find them; a long list would not be read.
SHOWN_NAMES = 10


class ChangedSince(Conflict):
    """Records the import wrote were changed (or removed) after it."""

    def __init__(self, names: list[str]) -> None:
        shown = ", ".join(names[:SHOWN_NAMES]) + (" …" if len(names) > SHOWN_NAMES else "")
        super().__init__(
            N_(
                "Importen kan inte ångras: %(count)s poster har ändrats sedan importen "
                "(%(names)s). Ändra tillbaka eller ta bort dem för hand."
            ),
            variables={"count": len(names), "names": shown},
        )
        self.names = names


def changed_since(job: ImportJob, *, session: Session) -> list[str]:
    """The names of the records the import wrote that someone changed since, or removed;
    and of the companies it created that have got contacts, activities or assignments
    the import did not write (undo would take them with the company)."""
    records = engine.records(job, session=session)
    mine = {(r.entity, r.entity_id) for r in records}
    changed: list[str] = []
    for record in records:
        found = session.get(MODELS[record.entity], record.entity_id)
        if found is None:
            changed.append(f"#{record.entity_id}")
            continue
        if found.version != record.version:
            changed.append(_label(record.entity, found, session))
            continue
        if record.action != "created":
            continue
        for entity, model, link in _DEPENDENTS.get(record.entity, ()):
            ids = session.exec(select(model.id).where(getattr(model, link) == found.id)).all()
            if any((entity, child) not in mine for child in ids):
                changed.append(_label(record.entity, found, session))
                break
    return changed


# What refers to a record an import created: if someone added one of these since, undo
# would take it with the record (or leave it pointing nowhere), so it refuses.
_DEPENDENTS: dict[str, tuple[tuple[str, Any, str], ...]] = {
    "company": (
        ("contact", Contact, "company_id"),
        ("activity", Activity, "company_id"),
        ("assignment", Assignment, "company_id"),
    ),
    "contact": (
        ("activity", Activity, "contact_id"),
        ("assignment", Assignment, "contact_id"),
    ),
    "assignment": (("activity", Activity, "assignment_id"),),
}


def _label(entity: str, record: Any, session: Session) -> str:
    kind = ENTITIES.get(entity)
    return kind.label(record, session) if kind else f"#{record.id}"


def undo(job: ImportJob, *, user: User, session: Session, clock: Clock) -> ImportJob:
    """Reverts a finished import as a whole, or refuses (ChangedSince)."""
    if job.status != ImportStatus.done:
        raise Conflict("Bara en avslutad import kan ångras.")
    names = changed_since(job, session=session)
    if names:
        raise ChangedSince(names)
    revert(job, session=session, clock=clock, user=user)
    job.status = ImportStatus.undone
    job.undone_at = clock.now()
    session.add(job)
    session.flush()
    return job


def revert(job: ImportJob, *, session: Session, clock: Clock, user: User | None = None) -> None:
    """Removes what the job created and restores what it updated, newest first (an
    activity before the company it was logged on), each step in history."""
    user = user or (session.get(User, job.user_id) if job.user_id else None)
    ctx = Context(
        session=session,
        clock=clock,
        user=user,  # type: ignore[arg-type]
        options=engine.options_of(job),
        companies=CompanyIndex(),
        job_id=job.id,
    )
    touched: set[int] = set()
    records = engine.records(job, session=session)
    for record in reversed(records):
        found = session.get(MODELS[record.entity], record.entity_id)
        if found is not None:
            if record.action == "created":
                _remove(record, found, ctx)
                if record.entity == "activity":
                    touched.add(found.company_id)
            elif record.before is not None:
                ENTITIES[record.entity].restore(found, record.before, ctx)
        session.delete(record)
        session.flush()
    existing = session.exec(
        select(Company.id).where(Company.id.in_(touched))  # type: ignore[union-attr]
    ).all()
    for company_id in existing:
        activities.refresh_company(company_id, session=session)  # type: ignore[arg-type]


def _remove(record: ImportedRecord, found: Any, ctx: Context) -> None:
    history.record(
        session=ctx.session,
        clock=ctx.clock,
        user=ctx.user,
        entity=record.entity,
        entity_id=record.entity_id,
        action="delete",
        changes={},
        company_id=getattr(found, "company_id", None),
    )
    ctx.session.delete(found)
    ctx.session.flush()


__all__ = ["ChangedSince", "revert", "undo"]
