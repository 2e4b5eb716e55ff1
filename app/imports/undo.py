"""Undoing an import: the records it created are removed and those it updated get their
values back, in one transaction, while nobody has changed them since (each record's
version is still the one the import left); otherwise undo refuses and names them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.activities import service as activities
from app.activities.models import Activity
from app.agreements import service as agreements
from app.agreements.models import Agreement, AgreementSignatory
from app.assignments.models import Assignment
from app.auth import security_log
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company, CompanyTag, Tag
from app.contacts.models import Contact
from app.db import hold_write_lock
from app.errors import Conflict
from app.history import service as history
from app.i18n import N_
from app.imports import engine
from app.imports.kinds import ENTITIES, Context
from app.imports.links import CompanyIndex
from app.imports.models import ImportedRecord, ImportJob, ImportStatus

MODELS: dict[str, Any] = {
    "agreement": Agreement,
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
    the import did not write (undo would take them with the company). A few statements
    per thousand records, not one per record: an import may have written 50,000."""
    records = engine.records(job, session=session)
    mine = {(r.entity, r.entity_id) for r in records}
    versions: dict[tuple[str, int], int] = {}
    grown: set[tuple[str, int]] = set()  # created records others have added to since
    for entity, ids in _ids_by_entity(records).items():
        model = MODELS[entity]
        for chunk in _chunks(ids):
            found = session.exec(select(model.id, model.version).where(model.id.in_(chunk))).all()
            versions.update(((entity, i), version) for i, version in found)
        for child_entity, child_column, parent in _DEPENDENTS.get(entity, ()):
            for chunk in _chunks(ids):
                found = session.exec(select(parent, child_column).where(parent.in_(chunk))).all()
                grown.update(
                    (entity, parent_id)
                    for parent_id, child_id in found
                    if (child_entity, child_id) not in mine
                )
    changed: list[str] = []
    for record in records:
        key = (record.entity, record.entity_id)
        if key not in versions:
            changed.append(f"#{record.entity_id}")
        elif versions[key] != record.version:
            changed.append(
                _label(record.entity, session.get(MODELS[record.entity], key[1]), session)
            )
        elif record.action != "created":
            current = session.get(MODELS[record.entity], record.entity_id)
            changed.extend(
                _label("contact", other, session)
                for other in _primaries_unmarked_by_undo(record, current, mine, session)
            )
        elif key in grown:
            changed.append(
                _label(record.entity, session.get(MODELS[record.entity], key[1]), session)
            )
    return changed


