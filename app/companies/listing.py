"""The searchable company list: its filters (kept in the query string), its query (also
what the exports stream) and its pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from app import search
from app.auth.models import User
from app.clock import STOCKHOLM, Clock, today
from app.companies.models import Company, CompanyKind, CompanyStatus, CompanyTag, is_partner
from app.companies.tags import tags_by_company
from app.db import by_name
from app.query import Found, Rows, count_found, select_columns
from app.validation import typed_id

PAGE_SIZE = 25
SORTS = {
    "name",
    "-name",
    "updated",
    "-updated",
    "last_contact",  # longest since contact first; never contacted before all others
    "-last_contact",  # most recently contacted first; never contacted last
    "follow_up",  # soonest follow-up first; none last
}
# "Slag": employers (the register, the default), samverkanspartner, or both.
KIND_ALL = "all"
KINDS = (CompanyKind.employer.value, CompanyKind.partner.value, KIND_ALL)
# "Ej kontaktad på N dagar": the choices of the list's filter.
NOT_CONTACTED_DAYS = (30, 60, 90, 180)


class CompanyFilters(SQLModel):
    """The list's whole state; it lives in the URL's query string."""

    q: str = ""
    kind: str = CompanyKind.employer.value  # one of KINDS
    status: str = ""
    owner: str = ""  # "" all, "me", "none", or a user id
    municipality: str = ""
    tag: str = ""
    # Not contacted in this many days (one of NOT_CONTACTED_DAYS); 0 is no filter.
    not_contacted: int = 0
    archived: bool = False
    sort: str = "name"
    page: int = 1

    @property
    def filtering(self) -> bool:
        """Whether a filter or the sort order is other than the default (the search aside)."""
        default = CompanyFilters()
        return any(
            getattr(self, name) != getattr(default, name)
            for name in (
                "kind",
                "status",
                "owner",
                "municipality",
                "tag",
                "not_contacted",
                "archived",
                "sort",
            )
        )

    def normalized(self) -> CompanyFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return CompanyFilters(
            q=self.q.strip()[:200],
            kind=self.kind if self.kind in KINDS else CompanyKind.employer.value,
            status=self.status if self.status in CompanyStatus._value2member_map_ else "",
            owner=self.owner if self.owner in ("me", "none") or typed_id(self.owner) else "",
            municipality=self.municipality.strip()[:100],
            tag=self.tag if typed_id(self.tag) else "",
            not_contacted=self.not_contacted if self.not_contacted in NOT_CONTACTED_DAYS else 0,
            archived=self.archived,
            sort=self.sort if self.sort in SORTS else "name",
            page=max(1, min(self.page, 10_000)),
        )


@dataclass(frozen=True, slots=True)
class CompanyRow:
    """What a list shows of a company, read as plain values (not as a tracked record: a
    list only reads them, and loading 25 full records cost more than the query)."""

    id: int
    name: str
    org_number: str | None
    city: str | None
    status: CompanyStatus
    last_contact_at: dt.datetime | None
    next_follow_up_on: dt.date | None
    kind: CompanyKind

    @classmethod
    def of(cls, company: Company) -> CompanyRow:
        return cls(*(getattr(company, name) for name in _ROW_FIELDS))


_ROW_FIELDS = (
    "id",
    "name",
    "org_number",
    "city",
    "status",
    "last_contact_at",
    "next_follow_up_on",
    "kind",
)
_ROW_COLUMNS = tuple(getattr(Company, name) for name in _ROW_FIELDS)


@dataclass
class ListedCompany:
    company: CompanyRow
    owner_name: str | None
    tags: list[str] = field(default_factory=list)


@dataclass
class CompanyPage:
    rows: list[ListedCompany]
    page: int
    has_next: bool
    found: Found


def not_contacted_since(days: int, *, clock: Clock) -> dt.datetime:
    """The instant before which a company's last contact means "not contacted in N days":
    the start of the day N days before today, in Stockholm."""
    day = today(clock) - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM).astimezone(dt.UTC)


def filtered(
    filters: CompanyFilters,
    *columns: Any,
    user: User,
    session: Session,
    clock: Clock | None = None,
    counting: bool = False,
    known: search.Known | None = None,
) -> Rows:
    """The list's query for these columns (of Company, and of User: the owner, outer
        joined), searched, filtered and sorted, without paging: the list pages through it, the
        CSV export streams it whole. The "not contacted" filter counts days from today, so it
        needs the clock. `counting`: the query of how many it finds; `known`: what the page's
    query learnt of the search terms, for its count (app/search.py)."""
    f = filters.normalized()
    statement = select_columns(*columns).outerjoin(User, col(User.id) == Company.owner_id)
    statement = statement.where(
        col(Company.archived_at).is_not(None) if f.archived else col(Company.archived_at).is_(None)
    )
    dialect = session.get_bind().dialect.name
    condition = search.matches(
        f.q,
        id_column=Company.id,
        search_column=Company.search_text,
        fts_table="company_search",
        session=session,
        counting=counting,
        known=known,
    )
    if condition is not None:
        statement = statement.where(condition)
    # Kind has no index: nearly every company is an employer, so the default filters the
    # rows an index walk reads (like archived_at) instead of choosing another plan.
    if f.kind == CompanyKind.partner:
        statement = statement.where(is_partner())  # the few partners, from their index
    elif f.kind != KIND_ALL:
        statement = statement.where(Company.kind == CompanyKind(f.kind))
    if f.status:
        statement = statement.where(Company.status == CompanyStatus(f.status))
    if f.owner == "none":
        statement = statement.where(col(Company.owner_id).is_(None))
    elif f.owner:
        statement = statement.where(
            Company.owner_id == (user.id if f.owner == "me" else int(f.owner))
        )
    if f.municipality:
        statement = statement.where(Company.municipality == f.municipality)
    if f.tag:
        statement = statement.where(
            col(Company.id).in_(
                select(CompanyTag.company_id).where(col(CompanyTag.tag_id) == int(f.tag))
            )
        )
    if f.not_contacted:
        if clock is None:
            raise ValueError("the not-contacted filter needs the clock")
        since = not_contacted_since(f.not_contacted, clock=clock)
        statement = statement.where(
            or_(col(Company.last_contact_at).is_(None), col(Company.last_contact_at) < since)
        )
    last_contact = col(Company.last_contact_at)
    order = {
        "name": [by_name(Company.name, Company.sort_key, dialect=dialect)],
        "-name": [by_name(Company.name, Company.sort_key, dialect=dialect).desc()],
        "updated": [col(Company.updated_at).desc()],
        "-updated": [col(Company.updated_at).asc()],
        "last_contact": [last_contact.asc().nulls_first()],
        "-last_contact": [last_contact.desc().nulls_last()],
        "follow_up": [col(Company.next_follow_up_on).asc().nulls_last()],
    }[f.sort]
    return statement.order_by(*order, col(Company.id))


def list_(
    filters: CompanyFilters, *, user: User, session: Session, clock: Clock | None = None
) -> CompanyPage:
    """One page of companies. One query for the rows (+1 for their tags, +1 for how many
    it found when there is more than a page: a count that stops at COUNT_LIMIT); the page
    asks for one row more than it shows to know whether there is a next page."""
    f = filters.normalized()
    known: search.Known = {}
    statement = filtered(
        f, *_ROW_COLUMNS, User.full_name, user=user, session=session, clock=clock, known=known
    )
    statement = statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    found = session.connection().execute(statement).all()
    rows = [
        ListedCompany(company=CompanyRow(*row[:-1]), owner_name=row[-1])
        for row in found[:PAGE_SIZE]
    ]
    tags = tags_by_company([r.company.id for r in rows], session=session)
    for row in rows:
        row.tags = tags.get(row.company.id, [])
    has_next = len(found) > PAGE_SIZE
    count = filtered(
        f, Company.id, user=user, session=session, clock=clock, counting=True, known=known
    )
    number = count_found(
        count,
        page=f.page,
        page_size=PAGE_SIZE,
        shown=len(rows),
        has_next=has_next,
        session=session,
    )
    return CompanyPage(rows=rows, page=f.page, has_next=has_next, found=number)
