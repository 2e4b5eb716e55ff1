"""What every kind of import shares: parsing the file's values by type, collecting every
problem the service's own validation finds, linking rows to companies, and recording
what was written so it can be undone."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel, col

from app.auth.models import User
from app.clock import Clock
from app.companies import orgnr
from app.companies import service as companies
from app.companies.models import Company
from app.errors import DomainError, ValidationFailed
from app.i18n import N_
from app.imports import values as parse
from app.imports.bounds import Cell
from app.imports.links import CompanyIndex, company_key, match_key
from app.imports.mapping import CHOICE, DATE, INTEGER, PERSON, TEXT
from app.imports.mapping import field as field_spec
from app.imports.models import ImportedRecord
from app.imports.options import CompanyPolicy, ImportOptions
from app.imports.rows import Action, PlannedRow, Problem, text
from app.query import table_of


@dataclass
class Context:
    """One import's state: the session, who imports, the choices, what is known."""

    session: Session
    clock: Clock
    user: User
    options: ImportOptions
    companies: CompanyIndex
    # Import field -> the header of the column it comes from (problems name the column).
    columns: dict[str, str] = field(default_factory=dict)
    job_id: int | None = None
    # Key -> the first row of the file with it: duplicates inside the file.
    seen: dict[Any, int] = field(default_factory=dict)
    # (entity, id) -> what this job recorded of it (None: recorded by remember_many).
    records: dict[tuple[str, int], ImportedRecord | None] = field(default_factory=dict)
    # Unknown companies the plan will create, by company_key: the first row naming them.
    new_companies: dict[str, int] = field(default_factory=dict)
    # What a kind loads once per import to match rows (the register's contacts, ...).
    lookups: dict[str, Any] = field(default_factory=dict)
    _specs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def specs(self, kind: str) -> dict[str, Any]:
        """The mapped fields' specifications (app/imports/mapping.py) by name."""
        if kind not in self._specs:
            self._specs[kind] = {
                name: field_spec(kind, name) for name in self.options.columns if name
            }
        return self._specs[kind]

    def remember(
        self, entity: str, record: Any, action: str, before: dict[str, Any] | None = None
    ) -> None:
        """Records what the job wrote: once per record, with its version after the import
        and, for an update, the values before the first change."""
        key = (entity, record.id)
        if key in self.records:
            known = self.records[key]
            if known is None:
                self.session.execute(
                    update(ImportedRecord)
                    .where(
                        col(ImportedRecord.job_id) == self.job_id,
                        col(ImportedRecord.entity) == entity,
                        ImportedRecord.entity_id == record.id,
                    )
                    .values(version=record.version)
                )
            else:
                known.version = record.version
                self.session.add(known)
            return
        if self.job_id is None:
            raise RuntimeError("an import records what it wrote only while a job runs")
        entry = ImportedRecord(
            job_id=self.job_id,
            entity=entity,
            entity_id=record.id,
            action=action,
            version=record.version,
            before=before,
        )
        self.session.add(entry)
        self.records[key] = entry

    def remember_many(self, entity: str, ids: list[int], action: str) -> None:
        """remember() for records this job just created, at version 1, in one statement."""
        if not ids:
            return
        self.session.execute(
            insert(table_of(ImportedRecord)),
            [
                {
                    "job_id": self.job_id,
                    "entity": entity,
                    "entity_id": i,
                    "action": action,
                    "version": 1,
                }
                for i in ids
            ],
        )
        self.records.update(((entity, i), None) for i in ids)


UNKNOWN_VALUE = N_("Okänt värde ”%(value)s”: välj vad det motsvarar i Matcha.")
UNKNOWN_COMPANY = N_("Företaget ”%(name)s” finns inte i registret.")
NO_COMPANY = N_("Ange företagets namn eller organisationsnummer.")
PARTNER_NUMBER = N_(
    "Organisationsnumret %(number)s tillhör en samverkanspart, inte en arbetsgivare: "
    "importen lägger inget på samverkanspartner."
)
NEW_COMPANY = N_("Företaget ”%(name)s” skapas.")
DUPLICATE_IN_FILE = N_("Samma som rad %(row)s i filen.")
MATCH_SKIP = N_("Finns redan (%(how)s): hoppas över.")
MATCH_UPDATE = N_("Finns redan (%(how)s): uppdateras.")
MATCH_CREATE = N_("Finns redan (%(how)s): skapas ändå.")
HOW = {"org_number": N_("samma organisationsnummer"), "name": N_("samma namn")}


