"""Finding agreements: the list at /agreements (filtered by kind, status, ending soon, the
company's owner, municipality or name; sorted; paged; counted per status), the company
page's section, and the choices the agreement form offers. Each page costs the same few
statements however many agreements there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from app import search
from app.agreements import service as agreements
from app.agreements.models import (
    KIND_LABELS,
    STATE_LABELS,
    Agreement,
    AgreementKind,
    AgreementSignatory,
    AgreementState,
)
from app.agreements.service import ENDING_DAYS, AgreementView
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import Clock, today
from app.companies import service as companies
from app.companies.models import Company
from app.companies.service import KIND_ALL, CompanyFilters
from app.contacts.models import Contact
from app.db import by_name
from app.query import Found, Rows, select_columns
from app.validation import typed_id

PAGE_SIZE = 25
SORTS = ("valid_to", "-valid_to", "-signed", "signed", "company")


class AgreementFilters(SQLModel):
    """The list's whole state; it lives in the URL's query string."""

    q: str = ""  # the company's name, org.nr or town (the register's search)
    company_id: str = ""  # one company (the company page's link)
    kind: str = ""
    state: str = ""
    ending: bool = False  # signed, valid to within ENDING_DAYS, not renewed
    owner: str = ""  # the company's owner: "" all, "me", "none", or a user id
    municipality: str = ""
    sort: str = "valid_to"
    page: int = 1

    @property
    def filtering(self) -> bool:
        """Whether a filter or the sort order is other than the default (the search and the
        one company aside: those show outside the list's disclosure)."""
        return bool(self.query(without=("page", "q", "company_id")))

    def normalized(self) -> AgreementFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return AgreementFilters(
            q=self.q.strip()[:200],
            company_id=self.company_id if typed_id(self.company_id) else "",
            kind=self.kind if self.kind in AgreementKind._value2member_map_ else "",
            state=self.state if self.state in AgreementState._value2member_map_ else "",
            ending=self.ending,
            owner=self.owner if self.owner in ("me", "none") or typed_id(self.owner) else "",
            municipality=self.municipality.strip()[:100],
            sort=self.sort if self.sort in SORTS else "valid_to",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self, *, without: tuple[str, ...] = ("page",)) -> dict[str, str]:
        """The filters that differ from the defaults, for links that keep them."""
        defaults = AgreementFilters()
        return {
            name: "true" if value is True else str(value)
            for name, value in self.model_dump().items()
            if name not in without and value != getattr(defaults, name)
        }


def _where(
    statement: Rows,
    f: AgreementFilters,
    *,
    user: User,
    session: Session,
    day: dt.date,
    known: search.Known,
) -> Rows:
    """Every filter but the status (the counts per status are of the rest). The statement
    has the company joined."""
    if f.q:
        found = companies.filtered(
            # An agreement's company by name, whatever its kind (a samverkanspart has some).
            CompanyFilters(q=f.q, kind=KIND_ALL),
            Company.id,
            user=user,
            session=session,
            known=known,
        ).order_by(None)
        statement = statement.where(col(Agreement.company_id).in_(found))
    if f.company_id:
        statement = statement.where(col(Agreement.company_id) == int(f.company_id))
    if f.kind:
        statement = statement.where(col(Agreement.kind) == AgreementKind(f.kind))
    if f.ending:
        renewal = aliased(Agreement)
        statement = statement.where(
            col(Agreement.state) == AgreementState.signed,
            col(Agreement.valid_to).between(day, day + dt.timedelta(days=ENDING_DAYS)),
            ~exists().where(col(renewal.renews_id) == Agreement.id),
        )
    if f.owner == "none":
        statement = statement.where(col(Company.owner_id).is_(None))
    elif f.owner:
        owner = user.id if f.owner == "me" else int(f.owner)
        statement = statement.where(col(Company.owner_id) == owner)
    if f.municipality:
        statement = statement.where(col(Company.municipality) == f.municipality)
    return statement


def _order(f: AgreementFilters, session: Session) -> list[Any]:
    """ORDER BY of the list's sort, ending in the id (a stable order for paging)."""
    valid_to = col(Agreement.valid_to).asc().nulls_last()
    order: list[Any] = {
        "valid_to": lambda: [valid_to],
        "-valid_to": lambda: [col(Agreement.valid_to).desc().nulls_last()],
        "-signed": lambda: [col(Agreement.signed_on).desc().nulls_last()],
        "signed": lambda: [col(Agreement.signed_on).asc().nulls_last()],
        "company": lambda: [
            by_name(Company.name, Company.sort_key, dialect=session.get_bind().dialect.name),
            valid_to,
        ],
    }[f.sort]()
    return [*order, col(Agreement.id)]


def filtered(
    filters: AgreementFilters,
    *columns: Any,
    user: User,
    session: Session,
    clock: Clock,
    known: search.Known | None = None,
) -> Rows:
    """The list's query for these columns (of Agreement and Company, joined), filtered
    and sorted, without paging: the export streams it whole."""
    f = filters.normalized()
    joined = select_columns(*columns).join(Company, col(Company.id) == Agreement.company_id)
    known = {} if known is None else known
    statement = _where(joined, f, user=user, session=session, day=today(clock), known=known)
    if f.state:
        statement = statement.where(col(Agreement.state) == AgreementState(f.state))
    return statement.order_by(*_order(f, session))


def signatory_names(agreement_ids: list[int], *, session: Session) -> dict[int, list[str]]:
    """The company's signatories of each agreement by name, in the register's order: one
    statement, however many agreements."""
    names: dict[int, list[str]] = {}
    if not agreement_ids:
        return names
    for agreement_id, name in session.exec(
        select(AgreementSignatory.agreement_id, Contact.name)
        .join(Contact, col(Contact.id) == AgreementSignatory.contact_id)
        .where(col(AgreementSignatory.agreement_id).in_(agreement_ids))
        .order_by(col(Contact.sort_key), col(Contact.id))
    ).all():
        names.setdefault(agreement_id, []).append(name)
    return names


@dataclass
class ListedAgreement:
    view: AgreementView
    company_name: str


@dataclass
class AgreementPage:
    rows: list[ListedAgreement]
    page: int
    has_next: bool
    found: Found
    # How many of each status the other filters find (all statuses, zeros too).
    by_state: dict[AgreementState, int]


def list_(
    filters: AgreementFilters, *, user: User, session: Session, clock: Clock
) -> AgreementPage:
    """One page of the list: the page's agreements with their companies' names (one
    query; one row more than shown says whether there is a next page), what the page
    shows of them (service.views: four statements), and one grouped count per status."""
    f = filters.normalized()
    day = today(clock)
    known: search.Known = {}
    statement = filtered(
        f, Agreement, Company.name, user=user, session=session, clock=clock, known=known
    )
    found = session.exec(statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    shown = found[:PAGE_SIZE]
    views = agreements.views(
        [agreement for agreement, _name in shown], session=session, clock=clock
    )
    rows = [ListedAgreement(view, name) for view, (_a, name) in zip(views, shown, strict=True)]

    counting = select_columns(Agreement.state, func.count()).join(
        Company, col(Company.id) == Agreement.company_id
    )
    counting = _where(counting, f, user=user, session=session, day=day, known=known)
    by_state = dict.fromkeys(AgreementState, 0)
    for state, number in session.exec(counting.group_by(col(Agreement.state))).all():
        by_state[AgreementState(state)] = number
    total = by_state[AgreementState(f.state)] if f.state else sum(by_state.values())
    return AgreementPage(
        rows=rows,
        page=f.page,
        has_next=len(found) > PAGE_SIZE,
        found=Found(total),
        by_state=by_state,
    )


# --- the company page and the form ------------------------------------------------------


def company_section(company_id: int, *, session: Session, clock: Clock) -> dict[str, Any]:
    """What the company page's agreement section shows: five statements."""
    found = agreements.for_company(company_id, session=session)
    return {
        "agreements": agreements.views(found, session=session, clock=clock),
        # Not "agreement_labels": the company page has those (the letter of intent's).
        "agreement_kind_labels": KIND_LABELS,
        "agreement_state_labels": STATE_LABELS,
    }


def assignment_choices(company_id: int, *, session: Session) -> list[tuple[int, str]]:
    """The company's assignments an agreement can be for, newest first: (id, occupation)."""
    return [
        (assignment_id, occupation)
        for assignment_id, occupation in session.exec(
            select(Assignment.id, Assignment.occupation)
            .where(Assignment.company_id == company_id)
            .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        ).all()
    ]


def unit_signatories(*, session: Session, keep: int | None = None) -> list[User]:
    """Who may sign for the unit: the active brokers and admins, and the one already
    chosen (`keep`) if they have left since."""
    people = list(companies.owners(session=session))
    if keep is not None and all(person.id != keep for person in people):
        person = session.get(User, keep)
        if person is not None:
            people.append(person)
    return people
