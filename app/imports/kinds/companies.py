"""Importing companies: each row through the company service (its form and rules),
matched to the register by org.nr, else by normalised name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.agreements import service as agreements
from app.companies import service as companies
from app.companies.models import AgreementStatus, Company
from app.contacts import service as contacts
from app.history import service as history
from app.imports.bounds import Cell
from app.imports.kinds.base import (
    HOW,
    MATCH_CREATE,
    MATCH_SKIP,
    MATCH_UPDATE,
    PARTNER_NUMBER,
    Context,
    Kind,
    display,
    note_duplicate,
)
from app.imports.links import company_key, match_key, org_number_or_none
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem
from app.text import fold

# Import fields that are the company form's own, as typed.
FORM_FIELDS = tuple(
    name
    for name in companies.CompanyForm.model_fields
    # A sheet has no kind: its new companies are employers.
    if name not in ("kind", "owner_id", "version", "confirm_duplicate")
)
RESTORED = (*companies.TRACKED_FIELDS, "owner_id")
# The contact person a company row may carry (mapping.py's contact_* fields).
CONTACT_FIELDS = ("name", "title", "phone", "email")


class CompanyKind(Kind):
    entity = "company"
    model = Company

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        if "user_names" not in ctx.lookups:
            ctx.lookups["user_names"] = companies.user_names(session=ctx.session)
        typed = self.parse(raw, row, ctx)
        fields = {name: typed[name] for name in FORM_FIELDS if typed.get(name)}
        form = companies.CompanyForm.model_validate(
            {**fields, "owner_id": typed.get("owner", ""), "confirm_duplicate": True}
        )
        columns = {**ctx.columns, "owner_id": ctx.columns.get("owner", "")}
        cleaned, problems = self.validate(
            lambda f: companies.clean(f, session=ctx.session, clock=ctx.clock), form, columns
        )
        row.problems.extend(problems)
        row.form = form
        row.cleaned = cleaned
        # Only what the file says: an update leaves the fields it has no column for.
        row.values = {name: value for name, value in typed.items() if name in FORM_FIELDS}
        if cleaned is not None:
            row.values = display({k: cleaned.values.get(k, v) for k, v in fields.items()})
        self._plan_contact(typed, row, ctx)
        org_number = org_number_or_none(form.org_number)
        row.key = company_key(org_number, form.name)
        earlier = note_duplicate(row, ctx, company_key(None, form.name))
        found, how = ctx.companies.find(org_number, form.name)
        if ctx.companies.of_partner(org_number):
            column = ctx.columns.get("org_number")
            row.problems.append(Problem(PARTNER_NUMBER, column, {"number": org_number}))
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

    def _plan_contact(self, typed: dict[str, str], row: PlannedRow, ctx: Context) -> None:
        """The company's contact person, when the sheet keeps one on the company's row
        ("Kontaktperson", "Titel", "E-post"): checked by the contact service's rules and
        added to the company when the row is written."""
        values = {name: typed.get(f"contact_{name}", "") for name in CONTACT_FIELDS}
        if not any(values.values()):
            return
        form = contacts.ContactForm.model_validate(values)
        columns = {name: ctx.columns.get(f"contact_{name}", "") for name in CONTACT_FIELDS}
        _cleaned, problems = self.validate(contacts.clean, form, columns)
        row.problems.extend(problems)
        row.contact = form
        row.values.update({f"contact_{name}": value for name, value in values.items() if value})

    def _add_contact(self, row: PlannedRow, company: Company, ctx: Context) -> bool:
        """Adds the row's contact person to the company unless it has one of that name;
        whether it did."""
        if row.contact is None:
            return False
        wanted = fold(row.contact.name)
        if any(
            fold(c.name) == wanted
            for c in contacts.list_for_company(company.id, session=ctx.session)
        ):
            return False
        contact = contacts.create(
            company, row.contact, user=ctx.user, session=ctx.session, clock=ctx.clock
        )
        ctx.remember("contact", contact, "created")
        return True

    def write_batch(
        self, rows: list[PlannedRow], ctx: Context
    ) -> Iterator[tuple[PlannedRow, Action | Problem]]:
        """New companies, and the contact persons on their rows, in a few statements for
        the batch (50,000 rows in seconds, not minutes); rows that meet a company (the
        register's, the file's earlier rows, or one a colleague saved meanwhile) one at a
        time, as write() decides."""
        candidates, one_by_one = self._new_companies(rows, ctx)
        # Worked out before the first statement: on SQLite the batch holds the write lock
        # only for its inserts, and colleagues get their turn in between.
        names = ctx.lookups.get("user_names") or {}
        prepared = {
            row.number: companies.prepare(row.cleaned, names=names, clock=ctx.clock)
            for row in candidates
        }
        # The rows' contact persons, checked when the file was planned.
        people = {
            row.number: contacts.prepare(row.contact, clock=ctx.clock)
            for row in candidates
            if row.contact is not None
        }
        taken = companies.taken_org_numbers(
            [n for row in candidates if (n := row.cleaned.values["org_number"])],
            session=ctx.session,
        )
        new = [row for row in candidates if row.cleaned.values["org_number"] not in taken]
        one_by_one = [
            *one_by_one,
            *(r for r in candidates if r.cleaned.values["org_number"] in taken),
        ]
        try:
            with ctx.session.begin_nested():
                ids = companies.create_many(
                    [prepared[row.number] for row in new],
                    user=ctx.user,
                    session=ctx.session,
                    clock=ctx.clock,
                )
                contact_ids = contacts.create_many(
                    [
                        (company_id, people[row.number])
                        for row, company_id in zip(new, ids, strict=True)
                        if row.number in people
                    ],
                    user=ctx.user,
                    session=ctx.session,
                    clock=ctx.clock,
                )
        except IntegrityError:
            # Someone took one of the org.nrs since the check (PostgreSQL has no single
            # writer): each row on its own, so only that one fails.
            one_by_one = rows
        else:
            for row, company_id in zip(new, ids, strict=True):
                values = row.cleaned.values
                ctx.companies.add(company_id, values["org_number"], match_key(values["name"]))
            ctx.remember_many("company", ids, "created")
            ctx.remember_many("contact", contact_ids, "created")
            # The letters of intent of the rows that had one (agreements of the new
            # companies): undo removes them first, with history.
            if any(row.cleaned.letter_of_intent for row in new):
                ctx.remember_many(
                    "agreement", agreements.ids_of(ids, session=ctx.session), "created"
                )
            yield from ((row, Action.create) for row in new)
        yield from super().write_batch(one_by_one, ctx)

    def _new_companies(
        self, rows: list[PlannedRow], ctx: Context
    ) -> tuple[list[PlannedRow], list[PlannedRow]]:
        """(rows that create a company the register and the file have not had so far, the
        rest)."""
        new: list[PlannedRow] = []
        rest: list[PlannedRow] = []
        keys: set[str] = set()
        for row in rows:
            values = row.cleaned.values if row.cleaned is not None else None
            is_new = (
                values is not None
                and row.action == Action.create
                and ctx.companies.find(values["org_number"], values["name"])[0] is None
                and row.key not in keys
            )
            (new if is_new else rest).append(row)
            if is_new and values is not None:
                keys.add(row.key)
                keys.add(company_key(None, values["name"]))
        return new, rest

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
            tags = companies.tag_names(company.id, session=ctx.session)
            merged = companies.CompanyForm.from_company(company, tags)
            for name in row.values:
                if name in FORM_FIELDS:
                    setattr(merged, name, getattr(form, name))
            if form.owner_id:
                merged.owner_id = form.owner_id
            before = self.snapshot(company, ctx.session)
            version = company.version
            had = (
                set(agreements.ids_of([company.id], session=ctx.session))
                if _has_letter(form)
                else None
            )
            companies.update(company, merged, user=ctx.user, session=ctx.session, clock=ctx.clock)
            changed = company.version != version
            if changed:
                ctx.remember("company", company, "updated", before)
            signed = had is not None and self._remember_letter(company, had, ctx)
            added = self._add_contact(row, company, ctx)
            return Action.update if changed or added or signed else Action.skip
        company = companies.create(form, user=ctx.user, session=ctx.session, clock=ctx.clock)
        ctx.companies.add(
            company.id,
            company.org_number,
            match_key(company.name, company.name_key),
        )
        ctx.remember("company", company, "created")
        if _has_letter(form):
            self._remember_letter(company, set(), ctx)
        self._add_contact(row, company, ctx)
        return Action.create

    def _remember_letter(self, company: Company, had: set[int], ctx: Context) -> bool:
        """Remembers the letter of intent the row's columns made an agreement of, if any
        (undo removes it); whether there was one."""
        new = [
            agreement_id
            for agreement_id in agreements.ids_of([company.id], session=ctx.session)
            if agreement_id not in had
        ]
        for agreement_id in new:
            ctx.remember("agreement", agreements.get(agreement_id, session=ctx.session), "created")
        return bool(new)

    def label(self, record: Any, session: Session) -> str:
        return str(record.name)

    def snapshot(self, record: Any, session: Session) -> dict[str, Any]:
        return {
            **history.snapshot(record, RESTORED),
            "tags": ", ".join(companies.tag_names(record.id, session=session)),
        }

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        values = {k: "" if v is None else str(v) for k, v in before.items()}
        form = companies.CompanyForm.model_validate({**values, "confirm_duplicate": True})
        companies.update(record, form, user=ctx.user, session=ctx.session, clock=ctx.clock)

    def company_id(self, record: Any) -> int | None:
        return None


def _has_letter(form: companies.CompanyForm) -> bool:
    """Whether the row gives a letter of intent (sent or signed) to record."""
    return form.agreement_status not in ("", AgreementStatus.none.value)
