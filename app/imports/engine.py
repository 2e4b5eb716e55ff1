"""The import engine, as a wizard calls it: analyse an upload into a job, propose the
mapping, preview the rows as they would be stored, queue the job; the worker runs it
(app/imports/jobs.py) and undo reverts it (app/imports/undo.py).

Nothing here writes a company, contact, activity or assignment except through run(), and
run() validates the whole file before it writes anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.auth.models import User
from app.clock import Clock
from app.errors import Conflict, NotFound
from app.exports import csv_format
from app.imports import mapping, values
from app.imports.bounds import NO_LIMITS, Limits
from app.imports.kinds import KINDS, Context
from app.imports.links import CompanyIndex, active_brokers, propose_person
from app.imports.models import (
    ImportedRecord,
    ImportFailure,
    ImportFile,
    ImportJob,
    ImportKind,
    ImportStatus,
)
from app.imports.options import ImportOptions
from app.imports.reading import Table, read_table
from app.imports.rows import Action, PlannedRow, Problem, reason, text

PREVIEW_ROWS = 20


@dataclass
class Analysis:
    """What the wizard shows before the preview: the file's shape and the proposals."""

    job: ImportJob
    table: Table
    options: ImportOptions
    # Field -> the distinct values of the file in it, each with the proposed Matcha value.
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    # Name in the file -> proposed user id ("" for nobody).
    people: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    rows: list[PlannedRow]
    total: int

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)


def load_table(
    job: ImportJob,
    *,
    session: Session,
    max_rows: int | None = None,
    sheet: str | None = None,
    limits: Limits = NO_LIMITS,
) -> Table:
    """The job's file read again: its sheet, or `sheet` (another the user picks, read
    under `limits` as a new upload is). Only reads: nothing is flushed meanwhile."""
    with session.no_autoflush:
        upload = session.get(ImportFile, job.id)
    if upload is None:
        raise NotFound("Importens fil finns inte längre.")
    return read_table(
        upload.data,
        job.file_name,
        sheet=job.sheet if sheet is None else sheet,
        max_rows=max_rows,
        limits=limits,
    )


def analyse(
    data: bytes,
    file_name: str,
    *,
    kind: ImportKind,
    user: User,
    session: Session,
    clock: Clock,
    sheet: str | None = None,
    limits: Limits = Limits(),
) -> Analysis:
    """Reads the upload (UnreadableFile if it is no sheet, TooBig if it is over the
    limits), keeps it in a new job and proposes columns, value maps, people and the date
    order. Everything is read before anything is written: on SQLite the write lock is
    taken at the first write, so colleagues' saves never wait for a file being read."""
    table = read_table(data, file_name, sheet=sheet, limits=limits)
    job = ImportJob(
        kind=kind,
        file_name=file_name[:255],
        sheet=table.sheet,
        rows_total=len(table.rows),
        user_id=user.id,
        created_at=clock.now(),
    )
    options = ImportOptions(columns=mapping.propose_columns(kind.value, table.headers))
    analysis = propose(job, table, options, session=session)
    job.options = analysis.options.model_dump(mode="json")
    session.add(job)
    session.flush()
    session.add(ImportFile(job_id=job.id, data=data))
    session.flush()
    return analysis


def propose(job: ImportJob, table: Table, options: ImportOptions, *, session: Session) -> Analysis:
    """Value maps, people and the date order for these columns: what the user chose is
    kept, what is new gets a proposal."""
    kind = job.kind.value
    found: dict[str, dict[str, str | None]] = {}
    people: dict[str, str] = {}
    dates: list[Any] = []
    users = active_brokers(session)
    for index, name in enumerate(options.columns):
        if not name:
            continue
        spec = mapping.field(kind, name)
        cells = [row.cells[index] for row in table.rows if index < len(row.cells)]
        if spec.type == mapping.CHOICE:
            chosen = options.values.get(name, {})
            found[name] = {
                text(cell): chosen.get(text(cell), mapping.propose_value(kind, name, cell))
                for cell in cells
                if text(cell)
            }
        elif spec.type == mapping.PERSON:
            for cell in cells:
                who = text(cell)
                if who and who not in people:
                    people[who] = options.people.get(who, propose_person(who, users))
        elif spec.type == mapping.DATE:
            dates.extend(cell for cell in cells if cell not in (None, ""))
    chosen_values = {
        name: {raw: value or "" for raw, value in proposals.items()}
        for name, proposals in found.items()
    }
    options = options.model_copy(
        update={
            "values": chosen_values,
            "people": people,
            "date_order": options.date_order or values.detect_date_order(dates),
        }
    )
    return Analysis(job=job, table=table, options=options, values=found, people=people)


