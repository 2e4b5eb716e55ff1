"""The call log: log, edit and delete a company's activities, mark follow-ups done, read the
timeline; and keep the company's last contact and next follow-up in step. The form and its
cleaning are in form.py, the timeline in timeline.py; their names callers use are
importable from here too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import update as sql_update
from sqlmodel import Session, select

from app.activities.form import ActivityForm, MoveFollowUpForm, clean, parse_follow_up
from app.activities.form import add_months as add_months
from app.activities.form import quick_follow_up as quick_follow_up
from app.activities.models import CONTACT_KINDS, Activity
from app.activities.timeline import about_assignment as about_assignment
from app.activities.timeline import entry as entry
from app.activities.timeline import timeline as timeline
from app.assignments.models import Assignment
from app.auth.models import Role, User
from app.clock import Clock
from app.companies.models import Company
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.query import table_of

# The fields history records and an edit conflict compares. Not the contact: history of an
# activity must not keep a person's name that "Radera person" (GDPR) could not reach.
TRACKED_FIELDS = ("kind", "occurred_at", "notes", "outcome", "follow_up_on")


class EditConflict(history.EditConflict):
    """Someone saved the activity after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat kontakthändelsen medan du redigerade. Se ändringarna "
        "nedan, jämför med det du skrev och spara igen."
    )


def _apply(activity: Activity, values: dict[str, Any]) -> None:
    if values["contact_id"] is None and activity.contact_id is None and activity.had_contact:
        # The contact was removed since; leaving the field empty keeps "borttagen kontakt".
        values = {**values, "had_contact": True}
    else:
        values = {**values, "had_contact": values["contact_id"] is not None}
    if values["follow_up_on"] != activity.follow_up_on:
        activity.follow_up_done_at = None  # a new date is a new follow-up, not done yet
    for name, value in values.items():
        setattr(activity, name, value)


def derived_from_activities(company_id: Any) -> dict[str, Any]:
    """The Company columns derived from its activities, as subqueries for an UPDATE: for one
    company (an id) or for each row of a bulk UPDATE (the company table's id column)."""
    activities = table_of(Activity).c
    of_company = activities.company_id == company_id
    return {
        "last_contact_at": select(func.max(activities.occurred_at))
        .where(of_company, activities.kind.in_(CONTACT_KINDS))
        .scalar_subquery(),
        "next_follow_up_on": select(func.min(activities.follow_up_on))
        .where(of_company, activities.follow_up_done_at.is_(None))
        .scalar_subquery(),
        "last_activity_at": select(func.max(activities.occurred_at))
        .where(of_company)
        .scalar_subquery(),
    }


def refresh_company(company_id: int, *, session: Session) -> None:
    """Recomputes what the company derives from its activities (derived_from_activities).

    One UPDATE, on the table rather than the mapped object, so the company's version stays
    as it is: someone editing the company form gets no conflict because a colleague logged
    a call meanwhile.
    """
    table = table_of(Company)
    values = derived_from_activities(company_id)
    session.execute(sql_update(table).where(table.c.id == company_id).values(**values))
    loaded = session.identity_map.get(session.identity_key(Company, company_id))
    if loaded is not None:
        session.expire(loaded, list(values))


def get(activity_id: int, *, session: Session) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("Kontakthändelsen finns inte.")
    return activity


def may_change(activity: Activity, user: User) -> bool:
    """Its author or an admin edits or deletes an activity (a viewer never does)."""
    return user.role == Role.admin or (
        user.role == Role.broker and activity.user_id is not None and activity.user_id == user.id
    )


def check_may_change(activity: Activity, user: User) -> None:
    if not may_change(activity, user):
        raise Forbidden(
            N_("Bara den som skrev kontakthändelsen eller en administratör kan ändra den.")
        )


def may_handle_follow_up(activity: Activity, user: User, *, owner_id: int | None) -> bool:
    """Marks a follow-up done or moves it: its author, an admin, or the broker who owns the
    company (owner_id): the follow-up is the relationship's, not only the note's."""
    return may_change(activity, user) or (
        user.role == Role.broker and owner_id is not None and owner_id == user.id
    )


def check_may_handle_follow_up(activity: Activity, user: User, *, owner_id: int | None) -> None:
    if not may_handle_follow_up(activity, user, owner_id=owner_id):
        raise Forbidden(
            N_(
                "Bara den som skrev kontakthändelsen, företagets ansvariga jobbmäklare eller "
                "en administratör kan ändra återkopplingen."
            )
        )


def _check_may_handle_follow_up(activity: Activity, user: User, *, session: Session) -> None:
    company = session.get(Company, activity.company_id)
    check_may_handle_follow_up(activity, user, owner_id=company.owner_id if company else None)


_record = history.Recorder("activity")


def _snapshot(activity: Activity, *, session: Session) -> dict[str, Any]:
    """The tracked fields, and the linked assignment by its occupation (an id means
    nothing to a reader, and the assignment may be deleted later)."""
    assignment = session.get(Assignment, activity.assignment_id) if activity.assignment_id else None
    return {
        **history.snapshot(activity, TRACKED_FIELDS),
        "assignment": assignment.occupation if assignment else None,
    }


def _filled(activity: Activity, *, session: Session) -> dict[str, Any]:
    values = _snapshot(activity, session=session)
    return {name: value for name, value in values.items() if value not in (None, "")}


