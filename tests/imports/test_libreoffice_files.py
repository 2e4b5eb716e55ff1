"""Files that LibreOffice itself saved import as the sample sheets they came from.

The sample sheets are opened in LibreOffice (headless, sv-SE, as a Swedish user would) and
saved again: each CSV as CSV in Windows-1252, as CSV in UTF-8 (LibreOffice writes no BOM)
and as XLSX; the call log workbook as CSV in both encodings and as XLSX again. Each saved
file then goes through the import engine with the proposed options and must give what the
original gives: the same counts created, updated, skipped and failed, the same failures,
the same stored records (names with å/ä/ö, org.nrs, dates).

How the CSVs are opened: `;`, `"`, the file's character set, from line 1, language sv-SE,
"evaluate formulas" off (on, "=SUMMA(A1:A3) skrevs ..." becomes Err:509), and the phone
column as Text. With the Standard type LibreOffice, like Excel, reads 0715471305 as the
number 715471305 and the zero is gone before Matcha sees the file. Every other column is
Standard: org.nrs without a dash, postal codes and "20190826" become numbers, ISO dates
become real dates, and the XLSX has them as such.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.activities.models import Activity
from app.assignments.models import Assignment
from app.companies.models import Company, Tag
from app.contacts.models import Contact
from app.imports import engine, undo
from app.imports.models import ImportJob, ImportKind, ImportStatus
from tests.factories import make_user
from tests.imports.conftest import SAMPLES, imported
from tests.tools import require_tool

SOFFICE = Path("/usr/bin/soffice")

COMPANIES = "foretagskontakter_2019.csv"  # Windows-1252
ASSIGNMENTS = "uppdrag_uppfoljning.csv"  # UTF-8 with BOM
LOG = "samtalslogg_2023.xlsx"
# One of our own: the 5th of March 2024 as Swedes write it, in a UTF-8 CSV (no BOM).
DATES = "uppdrag_datum.csv"
DATE_FORMS = ["2024-03-05", "20240305", "240305", "24-03-05", "5/3/2024", "05.03.2024"]
DATES_CSV = "\r\n".join(
    [
        "Företag;Yrke;Antal tjänster;Startdatum;Status",
        *(f"Företag {n} AB;Kock;{n} st;{form};Pågår" for n, form in enumerate(DATE_FORMS, 1)),
        "Företag 7 AB;Kock;1;5 mars 2024;Pågår",
        "",
    ]
).encode()

# LibreOffice's CSV filter options, token by token: field separator (59 = ";"), text
# delimiter (34 = '"'), character set (1 = Windows-1252, 76 = UTF-8), first line, column
# types (column/type pairs, 2 = Text), language (1053 = sv-SE), quoted field as text, detect
# special numbers, [import: skip empty cells | export: save cell contents as shown], [export
# formulas], remove spaces, sheet, evaluate formulas.
WINDOWS_1252, UTF_8 = 1, 76
PHONE_AS_TEXT = "7/2"  # the 7th column, Telefon, of the company sheet
CSV_FILTER = "Text - txt - csv (StarCalc)"


def csv_in(charset: int, columns: str = "") -> str:
    return f"CSV:59,34,{charset},1,{columns},1053,false,false,false,false,false,0,false"


def csv_out(charset: int) -> str:
    return f"csv:{CSV_FILTER}:59,34,{charset},1,,1053,false,true,true,false,false"


# (name of the saved file, the sample, how LibreOffice opens it, what it saves it as)
SAVES = {
    "companies-cp1252.csv": (COMPANIES, csv_in(WINDOWS_1252, PHONE_AS_TEXT), csv_out(WINDOWS_1252)),
    "companies-utf8.csv": (COMPANIES, csv_in(WINDOWS_1252, PHONE_AS_TEXT), csv_out(UTF_8)),
    "companies.xlsx": (COMPANIES, csv_in(WINDOWS_1252, PHONE_AS_TEXT), "xlsx"),
    "assignments-cp1252.csv": (ASSIGNMENTS, csv_in(UTF_8), csv_out(WINDOWS_1252)),
    "assignments-utf8.csv": (ASSIGNMENTS, csv_in(UTF_8), csv_out(UTF_8)),
    "assignments.xlsx": (ASSIGNMENTS, csv_in(UTF_8), "xlsx"),
    "dates.xlsx": (DATES, csv_in(UTF_8), "xlsx"),
    "dates-cp1252.csv": (DATES, csv_in(UTF_8), csv_out(WINDOWS_1252)),
    "log-cp1252.csv": (LOG, None, csv_out(WINDOWS_1252)),
    "log-utf8.csv": (LOG, None, csv_out(UTF_8)),
    "log.xlsx": (LOG, None, "xlsx"),
}


def save_in_libreoffice(name: str, work: Path, profile: Path | None = None) -> bytes:
    """The sample opened in LibreOffice and saved as `name` describes, in its own directory.
    With a `profile`, a copy of it: LibreOffice sets a new profile up for seconds, and two
    running at once must never share one."""
    sample, infilter, convert_to = SAVES[name]
    here = work / name.replace(".", "-")
    here.mkdir()
    source = here / sample
    source.write_bytes(sample_bytes(sample))
    own = here / f"lo-{uuid.uuid4().hex}"
    if profile is not None:
        shutil.copytree(profile, own, symlinks=True)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={own.as_uri()}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            convert_to,
            "--outdir",
            str(here / "saved"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    suffix = ".xlsx" if convert_to == "xlsx" else ".csv"
    return (here / "saved" / Path(sample).with_suffix(suffix).name).read_bytes()


def sample_bytes(sample: str) -> bytes:
    return DATES_CSV if sample == DATES else (SAMPLES / sample).read_bytes()


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, bytes]:
    require_tool(SOFFICE, "LibreOffice", "install it (apt-get install libreoffice-calc)")
    work = tmp_path_factory.mktemp("libreoffice")
    first, *others = SAVES
    files = {first: save_in_libreoffice(first, work)}
    profile = next((work / first.replace(".", "-")).glob("lo-*"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        saves = pool.map(lambda name: save_in_libreoffice(name, work, profile), others)
        files.update(zip(others, saves, strict=True))
    return files


def test_libreoffice_saved_what_was_asked(saved):
    """The files are what the test says they are: LibreOffice's encodings, its workbooks."""
    companies = saved["companies-cp1252.csv"]
    assert "Åstorps Elektriska AB".encode("cp1252") in companies
    assert not companies.startswith(b"\xef\xbb\xbf")
    utf8 = saved["companies-utf8.csv"]
    assert "Åstorps Elektriska AB".encode() in utf8 and not utf8.startswith(b"\xef\xbb\xbf")
    assert "Örebros Transport AB".encode("cp1252") in saved["assignments-cp1252.csv"]
    assert "Okänt Företag 2 AB".encode("cp1252") in saved["log-cp1252.csv"]
    assert "Okänt Företag 2 AB".encode() in saved["log-utf8.csv"]
    for name in ("companies.xlsx", "assignments.xlsx", "log.xlsx"):
        assert saved[name].startswith(b"PK\x03\x04")
    # Not Matcha's own dialect: the cells LibreOffice typed are written as it shows them.
    text = utf8.decode()
    assert ";0715471305;" in text  # the phone column, opened as text
    assert ";20190826;" in text and ";9585142228;" in text  # numbers, as shown
    assert ";=SUMMA(A1:A3) skrevs in av misstag" in text  # not a formula


