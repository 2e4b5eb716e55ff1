"""Importing agreements: a sheet's headers and words (Swedish and English, "LOI",
"samverkan", "undertecknad"), each row through the agreement service and its rules, the
company found or refused, signatories among the company's contacts (created when
missing), the agreement export read back, duplicates and undo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.agreements import service as agreements
from app.agreements.listing import AgreementFilters
from app.agreements.models import Agreement, AgreementSignatory
from app.assignments.models import Assignment
from app.companies.models import AgreementStatus, Company
from app.contacts.models import Contact
from app.exports import service as exports
from app.exports.csv_format import csv_file
from app.imports import engine, mapping, undo
from app.imports.rows import Action
from tests.agreements.factories import make_agreement
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import make_company
from tests.imports.conftest import analysed, imported
from tests.imports.test_engine import csv_bytes

D = dt.date


@pytest.fixture
def register(session, clock, broker):
    """Bygg AB (by org.nr) with Eva Berg and an assignment for a carpenter; Måleri HB."""
    bygg = make_company(session, clock, user=broker, name="Bygg AB", org_number="556036-0793")
    make_contact(session, clock, bygg, broker, name="Eva Berg")
    make_assignment(session, clock, bygg, broker, occupation="Snickare")
    make_company(session, clock, user=broker, name="Måleri HB")
    return bygg


def stored(session) -> list[tuple]:
    session.expire_all()
    rows = session.exec(select(Agreement, Company.name).join(Company).order_by(Agreement.id)).all()
    return [
        (
            name,
            a.kind.value,
            a.state.value,
            a.sent_on,
            a.signed_on,
            a.valid_from,
            a.valid_to,
            sorted(
                session.exec(
                    select(Contact.name)
                    .join(AgreementSignatory)
                    .where(AgreementSignatory.agreement_id == a.id)
                ).all()
            ),
            a.notes,
        )
        for a, name in rows
    ]


SWEDISH = csv_bytes(
    "Företag;Org.nr;Avtal;Status;Skickat;Undertecknat;Giltigt från;Giltigt till;"
    "Undertecknare hos företaget;Undertecknat för enheten av;Uppdrag;Anteckningar",
    ";556036-0793;LOI;undertecknad;2026-01-10;2026-01-20;2026-02-01;2027-01-31;"
    "eva berg;Anna Andersson;snickare;Ring Eva",
    "Måleri HB;;samverkan;skickad;2026-02-15;;;;;;;",
    "måleri hb;;Praktik;utkast;;;;;;;;",
    "Bygg AB;;Rekrytering;upphört;;2025-01-10;2025-01-10;2025-12-31;;;;",
)


def test_a_swedish_sheet_is_mapped_and_imported(session, clock, broker, register):
    job = analysed(session, clock, broker, SWEDISH, "avtal.csv", "agreements")
    assert engine.options_of(job).columns == [
        "company",
        "company_org_number",
        "kind",
        "state",
        "sent_on",
        "signed_on",
        "valid_from",
        "valid_to",
        "signatories",
        "unit_signatory",
        "assignment",
        "notes",
    ]
    assert engine.options_of(job).people == {"Anna Andersson": str(broker.id)}
    job = imported(session, clock, broker, SWEDISH, "avtal.csv", "agreements")
    assert (job.created_count, job.skipped_count, job.failed_count) == (4, 0, 0)
    assert stored(session) == [
        (
            "Bygg AB",
            "letter_of_intent",
            "signed",
            D(2026, 1, 10),
            D(2026, 1, 20),
            D(2026, 2, 1),
            D(2027, 1, 31),
            ["Eva Berg"],
            "Ring Eva",
        ),
        ("Måleri HB", "cooperation", "sent", D(2026, 2, 15), None, None, None, [], ""),
        ("Måleri HB", "internship", "draft", None, None, None, None, [], ""),
        (
            "Bygg AB",
            "recruitment",
            "ended",
            None,
            D(2025, 1, 10),
            D(2025, 1, 10),
            D(2025, 12, 31),
            [],
            "",
        ),
    ]
    first = session.exec(select(Agreement).order_by(Agreement.id)).first()
    assert first.unit_signatory_id == broker.id
    assert first.created_by_id == broker.id
    view = agreements.views([first], session=session, clock=clock)[0]
    assert view.assignment == "Snickare"
    # The company's letter-of-intent summary follows its imported letter of intent.
    session.refresh(register)
    assert (register.agreement_status, register.agreement_date) == (
        AgreementStatus.signed,
        D(2026, 1, 20),
    )


def test_an_english_sheet_and_a_status_left_out(session, clock, broker, register):
    data = csv_bytes(
        "Company;Organisation number;Agreement type;Sent;Signed;Valid until;Signed by;Notes",
        "Bygg AB;;Letter of intent;2026-02-01;2026-02-10;2026-12-31;Eva Berg;",
        "Bygg AB;;Cooperation;2026-02-20;;;;Awaiting signature",
        "Bygg AB;;avsiktsförklaring;;;;;",
    )
    job = analysed(session, clock, broker, data, "agreements.csv", "agreements")
    assert engine.options_of(job).columns == [
        "company",
        "company_org_number",
        "kind",
        "sent_on",
        "signed_on",
        "valid_to",
        "signatories",
        "notes",
    ]
    job = imported(session, clock, broker, data, "agreements.csv", "agreements")
    assert job.created_count == 3
    # Without a status: signed when it has a signing day, sent when it was sent, else a draft.
    assert [(kind, state) for _n, kind, state, *_rest in stored(session)] == [
        ("letter_of_intent", "signed"),
        ("cooperation", "sent"),
        ("letter_of_intent", "draft"),
    ]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("LOI", "letter_of_intent"),
        ("Avsiktsförklaring", "letter_of_intent"),
        ("samverkan", "cooperation"),
        ("Samarbetsavtal", "cooperation"),
        ("praktikavtal", "internship"),
        ("Recruitment agreement", "recruitment"),
        ("övrigt", "other"),
    ],
)
def test_the_sheets_words_for_kinds(raw: str, value: str) -> None:
    assert mapping.propose_value("agreements", "kind", raw) == value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("undertecknad", "signed"),
        ("Signerat", "signed"),
        ("signed", "signed"),
        ("skickad", "sent"),
        ("Skickat", "sent"),
        ("utkast", "draft"),
        ("Draft", "draft"),
        ("upphört", "ended"),
        ("Utgånget", "ended"),
        ("expired", "ended"),
    ],
)
def test_the_sheets_words_for_statuses(raw: str, value: str) -> None:
    assert mapping.propose_value("agreements", "state", raw) == value


def test_unknown_companies_refused_or_created(session, clock, broker, register):
    data = csv_bytes("Företag;Avtal;Status", "Okänt AB;LOI;Utkast", ";LOI;Utkast")
    job = analysed(session, clock, broker, data, "a.csv", "agreements")
    rows = engine.preview(job, user=broker, session=session, clock=clock).rows
    assert [row.action for row in rows] == [Action.fail, Action.fail]
    assert [(p.column, p.message, p.variables) for p in rows[0].problems] == [
        ("Företag", "Företaget ”%(name)s” finns inte i registret.", {"name": "Okänt AB"})
    ]
    assert rows[1].problems[0].message == "Ange företagets namn eller organisationsnummer."
    job = imported(session, clock, broker, data, "a.csv", "agreements", company_policy="create")
    assert (job.created_count, job.failed_count) == (1, 1)
    assert [name for name, *_rest in stored(session)] == ["Okänt AB"]


def test_preview_shows_the_services_problems_per_row_and_column(session, clock, broker, register):
    data = csv_bytes(
        "Företag;Avtal;Status;Skickat;Undertecknat;Giltigt från;Giltigt till;Uppdrag",
        "Bygg AB;LOI;Undertecknat;;31/2/2026;;;",
        "Bygg AB;LOI;Undertecknat;;;;;",
        "Bygg AB;LOI;Skickat;2026-05-01;;;;",
        "Bygg AB;LOI;Utkast;;;2026-06-01;2026-05-01;",
        "Bygg AB;Hyresavtal;Utkast;;;;;",
        "Bygg AB;LOI;Utkast;;;;;Målare",
        "Bygg AB;LOI;Undertecknat;;2026-02-27;;;snickare",
    )
    job = analysed(session, clock, broker, data, "a.csv", "agreements")
    rows = engine.preview(job, user=broker, session=session, clock=clock).rows
    problems = [[(p.column, p.message) for p in row.problems] for row in rows]
    # A date that cannot be read says so once (not also "needs the day it was signed").
    assert [(p.column, p.message, p.variables) for p in rows[0].problems] == [
        ("Undertecknat", "Datumet finns inte: %(value)s", {"value": "31/2/2026"})
    ]
    assert problems[1:6] == [
        [("Undertecknat", "Ange när avtalet undertecknades.")],
        [("Skickat", "%(field)s kan inte vara ett datum framåt i tiden.")],
        [("Giltigt till", "Giltigt till kan inte vara före Giltigt från.")],
        [("Avtal", "Okänt värde ”%(value)s”: välj vad det motsvarar i Matcha.")],
        [("Uppdrag", "Företaget har inget uppdrag ”%(name)s”.")],
    ]
    assert [row.action for row in rows] == [Action.fail] * 6 + [Action.create]
    assert rows[6].values["signed_on"] == "2026-02-27"
    job = imported(session, clock, broker, data, "a.csv", "agreements")
    assert (job.created_count, job.failed_count) == (1, 6)
    failures = engine.failures(job, session=session)
    assert [f.row_number for f in failures] == [2, 3, 4, 5, 6, 7]


def test_a_signatory_who_is_not_a_contact_is_created_and_undone(session, clock, broker, register):
    data = csv_bytes(
        "Företag;Avtal;Status;Undertecknat;Undertecknare",
        "Bygg AB;LOI;Undertecknat;2026-02-01;Eva Berg, Olle Ny",
        "Bygg AB;Samverkan;Undertecknat;2026-02-02;olle ny",
    )
    job = analysed(session, clock, broker, data, "a.csv", "agreements")
    rows = engine.preview(job, user=broker, session=session, clock=clock).rows
    # Said once, on the first row that names the new person.
    assert [[(n.column, n.message, n.variables) for n in row.notes] for row in rows] == [
        [("Undertecknare", "Kontaktpersonen ”%(name)s” skapas.", {"name": "Olle Ny"})],
        [],
    ]
    assert rows[0].values["signatories"] == "Eva Berg, Olle Ny"
    contacts_before = session.exec(select(Contact.name)).all()
    job = imported(session, clock, broker, data, "a.csv", "agreements")
    assert job.created_count == 2
    assert [signers for *_rest, signers, _notes in stored(session)] == [
        ["Eva Berg", "Olle Ny"],
        ["Olle Ny"],
    ]
    olle = session.exec(select(Contact).where(Contact.name == "Olle Ny")).one()
    assert olle.company_id == register.id

    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert stored(session) == []
    assert session.exec(select(Contact.name)).all() == contacts_before


def test_a_second_import_skips_what_is_there_unless_asked_to_create(
    session, clock, broker, register
):
    make_agreement(
        session, clock, register, broker, kind="cooperation", state="sent", sent_on="2026-02-15"
    )
    data = csv_bytes(
        "Företag;Avtal;Status;Skickat",
        "Bygg AB;Samverkan;Skickat;2026-02-15",
        "Bygg AB;Praktik;Utkast;",
        "Bygg AB;Praktik;Utkast;",
    )
    job = imported(session, clock, broker, data, "a.csv", "agreements")
    assert (job.created_count, job.skipped_count) == (1, 2)
    again = imported(session, clock, broker, data, "a.csv", "agreements", duplicate_policy="create")
    assert (again.created_count, again.skipped_count) == (3, 0)


def test_undo_removes_the_agreements_and_refuses_after_a_change(session, clock, broker, register):
    job = imported(session, clock, broker, SWEDISH, "avtal.csv", "agreements")
    session.refresh(register)
    assert register.agreement_status == AgreementStatus.signed
    changed = session.exec(select(Agreement).where(Agreement.kind == "cooperation")).one()
    form = agreements.AgreementForm.from_agreement(
        changed, agreements.signatory_ids(changed.id, session=session)
    )
    form.notes = "Ändrad"
    agreements.update(changed, form, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Samverkansavtal (Måleri HB)"]
    session.rollback()

    agreements.delete(changed, user=broker, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == [f"#{changed.id}"]
    session.rollback()

    again = imported(session, clock, broker, SWEDISH, "avtal.csv", "agreements")
    assert (again.created_count, again.skipped_count) == (1, 3)
    undo.undo(again, user=broker, session=session, clock=clock)
    session.commit()
    assert [kind for _n, kind, *_rest in stored(session)] == [
        "letter_of_intent",
        "internship",
        "recruitment",
    ]


def test_undo_refuses_when_an_imported_contact_has_signed_since(session, clock, broker, register):
    data = csv_bytes("Företag;Avtal;Undertecknare", "Bygg AB;LOI;Olle Ny")
    job = imported(session, clock, broker, data, "a.csv", "agreements")
    olle = session.exec(select(Contact).where(Contact.name == "Olle Ny")).one()
    make_agreement(session, clock, register, broker, signatory_ids=[str(olle.id)])
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Olle Ny"]


def test_undo_gives_the_company_its_summary_back(session, clock, broker, register):
    data = csv_bytes("Org.nr;Avtal;Status;Undertecknat", "556036-0793;LOI;Undertecknat;2026-02-01")
    job = imported(session, clock, broker, data, "a.csv", "agreements")
    session.refresh(register)
    assert register.agreement_status == AgreementStatus.signed
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    session.refresh(register)
    assert (register.agreement_status, register.agreement_date, register.version) == (
        AgreementStatus.none,
        None,
        1,
    )


def test_the_agreement_export_reads_back(session, clock, broker, register):
    eva = session.exec(select(Contact).where(Contact.name == "Eva Berg")).one()
    adam = make_contact(session, clock, register, broker, name="Adam Ek")
    carpenter = session.exec(select(Assignment)).one()
    make_agreement(
        session,
        clock,
        register,
        broker,
        kind="recruitment",
        state="signed",
        sent_on="2026-01-05",
        signed_on="2026-01-15",
        valid_from="2026-02-01",
        valid_to="2026-12-31",
        signatory_ids=[str(eva.id), str(adam.id)],
        unit_signatory_id=str(broker.id),
        assignment_id=str(carpenter.id),
        notes="=Ring Eva; sedan Adam",
    )
    exported = b"".join(
        csv_file(
            exports.agreement_table(AgreementFilters(), user=broker, session=session, clock=clock)
        )
    )
    before = stored(session)
    for agreement in session.exec(select(Agreement)).all():
        agreements.delete(agreement, user=broker, session=session, clock=clock)
    session.commit()

    job = analysed(session, clock, broker, exported, "avtal.csv", "agreements")
    columns = engine.options_of(job).columns
    # Kommun and Ansvarig are the company's: not the agreement's.
    assert columns == [
        "company",
        "company_org_number",
        None,
        None,
        "kind",
        "state",
        "sent_on",
        "signed_on",
        "valid_from",
        "valid_to",
        "signatories",
        "unit_signatory",
        "assignment",
        "notes",
    ]
    job = imported(session, clock, broker, exported, "avtal.csv", "agreements")
    assert (job.created_count, job.failed_count) == (1, 0)
    assert stored(session) == before
    (again,) = session.exec(select(Agreement)).all()
    assert again.unit_signatory_id == broker.id
    assert again.assignment_id == carpenter.id
