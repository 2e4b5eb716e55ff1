"""Assignments: create, edit and delete them, move them through the pipeline (a status
change of its own, logged), and the rules that tie status, positions and filled count.

The rules (checked in form.py, with their messages in Swedish):
- at least one position; the filled count is 0 … positions, whatever the status;
- tillsatt: every position filled (filled == positions);
- delvis tillsatt: some but not all (0 < filled < positions);
- avslutad utan tillsättning: nobody hired (filled == 0);
- avbruten: the employer called it off; some may have been hired first, but not all
  (filled < positions; all filled is tillsatt);
- a move to a closed status must say the filled count; an open status keeps it.

A company's assignments, as its page and the activity form list them, are read in
listing.py; their names are importable from here too.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.assignments import follow_ups
from app.assignments.form import (
    TRACKED_FIELDS,
    AssignmentForm,
    StatusName,
    check_counts,
    clean,
    parse_choice,
    parse_filled_count,
)
from app.assignments.listing import company_section as company_section
from app.assignments.listing import for_company as for_company
from app.assignments.listing import link_choices as link_choices
from app.assignments.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
)
from app.auth.models import Role, User
from app.clock import Clock
from app.companies.models import Company
from app.db import get_typed
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.text import search_text


class EditConflict(history.EditConflict):
    """Someone saved the assignment after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat uppdraget medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