class Kind:
    entity = ""
    model: type[SQLModel]

    # --- reading a row ------------------------------------------------------------------

    def parse(self, raw: dict[str, Any], row: PlannedRow, ctx: Context) -> dict[str, str]:
        """The row's cells as the service's form takes them, by the field's type
        (app/imports/mapping.py): dates as ÅÅÅÅ-MM-DD, numbers as digits, choices as
        Matcha's values, people as user ids; a cell that cannot be read is a problem."""
        typed: dict[str, str] = {}
        specs = ctx.specs(ctx_kind(self))
        for name, value in raw.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                typed[name] = ""
                continue
            spec = specs[name]
            try:
                if spec.type == TEXT:
                    typed[name] = parse.parse_text(value, max_length=spec.max_length) or ""
                elif spec.type == DATE:
                    day = parse.parse_date(value, order=ctx.options.date_order)
                    typed[name] = day.isoformat() if day else ""
                elif spec.type == INTEGER:
                    number = parse.parse_int(value)
                    typed[name] = "" if number is None else str(number)
                elif spec.type == CHOICE:
                    typed[name] = self.choice(spec, text(value), ctx)
                elif spec.type == PERSON:
                    typed[name] = ctx.options.people.get(text(value), "")
                else:
                    typed[name] = parse.parse_text(value, max_length=spec.max_length) or ""
            except parse.ValueProblem as error:
                variables = {k: str(v) for k, v in error.variables.items()}
                row.problems.append(Problem(error.message, ctx.columns.get(name), variables))
                typed[name] = ""
            except ValueError as error:
                row.problems.append(Problem(str(error), ctx.columns.get(name)))
                typed[name] = ""
            except ValidationFailed as error:
                row.problems.append(Problem.from_error(error, ctx.columns.get(name)))
                typed[name] = ""
        return typed

    def choice(self, spec: Any, value: str, ctx: Context) -> str:
        from app.imports import mapping

        chosen = ctx.options.values.get(spec.name, {}).get(value)
        if chosen is None:
            chosen = mapping.propose_value(ctx_kind(self), spec.name, value)
        if chosen is None or chosen not in (spec.choices or {}):
            raise ValidationFailed(UNKNOWN_VALUE, variables={"value": value})
        return chosen

    @staticmethod
    def validate(
        clean: Callable[[Any], Any], form: Any, columns: dict[str, str]
    ) -> tuple[Any, list[Problem]]:
        """The service's clean(), asked until it has no more to say: each problem it finds
        is noted and that field set to something harmless, so a row shows all its problems
        at once and the rules stay in the service. Returns (cleaned or None, problems)."""
        problems: list[Problem] = []
        tries: dict[str, int] = {}
        copied = False  # the caller's form is changed only on a copy, made when needed
        for _ in range(40):
            try:
                cleaned = clean(form)
            except ValidationFailed as error:
                name = error.field
                attempt = tries.get(name or "", 0)
                if attempt == 0:
                    problems.append(Problem.from_error(error, columns.get(name or "")))
                if name is None or name not in type(form).model_fields or attempt >= 2:
                    return None, problems
                tries[name] = attempt + 1
                if not copied:
                    form, copied = form.model_copy(), True
                default = type(form).model_fields[name].default
                setattr(form, name, default if attempt == 0 else "x")
                continue
            return (None if problems else cleaned), problems
        return None, problems

    # --- what a row means ---------------------------------------------------------------

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        """Fills in the row: the form, its problems, its key and what will happen to it."""
        raise NotImplementedError

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        """Stores one valid row through the services; raises DomainError to refuse it."""
        raise NotImplementedError

    def write_batch(
        self, rows: list[PlannedRow], ctx: Context
    ) -> Iterator[tuple[PlannedRow, Action | Problem]]:
        """Stores a batch of valid rows: what happened to each, or why the service refused
        it after all (e.g. someone took the org.nr meanwhile: a failed row, not a failed
        import). One row at a time unless the kind knows a faster way."""
        for row in rows:
            yield row, self.write_one(row, ctx)

    def write_one(self, row: PlannedRow, ctx: Context) -> Action | Problem:
        try:
            with ctx.session.begin_nested():
                return self.write(row, ctx)
        except DomainError as error:
            return Problem.from_error(error, ctx.columns.get(error.field or ""))

    def label(self, record: Any, session: Session) -> str:
        """How undo names a record that changed since the import."""
        raise NotImplementedError

    def snapshot(self, record: Any, session: Session) -> dict[str, Any]:
        """The values an update changes, to put back on undo."""
        return {}

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        raise NotImplementedError

    def company_id(self, record: Any) -> int | None:
        return getattr(record, "company_id", None)


