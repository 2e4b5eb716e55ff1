"""The exports open right in a real spreadsheet. The CSV: LibreOffice converts it to XLSX
with the import settings a user picks (`;`, `"`, UTF-8, from line 1), and openpyxl reads
it back. The XLSX: LibreOffice opens it and saves it as CSV, cells as they are shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import uuid
from pathlib import Path

import openpyxl

from app.exports.csv_format import unneutralise
from tests.activities.factories import make_activity
from tests.agreements.factories import make_agreement
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user
from tests.tools import require_tool

SOFFICE = Path("/usr/bin/soffice")


def spreadsheet_text(value: object) -> str:
    """A cell as the text it was in the file (LibreOffice turns ISO dates into dates)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
    return str(value)


def open_in_libreoffice(csv_bytes: bytes, tmp_path: Path) -> list[list[object]]:
    require_tool(SOFFICE, "LibreOffice", "install it (apt-get install libreoffice-calc)")
    source = tmp_path / "foretag.csv"
    source.write_bytes(csv_bytes)
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"  # its own profile: parallel runs never clash
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--infilter=CSV:59,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    workbook = openpyxl.load_workbook(tmp_path / "foretag.xlsx")
    sheet = workbook.active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_company_export_opens_in_libreoffice_with_the_same_cells(
    client, session, clock, tmp_path
):
    broker = make_user(session, clock, username="mäklaren", full_name="Åsa Öberg")
    company = make_company(
        session,
        clock,
        user=broker,
        name="Åkeri Öst AB",
        org_number="556036-0793",
        phone="+46 72 909 13 93",
        postal_code="72212",
        city="Västerås",
        owner_id=str(broker.id),
        tags="jobbspår, bygg",
        notes="=1+1 är ingen formel; ö på två\nrader",
    )
    make_activity(session, clock, company, broker, follow_up_on="2026-03-09")
    make_company(session, clock, user=broker, name="Ölbryggeriet i Ängelholm", website="öl.se")
    client.login("mäklaren", PASSWORD)
    response = client.get("/companies/export.csv")
    assert response.status_code == 200

    cells = open_in_libreoffice(response.content, tmp_path)

    text = response.content.decode("utf-8-sig")
    expected = [line.split(";") for line in text.split("\r\n") if line and "\n" not in line]
    assert len(cells) == 3  # header and two companies: the notes' newline stayed in its cell
    assert all(len(row) == 21 for row in cells)
    assert [spreadsheet_text(v) for v in cells[0]] == expected[0]
    first = dict(zip(cells[0], cells[1], strict=True))
    assert first["Namn"] == "Åkeri Öst AB"
    assert first["Ansvarig"] == "Åsa Öberg"
    assert first["Ort"] == "Västerås"
    assert first["Taggar"] == "bygg, jobbspår"
    assert first["Organisationsnummer"] == "556036-0793"
    assert first["Postnummer"] == "722 12"
    # The phone number stays text (not the number 46729091393), and the import's
    # unneutralise gives it back as it was typed.
    assert isinstance(first["Telefon"], str)
    assert unneutralise(first["Telefon"]) == "+46 72 909 13 93"
    # A note that looks like a formula is text, not a formula (openpyxl shows those as "=...").
    assert isinstance(first["Anteckningar"], str)
    assert unneutralise(first["Anteckningar"]) == "=1+1 är ingen formel; ö på två\nrader"
    assert spreadsheet_text(first["Senaste kontakt"]) == "2026-03-02 09:00"
    assert spreadsheet_text(first["Nästa återkoppling"]) == "2026-03-09"
    second = dict(zip(cells[0], cells[2], strict=True))
    assert second["Namn"] == "Ölbryggeriet i Ängelholm"
    assert second["Webbplats"] == "https://öl.se"
    assert [spreadsheet_text(v) for v in cells[2]] == [unneutralise(c) for c in expected[-1]]


