"""A sheet's "Avsiktsförklaring" columns become letter-of-intent agreements of the
companies, in the bulk path (new companies) and one by one (a company the register has),
and undoing the import takes them away with what it wrote."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.agreements.models import Agreement, AgreementKind, AgreementState
from app.companies.models import AgreementStatus, Company
from app.history.models import AuditEvent
from app.imports import undo
from app.imports.models import ImportStatus
from app.imports.options import DuplicatePolicy
from tests.factories import make_company
from tests.imports.conftest import imported
from tests.imports.test_engine import csv_bytes

HEADER = "Företagsnamn;Ort;Avsiktsförklaring;Datum avsiktsförklaring"


def agreements_of(session, name):
    company = session.exec(select(Company).where(Company.name == name)).one()
    found = session.exec(
        select(Agreement).where(Agreement.company_id == company.id).order_by(Agreement.id)
    ).all()
    return company, [(a.kind, a.state, a.sent_on, a.signed_on) for a in found]


def test_new_companies_get_their_letters_of_intent_in_bulk(session, clock, broker):
    data = csv_bytes(
        HEADER,
        "Alfa Bygg AB;Lund;Undertecknad;2026-01-15",
        "Beta Lager AB;Malmö;Skickad;2026-02-01",
        "Gamma Kök AB;Ystad;Nej;",
    )
    job = imported(session, clock, broker, data, "loi.csv", "companies")
    assert (job.status, job.created_count) == (ImportStatus.done, 3)

    alfa, found = agreements_of(session, "Alfa Bygg AB")
    assert found == [
        (AgreementKind.letter_of_intent, AgreementState.signed, None, dt.date(2026, 1, 15))
    ]
    assert (alfa.agreement_status, alfa.agreement_date) == (
        AgreementStatus.signed,
        dt.date(2026, 1, 15),
    )
    beta, found = agreements_of(session, "Beta Lager AB")
    assert found == [
        (AgreementKind.letter_of_intent, AgreementState.sent, dt.date(2026, 2, 1), None)
    ]
    assert beta.agreement_status == AgreementStatus.sent
    gamma, found = agreements_of(session, "Gamma Kök AB")
    assert (found, gamma.agreement_status) == ([], AgreementStatus.none)
    # Each agreement has its history, on its company's page too.
    events = session.exec(select(AuditEvent).where(AuditEvent.entity == "agreement")).all()
    assert sorted((e.action, e.company_id) for e in events) == sorted(
        [("create", alfa.id), ("create", beta.id)]
    )

    undone = undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert undone.status == ImportStatus.undone
    assert session.exec(select(Agreement)).all() == []


def test_a_company_the_register_has_gets_a_new_letter_once(session, clock, broker):
    company = make_company(session, clock, user=broker, name="Delta Verkstad AB", city="Lund")
    session.commit()
    data = csv_bytes(HEADER, "Delta Verkstad AB;Lund;Undertecknad;2026-01-20")

    job = imported(
        session, clock, broker, data, "delta.csv", "companies",
        duplicate_policy=DuplicatePolicy.update,
    )  # fmt: skip
    assert job.status == ImportStatus.done
    session.refresh(company)
    _, found = agreements_of(session, "Delta Verkstad AB")
    assert found == [
        (AgreementKind.letter_of_intent, AgreementState.signed, None, dt.date(2026, 1, 20))
    ]
    assert (company.agreement_status, company.agreement_date) == (
        AgreementStatus.signed,
        dt.date(2026, 1, 20),
    )

    # The same sheet again says what the company's summary says already: nothing new.
    imported(
        session, clock, broker, data, "delta-igen.csv", "companies",
        duplicate_policy=DuplicatePolicy.update,
    )  # fmt: skip
    assert len(agreements_of(session, "Delta Verkstad AB")[1]) == 1


def test_undo_takes_the_letter_from_a_company_the_register_had(session, clock, broker):
    company = make_company(session, clock, user=broker, name="Epsilon Hotell AB", city="Lund")
    session.commit()
    data = csv_bytes(HEADER, "Epsilon Hotell AB;Lund;Skickad;2026-02-10")
    job = imported(
        session, clock, broker, data, "epsilon.csv", "companies",
        duplicate_policy=DuplicatePolicy.update,
    )  # fmt: skip
    assert job.updated_count == 1
    session.refresh(company)
    assert company.agreement_status == AgreementStatus.sent

    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    session.refresh(company)
    assert agreements_of(session, "Epsilon Hotell AB")[1] == []
    assert (company.agreement_status, company.agreement_date) == (AgreementStatus.none, None)


def test_undo_refuses_when_a_colleague_added_an_agreement_since(session, clock, broker):
    data = csv_bytes(HEADER, "Zeta Städ AB;Lund;Nej;")
    job = imported(session, clock, broker, data, "zeta.csv", "companies")
    company = session.exec(select(Company).where(Company.name == "Zeta Städ AB")).one()
    agreements.create(
        company,
        AgreementForm(kind="cooperation", state="draft"),
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()
    with pytest.raises(undo.ChangedSince):
        undo.undo(job, user=broker, session=session, clock=clock)
