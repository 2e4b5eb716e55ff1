"""Importing contact persons: each row through the contact service (its form and rules),
linked to its company by org.nr, else by normalised name; a contact already at that
company by the same name, or anywhere with the same e-mail, is a duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.companies.models import Company
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.history import service as history
from app.i18n import N_
from app.imports.bounds import Cell
from app.imports.kinds.base import (
    DUPLICATE_IN_FILE,
    MATCH_CREATE,
    MATCH_SKIP,
    MATCH_UPDATE,
    CompanyRef,
    Context,
    Kind,
    display,
    note_duplicate,
    plan_company,
    resolve_company,
)
from app.imports.mapping import TRUE
from app.imports.options import DuplicatePolicy
from app.imports.rows import Action, PlannedRow, Problem
from app.text import fold

FORM_FIELDS = ("name", "title", "phone", "email", "is_supervisor", "is_primary", "notes")
YES_NO_FIELDS = ("is_supervisor", "is_primary")
HOW = {"name": N_("samma namn på samma företag"), "email": N_("samma e-postadress")}
NEW_CONTACT = N_("Kontaktpersonen ”%(name)s” skapas.")


def name_key(name: str) -> str:
    return fold(name)


@dataclass
class ContactIndex:
    """The register's contacts by (company, name) and by e-mail, loaded once per import and
    kept up to date with the contacts it creates."""

    by_name: dict[tuple[int, str], int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: Context) -> ContactIndex:
        index = ctx.lookups.get("contacts")
        if index is None:
            index = ctx.lookups["contacts"] = cls()
            rows = ctx.session.exec(
                select(Contact.id, Contact.company_id, Contact.name, Contact.email).order_by(
                    col(Contact.id)
                )
            ).all()
            for contact_id, company_id, name, email in rows:
                index.add(contact_id, company_id, name, email)
        return index

    def add(self, contact_id: int, company_id: int, name: str, email: str | None) -> None:
        self.by_name.setdefault((company_id, name_key(name)), contact_id)
        if email:
            self.by_email.setdefault(email.casefold(), contact_id)

    def find(self, company_id: int | None, name: str, email: str | None) -> tuple[int | None, str]:
        """(contact id, "name" or "email") of the contact the row means, if any."""
        if company_id is not None and (company_id, name_key(name)) in self.by_name:
            return self.by_name[(company_id, name_key(name))], "name"
        if email and email.casefold() in self.by_email:
            return self.by_email[email.casefold()], "email"
        return None, ""


def company_part(ref: CompanyRef, ctx: Context) -> str:
    """The company in a row's key: the register's id when it is known, else its key."""
    found, _how = ctx.companies.find(ref.org_number, ref.name)
    return f"id:{found}" if found is not None else ref.key


def plan_contact_link(
    name: str, ref: CompanyRef, row: PlannedRow, ctx: Context, *, field: str = "contact"
) -> None:
    """An activity's or assignment's contact person (an agreement's signatory: `field`),
    by name at its company: noted when it is not there yet and will be created."""
    if not name:
        return
    found, _how = ctx.companies.find(ref.org_number, ref.name)
    if found is not None and ContactIndex.of(ctx).find(found, name, None)[0] is not None:
        return
    key = ("new-contact", company_part(ref, ctx), name_key(name))
    if key not in ctx.seen:
        ctx.seen[key] = row.number
        row.notes.append(Problem(NEW_CONTACT, ctx.columns.get(field), {"name": name}))


def link_contact(name: str, company: Company, ctx: Context) -> int | None:
    """The company's contact person of that name, created (once, recorded) if missing."""
    if not name:
        return None
    index = ContactIndex.of(ctx)
    found, _how = index.find(company.id, name, None)
    if found is not None:
        return found
    form = contacts.ContactForm(name=name)
    contact = contacts.create(company, form, user=ctx.user, session=ctx.session, clock=ctx.clock)
    index.add(contact.id, company.id, contact.name, None)
    ctx.remember("contact", contact, "created")
    return contact.id


class ContactKind(Kind):
    entity = "contact"
    model = Contact

    def plan(self, raw: dict[str, Cell], row: PlannedRow, ctx: Context) -> None:
        typed = self.parse(raw, row, ctx)
        ref = plan_company(typed, row, ctx)
        fields: dict[str, Any] = {
            name: typed[name]
            for name in FORM_FIELDS
            if typed.get(name) and name not in YES_NO_FIELDS
        }
        for name in YES_NO_FIELDS:
            if typed.get(name):
                fields[name] = typed[name] == TRUE
        form = contacts.ContactForm.model_validate(fields)
        cleaned, problems = self.validate(contacts.clean, form, ctx.columns)
        row.problems.extend(problems)
        row.form = form
        row.company = ref
        row.values = display(fields)
        if cleaned is not None:
            row.values = display({k: cleaned.get(k, v) for k, v in fields.items()})
        row.values["company"] = ref.name if ref else typed.get("company", "")
        if ref is None:
            row.action = Action.fail
            return
        email = (cleaned or {}).get("email") or None
        row.key = ("contact", company_part(ref, ctx), name_key(form.name))
        email_key = ("contact-email", email.casefold()) if email else None
        earlier = note_duplicate(row, ctx, *([email_key] if email_key else []))
        if earlier is None and email_key and ctx.seen[email_key] != row.number:
            earlier = ctx.seen[email_key]
            row.notes.append(Problem(DUPLICATE_IN_FILE, None, {"row": earlier}))
        company_id, _how = ctx.companies.find(ref.org_number, ref.name)
        found, how = ContactIndex.of(ctx).find(company_id, form.name, email)
        if found is None and earlier is not None:
            how = "name"
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
            else:
                row.action = Action.create
                row.notes.append(Problem(MATCH_CREATE, None, variables))
        if row.problems:
            row.action = Action.fail

    def write(self, row: PlannedRow, ctx: Context) -> Action:
        form: contacts.ContactForm = row.form
        company = resolve_company(row.company, ctx)
        index = ContactIndex.of(ctx)
        email = form.email.strip() or None
        found, _how = index.find(company.id, form.name, email)
        policy = ctx.options.duplicate_policy
        if found is not None and policy == DuplicatePolicy.skip:
            return Action.skip
        if found is not None and policy == DuplicatePolicy.update:
            contact = contacts.get(found, session=ctx.session)
            merged = contacts.ContactForm.from_contact(contact)
            for name in row.values:
                if name in FORM_FIELDS:
                    setattr(merged, name, getattr(form, name))
            if name_key(form.name) == name_key(contact.name):
                merged.name = contact.name  # "eva ek" in the file does not rename "Eva Ek"
            before = self.snapshot(contact, ctx.session)
            version = contact.version
            unmarked = self._primaries(company, merged, contact, ctx)
            contacts.update(contact, merged, user=ctx.user, session=ctx.session, clock=ctx.clock)
            if contact.version == version:
                return Action.skip  # nothing new in the row
            self._remember_unmarked(unmarked, ctx)
            ctx.remember("contact", contact, "updated", before)
            return Action.update
        unmarked = self._primaries(company, form, None, ctx)
        contact = contacts.create(
            company, form, user=ctx.user, session=ctx.session, clock=ctx.clock
        )
        index.add(contact.id, company.id, contact.name, contact.email)
        self._remember_unmarked(unmarked, ctx)
        ctx.remember("contact", contact, "created")
        return Action.create

    def _primaries(
        self, company: Company, form: contacts.ContactForm, contact: Contact | None, ctx: Context
    ) -> list[tuple[Contact, dict[str, Any]]]:
        """The company's primary contacts, with their values, when the row makes another
        contact primary: the service then unmarks them, a change the import must own so
        that undo gives the mark back and sees whether someone changed them since."""
        if not form.is_primary or (contact is not None and contact.is_primary):
            return []
        others = ctx.session.exec(
            select(Contact).where(Contact.company_id == company.id, Contact.is_primary)
        ).all()
        return [(other, self.snapshot(other, ctx.session)) for other in others]

    @staticmethod
    def _remember_unmarked(unmarked: list[tuple[Contact, dict[str, Any]]], ctx: Context) -> None:
        # Recorded before the contact that took the mark: undo goes newest first, so it
        # removes or restores that one before giving the mark back (no unmarking again).
        for other, before in unmarked:
            if not other.is_primary:
                ctx.remember("contact", other, "updated", before)

    def label(self, record: Any, session: Session) -> str:
        return str(record.name)

    def snapshot(self, record: Any, session: Session) -> dict[str, Any]:
        return history.snapshot(record, contacts.TRACKED_FIELDS)

    def restore(self, record: Any, before: dict[str, Any], ctx: Context) -> None:
        values = {k: "" if v is None else v for k, v in before.items()}
        form = contacts.ContactForm.model_validate(values)
        contacts.update(record, form, user=ctx.user, session=ctx.session, clock=ctx.clock)
