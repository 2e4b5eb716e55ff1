"""Teamöversikt's figures and export tables (the page is team_routes.py): for a team lead,
every broker's follow-ups overdue and due today and open assignments past deadline, and
the companies nobody owns.

Who may see it: admins and viewers (team leads and managers hold one of these roles), as
on Min dag, where only they may look at a colleague's day or the team's. A broker gets 403:
their own figures are on their own Min dag, and a colleague's workload is the lead's
business, not theirs.

A follow-up belongs to a broker as on Min dag (app/today/service.py): when they own its
company or wrote it. One written by a colleague on a broker's company so counts for both,
and the team's row counts each follow-up once. The figures are aggregated in SQL: the page
runs the same few statements whatever the data size.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, union
from sqlmodel import Session, col, select

from app.activities.models import Activity
from app.assignments.models import OPEN_STATUSES, Assignment
from app.auth.models import User
from app.clock import Clock, to_local, today
from app.companies import service as companies
from app.companies.models import STATUS_LABELS, Company, CompanyKind, CompanyStatus
from app.db import by_name, swedish_sort_key
from app.exports.table import Table, batches
from app.query import select_columns
from app.today import service as my_day

# Enough to act on in one sitting; the rest are a page away.
PAGE_SIZE = 50
MAX_PAGE = 10_000


@dataclass
class Load:
    """What is late or due for one broker, for nobody, or for the whole team."""

    overdue_follow_ups: int = 0
    follow_ups_today: int = 0
    oldest_follow_up: dt.date | None = None
    late_assignments: int = 0
    oldest_deadline: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not (self.overdue_follow_ups or self.follow_ups_today or self.late_assignments)


@dataclass
class BrokerLoad:
    user: User
    load: Load
    # Whether Min dag can show this user's day (it offers active brokers and admins only).
    has_day: bool
    # ?user= for Min dag, and the assignment list's query string, as Min dag links them.
    day_param: str
    assignments_query: str

    @property
    def inactive(self) -> bool:
        return not self.user.is_active


@dataclass
class Workload:
    day: dt.date
    brokers: list[BrokerLoad]
    # Follow-ups neither owned nor written by anyone, assignments with no owner.
    nobody: Load
    team: Load
    nobody_assignments_query: str = "owner=none&sort=deadline"
    team_day_param: str = my_day.TEAM
    team_assignments_query: str = field(
        default_factory=lambda: my_day.late_assignments_filters(my_day.View(None, own=False))
    )


def _due_follow_ups(day: dt.date) -> Any:
    """Min dag's follow-ups due (app/today/service.py, due_follow_ups): not done, dated
    today or earlier, on a company not archived; with the company's owner and the author."""
    # The company's earliest open follow-up is due whenever any of its follow-ups is: a
    # condition that is always true of the rows wanted, but lets the database start from
    # the few companies with one due (an index) instead of every activity.
    due_companies = select(Company.id).where(
        col(Company.next_follow_up_on) <= day,
        col(Company.archived_at).is_(None),
    )
    return (
        select(
            col(Activity.id).label("activity_id"),
            col(Activity.follow_up_on).label("day"),
            col(Company.owner_id).label("owner_id"),
            col(Activity.user_id).label("author_id"),
        )
        .join(Company, col(Company.id) == Activity.company_id)
        .where(
            col(Activity.company_id).in_(due_companies),
            col(Activity.follow_up_on) <= day,
            col(Activity.follow_up_done_at).is_(None),
            col(Company.archived_at).is_(None),
        )
        .cte("due")
    )


def _follow_up_columns(day_column: Any, day: dt.date, only: Any = None) -> list[Any]:
    """COUNT of overdue, COUNT of due today, MIN overdue date (of the rows where `only`)."""
    overdue = day_column < day if only is None else and_(only, day_column < day)
    due_today = day_column == day if only is None else and_(only, day_column == day)
    return [
        func.count(case((overdue, 1))),
        func.count(case((due_today, 1))),
        func.min(case((overdue, day_column))),
    ]


