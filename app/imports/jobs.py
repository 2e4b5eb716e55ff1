"""Running an import job: validate every row first, then write in short transactions
(SQLite has one writer: colleagues keep saving while a big import runs), the progress in
the job row after each batch. A job that fails midway is rolled back: what it wrote is
removed. A small worker thread picks queued jobs from the database, so a job survives a
restart of the server: one left running is queued again and resumes after its last batch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.auth.models import User
from app.clock import Clock
from app.errors import DomainError
from app.i18n import N_
from app.imports import engine, undo
from app.imports.kinds import KINDS
from app.imports.models import ImportFailure, ImportJob, ImportStatus
from app.imports.rows import Action, Problem

log = logging.getLogger(__name__)

BATCH_SIZE = 500
POLL_SECONDS = 2.0
FAILED = N_("Importen avbröts och det som hann sparas är borttaget: %(error)s")
NO_USER = N_("Användaren som startade importen finns inte längre.")


class Interrupted(Exception):
    """Raised by tests (through `stop_after`) to stand for a server that stopped."""


def run(
    job_id: int,
    *,
    session: Session,
    clock: Clock,
    batch_size: int = BATCH_SIZE,
    stop_after: int | None = None,
    on_batch: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Runs (or resumes) a queued job to the end: what the worker calls, and tests too.

    Rows before `rows_done` were written by an earlier run that stopped; their records
    and the counts are in the database, so the run goes on from there. `stop_after`
    batches, the run stops as a killed server would (tests)."""
    # The job's row is this run's own: after a batch's commit its counts are read without
    # a query, which on SQLite would take the write lock while the next batch is made ready.
    keep_loaded = session.expire_on_commit
    session.expire_on_commit = False
    try:
        return _run(
            job_id,
            session=session,
            clock=clock,
            batch_size=batch_size,
            stop_after=stop_after,
            on_batch=on_batch,
        )
    finally:
        session.expire_on_commit = keep_loaded


def _run(
    job_id: int,
    *,
    session: Session,
    clock: Clock,
    batch_size: int,
    stop_after: int | None,
    on_batch: Callable[[ImportJob], None] | None,
) -> ImportJob:
    job = engine.get(job_id, session=session)
    user = session.get(User, job.user_id) if job.user_id else None
    if user is None:
        return _fail(job, NO_USER, {}, session=session, clock=clock)
    job.status = ImportStatus.running
    job.started_at = job.started_at or clock.now()
    session.add(job)
    session.commit()
    try:
        # Everything is validated before anything is written. Validating only reads: on
        # SQLite it must not hold the write lock (seconds for a big file) while colleagues
        # wait to save, so it runs in a reading transaction, ended before the first batch.
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        ctx = engine.context(job, user, session=session, clock=clock)
        ctx.records = {
            (record.entity, record.entity_id): record
            for record in engine.records(job, session=session)
        }
        rows = engine.plan(job, ctx).rows
        session.commit()
        job.rows_total = len(rows)
        kind = KINDS[job.kind]
        starts = range(job.rows_done, len(rows), batch_size)
        for batches, start in enumerate(starts, start=1):
            writable = []
            for row in rows[start : start + batch_size]:
                if not row.ok:
                    _failed(job, row.number, row.cells, row.problems, session=session)
                elif row.action == Action.skip:
                    job.skipped_count += 1
                else:
                    writable.append(row)
            for row, outcome in kind.write_batch(writable, ctx):
                if isinstance(outcome, Problem):
                    _failed(job, row.number, row.cells, [outcome], session=session)
                elif outcome == Action.create:
                    job.created_count += 1
                elif outcome == Action.update:
                    job.updated_count += 1
                else:
                    job.skipped_count += 1
            job.rows_done = min(start + batch_size, len(rows))
            session.add(job)
            session.commit()
            if on_batch:
                on_batch(job)
            if stop_after is not None and batches >= stop_after and job.rows_done < len(rows):
                raise Interrupted
        job.rows_done = len(rows)
        job.status = ImportStatus.done
        job.finished_at = clock.now()
        session.add(job)
        session.commit()
        return job
    except Interrupted:
        raise
    except Exception as error:
        log.exception("import job %s failed", job_id)
        session.rollback()
        message = error.message if isinstance(error, DomainError) else str(error)
        return _fail(job, FAILED, {"error": message[:500]}, session=session, clock=clock)


def _failed(job: ImportJob, number: int, cells: list[str], problems, *, session: Session) -> None:  # type: ignore[no-untyped-def]
    session.add(
        ImportFailure(
            job_id=job.id,  # type: ignore[arg-type]
            row_number=number,
            cells=cells,
            problems=[problem.as_json() for problem in problems],
        )
    )
    job.failed_count += 1


def _fail(
    job: ImportJob, message: str, variables: dict[str, str], *, session: Session, clock: Clock
) -> ImportJob:
    """Removes what the job wrote and marks it failed, with the reason."""
    job = engine.get(job.id, session=session)  # type: ignore[arg-type]
    undo.revert(job, session=session, clock=clock)
    for failure in engine.failures(job, session=session):
        session.delete(failure)
    job.status = ImportStatus.failed
    job.error = message % variables if variables else message
    job.created_count = job.updated_count = job.skipped_count = job.failed_count = 0
    job.finished_at = clock.now()
    session.add(job)
    session.commit()
    return job


# --- the worker -------------------------------------------------------------------------


def recover(*, session: Session) -> int:
    """At start-up: jobs a stopped server left running are queued again. Each resumes
    after its last committed batch (its records and counts are in that batch's commit)."""
    result = session.execute(
        update(ImportJob)
        .where(ImportJob.status == ImportStatus.running)  # type: ignore[arg-type]
        .values(status=ImportStatus.queued, version=ImportJob.version + 1)
    )
    session.commit()
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def claim_next(*, session: Session) -> int | None:
    """The oldest queued job, taken by this worker (a compare-and-set on its status, so
    two workers never run the same job)."""
    job_id = session.exec(
        select(ImportJob.id)
        .where(ImportJob.status == ImportStatus.queued)
        .order_by(ImportJob.created_at, ImportJob.id)
        .limit(1)
    ).first()
    if job_id is None:
        session.rollback()
        return None
    taken = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == ImportStatus.queued)  # type: ignore[arg-type]
        .values(status=ImportStatus.running, version=ImportJob.version + 1)
    )
    session.commit()
    return job_id if taken.rowcount else None  # type: ignore[attr-defined]


def run_next(db: Engine, *, clock: Clock) -> bool:
    """Runs the oldest queued job, if any; whether there was one."""
    with Session(db) as session:
        job_id = claim_next(session=session)
        if job_id is None:
            return False
        run(job_id, session=session, clock=clock)
        return True


class Worker:
    """One background thread that runs queued jobs one after another."""

    def __init__(self, db: Engine, *, clock: Clock, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="matcha-imports", daemon=True)

    def start(self) -> None:
        with Session(self.db) as session:
            recovered = recover(session=session)
        if recovered:
            log.info("import jobs resumed after a restart: %s", recovered)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if run_next(self.db, clock=self.clock):
                    continue
            except Exception:
                log.exception("import worker")
            self._stop.wait(self.poll_seconds)
