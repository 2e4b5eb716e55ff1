"""Min dag: a broker's follow-ups due today and overdue (follow_ups.py), their event
checklist items overdue, their assignments past deadline and placements due for
follow-up, the agreements of their companies that end within a month and are not
renewed, their employers not contacted for 90 days (samverkanspartner are not on it) and
checklist items overdue, their job tracks' checklist items due, their assignments past
deadline and placements due for follow-up, the agreements of their companies that end
within a month and are not renewed, their companies not contacted for 90 days and
colleagues' latest activities on them; an admin sees anyone's day or the team's.

Whose follow-ups are "mine": those on companies I own and those I wrote myself, since the
owner answers for the relationship and the author promised to get back. Archived companies
are left out: they need no follow-up. Each section is one query, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.activities.models import Activity
from app.agreements import service as agreements
from app.agreements.models import Agreement, AgreementState
from app.assignments import follow_ups as placements
from app.assignments.models import OPEN_STATUSES, Assignment
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.companies.models import Company, CompanyKind
from app.errors import DomainError, Forbidden, NotFound
from app.events.models import EventStatus, EventTask, RecruitmentEvent
from app.i18n import N_
from app.tracks.models import JobTrack, JobTrackTask, TrackStatus

NOT_CONTACTED_DAYS = 90
RECENT_DAYS = 14
SECTION_LIMIT = 20
TEAM = "team"


@dataclass(frozen=True)
class View:
    """Whose day the page shows: one user's, or the whole team's (user is None)."""

    user: User | None
    own: bool

    @property
    def param(self) -> str:
        """The value of ?user= that shows this view again ("" for one's own day)."""
        if self.own:
            return ""
        return TEAM if self.user is None else str(self.user.id)


def choices(viewer: User, *, session: Session) -> Sequence[User]:
    """Whose day the viewer may switch to besides their own: admins and viewers pick any
    active broker (or admin: they own companies too); brokers see only their own day."""
    if viewer.role == Role.broker:
        return []
    return [user for user in companies.owners(session=session) if user.id != viewer.id]


def view_for(viewer: User, requested: str, *, choices: Sequence[User]) -> View:
    """The view asked for in ?user= (empty, "team" or a user id), if the viewer may see it.

    A broker sees their own day only. An admin starts on their own day. A viewer (read
    only, owns nothing and writes nothing) starts on the team's day, since their own is
    always empty.
    """
    requested = requested.strip()
    if requested in ("", str(viewer.id)):
        if viewer.role == Role.viewer:
            return View(user=None, own=False)
        return View(user=viewer, own=True)
    if viewer.role == Role.broker:
        raise Forbidden(N_("Bara en administratör kan se andras dag."))
    if requested == TEAM:
        return View(user=None, own=False)
    for user in choices:
        if str(user.id) == requested:
            return View(user=user, own=False)
    raise NotFound("Användaren finns inte.")


def view_after_change(viewer: User, requested: str, *, session: Session) -> View:
    """The view a change on Min dag was sent from (its counts are shown again); the
    viewer's own day when it is not one they may see."""
    try:
        return view_for(viewer, requested, choices=choices(viewer, session=session))
    except DomainError:
        return View(user=viewer, own=True)


@dataclass
class Section:
    rows: list[Any]
    has_more: bool


@dataclass
class LateTask:
    task: EventTask
    event_title: str
    assignee_name: str | None


def late_tasks(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Checklist items not done whose due date has passed, the longest overdue first, of
    events not cancelled: one query (an index on assignee, done and due date)."""
    statement = (
        select(EventTask, RecruitmentEvent.title, User.full_name)
        .join(RecruitmentEvent, col(RecruitmentEvent.id) == EventTask.event_id)
        .outerjoin(User, col(User.id) == EventTask.assignee_id)
        .where(
            col(EventTask.done_at).is_(None),
            col(EventTask.due_on) < today(clock),
            RecruitmentEvent.status != EventStatus.cancelled,
        )
    )
    if view.user is not None:
        statement = statement.where(EventTask.assignee_id == view.user.id)
    rows = session.exec(
        statement.order_by(col(EventTask.due_on), col(EventTask.id)).limit(limit + 1)
    ).all()
    return Section(
        rows=[LateTask(task=t, event_title=e, assignee_name=a) for t, e, a in rows[:limit]],
        has_more=len(rows) > limit,
    )


@dataclass
class DueTrackTask:
    task: JobTrackTask
    track_name: str
    assignee_name: str | None

    def overdue(self, today: dt.date) -> bool:
        return self.task.due_on is not None and self.task.due_on < today


def due_track_tasks(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Job tracks' checklist items not done whose day has come (today or earlier), the
    longest overdue first, of tracks not cancelled: one query (an index on assignee, done
    and due date). A ticked item leaves."""
    statement = (
        select(JobTrackTask, JobTrack.name, User.full_name)
        .join(JobTrack, col(JobTrack.id) == JobTrackTask.track_id)
        .outerjoin(User, col(User.id) == JobTrackTask.assignee_id)
        .where(
            col(JobTrackTask.done_at).is_(None),
            col(JobTrackTask.due_on) <= today(clock),
            JobTrack.status != TrackStatus.cancelled,
        )
    )
    if view.user is not None:
        statement = statement.where(JobTrackTask.assignee_id == view.user.id)
    rows = session.exec(
        statement.order_by(col(JobTrackTask.due_on), col(JobTrackTask.id)).limit(limit + 1)
    ).all()
    return Section(
        rows=[DueTrackTask(task=t, track_name=n, assignee_name=a) for t, n, a in rows[:limit]],
        has_more=len(rows) > limit,
    )


@dataclass
class LateAssignment:
    assignment: Assignment
    company_name: str
    owner_name: str | None


def late_assignments(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Open assignments whose deadline has passed, the longest overdue first: one query
    (an index on owner, status and deadline)."""
    statement = (
        select(Assignment, Company.name, User.full_name)
        .join(Company, col(Company.id) == Assignment.company_id)
        .outerjoin(User, col(User.id) == Assignment.owner_id)
        .where(
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.deadline) < today(clock),
        )
    )
    if view.user is not None:
        statement = statement.where(Assignment.owner_id == view.user.id)
    rows = session.exec(
        statement.order_by(col(Assignment.deadline), col(Assignment.id)).limit(limit + 1)
    ).all()
    return Section(
        rows=[
            LateAssignment(assignment=a, company_name=c, owner_name=o) for a, c, o in rows[:limit]
        ],
        has_more=len(rows) > limit,
    )


@dataclass
class EndingAgreement:
    agreement: Agreement
    company_name: str
    owner_name: str | None


def ending_agreements(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Signed agreements valid to a day within the next ENDING_DAYS and not renewed, on
    the view's companies (the company's owner answers for its agreements), the first to
    end first: one query (the agreement(valid_to) index)."""
    day = today(clock)
    renewal = aliased(Agreement)
    # The ending ones first, from the valid_to index (a few in a month), each checked
    # against its company by key; then only those joined for the names. With the owner's
    # filter on the outer query, SQLite walked the broker's companies (7,500 at 50k) for
    # their agreements instead. MATERIALIZED keeps that order on both engines.
    of_company = select(Company.id).where(
        Company.id == Agreement.company_id, col(Company.archived_at).is_(None)
    )
    if view.user is not None:
        of_company = of_company.where(Company.owner_id == view.user.id)
    ending = (
        select(Agreement.id)
        .where(
            Agreement.state == AgreementState.signed,
            col(Agreement.valid_to) >= day,
            col(Agreement.valid_to) <= day + dt.timedelta(days=agreements.ENDING_DAYS),
            ~select(renewal.id).where(renewal.renews_id == Agreement.id).exists(),
            of_company.exists(),
        )
        .cte("ending")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(Agreement, Company.name, User.full_name)
        .join(ending, ending.c.id == Agreement.id)
        .join(Company, col(Company.id) == Agreement.company_id)
        .outerjoin(User, col(User.id) == Company.owner_id)
    )
    rows = session.exec(
        statement.order_by(col(Agreement.valid_to), col(Agreement.id)).limit(limit + 1)
    ).all()
    return Section(
        rows=[
            EndingAgreement(agreement=a, company_name=c, owner_name=o) for a, c, o in rows[:limit]
        ],
        has_more=len(rows) > limit,
    )


def due_follow_ups(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Follow-ups of placements whose day has come, on the view's assignments (their
    owner follows them up): one query."""
    owner = view.user.id if view.user is not None else None
    rows, more = placements.due(owner, session=session, clock=clock, limit=limit)
    return Section(rows=list(rows), has_more=more)


def late_assignments_filters(view: View) -> str:
    """The assignment list's query string showing all of late_assignments() (open ones by
    deadline, the late ones first)."""
    owner = "" if view.user is None else "me" if view.own else str(view.user.id)
    return f"owner={owner}&sort=deadline"


@dataclass
class QuietCompany:
    company: Company
    owner_name: str | None


def not_contacted(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> Section:
    """Employers not contacted for NOT_CONTACTED_DAYS (or never), longest silence first, as
    the company list sorts them: one query. Samverkanspartner are left out (nobody calls
    Arbetsförmedlingen to keep an account warm); the filter reads the rows the index walk
    finds, as archived_at does, so the quiet-company indexes still serve the order."""
    since = companies.not_contacted_since(NOT_CONTACTED_DAYS, clock=clock)
    statement = (
        select(Company, User.full_name)
        .outerjoin(User, col(User.id) == Company.owner_id)
        .where(
            col(Company.archived_at).is_(None),
            Company.kind == CompanyKind.employer,
            or_(col(Company.last_contact_at).is_(None), col(Company.last_contact_at) < since),
        )
    )
    if view.user is not None:
        statement = statement.where(Company.owner_id == view.user.id)
    rows = session.exec(
        statement.order_by(col(Company.last_contact_at).asc().nulls_first(), col(Company.id)).limit(
            limit + 1
        )
    ).all()
    return Section(
        rows=[QuietCompany(company=c, owner_name=name) for c, name in rows[:limit]],
        has_more=len(rows) > limit,
    )


def not_contacted_filters(view: View) -> str:
    """The company list's query string showing all of not_contacted()."""
    owner = "" if view.user is None else "me" if view.own else str(view.user.id)
    return f"owner={owner}&not_contacted={NOT_CONTACTED_DAYS}&sort=last_contact"


@dataclass
class RecentActivity:
    activity: Activity
    company_name: str
    author_name: str | None


def colleagues_activities(
    view: View, *, session: Session, clock: Clock, limit: int = SECTION_LIMIT
) -> list[RecentActivity]:
    """The latest activities of the last RECENT_DAYS days on the user's companies written by
    someone else, newest first; for the team, everyone's: one query."""
    # The start of the day RECENT_DAYS ago, in Stockholm: the same cut as "not contacted".
    since = companies.not_contacted_since(RECENT_DAYS, clock=clock)
    statement = (
        select(Activity, Company.name, User.full_name)
        .join(Company, col(Company.id) == Activity.company_id)
        .outerjoin(User, col(User.id) == Activity.user_id)
        .where(Activity.occurred_at >= since, col(Company.archived_at).is_(None))
    )
    if view.user is not None:
        # My companies with any activity since then (an index on owner and last activity),
        # not all of them: their activities are looked up by company.
        active = select(Company.id).where(
            Company.owner_id == view.user.id,
            col(Company.last_activity_at) >= since,
        )
        statement = statement.where(
            col(Activity.company_id).in_(active),
            or_(col(Activity.user_id).is_(None), col(Activity.user_id) != view.user.id),
        )
    rows = session.exec(
        statement.order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc()).limit(limit)
    ).all()
    return [
        RecentActivity(activity=activity, company_name=name, author_name=author)
        for activity, name, author in rows
    ]