def _follow_ups_by_user(day: dt.date, *, session: Session) -> dict[int, Load]:
    """Per user, the due follow-ups on the companies they own or that they wrote: one
    query. UNION (not UNION ALL) counts one a broker both owns and wrote once."""
    due = _due_follow_ups(day)
    pairs = union(
        select(due.c.owner_id.label("user_id"), due.c.activity_id, due.c.day).where(
            due.c.owner_id.is_not(None)
        ),
        select(due.c.author_id, due.c.activity_id, due.c.day).where(due.c.author_id.is_not(None)),
    ).subquery()
    rows = session.exec(
        select(pairs.c.user_id, *_follow_up_columns(pairs.c.day, day)).group_by(pairs.c.user_id)
    ).all()
    return {
        user_id: Load(overdue_follow_ups=overdue, follow_ups_today=due_today, oldest_follow_up=old)
        for user_id, overdue, due_today, old in rows
    }


def _follow_ups_of_team(day: dt.date, *, session: Session) -> tuple[Load, Load]:
    """The team's due follow-ups, each once, and those of nobody (an unowned company and
    an author since deleted): one query."""
    due = _due_follow_ups(day)
    nobody = and_(due.c.owner_id.is_(None), due.c.author_id.is_(None))
    team_overdue, team_today, team_oldest, *rest = session.exec(
        select(*_follow_up_columns(due.c.day, day), *_follow_up_columns(due.c.day, day, nobody))
    ).one()
    nobody_overdue, nobody_today, nobody_oldest = rest
    return (
        Load(team_overdue, team_today, team_oldest),
        Load(nobody_overdue, nobody_today, nobody_oldest),
    )


def _late_assignments_by_owner(day: dt.date, *, session: Session) -> dict[int | None, Load]:
    """Per owner (None: no owner), the open assignments past deadline as Min dag counts
    them (late_assignments), and the oldest deadline: one query."""
    rows = session.exec(
        select(Assignment.owner_id, func.count(), func.min(Assignment.deadline))
        .where(
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.deadline) < day,
        )
        .group_by(col(Assignment.owner_id))
    ).all()
    return {
        owner_id: Load(late_assignments=count, oldest_deadline=oldest)
        for owner_id, count, oldest in rows
    }


def workload(*, session: Session, clock: Clock) -> Workload:
    """Every active broker's (and admin's) figures, zeros included, and every other user
    who still has something late or due (inactive, say), marked; then nobody's and the
    team's: four queries."""
    day = today(clock)
    follow_ups = _follow_ups_by_user(day, session=session)
    assignments = _late_assignments_by_owner(day, session=session)
    team, nobody = _follow_ups_of_team(day, session=session)
    owners = companies.owners(session=session)
    with_day = {user.id for user in owners}
    wanted = (set(follow_ups) | set(assignments)) - with_day - {None}
    # Always run, even for no ids: the page costs the same statements whatever the data.
    others = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    people = list(owners) + sorted(
        others, key=lambda user: (not user.is_active, swedish_sort_key(user.full_name))
    )

    def load_of(user_id: int | None) -> Load:
        found = follow_ups.get(user_id) if user_id is not None else None
        late = assignments.get(user_id, Load())
        result = found or Load()
        result.late_assignments = late.late_assignments
        result.oldest_deadline = late.oldest_deadline
        return result

    brokers = []
    for user in people:
        view = my_day.View(user=user, own=False)
        brokers.append(
            BrokerLoad(
                user=user,
                load=load_of(user.id),
                has_day=user.id in with_day,
                day_param=view.param,
                assignments_query=my_day.late_assignments_filters(view),
            )
        )
    unowned = assignments.get(None, Load())
    nobody.late_assignments = unowned.late_assignments
    nobody.oldest_deadline = unowned.oldest_deadline
    # Each assignment has one owner or none, so the team's are the rows' sum.
    team.late_assignments = sum(load.late_assignments for load in assignments.values())
    deadlines = [load.oldest_deadline for load in assignments.values() if load.oldest_deadline]
    team.oldest_deadline = min(deadlines, default=None)
    return Workload(day=day, brokers=brokers, nobody=nobody, team=team)


