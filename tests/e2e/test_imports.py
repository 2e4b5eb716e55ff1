"""The old company sheet comes in through the import wizard in the browser: upload, change
a column and a value mapping, see the row errors in the preview, import, download the
failed rows, fix them, import them again, and undo the first import. axe-core checks every
page on the way."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in

SAMPLES = Path(__file__).parents[1] / "samples"
SAMPLE = SAMPLES / "foretagskontakter_2019.csv"


def upload(page: Page, path: Path, kind: str = "companies") -> None:
    page.goto("/imports")
    check_accessibility(page)
    page.get_by_label("Filen innehåller").select_option(kind)
    page.get_by_label("Fil (.csv eller .xlsx)").set_input_files(path)
    page.get_by_role("button", name="Ladda upp och mappa kolumner").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))


def run_to_the_end(page: Page) -> None:
    """Preview, import, and wait for the self-polling result."""
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name=re.compile("Förhandsgranskning"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("Rader i filen")).to_be_visible(timeout=30_000)
    check_accessibility(page)


def test_import_the_2019_sheet_fix_the_failed_rows_and_undo(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    password = server.create_user("imp.ida", full_name="Ida Import")
    log_in(page, "imp.ida", password)

    # --- upload; change one column and one value mapping ------------------------------
    upload(page, SAMPLE)
    check_accessibility(page)
    page.get_by_label("Kolumnen ”Ort”").select_option("")  # Ignorera
    page.get_by_label("”Vilande”").select_option("active")

    # --- the preview shows the rows' problems; import -----------------------------------
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name=re.compile("Förhandsgranskning"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Fel:")
    check_accessibility(page)
    page.get_by_role("button", name="Importera").click()
    expect(page.get_by_text("Rader i filen")).to_be_visible(timeout=30_000)
    check_accessibility(page)
    first_import = page.url

    # --- the failed rows, as CSV with a Fel column ----------------------------------------
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner misslyckade rader (CSV)").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, failed = rows[0], rows[1:]
    assert header[-1] == "Fel" and failed, rows[:3]
    assert all(row[-1] for row in failed)

    # --- fix them "in Excel": drop the bad org.nr (name then identifies the company) ------
    org = next(i for i, name in enumerate(header) if "org" in name.lower())
    for row in failed:
        row[org] = ""
    fixed = tmp_path / "rattade.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(
            [header[:-1], *(row[:-1] for row in failed)]
        )
    upload(page, fixed)
    run_to_the_end(page)
    expect(page.locator("main")).not_to_contain_text("Ladda ner misslyckade rader (CSV)")

    # --- undo the first import ------------------------------------------------------------
    page.goto(first_import)
    page.get_by_role("button", name="Ångra importen").click()
    expect(page.locator("main")).to_contain_text("ångrades")
    check_accessibility(page)


def test_each_sample_sheet_imports_in_the_browser(page: Page, server: LiveServer) -> None:
    """The three sheets of a unit that switches: its companies, its call log (an Excel
    workbook, with companies missing from the company list: created) and its assignments."""
    password = server.create_user("imp.ivar", full_name="Ivar Import")
    log_in(page, "imp.ivar", password)
    for name, kind in (
        ("foretagskontakter_2019.csv", "companies"),
        ("samtalslogg_2023.xlsx", "activities"),
        ("uppdrag_uppfoljning.csv", "assignments"),
    ):
        upload(page, SAMPLES / name, kind)
        check_accessibility(page)
        create = page.get_by_label("Skapa företaget")
        if create.count():
            create.check()
        run_to_the_end(page)
        # Something came in from every sheet (the numbers are tested in tests/imports).
        created = page.locator("dt:text-is('Skapade') + dd")
        expect(created).not_to_have_text("0")


def test_a_hostile_file_is_refused_in_the_form_with_what_to_fix(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    """A workbook with a cell in column XFD: the upload form comes back with the reason on
    the file field, the kind chosen kept, and focus on the field to fix."""
    from tests.imports import hostile

    password = server.create_user("imp.hugo", full_name="Hugo Hostil")
    log_in(page, "imp.hugo", password)
    path = tmp_path / "kontakter.xlsx"
    path.write_bytes(hostile.xlsx_far_column())
    page.goto("/imports")
    page.get_by_label("Filen innehåller").select_option("contacts")
    page.get_by_label("Fil (.csv eller .xlsx)").set_input_files(path)
    page.get_by_role("button", name="Ladda upp och mappa kolumner").click()
    expect(page).to_have_url(re.compile(r"/imports$"))
    field = page.get_by_label("Fil (.csv eller .xlsx)")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.locator("#file-error")).to_contain_text(
        "kontakter.xlsx har en ifylld cell i kolumn XFD (rad 2)"
    )
    expect(page.get_by_label("Filen innehåller")).to_have_value("contacts")
    check_accessibility(page)
