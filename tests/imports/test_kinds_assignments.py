"""Importing recruitment assignments: the follow-up sample sheet (UTF-8 with BOM, "3 st",
the sheet's own words for employment type, status and who brought it in), the status
rules of the assignment service, duplicates and undo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.assignments import service as assignments
from app.assignments.models import Assignment, AssignmentStatus
from app.companies.models import Company
from app.imports import engine, undo
from app.imports.rows import Action
from tests.factories import make_company, make_user
from tests.imports.conftest import analysed, imported, sample
from tests.imports.test_engine import csv_bytes

SHEET = "uppdrag_uppfoljning.csv"


@pytest.fixture
def brokers(session, clock):
    return {
        name: make_user(session, clock, role="broker", full_name=name)
        for name in ("Kajsa Lind", "Sofie Ek")
    }


def test_the_follow_up_sheet_imports_with_its_closed_rows_checked(session, clock, broker, brokers):
    job = imported(
        session, clock, broker, sample(SHEET), SHEET, "assignments", company_policy="create"
    )
    assert job.error is None
    # 80 rows: 3 with a wrong check digit in the org.nr; 7 "Avslutad" (nobody hired)
    # that say someone was hired (Källström 2, Westerberg 1, Nyköpings Trädgård 2,
    # Holmberg 4, Henriksson 2, Måleripartner 1, Malmös Trädgård 3).
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (
        70,
        0,
        0,
        10,
    )
    reasons = [f.problems[0] for f in engine.failures(job, session=session)]
    closed = [p for p in reasons if p["column"] == "Tillsatta"]
    assert len(closed) == 7
    assert closed[0]["message"].startswith("Avslutad utan tillsättning betyder")
    stored = session.exec(select(Assignment)).all()
    by_status = {s: sum(1 for a in stored if a.status == s) for s in AssignmentStatus}
    assert by_status[AssignmentStatus.filled] == 19
    assert by_status[AssignmentStatus.closed_unfilled] == 2
    assert all(a.closed_at == clock.now() for a in stored if a.status == AssignmentStatus.filled)
    assert all(a.filled_count == a.positions for a in stored if a.status == "filled")
    four = session.exec(
        select(Assignment).join(Company).where(Company.name == "Åkeriteamet i Jokkmokk Aktiebolag")
    ).one()
    assert (four.positions, four.employment_type, four.source_kind) == (
        4,
        "extra_job",
        "broker",
    )
    assert four.owner_id == four.source_user_id == brokers["Kajsa Lind"].id
    # Who brought it in: a user; "Företaget ringde" the company; "Rekryteringsträff" an
    # event; a broker who is no user, "other".
    assert {a.source_kind for a in stored} == {"broker", "company", "event", "other"}
    brought_by_users = [a for a in stored if a.source_kind == "broker"]
    assert {a.source_user_id for a in brought_by_users} == {u.id for u in brokers.values()}


def test_unknown_companies_refused(session, clock, broker):
    job = imported(session, clock, broker, sample(SHEET), SHEET, "assignments")
    assert (job.created_count, job.failed_count) == (0, 80)


def test_preview_problems_per_column(session, clock, broker):
    make_company(session, clock, name="Bygg AB")
    data = csv_bytes(
        "Företag;Yrke;Antal;Status;Tillsatta;Startdatum",
        "Bygg AB;;3 st;Ny;0;",
        "Bygg AB;Snickare;tre;Ny;0;",
        "Bygg AB;Snickare;2;Tillsatt;1;",
        "Bygg AB;Snickare;2;Pågår;5;2024-01-01",
        "Bygg AB;Målare;3 st;Delvis tillsatt;2;2024-01-01",
    )
    job = analysed(session, clock, broker, data, "u.csv", "assignments")
    rows = engine.preview(job, user=broker, session=session, clock=clock).rows
    assert [[p.column for p in row.problems] for row in rows] == [
        ["Yrke"],
        ["Antal"],
        ["Tillsatta"],
        ["Tillsatta"],
        [],
    ]
    assert rows[0].problems[0].message == "Ange yrket som ska rekryteras."
    assert rows[4].action == Action.create
    assert (rows[4].values["positions"], rows[4].values["status"]) == ("3", "partly_filled")


@pytest.mark.parametrize(
    ("policy", "counts"), [("skip", (0, 0, 1)), ("update", (0, 1, 0)), ("create", (1, 0, 0))]
)
def test_duplicates_by_occupation_and_start(session, clock, broker, policy, counts):
    company = make_company(session, clock, name="Bygg AB")
    form = assignments.AssignmentForm(
        occupation="Snickare", positions="2", start_on="2024-01-01", source_kind="other"
    )
    assignments.create(company, form, user=broker, session=session, clock=clock)
    session.commit()
    data = csv_bytes(
        "Företag;Yrke;Antal;Startdatum;Status;Tillsatta",
        "Bygg AB;snickare;2;2024-01-01;Tillsatt;2",
    )
    job = imported(session, clock, broker, data, "u.csv", "assignments", duplicate_policy=policy)
    assert (job.created_count, job.updated_count, job.skipped_count) == counts
    if policy == "update":
        (stored,) = session.exec(select(Assignment)).all()
        assert (stored.status, stored.filled_count) == ("filled", 2)
        undo.undo(job, user=broker, session=session, clock=clock)
        session.commit()
        session.refresh(stored)
        assert (stored.status, stored.filled_count) == ("new", 0)


def test_undo_of_the_sheet_and_its_refusal(session, clock, broker, brokers):
    job = imported(
        session, clock, broker, sample(SHEET), SHEET, "assignments", company_policy="create"
    )
    first = session.exec(
        select(Assignment).join(Company).where(Company.name == "Åkeriteamet i Jokkmokk Aktiebolag")
    ).one()
    form = assignments.AssignmentForm.from_assignment(first)
    form.notes = "Ändrad"
    assignments.update(first, form, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Lärarassistent (Åkeriteamet i Jokkmokk Aktiebolag)"]
    session.rollback()
    assignments.delete(first, user=broker, session=session, clock=clock)
    session.commit()
    again = imported(session, clock, broker, sample(SHEET), SHEET, "assignments")
    assert (again.created_count, again.skipped_count, again.failed_count) == (1, 69, 10)
    undo.undo(again, user=broker, session=session, clock=clock)
    session.commit()
    assert len(session.exec(select(Assignment)).all()) == 69


def _assignments(session):
    session.expire_all()
    return [
        (a.occupation, a.positions, a.status.value, a.filled_count, a.closed_at)
        for a in session.exec(select(Assignment).order_by(Assignment.id)).all()
    ]


@pytest.mark.parametrize(
    ("row", "imported_state"),
    [
        # Reopened: the status and its filled count come back, and so does the day it closed.
        ("Bygg AB;Snickare;2;2024-01-01;Sökning pågår;", ("Snickare", 2, "searching", 2, None)),
        # Reopened with one more position: filled 2 of 3 fits an open status, and undo must
        # put the positions back before it can close the assignment as filled again.
        ("Bygg AB;Snickare;3;2024-01-01;Sökning pågår;", ("Snickare", 3, "searching", 2, None)),
        # Closed in another way, from one closed status to another.
        ("Bygg AB;Snickare;2;2024-01-01;Avbruten;1", ("Snickare", 2, "cancelled", 1, "closed")),
        # ... and with one more position: "tillsatt" does not fit 2 filled of 3, so undo
        # reopens it to put the positions back, then closes it as it was.
        ("Bygg AB;Snickare;3;2024-01-01;Avbruten;1", ("Snickare", 3, "cancelled", 1, "closed")),
    ],
)
def test_undo_of_a_status_change_restores_the_counts_and_the_day_it_closed(
    session, clock, broker, row, imported_state
):
    company = make_company(session, clock, name="Bygg AB")
    form = assignments.AssignmentForm(
        occupation="Snickare", positions="2", start_on="2024-01-01", source_kind="other"
    )
    assignment = assignments.create(company, form, user=broker, session=session, clock=clock)
    status = assignments.StatusForm(status="filled", filled_count="2")
    assignments.change_status(assignment, status, user=broker, session=session, clock=clock)
    session.commit()
    closed = clock.now()
    before = _assignments(session)
    assert before == [("Snickare", 2, "filled", 2, closed)]
    clock.advance(dt.timedelta(days=3))
    data = csv_bytes("Företag;Yrke;Antal;Startdatum;Status;Tillsatta", row)
    job = imported(session, clock, broker, data, "u.csv", "assignments", duplicate_policy="update")
    assert (job.updated_count, job.failed_count) == (1, 0)
    *shown, closed_at = imported_state
    assert _assignments(session) == [(*shown, closed if closed_at else None)]
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert _assignments(session) == before
