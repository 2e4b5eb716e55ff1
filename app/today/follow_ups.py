"""Min dag's follow-ups in three groups: every one due today, then the overdue ones of the
last seven days, then the older ones; each group counted (one aggregate query for the
three) and paged (one more query for the rows of the three pages). Also one follow-up as
its row shows it, and a call logged from a row, which may mark the row's follow-up done
in the same step.

"The last seven days" is a rolling week (today minus 7 to yesterday), not the calendar
week: on a Monday, last Friday's promise is still recent. Overdue groups run newest first,
so the list reads from today backwards: a year-old promise is rarely the next call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, func, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.activities import service as activities
from app.activities.models import Activity
from app.activities.service import ActivityForm
from app.auth.models import User
from app.clock import Clock, today
from app.companies import service as companies
from app.companies.models import Company
from app.errors import NotFound
from app.query import select_columns
from app.today.service import View

TODAY, WEEK, OLDER = "today", "week", "older"
GROUPS = (TODAY, WEEK, OLDER)
# Today's are all shown unless a day is extraordinary; the backlog a page at a time.
PER_PAGE = {TODAY: 50, WEEK: 10, OLDER: 10}
RECENT_OVERDUE_DAYS = 7


@dataclass
class FollowUp:
    activity: Activity
    company_name: str
    owner_id: int | None
    owner_name: str | None
    author_name: str | None

    def days_late(self, day: dt.date) -> int:
        """How many days past its date the follow-up is (0: due today or later)."""
        due = self.activity.follow_up_on
        return (day - due).days if due is not None and due < day else 0


@dataclass(frozen=True)
class Group:
    """One group's page of follow-ups, and how many the group holds in all."""

    key: str
    rows: list[FollowUp]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE[self.key]))


def _rows(rows: Sequence[Any]) -> list[FollowUp]:
    return [
        FollowUp(
            activity=activity,
            company_name=company_name,
            owner_id=owner_id,
            owner_name=owner_name,
            author_name=author_name,
        )
        for activity, company_name, owner_id, owner_name, author_name in rows
    ]


# The statements are built once, with bound parameters: building and compiling them on
# every request cost Min dag milliseconds (SQLAlchemy caches a statement object's key).
_DAY: Any = bindparam("day")
_SINCE: Any = bindparam("since")
_USER: Any = bindparam("user_id")
_OFFSET: dict[str, Any] = {key: bindparam(f"{key}_offset") for key in GROUPS}
_OWNER = aliased(User, name="owner")
_AUTHOR = aliased(User, name="author")


def _statement() -> Any:
    owner, author = _OWNER, _AUTHOR
    return (
        select_columns(Activity, Company.name, Company.owner_id, owner.full_name, author.full_name)
        .join(Company, col(Company.id) == Activity.company_id)
        .outerjoin(owner, col(owner.id) == Company.owner_id)
        .outerjoin(author, col(author.id) == Activity.user_id)
    )


def _due(*, team: bool) -> Any:
    """Follow-ups not done, dated today or earlier, on companies not archived, of the user
    (or of the team): their ids and dates, a subquery.

    A company whose earliest open follow-up is due (an index on owner and next follow-up)
    is where a due follow-up can be: the database starts from those few companies and
    looks their follow-ups up by company, instead of reading every activity. The ones I
    wrote on others' companies are looked up by author (an index on author, done, date),
    in a query of their own (UNION ALL): written as one condition with OR, PostgreSQL
    reads all activities for it (it cannot look an OR with a subquery up in an index).
    """
    due_companies = select(Company.id).where(
        col(Company.next_follow_up_on) <= _DAY, col(Company.archived_at).is_(None)
    )
    if not team:
        due_companies = due_companies.where(Company.owner_id == _USER)
    open_ = (col(Activity.follow_up_on) <= _DAY, col(Activity.follow_up_done_at).is_(None))
    columns: tuple[Any, ...] = (
        col(Activity.id).label("id"),
        col(Activity.follow_up_on).label("day"),
    )
    on_companies = select(*columns).where(*open_, col(Activity.company_id).in_(due_companies))
    if team:
        return on_companies.subquery("due")
    # Mine on others' companies: those not archived, asked company by company (a
    # correlated lookup by primary key for each of the few found; as a join PostgreSQL,
    # which guesses thousands found, read every company).
    archived = (
        select(Company.archived_at)
        .where(col(Company.id) == Activity.company_id)
        .correlate(Activity)
        .scalar_subquery()
    )
    mine = select(*columns).where(
        *open_,
        col(Activity.user_id) == _USER,
        col(Activity.company_id).not_in(due_companies),  # those the first half found
        archived.is_(None),
    )
    return union_all(on_companies, mine).subquery("due")


def _in_group(key: str, on: Any) -> Any:
    """Whether a due follow-up dated `on` (a column) is in the group."""
    return {TODAY: on == _DAY, WEEK: and_(on < _DAY, on >= _SINCE), OLDER: on < _SINCE}[key]