def options_of(job: ImportJob) -> ImportOptions:
    return ImportOptions.model_validate(job.options)


def set_options(job: ImportJob, options: ImportOptions, *, session: Session) -> ImportJob:
    """The user's choices (columns, values, people, date order, policies)."""
    if job.status != ImportStatus.analysed:
        raise Conflict("Importen har redan startat och kan inte ändras.")
    job.options = options.model_dump(mode="json")
    session.add(job)
    session.flush()
    return job


def context(job: ImportJob, user: User, *, session: Session, clock: Clock) -> Context:
    options = options_of(job)
    table_headers = load_table(job, session=session, max_rows=0).headers
    columns = {
        name: table_headers[index] if index < len(table_headers) else ""
        for index, name in enumerate(options.columns)
        if name
    }
    return Context(
        session=session,
        clock=clock,
        user=user,
        options=options,
        companies=CompanyIndex.load(session),
        columns=columns,
        job_id=job.id,
    )


def plan(
    job: ImportJob, ctx: Context, *, table: Table | None = None, limit: int | None = None
) -> Plan:
    """Every row (or the first `limit`) as it would be stored, with its problems and what
    will happen to it. Reads only."""
    table = table or load_table(job, session=ctx.session)
    kind = KINDS[job.kind]
    rows: list[PlannedRow] = []
    # Duplicates inside the file are found by keys: plan all rows even for a preview of a
    # few, so "samma som rad N" is right; only the first `limit` are returned.
    for source in table.rows:
        raw = {
            name: source.cells[index] if index < len(source.cells) else None
            for index, name in enumerate(ctx.options.columns)
            if name
        }
        row = PlannedRow(number=source.number, raw=source.cells)
        kind.plan(raw, row, ctx)
        if row.problems:
            row.action = Action.fail
        rows.append(row)
    shown = rows if limit is None else rows[:limit]
    return Plan(rows=shown, total=len(rows))


def preview(
    job: ImportJob,
    *,
    user: User,
    session: Session,
    clock: Clock,
    limit: int | None = PREVIEW_ROWS,
) -> Plan:
    """The first rows as they would be stored, each with its problems per column."""
    ctx = context(job, user, session=session, clock=clock)
    return plan(job, ctx, limit=limit)


def queue(job: ImportJob, *, session: Session) -> ImportJob:
    """The user commits: the worker picks the job up (app/imports/jobs.py)."""
    if job.status != ImportStatus.analysed:
        raise Conflict("Importen har redan startat.")
    job.status = ImportStatus.queued
    session.add(job)
    session.flush()
    return job


def get(job_id: int, *, session: Session) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("Importen finns inte.")
    return job


def history(*, session: Session, limit: int = 50) -> list[ImportJob]:
    """The import history, newest first."""
    return list(
        session.exec(select(ImportJob).order_by(col(ImportJob.id).desc()).limit(limit)).all()
    )


def failures(job: ImportJob, *, session: Session) -> list[ImportFailure]:
    return list(
        session.exec(
            select(ImportFailure)
            .where(ImportFailure.job_id == job.id)
            .order_by(col(ImportFailure.row_number))
        ).all()
    )


def failed_rows_csv(job: ImportJob, *, session: Session) -> bytes:
    """The failed rows with the file's own columns and a "Fel" column saying why, in
    Matcha's CSV dialect: opens in Excel, and imports again once fixed."""
    headers = load_table(job, session=session, max_rows=0).headers
    writer = csv_format.Writer()
    rows = [[*headers, "Fel"]]
    for failure in failures(job, session=session):
        cells = list(failure.cells) + [""] * (len(headers) - len(failure.cells))
        problems = [Problem.from_json(problem) for problem in failure.problems]
        rows.append([*cells, reason(problems)])
    return writer.chunk(rows, bom=True)


def records(job: ImportJob, *, session: Session) -> list[ImportedRecord]:
    return list(
        session.exec(
            select(ImportedRecord)
            .where(ImportedRecord.job_id == job.id)
            .order_by(col(ImportedRecord.id))
        ).all()
    )
