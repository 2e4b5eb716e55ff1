"""Importing agreements: each row through the agreement service (its form and rules: a
sent one needs the day it was sent, a signed one the day it was signed, valid from not
after valid to) on its company (by org.nr, else by normalised name). The signatories are
the company's contact persons by name, created when missing as an activity's contact is;
the assignment is one of the company's, by occupation; who signed for the unit is a user
as the user mapped the names. A row without a status is signed when it has the day it
was signed, sent when it has the day it was sent, else a draft."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from app.agreements import service as agreements
from app.agreements.form import MAX_SIGNATORIES, AgreementForm, clean
from app.agreements.models import KIND_LABELS, Agreement, AgreementState
from app.assignments.models import Assignment
from app.companies.models import Company
from app.contacts.models import Contact
from app.i18n import N_
from app.imports import values as parse
from app.imports.bounds import Cell
from app.imports.kinds.base import (
    MATCH_CREATE,
    MATCH_SKIP,
    Context,
    Kind,
    display,
    note_duplicate,
    plan_company,
    resolve_company,
)
from app.imports.kinds.contacts import company_part, link_contact, plan_contact_link
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem
from app.query import select_columns, table_of
from app.text import fold

DATES = ("sent_on", "signed_on", "valid_from", "valid_to")
HOW = N_("samma slags avtal med samma datum på samma företag")
NO_ASSIGNMENT = N_("Företaget har inget uppdrag ”%(name)s”.")
TOO_MANY_SIGNATORIES = N_("Välj högst %(max)s undertecknare.")  # the form's own words
# The export joins the names with ", "; a sheet may use ";" or a new line.
_NAME_SEPARATORS = re.compile(r"[,;\n]")
_NAME_LENGTH: int = getattr(table_of(Contact).c["name"].type, "length", None) or 200


def _match_key(form: AgreementForm) -> tuple[str, ...]:
    return (form.kind, *(getattr(form, name) for name in DATES))


def registered(company_id: int, ctx: Context) -> set[tuple[str, ...]]:
    """The company's agreements as match keys, loaded once per company and import."""
    cache: dict[int, set[tuple[str, ...]]] = ctx.lookups.setdefault("agreements", {})
    if company_id not in cache:
        rows = ctx.session.exec(
            select_columns(
                Agreement.kind,
                Agreement.sent_on,
                Agreement.signed_on,
                Agreement.valid_from,
                Agreement.valid_to,
            ).where(col(Agreement.company_id) == company_id)
        ).all()
        cache[company_id] = {
            (str(kind), *(day.isoformat() if day else "" for day in days)) for kind, *days in rows
        }
    return cache[company_id]


def assignment_of(company_id: int, occupation: str, ctx: Context) -> int | None:
    """The company's assignment of that occupation (the newest, if several)."""
    cache: dict[int, dict[str, int]] = ctx.lookups.setdefault("agreement_assignments", {})
    if company_id not in cache:
        rows = ctx.session.exec(
            select(Assignment.id, Assignment.occupation)
            .where(Assignment.company_id == company_id)
            .order_by(col(Assignment.id).desc())
        ).all()
        found: dict[str, int] = {}
        for assignment_id, name in rows:
            found.setdefault(fold(name), assignment_id)
        cache[company_id] = found
    return cache[company_id].get(fold(occupation))


def signatory_names(cell: str) -> list[str]:
    """The names in the cell, each once, in the cell's order."""
    names: dict[str, str] = {}
    for part in _NAME_SEPARATORS.split(cell):
        name = " ".join(part.split())
        if name:
            names.setdefault(fold(name), name)
    return list(names.values())


def state_of(typed: dict[str, str]) -> str:
    """The row's status; without one, what its dates say."""
    if typed.get("state"):
        return typed["state"]
    if typed.get("signed_on"):
        return AgreementState.signed.value
    if typed.get("sent_on"):
        return AgreementState.sent.value
    return AgreementState.draft.value


