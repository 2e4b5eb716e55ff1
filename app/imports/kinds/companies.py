"""Importing companies: each row through the company service (its form and rules),
matched to the register by org.nr, else by normalised name."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.companies import service as companies
from app.companies.models import Company
from app.history import service as history
from app.imports.kinds.base import (
    HOW,
    MATCH_CREATE,
    MATCH_SKIP,
    MATCH_UPDATE,
    Context,
    Kind,
    display,
    note_duplicate,
)
from app.imports.links import company_key, match_key, org_number_or_none
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem

# Import fields that are the company form's own, as typed.
FORM_FIELDS = tuple(
    name
    for name in companies.CompanyForm.model_fields
    if name not in ("owner_id", "version", "confirm_duplicate")
)
RESTORED = (*companies.TRACKED_FIELDS, "owner_id")


class CompanyKind(Kind):
    entity = "company"
    model = Company

    def plan(self, raw: dict[str, str], row: PlannedRow, ctx: Context) -> None:
        typed = self.parse(raw, row, ctx)
        fields = {name: typed[name] for name in FORM_FIELDS if typed.get(name)}
        form = companies.CompanyForm(
            **fields, owner_id=typed.get("owner", ""), confirm_duplicate=True
        )
        columns = {**ctx.columns, "owner_id": ctx.columns.get("owner", "")}
        cleaned, problems = self.validate(
            lambda f: companies.clean(f, session=ctx.session), form, columns
        )
        row.problems.extend(problems)
        row.form = form
        # Only what the file says: an update leaves the fields it has no column for.
        row.values = {name: value for name, value in typed.items() if name in FORM_FIELDS}
        if cleaned is not None:
            row.values = display({k: cleaned.values.get(k, v) for k, v in fields.items()})
        org_number = org_number_or_none(form.org_number)
        row.key = company_key(org_number, form.name)
        earlier = note_duplicate(row, ctx, company_key(None, form.name))
        found, how = ctx.companies.find(org_number, form.name)
        if found is None and earlier is not None:
            how = "org_number" if org_number else "name"
        if found is None and earlier is None:
            row.action = Action.create
        else:
            policy = ctx.options.duplicate_policy
            variables = {"how": HOW[how]}
            if policy == DuplicatePolicy.skip:
                row.action = Action.skip
                row.notes.append(Problem(MATCH_SKIP, None, variables))
            elif policy == DuplicatePolicy.update:
                row.action = Action.update
                row.notes.append(Problem(MATCH_UPDATE, None, variables))
            elif how == "org_number":
                row.problems.append(
                    Problem(
                        companies.DuplicateSuspected([], same_org_number=True).message,
                        ctx.columns.get("org_number"),
                    )
                )
            else:
                row.action = Action.create
                row.notes.append(Problem(MATCH_CREATE, None, variables))
        if row.problems:
            row.action = Action.fail

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        form: companies.CompanyForm = row.form
        org_number = org_number_or_none(form.org_number)
        found, _how = ctx.companies.find(org_number, form.name)
        policy = ctx.options.duplicate_policy
        if found is not None and policy == DuplicatePolicy.skip:
            return Action.skip
        if found is not None and policy == DuplicatePolicy.update:
            company = ctx.session.get(Company, found)
            assert company is not None
            tags = companies.tag_names(company.id, session=ctx.session)  # type: ignore[arg-type]
            merged = companies.CompanyForm.from_company(company, tags)
            for name in row.values:
                if name in FORM_FIELDS:
                    setattr(merged, name, getattr(form, name))
            if form.owner_id:
                merged.owner_id = form.owner_id
            before = self.snapshot(company, ctx.session)
            version = company.version
            companies.update(company, merged, user=ctx.user, session=ctx.session, clock=ctx.clock)
            if company.version == version:
                return Action.skip  # nothing new in the row
            ctx.remember("company", company, "updated", before)
            return Action.update
        company = companies.create(form, user=ctx.user, session=ctx.session, clock=ctx.clock)
        ctx.companies.add(
            company.id,  # type: ignore[arg-type]
            company.org_number,
            match_key(company.name, company.name_key),
        )
        ctx.remember("company", company, "created")
        return Action.create

    def label(self, record: Any, session: Session) -> str:
        return str(record.name)

    def snapshot(self, record: Any, session: Session) -> dict[str, Any]:
        return {
            **history.snapshot(record, RESTORED),
            "tags": ", ".join(companies.tag_names(record.id, session=session)),
        }

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        form = companies.CompanyForm(
            **{k: "" if v is None else str(v) for k, v in before.items()}, confirm_duplicate=True
        )
        companies.update(record, form, user=ctx.user, session=ctx.session, clock=ctx.clock)

    def company_id(self, record: Any) -> int | None:
        return None