def outcome(job: ImportJob, session) -> dict[str, Any]:
    """What an import did: its counts, its failed rows and why, and the register after it."""
    assert job.status == ImportStatus.done, job.error
    return {
        "counts": (job.created_count, job.updated_count, job.skipped_count, job.failed_count),
        "failures": [
            (failure.row_number, failure.problems)
            for failure in engine.failures(job, session=session)
        ],
        "stored": register(session),
    }


def register(session) -> dict[str, list[dict[str, Any]]]:
    """Every company, contact, activity and assignment, without its ids: the records of two
    imports compare even though the second one's rows got new ids."""
    companies = {c.id: c.name for c in session.exec(select(Company)).all()}
    contacts = {c.id: c.name for c in session.exec(select(Contact)).all()}
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for model in (Company, Contact, Activity, Assignment, Tag):
        rows = []
        for record in session.exec(select(model)).all():
            values = record.model_dump()
            values.pop("id")
            values.pop("merged_into_id", None)
            if "company_id" in values:
                values["company_id"] = companies[values["company_id"]]
            if values.get("contact_id") is not None:
                values["contact_id"] = contacts[values["contact_id"]]
            rows.append(values)
        snapshot[model.__name__] = sorted(rows, key=repr)
    return snapshot


def original_then_saved(session, clock, user, kind: str, sample: str, data: bytes, **choices):
    """Imports the sample, notes the outcome, undoes it; then the same for the file
    LibreOffice saved. Both are run with the options the engine proposes."""
    before = register(session)
    first = imported(session, clock, user, sample_bytes(sample), sample, kind, **choices)
    original = outcome(first, session)
    undo.undo(first, user=user, session=session, clock=clock)
    session.commit()
    assert register(session) == before
    second = imported(session, clock, user, data, f"sparad-{sample}", kind, **choices)
    return original, outcome(second, session), first, second


