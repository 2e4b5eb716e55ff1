"""Assignments: create, edit and delete them, move them through the pipeline (a status
change of its own, logged), and the rules that tie status, positions and filled count.

The rules (messages in Swedish below):
- at least one position; the filled count is 0 … positions, whatever the status;
- tillsatt: every position filled (filled == positions);
- delvis tillsatt: some but not all (0 < filled < positions);
- avslutad utan tillsättning: nobody hired (filled == 0);
- avbruten: the employer called it off; some may have been hired first, but not all
  (filled < positions; all filled is tillsatt);
- a move to a closed status must say the filled count; an open status keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, or_
from sqlmodel import Session, SQLModel, select

from app import i18n
from app.assignments.models import (
    CLOSED_STATUSES,
    EMPLOYMENT_TYPE_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUS_ORDER,
    Assignment,
    AssignmentStatus,
    EmploymentType,
    SourceKind,
)
from app.auth.models import Role, User
from app.clock import Clock
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import get_typed
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.text import search_text
from app.validation import iso_date, long_text, optional_text, required_text

MAX_POSITIONS = 999
# The fields history records and an edit conflict compares, besides the owner and the
# source broker (by name). Not the contact: as for activities, the history of an
# assignment must not keep a person's name that "Radera person" (GDPR) could not reach.
TRACKED_FIELDS = (
    "occupation",
    "ssyk_code",
    "positions",
    "requirements",
    "employment_type",
    "workplace",
    "start_on",
    "deadline",
    "source_kind",
    "status",
    "filled_count",
    "notes",
)
# How many of a company's assignments its page shows.
COMPANY_SECTION_SIZE = 20


class StatusName:
    """A status as a message variable: its label, translated when the message is shown
    (a message's variables are filled in after the message itself is translated)."""

    def __init__(self, status: AssignmentStatus) -> None:
        self.status = status

    def __str__(self) -> str:
        return i18n.gettext(STATUS_LABELS[self.status])


class EditConflict(history.EditConflict):
    """Someone saved the assignment after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat uppdraget medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


class AssignmentForm(SQLModel):
    """The assignment form as typed; `clean()` turns it into checked values or refuses it."""

    occupation: str = ""
    ssyk_code: str = ""
    positions: str = "1"
    requirements: str = ""
    employment_type: str = EmploymentType.ordinary.value
    workplace: str = ""
    start_on: str = ""
    deadline: str = ""
    contact_id: str = ""
    owner_id: str = ""
    source_kind: str = SourceKind.broker.value
    source_user_id: str = ""
    filled_count: str = "0"
    notes: str = ""
    # The version the user started editing from: a later save by someone else is a conflict.
    version: int | None = None

    @classmethod
    def from_assignment(cls, assignment: Assignment) -> AssignmentForm:
        def typed(value: Any) -> str:
            if value is None:
                return ""
            if hasattr(value, "isoformat"):
                return value.isoformat()  # type: ignore[no-any-return]
            return str(getattr(value, "value", value))

        names = (*TRACKED_FIELDS, "contact_id", "owner_id", "source_user_id")
        values = {name: typed(getattr(assignment, name)) for name in names if name != "status"}
        return cls(**values, version=assignment.version)


def _ssyk(value: str) -> str | None:
    code = value.replace(" ", "")
    if not code:
        return None
    # SSYK 2012: 1 digit is a major group, 2 and 3 narrower groups, 4 a unit group
    # ("yrkesgrupp"). A broader group is accepted when the exact occupation is not known.
    if not re.fullmatch(r"\d{1,4}", code):
        raise ValidationFailed(
            "SSYK-koden ska vara 1–4 siffror enligt SSYK 2012, helst fyra, t.ex. 5120.",
            field="ssyk_code",
        )
    return code


def _count(value: str, *, field: str, message: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 4:
        raise ValidationFailed(message, field=field)
    return int(value)


def _positions(value: str) -> int:
    positions = _count(
        value, field="positions", message=N_("Ange antal platser som en siffra, minst 1.")
    )
    if not 1 <= positions <= MAX_POSITIONS:
        raise ValidationFailed(
            "Antal platser ska vara mellan 1 och %(max)s.",
            field="positions",
            variables={"max": MAX_POSITIONS},
        )
    return positions


def _filled_count(value: str) -> int:
    return _count(
        value,
        field="filled_count",
        message=N_("Ange antal tillsatta som en siffra (0 om ingen har anställts ännu)."),
    )


def _choice(enum_type: Any, value: str, *, field: str, message: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def _broker(value: str, *, field: str, message: str, session: Session, keep: int | None) -> int:
    """An active broker or admin; the one already chosen stays allowed (`keep`), so an
    assignment whose owner has left can still be saved."""
    user = get_typed(session, User, value)
    if user is None:
        raise ValidationFailed(message, field=field)
    if user.id != keep and (not user.is_active or user.role == Role.viewer):
        raise ValidationFailed(message, field=field)
    return user.id  # type: ignore[return-value]


def _contact(value: str, company_id: int, *, session: Session) -> int | None:
    if not value:
        return None
    contact = get_typed(session, Contact, value)
    if contact is None or contact.company_id != company_id:
        raise ValidationFailed("Välj en kontaktperson på företaget.", field="contact_id")
    return contact.id


def check_counts(status: AssignmentStatus, positions: int, filled: int) -> None:
    """Refuses a filled count that does not fit the positions or the status."""
    variables = {"positions": positions, "filled": filled}
    if filled > positions:
        raise ValidationFailed(
            "Antal tillsatta (%(filled)s) kan inte vara fler än antal platser (%(positions)s).",
            field="filled_count",
            variables=variables,
        )
    if status == AssignmentStatus.filled and filled != positions:
        raise ValidationFailed(
            "Tillsatt betyder att alla platser är tillsatta: ange %(positions)s tillsatta, "
            "eller välj Delvis tillsatt.",
            field="filled_count",
            variables=variables,
        )
    if status == AssignmentStatus.partly_filled and filled == 0:
        raise ValidationFailed(
            "Delvis tillsatt betyder att minst en men inte alla platser är tillsatta. Har "
            "ingen anställts, välj Avslutad utan tillsättning eller Avbruten.",
            field="filled_count",
        )
    if (
        status in (AssignmentStatus.partly_filled, AssignmentStatus.cancelled)
        and filled == positions
    ):
        raise ValidationFailed(
            "Alla %(positions)s platser är tillsatta: välj Tillsatt.",
            field="filled_count",
            variables=variables,
        )
    if status == AssignmentStatus.closed_unfilled and filled != 0:
        raise ValidationFailed(
            "Avslutad utan tillsättning betyder att ingen har anställts. Har någon "
            "anställts, välj Delvis tillsatt.",
            field="filled_count",
        )


def clean(
    form: AssignmentForm,
    company_id: int,
    *,
    session: Session,
    current: Assignment | None = None,
) -> dict[str, Any]:
    source_kind = _choice(
        SourceKind,
        form.source_kind,
        field="source_kind",
        message=N_("Välj vem som drog in uppdraget."),
    )
    source_user_id = None
    if source_kind == SourceKind.broker:
        if not form.source_user_id:
            raise ValidationFailed(
                "Välj jobbmäklaren som drog in uppdraget, eller ett annat sätt det kom in på.",
                field="source_user_id",
            )
        source_user_id = _broker(
            form.source_user_id,
            field="source_user_id",
            message=N_("Välj en aktiv jobbmäklare som drog in uppdraget."),
            session=session,
            keep=current.source_user_id if current else None,
        )
    values = {
        "occupation": required_text(
            form.occupation,
            field="occupation",
            max_length=200,
            message=N_("Ange yrket som ska rekryteras."),
        ),
        "ssyk_code": _ssyk(form.ssyk_code),
        "positions": _positions(form.positions),
        "requirements": long_text(form.requirements, field="requirements"),
        "employment_type": _choice(
            EmploymentType,
            form.employment_type,
            field="employment_type",
            message=N_("Välj en anställningsform."),
        ),
        "workplace": optional_text(form.workplace, field="workplace", max_length=200),
        "start_on": iso_date(form.start_on, field="start_on"),
        "deadline": iso_date(form.deadline, field="deadline"),
        "contact_id": _contact(form.contact_id, company_id, session=session),
        "owner_id": _broker(
            form.owner_id,
            field="owner_id",
            message=N_("Välj en aktiv jobbmäklare som ansvarig."),
            session=session,
            keep=current.owner_id if current else None,
        )
        if form.owner_id
        else None,
        "source_kind": source_kind,
        "source_user_id": source_user_id,
        "filled_count": _filled_count(form.filled_count),
        "notes": long_text(form.notes, field="notes"),
    }
    status = current.status if current else AssignmentStatus.new
    try:
        check_counts(status, values["positions"], values["filled_count"])
    except ValidationFailed as error:
        if status in OPEN_STATUSES:
            raise
        raise ValidationFailed(
            "Uppdraget är avslutat som %(status)s, och antal platser och tillsatta måste "
            "stämma med det. Ändra status först om det inte längre stämmer.",
            field="filled_count",
            variables={"status": StatusName(status)},
        ) from error
    return values


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
    names = (
        {
            user.id: user.full_name
            for user in session.exec(select(User).where(User.id.in_(ids))).all()  # type: ignore[union-attr]
        }
        if ids
        else {}
    )
    return {
        **history.snapshot(assignment, TRACKED_FIELDS),
        "owner": names.get(assignment.owner_id),  # type: ignore[arg-type]
        "source_user": names.get(assignment.source_user_id),  # type: ignore[arg-type]
    }


def _record(
    assignment: Assignment,
    action: str,
    changes: dict[str, Any] | None,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    """One history event at the assignment's version after the change. It carries the
    company, so the company page's history shows its assignments' too."""
    history.record(
        session=session,
        clock=clock,
        user=user,
        entity="assignment",
        entity_id=assignment.id,  # type: ignore[arg-type]
        action=action,
        changes=changes,
        company_id=assignment.company_id,
        version=assignment.version,
    )


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
    values = clean(form, company.id, session=session)  # type: ignore[arg-type]
    now = clock.now()
    assignment = Assignment(
        company_id=company.id,  # type: ignore[arg-type]
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
    return assignment


def update(
    assignment: Assignment, form: AssignmentForm, *, user: User, session: Session, clock: Clock
) -> Assignment:
    history.check_version(
        assignment, "assignment", form.version, conflict=EditConflict, session=session
    )
    values = clean(form, assignment.company_id, session=session, current=assignment)
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
    status = _choice(AssignmentStatus, form.status, field="status", message=N_("Välj en status."))
    if form.from_status and form.from_status != assignment.status.value:
        raise _status_taken(assignment)
    filled = assignment.filled_count
    if status in CLOSED_STATUSES:
        if not form.filled_count.strip():
            raise ValidationFailed(
                "Ange hur många som har anställts genom uppdraget.", field="filled_count"
            )
        filled = _filled_count(form.filled_count)
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
        lambda: _status_taken(get(assignment_id, session=session)),  # type: ignore[arg-type]
    )
    changes = history.diff(before, history.snapshot(assignment, ("status", "filled_count")))
    _record(assignment, "update", changes, user=user, session=session, clock=clock)
    return assignment


def offers_filled(assignment: Assignment) -> bool:
    """Every position is filled but the assignment is still open: offer "tillsatt"."""
    return assignment.status in OPEN_STATUSES and assignment.filled_count == assignment.positions


# --- a company's assignments ------------------------------------------------------------


@dataclass
class CompanyAssignment:
    assignment: Assignment
    owner_name: str | None


def status_rank(column: Any) -> Any:
    """ORDER BY expression: the pipeline order of the statuses (open ones first)."""
    return case(
        {status.value: rank for rank, status in enumerate(STATUS_ORDER)},
        value=column,
        else_=len(STATUS_ORDER),
    )


def for_company(
    company_id: int, *, session: Session, limit: int = COMPANY_SECTION_SIZE
) -> tuple[list[CompanyAssignment], bool]:
    """The company's assignments, open first, then by deadline (none last), with their
    owners' names: one query. (rows, whether there are more than `limit`)."""
    rows = session.exec(
        select(Assignment, User.full_name)
        .outerjoin(User, User.id == Assignment.owner_id)  # type: ignore[arg-type]
        .where(Assignment.company_id == company_id)
        .order_by(
            case((Assignment.status.in_(OPEN_STATUSES), 0), else_=1),  # type: ignore[attr-defined]
            Assignment.deadline.asc().nulls_last(),  # type: ignore[union-attr]
            Assignment.id.desc(),  # type: ignore[union-attr]
        )
        .limit(limit + 1)
    ).all()
    found = [CompanyAssignment(assignment=a, owner_name=name) for a, name in rows[:limit]]
    return found, len(rows) > limit


def company_section(company_id: int, *, session: Session) -> dict[str, Any]:
    """What the company page's assignment section shows (one query)."""
    rows, more = for_company(company_id, session=session)
    return {
        "assignments": rows,
        "more_assignments": more,
        "assignment_labels": {
            "status": STATUS_LABELS,
            "employment_type": EMPLOYMENT_TYPE_LABELS,
            "open": OPEN_STATUSES,
        },
    }


def link_choices(company_id: int, *, keep: int | None = None, session: Session) -> list[Assignment]:
    """The assignments a call at the company can be about: its open ones, and the one the
    call is already about (`keep`), even if that has closed since. One query."""
    wanted = Assignment.status.in_(OPEN_STATUSES)  # type: ignore[attr-defined]
    if keep is not None:
        wanted = or_(wanted, Assignment.id == keep)
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.company_id == company_id, wanted)
            .order_by(Assignment.deadline.asc().nulls_last(), Assignment.id)  # type: ignore[union-attr,arg-type]
        ).all()
    )


def move(
    other: Company, kept: Company, *, user: User, session: Session, clock: Clock
) -> list[Assignment]:
    """Moves every assignment of one company to another (a merge), with history. Each
    keeps its contact (contacts move too)."""
    moving = list(session.exec(select(Assignment).where(Assignment.company_id == other.id)).all())
    now = clock.now()
    for assignment in moving:
        assignment.company_id = kept.id  # type: ignore[assignment]
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
    return assignment
