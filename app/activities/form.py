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
from app.dates import parse_date, parse_moment
from app.db import get_typed
from app.errors import ValidationFailed
from app.i18n import N_
from app.templating import register_globals
from app.validation import long_text, optional_text
from app.workdays import next_working_day, working_day_from

# The follow-up quick choices the forms offer, by value, with their labels. Each lands on
# a working day (app/workdays.py): a broker never gets a follow-up on a Sunday or julafton.
QUICK_FOLLOW_UPS: dict[str, str] = {
    "tomorrow": N_("I morgon"),
    "next_week": N_("Nästa vecka"),
    "two_weeks": N_("Om två veckor"),
    "month": N_("Om en månad"),
}
# The log form's choice of the date typed in follow_up_on: not a quick choice.
TYPED_DATE = "date"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day N months later, or the month's last day (31 January + 1 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def follow_up_day(choice: str, day: dt.date) -> dt.date | None:
    """The working day a quick choice means, counted from `day`; None if `choice` is none.

    - tomorrow: the next working day (Friday → Monday; 23 December → 28 December);
    - next_week: Monday of next week, or the first working day after it (Annandag påsk);
    - two_weeks, month: 14 days or a month on, moved on to a working day if it is none;
    - week: seven days on, likewise; no longer offered, but links and forms made before
      ("Om en vecka") still send it.
    """
    if choice == "tomorrow":
        return next_working_day(day)
    if choice == "next_week":
        return working_day_from(day + dt.timedelta(days=7 - day.weekday()))
    if choice == "week":
        return working_day_from(day + dt.timedelta(days=7))
    if choice == "two_weeks":
        return working_day_from(day + dt.timedelta(days=14))
    if choice == "month":
        return working_day_from(add_months(day, 1))
    return None


def quick_follow_up(choice: str, *, clock: Clock) -> dt.date | None:
    """A quick choice's day, counted from today in Stockholm; None if `choice` is none."""
    return follow_up_day(choice, today(clock))


# The log form shows each choice with the day it means.
register_globals(QUICK_FOLLOW_UPS=QUICK_FOLLOW_UPS, follow_up_day=follow_up_day)


class ActivityForm(SQLModel):
    """The call-log form as typed; `clean()` turns it into checked values or refuses it."""

    kind: str = ActivityKind.call.value
    contact_id: str = ""
    assignment_id: str = ""
    # Stockholm time as typed ("2026-03-02 09:30", "i går 14", app/dates.py); empty is now.
    occurred_at: str = ""
    notes: str = ""
    outcome: str = ""
    # A quick choice (QUICK_FOLLOW_UPS) wins over the date typed in follow_up_on; "" and
    # TYPED_DATE take the date typed ("" also none typed, TYPED_DATE refuses that).
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
            occurred_at=to_local(activity.occurred_at).strftime("%Y-%m-%d %H:%M"),
            notes=activity.notes,
            outcome=activity.outcome or "",
            follow_up_on=activity.follow_up_on.isoformat() if activity.follow_up_on else "",
            version=activity.version,
        )


def _occurred_at(value: str, *, clock: Clock) -> dt.datetime:
    """When it happened: empty is now; a date without a time is now today, noon another
    day; a date without a year the latest such day."""
    local = parse_moment(
        value,
        now=clock.now(),
        direction="past",
        time="optional",
        field="occurred_at",
        label=N_("När"),
    )
    if local is None:
        return clock.now()
    instant = local.replace(tzinfo=STOCKHOLM).astimezone(dt.UTC)
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
    quick = quick_follow_up(form.follow_up, clock=clock)
    if quick is not None:
        return quick
    if not form.follow_up_on.strip() and form.follow_up == TYPED_DATE:
        raise ValidationFailed(
            "Skriv datumet för återkoppling, eller välj Ingen.", field="follow_up_on"
        )
    day = parse_date(
        form.follow_up_on,
        today=today(clock),
        direction="future",
        field="follow_up_on",
        label=N_("Återkoppling"),
    )
    if day is None:
        return None
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
