"""New companies are written in bulk (a batch in a few statements): stored as the company
service stores them one by one, a row whose org.nr a colleague took meanwhile fails alone,
and validating a big file leaves the database free for colleagues' saves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import Session, select

from app.cli import migrate
from app.companies import service as companies
from app.companies.models import Company, CompanyStatus
from app.companies.orgnr import luhn_ok
from app.db import make_engine, next_ids, swedish_key
from app.history.models import AuditEvent
from app.imports import engine as imports
from app.imports import jobs, undo
from app.imports.kinds.companies import CompanyKind
from app.imports.models import ImportStatus
from app.text import company_name_key
from tests.factories import make_company, make_user
from tests.imports.conftest import analysed, imported
from tests.imports.test_engine import csv_bytes


def org_number(start: str) -> str:
    """A valid org.nr beginning with these nine digits (the tenth is the check digit)."""
    digit = next(d for d in "0123456789" if luhn_ok(start + d))
    return f"{start[:6]}-{start[6:]}{digit}"


def test_a_company_written_in_bulk_is_stored_as_the_service_stores_one(session, clock, broker):
    number = org_number("556677889")
    data = csv_bytes(
        "Företagsnamn;Org.nr;Ort;Kommun;Taggar;Ansvarig;Status",
        f"Ängelholms Bygg & Måleri AB;{number};Ängelholm;Ängelholm;bygg, Lager;"
        f"{broker.full_name};Aktiv kund",
    )
    job = imported(session, clock, broker, data, "bulk.csv", "companies")
    assert (job.status, job.created_count) == (ImportStatus.done, 1)

    company = session.exec(select(Company).where(Company.org_number == number)).one()
    name = "Ängelholms Bygg & Måleri AB"
    assert (company.name, company.city, company.municipality) == (name, "Ängelholm", "Ängelholm")
    assert (company.owner_id, company.status, company.version) == (
        broker.id,
        CompanyStatus.active,
        1,
    )
    # What the service derives: the duplicate key, the sort key, the search text.
    assert company.name_key == company_name_key(name)
    assert company.sort_key == swedish_key(name)
    found = companies.list_(
        companies.CompanyFilters(q="måleri"), user=broker, session=session, clock=clock
    )
    assert [row.company.id for row in found.rows] == [company.id]
    assert companies.tag_names(company.id, session=session) == ["bygg", "Lager"]

    created = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "company", AuditEvent.entity_id == company.id)
    ).one()
    assert (created.action, created.user_id, created.version) == ("create", broker.id, 1)
    assert created.changes["name"] == [None, name]
    assert created.changes["org_number"] == [None, number]
    assert created.changes["owner"] == [None, broker.full_name]
    assert created.changes["tags"] == [None, "bygg, Lager"]
    assert created.changes["status"] == [None, "active"]
    assert "website" not in created.changes  # empty fields are no change

    # Undo knows it, as it knows a company created one by one.
    assert [(r.entity, r.entity_id) for r in imports.records(job, session=session)] == [
        ("company", company.id)
    ]
    company_id = company.id
    before = make_company(session, clock, user=broker, name="Befintliga AB", tags="Lager")
    undo.revert(job, session=session, clock=clock)
    assert session.get(Company, company_id) is None
    # The tag only the import's company had goes with it; one another company has stays.
    assert [tag.name for tag in companies.all_tags(session=session)] == ["Lager"]
    assert companies.tag_names(before.id, session=session) == ["Lager"]


def test_a_row_whose_org_number_a_colleague_took_meanwhile_fails_alone(session, clock, broker):
    numbers = [org_number(f"55600000{n}") for n in range(4)]
    rows = [f"Företag {n} AB;{number}" for n, number in enumerate(numbers)]
    job = analysed(
        session, clock, broker, csv_bytes("Företagsnamn;Org.nr", *rows), "m.csv", "companies"
    )
    imports.queue(job, session=session)
    session.commit()
    colleague = make_user(session, clock, role="broker")

    def a_colleague_saves_the_last_one(running):
        if running.rows_done == 2:
            make_company(session, clock, user=colleague, name="Kollegans AB", org_number=numbers[3])

    job = jobs.run(
        job.id, session=session, clock=clock, batch_size=2, on_batch=a_colleague_saves_the_last_one
    )
    assert (job.status, job.created_count, job.failed_count) == (ImportStatus.done, 3, 1)
    [failure] = imports.failures(job, session=session)
    assert failure.row_number == 5
    assert (
        failure.problems[0]["message"]
        == companies.DuplicateSuspected([], same_org_number=True).message
    )
    names = session.exec(select(Company.name).order_by(Company.org_number)).all()
    assert names == ["Företag 0 AB", "Företag 1 AB", "Företag 2 AB", "Kollegans AB"]


def test_new_ids_are_never_ones_taken_before(session, clock, broker):
    first = make_company(session, clock, user=broker, name="Första AB")
    last = make_company(session, clock, user=broker, name="Sista AB")
    session.execute(delete(Company).where(Company.id == last.id))  # type: ignore[arg-type]
    ids = next_ids(session, "company", 3)
    assert len(set(ids)) == 3
    assert min(ids) > last.id > first.id  # a deleted company's id is not handed out again


def test_validating_a_file_leaves_the_database_free_for_colleagues(
    engine, tmp_path: Path, monkeypatch
):
    """On SQLite, one connection writes at a time. While a job validates its rows, which
    takes seconds for a big file, a colleague's save must not wait for it."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer")
    from app.clock import SettableClock
    from tests.conftest import START

    url = f"sqlite:///{tmp_path / 'free.db'}"
    migrate(url)
    db = make_engine(url)
    clock = SettableClock(START)
    with Session(db) as session:
        user = make_user(session, clock, role="broker")
        session.commit()
        rows = [f"Företag {n} AB;Ort {n}" for n in range(5)]
        job = analysed(
            session, clock, user, csv_bytes("Företagsnamn;Ort", *rows), "f.csv", "companies"
        )
        imports.queue(job, session=session)
        session.commit()

        saved = []
        original = CompanyKind.plan

        def a_colleague_saves_while_rows_are_validated(self, raw, row, ctx):
            if not saved:
                # Another connection, as another request; it would give up after 0.2 s.
                colleague = sqlite3.connect(tmp_path / "free.db", timeout=0.2)
                colleague.execute("INSERT INTO tag (name, name_key) VALUES ('kollega', 'kollega')")
                colleague.commit()
                colleague.close()
                saved.append(row.number)
            return original(self, raw, row, ctx)

        monkeypatch.setattr(CompanyKind, "plan", a_colleague_saves_while_rows_are_validated)
        job = jobs.run(job.id, session=session, clock=clock)
        assert saved == [2]
        assert (job.status, job.created_count) == (ImportStatus.done, 5)
    db.dispose()