def xlsx_through_libreoffice(xlsx_bytes: bytes, tmp_path: Path) -> list[list[str]]:
    """The XLSX opened in LibreOffice and saved as CSV (`;`, `"`, UTF-8): what it shows."""
    require_tool(SOFFICE, "LibreOffice", "install it (apt-get install libreoffice-calc)")
    source = tmp_path / "kontakter.xlsx"
    source.write_bytes(xlsx_bytes)
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76",
            "--outdir",
            str(tmp_path / "ut"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "ut" / "kontakter.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_xlsx_export_opens_in_libreoffice_with_the_same_rows(client, session, clock, tmp_path):
    broker = make_user(session, clock, username="mäklaren", full_name="Åsa Öberg")
    company = make_company(
        session,
        clock,
        user=broker,
        name="Åkeri Öst AB",
        org_number="556036-0793",
        phone="+46 72 909 13 93",
        postal_code="72212",
        owner_id=str(broker.id),
        agreement_status="signed",
        agreement_date="2026-02-27",
        notes="=1+1 är ingen formel; ö på två\nrader",
    )
    make_activity(session, clock, company, broker, follow_up_on="2026-03-09")
    make_company(session, clock, user=broker, name="Ölbryggeriet i Ängelholm", notes="=1+1")
    client.login("mäklaren", PASSWORD)
    csv_rows = [
        [unneutralise(cell) for cell in row]
        for row in csv.reader(
            io.StringIO(
                client.get("/companies/export.csv").content.decode("utf-8-sig"), newline=""
            ),
            delimiter=";",
        )
    ]
    response = client.get("/companies/export.xlsx")
    assert response.status_code == 200

    shown = xlsx_through_libreoffice(response.content, tmp_path)

    # The same rows as the CSV export: text, dates and times as Matcha writes them.
    assert shown == csv_rows
    first = dict(zip(shown[0], shown[1], strict=True))
    assert first["Namn"] == "Åkeri Öst AB"
    assert first["Ansvarig"] == "Åsa Öberg"
    assert first["Telefon"] == "+46 72 909 13 93"
    assert first["Anteckningar"] == "=1+1 är ingen formel; ö på två\nrader"
    assert first["Datum avsiktsförklaring"] == "2026-02-27"
    assert first["Senaste kontakt"] == "2026-03-02 09:00"
    assert first["Nästa återkoppling"] == "2026-03-09"
    # "=1+1" stayed text: a formula would have been saved as its result, 2.
    assert dict(zip(shown[0], shown[2], strict=True))["Anteckningar"] == "=1+1"


def test_the_agreement_export_opens_in_libreoffice_as_both_files(client, session, clock, tmp_path):
    broker = make_user(session, clock, username="mäklaren", full_name="Åsa Öberg")
    company = make_company(
        session, clock, user=broker, name="Åkeri Öst AB", org_number="556036-0793"
    )
    eva = make_contact(session, clock, company, broker, name="Eva Berg")
    anders = make_contact(session, clock, company, broker, name="Anders Öst")
    make_agreement(
        session,
        clock,
        company,
        broker,
        kind="cooperation",
        state="signed",
        signed_on="2026-02-20",
        valid_from="2026-03-01",
        valid_to="2027-02-28",
        signatory_ids=[str(eva.id), str(anders.id)],
        unit_signatory_id=str(broker.id),
        notes="=1+1 är ingen formel; ö på två\nrader",
    )
    client.login("mäklaren", PASSWORD)
    response = client.get("/agreements/export.csv")
    assert response.status_code == 200

    cells = open_in_libreoffice(response.content, tmp_path)

    assert len(cells) == 2  # the header and the agreement: the notes' newline stayed
    assert all(len(row) == 14 for row in cells)
    row = dict(zip(cells[0], cells[1], strict=True))
    assert row["Företag"] == "Åkeri Öst AB"
    assert row["Org.nr"] == "556036-0793"
    assert row["Avtal"] == "Samverkansavtal"
    assert row["Undertecknare hos företaget"] == "Anders Öst, Eva Berg"
    assert row["Undertecknat för enheten av"] == "Åsa Öberg"
    assert spreadsheet_text(row["Undertecknat"]) == "2026-02-20"
    assert spreadsheet_text(row["Giltigt till"]) == "2027-02-28"
    assert isinstance(row["Anteckningar"], str)
    assert unneutralise(row["Anteckningar"]) == "=1+1 är ingen formel; ö på två\nrader"

    csv_rows = [
        [unneutralise(cell) for cell in line]
        for line in csv.reader(
            io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"
        )
    ]
    shown = xlsx_through_libreoffice(client.get("/agreements/export.xlsx").content, tmp_path)
    # The same rows as the CSV: "=1+1" stayed text (a formula would be saved as 2).
    assert shown == csv_rows


def test_a_missing_libreoffice_skips_locally_and_fails_in_ci(monkeypatch, tmp_path):
    import pytest

    missing = tmp_path / "soffice"
    monkeypatch.delenv("MATCHA_REQUIRE_TOOLS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_tool(missing, "LibreOffice", "install it")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_tool(missing, "LibreOffice", "install it")
