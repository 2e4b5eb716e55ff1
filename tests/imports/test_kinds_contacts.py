"""Importing contact persons: linked to their company by org.nr, else by name; unknown
companies created or refused; duplicates (same company and name, or same e-mail) by policy;
undo."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.companies.models import Company
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.imports import engine, undo
from app.imports.rows import Action
from tests.factories import make_company
from tests.imports.conftest import analysed, imported, sample
from tests.imports.test_engine import csv_bytes

SHEET = "foretagskontakter_2019.csv"


def test_the_2019_sheet_imports_its_contact_persons_onto_its_companies(session, clock, broker):
    # The company import adds each row's contact person (name and title; "Telefon" and
    # "E-post" it takes as the company's own). The contact import of the same sheet then
    # finds them, and with "update" gives them the phone and e-mail.
    companies_job = imported(session, clock, broker, sample(SHEET), SHEET, "companies")
    people = session.exec(select(Contact)).all()
    assert len(people) == 115 and all(person.phone is None for person in people)
    job = imported(
        session, clock, broker, sample(SHEET), SHEET, "contacts", duplicate_policy="update"
    )
    assert job.error is None
    # 123 rows: 5 with a wrong check digit in the org.nr fail, 2 repeat a company and its
    # contact person (the same row twice, the name in capitals): skipped. The company
    # import skipped a third repeat, Hultman Kök with Persson & Larsson's org.nr, with its
    # contact person; the contact import links that person by the org.nr.
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (
        1,
        115,
        2,
        5,
    )
    assert companies_job.failed_count == 5
    contact = session.exec(select(Contact).where(Contact.name == "Charles Wennberg")).one()
    company = session.get(Company, contact.company_id)
    assert company.name == "Smidepartner i Vellinge AB"
    assert contact.phone == "0715471305"  # the leading zero kept


def test_unknown_companies_are_refused_or_created(session, clock, broker):
    data = csv_bytes("Företag;Org.nr;Kontaktperson;E-post", "Ny Firma AB;;Eva Ek;eva@ny.se")
    refused = analysed(session, clock, broker, data, "k.csv", "contacts")
    (row,) = engine.preview(refused, user=broker, session=session, clock=clock).rows
    assert row.action == Action.fail
    assert row.problems[0].column == "Företag"
    assert row.problems[0].message == "Företaget ”%(name)s” finns inte i registret."
    job = imported(session, clock, broker, data, "k.csv", "contacts", company_policy="create")
    assert (job.created_count, job.failed_count) == (1, 0)
    contact = session.exec(select(Contact)).one()
    assert session.get(Company, contact.company_id).name == "Ny Firma AB"


def test_preview_problems_per_column_in_swedish(session, clock, broker):
    make_company(session, clock, name="Bygg AB", org_number="556036-0793")
    data = csv_bytes(
        "Företag;Org.nr;Kontaktperson;E-post;Telefon",
        "Bygg AB;556036-0793;;inte-en-adress;abc",
        "Bygg AB;556036-0794;Eva Ek;;",
        "Byggare AB;5560360793;Per Ek;;",
    )
    job = analysed(session, clock, broker, data, "k.csv", "contacts")
    first, second, third = engine.preview(job, user=broker, session=session, clock=clock).rows
    columns = {problem.column for problem in first.problems}
    assert {"Kontaktperson", "E-post", "Telefon"} <= columns
    assert "Ange kontaktpersonens namn." in {p.message for p in first.problems}
    assert second.action == Action.fail and second.problems[0].column == "Org.nr"
    # Found by org.nr, whatever the name says.
    assert third.action == Action.create and third.values["company"] == "Byggare AB"


@pytest.mark.parametrize(
    ("policy", "counts", "stored"),
    [
        ("skip", (0, 0, 3), {"Eva Ek": "Chef", "Per Ek": None}),
        ("update", (0, 2, 1), {"Eva Ek": "Rekryterare", "Per Eriksson Ek": "Säljare"}),
        ("create", (3, 0, 0), None),
    ],
)
def test_duplicates_by_name_at_the_company_or_by_e_mail(
    session, clock, broker, policy, counts, stored
):
    company = make_company(session, clock, name="Bygg AB", org_number="556036-0793")
    for name, title, email in (("Eva Ek", "Chef", ""), ("Per Ek", "", "per@bygg.se")):
        form = contacts.ContactForm(name=name, title=title, email=email)
        contacts.create(company, form, user=broker, session=session, clock=clock)
    session.commit()
    data = csv_bytes(
        "Företag;Kontaktperson;Titel;E-post",
        "BYGG AKTIEBOLAG;eva ek;Rekryterare;",  # same name at the same company
        "Bygg AB;Per Eriksson Ek;Säljare;PER@bygg.se",  # same e-mail
        "Bygg AB;Eva Ek;Rekryterare;",  # a repeat of the first row
    )
    job = imported(session, clock, broker, data, "k.csv", "contacts", duplicate_policy=policy)
    assert (job.created_count, job.updated_count, job.skipped_count) == counts
    found = session.exec(select(Contact).order_by(Contact.id)).all()
    if stored is None:
        assert len(found) == 5
    else:
        assert {c.name: c.title for c in found} == stored


def test_undo_removes_created_contacts_restores_updated_and_refuses_after_an_edit(
    session, clock, broker
):
    company = make_company(session, clock, name="Bygg AB")
    contacts.create(
        company,
        contacts.ContactForm(name="Eva Ek", title="Chef"),
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()
    data = csv_bytes("Företag;Kontaktperson;Titel", "Bygg AB;Eva Ek;VD", "Bygg AB;Per Ek;Säljare")
    job = imported(session, clock, broker, data, "k.csv", "contacts", duplicate_policy="update")
    assert (job.created_count, job.updated_count) == (1, 1)
    per = session.exec(select(Contact).where(Contact.name == "Per Ek")).one()
    form = contacts.ContactForm.from_contact(per)
    form.title = "Försäljningschef"
    contacts.update(per, form, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Per Ek"]
    session.rollback()
    form = contacts.ContactForm.from_contact(per)
    form.title = "Säljare"
    contacts.update(per, form, user=broker, session=session, clock=clock)
    session.commit()
    # Changed back: still not the version the import left, so still refused.
    with pytest.raises(undo.ChangedSince):
        undo.undo(job, user=broker, session=session, clock=clock)
    session.rollback()
    contacts.delete(per, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == [f"#{per.id}"]


def test_undo_of_a_contact_import(session, clock, broker):
    company = make_company(session, clock, name="Bygg AB")
    contacts.create(
        company,
        contacts.ContactForm(name="Eva Ek", title="Chef"),
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()
    data = csv_bytes("Företag;Kontaktperson;Titel", "Bygg AB;Eva Ek;VD", "Ny AB;Per Ek;Säljare")
    job = imported(
        session,
        clock,
        broker,
        data,
        "k.csv",
        "contacts",
        duplicate_policy="update",
        company_policy="create",
    )
    assert (job.created_count, job.updated_count) == (1, 1)
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert [(c.name, c.title) for c in session.exec(select(Contact)).all()] == [("Eva Ek", "Chef")]
    assert [c.name for c in session.exec(select(Company)).all()] == ["Bygg AB"]


def _people(session):
    """Every contact person as (name, title, primary), in the order they were added."""
    session.expire_all()
    found = session.exec(select(Contact).order_by(Contact.id)).all()
    return [(c.name, c.title, c.is_primary) for c in found]


def _add(session, clock, broker, company, name, *, title="", primary=False):
    form = contacts.ContactForm(name=name, title=title, is_primary=primary)
    contact = contacts.create(company, form, user=broker, session=session, clock=clock)
    session.commit()
    return contact


@pytest.mark.parametrize(
    ("rows", "imported_state"),
    [
        # A new contact marked primary: the company's primary contact loses the mark.
        (
            ["Bygg AB;Per Ek;Säljare;ja"],
            [("Eva Ek", "Chef", False), ("Bo Ek", None, False), ("Per Ek", "Säljare", True)],
        ),
        # A contact already there, marked primary by the import.
        (
            ["Bygg AB;Bo Ek;Säljare;ja"],
            [("Eva Ek", "Chef", False), ("Bo Ek", "Säljare", True)],
        ),
        # Two rows marked primary: the second takes the mark from the first, a new contact.
        (
            ["Bygg AB;Per Ek;Säljare;ja", "Bygg AB;Bo Ek;;ja"],
            [("Eva Ek", "Chef", False), ("Bo Ek", None, True), ("Per Ek", "Säljare", False)],
        ),
    ],
)
def test_undo_gives_the_primary_mark_back_to_the_contact_the_import_took_it_from(
    session, clock, broker, rows, imported_state
):
    company = make_company(session, clock, name="Bygg AB")
    _add(session, clock, broker, company, "Eva Ek", title="Chef", primary=True)
    _add(session, clock, broker, company, "Bo Ek")
    data = csv_bytes("Företag;Kontaktperson;Titel;Huvudkontakt", *rows)
    job = imported(session, clock, broker, data, "k.csv", "contacts", duplicate_policy="update")
    assert job.failed_count == 0
    assert _people(session) == imported_state
    assert undo.changed_since(job, session=session) == []
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert _people(session) == [("Eva Ek", "Chef", True), ("Bo Ek", None, False)]


def test_undo_refuses_when_the_contact_that_lost_the_primary_mark_changed_since(
    session, clock, broker
):
    company = make_company(session, clock, name="Bygg AB")
    eva = _add(session, clock, broker, company, "Eva Ek", title="Chef", primary=True)
    data = csv_bytes("Företag;Kontaktperson;Huvudkontakt", "Bygg AB;Per Ek;ja")
    job = imported(session, clock, broker, data, "k.csv", "contacts")
    form = contacts.ContactForm.from_contact(eva)
    form.title = "VD"
    contacts.update(eva, form, user=broker, session=session, clock=clock)
    session.commit()
    assert undo.changed_since(job, session=session) == ["Eva Ek"]
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Eva Ek"]
    session.rollback()
    assert _people(session) == [("Eva Ek", "VD", False), ("Per Ek", None, True)]


def test_undo_refuses_to_take_the_primary_mark_from_a_contact_given_it_since(
    session, clock, broker
):
    # The import unmarks Eva; a colleague then marks Bo, which leaves Eva as she was. Undo
    # would give Eva her mark back and so take Bo's: a change made since, so it refuses.
    company = make_company(session, clock, name="Bygg AB")
    _add(session, clock, broker, company, "Eva Ek", primary=True)
    bo = _add(session, clock, broker, company, "Bo Ek")
    data = csv_bytes("Företag;Kontaktperson;Huvudkontakt", "Bygg AB;Eva Ek;nej")
    job = imported(session, clock, broker, data, "k.csv", "contacts", duplicate_policy="update")
    assert _people(session) == [("Eva Ek", None, False), ("Bo Ek", None, False)]
    form = contacts.ContactForm.from_contact(bo)
    form.is_primary = True
    contacts.update(bo, form, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Bo Ek"]
    session.rollback()
    assert _people(session) == [("Eva Ek", None, False), ("Bo Ek", None, True)]
    # Without Bo's mark the undo goes through and Eva has hers again.
    form = contacts.ContactForm.from_contact(bo)
    form.is_primary = False
    contacts.update(bo, form, user=broker, session=session, clock=clock)
    session.commit()
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert _people(session) == [("Eva Ek", None, True), ("Bo Ek", None, False)]