class AgreementImport(Kind):
    entity = "agreement"
    model = Agreement

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        typed = self.parse(raw, row, ctx)
        ref = plan_company(typed, row, ctx)
        found, _how = ctx.companies.find(ref.org_number, ref.name) if ref else (None, "")
        names = self._signatories(typed.get("signatories", ""), row, ctx)
        occupation = " ".join(typed.get("assignment", "").split())
        assignment_id = assignment_of(found, occupation, ctx) if found and occupation else None
        if occupation and assignment_id is None and ref is not None:
            column = ctx.columns.get("assignment")
            row.problems.append(Problem(NO_ASSIGNMENT, column, {"name": occupation}))
        form = AgreementForm.model_validate(
            {
                "kind": typed.get("kind", ""),
                "state": state_of(typed),
                **{name: typed.get(name, "") for name in DATES},
                "unit_signatory_id": typed.get("unit_signatory", ""),
                "assignment_id": str(assignment_id or ""),
                "notes": typed.get("notes", ""),
            }
        )
        columns = {
            **ctx.columns,
            "unit_signatory_id": ctx.columns.get("unit_signatory", ""),
            "assignment_id": ctx.columns.get("assignment", ""),
            "signatory_ids": ctx.columns.get("signatories", ""),
        }
        cleaned, problems = self.validate(
            lambda f: clean(f, found or 0, session=ctx.session, clock=ctx.clock), form, columns
        )
        # A cell that could not be read has said so: "a signed one needs the day it was
        # signed" would only repeat it.
        unread = {problem.column for problem in row.problems if problem.column}
        row.problems.extend(p for p in problems if p.column is None or p.column not in unread)
        row.form = (form, names)
        row.company = ref
        shown: dict[str, Any] = {
            "kind": form.kind,
            "state": form.state,
            **{name: getattr(form, name) for name in DATES},
            "notes": form.notes,
        }
        if cleaned is not None:
            shown = {name: cleaned[0].get(name, value) for name, value in shown.items()}
        row.values = display(
            {
                **shown,
                "company": ref.name if ref else typed.get("company", ""),
                "signatories": ", ".join(names),
                "unit_signatory": form.unit_signatory_id,
                "assignment": occupation,
            }
        )
        if ref is None or row.problems:
            row.action = Action.fail
            return
        for name in names:
            plan_contact_link(name, ref, row, ctx, field="signatories")
        match = _match_key(form)
        row.key = ("agreement", company_part(ref, ctx), *match)
        earlier = note_duplicate(row, ctx)
        in_register = found is not None and match in registered(found, ctx)
        if not in_register and earlier is None:
            row.action = Action.create
        elif ctx.options.duplicate_policy == DuplicatePolicy.create:
            row.action = Action.create
            row.notes.append(Problem(MATCH_CREATE, None, {"how": HOW}))
        else:
            # An agreement is not "updated" from a sheet: skip and update both skip.
            row.action = Action.skip
            row.notes.append(Problem(MATCH_SKIP, None, {"how": HOW}))

    @staticmethod
    def _signatories(cell: str, row: PlannedRow, ctx: Context) -> list[str]:
        names = signatory_names(cell)
        column = ctx.columns.get("signatories")
        if len(names) > MAX_SIGNATORIES:
            row.problems.append(Problem(TOO_MANY_SIGNATORIES, column, {"max": MAX_SIGNATORIES}))
        for name in names:
            if len(name) > _NAME_LENGTH:
                variables = {"max_length": _NAME_LENGTH, "length": len(name)}
                row.problems.append(Problem(parse.TOO_LONG, column, variables))
        return names

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        form, names = row.form
        company = resolve_company(row.company, ctx)
        match = _match_key(form)
        seen = registered(company.id, ctx)
        if match in seen and ctx.options.duplicate_policy != DuplicatePolicy.create:
            return Action.skip
        signatories = [link_contact(name, company, ctx) for name in names]
        form = form.model_copy(update={"signatory_ids": [str(i) for i in signatories if i]})
        agreement = agreements.create(
            company, form, user=ctx.user, session=ctx.session, clock=ctx.clock
        )
        seen.add(match)
        ctx.remember("agreement", agreement, "created")
        return Action.create

    def label(self, record: Any, session: Session) -> str:
        company = session.get(Company, record.company_id)
        return f"{KIND_LABELS[record.kind]} ({company.name if company else '#'})"

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        raise NotImplementedError("an import never updates an agreement")
