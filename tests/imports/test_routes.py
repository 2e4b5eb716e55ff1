"""The import wizard over HTTP: upload, mapping, preview, commit, progress, result, failed
rows, undo; the size limit and who may import."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlmodel import select

from app.auth.models import User
from app.companies import service as companies
from app.companies.models import Company, CompanyStatus
from app.imports import engine, jobs
from app.imports.models import ImportFile, ImportJob, ImportStatus
from app.imports.routes import supported_kinds
from tests.factories import PASSWORD, make_user
from tests.imports.conftest import imported, sample
from tests.imports.test_engine import csv_bytes

SAMPLE = "foretagskontakter_2019.csv"


@pytest.fixture
def anna(session, clock):
    # "Maria Åberg" is an Ansvarig in the 2019 sheet: the wizard proposes this user.
    make_user(session, clock, role="broker", username="maria", full_name="Maria Åberg")
    return make_user(session, clock, role="broker", username="anna", full_name="Anna Andersson")


@pytest.fixture
def signed_in(client, anna):
    client.login("anna", PASSWORD)
    return client


def upload(client, data: bytes, name: str, kind: str = "companies"):
    token = client.csrf_token("/imports")
    return client.post(
        "/imports",
        data={"csrf_token": token, "kind": kind},
        files={"file": (name, data, "application/octet-stream")},
    )


def uploaded_job(client, session, data: bytes, name: str) -> ImportJob:
    response = upload(client, data, name)
    assert response.status_code == 303, response.text
    job_id = int(response.headers["location"].rsplit("/", 1)[1])
    session.expire_all()
    return session.get(ImportJob, job_id)


def options_form(job: ImportJob, **changes) -> dict[str, object]:
    """The mapping form as the page sends it, from the stored choices."""
    options = engine.options_of(job)
    form: dict[str, object] = {
        "column": [name or "" for name in options.columns],
        "value_field": [],
        "value_raw": [],
        "value_choice": [],
        "person_name": list(options.people),
        "person_user": list(options.people.values()),
        "date_order": options.date_order or "",
        "company_policy": options.company_policy.value,
        "duplicate_policy": options.duplicate_policy.value,
        "step": "preview",
    }
    for name, found in options.values.items():
        for raw, value in found.items():
            form["value_field"].append(name)  # type: ignore[union-attr]
            form["value_raw"].append(raw)  # type: ignore[union-attr]
            form["value_choice"].append(value)  # type: ignore[union-attr]
    form.update(changes)
    return form


def test_the_2019_company_sheet_through_the_wizard(signed_in, session, clock, anna):
    client = signed_in
    page = client.get("/imports")
    assert page.status_code == 200
    assert 'href="/imports" aria-current="page"' in page.text
    assert '<option value="companies"' in page.text
    assert 'enctype="multipart/form-data"' in page.text

    job = uploaded_job(client, session, sample(SAMPLE), SAMPLE)
    assert job.status == ImportStatus.analysed

    # The mapping: a labelled select per column with the proposal, values and people.
    page = client.get(f"/imports/{job.id}")
    assert page.status_code == 200
    headers = engine.load_table(job, session=session, max_rows=0).headers
    city = headers.index("Ort")
    assert f'<label for="column-{city}">Kolumnen ”Ort”</label>' in page.text
    select_city = page.text.split(f'id="column-{city}"')[1].split("</select>")[0]
    assert '<option value="">Ignorera</option>' in select_city
    assert '<option value="city" selected>Ort</option>' in select_city
    assert "Värden för Status (kolumnen ”Status”)" in page.text
    assert "”Vilande”" in page.text
    assert "Personer i filen" in page.text
    maria = session.exec(select(User).where(User.username == "maria")).one()
    assert f'<option value="{maria.id}" selected>Maria Åberg</option>' in page.text

    # One column ignored and one value mapped otherwise, then the preview.
    form = options_form(job)
    form["column"][city] = ""  # type: ignore[index]
    form["value_choice"] = [
        "active" if (name, raw) == ("status", "Vilande") else value
        for name, raw, value in zip(
            form["value_field"], form["value_raw"], form["value_choice"], strict=True
        )
    ]
    token = client.csrf_token(f"/imports/{job.id}")
    response = client.post(f"/imports/{job.id}/options", data={"csrf_token": token, **form})
    assert response.status_code == 303
    assert response.headers["location"] == f"/imports/{job.id}/preview"
    session.expire_all()
    options = engine.options_of(job)
    assert options.columns[city] is None
    assert options.values["status"]["Vilande"] == "active"

    preview = client.get(f"/imports/{job.id}/preview")
    assert preview.status_code == 200
    assert '<th scope="col">Rad</th>' in preview.text
    assert "<caption>" in preview.text
    assert "Fel:" in preview.text and "kontrollsiffra" in preview.text
    plan = engine.preview(job, user=anna, session=session, clock=clock, limit=None)
    failing = plan.count("fail")  # type: ignore[arg-type]
    assert failing > 0
    assert f"<dt>Misslyckas</dt><dd>{failing}</dd>" in preview.text
    assert f"<dt>Rader i filen</dt><dd>{plan.total}</dd>" in preview.text
    assert not session.exec(select(Company)).all()

    # Importera: queued; the page is a progress component that polls itself.
    token = client.csrf_token(f"/imports/{job.id}/preview")
    response = client.post(f"/imports/{job.id}/queue", data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.queued
    page = client.get(f"/imports/{job.id}")
    assert f'hx-get="/imports/{job.id}"' in page.text
    assert 'hx-trigger="load delay:1s"' in page.text and 'hx-swap="outerHTML"' in page.text
    assert '<meta http-equiv="refresh"' in page.text and ">Uppdatera</a>" in page.text
    fragment = client.get(f"/imports/{job.id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="import-status"')
    assert "hx-trigger" in fragment.text

    done = jobs.run(job.id, session=session, clock=clock)
    assert done.status == ImportStatus.done, done.error
    fragment = client.get(f"/imports/{job.id}", headers={"HX-Request": "true"})
    assert "hx-trigger" not in fragment.text  # the polling stops
    page = client.get(f"/imports/{job.id}")
    for label, count in (
        ("Skapade", done.created_count),
        ("Uppdaterade", done.updated_count),
        ("Hoppades över", done.skipped_count),
        ("Misslyckades", done.failed_count),
    ):
        assert f"<dt>{label}</dt><dd>{count}</dd>" in page.text
    assert done.failed_count == failing
    assert "Ladda ner misslyckade rader (CSV)" in page.text
    stored = session.exec(select(Company)).all()
    assert len(stored) == done.created_count
    assert all(company.city is None for company in stored)  # Ort was ignored
    orebro = session.exec(select(Company).where(Company.name == "Örebros Service AB")).one()
    assert orebro.status == CompanyStatus.active  # "Vilande", mapped to Aktiv

    failed = client.get(f"/imports/{job.id}/failed.csv")
    assert failed.status_code == 200
    assert "attachment" in failed.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(failed.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*headers, "Fel"]
    assert len(rows) == done.failed_count + 1

    history = client.get("/imports")
    assert SAMPLE in history.text and "Klar" in history.text
    assert f'action="/imports/{job.id}/undo"' in history.text

    token = client.csrf_token(f"/imports/{job.id}")
    response = client.post(f"/imports/{job.id}/undo", data={"csrf_token": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.undone
    assert not session.exec(select(Company)).all()
    assert "Ångrad" in client.get(f"/imports/{job.id}").text


def test_undo_is_refused_with_the_names_of_changed_records(signed_in, session, clock, anna):
    data = csv_bytes("Företagsnamn;Ort", "Bygg AB;Umeå", "Måleri HB;Luleå")
    job = imported(session, clock, anna, data, "b.csv", "companies")
    company = session.exec(select(Company).where(Company.name == "Måleri HB")).one()
    form = companies.CompanyForm.from_company(company, [])
    form.city = "Kiruna"
    companies.update(company, form, user=anna, session=session, clock=clock)
    session.commit()
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/undo", data={"csrf_token": token})
    assert response.status_code == 409
    assert "Importen kan inte ångras" in response.text and "Måleri HB" in response.text
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.done
    assert len(session.exec(select(Company)).all()) == 2


def test_a_column_mapped_twice_is_refused_on_the_form(signed_in, session):
    data = csv_bytes("Företagsnamn;Namn;Ort", "Bygg AB;Bygg;Umeå")
    job = uploaded_job(signed_in, session, data, "a.csv")
    form = options_form(job, column=["name", "name", "city"])
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/options", data={"csrf_token": token, **form})
    assert response.status_code == 422
    assert "Namn är vald för flera kolumner: Företagsnamn, Namn" in response.text
    session.expire_all()
    assert engine.options_of(session.get(ImportJob, job.id)).columns == ["name", None, "city"]


def test_mapping_a_new_choice_column_shows_its_values_before_the_preview(signed_in, session):
    data = csv_bytes("Företagsnamn;Läge", "Bygg AB;Pågår", "Måleri HB;Vilande")
    job = uploaded_job(signed_in, session, data, "a.csv")
    form = options_form(job, column=["name", "status"])
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/options", data={"csrf_token": token, **form})
    assert response.headers["location"] == f"/imports/{job.id}"
    page = signed_in.get(f"/imports/{job.id}")
    assert "Kolumnerna är ändrade" in page.text
    assert "”Vilande”" in page.text


def test_a_workbook_with_several_sheets_asks_which(signed_in, session):
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Företag"
    first.append(["Företagsnamn", "Ort"])
    first.append(["Bygg AB", "Umeå"])
    second = workbook.create_sheet("Uppdrag")
    second.append(["Namn", "Telefon"])
    second.append(["Måleri HB", "090-12 34 56"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = uploaded_job(signed_in, session, buffer.getvalue(), "lista.xlsx")
    page = signed_in.get(f"/imports/{job.id}")
    assert '<label for="sheet">' in page.text and "<option>Uppdrag</option>" in page.text
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(
        f"/imports/{job.id}/sheet", data={"csrf_token": token, "sheet": "Uppdrag"}
    )
    assert response.status_code == 303
    session.expire_all()
    job = session.get(ImportJob, job.id)
    assert job.sheet == "Uppdrag"
    assert engine.options_of(job).columns == ["name", "phone"]


def test_a_too_large_file_is_refused_and_nothing_stored(signed_in, session, app):
    app.state.settings.import_max_mb = 1
    response = upload(signed_in, b"Namn\r\n" + b"x" * (1024 * 1024), "stor.csv")
    assert response.status_code == 413
    assert "Filen är för stor: högst 1 MB." in response.text
    assert re.search(r'id="file"[^>]*aria-invalid="true"', response.text)
    assert session.exec(select(ImportJob)).all() == []


def test_an_unreadable_file_is_a_form_error(signed_in, session):
    response = upload(signed_in, b"%PDF-1.4\x00\x01\x02", "brev.pdf")
    assert response.status_code == 422
    assert "brev.pdf går inte att läsa" in response.text
    assert session.exec(select(ImportJob)).all() == []


def test_a_viewer_may_not_import(client, session, clock, anna):
    make_user(session, clock, role="viewer", username="vera")
    job = imported(session, clock, anna, csv_bytes("Företagsnamn", "Bygg AB"), "a.csv", "companies")
    client.login("vera", PASSWORD)
    assert 'href="/imports"' not in client.get("/account").text
    for path in ("/imports", f"/imports/{job.id}", f"/imports/{job.id}/failed.csv"):
        assert client.get(path).status_code == 403, path
    token = client.csrf_token("/account")
    response = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "companies"},
        files={"file": ("a.csv", b"Namn\r\nX\r\n", "text/csv")},
    )
    assert response.status_code == 403
    response = client.post(f"/imports/{job.id}/undo", data={"csrf_token": token})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.done


@pytest.mark.parametrize("kind", [kind.value for kind in supported_kinds()])
def test_every_kind_the_engine_supports_is_offered_and_mapped(signed_in, session, kind):
    assert f'<option value="{kind}"' in signed_in.get("/imports").text
    data = csv_bytes("Företagsnamn;Org nr;Status;Datum", "Bygg AB;556036-0793;Aktiv;2024-03-05")
    response = upload(signed_in, data, "a.csv", kind=kind)
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("/", 1)[1]
    assert signed_in.get(f"/imports/{job_id}").status_code == 200
    assert signed_in.get(f"/imports/{job_id}/preview").status_code == 200


def test_ambiguous_dates_ask_for_their_order(signed_in, session):
    data = csv_bytes(
        "Företagsnamn;Avsiktsförklaring;Datum avsiktsförklaring",
        "Bygg AB;Undertecknad;05/03/2024",
        "Måleri HB;Undertecknad;06/04/2024",
    )
    job = uploaded_job(signed_in, session, data, "a.csv")
    page = signed_in.get(f"/imports/{job.id}")
    assert '<label for="date_order">' in page.text
    assert '<option value="mdy"' in page.text
    form = options_form(job, date_order="mdy")
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/options", data={"csrf_token": token, **form})
    assert response.headers["location"] == f"/imports/{job.id}/preview"
    session.expire_all()
    assert engine.options_of(session.get(ImportJob, job.id)).date_order == "mdy"
    assert "2024-05-03" in signed_in.get(f"/imports/{job.id}/preview").text


def discard_form(job_id: int) -> str:
    return f'action="/imports/{job_id}/discard"'


def test_the_uploader_may_give_up_an_import_not_yet_started(signed_in, session):
    job = uploaded_job(signed_in, session, csv_bytes("Företagsnamn;Ort", "Bygg AB;Umeå"), "a.csv")
    for path in (f"/imports/{job.id}", f"/imports/{job.id}/preview"):
        page = signed_in.get(path)
        assert discard_form(job.id) in page.text, path
        assert "Avbryt importen</button>" in page.text, path
    history = signed_in.get("/imports").text
    row = next(row for row in history.split("<tr>") if f'href="/imports/{job.id}"' in row)
    assert discard_form(job.id) in row and "Ta bort" in row

    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/discard", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/imports"
    assert "Importen av a.csv är borttagen." in signed_in.get("/imports").text
    session.expire_all()
    assert session.get(ImportJob, job.id) is None
    assert session.get(ImportFile, job.id) is None  # the file went with it
    assert signed_in.get(f"/imports/{job.id}").status_code == 404


def test_giving_up_an_import_needs_the_csrf_token(signed_in, session):
    job = uploaded_job(signed_in, session, csv_bytes("Företagsnamn", "Bygg AB"), "a.csv")
    response = signed_in.post(f"/imports/{job.id}/discard", data={})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(ImportJob, job.id) is not None


def test_only_the_uploader_or_an_admin_may_give_up_an_import(client, session, clock, anna):
    job = uploaded_job_of(client, session, anna)
    client.post("/logout", data={"csrf_token": client.csrf_token("/imports")})

    client.login("maria", PASSWORD)  # another broker
    assert discard_form(job.id) not in client.get(f"/imports/{job.id}").text
    assert discard_form(job.id) not in client.get("/imports").text
    token = client.csrf_token("/imports")
    assert client.post(f"/imports/{job.id}/discard", data={"csrf_token": token}).status_code == 403
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.analysed
    client.post("/logout", data={"csrf_token": token})

    make_user(session, clock, role="admin", username="ada", full_name="Ada Admin")
    client.login("ada", PASSWORD)
    assert discard_form(job.id) in client.get(f"/imports/{job.id}").text
    assert discard_form(job.id) in client.get("/imports").text
    token = client.csrf_token("/imports")
    assert client.post(f"/imports/{job.id}/discard", data={"csrf_token": token}).status_code == 303
    session.expire_all()
    assert session.get(ImportJob, job.id) is None


def uploaded_job_of(client, session, user) -> ImportJob:
    client.login(user.username, PASSWORD)
    return uploaded_job(client, session, csv_bytes("Företagsnamn", "Bygg AB"), "a.csv")


def test_an_import_that_has_started_cannot_be_given_up(signed_in, session):
    job = uploaded_job(signed_in, session, csv_bytes("Företagsnamn", "Bygg AB"), "a.csv")
    token = signed_in.csrf_token(f"/imports/{job.id}/preview")
    assert signed_in.post(f"/imports/{job.id}/queue", data={"csrf_token": token}).status_code == 303
    assert discard_form(job.id) not in signed_in.get("/imports").text
    assert discard_form(job.id) not in signed_in.get(f"/imports/{job.id}").text

    response = signed_in.post(f"/imports/{job.id}/discard", data={"csrf_token": token})
    assert response.status_code == 409
    assert "Importen har redan startat och kan inte tas bort." in response.text
    session.expire_all()
    assert session.get(ImportJob, job.id).status == ImportStatus.queued
    assert session.get(ImportFile, job.id) is not None


def test_the_progress_says_rows_are_checked_then_which_row_is_saved(signed_in, session, clock):
    rows = [f"Företag {n} AB;Ort {n}" for n in range(7)]
    job = uploaded_job(signed_in, session, csv_bytes("Företagsnamn;Ort", *rows), "m.csv")
    engine.queue(job, session=session)
    session.commit()

    def progress(fragment: str) -> str:
        return fragment.split('role="status"')[1].split("</div>")[0]

    queued = progress(signed_in.get(f"/imports/{job.id}", headers={"HX-Request": "true"}).text)
    assert "Importen väntar på sin tur." in queued

    job.status = ImportStatus.running  # validating: nothing written yet
    session.add(job)
    session.commit()
    fragment = signed_in.get(f"/imports/{job.id}", headers={"HX-Request": "true"}).text
    assert '<div class="import-progress" role="status" aria-live="polite">' in fragment
    checking = progress(fragment)
    assert '<label for="import-progress">Kontrollerar raderna …</label>' in checking
    # Indeterminate, not a bar standing at 0.
    assert re.search(r'<progress id="import-progress">', checking)
    assert "value=" not in checking

    with pytest.raises(jobs.Interrupted):
        jobs.run(job.id, session=session, clock=clock, batch_size=3, stop_after=1)
    saving = progress(signed_in.get(f"/imports/{job.id}", headers={"HX-Request": "true"}).text)
    assert '<label for="import-progress">Sparar rad 3 av 7</label>' in saving
    assert '<progress id="import-progress" max="7" value="3">' in saving


def test_a_field_chosen_twice_is_named_in_the_users_language(signed_in, session, anna):
    anna.locale = "en"
    session.add(anna)
    session.commit()
    data = csv_bytes("Företagsnamn;Namn;Ort", "Bygg AB;Bygg;Umeå")
    job = uploaded_job(signed_in, session, data, "a.csv")
    form = options_form(job, column=["name", "name", "city"])
    token = signed_in.csrf_token(f"/imports/{job.id}")
    response = signed_in.post(f"/imports/{job.id}/options", data={"csrf_token": token, **form})
    assert response.status_code == 422
    assert "Name is chosen for several columns: Företagsnamn, Namn." in response.text
    assert "Namn is chosen" not in response.text
