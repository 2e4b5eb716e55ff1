"""The import wizard: upload a sheet, map its columns, values and people, preview the rows
as they would be stored, import (the worker runs the job), follow its progress, download
the failed rows and undo, or give up an import not yet started. Admins and brokers only;
every step works without JavaScript, and the job page lives in the database, so a reload
shows where the import is."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app import flash, i18n
from app.auth.deps import Editor
from app.auth.models import Role, User
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import DomainError, NotFound, ValidationFailed
from app.i18n import N_
from app.imports import engine, jobs, mapping, undo, upload
from app.imports import values as parse
from app.imports.bounds import Limits
from app.imports.kinds import KINDS
from app.imports.links import active_brokers
from app.imports.models import STATUS_LABELS, ImportJob, ImportKind, ImportStatus
from app.imports.options import CompanyPolicy, DuplicatePolicy, ImportOptions
from app.imports.reading import Table
from app.imports.rows import Action
from app.templating import locale_of, render, see_other, translate

router = APIRouter()

KIND_LABELS = {
    ImportKind.companies: N_("Företag"),
    ImportKind.contacts: N_("Kontaktpersoner"),
    ImportKind.activities: N_("Aktiviteter (samtalslogg)"),
    ImportKind.assignments: N_("Rekryteringsuppdrag"),
}
ACTION_LABELS = {
    Action.create: N_("Skapas"),
    Action.update: N_("Uppdateras"),
    Action.skip: N_("Hoppas över"),
    Action.fail: N_("Misslyckas"),
}
DATE_ORDER_LABELS = {
    "dmy": N_("Dag, månad, år (5/3/2024 är 5 mars 2024)"),
    "mdy": N_("Månad, dag, år (5/3/2024 är 3 maj 2024)"),
    "ymd": N_("År, månad, dag (24-03-05 är 5 mars 2024)"),
}
COMPANY_POLICY_LABELS = {
    CompanyPolicy.create: N_("Skapa företaget"),
    CompanyPolicy.reject: N_("Avvisa raden"),
}
DUPLICATE_POLICY_LABELS = {
    DuplicatePolicy.skip: N_("Hoppa över raden"),
    DuplicatePolicy.update: N_("Uppdatera det som finns med radens ifyllda värden"),
    DuplicatePolicy.create: N_("Skapa ändå"),
}
ACCEPTED_FILES = ".csv,.xlsx"
# Preview: the first rows as they would be stored, then further rows with problems.
PREVIEW_ROWS = engine.PREVIEW_ROWS
MORE_PROBLEM_ROWS = 50
# Cells of a column shown as examples beside its mapping.
EXAMPLES = 3

NO_FILE = N_("Välj en fil att importera.")
UNKNOWN_KIND = N_("Välj vad filen innehåller.")
FIELD_TWICE = N_("%(field)s är vald för flera kolumner: %(columns)s. Välj den för en kolumn.")
UNKNOWN_FIELD = N_("Välj ett fält eller Ignorera för varje kolumn.")
UNKNOWN_CHOICE = N_("Välj ett av Matchas värden för ”%(value)s”.")
UNKNOWN_USER = N_("Välj en användare för ”%(name)s”, eller ingen.")
UNKNOWN_ORDER = N_("Välj en datumordning i listan.")
UNKNOWN_POLICY = N_("Välj vad som ska hända i listan.")
COLUMNS_CHANGED = N_(
    "Kolumnerna är ändrade. Kontrollera värdena och personerna nedan och förhandsgranska sedan."
)


def supported_kinds() -> list[ImportKind]:
    """The kinds the engine can import: a kind added to app/imports/kinds shows up here."""
    return [kind for kind in ImportKind if kind in KINDS]


def valid_job(job_id: int, session: SessionDep) -> ImportJob:
    try:
        return engine.get(job_id, session=session)
    except NotFound:
        raise HTTPException(status_code=404) from None


JobDep = Annotated[ImportJob, Depends(valid_job)]


def may_discard(user: User, job: ImportJob) -> bool:
    """Who may give up an import not yet started: whoever uploaded it, or an admin."""
    return job.status == ImportStatus.analysed and (
        job.user_id == user.id or user.role == Role.admin
    )


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "ImportStatus": ImportStatus,
        "Action": Action,
    }


def _people(session: Session, ids: set[int | None]) -> dict[int, User]:
    found = (session.get(User, i) for i in ids if i is not None)
    return {person.id: person for person in found if person is not None}  # type: ignore[misc]


# --- the history and a new import -----------------------------------------------------------


def _index(
    request: Request,
    session: Session,
    settings: Any,
    user: User,
    *,
    kind: str = "",
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    past = engine.history(session=session)
    context = {
        "jobs": past,
        "people": _people(session, {job.user_id for job in past}),
        "discardable": {job.id for job in past if may_discard(user, job)},
        "kinds": supported_kinds(),
        "chosen_kind": kind,
        "max_mb": settings.import_max_mb,
        "accepted_files": ACCEPTED_FILES,
        "error": error,
        **_labels(),
    }
    return render(request, "imports/index.html", context, status_code=status_code)


@router.get("/imports")
def list_imports(
    request: Request, user: Editor, session: SessionDep, settings: SettingsDep
) -> Response:
    return _index(request, session, settings, user)


@router.post("/imports")
def upload_file(
    request: Request,
    user: Editor,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    kind: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        if kind not in {k.value for k in supported_kinds()}:
            raise ValidationFailed(UNKNOWN_KIND, field="kind")
        if file is None or not file.filename:
            raise ValidationFailed(NO_FILE, field="file")
        # In 1 MB chunks: a file over the limit is refused before it is all in memory.
        data = upload.read_limited(file.file, max_mb=settings.import_max_mb)
        if not data:
            raise ValidationFailed(NO_FILE, field="file")
        analysis = engine.analyse(
            data,
            file.filename,
            kind=ImportKind(kind),
            user=user,
            session=session,
            clock=clock,
            limits=Limits.of(settings),
        )
    except DomainError as error:
        session.rollback()
        return _index(
            request,
            session,
            settings,
            user,
            kind=kind,
            error=error,
            status_code=error.http_status,
        )
    session.commit()
    return see_other(request, f"/imports/{analysis.job.id}")


# --- the job's page -----------------------------------------------------------------------


@router.get("/imports/{job_id:int}")
def show_import(request: Request, user: Editor, session: SessionDep, job: JobDep) -> Response:
    if job.status == ImportStatus.analysed:
        return _mapping(request, session, job, user=user)
    return _job_page(request, session, job)


def _job_page(
    request: Request,
    session: Session,
    job: ImportJob,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "job": job,
        "people": _people(session, {job.user_id}),
        "failures": engine.failures(job, session=session)[:PREVIEW_ROWS]
        if job.failed_count
        else [],
        "working": job.status in (ImportStatus.queued, ImportStatus.running),
        "error": error,
        **_labels(),
    }
    return render(request, "imports/job.html", context, block="status", status_code=status_code)


# --- mapping: sheet, columns, values, people, dates, policies -------------------------------


def _has_field(kind: ImportKind, name: str | None = None, *, type_: str | None = None) -> bool:
    return any(
        (name is None or item.name == name) and (type_ is None or item.type == type_)
        for item in mapping.fields(kind.value)
    )


def _date_orders(kind: ImportKind, table: Table, options: ImportOptions) -> list[str]:
    """The orders the file's dates can be read in, when it is ambiguous (else empty)."""
    cells: list[Any] = []
    for index, name in enumerate(options.columns):
        if name and mapping.field(kind.value, name).type == mapping.DATE:
            cells += [row.cells[index] for row in table.rows if index < len(row.cells)]
    orders = parse.date_orders(cell for cell in cells if cell not in (None, ""))
    return orders if len(orders) > 1 else []


