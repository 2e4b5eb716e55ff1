"""Finding assignments: the list (filtered, sorted, paged, and whole for the CSV export)
and the pipeline board (the open statuses as columns with their counts, newest first,
paged per column). Each page costs the same few statements however many assignments
there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, SQLModel, col, select

from app import search
from app.assignments.models import (
    CLOSED_STATUSES,
    EMPLOYMENT_TYPE_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUS_ORDER,
    Assignment,
    AssignmentStatus,
    EmploymentType,
)
from app.auth.models import User
from app.companies import service as companies
from app.companies.models import Company
from app.companies.service import KIND_ALL, CompanyFilters
from app.db import by_name, swedish_sort_key
from app.query import Found, Rows, count_found, select_columns
from app.validation import typed_id

PAGE_SIZE = 25
# How many of a company's assignments its page shows.
COMPANY_SECTION_SIZE = 20
# Cards per board column and page ("visa fler" shows the next page).
COLUMN_SIZE = 10
STATES = ("open", "closed", "all")
SORTS = ("deadline", "-deadline", "company", "status", "owner", "created")


class AssignmentFilters(SQLModel):
    """The list's and the board's whole state; it lives in the URL's query string."""

    q: str = ""  # occupation, SSYK code or workplace
    company: str = ""  # the company's name, org.nr or town (the register's search)
    company_id: str = ""  # one company (links from the company page)
    owner: str = ""  # "" all, "me", "none", or a user id
    employment_type: str = ""
    status: str = ""  # one status (the list); empty: all of `state`
    state: str = "open"  # open, closed or all (the list; the board shows open ones)
    sort: str = "deadline"
    page: int = 1

    @property
    def filtering(self) -> bool:
        """Whether a filter or the sort order is other than the default (the search and the
        one company aside: those show outside the list's disclosure)."""
        return bool(self.query(without=("page", "q", "company_id")))

    def normalized(self) -> AssignmentFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return AssignmentFilters(
            q=self.q.strip()[:200],
            company=self.company.strip()[:200],
            company_id=self.company_id if typed_id(self.company_id) else "",
            owner=self.owner if self.owner in ("me", "none") or typed_id(self.owner) else "",
            employment_type=self.employment_type
            if self.employment_type in EmploymentType._value2member_map_
            else "",
            status=self.status if self.status in AssignmentStatus._value2member_map_ else "",
            state=self.state if self.state in STATES else "open",
            sort=self.sort if self.sort in SORTS else "deadline",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self, *, without: tuple[str, ...] = ("page",)) -> dict[str, str]:
        """The filters that differ from the defaults, for links that keep them."""
        defaults = AssignmentFilters()
        return {
            name: str(value)
            for name, value in self.model_dump().items()
            if name not in without and value != getattr(defaults, name)
        }


def _company_ids(f: AssignmentFilters, *, user: User, session: Session) -> Rows | None:
    """The companies the company filter finds, if it is set. Built once per page: the
    search may look at its terms first."""
    return _companies_named(f.company, user=user, session=session) if f.company else None


def _companies_named(
    text: str, *, user: User, session: Session, known: search.Known | None = None
) -> Rows:
    """The register's own search (name, org.nr, town) for `text`, as a subquery: companies
    of any kind (an assignment's company is what it is)."""
    return companies.filtered(
        CompanyFilters(q=text, kind=KIND_ALL), Company.id, user=user, session=session, known=known
    ).order_by(None)


def _where(
    statement: Rows,
    f: AssignmentFilters,
    *,
    user: User,
    session: Session,
    company_ids: Rows | None = None,
    counting: bool = False,
    known: search.Known | None = None,
) -> Rows:
    """The filters every view shares: search, company, owner, employment type. `counting`
    and `known`: as for the register's search (app/search.py)."""
    # Occupation, SSYK code and workplace, through their trigram index (app/search.py).
    condition = search.matches(
        f.q,
        id_column=Assignment.id,
        search_column=Assignment.search_text,
        fts_table="assignment_search",
        session=session,
        counting=counting,
        known=known,
    )
    if condition is not None:
        statement = statement.where(condition)
    if f.company_id:
        statement = statement.where(col(Assignment.company_id) == int(f.company_id))
    if f.company:
        found = (
            company_ids
            if company_ids is not None
            else _companies_named(f.company, user=user, session=session, known=known)
        )
        statement = statement.where(col(Assignment.company_id).in_(found))
    if f.owner == "none":
        statement = statement.where(col(Assignment.owner_id).is_(None))
    elif f.owner:
        statement = statement.where(
            col(Assignment.owner_id) == (user.id if f.owner == "me" else int(f.owner))
        )
    if f.employment_type:
        statement = statement.where(
            col(Assignment.employment_type) == EmploymentType(f.employment_type)
        )
    return statement


def _joined(*columns: Any) -> Rows:
    """Assignments with their company (inner) and owner (outer) joined."""
    return (
        select_columns(*columns)
        .join(Company, col(Company.id) == Assignment.company_id)
        .outerjoin(User, col(User.id) == Assignment.owner_id)
    )


