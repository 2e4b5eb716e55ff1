"""The import wizard's middle steps: map the sheet's columns, values, people, dates and
policies (or choose another sheet of the workbook), then preview the rows as they would
be stored. The mapping page itself: pages.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app import i18n, saving
from app.auth.deps import Editor
from app.auth.models import User
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import DomainError, ValidationFailed
from app.i18n import N_
from app.imports import engine, mapping, pages
from app.imports import values as parse
from app.imports.bounds import Limits
from app.imports.deps import JobDep
from app.imports.links import active_brokers
from app.imports.models import ImportJob, ImportKind, ImportStatus
from app.imports.options import CompanyPolicy, DuplicatePolicy, ImportOptions
from app.imports.reading import Table
from app.imports.rows import Action
from app.templating import locale_of, render, see_other

router = APIRouter()

# Preview: further rows with problems, after the first rows.
MORE_PROBLEM_ROWS = 50

FIELD_TWICE = N_("%(field)s är vald för flera kolumner: %(columns)s. Välj den för en kolumn.")
UNKNOWN_FIELD = N_("Välj ett fält eller Ignorera för varje kolumn.")
UNKNOWN_CHOICE = N_("Välj ett av Matchas värden för ”%(value)s”.")
UNKNOWN_USER = N_("Välj en användare för ”%(name)s”, eller ingen.")
UNKNOWN_ORDER = N_("Välj en datumordning i listan.")
UNKNOWN_POLICY = N_("Välj vad som ska hända i listan.")
COLUMNS_CHANGED = N_(
    "Kolumnerna är ändrade. Kontrollera värdena och personerna nedan och förhandsgranska sedan."
)


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
        if pages.has_field(job.kind, "follow_up_on")
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
    with saving.attempt(session, refused=_refused_on_mapping(request, session, job, user)):
        options = _chosen_options(job, table, form, session=session, locale=locale_of(request))
        before = engine.options_of(job)
        # Values and people of newly mapped columns get proposals; what was chosen stays.
        options = engine.propose(job, table, options, session=session).options
        engine.set_options(job, options, session=session)
    changed = _reviewed_fields(job.kind, options.columns) != _reviewed_fields(
        job.kind, before.columns
    )
    if changed:
        return saving.saved(
            request, session, f"/imports/{job.id}", COLUMNS_CHANGED, category="notice"
        )
    url = f"/imports/{job.id}" + ("/preview" if form.step == "preview" else "")
    return saving.saved(request, session, url)


def _refused_on_mapping(
    request: Request, session: Session, job: ImportJob, user: User
) -> saving.Refused:
    """A refused mapping shows the mapping page again, with the reason."""

    def answer(error: DomainError) -> Response:
        return pages.mapping_page(
            request, session, job, user=user, error=error, status_code=error.http_status
        )

    return answer


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

    def refused(error: DomainError) -> Response | None:
        job.sheet = previous
        return _refused_on_mapping(request, session, job, user)(error)

    with saving.attempt(session, refused=refused):
        table = engine.load_table(
            job, session=session, sheet=sheet[:100], limits=Limits.of(settings)
        )
        job.sheet = table.sheet
        job.rows_total = len(table.rows)
        fresh = ImportOptions(columns=mapping.propose_columns(job.kind.value, table.headers))
        options = engine.propose(job, table, fresh, session=session).options
        engine.set_options(job, options, session=session)
    return saving.saved(request, session, f"/imports/{job.id}")


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
    rows = plan.rows[: pages.PREVIEW_ROWS]
    more = [row for row in plan.rows[pages.PREVIEW_ROWS :] if row.problems][:MORE_PROBLEM_ROWS]
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
        "may_discard": pages.may_discard(user, job),
        **pages.labels(),
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
