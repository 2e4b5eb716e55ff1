"""Follow-up of placements: what came of the jobs an assignment filled, when they were
fixed-term, subsidised or praktik. Each such assignment with filled positions and an end
day gets two follow-up points, when the employments end and three months after (the days
follow the end day until someone moves them); at each the broker records how many of the
filled positions went on to an ordinary job, a new subsidised or fixed-term job, studies,
or neither, and how many moved from income support (försörjningsstöd) to a salary.

Counts only, never names. A recorded follow-up is kept whatever later happens to the
assignment; one not yet recorded goes when the assignment no longer calls for it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.assignments.models import (
    FOLLOWED_UP_TYPES,
    OUTCOMES,
    Assignment,
    FollowUpPoint,
    PlacementFollowUp,
)
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies.models import Company
from app.dates import parse_date
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.query import select_columns

LATER_MONTHS = 3
MAX_COUNT = 999
COUNTS = (*OUTCOMES, "income_support_moved")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day where it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_days(ends_on: dt.date) -> dict[FollowUpPoint, dt.date]:
    return {
        FollowUpPoint.at_end: ends_on,
        FollowUpPoint.later: add_months(ends_on, LATER_MONTHS),
    }


def calls_for_follow_up(assignment: Assignment) -> bool:
    """A fixed-term, subsidised or praktik assignment with filled positions and an end day."""
    return (
        assignment.employment_type in FOLLOWED_UP_TYPES
        and assignment.filled_count > 0
        and assignment.ends_on is not None
    )


def for_assignment(assignment_id: int, *, session: Session) -> list[PlacementFollowUp]:
    found = session.exec(
        select(PlacementFollowUp).where(PlacementFollowUp.assignment_id == assignment_id)
    ).all()
    order = list(FollowUpPoint)
    return sorted(found, key=lambda row: order.index(row.point))


def schedule(assignment: Assignment, *, session: Session, clock: Clock) -> None:
    """Makes the assignment's follow-up points match it: both there, on their default days
    unless moved by hand, while it calls for them; the ones not recorded gone when not."""
    existing = {row.point: row for row in for_assignment(assignment.id, session=session)}
    now = clock.now()
    if not calls_for_follow_up(assignment):
        for unrecorded in existing.values():
            if unrecorded.recorded_at is None:
                session.delete(unrecorded)
        return
    assert assignment.ends_on is not None
    for point, due_on in default_days(assignment.ends_on).items():
        row = existing.get(point)
        if row is None:
            session.add(
                PlacementFollowUp(
                    assignment_id=assignment.id,
                    point=point,
                    due_on=due_on,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif row.recorded_at is None and not row.moved and row.due_on != due_on:
            row.due_on = due_on
            row.updated_at = now
            session.add(row)


# --- recording ---------------------------------------------------------------------------


class FollowUpForm(SQLModel):
    """A follow-up as typed: its day, and the counts (empty: not recorded yet)."""

    due_on: str = ""
    ordinary_job: str = ""
    new_subsidised_or_fixed: str = ""
    studies: str = ""
    no_job_or_studies: str = ""
    income_support_moved: str = ""
    notes: str = ""
    version: int | None = None

    @classmethod
    def from_follow_up(cls, row: PlacementFollowUp) -> FollowUpForm:
        counts = {name: str(getattr(row, name)) for name in COUNTS} if row.recorded_at else {}
        return cls(due_on=row.due_on.isoformat(), notes=row.notes, version=row.version, **counts)


def _count(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_COUNT:
        raise ValidationFailed("Ange antalet som en siffra, 0 om ingen.", field=field)
    return int(value)


def get(follow_up_id: int, *, session: Session) -> PlacementFollowUp:
    found = session.get(PlacementFollowUp, follow_up_id)
    if found is None:
        raise NotFound("Uppföljningen finns inte.")
    return found


def record(
    row: PlacementFollowUp,
    assignment: Assignment,
    form: FollowUpForm,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> PlacementFollowUp:
    """Saves the follow-up's day and, when any count is given, its outcome (a count left
    empty is 0). The outcomes cannot be more than the filled positions, nor those who
    moved from income support more than those now earning a salary."""
    if user.role not in (Role.broker, Role.admin):
        raise Forbidden(N_("Bara jobbmäklare och administratörer kan följa upp anställningar."))
    if form.version is not None and form.version != row.version:
        raise Conflict(
            "Någon annan har sparat uppföljningen medan du skrev. Se vad som nu är sparat "
            "och spara igen."
        )
    due_on = parse_date(
        form.due_on,
        today=today(clock),
        direction="either",
        field="due_on",
        label=N_("Datum för uppföljningen"),
    )
    if due_on is None:
        raise ValidationFailed("Ange när uppföljningen ska göras.", field="due_on")
    typed = {name: _count(getattr(form, name), name) for name in COUNTS}
    counts = {name: value or 0 for name, value in typed.items()}
    followed = sum(counts[name] for name in OUTCOMES)
    if followed > assignment.filled_count:
        raise ValidationFailed(
            "Uppdraget tillsatte %(filled)s: utfallen kan inte vara fler än så (nu %(sum)s).",
            field="ordinary_job",
            variables={"filled": assignment.filled_count, "sum": followed},
        )
    earning = counts["ordinary_job"] + counts["new_subsidised_or_fixed"]
    if counts["income_support_moved"] > earning:
        raise ValidationFailed(
            "Bara de som nu har lön kan ha gått från försörjningsstöd till lön: högst %(earning)s.",
            field="income_support_moved",
            variables={"earning": earning},
        )
    notes = form.notes.strip()[:2000]
    recorded = any(value is not None for value in typed.values())
    before = _snapshot(row)
    if due_on != row.due_on:
        row.due_on = due_on
        row.moved = True
    if recorded:
        for name, value in counts.items():
            setattr(row, name, value)
        row.recorded_at = clock.now()
        row.recorded_by_id = user.id
    row.notes = notes
    changes = history.diff(before, _snapshot(row))
    if not changes:
        return row
    row.updated_at = clock.now()
    session.add(row)
    history.flush_or_raise(
        session,
        lambda: Conflict(
            "Någon annan har sparat uppföljningen medan du skrev. Se vad som nu är sparat "
            "och spara igen."
        ),
    )
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="assignment",
        entity_id=assignment.id,
        action="update",
        changes={"point": [None, row.point.value], **changes},
        company_id=assignment.company_id,
        version=assignment.version,
    )
    return row


def _snapshot(row: PlacementFollowUp) -> dict[str, Any]:
    values: dict[str, Any] = {"follow_up_due_on": row.due_on, "follow_up_notes": row.notes}
    if row.recorded_at is not None:
        values |= {name: getattr(row, name) for name in COUNTS}
    return history.plain(values, values)


# --- what the lists and Min dag show --------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """An assignment's follow-ups at a glance: how many points, how many recorded, and
    the latest recorded outcome."""

    points: int
    recorded: int
    filled: int
    ordinary_job: int | None  # at the latest recorded point
    latest: PlacementFollowUp | None = None  # the latest recorded point

    @property
    def state(self) -> str:
        """none (grey), partly (some recorded) or done (all recorded: green)."""
        if self.recorded == 0:
            return "none"
        return "done" if self.recorded == self.points else "partly"


def results(assignments: Sequence[Any], *, session: Session) -> dict[int, Results]:
    """Results by assignment id for these rows (each with id and filled_count): one
    statement, whatever their number; assignments without follow-ups have none."""
    ids = [row.id for row in assignments]
    if not ids:
        return {}
    filled = {row.id: row.filled_count for row in assignments}
    found: dict[int, list[PlacementFollowUp]] = {}
    for row in session.exec(
        select(PlacementFollowUp)
        .where(col(PlacementFollowUp.assignment_id).in_(ids))
        .order_by(col(PlacementFollowUp.assignment_id), col(PlacementFollowUp.due_on))
    ).all():
        found.setdefault(row.assignment_id, []).append(row)
    shown = {}
    for assignment_id, rows in found.items():
        done = [row for row in rows if row.recorded_at is not None]
        shown[assignment_id] = Results(
            points=len(rows),
            recorded=len(done),
            filled=filled[assignment_id],
            ordinary_job=done[-1].ordinary_job if done else None,
            latest=done[-1] if done else None,
        )
    return shown


@dataclass(frozen=True)
class DueFollowUp:
    follow_up: PlacementFollowUp
    occupation: str
    company_id: int
    company_name: str
    owner_name: str | None


def due(
    owner_id: int | None, *, session: Session, clock: Clock, limit: int
) -> tuple[list[DueFollowUp], bool]:
    """Follow-ups not recorded whose day has come, on the owner's assignments (everyone's
    when None), the oldest first: one statement (the (recorded_at, due_on) index)."""
    statement = (
        select_columns(
            PlacementFollowUp, Assignment.occupation, Company.id, Company.name, User.full_name
        )
        .join(Assignment, col(Assignment.id) == PlacementFollowUp.assignment_id)
        .join(Company, col(Company.id) == Assignment.company_id)
        .outerjoin(User, col(User.id) == Assignment.owner_id)
        .where(
            col(PlacementFollowUp.recorded_at).is_(None),
            col(PlacementFollowUp.due_on) <= today(clock),
        )
    )
    if owner_id is not None:
        statement = statement.where(Assignment.owner_id == owner_id)
    rows = session.execute(
        statement.order_by(col(PlacementFollowUp.due_on), col(PlacementFollowUp.id)).limit(
            limit + 1
        )
    ).all()
    return [
        DueFollowUp(follow_up=f, occupation=o, company_id=c, company_name=n, owner_name=u)
        for f, o, c, n, u in rows[:limit]
    ], len(rows) > limit
