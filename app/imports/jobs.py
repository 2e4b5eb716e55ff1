"""Running an import job: validate every row first, then write in short transactions
(SQLite has one writer: colleagues keep saving while a big import runs), the progress in
the job row after each batch. A job that fails midway is rolled back: what it wrote is
removed. A small worker thread picks queued jobs from the database, so a job survives a
restart of the server: one left running is queued again and resumes after its last batch.
Several instances may share the database: a running job carries a heartbeat, and only one
whose heartbeat is stale (its instance stopped) is queued again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, delete, func, or_, update
from sqlmodel import Session, col, select

from app.auth import security_log
from app.auth.models import User
from app.clock import Clock
from app.errors import Conflict, DomainError
from app.i18n import N_
from app.imports import engine, undo
from app.imports.kinds import KINDS
from app.imports.models import ImportFailure, ImportJob, ImportStatus
from app.imports.rows import Action, Problem

log = logging.getLogger(__name__)

BATCH_SIZE = 500
POLL_SECONDS = 2.0
# A running job's heartbeat is renewed when it is claimed, after every batch, and by a
# thread of its own every quarter of this while the job works (validating a big file is
# no batch). A job whose heartbeat is older than this is taken to be orphaned by a stopped
# instance and is queued again; one another live instance runs keeps a fresh heartbeat and
# is left alone. The default of MATCHA_IMPORT_TAKEOVER_SECONDS.
STALE_AFTER = dt.timedelta(seconds=60)
# An import uploaded and analysed but never started (the user left the wizard) is removed
# with its file after this long.
ABANDONED_AFTER = dt.timedelta(days=7)
NOT_DISCARDABLE = N_("Importen har redan startat och kan inte tas bort.")
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
    # a query (one per attribute, for every batch, otherwise).
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
    if job.status not in (ImportStatus.queued, ImportStatus.running):
        return job  # done, failed, undone or not yet committed: nothing to run
    user = session.get(User, job.user_id) if job.user_id else None
    if user is None:
        return _fail(job, NO_USER, {}, session=session, clock=clock)
    job.status = ImportStatus.running
    job.started_at = job.started_at or clock.now()
    job.heartbeat_at = clock.now()
    session.add(job)
    session.commit()
    try:
        # Everything is validated before anything is written. Validating only reads, so on
        # SQLite it holds no write lock (app/db.py) while colleagues save; its transaction
        # is ended before the first batch.
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
            job.heartbeat_at = clock.now()  # committed with the batch
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
        security_log.record(
            session,
            security_log.Kind.import_committed,
            clock=clock,
            user=user,
            detail={
                **undo.log_detail(job),
                "created": job.created_count,
                "updated": job.updated_count,
                "failed": job.failed_count,
            },
            rows=job.created_count + job.updated_count,
        )
        session.commit()
        return job
    except Interrupted:
        raise
    except Exception as error:
        log.exception("import job %s failed", job_id)
        session.rollback()
        message = error.message if isinstance(error, DomainError) else str(error)
        return _fail(job, FAILED, {"error": message[:500]}, session=session, clock=clock)


def _failed(job: ImportJob, number: int, cells: list[str], problems, *, session: Session) -> None:
    session.add(
        ImportFailure(
            job_id=job.id,
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
    job = engine.get(job.id, session=session)
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


def recover(*, session: Session, clock: Clock, stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Jobs a stopped instance left running are queued again; each resumes after its last
    committed batch (its records and counts are in that batch's commit). A running job
    with a fresh heartbeat is another live instance's and is left alone; one without a
    heartbeat (started before heartbeats existed) counts as stale."""
    result = session.exec(
        update(ImportJob)
        .where(
            col(ImportJob.status) == ImportStatus.running,
            or_(
                col(ImportJob.heartbeat_at).is_(None),
                col(ImportJob.heartbeat_at) < clock.now() - stale_after,
            ),
        )
        .values(status=ImportStatus.queued, version=ImportJob.version + 1)
    )
    session.commit()
    return result.rowcount


def remove_abandoned(
    *, session: Session, clock: Clock, older_than: dt.timedelta = ABANDONED_AFTER
) -> int:
    """Analysed imports never started, uploaded longer ago than `older_than`: removed
    with their files (ON DELETE CASCADE) in one statement, however many there are."""
    result = session.exec(
        delete(ImportJob).where(
            col(ImportJob.status) == ImportStatus.analysed,
            col(ImportJob.created_at) < clock.now() - older_than,
        )
    )
    session.commit()
    return result.rowcount


