"""Import jobs: failure midway rolls back, a restart resumes, the worker runs queued jobs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.companies.models import Company
from app.imports import engine, jobs
from app.imports.kinds.companies import CompanyKind
from app.imports.models import ImportStatus
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
    assert jobs.recover(session=session) == 1
    session.refresh(job)
    assert job.status == ImportStatus.queued
    assert jobs.claim_next(session=session) == job.id
    jobs.run(job.id, session=session, clock=clock, batch_size=3)
    assert (job.status, job.created_count, job.rows_done) == (ImportStatus.done, 7, 7)
    assert len(session.exec(select(Company)).all()) == 7