def test_the_contact_person_on_a_company_row_is_added_to_the_company(session, clock, broker):
    """The 2019 sheet keeps one contact person per company row (Kontaktperson, Titel,
    E-post): each becomes a contact of the company, once, and undo takes them away."""
    from app.contacts.models import Contact
    from tests.imports.conftest import sample

    name = "foretagskontakter_2019.csv"
    job = imported(session, clock, broker, sample(name), name, "companies")
    assert job.status == ImportStatus.done, job.error
    smide = session.exec(select(Company).where(Company.name == "Smidepartner i Vellinge AB")).one()
    [person] = session.exec(select(Contact).where(Contact.company_id == smide.id)).all()
    assert (person.name, person.title) == ("Charles Wennberg", "Enhetschef")
    # "Telefon" and "E-post" alone are proposed as the company's own (the user may map
    # them to the contact person instead).
    assert (person.phone, person.email) == (None, None)
    assert smide.email == "charles.wennberg@smidepartneriv.se"
    people = session.exec(select(Contact.company_id, Contact.name)).all()
    assert len(people) == len(set(people)) >= job.created_count  # one per name and company
    recorded = [r.entity for r in imports.records(job, session=session)]
    assert recorded.count("contact") == len(people)

    # The preview shows the contact person's columns too.
    again = analysed(session, clock, broker, sample(name), name, "companies")
    first = imports.preview(again, user=broker, session=session, clock=clock).rows[0]
    assert first.values["contact_name"] == "Charles Wennberg"

    undo.revert(job, session=session, clock=clock)
    assert session.exec(select(Contact)).all() == []
    assert session.exec(select(Company)).all() == []


