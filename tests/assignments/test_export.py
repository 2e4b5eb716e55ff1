"""The assignment list as CSV: the register's format, the list's filters and order, all
pages, formula-safe cells, and counts only."""

from __future__ import annotations

import csv
import io

import pytest

from app.assignments.listing import AssignmentFilters
from app.exports import service as exports
from app.exports.csv_format import Dialect, csv_file, unneutralise
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return [
        [unneutralise(cell) for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), dialect=Dialect)
    ]


@pytest.fixture
def bo(client, session, clock):
    user = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    return user


def test_the_export_has_swedish_headers_and_cells(client, session, clock, bo):
    company = make_company(session, clock, user=bo, name="Åkeri Öst AB", org_number="556036-0793")
    contact = make_contact(session, clock, company, bo, name="Eva Berg")
    make_assignment(
        session,
        clock,
        company,
        bo,
        occupation='=HYPERLINK("x")',
        ssyk_code="8332",
        positions=3,
        employment_type="wage_subsidy",
        workplace="Västerås",
        deadline="2026-04-01",
        owner_id=str(bo.id),
        contact_id=str(contact.id),
        requirements="C-körkort; YKB",
        status="partly_filled",
        filled_count=2,
    )
    response = client.get("/assignments/export.csv?state=all")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="rekryteringsuppdrag-2026-03-02.csv"'
    )
    # Quoted because of its own quotes; neutralised with a leading apostrophe.
    assert response.content.split(b"\r\n")[1].startswith(b'"\'=HYPERLINK(""x"")";')
    header, row = rows_of(response.content)
    assert header == list(exports.ASSIGNMENT_HEADERS)
    values = dict(zip(header, row, strict=True))
    assert values["Yrke"] == '=HYPERLINK("x")'
    assert values["Företag"] == "Åkeri Öst AB"
    assert values["Organisationsnummer"] == "556036-0793"
    assert values["Kontaktperson"] == "Eva Berg"
    assert (values["Antal platser"], values["Antal tillsatta"]) == ("3", "2")
    assert values["Anställningsform"] == "Lönestöd"
    assert values["Status"] == "Delvis tillsatt"
    assert values["Sista dag"] == "2026-04-01"
    assert values["Ansvarig"] == "Bo Ek"
    assert values["Drog in uppdraget"] == "Bo Ek"
    assert values["Kravprofil"] == "C-körkort; YKB"
    assert values["Inlagt"] == "2026-03-02 09:00"
    assert values["Avslutat"] == "2026-03-02 09:00"


def test_the_export_follows_the_lists_filters_and_order_over_all_pages(client, session, clock, bo):
    company = make_company(session, clock, user=bo)
    for number in range(30):
        make_assignment(
            session,
            clock,
            company,
            bo,
            occupation=f"Kock {number:02d}",
            employment_type="internship",
        )
    make_assignment(session, clock, company, bo, occupation="Snickare", source_kind="event")
    make_assignment(session, clock, company, bo, occupation="Bagare", status="cancelled")
    rows = rows_of(client.get("/assignments/export.csv?employment_type=internship").content)
    assert [r[0] for r in rows[1:]] == [f"Kock {n:02d}" for n in range(30)]
    rows = rows_of(client.get("/assignments/export.csv?sort=company&q=snick").content)
    assert [r[0] for r in rows[1:]] == ["Snickare"]
    assert rows[1][exports.ASSIGNMENT_HEADERS.index("Drog in uppdraget")] == "Rekryteringsträff"
    rows = rows_of(client.get("/assignments/export.csv?state=closed").content)
    assert [r[0] for r in rows[1:]] == ["Bagare"]


def test_a_viewer_may_export_and_a_stranger_may_not(client, session, clock, bo):
    make_user(session, clock, role="viewer", username="vera")
    client.post_form("/logout", token_from="/account")
    assert client.get("/assignments/export.csv").status_code == 303
    client.login("vera", PASSWORD)
    assert client.get("/assignments/export.csv").status_code == 200


def test_the_export_streams_in_batches(session, clock, bo, engine):
    from sqlalchemy import event

    company = make_company(session, clock, user=bo)
    for number in range(5):
        make_assignment(session, clock, company, bo, occupation=f"Yrke {number}")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        chunks = list(
            csv_file(
                exports.assignment_table(
                    AssignmentFilters(), user=bo, session=session, batch_size=2
                )
            )
        )
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(chunks) == 1 + 3  # headers, then one chunk per batch of two
    # Ordinary jobs: no follow-ups to read with the batches.
    assert len([s for s in statements if s.startswith("SELECT")]) == 1


def test_the_export_has_each_assignments_follow_up_outcome(client, session, clock, bo):
    from app.assignments import follow_ups

    company = make_company(session, clock, user=bo)
    placed = make_assignment(
        session,
        clock,
        company,
        bo,
        occupation="Barnskötare",
        positions=3,
        employment_type="extra_job",
        ends_on="2026-02-27",
        status="filled",
        filled_count=3,
    )
    make_assignment(session, clock, company, bo, occupation="Kock")
    at_end = follow_ups.for_assignment(placed.id, session=session)[0]
    form = follow_ups.FollowUpForm.from_follow_up(at_end)
    form.ordinary_job, form.studies, form.income_support_moved = "2", "1", "1"
    follow_ups.record(at_end, placed, form, user=bo, session=session, clock=clock)
    session.commit()

    header, *rows = rows_of(client.get("/assignments/export.csv?state=all&sort=created").content)
    found = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    columns = exports.ASSIGNMENT_HEADERS[exports.ASSIGNMENT_HEADERS.index("Avslutat") + 1 :]
    assert [found["Barnskötare"][name] for name in columns] == [
        "2026-02-27", "1", "2", "2", "0", "1", "0", "1",
    ]  # fmt: skip
    assert [found["Kock"][name] for name in columns] == [""] * 8