def same_proposals(first: ImportJob, second: ImportJob) -> None:
    one, other = engine.options_of(first), engine.options_of(second)
    assert one.columns == other.columns
    assert one.values == other.values
    assert one.people == other.people
    assert one.date_order == other.date_order


@pytest.fixture
def users(session, clock):
    return {
        name: make_user(session, clock, role="broker", full_name=name)
        for name in ("Sofie Ek", "Jonas Öhman", "Kajsa Lind")
    }


@pytest.mark.parametrize("name", ["companies-cp1252.csv", "companies-utf8.csv", "companies.xlsx"])
def test_the_company_sheet_saved_by_libreoffice_imports_the_same(
    session, clock, broker, users, saved, name
):
    original, again, first, second = original_then_saved(
        session, clock, broker, "companies", COMPANIES, saved[name]
    )
    same_proposals(first, second)
    assert again == original
    # Spelled out, what the comparison covers.
    assert original["counts"][0] > 0 and original["counts"][3] > 0
    companies = {c.name: c for c in session.exec(select(Company)).all()}
    assert companies["Smidepartner i Vellinge AB"].org_number == "958514-2228"  # a number
    assert companies["Smidepartner i Vellinge AB"].phone == "0715471305"
    assert companies["Åstorps Elektriska AB"].city == "Åstorp"
    assert companies["Örebros Service AB"].postal_code == "508 82"  # a number too


@pytest.mark.parametrize(
    "name", ["assignments-cp1252.csv", "assignments-utf8.csv", "assignments.xlsx"]
)
def test_the_assignment_sheet_saved_by_libreoffice_imports_the_same(
    session, clock, broker, users, saved, name
):
    original, again, first, second = original_then_saved(
        session, clock, broker, "assignments", ASSIGNMENTS, saved[name], company_policy="create"
    )
    same_proposals(first, second)
    assert again == original
    assert original["counts"] == (70, 0, 0, 10)
    four = session.exec(
        select(Assignment).join(Company).where(Company.name == "Åkeriteamet i Jokkmokk Aktiebolag")
    ).one()
    assert four.positions == 4  # "4 st"
    assert str(four.start_on) == "2023-08-13"


@pytest.mark.parametrize("name", ["log-cp1252.csv", "log-utf8.csv", "log.xlsx"])
def test_the_call_log_saved_by_libreoffice_imports_the_same(
    session, clock, broker, users, saved, name
):
    imported(session, clock, broker, (SAMPLES / COMPANIES).read_bytes(), COMPANIES, "companies")
    original, again, first, second = original_then_saved(
        session, clock, broker, "activities", LOG, saved[name]
    )
    same_proposals(first, second)
    assert again == original
    assert original["counts"] == (283, 0, 0, 17)
    assert first.kind == second.kind == ImportKind.activities


@pytest.mark.parametrize("name", ["dates.xlsx", "dates-cp1252.csv"])
def test_dates_in_every_swedish_form_saved_by_libreoffice_import_the_same(
    session, clock, broker, saved, name
):
    original, again, first, second = original_then_saved(
        session, clock, broker, "assignments", DATES, saved[name], company_policy="create"
    )
    same_proposals(first, second)
    assert again == original
    assert again["counts"] == (7, 0, 0, 0)
    starts = {str(a.start_on) for a in session.exec(select(Assignment)).all()}
    assert starts == {"2024-03-05"}