def _mapping(
    request: Request,
    session: Session,
    job: ImportJob,
    *,
    user: User,
    options: ImportOptions | None = None,
    error: DomainError | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    table = engine.load_table(job, session=session)
    options = options or engine.options_of(job)
    analysis = engine.propose(job, table, options, session=session)
    kind = job.kind.value
    columns = []
    for index, header in enumerate(table.headers):
        chosen = options.columns[index] if index < len(options.columns) else None
        examples = []
        for row in table.rows:
            cell = row.cells[index] if index < len(row.cells) else None
            shown = "" if cell is None else str(cell).strip()
            if shown and shown not in examples:
                examples.append(shown[:60])
            if len(examples) >= EXAMPLES:
                break
        columns.append({"index": index, "header": header, "chosen": chosen, "examples": examples})
    headers_by_field = {
        name: table.headers[index]
        for index, name in enumerate(options.columns)
        if name and index < len(table.headers)
    }
    value_maps = [
        {
            "field": mapping.field(kind, name),
            "header": headers_by_field.get(name, ""),
            "values": sorted(found.items(), key=lambda item: item[0].casefold()),
        }
        for name, found in analysis.values.items()
        if found
    ]
    context = {
        "job": job,
        "table": table,
        "fields": mapping.fields(kind),
        "columns": columns,
        "value_maps": value_maps,
        "people_found": sorted(analysis.people.items(), key=lambda item: item[0].casefold()),
        "users": sorted(active_brokers(session), key=lambda u: u.full_name.casefold()),
        "date_orders": _date_orders(job.kind, table, options),
        "date_order_labels": DATE_ORDER_LABELS,
        "options": analysis.options,
        "asks_company_policy": _has_field(job.kind, type_=mapping.COMPANY),
        "asks_follow_ups": _has_field(job.kind, "follow_up_on"),
        "company_policy_labels": COMPANY_POLICY_LABELS,
        "duplicate_policy_labels": DUPLICATE_POLICY_LABELS,
        "error": error,
        "notice": notice,
        "may_discard": may_discard(user, job),
        **_labels(),
    }
    return render(request, "imports/mapping.html", context, status_code=status_code)


class OptionsForm(BaseModel):
    # One per column of the file, in order: a field name, or "" for Ignorera.
    column: list[str] = []
    # The value maps as three parallel lists: field, the file's value, Matcha's value.
    value_field: list[str] = []
    value_raw: list[str] = []
    value_choice: list[str] = []
    # The people: a name in the file, and a user id or "".
    person_name: list[str] = []
    person_user: list[str] = []
    date_order: str = ""
    company_policy: str = CompanyPolicy.reject.value
    duplicate_policy: str = DuplicatePolicy.skip.value
    mark_past_follow_ups_done: str = ""
    # "preview" goes on to the preview; "propose" shows the mapping again after a change.
    step: str = "preview"


def _chosen_options(
    job: ImportJob, table: Table, form: OptionsForm, *, session: Session, locale: str
) -> ImportOptions:
    """The form as ImportOptions, every value checked; ValidationFailed when one is wrong."""
    kind = job.kind.value
    names = {item.name: item for item in mapping.fields(kind)}
    if len(form.column) != len(table.headers) or any(
        name and name not in names for name in form.column
    ):
        raise ValidationFailed(UNKNOWN_FIELD, field="columns")
    columns: list[str | None] = [name or None for name in form.column]
    for name in dict.fromkeys(name for name in columns if name):
        used = [table.headers[i] for i, chosen in enumerate(columns) if chosen == name]
        if len(used) > 1:
            raise ValidationFailed(
                FIELD_TWICE,
                field="columns",
                # The message is translated where it is shown; the label it names must be
                # translated here, or an English page would name the field in Swedish.
                variables={
                    "field": i18n.translate(locale, names[name].label),
                    "columns": ", ".join(used),
                },
            )
    chosen_values: dict[str, dict[str, str]] = {}
    for name, raw, value in zip(form.value_field, form.value_raw, form.value_choice, strict=False):
        item = names.get(name)
        if item is None or item.choices is None or (value and value not in item.choices):
            raise ValidationFailed(UNKNOWN_CHOICE, field="values", variables={"value": raw})
        chosen_values.setdefault(name, {})[raw] = value
    user_ids = {str(user.id) for user in active_brokers(session)}
    people: dict[str, str] = {}
    for person, user_id in zip(form.person_name, form.person_user, strict=False):
        if user_id and user_id not in user_ids:
            raise ValidationFailed(UNKNOWN_USER, field="people", variables={"name": person})
        people[person] = user_id
    if form.date_order and form.date_order not in parse.ORDERS:
        raise ValidationFailed(UNKNOWN_ORDER, field="date_order")
    try:
        company_policy = CompanyPolicy(form.company_policy)
        duplicate_policy = DuplicatePolicy(form.duplicate_policy)
    except ValueError:
        raise ValidationFailed(UNKNOWN_POLICY, field="policy") from None
    before = engine.options_of(job)
    return ImportOptions(
        columns=columns,
        values=chosen_values,
        people=people,
        date_order=form.date_order or None,
        company_policy=company_policy,
        duplicate_policy=duplicate_policy,
        # Asked only of kinds with follow-ups; the others keep what they had.
        mark_past_follow_ups_done=form.mark_past_follow_ups_done == "on"
        if _has_field(job.kind, "follow_up_on")
        else before.mark_past_follow_ups_done,
    )


def _reviewed_fields(kind: ImportKind, columns: list[str | None]) -> set[str]:
    """Mapped fields whose values the user maps (choices, people) or reads (dates)."""
    asked = {mapping.CHOICE, mapping.PERSON, mapping.DATE}
    return {name for name in columns if name and mapping.field(kind.value, name).type in asked}


@router.post("/imports/{job_id:int}/options")
def save_options(
    request: Request,
    user: Editor,
    session: SessionDep,
    job: JobDep,
    form: Annotated[OptionsForm, Form()],
) -> Response:
    if job.status != ImportStatus.analysed:
        return see_other(request, f"/imports/{job.id}")
    table = engine.load_table(job, session=session)
    try:
        options = _chosen_options(job, table, form, session=session, locale=locale_of(request))
        before = engine.options_of(job)
        # Values and people of newly mapped columns get proposals; what was chosen stays.
        options = engine.propose(job, table, options, session=session).options
        engine.set_options(job, options, session=session)
    except DomainError as error:
        session.rollback()
        return _mapping(
            request, session, job, user=user, error=error, status_code=error.http_status
        )
    session.commit()
    changed = _reviewed_fields(job.kind, options.columns) != _reviewed_fields(
        job.kind, before.columns
    )
    if form.step != "preview" or changed:
        response = see_other(request, f"/imports/{job.id}")
        if changed:
            flash.add(response, request, translate(request, COLUMNS_CHANGED), "notice")
        return response
    return see_other(request, f"/imports/{job.id}/preview")


@router.post("/imports/{job_id:int}/sheet")
def choose_sheet(
    request: Request,
    user: Editor,
    session: SessionDep,
    job: JobDep,
    settings: SettingsDep,
    sheet: Annotated[str, Form()] = "",
) -> Response:
    """Another sheet of the workbook: its columns are proposed afresh. It is read under
    the limits, like a new upload, before anything is written."""
    if job.status != ImportStatus.analysed:
        return see_other(request, f"/imports/{job.id}")
    previous = job.sheet
    try:
        table = engine.load_table(
            job, session=session, sheet=sheet[:100], limits=Limits.of(settings)
        )
        job.sheet = table.sheet
        job.rows_total = len(table.rows)
        fresh = ImportOptions(columns=mapping.propose_columns(job.kind.value, table.headers))
        options = engine.propose(job, table, fresh, session=session).options
        engine.set_options(job, options, session=session)
    except DomainError as error:
        session.rollback()
        job.sheet = previous
        return _mapping(
            request, session, job, user=user, error=error, status_code=error.http_status
        )
    session.commit()
    return see_other(request, f"/imports/{job.id}")


# --- preview and commit -------------------------------------------------------------------


@router.get("/imports/{job_id:int}/preview")
def preview(
    request: Request, user: Editor, session: SessionDep, clock: ClockDep, job: JobDep
) -> Response:
    if job.status != ImportStatus.analysed:
        return see_other(request, f"/imports/{job.id}")
    # Every row is planned (the totals are the whole file's); the first ones are shown,
    # then further rows with problems, so the errors can be fixed before importing.
    plan = engine.preview(job, user=user, session=session, clock=clock, limit=None)
    options = engine.options_of(job)
    table = engine.load_table(job, session=session, max_rows=0)
    shown = [
        {"name": name, "header": table.headers[index] if index < len(table.headers) else ""}
        for index, name in enumerate(options.columns)
        if name
    ]
    kind = job.kind.value
    fields = {item.name: item for item in mapping.fields(kind)}
    users = {str(u.id): u.full_name for u in active_brokers(session)}
    rows = plan.rows[:PREVIEW_ROWS]
    more = [row for row in plan.rows[PREVIEW_ROWS:] if row.problems][:MORE_PROBLEM_ROWS]
    locale = locale_of(request)
    context = {
        "job": job,
        "rows": [(row, _stored(row, options, fields, users, locale)) for row in rows],
        "more_failing": [(row, _stored(row, options, fields, users, locale)) for row in more],
        "failing_total": plan.count(Action.fail),
        "total": plan.total,
        "counts": {action: plan.count(action) for action in Action},
        "shown": shown,
        "fields": fields,
        "may_discard": may_discard(user, job),
        **_labels(),
    }
    return render(request, "imports/preview.html", context)


def _stored(
    row: Any,
    options: ImportOptions,
    fields: dict[str, mapping.Field],
    users: dict[str, str],
    locale: str,
) -> dict[str, str]:
    """A row's values as they will be stored, as the user reads them: a choice by its
    label, a person by the user's name (the kinds keep the user's id outside `values`)."""
    shown: dict[str, str] = {}
    for index, name in enumerate(options.columns):
        if not name:
            continue
        item = fields[name]
        value = row.values.get(name, "")
        if item.type == mapping.PERSON and not value and index < len(row.cells):
            value = options.people.get(row.cells[index].strip(), "")
        if value and item.type == mapping.CHOICE and item.choices and value in item.choices:
            value = i18n.translate(locale, item.choices[value])
        elif value and item.type == mapping.PERSON:
            value = users.get(value, value)
        shown[name] = value
    return shown


@router.post("/imports/{job_id:int}/queue")
def queue_import(request: Request, user: Editor, session: SessionDep, job: JobDep) -> Response:
    try:
        engine.queue(job, session=session)
    except DomainError as error:
        session.rollback()
        return _job_page(request, session, job, error=error, status_code=error.http_status)
    session.commit()
    response = see_other(request, f"/imports/{job.id}")
    flash.add(response, request, translate(request, "Importen har startat."))
    return response


@router.post("/imports/{job_id:int}/discard")
def discard_import(request: Request, user: Editor, session: SessionDep, job: JobDep) -> Response:
    """Gives up an import not yet started: the job and its file are removed."""
    if job.user_id != user.id and user.role != Role.admin:
        raise HTTPException(status_code=403)
    job_id, file_name = job.id, job.file_name
    try:
        jobs.discard(job, session=session)
    except DomainError as error:
        session.rollback()
        job = engine.get(job_id, session=session)  # type: ignore[arg-type]
        return _job_page(request, session, job, error=error, status_code=error.http_status)
    session.commit()
    response = see_other(request, "/imports")
    flash.add(
        response, request, translate(request, "Importen av %(file)s är borttagen.", file=file_name)
    )
    return response


# --- the result ---------------------------------------------------------------------------


@router.get("/imports/{job_id:int}/failed.csv")
def failed_rows(user: Editor, session: SessionDep, job: JobDep) -> Response:
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    return Response(
        engine.failed_rows_csv(job, session=session),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}_misslyckade_rader.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/imports/{job_id:int}/undo")
def undo_import(
    request: Request, user: Editor, session: SessionDep, clock: ClockDep, job: JobDep
) -> Response:
    job_id = job.id
    try:
        undo.undo(job, user=user, session=session, clock=clock)
    except DomainError as error:
        session.rollback()
        job = engine.get(job_id, session=session)  # type: ignore[arg-type]
        return _job_page(request, session, job, error=error, status_code=error.http_status)
    session.commit()
    response = see_other(request, f"/imports/{job_id}")
    flash.add(response, request, translate(request, "Importen är ångrad."))
    return response
