"""Import jobs: failure midway rolls back, a restart resumes, the worker runs queued jobs;
a job another live instance is running (fresh heartbeat) is not queued again."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlmodel import Session, select

from app.cli import migrate
from app.clock import SettableClock
from app.companies.models import Company
from app.config import Settings
from app.db import make_engine
from app.imports import engine, jobs
from app.imports.kinds.companies import CompanyKind
from app.imports.models import ImportJob, ImportStatus
from tests.conftest import START
from tests.databases import throwaway_database
from tests.factories import make_user
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


# --- taken over after MATCHA_IMPORT_TAKEOVER_SECONDS, on a database of its own -------------


@pytest.fixture
def own_db(tmp_path):
    """A migrated database whose commits are real: the heartbeat writes from a thread and
    connection of its own, which the rolled-back test session would never show it."""
    with throwaway_database(tmp_path, "jobs") as url:
        migrate(url)
        db = make_engine(url)
        yield db
        db.dispose()


def running_job(db, clock, *, heartbeat_at):
    with Session(db) as session:
        user = make_user(session, clock, role="broker")
        job = analysed(
            session, clock, user, csv_bytes("Företagsnamn;Ort", *ROWS), "h.csv", "companies"
        )
        job.status, job.heartbeat_at = ImportStatus.running, heartbeat_at
        session.add(job)
        session.commit()
        return job.id


def status_and_heartbeat(db, job_id):
    with Session(db) as session:
        job = session.get(ImportJob, job_id)
        return job.status, job.heartbeat_at


def test_an_orphaned_job_is_taken_over_after_the_takeover_time(own_db, clock):
    """The instance running it stopped (a server killed mid-import): a minute (the setting)
    after its last sign of life, housekeeping queues it again, and not a second before."""
    takeover = dt.timedelta(seconds=60)
    job_id = running_job(own_db, clock, heartbeat_at=clock.now())
    clock.advance(takeover - dt.timedelta(seconds=1))
    with Session(own_db) as session:
        assert jobs.housekeeping(session=session, clock=clock, stale_after=takeover) == (0, 0)
    assert status_and_heartbeat(own_db, job_id)[0] == ImportStatus.running
    clock.advance(dt.timedelta(seconds=2))
    with Session(own_db) as session:
        assert jobs.housekeeping(session=session, clock=clock, stale_after=takeover) == (1, 0)
    assert status_and_heartbeat(own_db, job_id)[0] == ImportStatus.queued


def test_the_worker_takes_over_a_default_of_sixty_seconds():
    assert dt.timedelta(seconds=60) == jobs.STALE_AFTER
    assert Settings(database_url="sqlite://").import_takeover_seconds == 60
    worker = jobs.Worker(make_engine("sqlite://"), clock=SettableClock(START))
    assert worker.housekeeping_seconds == 15  # looked for four times per takeover time


def test_a_running_job_keeps_its_heartbeat_fresh_while_it_works(own_db, clock):
    """A job validating a big file for longer than the takeover time is no orphan: its
    heartbeat thread renews the heartbeat; once the job is no longer running it stops."""
    job_id = running_job(own_db, clock, heartbeat_at=clock.now())
    later = clock.now() + dt.timedelta(minutes=5)
    clock.set(later)
    with jobs.Heartbeat(own_db, job_id, clock=clock, every=0.05):
        deadline = time.monotonic() + 5
        while status_and_heartbeat(own_db, job_id)[1] != later and time.monotonic() < deadline:
            time.sleep(0.02)
    assert status_and_heartbeat(own_db, job_id) == (ImportStatus.running, later)
    with Session(own_db) as session:
        job = session.get(ImportJob, job_id)
        job.status = ImportStatus.done
        session.add(job)
        session.commit()
    assert not jobs.Heartbeat(own_db, job_id, clock=clock, every=1).beat()
