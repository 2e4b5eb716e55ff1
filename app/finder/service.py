"""What the header search finds: a few of each kind, each group one query on an index.

Companies by name, org.nr and town (the register's own search, archived and merged ones
only when asked for, in a group of their own); contact persons by name, title, e-mail and
phone, at companies that are not archived, with their company; assignments by
occupation, SSYK code and workplace, newest first; events by title, latest first. Every
group asks for one row more than it shows, to know whether there are more: statements per
search are constant in data size (four, five with the archived companies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col

from app import search
from app.assignments.models import Assignment, AssignmentStatus
from app.auth.models import User
from app.companies.listing import KIND_ALL, CompanyFilters, filtered
from app.companies.models import Company, CompanyKind
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.events.models import EventStatus, RecruitmentEvent
from app.query import select_columns
from app.text import fold

# Suggestions while typing, and the results page: how many of each kind.
SUGGESTED = 5
LISTED = 10
MAX_QUERY = 200


@dataclass
class Hit:
    """One thing found: where it leads, what it is called, and a line about it."""

    kind: str  # "company", "archived", "contact", "assignment", "event"
    id: int
    url: str
    title: str
    detail: list[str] = field(default_factory=list)
    company_id: int | None = None  # the company a call about this would be logged at
    status: Any = None
    merged: bool = False
    partner: bool = False  # a samverkanspart, marked as one (the register has employers)
    when: dt.datetime | None = None  # an event's start


@dataclass
class Group:
    kind: str
    hits: list[Hit]
    more: bool  # more were found than are shown

    def __bool__(self) -> bool:
        return bool(self.hits)


@dataclass
class Found:
    query: str
    groups: list[Group]

    @property
    def empty(self) -> bool:
        return not any(self.groups)


def _taken(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    return rows[:limit], len(rows) > limit


def _companies(q: str, *, archived: bool, limit: int, user: User, session: Session) -> Group:
    statement = filtered(
        CompanyFilters(q=q, archived=archived, kind=KIND_ALL),
        Company.id,
        Company.name,
        Company.org_number,
        Company.city,
        Company.merged_into_id,
        Company.kind,
        user=user,
        session=session,
    ).limit(limit + 1)
    rows, more = _taken(list(session.exec(statement).all()), limit)
    kind = "archived" if archived else "company"
    hits = [
        Hit(
            kind=kind,
            id=id_,
            url=f"/companies/{id_}",
            title=name,
            detail=[part for part in (org_number, city) if part],
            company_id=id_,
            merged=merged_into is not None,
            partner=company_kind == CompanyKind.partner,
        )
        for id_, name, org_number, city, merged_into, company_kind in rows
    ]
    return Group(kind, hits, more)


def _contacts(q: str, *, limit: int, session: Session) -> Group:
    statement = contacts.filtered(
        contacts.ContactFilters(q=q),
        Contact.id,
        Contact.name,
        Contact.title,
        Contact.company_id,
        Company.name,
        session=session,
    ).limit(limit + 1)
    rows, more = _taken(list(session.exec(statement).all()), limit)
    hits = [
        Hit(
            kind="contact",
            id=id_,
            url=f"/companies/{company_id}#contact-{id_}",
            title=name,
            detail=[part for part in (title, company_name) if part],
            company_id=company_id,
        )
        for id_, name, title, company_id, company_name in rows
    ]
    return Group("contact", hits, more)


def _assignments(q: str, *, limit: int, session: Session) -> Group:
    condition = search.matches(
        q,
        id_column=Assignment.id,
        search_column=Assignment.search_text,
        fts_table="assignment_search",
        session=session,
    )
    if condition is None:  # find() asks only with words to look for
        return Group("assignment", [], False)
    statement = (
        select_columns(
            Assignment.id,
            Assignment.occupation,
            Assignment.workplace,
            Assignment.status,
            Assignment.company_id,
            Company.name,
        )
        .join(Company, col(Company.id) == Assignment.company_id)
        .where(condition)
        # Newest first: the id's order, which the table is stored in (no sort of them all).
        .order_by(col(Assignment.id).desc())
        .limit(limit + 1)
    )
    rows, more = _taken(list(session.exec(statement).all()), limit)
    hits = [
        Hit(
            kind="assignment",
            id=id_,
            url=f"/assignments/{id_}",
            title=occupation,
            detail=[part for part in (company_name, workplace) if part],
            company_id=company_id,
            status=AssignmentStatus(status),
        )
        for id_, occupation, workplace, status, company_id, company_name in rows
    ]
    return Group("assignment", hits, more)


def _events(q: str, *, limit: int, session: Session) -> Group:
    # A few thousand events at most: their titles are read, case-insensitively, word by word.
    event = RecruitmentEvent
    statement = select_columns(event.id, event.title, event.starts_at, event.status)
    for term in q.split()[: search.MAX_TERMS]:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(col(RecruitmentEvent.title).ilike(f"%{escaped}%", escape="\\"))
    statement = statement.order_by(col(RecruitmentEvent.starts_at).desc()).limit(limit + 1)
    rows, more = _taken(list(session.exec(statement).all()), limit)
    hits = [
        Hit(
            kind="event",
            id=id_,
            url=f"/events/{id_}",
            title=title,
            status=EventStatus(status),
            when=starts_at,
        )
        for id_, title, starts_at, status in rows
    ]
    return Group("event", hits, more)


def find(
    query: str, *, archived: bool = False, limit: int = LISTED, user: User, session: Session
) -> Found:
    """A few of each kind matching every word of the query (none for an empty one)."""
    q = query.strip()[:MAX_QUERY]
    if not fold(q).split():
        return Found(query=q, groups=[])
    groups = [
        _companies(q, archived=False, limit=limit, user=user, session=session),
        _contacts(q, limit=limit, session=session),
        _assignments(q, limit=limit, session=session),
        _events(q, limit=limit, session=session),
    ]
    if archived:
        groups.insert(1, _companies(q, archived=True, limit=limit, user=user, session=session))
    return Found(query=q, groups=groups)