def _ids_by_entity(records: list[ImportedRecord]) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for record in records:
        ids.setdefault(record.entity, []).append(record.entity_id)
    return ids


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    """Ids in chunks an IN (...) takes on either engine."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# What refers to a record an import created: if someone added one of these since, undo
# would take it with the record (or leave it pointing nowhere), so it refuses. Each is
# (the child's entity, the child's id, the column that refers to the record): a contact
# signs an agreement through AgreementSignatory, whose agreement is the child.
_DEPENDENTS: dict[str, tuple[tuple[str, Any, Any], ...]] = {
    "company": (
        ("agreement", Agreement.id, Agreement.company_id),
        ("contact", Contact.id, Contact.company_id),
        ("activity", Activity.id, Activity.company_id),
        ("assignment", Assignment.id, Assignment.company_id),
    ),
    "contact": (
        ("activity", Activity.id, Activity.contact_id),
        ("assignment", Assignment.id, Assignment.contact_id),
        ("agreement", AgreementSignatory.agreement_id, AgreementSignatory.contact_id),
    ),
    "assignment": (
        ("activity", Activity.id, Activity.assignment_id),
        ("agreement", Agreement.id, Agreement.assignment_id),
    ),
    "agreement": (("agreement", Agreement.id, Agreement.renews_id),),
}


def _primaries_unmarked_by_undo(
    record: ImportedRecord, found: Any, mine: set[tuple[str, int]], session: Session
) -> list[Contact]:
    """A contact the import unmarked as primary gets the mark back on undo, which takes it
    from whoever has it now: a contact the import did not write was given it since."""
    if record.entity != "contact" or not (record.before or {}).get("is_primary"):
        return []
    if found.is_primary:
        return []
    others = session.exec(
        select(Contact)
        .where(Contact.company_id == found.company_id, Contact.is_primary)
        .order_by(col(Contact.id))
    ).all()
    return [other for other in others if ("contact", other.id) not in mine]


def _label(entity: str, record: Any, session: Session) -> str:
    kind = ENTITIES.get(entity)
    return kind.label(record, session) if kind else f"#{record.id}"


def undo(job: ImportJob, *, user: User, session: Session, clock: Clock) -> ImportJob:
    """Reverts a finished import as a whole, or refuses (ChangedSince)."""
    if job.status != ImportStatus.done:
        raise Conflict("Bara en avslutad import kan ångras.")
    # What is checked unchanged is what is removed: on SQLite no one writes in between.
    hold_write_lock(session)
    names = changed_since(job, session=session)
    if names:
        raise ChangedSince(names)
    reverted = revert(job, session=session, clock=clock, user=user)
    job.status = ImportStatus.undone
    job.undone_at = clock.now()
    session.add(job)
    security_log.record(
        session,
        security_log.Kind.import_undone,
        clock=clock,
        user=user,
        detail=log_detail(job),
        rows=reverted,
    )
    session.flush()
    return job


def log_detail(job: ImportJob) -> dict[str, object]:
    """Which import the security log tells of."""
    return {"import_id": job.id, "file_name": job.file_name, "kind": job.kind.value}


def revert(job: ImportJob, *, session: Session, clock: Clock, user: User | None = None) -> int:
    """Removes what the job created and restores what it updated, newest first (an
    activity before the company it was logged on), each step in history. Records are
    taken a run at a time (those of one kind and action in a row, at most BATCH): the
    created ones removed with one statement per run. Returns how many records it undid."""
    user = user or (session.get(User, job.user_id) if job.user_id else None)
    ctx = Context(
        session=session,
        clock=clock,
        # None only when the importing account is gone: history then names no one.
        user=user,  # type: ignore[arg-type]  # None: the importing account is gone
        options=engine.options_of(job),
        companies=CompanyIndex(),
        job_id=job.id,
    )
    touched: set[int] = set()
    unsigned: set[int] = set()  # companies whose letters of intent went
    records = engine.records(job, session=session)
    for run in _runs(list(reversed(records))):
        first = run[0]
        if first.action == "created":
            ids = [record.entity_id for record in run]
            if first.entity == "agreement":
                unsigned |= set(
                    session.exec(
                        select(Agreement.company_id).where(col(Agreement.id).in_(ids))
                    ).all()
                )
            touched |= _remove(first.entity, ids, ctx)
        else:
            for record in run:
                found = session.get(MODELS[record.entity], record.entity_id)
                if found is not None and record.before is not None:
                    ENTITIES[record.entity].restore(found, record.before, ctx)
        session.execute(
            delete(ImportedRecord).where(col(ImportedRecord.id).in_([r.id for r in run])),
            execution_options={"synchronize_session": False},  # see _remove
        )
        _forget(session, ImportedRecord, [record.id for record in run])
        session.flush()
    existing = session.exec(select(Company.id).where(col(Company.id).in_(touched))).all()
    for company_id in existing:
        activities.refresh_company(company_id, session=session)
    left = session.exec(select(Company.id).where(col(Company.id).in_(unsigned))).all()
    agreements.refresh_summary(left, session=session)
    return len(records)


BATCH = 1000


def _runs(records: list[ImportedRecord]) -> list[list[ImportedRecord]]:
    """The records in order, cut where the kind or the action changes, or at BATCH."""
    runs: list[list[ImportedRecord]] = []
    for record in records:
        last = runs[-1] if runs else None
        if (
            last
            and len(last) < BATCH
            and (last[0].entity, last[0].action) == (record.entity, record.action)
        ):
            last.append(record)
        else:
            runs.append([record])
    return runs


def _remove(entity: str, ids: list[int], ctx: Context) -> set[int]:
    """Deletes these records (those still there), each with a "delete" event in history;
    the companies whose activities went, to recompute their dates."""
    model = MODELS[entity]
    has_company = hasattr(model, "company_id") and entity != "company"
    columns = (model.id, model.company_id) if has_company else (model.id,)
    found = ctx.session.execute(select(*columns).where(model.id.in_(ids))).all()
    events: list[tuple[int, dict[str, Any], int | None, int | None]] = [
        (row[0], {}, None, row[1] if has_company else None) for row in found
    ]
    history.record_many(
        session=ctx.session,
        clock=ctx.clock,
        user=ctx.user,
        entity=entity,
        action="delete",
        events=events,
    )
    removed = [e[0] for e in events]
    tags = (
        ctx.session.exec(
            select(CompanyTag.tag_id).where(col(CompanyTag.company_id).in_(removed)).distinct()
        ).all()
        if entity == "company"
        else []
    )
    # Not matched against the session's objects by the ORM (it would test each of the
    # job's records it holds, for every run: minutes for a big import), but by _forget;
    # the rows' children go by the foreign keys' ON DELETE.
    ctx.session.execute(
        delete(model).where(model.id.in_(removed)),
        execution_options={"synchronize_session": False},
    )
    _forget(ctx.session, model, removed)
    if tags:
        # A tag only these companies had (the import made it, as a rule) goes with them.
        ctx.session.execute(
            delete(Tag).where(
                col(Tag.id).in_(tags),
                ~select(CompanyTag.tag_id).where(CompanyTag.tag_id == Tag.id).exists(),
            ),
            execution_options={"synchronize_session": False},
        )
    return {e[3] for e in events if entity == "activity" and e[3] is not None}


def _forget(session: Session, model: Any, ids: list[Any]) -> None:
    """Takes the deleted rows' objects out of the session (a look-up per id, where the
    ORM's own synchronisation tests every object it holds), so a get() finds them gone."""
    identities = session.identity_map
    for identity in ids:
        found = identities.get(session.identity_key(model, identity))
        if found is not None:
            session.expunge(found)


__all__ = ["ChangedSince", "revert", "undo"]