def test_a_bad_email_of_the_contact_person_fails_the_row(session, clock, broker):
    from app.contacts.models import Contact

    data = csv_bytes(
        "Företagsnamn;Kontaktperson;Kontaktpersonens e-post",
        "Rätt AB;Rut Rätt;rut@ratt.se",
        "Fel AB;Fia Fel;fia(at)fel",
    )
    job = imported(session, clock, broker, data, "k.csv", "companies")
    assert (job.created_count, job.failed_count) == (1, 1)
    [failure] = imports.failures(job, session=session)
    assert (failure.row_number, failure.problems[0]["column"]) == (3, "Kontaktpersonens e-post")
    assert session.exec(select(Contact.name)).all() == ["Rut Rätt"]


def test_a_contact_person_written_in_bulk_is_stored_as_the_service_stores_one(
    session, clock, broker
):
    """A unit's sheet has a contact person with title, phone and e-mail on every company
    row: they are written with the batch's new companies, in bulk, and must come out as
    the contact service's create() makes one (sort key, search text, history on the
    company's page, undo)."""
    from app.contacts import service as contacts
    from app.contacts.models import Contact

    data = csv_bytes(
        "Företag;Kontaktperson;Titel;Kontakt telefon;Kontakt e-post",
        "Vågbrytaren i Ystad AB;Åsa Öberg;Platschef;070-123 45 67;asa@vagbrytaren.se",
        "Utan Kontakt AB;;;;",
    )
    job = imported(session, clock, broker, data, "enhetens.csv", "companies")
    assert (job.status, job.created_count, job.failed_count) == (ImportStatus.done, 2, 0)
    company = session.exec(select(Company).where(Company.name == "Vågbrytaren i Ystad AB")).one()
    [bulk] = session.exec(select(Contact)).all()
    assert bulk.company_id == company.id

    form = contacts.ContactForm(
        name="Åsa Öberg", title="Platschef", phone="070-123 45 67", email="asa@vagbrytaren.se"
    )
    other = make_company(session, clock, user=broker, name="Jämförelse AB")
    one = contacts.create(other, form, user=broker, session=session, clock=clock)
    session.commit()
    stored = ("name", "title", "phone", "email", "is_primary", "is_supervisor", "notes")
    derived = ("sort_key", "search_text", "version")
    assert [getattr(bulk, n) for n in (*stored, *derived)] == [
        getattr(one, n) for n in (*stored, *derived)
    ]
    # Found by the phone number typed without its spaces, as one added by hand.
    found = contacts.list_(contacts.ContactFilters(q="0701234567"), session=session)
    assert sorted(row.id for row in found.rows) == sorted([bulk.id, one.id])

    def created(contact: Contact) -> AuditEvent:
        return session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "contact", AuditEvent.entity_id == contact.id
            )
        ).one()

    event, by_hand = created(bulk), created(one)
    assert (event.action, event.user_id, event.version, event.company_id) == (
        "create",
        broker.id,
        1,
        company.id,  # so the company page's history lists it
    )
    assert event.changes == by_hand.changes

    assert ("contact", bulk.id) in [
        (r.entity, r.entity_id) for r in imports.records(job, session=session)
    ]
    undo.revert(job, session=session, clock=clock)
    assert session.exec(select(Contact.name)).all() == ["Åsa Öberg"]  # the one by hand
    assert session.get(Contact, bulk.id) is None