def ctx_kind(kind: Kind) -> str:
    """The import kind's name as mapping.py knows it."""
    return {
        "company": "companies",
        "contact": "contacts",
        "activity": "activities",
        "assignment": "assignments",
        "agreement": "agreements",
    }[kind.entity]


# --- the company a contact, activity, assignment or agreement belongs to ------------------


@dataclass
class CompanyRef:
    name: str
    org_number: str | None
    key: str


def plan_company(typed: dict[str, str], row: PlannedRow, ctx: Context) -> CompanyRef | None:
    """Which company the row belongs to: found by org.nr, else by normalised name; an
    unknown one is created or refused as the user chose."""
    name = " ".join(typed.get("company", "").split())
    raw_number = typed.get("company_org_number", "")
    org_number = None
    if raw_number:
        try:
            org_number = orgnr.normalize(raw_number)
        except ValidationFailed as error:
            row.problems.append(Problem.from_error(error, ctx.columns.get("company_org_number")))
            return None
    if not name and not org_number:
        row.problems.append(Problem(NO_COMPANY, ctx.columns.get("company")))
        return None
    ref = CompanyRef(name=name, org_number=org_number, key=company_key(org_number, name))
    found, _how = ctx.companies.find(org_number, name)
    if found is not None:
        return ref
    if ctx.companies.of_partner(org_number):
        column = ctx.columns.get("company_org_number")
        row.problems.append(Problem(PARTNER_NUMBER, column, {"number": org_number}))
        return None
    if ctx.options.company_policy == CompanyPolicy.reject or not name:
        row.problems.append(
            Problem(UNKNOWN_COMPANY, ctx.columns.get("company"), {"name": name or raw_number})
        )
        return None
    if ref.key not in ctx.new_companies:
        ctx.new_companies[ref.key] = row.number
        row.notes.append(Problem(NEW_COMPANY, ctx.columns.get("company"), {"name": name}))
    return ref


def resolve_company(ref: CompanyRef, ctx: Context) -> Company:
    """The company at write time: found, or created now (once) and recorded as imported."""
    found, _how = ctx.companies.find(ref.org_number, ref.name)
    if found is not None:
        return ctx.session.get_one(Company, found)
    form = companies.CompanyForm(
        name=ref.name, org_number=ref.org_number or "", confirm_duplicate=True
    )
    company = companies.create(form, user=ctx.user, session=ctx.session, clock=ctx.clock)
    ctx.companies.add(
        company.id,
        company.org_number,
        match_key(company.name, company.name_key),
    )
    ctx.remember("company", company, "created")
    return company


def note_duplicate(row: PlannedRow, ctx: Context, *also: Any) -> int | None:
    """The earlier row of the file with the same key, if any (noted on the row). The row
    is known by its key and by `also` (a company by its org.nr and by its name), the way
    the register's companies are found by either."""
    first = ctx.seen.get(row.key)
    for key in (row.key, *also):
        ctx.seen.setdefault(key, row.number)
    if first is None:
        return None
    row.notes.append(Problem(DUPLICATE_IN_FILE, None, {"row": first}))
    return first


def display(values: dict[str, Any]) -> dict[str, str]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, enum.Enum):
            return str(value.value)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return str(value)

    return {name: text(value) for name, value in values.items()}


def refuse(error: DomainError, row: PlannedRow, ctx: Context) -> None:
    row.problems.append(Problem.from_error(error, ctx.columns.get(error.field or "")))
