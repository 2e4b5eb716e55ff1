"""Contact persons: add, edit, remove, erase (GDPR), and the searchable list of them all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, col, select

from app import search
from app.auth import security_log
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import by_name, in_swedish_order, next_ids, swedish_key
from app.errors import Conflict, NotFound
from app.history import service as history
from app.i18n import N_
from app.query import Found, Rows, count_found, select_columns, table_of
from app.text import search_text
from app.validation import email, long_text, optional_text, phone, required_text

PAGE_SIZE = 25
# The fields history records and an edit conflict compares.
TRACKED_FIELDS = ("name", "title", "phone", "email", "is_supervisor", "is_primary", "notes")


class ContactForm(SQLModel):
    """The contact form as typed; `clean()` turns it into checked values or refuses it."""

    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""
    is_supervisor: bool = False
    is_primary: bool = False
    notes: str = ""
    # The version the user started editing from: a later save by someone else is a conflict.
    version: int | None = None

    @classmethod
    def from_contact(cls, contact: Contact) -> ContactForm:
        return cls(
            name=contact.name,
            title=contact.title or "",
            phone=contact.phone or "",
            email=contact.email or "",
            is_supervisor=contact.is_supervisor,
            is_primary=contact.is_primary,
            notes=contact.notes,
            version=contact.version,
        )


class EditConflict(history.EditConflict):
    """Someone saved the contact after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat kontaktpersonen medan du redigerade. Se ändringarna "
        "nedan, jämför med det du skrev och spara igen."
    )


def clean(form: ContactForm) -> dict[str, Any]:
    return {
        "name": required_text(
            form.name, field="name", max_length=200, message=N_("Ange kontaktpersonens namn.")
        ),
        "title": optional_text(form.title, field="title", max_length=200),
        "phone": phone(form.phone),
        "email": email(form.email),
        "is_supervisor": form.is_supervisor,
        "is_primary": form.is_primary,
        "notes": long_text(form.notes, field="notes"),
    }