def _owner_rank(session: Session) -> Any:
    """ORDER BY expression for the owner in Swedish order, without a collation per row:
    the few users are sorted here and their rank goes into a CASE; no owner sorts last."""
    users = session.exec(select(User.id, User.full_name)).all()
    ranked = sorted(users, key=lambda row: swedish_sort_key(row[1]))
    if not ranked:
        return case((col(Assignment.owner_id).is_(None), 1), else_=0)
    return case(
        {user_id: rank for rank, (user_id, _name) in enumerate(ranked)},
        value=Assignment.owner_id,
        else_=len(ranked),
    )


def filtered(
    filters: AssignmentFilters,
    *columns: Any,
    user: User,
    session: Session,
    counting: bool = False,
    known: search.Known | None = None,
) -> Rows:
    """The list's query for these columns (of Assignment, Company and User, the owner),
    filtered and sorted, without paging: the CSV export streams it whole. `counting`: of
    Assignment's columns alone, unsorted, to count what it finds (the owner order would
    look the users up again)."""
    f = filters.normalized()
    # A count needs neither the company nor the owner: no filter reads them.
    base = select_columns(*columns) if counting else _joined(*columns)
    statement = _selected(f, base, user=user, session=session, counting=counting, known=known)
    if counting:
        return statement
    return statement.order_by(*_order(f, session))


def _selected(
    f: AssignmentFilters,
    statement: Rows,
    *,
    user: User,
    session: Session,
    counting: bool = False,
    known: search.Known | None = None,
) -> Rows:
    """The statement with the list's filters: _where()'s, and the status or state."""
    statement = _where(statement, f, user=user, session=session, counting=counting, known=known)
    if f.status:
        return statement.where(col(Assignment.status) == AssignmentStatus(f.status))
    if f.state != "all":
        wanted = OPEN_STATUSES if f.state == "open" else CLOSED_STATUSES
        return statement.where(col(Assignment.status).in_(wanted))
    return statement


def _order(f: AssignmentFilters, session: Session) -> list[Any]:
    """ORDER BY of the list's sort, ending in the id (a stable order for paging)."""
    dialect = session.get_bind().dialect.name
    deadline = col(Assignment.deadline).asc().nulls_last()
    order: list[Any] = {
        "deadline": lambda: [deadline],
        "-deadline": lambda: [col(Assignment.deadline).desc().nulls_last()],
        "company": lambda: [by_name(Company.name, Company.sort_key, dialect=dialect), deadline],
        "status": lambda: [status_rank(Assignment.status), deadline],
        "owner": lambda: [_owner_rank(session), deadline],
        "created": lambda: [col(Assignment.created_at).desc()],
    }[f.sort]()
    return [*order, col(Assignment.id)]


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """What the list shows of an assignment, read as plain values (not as a tracked
    record: the list only reads them)."""

    id: int
    occupation: str
    ssyk_code: str | None
    company_id: int
    filled_count: int
    positions: int
    employment_type: EmploymentType
    status: AssignmentStatus
    deadline: dt.date | None
    created_at: dt.datetime


_ROW_COLUMNS = tuple(getattr(Assignment, name) for name in AssignmentRow.__dataclass_fields__)


@dataclass
class ListedAssignment:
    assignment: Assignment | AssignmentRow
    company_name: str
    owner_name: str | None

    def overdue(self, today: dt.date) -> bool:
        return is_overdue(self.assignment, today)


def is_overdue(assignment: Assignment | AssignmentRow, today: dt.date) -> bool:
    """Still open after its deadline."""
    return (
        assignment.status in OPEN_STATUSES
        and assignment.deadline is not None
        and assignment.deadline < today
    )


@dataclass
class AssignmentPage:
    rows: list[ListedAssignment]
    page: int
    has_next: bool
    found: Found


