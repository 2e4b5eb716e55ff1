"""`matcha export`: a whole list to a CSV or XLSX file, the same tables as the web's."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlmodel import Session

from app import cli
from app.db import make_engine
from app.exports.csv_format import unneutralise
from tests.agreements.factories import make_agreement
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import make_event
from tests.factories import make_company, make_user
from tests.test_cli import database_env  # noqa: F401  (the fixture)


@pytest.fixture
def database(database_env, clock):  # noqa: F811
    """A migrated database (of the engine under test) with a few rows of each list."""
    tmp_path, url = database_env
    engine = make_engine(url)
    with Session(engine) as session:
        broker = make_user(session, clock, username="bo", full_name="Bo Ek")
        company = make_company(
            session, clock, user=broker, name="Åkeri Öst AB", notes="=1+1", owner_id=str(broker.id)
        )
        archived = make_company(session, clock, user=broker, name="Arkiverat AB")
        archived.archived_at = clock.now()
        session.add(archived)
        orjan = make_contact(
            session, clock, company, broker, name="Örjan Åberg", is_supervisor=True
        )
        make_agreement(
            session,
            clock,
            company,
            broker,
            state="signed",
            signed_on="2026-02-27",
            signatory_ids=[str(orjan.id)],
        )
        make_assignment(session, clock, company, broker, occupation="Kock")
        make_assignment(
            session, clock, company, broker, occupation="Bagare", status="filled", filled_count=1
        )
        make_event(session, clock, broker, title="Träff")
        session.commit()
    engine.dispose()
    return tmp_path


def test_export_companies_as_csv_to_the_webs_file_name(database, capsys):
    assert cli.main(["export", "--kind", "companies", "--format", "csv"]) == 0
    (written,) = database.glob("foretag-*.csv")
    assert capsys.readouterr().out == f"1 rader skrivna till {written.name}\n"
    text = written.read_bytes().decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    record = dict(zip(header, row, strict=True))
    assert record["Namn"] == "Åkeri Öst AB"  # the archived company is not in the register
    assert record["Ansvarig"] == "Bo Ek"
    assert unneutralise(record["Anteckningar"]) == "=1+1"


def test_export_contacts_as_xlsx(database, capsys):
    target = database / "ut" / "kontakter.xlsx"
    target.parent.mkdir()
    code = cli.main(["export", "--kind", "contacts", "--format", "xlsx", "--output", str(target)])
    assert code == 0
    assert capsys.readouterr().out == f"1 rader skrivna till {target}\n"
    sheet = openpyxl.load_workbook(target)["Kontakter"]
    assert [c.value for c in sheet[2]][:3] == ["Örjan Åberg", None, "Åkeri Öst AB"]
    assert sheet["G2"].value == "Ja"


def test_export_assignments_takes_closed_ones_too_and_events(database, capsys):
    assert cli.main(["export", "--kind", "assignments", "--output", "u.csv"]) == 0
    assert capsys.readouterr().out == "2 rader skrivna till u.csv\n"
    assert cli.main(["export", "--kind", "events", "--format", "xlsx", "--output", "t.xlsx"]) == 0
    assert capsys.readouterr().out == "1 rader skrivna till t.xlsx\n"
    sheet = openpyxl.load_workbook(database / "t.xlsx")["Rekryteringsträffar"]
    assert sheet["A2"].value == "Träff"


def test_export_agreements(database, capsys):
    assert cli.main(["export", "--kind", "agreements", "--output", "a.csv"]) == 0
    assert capsys.readouterr().out == "1 rader skrivna till a.csv\n"
    text = (database / "a.csv").read_bytes().decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    record = dict(zip(header, row, strict=True))
    assert (record["Företag"], record["Avtal"], record["Status"]) == (
        "Åkeri Öst AB",
        "Avsiktsförklaring",
        "Undertecknat",
    )
    assert record["Undertecknare hos företaget"] == "Örjan Åberg"


def test_export_with_a_comma_and_to_a_folder_that_does_not_exist(database, capsys):
    assert cli.main(["export", "--kind", "contacts", "--delimiter", ",", "--output", "k.csv"]) == 0
    assert (database / "k.csv").read_bytes().startswith(b"\xef\xbb\xbfNamn,Roll/titel,")
    capsys.readouterr()
    code = cli.main(["export", "--kind", "contacts", "--output", "finns/inte/k.csv"])
    assert code == 1
    assert "Kunde inte skriva finns/inte/k.csv" in capsys.readouterr().err


def test_an_unknown_kind_is_refused(database, capsys):
    with pytest.raises(SystemExit):
        cli.main(["export", "--kind", "people"])
    assert "invalid choice" in capsys.readouterr().err