# --- companies nobody owns ----------------------------------------------------------------


@dataclass
class UnownedCompanies:
    rows: list[Company]
    total: int
    page: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _unowned() -> Any:
    # Employers only: a samverkanspart is nobody's account to own.
    return (
        col(Company.owner_id).is_(None),
        col(Company.archived_at).is_(None),
        Company.kind == CompanyKind.employer,
    )


def unowned_companies(page: int, *, session: Session) -> UnownedCompanies:
    """Companies in the register (not archived) with no owner, the most recently active
    first (someone is working with them: they should own them), then by name: a COUNT and
    one page of PAGE_SIZE."""
    page = max(1, min(page, MAX_PAGE))
    total = session.exec(select(func.count()).select_from(Company).where(*_unowned())).one()
    dialect = session.get_bind().dialect.name
    rows = session.exec(
        select(Company)
        .where(*_unowned())
        .order_by(
            col(Company.last_activity_at).desc().nulls_last(),
            by_name(Company.name, Company.sort_key, dialect=dialect),
            col(Company.id),
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return UnownedCompanies(
        rows=list(rows), total=total, page=page, pages=max(1, math.ceil(total / PAGE_SIZE))
    )


# --- the exports: both tables for the lead's own documents -----------------------------------

WORKLOAD_HEADERS = (
    "Jobbmäklare",
    "Försenade återkopplingar",
    "Återkopplingar i dag",
    "Äldsta försenade återkoppling",
    "Uppdrag efter deadline",
    "Äldsta deadline",
)
UNOWNED_HEADERS = (
    "Företag",
    "Organisationsnummer",
    "Ort",
    "Kommun",
    "Status",
    "Senaste kontakthändelse",
)


def workload_table(work: Workload) -> Table:
    """The workload table as on the page, in Swedish (files are not localised), with the
    rows for nobody (when there is something) and for the whole team last."""

    def row(label: str, load: Load) -> list[Any]:
        return [
            label,
            load.overdue_follow_ups,
            load.follow_ups_today,
            load.oldest_follow_up,
            load.late_assignments,
            load.oldest_deadline,
        ]

    rows = [
        row(f"{b.user.full_name}{' (inaktiverad)' if b.inactive else ''}", b.load)
        for b in work.brokers
    ]
    if not work.nobody.empty:
        rows.append(row("Ingen ansvarig", work.nobody))
    rows.append(row("Hela teamet", work.team))
    return Table("teamoversikt", "Teamöversikt", WORKLOAD_HEADERS, [rows])


def unowned_table(*, session: Session) -> Table:
    """Every company with no owner (not only a page), in the page's order, streamed."""
    dialect = session.get_bind().dialect.name
    statement = (
        select_columns(
            Company.name,
            Company.org_number,
            Company.city,
            Company.municipality,
            Company.status,
            Company.last_activity_at,
        )
        .where(*_unowned())
        .order_by(
            col(Company.last_activity_at).desc().nulls_last(),
            by_name(Company.name, Company.sort_key, dialect=dialect),
            col(Company.id),
        )
    )

    def shown(found: Any) -> list[list[Any]]:
        return [
            [
                name,
                number,
                city,
                place,
                STATUS_LABELS[CompanyStatus(status)],
                to_local(last).date() if last else None,
            ]
            for name, number, city, place, status, last in found
        ]

    rows = (shown(batch) for batch in batches(statement, session=session, batch_size=None))
    return Table("foretag-utan-ansvarig", "Företag utan ansvarig", UNOWNED_HEADERS, rows)