def list_(filters: AssignmentFilters, *, user: User, session: Session) -> AssignmentPage:
    """One page of the list: one query (two when sorted by owner), +1 for how many it
    found when there is more than a page (a count that stops at COUNT_LIMIT); one row
    more than shown says whether there is a next page."""
    f = filters.normalized()
    known: search.Known = {}
    order = _order(f, session)
    # The page's ids first, from the assignments alone where the sort allows (the index
    # of status and deadline covers the default one), then their columns and names:
    # joining every open assignment to its company before sorting them all took 36 ms of
    # SQLite's time at 50,000 companies, ten times that at 500,000; this takes 0.3 ms.
    base = _joined(Assignment.id) if f.sort == "company" else select_columns(Assignment.id)
    ids = (
        _selected(f, base, user=user, session=session, known=known)
        .order_by(*order)
        .offset((f.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .correlate(None)
    )
    page = (
        _joined(*_ROW_COLUMNS, Company.name, User.full_name)
        .where(col(Assignment.id).in_(ids))
        .order_by(*order)
    )
    found = session.connection().execute(page).all()
    rows = [
        ListedAssignment(AssignmentRow(*row[:-2]), company_name=row[-2], owner_name=row[-1])
        for row in found[:PAGE_SIZE]
    ]
    has_next = len(found) > PAGE_SIZE
    number = count_found(
        filtered(f, Assignment.id, user=user, session=session, counting=True, known=known),
        page=f.page,
        page_size=PAGE_SIZE,
        shown=len(rows),
        has_next=has_next,
        session=session,
    )
    return AssignmentPage(rows=rows, page=f.page, has_next=has_next, found=number)


# --- the board --------------------------------------------------------------------------


@dataclass
class Column:
    status: AssignmentStatus
    rows: list[ListedAssignment]
    page: int
    has_next: bool
    total: int


def column(
    status: AssignmentStatus,
    filters: AssignmentFilters,
    *,
    page: int = 1,
    user: User,
    session: Session,
    company_ids: Rows | None = None,
) -> tuple[list[ListedAssignment], bool]:
    """One page of a board column, newest first: an assignment just registered is at the
    top of "Ny" for the one who registered it (and everyone whose filters it matches);
    the deadline shows on the card, overdue ones marked."""
    f = filters.normalized()
    page = max(1, min(page, 10_000))
    statement = _where(
        _joined(Assignment, Company.name, User.full_name),
        f,
        user=user,
        session=session,
        company_ids=company_ids,
    )
    statement = (
        statement.where(col(Assignment.status) == status)
        .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        .offset((page - 1) * COLUMN_SIZE)
        .limit(COLUMN_SIZE + 1)
    )
    found = session.exec(statement).all()
    rows = [ListedAssignment(a, company, owner) for a, company, owner in found[:COLUMN_SIZE]]
    return rows, len(found) > COLUMN_SIZE


def column_totals(
    filters: AssignmentFilters,
    *,
    user: User,
    session: Session,
    company_ids: Rows | None = None,
) -> dict[AssignmentStatus, int]:
    """How many open assignments each column holds: one grouped COUNT."""
    f = filters.normalized()
    statement = select(Assignment.status, func.count()).where(
        col(Assignment.status).in_(OPEN_STATUSES)
    )
    statement = _where(statement, f, user=user, session=session, company_ids=company_ids).group_by(
        Assignment.status
    )
    totals = dict.fromkeys(OPEN_STATUSES, 0)
    totals.update({AssignmentStatus(status): count for status, count in session.exec(statement)})
    return totals


def board(
    filters: AssignmentFilters,
    *,
    user: User,
    session: Session,
) -> list[Column]:
    """The board: one column per open status with its first page, and the totals."""
    f = filters.normalized()
    company_ids = _company_ids(f, user=user, session=session)
    totals = column_totals(f, user=user, session=session, company_ids=company_ids)
    columns = []
    for status in OPEN_STATUSES:
        rows, has_next = column(status, f, user=user, session=session, company_ids=company_ids)
        columns.append(
            Column(status=status, rows=rows, page=1, has_next=has_next, total=totals[status])
        )
    return columns


# --- a company's assignments ------------------------------------------------------------


@dataclass
class CompanyAssignment:
    assignment: Assignment
    owner_name: str | None


def status_rank(column: Any) -> Any:
    """ORDER BY expression: the pipeline order of the statuses (open ones first)."""
    return case(
        {status.value: rank for rank, status in enumerate(STATUS_ORDER)},
        value=column,
        else_=len(STATUS_ORDER),
    )


def for_company(
    company_id: int, *, session: Session, limit: int = COMPANY_SECTION_SIZE
) -> tuple[list[CompanyAssignment], bool]:
    """The company's assignments, open first, then by deadline (none last), with their
    owners' names: one query. (rows, whether there are more than `limit`)."""
    rows = session.exec(
        select(Assignment, User.full_name)
        .outerjoin(User, col(User.id) == Assignment.owner_id)
        .where(Assignment.company_id == company_id)
        .order_by(
            case((col(Assignment.status).in_(OPEN_STATUSES), 0), else_=1),
            col(Assignment.deadline).asc().nulls_last(),
            col(Assignment.id).desc(),
        )
        .limit(limit + 1)
    ).all()
    found = [CompanyAssignment(assignment=a, owner_name=name) for a, name in rows[:limit]]
    return found, len(rows) > limit


def company_section(company_id: int, *, session: Session) -> dict[str, Any]:
    """What the company page's assignment section shows (one query)."""
    rows, more = for_company(company_id, session=session)
    return {
        "assignments": rows,
        "more_assignments": more,
        "assignment_labels": {
            "status": STATUS_LABELS,
            "employment_type": EMPLOYMENT_TYPE_LABELS,
            "open": OPEN_STATUSES,
        },
    }


def link_choices(company_id: int, *, keep: int | None = None, session: Session) -> list[Assignment]:
    """The assignments a call at the company can be about: its open ones, and the one the
    call is already about (`keep`), even if that has closed since. One query."""
    wanted: ColumnElement[bool] = col(Assignment.status).in_(OPEN_STATUSES)
    if keep is not None:
        wanted = or_(wanted, col(Assignment.id) == keep)
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.company_id == company_id, wanted)
            .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        ).all()
    )
