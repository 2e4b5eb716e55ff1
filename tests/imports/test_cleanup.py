"""Imports given up: analysed but never started, removed with their files after a week by
the worker's housekeeping, in one statement however many there are."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from app.imports import jobs
from app.imports.engine import queue
from app.imports.models import ImportFile, ImportJob, ImportStatus
from tests.imports.conftest import analysed, imported
from tests.imports.test_engine import csv_bytes
from tests.statements import recorded

DATA = csv_bytes("Företagsnamn;Ort", "Bygg AB;Umeå")


def ids(session) -> set[int]:
    session.expire_all()
    return set(session.exec(select(ImportJob.id)).all())


def test_analysed_imports_older_than_a_week_go_with_their_files(session, clock, broker, engine):
    old = [analysed(session, clock, broker, DATA, f"gammal{n}.csv", "companies") for n in (1, 2)]
    started = analysed(session, clock, broker, DATA, "startad.csv", "companies")
    engine_queue(session, started)
    done = imported(session, clock, broker, DATA, "klar.csv", "companies")
    clock.advance(jobs.ABANDONED_AFTER - dt.timedelta(days=1))
    recent = analysed(session, clock, broker, DATA, "ny.csv", "companies")
    clock.advance(dt.timedelta(days=1, seconds=1))
    old_ids = {job.id for job in old}

    with recorded(engine) as statements:
        assert jobs.remove_abandoned(session=session, clock=clock) == 2
    deletes = [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1  # one statement, not one per job

    assert ids(session) == {started.id, done.id, recent.id}
    files = set(session.exec(select(ImportFile.job_id)).all())
    assert not files & old_ids  # ON DELETE CASCADE
    assert {started.id, done.id, recent.id} <= files


def test_housekeeping_removes_abandoned_imports_and_requeues_orphaned_jobs(session, clock, broker):
    abandoned = analysed(session, clock, broker, DATA, "gammal.csv", "companies").id
    orphaned = analysed(session, clock, broker, DATA, "avbruten.csv", "companies")
    engine_queue(session, orphaned)
    assert jobs.claim_next(session=session, clock=clock) == orphaned.id
    clock.advance(jobs.ABANDONED_AFTER + dt.timedelta(minutes=1))
    assert jobs.housekeeping(session=session, clock=clock) == (1, 1)
    assert ids(session) == {orphaned.id}
    assert session.get(ImportJob, orphaned.id).status == ImportStatus.queued
    assert session.get(ImportFile, abandoned) is None


def engine_queue(session, job) -> None:
    queue(job, session=session)
    session.commit()
