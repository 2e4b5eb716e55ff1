"""The activity form as typed, and its cleaning: when it happened (not in the future), the
follow-up and its quick choices, the contact and the assignment it is about."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlmodel import Session, SQLModel

from app.activities.models import Activity, ActivityKind
from app.assignments.models import Assignment
from app.clock import STOCKHOLM, Clock, local_now, to_local, today
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import get_typed
from app.errors import ValidationFailed
from app.validation import long_text, optional_text

# The follow-up quick choices of the form, by value.
QUICK_FOLLOW_UPS = ("tomorrow", "week", "month")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day N months later, or the month's last day (31 January + 1 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def quick_follow_up(choice: str, *, clock: Clock) -> dt.date | None:
    """i morgon / om en vecka / om en månad, from today in Stockholm."""
    day = today(clock)
    return {
        "tomorrow": day + dt.timedelta(days=1),
        "week": day + dt.timedelta(days=7),
        "month": add_months(day, 1),
    }.get(choice)


class ActivityForm(SQLModel):
    """The call-log form as typed; `clean()` turns it into checked values or refuses it."""

    kind: str = ActivityKind.call.value
    contact_id: str = ""
    assignment_id: str = ""
    # datetime-local in Stockholm time ("2026-03-02T09:30"); empty means now.
    occurred_at: str = ""
    notes: str = ""
    outcome: str = ""
    # A quick choice (QUICK_FOLLOW_UPS) wins over the date typed in follow_up_on.
    follow_up: str = ""
    follow_up_on: str = ""
    # The version the user started editing from: a later save by someone else is a conflict.
    version: int | None = None

    @classmethod
    def from_activity(cls, activity: Activity) -> ActivityForm:
        return cls(
            kind=activity.kind.value,
            contact_id=str(activity.contact_id or ""),
            assignment_id=str(activity.assignment_id or ""),
            occurred_at=to_local(activity.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            notes=activity.notes,
            outcome=activity.outcome or "",
            follow_up_on=activity.follow_up_on.isoformat() if activity.follow_up_on else "",
            version=activity.version,
        )


def _occurred_at(value: str, *, clock: Clock) -> dt.datetime:
    value = value.strip()
    if not value:
        return clock.now()
    try:
        local = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("Ange tidpunkt som ÅÅÅÅ-MM-DD TT:MM.", field="occurred_at") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=STOCKHOLM)
    instant = local.astimezone(dt.UTC)
    # The minute typed may be the current one: compare at minute precision.
    if instant > local_now(clock).replace(second=59, microsecond=999_999):
        raise ValidationFailed("Tidpunkten kan inte ligga i framtiden.", field="occurred_at")
    return instant


class MoveFollowUpForm(SQLModel):
    """ "Flytta till…": a quick choice (QUICK_FOLLOW_UPS) wins over the date typed."""

    follow_up: str = ""
    follow_up_on: str = ""


def parse_follow_up(
    form: ActivityForm | MoveFollowUpForm,
    *,
    clock: Clock,
    current: dt.date | None,
    allow_past: bool = False,
) -> dt.date | None:
    if form.follow_up in QUICK_FOLLOW_UPS:
        return quick_follow_up(form.follow_up, clock=clock)
    value = form.follow_up_on.strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("Ange datum som ÅÅÅÅ-MM-DD.", field="follow_up_on") from None
    # An overdue follow-up kept as it was is no error; a new date must not be in the past.
    if day != current and day < today(clock) and not allow_past:
        raise ValidationFailed("Datumet för återkoppling har redan passerat.", field="follow_up_on")
    return day


def _contact(value: str, company: Company, *, session: Session) -> int | None:
    if not value:
        return None
    contact = get_typed(session, Contact, value)
    if contact is None or contact.company_id != company.id:
        raise ValidationFailed("Välj en kontaktperson på företaget.", field="contact_id")
    return contact.id


def _assignment(value: str, company: Company, *, session: Session) -> int | None:
    if not value:
        return None
    assignment = get_typed(session, Assignment, value)
    if assignment is None or assignment.company_id != company.id:
        raise ValidationFailed("Välj ett rekryteringsuppdrag hos företaget.", field="assignment_id")
    return assignment.id


def clean(
    form: ActivityForm,
    company: Company,
    *,
    session: Session,
    clock: Clock,
    current: Activity | None = None,
    allow_past_follow_up: bool = False,
) -> dict[str, Any]:
    """`allow_past_follow_up`: an import keeps the old sheet's follow-up dates, past or not."""
    try:
        kind = ActivityKind(form.kind)
    except ValueError:
        raise ValidationFailed("Välj vad det var för kontakt.", field="kind") from None
    notes = long_text(form.notes, field="notes")
    outcome = optional_text(form.outcome, field="outcome", max_length=200)
    if kind == ActivityKind.note and not (notes or outcome):
        raise ValidationFailed("Skriv något i anteckningen.", field="notes")
    return {
        "kind": kind,
        "contact_id": _contact(form.contact_id, company, session=session),
        "assignment_id": _assignment(form.assignment_id, company, session=session),
        "occurred_at": _occurred_at(form.occurred_at, clock=clock),
        "notes": notes,
        "outcome": outcome,
        "follow_up_on": parse_follow_up(
            form,
            clock=clock,
            current=current.follow_up_on if current else None,
            allow_past=allow_past_follow_up,
        ),
    }
