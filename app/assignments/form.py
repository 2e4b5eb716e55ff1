"""The assignment form as typed, and its cleaning: the rules that tie status, positions
and filled count (service.py's docstring lists them)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, SQLModel

from app import i18n
from app.assignments.models import (
    LEGACY_TYPES,
    OPEN_STATUSES,
    STATUS_LABELS,
    Assignment,
    AssignmentStatus,
    EmploymentType,
    SourceKind,
)
from app.auth import service as users
from app.clock import Clock, today
from app.contacts.models import Contact
from app.dates import parse_date
from app.db import get_typed
from app.errors import ValidationFailed
from app.i18n import N_
from app.validation import long_text, optional_text, parse_choice, required_text

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
    "ends_on",
    "source_kind",
    "status",
    "filled_count",
    "notes",
)


class StatusName:
    """A status as a message variable: its label, translated when the message is shown
    (a message's variables are filled in after the message itself is translated)."""

    def __init__(self, status: AssignmentStatus) -> None:
        self.status = status

    def __str__(self) -> str:
        return i18n.gettext(STATUS_LABELS[self.status])


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
    ends_on: str = ""
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
                return value.isoformat()
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


def parse_filled_count(value: str) -> int:
    return _count(
        value,
        field="filled_count",
        message=N_("Ange antal tillsatta som en siffra (0 om ingen har anställts ännu)."),
    )


def _broker(value: str, *, field: str, message: str, session: Session, keep: int | None) -> int:
    """An active broker or admin; the one already chosen stays allowed (`keep`), so an
    assignment whose owner has left can still be saved."""
    return users.chosen_colleague(session, value, field=field, message=message, keep=(keep,))


def _contact(value: str, company_id: int, *, session: Session) -> int | None:
    if not value:
        return None
    contact = get_typed(session, Contact, value)
    if contact is None or contact.company_id != company_id:
        raise ValidationFailed("Välj en kontaktperson på företaget.", field="contact_id")
    return contact.id


def _employment_type(value: str, current: Assignment | None) -> EmploymentType:
    """A kind the form offers: the old undivided subsidised kind only if the assignment
    has it already."""
    kind = parse_choice(
        EmploymentType, value, field="employment_type", message=N_("Välj en anställningsform.")
    )
    if kind in LEGACY_TYPES and (current is None or current.employment_type != kind):
        raise ValidationFailed(
            "Välj vilket slags subventionerad anställning det är: extratjänst, lönestöd, "
            "nystartsjobb, introduktionsjobb eller annan.",
            field="employment_type",
        )
    return kind


def check_counts(status: AssignmentStatus, positions: int, filled: int) -> None:
    """Refuses a filled count that does not fit the positions or the status."""
    variables: dict[str, object] = {"positions": positions, "filled": filled}
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
    clock: Clock,
    current: Assignment | None = None,
) -> dict[str, Any]:
    day = today(clock)
    source_kind = parse_choice(
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
        "employment_type": _employment_type(form.employment_type, current),
        "workplace": optional_text(form.workplace, field="workplace", max_length=200),
        "start_on": parse_date(
            form.start_on,
            today=day,
            direction="future",
            field="start_on",
            label=N_("Startdatum"),
        ),
        "deadline": parse_date(
            form.deadline, today=day, direction="future", field="deadline", label=N_("Sista dag")
        ),
        # Often typed after the fact, when a placement is followed up: either way.
        "ends_on": parse_date(
            form.ends_on,
            today=day,
            direction="either",
            field="ends_on",
            label=N_("Anställningarna slutar"),
        ),
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
        "filled_count": parse_filled_count(form.filled_count),
        "notes": long_text(form.notes, field="notes"),
    }
    if values["start_on"] and values["ends_on"] and values["ends_on"] < values["start_on"]:
        raise ValidationFailed("Anställningarna kan inte sluta före startdatum.", field="ends_on")
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
