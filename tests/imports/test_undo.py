"""Undo of an import: all of it while nothing changed since, else a refusal naming what did."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.companies import service as companies
from app.companies.models import Company
from app.imports import undo
from app.imports.models import ImportStatus
from tests.imports.conftest import imported
from tests.imports.test_engine import csv_bytes

FILE = csv_bytes("Företagsnamn;Org.nr;Ort", "Bygg AB;556036-0793;Umeå", "Måleri HB;;Luleå")


def test_undo_removes_created_and_restores_updated_companies(session, clock, broker):
    imported(
        session,
        clock,
        broker,
        csv_bytes("Företagsnamn;Ort", "Måleri HB;Umeå"),
        "a.csv",
        "companies",
    )
    job = imported(session, clock, broker, FILE, "b.csv", "companies", duplicate_policy="update")
    assert (job.created_count, job.updated_count) == (1, 1)
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert job.status == ImportStatus.undone
    stored = session.exec(select(Company)).all()
    assert [(c.name, c.city, c.org_number) for c in stored] == [("Måleri HB", "Umeå", None)]


def test_undo_refuses_after_an_edit_and_names_the_record(session, clock, broker):
    job = imported(session, clock, broker, FILE, "b.csv", "companies")
    company = session.exec(select(Company).where(Company.name == "Måleri HB")).one()
    form = companies.CompanyForm.from_company(company, [])
    form.city = "Kiruna"
    companies.update(company, form, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Måleri HB"]
    assert len(session.exec(select(Company)).all()) == 2
