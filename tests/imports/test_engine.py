"""The import engine on companies: preview with problems per column, duplicate policies,
batches, and the failed rows as CSV."""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from app.companies.models import Company
from app.imports import engine
from app.imports.models import ImportStatus
from app.imports.rows import Action
from tests.imports.conftest import analysed, imported, sample


def csv_bytes(*rows: str) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")


def test_the_2019_company_sheet_imports_with_its_bad_rows_failed(session, clock, broker):
    job = imported(
        session,
        clock,
        broker,
        sample("foretagskontakter_2019.csv"),
        "foretagskontakter_2019.csv",
        "companies",
    )
    assert job.status == ImportStatus.done, job.error
    assert job.created_count > 0
    assert job.failed_count > 0  # wrong check digits
    assert job.skipped_count > 0  # the duplicates
    total = job.created_count + job.updated_count + job.skipped_count + job.failed_count
    assert total == job.rows_total == job.rows_done
    stored = session.exec(select(Company)).all()
    assert len(stored) == job.created_count
    text = engine.failed_rows_csv(job, session=session).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][-1] == "Fel"
    assert len(rows) == job.failed_count + 1
    assert any("kontrollsiffra" in row[-1] for row in rows[1:])


def test_preview_shows_every_problem_per_column(session, clock, broker):
    data = csv_bytes(
        "Företagsnamn;Org.nr;Telefon;Status",
        ";556036-0794;abc;Aktiv",
        "Bygg AB;556036-0793;08-123 45 67;Aktiv",
        "BYGG AKTIEBOLAG;;;Aktiv",
    )
    job = analysed(session, clock, broker, data, "f.csv", "companies")
    plan = engine.preview(job, user=broker, session=session, clock=clock)
    first, second, third = plan.rows
    messages = {problem.column: problem.message for problem in first.problems}
    assert "Ange företagets namn." in messages.values()
    assert "Org.nr" in messages and "Telefon" in messages
    assert first.action == Action.fail
    assert second.action == Action.create and second.values["org_number"] == "556036-0793"
    assert third.action == Action.skip
    assert third.notes[0].variables == {"row": 3}


def test_duplicate_policies_skip_update_and_create(session, clock, broker):
    first = csv_bytes("Företagsnamn;Org.nr;Ort", "Bygg AB;556036-0793;Umeå", "Måleri HB;;Luleå")
    imported(session, clock, broker, first, "a.csv", "companies")
    again = csv_bytes("Företagsnamn;Org.nr;Ort", "Bygg AB;556036-0793;Piteå", "MÅLERI;;Kiruna")
    skipped = imported(session, clock, broker, again, "b.csv", "companies", duplicate_policy="skip")
    assert (skipped.created_count, skipped.skipped_count) == (0, 2)
    updated = imported(
        session, clock, broker, again, "c.csv", "companies", duplicate_policy="update"
    )
    assert updated.updated_count == 2
    cities = sorted(c.city for c in session.exec(select(Company)).all())
    assert cities == ["Kiruna", "Piteå"]
    created = imported(
        session, clock, broker, again, "d.csv", "companies", duplicate_policy="create"
    )
    # The same org.nr cannot be created twice; a name can.
    assert (created.created_count, created.failed_count) == (1, 1)


def test_a_job_with_more_rows_than_a_batch_commits_in_batches(session, clock, broker):
    from app.imports import jobs

    rows = [f"Företag {n} AB;Ort {n}" for n in range(7)]
    job = analysed(
        session, clock, broker, csv_bytes("Företagsnamn;Ort", *rows), "m.csv", "companies"
    )
    engine.queue(job, session=session)
    session.commit()
    progress = []
    jobs.run(
        job.id,
        session=session,
        clock=clock,
        batch_size=3,
        on_batch=lambda j: progress.append(j.rows_done),
    )
    assert progress == [3, 6, 7]
    assert job.created_count == 7
