"""A company's timeline: its activities, newest first, with the names of the author, the
contact and the assignment they are about; and an assignment's latest activities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.activities.models import Activity
from app.assignments.models import Assignment
from app.auth.models import User
from app.contacts.models import Contact

PAGE_SIZE = 20


@dataclass
class TimelineEntry:
    activity: Activity
    author_name: str | None
    contact_name: str | None
    assignment_occupation: str | None = None

    @property
    def contact_removed(self) -> bool:
        return self.activity.contact_id is None and self.activity.had_contact


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    page: int
    has_next: bool


def timeline(company_id: int, *, page: int = 1, session: Session) -> Timeline:
    """One page of the company's activities, newest first, with the author's and the
    contact's names: one query, no COUNT (one row more than shown says there is more)."""
    page = max(1, min(page, 10_000))
    rows = session.exec(
        _entries_statement()
        .where(Activity.company_id == company_id)
        .order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    entries = [TimelineEntry(*row) for row in rows[:PAGE_SIZE]]
    return Timeline(entries=entries, page=page, has_next=len(rows) > PAGE_SIZE)


def _entries_statement() -> Any:
    """Activities with what a timeline names: author, contact and assignment."""
    return (
        select(Activity, User.full_name, Contact.name, Assignment.occupation)
        .outerjoin(User, col(User.id) == Activity.user_id)
        .outerjoin(Contact, col(Contact.id) == Activity.contact_id)
        .outerjoin(Assignment, col(Assignment.id) == Activity.assignment_id)
    )


def about_assignment(
    assignment_id: int, *, session: Session, limit: int = PAGE_SIZE
) -> tuple[list[TimelineEntry], bool]:
    """The latest activities about an assignment, newest first: one query. (entries,
    whether there are more than `limit`)."""
    rows = session.exec(
        _entries_statement()
        .where(Activity.assignment_id == assignment_id)
        .order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
        .limit(limit + 1)
    ).all()
    return [TimelineEntry(*row) for row in rows[:limit]], len(rows) > limit


def entry(activity: Activity, *, session: Session) -> TimelineEntry:
    """One activity as the timeline shows it."""
    author = session.get(User, activity.user_id) if activity.user_id else None
    contact = session.get(Contact, activity.contact_id) if activity.contact_id else None
    assignment = session.get(Assignment, activity.assignment_id) if activity.assignment_id else None
    return TimelineEntry(
        activity=activity,
        author_name=author.full_name if author else None,
        contact_name=contact.name if contact else None,
        assignment_occupation=assignment.occupation if assignment else None,
    )