def _counts(*, team: bool) -> Any:
    due = _due(team=team)
    return select(*(func.count(case((_in_group(key, due.c.day), 1))) for key in GROUPS))


def _pages(*, team: bool) -> Any:
    """The rows on the groups' pages: the due follow-ups are found once (a CTE, made
    MATERIALIZED on both engines), each group's page of ids is taken from them, and only
    those rows are read in full."""
    found = _due(team=team)
    due = select(found.c.id, found.c.day).cte("due").prefix_with("MATERIALIZED")
    parts = []
    for key in GROUPS:
        order = [due.c.id] if key == TODAY else [due.c.day.desc(), due.c.id.desc()]
        one_page = (
            select(due.c.id)
            .where(_in_group(key, due.c.day))
            .order_by(*order)
            .limit(PER_PAGE[key])
            .offset(_OFFSET[key])
            .subquery()
        )
        # Each page a subquery of its own: SQLite takes no LIMIT on a UNION's member.
        parts.append(select(one_page.c.id))
    ids = union_all(*parts).subquery()
    return _statement().where(col(Activity.id).in_(select(ids.c.id)))


_COUNTS = {team: _counts(team=team) for team in (False, True)}
_PAGES = {team: _pages(team=team) for team in (False, True)}
_ONE = _statement().where(col(Activity.id) == bindparam("activity_id"))


def _params(view: View, day: dt.date) -> dict[str, Any]:
    since = day - dt.timedelta(days=RECENT_OVERDUE_DAYS)
    return {"day": day, "since": since, "user_id": view.user.id if view.user else None}


def group_of(activity: Activity, day: dt.date) -> str:
    """The group of a due follow-up."""
    due = activity.follow_up_on
    if due == day:
        return TODAY
    recent = due is not None and due >= day - dt.timedelta(days=RECENT_OVERDUE_DAYS)
    return WEEK if recent else OLDER


def counts(view: View, *, session: Session, clock: Clock) -> dict[str, int]:
    """How many follow-ups each group holds: one aggregate query for the three."""
    params = _params(view, today(clock))
    row = session.exec(_COUNTS[view.user is None], params=params).one()
    return dict(zip(GROUPS, row, strict=True))


def groups(view: View, pages: Mapping[str, int], *, session: Session, clock: Clock) -> list[Group]:
    """The three groups at the pages asked for (the last page when one is past it): a
    query for the counts, and one for the rows of every group's page (none when all
    groups are empty)."""
    day = today(clock)
    totals = counts(view, session=session, clock=clock)
    shown = {
        key: min(max(pages.get(key, 1), 1), max(1, -(-totals[key] // PER_PAGE[key])))
        for key in GROUPS
    }
    rows: dict[str, list[FollowUp]] = {key: [] for key in GROUPS}
    if any(totals.values()):
        params = _params(view, day) | {
            f"{key}_offset": (page - 1) * PER_PAGE[key] for key, page in shown.items()
        }
        for entry in _rows(session.exec(_PAGES[view.user is None], params=params).all()):
            rows[group_of(entry.activity, day)].append(entry)
    rows[TODAY].sort(key=lambda entry: entry.activity.id)
    for key in (WEEK, OLDER):
        rows[key].sort(key=lambda e: (e.activity.follow_up_on, e.activity.id), reverse=True)
    return [Group(key=key, rows=rows[key], total=totals[key], page=shown[key]) for key in GROUPS]


def follow_up(activity_id: int, *, session: Session) -> FollowUp:
    """One follow-up as Min dag shows it (after it was moved, or to log a call from it)."""
    rows = session.exec(_ONE, params={"activity_id": activity_id}).all()
    if not rows:
        raise NotFound("Kontakthändelsen finns inte.")
    return _rows(rows)[0]


def check_may_log(entry: FollowUp, user: User) -> None:
    """Logging from a row is for those who may handle its follow-up (Forbidden)."""
    activities.check_may_handle_follow_up(entry.activity, user, owner_id=entry.owner_id)


class LogForm(ActivityForm):
    """The call-log form of a row: the activity, and whether the row's follow-up is done."""

    # "1" when "Markera återkopplingen klar" is ticked (an unticked box sends nothing).
    done: str = ""
    # The ?user= of the page the form was on, to go back to it.
    view: str = ""


def log(entry: FollowUp, form: LogForm, *, user: User, session: Session, clock: Clock) -> Activity:
    """Logs the activity on the follow-up's company and, when the form says so, marks the
    follow-up done: one transaction, so neither is saved without the other."""
    check_may_log(entry, user)
    company = companies.get(entry.activity.company_id, session=session)
    logged = activities.create(company, form, user=user, session=session, clock=clock)
    if form.done:
        activities.complete_follow_up(entry.activity, user=user, session=session, clock=clock)
    return logged
