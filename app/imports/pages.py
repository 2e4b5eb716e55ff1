"""What the import's pages share: the label tables, who may give up an import, and the
mapping page (columns, values, people, dates, policies) that the job's page shows until
the import is started."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth.models import Role, User
from app.errors import DomainError
from app.i18n import N_
from app.imports import engine, mapping
from app.imports import values as parse
from app.imports.links import active_brokers
from app.imports.models import STATUS_LABELS, ImportJob, ImportKind, ImportStatus
from app.imports.options import CompanyPolicy, DuplicatePolicy, ImportOptions
from app.imports.reading import Table
from app.imports.rows import Action
from app.templating import render

KIND_LABELS = {
    ImportKind.companies: N_("Företag"),
    ImportKind.contacts: N_("Kontaktpersoner"),
    ImportKind.activities: N_("Aktiviteter (samtalslogg)"),
    ImportKind.assignments: N_("Rekryteringsuppdrag"),
    ImportKind.agreements: N_("Avtal"),
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
# Preview: the first rows as they would be stored, then further rows with problems.
PREVIEW_ROWS = engine.PREVIEW_ROWS
# Cells of a column shown as examples beside its mapping.
EXAMPLES = 3


def may_discard(user: User, job: ImportJob) -> bool:
    """Who may give up an import not yet started: whoever uploaded it, or an admin."""
    return job.status == ImportStatus.analysed and (
        job.user_id == user.id or user.role == Role.admin
    )


def labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "ImportStatus": ImportStatus,
        "Action": Action,
    }


def people(session: Session, ids: set[int | None]) -> dict[int, User]:
    found = (session.get(User, i) for i in ids if i is not None)
    return {person.id: person for person in found if person is not None}


def has_field(kind: ImportKind, name: str | None = None, *, type_: str | None = None) -> bool:
    return any(
        (name is None or item.name == name) and (type_ is None or item.type == type_)
        for item in mapping.fields(kind.value)
    )


def date_orders(kind: ImportKind, table: Table, options: ImportOptions) -> list[str]:
    """The orders the file's dates can be read in, when it is ambiguous (else empty)."""
    cells: list[Any] = []
    for index, name in enumerate(options.columns):
        if name and mapping.field(kind.value, name).type == mapping.DATE:
            cells += [row.cells[index] for row in table.rows if index < len(row.cells)]
    orders = parse.date_orders(cell for cell in cells if cell not in (None, ""))
    return orders if len(orders) > 1 else []


def mapping_page(
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
        "date_orders": date_orders(job.kind, table, options),
        "date_order_labels": DATE_ORDER_LABELS,
        "options": analysis.options,
        "asks_company_policy": has_field(job.kind, type_=mapping.COMPANY),
        "asks_follow_ups": has_field(job.kind, "follow_up_on"),
        "company_policy_labels": COMPANY_POLICY_LABELS,
        "duplicate_policy_labels": DUPLICATE_POLICY_LABELS,
        "error": error,
        "notice": notice,
        "may_discard": may_discard(user, job),
        **labels(),
    }
    return render(request, "imports/mapping.html", context, status_code=status_code)