def housekeeping(
    *, session: Session, clock: Clock, stale_after: dt.timedelta = STALE_AFTER
) -> tuple[int, int]:
    """What the worker does at start-up and now and then while idle: orphaned jobs queued
    again, abandoned imports removed. How many of each. Each is looked for first, so that
    most of the time nothing writes (on SQLite a write takes the one write lock)."""
    now = clock.now()
    orphaned = session.exec(
        select(func.count()).where(
            col(ImportJob.status) == ImportStatus.running,
            or_(
                col(ImportJob.heartbeat_at).is_(None),
                col(ImportJob.heartbeat_at) < now - stale_after,
            ),
        )
    ).one()
    abandoned = session.exec(
        select(func.count()).where(
            col(ImportJob.status) == ImportStatus.analysed,
            col(ImportJob.created_at) < now - ABANDONED_AFTER,
        )
    ).one()
    session.rollback()
    return (
        recover(session=session, clock=clock, stale_after=stale_after) if orphaned else 0,
        remove_abandoned(session=session, clock=clock) if abandoned else 0,
    )


def discard(job: ImportJob, *, session: Session) -> None:
    """An analysed import the user will not start: the job goes, with its file (ON DELETE
    CASCADE). Conflict when it has started meanwhile: the status is checked in the same
    statement, so a job just queued is never removed."""
    result = session.exec(
        delete(ImportJob).where(
            col(ImportJob.id) == job.id,
            col(ImportJob.status) == ImportStatus.analysed,
        )
    )
    if not result.rowcount:
        raise Conflict(NOT_DISCARDABLE)
    session.expunge(job)


def claim_next(*, session: Session, clock: Clock) -> int | None:
    """The oldest queued job, taken by this worker (a compare-and-set on its status, so
    two workers never run the same job), with a fresh heartbeat."""
    job_id = session.exec(
        select(ImportJob.id)
        .where(ImportJob.status == ImportStatus.queued)
        .order_by(col(ImportJob.created_at), col(ImportJob.id))
        .limit(1)
    ).first()
    if job_id is None:
        session.rollback()
        return None
    taken = session.exec(
        update(ImportJob)
        .where(col(ImportJob.id) == job_id, col(ImportJob.status) == ImportStatus.queued)
        .values(
            status=ImportStatus.running, heartbeat_at=clock.now(), version=ImportJob.version + 1
        )
    )
    session.commit()
    return job_id if taken.rowcount else None


class Heartbeat:
    """While a job runs, a thread of its own renews the job's heartbeat every `every`
    seconds in a short transaction of its own: a job validating a big file for minutes is
    not taken for one whose instance stopped."""

    def __init__(self, db: Engine, job_id: int, *, clock: Clock, every: float) -> None:
        self.db = db
        self.job_id = job_id
        self.clock = clock
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="matcha-import-heartbeat")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """Renews the heartbeat of the job if it is still running; whether it was."""
        with Session(self.db) as session:
            result = session.exec(
                update(ImportJob)
                .where(
                    col(ImportJob.id) == self.job_id,
                    col(ImportJob.status) == ImportStatus.running,
                )
                .values(heartbeat_at=self.clock.now())
            )
            session.commit()
            return bool(result.rowcount)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.beat()
            except Exception:  # busy or gone for a moment: the next beat, or a batch, renews
                log.warning("import job %s: heartbeat not renewed", self.job_id, exc_info=True)


def run_next(db: Engine, *, clock: Clock, stale_after: dt.timedelta = STALE_AFTER) -> bool:
    """Runs the oldest queued job, if any, with its heartbeat kept fresh; whether there
    was one."""
    with Session(db) as session:
        job_id = claim_next(session=session, clock=clock)
        if job_id is None:
            return False
        with Heartbeat(db, job_id, clock=clock, every=stale_after.total_seconds() / 4):
            run(job_id, session=session, clock=clock)
        return True


class Worker:
    """One background thread that runs queued jobs one after another.

    Housekeeping (`housekeeping()`: orphaned jobs queued again, abandoned imports removed)
    runs at start-up and then every quarter of `stale_after` while idle, so a job whose
    instance stopped is taken over at most a quarter later than `stale_after`. Here rather
    than on the history page's load: a GET should not write, and a job orphaned by an
    instance that stopped less than `stale_after` before this one started is only stale
    later, not at start-up."""

    def __init__(
        self,
        db: Engine,
        *,
        clock: Clock,
        poll_seconds: float = POLL_SECONDS,
        stale_after: dt.timedelta = STALE_AFTER,
    ) -> None:
        self.db = db
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.stale_after = stale_after
        self.housekeeping_seconds = stale_after.total_seconds() / 4
        self._stop = threading.Event()
        self._housekept = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="matcha-imports", daemon=True)

    def start(self) -> None:
        self._housekeeping()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _housekeeping(self) -> None:
        self._housekept = time.monotonic()
        with Session(self.db) as session:
            recovered, removed = housekeeping(
                session=session, clock=self.clock, stale_after=self.stale_after
            )
        if recovered:
            log.info("import jobs resumed, their instance having stopped: %s", recovered)
        if removed:
            log.info("abandoned imports removed: %s", removed)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if run_next(self.db, clock=self.clock, stale_after=self.stale_after):
                    continue
                if time.monotonic() - self._housekept >= self.housekeeping_seconds:
                    self._housekeeping()
            except Exception:
                log.exception("import worker")
            self._stop.wait(self.poll_seconds)