def _apply(contact: Contact, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(contact, name, value)
    derived = _derived(contact.name, contact.title, contact.email, contact.phone)
    for name, value in derived.items():
        setattr(contact, name, value)


def _derived(name: str, title: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    """The columns worked out of a contact's fields: sort key and search text."""
    digits = re.sub(r"\D", "", phone or "")
    return {
        "sort_key": swedish_key(name),
        # The phone number also without spaces and dashes, so '0701234567' finds
        # '070-123 45 67'.
        "search_text": search_text(name, title, email, phone, digits or None),
    }


def rebase(form: ContactForm, current: Contact, changes: Sequence[history.Entry]) -> ContactForm:
    """After an edit conflict: the user's form with the other person's changes taken in
    where the user left a field as it was, against the current version."""
    current_form = ContactForm.from_contact(current)
    result = form.model_copy()
    for field, before in history.values_before(changes).items():
        if field in ContactForm.model_fields and history.same_value(getattr(form, field), before):
            setattr(result, field, getattr(current_form, field))
    result.version = current.version
    return result


def get(contact_id: int, *, session: Session) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("Kontaktpersonen finns inte.")
    return contact


def list_for_company(company_id: int, *, session: Session) -> list[Contact]:
    """The company's contacts: the primary contact first, then by name in Swedish order."""
    return list(
        session.exec(
            select(Contact)
            .where(Contact.company_id == company_id)
            .order_by(
                col(Contact.is_primary).desc(),
                in_swedish_order(Contact.name),
                col(Contact.id),
            )
        ).all()
    )


_record = history.Recorder("contact")


def _filled(contact: Contact) -> dict[str, Any]:
    """The tracked fields that hold something: what history shows of a new or removed contact."""
    values = history.snapshot(contact, TRACKED_FIELDS)
    return {name: value for name, value in values.items() if value not in (None, "", False)}


def _only_primary(contact: Contact, *, user: User, session: Session, clock: Clock) -> None:
    """A company has one primary contact: marking this one unmarks the others."""
    others = session.exec(
        select(Contact).where(
            Contact.company_id == contact.company_id,
            Contact.id != contact.id,
            Contact.is_primary,
        )
    ).all()
    for other in others:
        other.is_primary = False
        other.updated_at = clock.now()
        session.add(other)
    session.flush()
    for other in others:
        _record(
            other, "update", {"is_primary": [True, False]}, user=user, session=session, clock=clock
        )


def create(
    company: Company, form: ContactForm, *, user: User, session: Session, clock: Clock
) -> Contact:
    if company.archived_at is not None:
        raise Conflict("Företaget är arkiverat. Återställ det innan du lägger till kontakter.")
    values = clean(form)
    now = clock.now()
    contact = Contact(company_id=company.id, name="", created_at=now, updated_at=now)
    _apply(contact, values)
    session.add(contact)
    session.flush()
    added = history.diff({}, _filled(contact))
    _record(contact, "create", added, user=user, session=session, clock=clock)
    if contact.is_primary:
        _only_primary(contact, user=user, session=session, clock=clock)
    return contact


@dataclass(frozen=True)
class NewContact:
    """A checked contact made ready to insert by prepare(): its row and its history."""

    row: dict[str, Any]
    changes: dict[str, list[Any]]


def prepare(form: ContactForm, *, clock: Clock) -> NewContact:
    """What create() would store, worked out before touching the database (raises
    ValidationFailed as create() does): create_many() then holds SQLite's write lock only
    for its inserts."""
    values = clean(form)
    now = clock.now()
    derived = _derived(values["name"], values["title"], values["email"], values["phone"])
    row = {**values, **derived, "created_at": now, "updated_at": now}
    tracked = history.plain(row, TRACKED_FIELDS)
    filled = {name: value for name, value in tracked.items() if value not in (None, "", False)}
    return NewContact(row=row, changes=history.created(filled))


def create_many(
    contacts: Sequence[tuple[int, NewContact]], *, user: User, session: Session, clock: Clock
) -> list[int]:
    """Adds prepared contacts, each to the company of its id, with their history, in three
    statements (an import's batch), as create() would one by one; their ids, in order.
    For companies just created and not archived: a contact marked primary here is the
    only one its company has, and at most one per company may be."""
    if not contacts:
        return []
    ids = next_ids(session, "contact", len(contacts))
    session.execute(
        insert(table_of(Contact)),
        [
            {**new.row, "company_id": company_id, "id": i, "version": 1}
            for i, (company_id, new) in zip(ids, contacts, strict=True)
        ],
    )
    history.record_many(
        session=session,
        clock=clock,
        user=user,
        entity="contact",
        action="create",
        events=[
            (i, new.changes, 1, company_id)
            for i, (company_id, new) in zip(ids, contacts, strict=True)
        ],
    )
    return ids


def update(
    contact: Contact, form: ContactForm, *, user: User, session: Session, clock: Clock
) -> Contact:
    history.check_version(contact, "contact", form.version, conflict=EditConflict, session=session)
    values = clean(form)
    before = history.snapshot(contact, TRACKED_FIELDS)
    _apply(contact, values)
    changes = history.diff(before, history.snapshot(contact, TRACKED_FIELDS))
    if not changes:
        return contact
    contact.updated_at = clock.now()
    session.add(contact)
    history.flush_or_conflict(
        contact, "contact", form.version, conflict=EditConflict, get=get, session=session
    )
    _record(contact, "update", changes, user=user, session=session, clock=clock)
    if "is_primary" in changes and contact.is_primary:
        _only_primary(contact, user=user, session=session, clock=clock)
    return contact


def delete(contact: Contact, *, user: User, session: Session, clock: Clock) -> None:
    """Removes the contact; history keeps what was removed (erase() does not)."""
    removed = {name: [value, None] for name, value in _filled(contact).items()}
    _record(contact, "delete", removed, user=user, session=session, clock=clock)
    session.delete(contact)
    session.flush()


def erase(contact: Contact, *, user: User, session: Session, clock: Clock) -> None:
    """'Radera person' (GDPR): the contact goes, and so does their personal data in history.

    The events stay (someone did something, when), their recorded values do not; a last
    event says the person was erased, without saying who it was.
    """
    session.delete(contact)
    session.flush()
    history.erase("contact", contact.id, session=session)
    _record(contact, "erase", {}, user=user, session=session, clock=clock)
    _log_erasure(contact.id, user=user, session=session, clock=clock)
    session.flush()


def erase_deleted(contact_id: int, *, user: User, session: Session, clock: Clock) -> int:
    """'Radera person' for a contact that was already deleted: its delete event still holds
    its data. Scrubs every event of it and returns the company it belonged to."""
    if session.get(Contact, contact_id) is not None:
        raise Conflict("Kontakten finns kvar. Använd Radera person på företagssidan.")
    events = history.for_record("contact", contact_id, session=session, limit=1)
    if not events or events[0].event.company_id is None:
        raise NotFound("Det finns ingen historik för den kontakten.")
    company_id = events[0].event.company_id
    history.erase("contact", contact_id, session=session)
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="contact",
        entity_id=contact_id,
        action="erase",
        company_id=company_id,
    )
    _log_erasure(contact_id, user=user, session=session, clock=clock)
    session.flush()
    return company_id


def _log_erasure(contact_id: int, *, user: User, session: Session, clock: Clock) -> None:
    # The security log names the contact by id only: its name is what was erased.
    security_log.record(
        session,
        security_log.Kind.erasure,
        clock=clock,
        user=user,
        detail={"entity": "contact", "id": contact_id},
    )


# --- the list ---------------------------------------------------------------------------

SORTS = {"name", "-name", "company", "-company"}


class ContactFilters(SQLModel):
    """The list's whole state; it lives in the URL's query string."""

    q: str = ""
    supervisors: bool = False
    sort: str = "name"
    page: int = 1

    @property
    def filtering(self) -> bool:
        """Whether a filter or the sort order is other than the default (the search aside)."""
        return self.supervisors or self.sort != ContactFilters().sort

    def normalized(self) -> ContactFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return ContactFilters(
            q=self.q.strip()[:200],
            supervisors=self.supervisors,
            sort=self.sort if self.sort in SORTS else "name",
            page=max(1, min(self.page, 10_000)),
        )


@dataclass(frozen=True, slots=True)
class ListedContact:
    """A row of the list: the contact's columns it shows (read as plain values, not as
    tracked records: a list only reads them) and its company's name."""

    id: int
    company_id: int
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_primary: bool
    is_supervisor: bool
    company_name: str


# What a row of the list reads, in ListedContact's order.
_LISTED = (
    Contact.id,
    Contact.company_id,
    Contact.name,
    Contact.title,
    Contact.phone,
    Contact.email,
    Contact.is_primary,
    Contact.is_supervisor,
    Company.name,
)


@dataclass
class ContactPage:
    rows: list[ListedContact]
    page: int
    has_next: bool
    found: Found


def filtered(
    filters: ContactFilters,
    *columns: Any,
    session: Session,
    counting: bool = False,
    known: search.Known | None = None,
) -> Rows:
    """The list's query for these columns (of Contact and its Company), searched, filtered
    and sorted, without paging: the list pages through it, the CSV export streams it whole.
    Only contacts at companies that are not archived. `counting`: the query of how many it
    finds; `known`: what the page's query learnt of the search terms (app/search.py)."""
    f = filters.normalized()
    statement = (
        select_columns(*columns)
        .join(Company, col(Company.id) == Contact.company_id)
        .where(col(Company.archived_at).is_(None))
    )
    dialect = session.get_bind().dialect.name
    condition = search.matches(
        f.q,
        id_column=Contact.id,
        search_column=Contact.search_text,
        fts_table="contact_search",
        session=session,
        counting=counting,
        known=known,
    )
    if condition is not None:
        statement = statement.where(condition)
    if f.supervisors:
        statement = statement.where(Contact.is_supervisor)
    contact_name = by_name(Contact.name, Contact.sort_key, dialect=dialect)
    company_name = by_name(Company.name, Company.sort_key, dialect=dialect)
    order = {
        "name": [contact_name, company_name],
        "-name": [contact_name.desc(), company_name],
        "company": [company_name, Company.id, contact_name],
        "-company": [company_name.desc(), Company.id, contact_name],
    }[f.sort]
    return statement.order_by(*order, col(Contact.id))


def list_(filters: ContactFilters, *, session: Session) -> ContactPage:
    """One page of contacts at companies that are not archived, with their company's name.
    One query for the rows (+1 for how many it found when there is more than a page: a
    count that stops at COUNT_LIMIT); the page asks for one row more than it shows to know
    whether there is a next page."""
    f = filters.normalized()
    known: search.Known = {}
    statement = filtered(f, *_LISTED, session=session, known=known)
    statement = statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    found = session.connection().execute(statement).all()
    rows = [ListedContact(*row) for row in found[:PAGE_SIZE]]
    has_next = len(found) > PAGE_SIZE
    number = count_found(
        filtered(f, Contact.id, session=session, counting=True, known=known),
        page=f.page,
        page_size=PAGE_SIZE,
        shown=len(rows),
        has_next=has_next,
        session=session,
    )
    return ContactPage(rows=rows, page=f.page, has_next=has_next, found=number)