def _apply(assignment: Assignment, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(assignment, name, value)
    refresh_derived(assignment)


def refresh_derived(assignment: Assignment) -> None:
    assignment.search_text = search_text(
        assignment.occupation, assignment.ssyk_code, assignment.workplace
    )


def _tracked(assignment: Assignment, session: Session) -> dict[str, Any]:
    """What history compares: the fields, and the owner and source broker by name."""
    ids = {assignment.owner_id, assignment.source_user_id} - {None}
    names: dict[int | None, str] = (
        {
            user.id: user.full_name
            for user in session.exec(select(User).where(col(User.id).in_(ids))).all()
        }
        if ids
        else {}
    )
    return {
        **history.snapshot(assignment, TRACKED_FIELDS),
        "owner": names.get(assignment.owner_id),
        "source_user": names.get(assignment.source_user_id),
    }


_record = history.Recorder("assignment")


def get(assignment_id: int, *, session: Session) -> Assignment:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("Uppdraget finns inte.")
    return assignment


def new_form(user: User, *, company: Company | None = None) -> AssignmentForm:
    """A new assignment's form: the broker owns it and brought it in, until told otherwise."""
    mine = str(user.id) if user.role != Role.viewer else ""
    return AssignmentForm(
        owner_id=mine if user.role == Role.broker else "",
        source_user_id=mine,
        workplace=(company.city or company.municipality or "") if company else "",
    )


def create(
    company: Company, form: AssignmentForm, *, user: User, session: Session, clock: Clock
) -> Assignment:
    if company.archived_at is not None:
        raise Conflict(
            "Företaget är arkiverat. Återställ det innan du lägger in rekryteringsuppdrag."
        )
    values = clean(form, company.id, session=session, clock=clock)
    now = clock.now()
    assignment = Assignment(
        company_id=company.id,
        occupation="",
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    _apply(assignment, values)
    session.add(assignment)
    session.flush()
    filled = {k: v for k, v in _tracked(assignment, session).items() if v not in (None, "")}
    _record(assignment, "create", history.diff({}, filled), user=user, session=session, clock=clock)
    follow_ups.schedule(assignment, session=session, clock=clock)
    return assignment


def update(
    assignment: Assignment, form: AssignmentForm, *, user: User, session: Session, clock: Clock
) -> Assignment:
    history.check_version(
        assignment, "assignment", form.version, conflict=EditConflict, session=session
    )
    values = clean(form, assignment.company_id, session=session, clock=clock, current=assignment)
    before = _tracked(assignment, session)
    contact_before = assignment.contact_id
    _apply(assignment, values)
    # _tracked() queries (owner names): no autoflush of the changed row before the
    # guarded flush below, or a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        changes = history.diff(before, _tracked(assignment, session))
    if not changes and contact_before == assignment.contact_id:
        return assignment
    assignment.updated_at = clock.now()
    session.add(assignment)
    history.flush_or_conflict(
        assignment, "assignment", form.version, conflict=EditConflict, get=get, session=session
    )
    _record(assignment, "update", changes, user=user, session=session, clock=clock)
    follow_ups.schedule(assignment, session=session, clock=clock)
    return assignment


def rebase(form: AssignmentForm, error: EditConflict, *, session: Session) -> AssignmentForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both
    changed keep the user's value (the conflict message shows the other's)."""
    current = AssignmentForm.from_assignment(error.current)
    result = form.model_copy()
    people = {"owner": "owner_id", "source_user": "source_user_id"}
    for changed, before in history.values_before(error.changes).items():
        name = people.get(changed, changed)
        if name not in AssignmentForm.model_fields:
            continue
        typed: Any = getattr(form, name)
        if changed in people:
            # History knows people by name, the form by id.
            person = get_typed(session, User, typed)
            typed = person.full_name if person else None
        if history.same_value(typed, before):
            setattr(result, name, getattr(current, name))
    result.version = error.current.version
    return result


def may_delete(assignment: Assignment, user: User) -> bool:
    """Who registered it, its owner, or an admin deletes an assignment (never a viewer)."""
    if user.role == Role.admin:
        return True
    return user.role == Role.broker and user.id in (assignment.created_by_id, assignment.owner_id)


def delete(assignment: Assignment, *, user: User, session: Session, clock: Clock) -> None:
    """Removes the assignment; history keeps what was removed."""
    if not may_delete(assignment, user):
        raise Forbidden(
            N_(
                "Bara den som lade in uppdraget, dess ansvariga jobbmäklare eller en "
                "administratör kan ta bort det."
            )
        )
    tracked = _tracked(assignment, session)
    removed = {name: [value, None] for name, value in tracked.items() if value not in (None, "")}
    _record(assignment, "delete", removed, user=user, session=session, clock=clock)
    session.delete(assignment)
    session.flush()


# --- the pipeline -----------------------------------------------------------------------


class StatusForm(SQLModel):
    """A status change: the status to go to, the one the user saw (a colleague may have
    moved the assignment since), and the filled count a closed status asks for."""

    status: str = ""
    from_status: str = ""
    filled_count: str = ""


def next_status(status: AssignmentStatus) -> AssignmentStatus | None:
    """The next open status on the board ("flytta fram"), None from the last column."""
    if status not in OPEN_STATUSES:
        return None
    index = OPEN_STATUSES.index(status)
    return OPEN_STATUSES[index + 1] if index + 1 < len(OPEN_STATUSES) else None


def previous_status(status: AssignmentStatus) -> AssignmentStatus | None:
    if status not in OPEN_STATUSES:
        return None
    index = OPEN_STATUSES.index(status)
    return OPEN_STATUSES[index - 1] if index > 0 else None


def _status_taken(assignment: Assignment) -> Conflict:
    """Someone else moved the assignment first: to the status it now has."""
    return Conflict(
        "Någon annan har redan ändrat uppdragets status till %(status)s.",
        variables={"status": StatusName(assignment.status)},
    )


def change_status(
    assignment: Assignment, form: StatusForm, *, user: User, session: Session, clock: Clock
) -> Assignment:
    """Moves the assignment to another status: one logged change. A closed status needs
    the filled count, checked against the status's rule; an open one keeps the count."""
    status = parse_choice(
        AssignmentStatus, form.status, field="status", message=N_("Välj en status.")
    )
    if form.from_status and form.from_status != assignment.status.value:
        raise _status_taken(assignment)
    filled = assignment.filled_count
    if status in CLOSED_STATUSES:
        if not form.filled_count.strip():
            raise ValidationFailed(
                "Ange hur många som har anställts genom uppdraget.", field="filled_count"
            )
        filled = parse_filled_count(form.filled_count)
    check_counts(status, assignment.positions, filled)
    if status == assignment.status and filled == assignment.filled_count:
        return assignment
    before = history.snapshot(assignment, ("status", "filled_count"))
    was_open = assignment.status in OPEN_STATUSES
    assignment.status = status
    assignment.filled_count = filled
    if status in OPEN_STATUSES:
        assignment.closed_at = None
    elif was_open:
        assignment.closed_at = clock.now()
    assignment.updated_at = clock.now()
    session.add(assignment)
    assignment_id = assignment.id  # now: after a rollback, reading it would reload
    history.flush_or_raise(
        session,
        lambda: _status_taken(get(assignment_id, session=session)),
    )
    changes = history.diff(before, history.snapshot(assignment, ("status", "filled_count")))
    _record(assignment, "update", changes, user=user, session=session, clock=clock)
    follow_ups.schedule(assignment, session=session, clock=clock)
    return assignment


def offers_filled(assignment: Assignment) -> bool:
    """Every position is filled but the assignment is still open: offer "tillsatt"."""
    return assignment.status in OPEN_STATUSES and assignment.filled_count == assignment.positions


def move(
    other: Company, kept: Company, *, user: User, session: Session, clock: Clock
) -> list[Assignment]:
    """Moves every assignment of one company to another (a merge), with history. Each
    keeps its contact (contacts move too)."""
    moving = list(session.exec(select(Assignment).where(Assignment.company_id == other.id)).all())
    now = clock.now()
    for assignment in moving:
        assignment.company_id = kept.id
        assignment.updated_at = now
        session.add(assignment)
    session.flush()
    for assignment in moving:
        _record(
            assignment,
            "update",
            {"merged_from": [None, other.name]},
            user=user,
            session=session,
            clock=clock,
        )
    return moving


# --- hires at a recruitment event -------------------------------------------------------


def add_hires(
    assignment: Assignment,
    delta: int,
    *,
    event_title: str,
    user: User,
    session: Session,
    clock: Clock,
) -> Assignment:
    """Adds the hires a recruitment event's outcome made on the assignment to its filled
    count (a negative delta when the outcome is corrected down), under the same rules as
    the form, with history naming the event."""
    if delta == 0:
        return assignment
    filled = assignment.filled_count + delta
    variables = {
        "occupation": assignment.occupation,
        "positions": assignment.positions,
        "filled": assignment.filled_count,
        "hires": delta,
    }
    if filled > assignment.positions:
        raise ValidationFailed(
            "%(occupation)s har %(positions)s platser och %(filled)s redan tillsatta: "
            "%(hires)s anställningar till från träffen får inte plats. Öka antal platser "
            "på uppdraget först, om det stämmer.",
            field="assignment_hires",
            variables=variables,
        )
    if filled < 0:
        raise ValidationFailed(
            "%(occupation)s har bara %(filled)s tillsatta: det går inte att ta bort fler "
            "anställningar än så.",
            field="assignment_hires",
            variables=variables,
        )
    try:
        check_counts(assignment.status, assignment.positions, filled)
    except ValidationFailed as error:
        raise ValidationFailed(
            "%(occupation)s är avslutat som %(status)s, och antal tillsatta måste stämma med "
            "det. Ändra uppdragets status först.",
            field="assignment_hires",
            variables={**variables, "status": StatusName(assignment.status)},
        ) from error
    before = assignment.filled_count
    assignment.filled_count = filled
    assignment.updated_at = clock.now()
    session.add(assignment)
    history.flush_or_raise(
        session,
        lambda: Conflict(
            "Någon annan har ändrat uppdraget %(occupation)s under tiden. Spara igen.",
            variables={"occupation": variables["occupation"]},
        ),
    )
    _record(
        assignment,
        "update",
        {"filled_count": [before, filled], "event": event_title},
        user=user,
        session=session,
        clock=clock,
    )
    follow_ups.schedule(assignment, session=session, clock=clock)
    return assignment