def create(
    company: Company,
    form: ActivityForm,
    *,
    user: User,
    session: Session,
    clock: Clock,
    author: User | None = None,
    allow_past_follow_up: bool = False,
    follow_up_done: bool = False,
) -> Activity:
    """Logs an activity by `user`. An import logs it for its `author` (who wrote it in the
    old sheet), may keep a follow-up date already past, and may store it as done."""
    if company.archived_at is not None:
        raise Conflict("Företaget är arkiverat. Återställ det innan du loggar kontakter.")
    values = clean(
        form, company, session=session, clock=clock, allow_past_follow_up=allow_past_follow_up
    )
    now = clock.now()
    activity = Activity(
        company_id=company.id,
        user_id=(author or user).id,
        occurred_at=now,
        created_at=now,
        updated_at=now,
    )
    _apply(activity, values)
    if follow_up_done and activity.follow_up_on is not None:
        activity.follow_up_done_at = now
    session.add(activity)
    session.flush()
    _record(
        activity,
        "create",
        history.diff({}, _filled(activity, session=session)),
        user=user,
        session=session,
        clock=clock,
    )
    refresh_company(activity.company_id, session=session)
    return activity


def _changed_meanwhile() -> Conflict:
    """A quick change (no form, no version) that lost the race to another save."""
    return Conflict("Någon annan har ändrat kontakthändelsen. Ladda om sidan.")


def update(
    activity: Activity, form: ActivityForm, *, user: User, session: Session, clock: Clock
) -> Activity:
    check_may_change(activity, user)
    history.check_version(
        activity, "activity", form.version, conflict=EditConflict, session=session
    )
    company = session.get_one(Company, activity.company_id)
    values = clean(form, company, session=session, clock=clock, current=activity)
    if not form.occurred_at.strip():
        values["occurred_at"] = activity.occurred_at  # an emptied time is kept, not "now"
    before = _snapshot(activity, session=session)
    contact_before = (activity.contact_id, activity.had_contact)
    _apply(activity, values)
    changes = history.diff(before, _snapshot(activity, session=session))
    if not changes and contact_before == (activity.contact_id, activity.had_contact):
        return activity
    activity.updated_at = clock.now()
    session.add(activity)
    history.flush_or_conflict(
        activity, "activity", form.version, conflict=EditConflict, get=get, session=session
    )
    _record(activity, "update", changes, user=user, session=session, clock=clock)
    refresh_company(activity.company_id, session=session)
    return activity


def delete(activity: Activity, *, user: User, session: Session, clock: Clock) -> None:
    """Removes the activity; history keeps what was removed."""
    check_may_change(activity, user)
    removed = {name: [value, None] for name, value in _filled(activity, session=session).items()}
    _record(activity, "delete", removed, user=user, session=session, clock=clock)
    company_id = activity.company_id
    session.delete(activity)
    session.flush()
    refresh_company(company_id, session=session)


def complete_follow_up(
    activity: Activity, *, user: User, session: Session, clock: Clock
) -> Activity:
    """Marks the follow-up done ("klar")."""
    _check_may_handle_follow_up(activity, user, session=session)
    if activity.follow_up_on is None:
        raise Conflict("Kontakthändelsen har ingen återkoppling.")
    if activity.follow_up_done_at is not None:
        return activity
    activity.follow_up_done_at = clock.now()
    activity.updated_at = clock.now()
    session.add(activity)
    history.flush_or_raise(session, _changed_meanwhile)
    _record(
        activity,
        "update",
        {"follow_up_done": [False, True]},
        user=user,
        session=session,
        clock=clock,
    )
    refresh_company(activity.company_id, session=session)
    return activity


def move_follow_up(
    activity: Activity, form: MoveFollowUpForm, *, user: User, session: Session, clock: Clock
) -> Activity:
    """Moves a follow-up not yet done to another day, today or later ("flytta till…")."""
    _check_may_handle_follow_up(activity, user, session=session)
    if activity.follow_up_on is None:
        raise Conflict("Kontakthändelsen har ingen återkoppling.")
    if activity.follow_up_done_at is not None:
        raise Conflict("Återkopplingen är redan klar.")
    day = parse_follow_up(form, clock=clock, current=None)
    if day is None:
        raise ValidationFailed("Välj ett nytt datum för återkopplingen.", field="follow_up_on")
    if day == activity.follow_up_on:
        return activity
    before = history.snapshot(activity, ("follow_up_on",))
    activity.follow_up_on = day
    activity.updated_at = clock.now()
    session.add(activity)
    history.flush_or_raise(session, _changed_meanwhile)
    _record(
        activity,
        "update",
        history.diff(before, history.snapshot(activity, ("follow_up_on",))),
        user=user,
        session=session,
        clock=clock,
    )
    refresh_company(activity.company_id, session=session)
    return activity


def move(
    other: Company, kept: Company, *, user: User, session: Session, clock: Clock
) -> list[Activity]:
    """Moves every activity of one company to another (a merge), with history, and
    recomputes both companies. A moved activity keeps its contact (contacts move too)."""
    from_company_id, to_company_id = other.id, kept.id
    moving = list(session.exec(select(Activity).where(Activity.company_id == other.id)).all())
    now = clock.now()
    for activity in moving:
        activity.company_id = to_company_id
        activity.updated_at = now
        session.add(activity)
    session.flush()
    for activity in moving:
        _record(
            activity,
            "update",
            {"merged_from": [None, other.name]},
            user=user,
            session=session,
            clock=clock,
        )
    refresh_company(from_company_id, session=session)
    refresh_company(to_company_id, session=session)
    return moving
