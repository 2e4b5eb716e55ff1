"""Imports and samverkanspartner: a sheet's rows are matched against employers only, so a
row never lands on a partner (by name it makes an employer of its own; by a partner's
org.nr it is refused, saying why); the companies an import makes are employers."""

from sqlmodel import select

from app.companies.models import Company, CompanyKind
from app.contacts.models import Contact
from app.imports import engine
from app.imports.rows import Action
from tests.factories import make_company
from tests.imports.conftest import analysed, imported
from tests.imports.test_engine import csv_bytes

ORG_NUMBER = "556036-0793"


def test_a_company_row_never_updates_a_partner(session, clock, broker):
    partner = make_company(session, clock, name="Lärcentrum Umeå", kind="partner", city="Umeå")
    data = csv_bytes("Företagsnamn;Org.nr;Ort", "Lärcentrum Umeå;;Luleå")
    job = imported(session, clock, broker, data, "a.csv", "companies", duplicate_policy="update")
    assert (job.created_count, job.updated_count) == (1, 0)
    session.refresh(partner)
    assert partner.city == "Umeå"
    made = session.exec(select(Company).where(Company.id != partner.id)).one()
    assert (made.name, made.city, made.kind) == ("Lärcentrum Umeå", "Luleå", CompanyKind.employer)


def test_a_row_with_a_partners_org_number_is_refused(session, clock, broker):
    make_company(session, clock, name="Arbetsförmedlingen", kind="partner", org_number=ORG_NUMBER)
    data = csv_bytes("Företagsnamn;Org.nr", f"AF Umeå;{ORG_NUMBER}")
    job = analysed(session, clock, broker, data, "a.csv", "companies", duplicate_policy="update")
    (row,) = engine.preview(job, user=broker, session=session, clock=clock).rows
    assert row.action == Action.fail
    problem = row.problems[0]
    assert problem.column == "Org.nr" and problem.variables == {"number": ORG_NUMBER}
    assert "tillhör en samverkanspart" in problem.message


def test_a_contact_row_never_lands_on_a_partner(session, clock, broker):
    make_company(session, clock, name="Lärcentrum Umeå", kind="partner")
    make_company(session, clock, name="Arbetsförmedlingen", kind="partner", org_number=ORG_NUMBER)
    data = csv_bytes(
        "Företag;Org.nr;Kontaktperson",
        "Lärcentrum Umeå;;Eva Ek",
        f"Arbetsförmedlingen;{ORG_NUMBER};Per Ek",
    )
    refused = analysed(session, clock, broker, data, "k.csv", "contacts")
    by_name, by_number = engine.preview(refused, user=broker, session=session, clock=clock).rows
    # Not found among the employers: unknown, as the user chose to treat those.
    assert by_name.problems[0].message == "Företaget ”%(name)s” finns inte i registret."
    assert "tillhör en samverkanspart" in by_number.problems[0].message
    job = imported(session, clock, broker, data, "k.csv", "contacts", company_policy="create")
    assert (job.created_count, job.failed_count) == (1, 1)
    contact = session.exec(select(Contact)).one()
    company = session.get(Company, contact.company_id)
    assert (contact.name, company.kind) == ("Eva Ek", CompanyKind.employer)
