"""Import jobs: failure midway rolls back, a restart resumes, the worker runs queued jobs;
a job another live instance is running (fresh heartbeat) is not queued again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.companies.models import Company
from app.imports import engine, jobs
from app.imports.kinds.companies import CompanyKind
from app.imports.models import ImportJob, ImportStatus
from tests.imports.conftest import analysed
from tests.imports.test_engine import csv_bytes

ROWS = [f"Företag {n} AB;Ort {n}" for n in range(7)]


def queued(session, clock, user):
    job = analysed(session, clock, user, csv_bytes("Företagsnamn;Ort", *ROWS), "m.csv", "companies")
    engine.queue(job, session=session)
    session.commit()
    return job


def test_a_failure_midway_removes_what_was_written(session, clock, broker, monkeypatch):
    job = queued(session, clock, broker)
    original = CompanyKind.write_batch

    def breaks_on_the_third_batch(self, rows, ctx):
        if any(row.number == 6 for row in rows):
            raise RuntimeError("disk full")
        return original(self, rows, ctx)

    monkeypatch.setattr(CompanyKind, "write_batch", breaks_on_the_third_batch)
    job = jobs.run(job.id, session=session, clock=clock, batch_size=2)
    assert job.status == ImportStatus.failed
    assert "disk full" in job.error
    assert session.exec(select(Company)).all() == []
    assert engine.records(job, session=session) == []


def test_a_job_left_running_by_a_restart_resumes_after_its_last_batch(session, clock, broker):
    job = queued(session, clock, broker)
    with pytest.raises(jobs.Interrupted):
        jobs.run(job.id, session=session, clock=clock, batch_size=3, stop_after=1)
    assert (job.status, job.rows_done, job.created_count) == (ImportStatus.running, 3, 3)
    clock.advance(jobs.STALE_AFTER + dt.timedelta(seconds=1))  # its instance stopped
    assert jobs.recover(session=session, clock=clock) == 1
    session.refresh(job)
    assert job.status == ImportStatus.queued
    assert jobs.claim_next(session=session, clock=clock) == job.id
    jobs.run(job.id, session=session, clock=clock, batch_size=3)
    assert (job.status, job.created_count, job.rows_done) == (ImportStatus.done, 7, 7)
    assert len(session.exec(select(Company)).all()) == 7


def test_the_heartbeat_is_set_when_claimed_and_after_every_batch(session, clock, broker):
    job = queued(session, clock, broker)
    claimed_at = clock.now()
    assert jobs.claim_next(session=session, clock=clock) == job.id
    session.refresh(job)
    assert (job.status, job.heartbeat_at) == (ImportStatus.running, claimed_at)

    seen = []

    def a_batch_takes_a_minute(running):
        seen.append(running.heartbeat_at)
        clock.advance(dt.timedelta(minutes=1))

    start = clock.now()
    jobs.run(job.id, session=session, clock=clock, batch_size=3, on_batch=a_batch_takes_a_minute)
    # Batches of 3 of 7 rows: three commits, each with the time it was made.
    assert seen == [start, start + dt.timedelta(minutes=1), start + dt.timedelta(minutes=2)]
    session.expire_all()
    assert session.get(ImportJob, job.id).heartbeat_at == start + dt.timedelta(minutes=2)


def test_a_job_another_instance_is_running_is_left_alone_until_its_heartbeat_is_stale(
    session, clock, broker
):
    job = queued(session, clock, broker)
    with pytest.raises(jobs.Interrupted):  # running, as on another instance, one batch done
        jobs.run(job.id, session=session, clock=clock, batch_size=3, stop_after=1)
    clock.advance(jobs.STALE_AFTER - dt.timedelta(seconds=1))
    assert jobs.recover(session=session, clock=clock) == 0
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.running
    assert jobs.claim_next(session=session, clock=clock) is None  # not run twice

    clock.advance(dt.timedelta(seconds=2))
    assert jobs.recover(session=session, clock=clock) == 1
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.queued


def test_a_running_job_without_a_heartbeat_is_queued_again(session, clock, broker):
    # Left running by a server from before heartbeats existed.
    job = queued(session, clock, broker)
    job.status = ImportStatus.running
    session.add(job)
    session.commit()
    assert job.heartbeat_at is None
    assert jobs.recover(session=session, clock=clock) == 1
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.queued
