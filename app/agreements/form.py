"""The agreement form as typed, and its cleaning into checked values (messages in Swedish).

The rules: a kind and a status; sent needs the day it was sent, signed the day it was
signed (neither in the future); valid from is not after valid to; the signatories are the
company's contact persons, the assignment one of its assignments, and the unit's
signatory an active broker or admin (the one already chosen stays allowed)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.agreements.models import Agreement, AgreementKind, AgreementState
from app.assignments.models import Assignment
from app.auth import service as users
from app.clock import Clock, today
from app.contacts.models import Contact
from app.dates import parse_date
from app.db import get_typed
from app.errors import ValidationFailed
from app.i18n import N_, LazyText
from app.validation import long_text, parse_choice, typed_id

# The fields history records and an edit conflict compares, besides the unit's signatory
# (by name). Not the company's signatories by name: history must not keep a person's name
# that "Radera person" (GDPR) could not reach; it records how many they are.
TRACKED_FIELDS = (
    "kind",
    "state",
    "sent_on",
    "signed_on",
    "valid_from",
    "valid_to",
    "notes",
)
MAX_SIGNATORIES = 20


class AgreementForm(SQLModel):
    """The agreement form as typed; `clean()` turns it into checked values or refuses it."""

    kind: str = AgreementKind.letter_of_intent.value
    state: str = AgreementState.draft.value
    sent_on: str = ""
    signed_on: str = ""
    valid_from: str = ""
    valid_to: str = ""
    assignment_id: str = ""
    unit_signatory_id: str = ""
    signatory_ids: list[str] = []
    notes: str = ""
    # The agreement this one renews ("Förnya"), carried by the new draft's form.
    renews_id: str = ""
    # The version the user started editing from: a later save by someone else is a conflict.
    version: int | None = None

    @classmethod
    def from_agreement(cls, agreement: Agreement, signatory_ids: list[int]) -> AgreementForm:
        def typed(value: Any) -> str:
            if value is None:
                return ""
            if hasattr(value, "isoformat"):
                return value.isoformat()
            return str(getattr(value, "value", value))

        names = (*TRACKED_FIELDS, "assignment_id", "unit_signatory_id", "renews_id")
        values = {name: typed(getattr(agreement, name)) for name in names}
        return cls(
            **values,
            signatory_ids=[str(contact_id) for contact_id in signatory_ids],
            version=agreement.version,
        )


def _signatories(values: list[str], company_id: int, *, session: Session) -> list[int]:
    ids = sorted({contact_id for value in values if (contact_id := typed_id(value)) is not None})
    if len(ids) != len({value for value in values if value.strip()}):
        raise ValidationFailed(
            "Välj undertecknare bland företagets kontaktpersoner.", field="signatory_ids"
        )
    if len(ids) > MAX_SIGNATORIES:
        raise ValidationFailed(
            "Välj högst %(max)s undertecknare.",
            field="signatory_ids",
            variables={"max": MAX_SIGNATORIES},
        )
    if not ids:
        return []
    found = session.exec(
        select(Contact.id).where(col(Contact.id).in_(ids), Contact.company_id == company_id)
    ).all()
    if len(found) != len(ids):
        raise ValidationFailed(
            "Välj undertecknare bland företagets kontaktpersoner.", field="signatory_ids"
        )
    return ids


def _assignment(value: str, company_id: int, *, session: Session) -> int | None:
    if not value.strip():
        return None
    assignment = get_typed(session, Assignment, value)
    if assignment is None or assignment.company_id != company_id:
        raise ValidationFailed("Välj ett av företagets uppdrag.", field="assignment_id")
    return assignment.id


def _unit_signatory(value: str, *, session: Session, keep: int | None) -> int | None:
    if not value.strip():
        return None
    return users.chosen_colleague(
        session,
        value,
        field="unit_signatory_id",
        message=N_("Välj en aktiv jobbmäklare eller administratör som undertecknar för enheten."),
        keep=(keep,),
    )


def clean(
    form: AgreementForm,
    company_id: int,
    *,
    session: Session,
    clock: Clock,
    current: Agreement | None = None,
) -> tuple[dict[str, Any], list[int]]:
    """The checked values, and the signatories' contact ids."""
    day = today(clock)
    state = parse_choice(AgreementState, form.state, field="state", message=N_("Välj en status."))
    values: dict[str, Any] = {
        "kind": parse_choice(
            AgreementKind, form.kind, field="kind", message=N_("Välj vilket slags avtal det är.")
        ),
        "state": state,
        "sent_on": parse_date(
            form.sent_on, today=day, direction="past", field="sent_on", label=N_("Skickat")
        ),
        "signed_on": parse_date(
            form.signed_on,
            today=day,
            direction="past",
            field="signed_on",
            label=N_("Undertecknat"),
        ),
        "valid_from": parse_date(
            form.valid_from,
            today=day,
            direction="either",
            field="valid_from",
            label=N_("Giltigt från"),
        ),
        "valid_to": parse_date(
            form.valid_to, today=day, direction="future", field="valid_to", label=N_("Giltigt till")
        ),
        "assignment_id": _assignment(form.assignment_id, company_id, session=session),
        "unit_signatory_id": _unit_signatory(
            form.unit_signatory_id,
            session=session,
            keep=current.unit_signatory_id if current else None,
        ),
        "notes": long_text(form.notes, field="notes"),
    }
    for field, label in (("sent_on", N_("Skickat")), ("signed_on", N_("Undertecknat"))):
        if values[field] is not None and values[field] > day:
            raise ValidationFailed(
                "%(field)s kan inte vara ett datum framåt i tiden.",
                field=field,
                variables={"field": LazyText(label)},
            )
    if state == AgreementState.sent and values["sent_on"] is None:
        raise ValidationFailed("Ange när avtalet skickades.", field="sent_on")
    if state == AgreementState.signed and values["signed_on"] is None:
        raise ValidationFailed("Ange när avtalet undertecknades.", field="signed_on")
    if (
        values["valid_from"] is not None
        and values["valid_to"] is not None
        and values["valid_from"] > values["valid_to"]
    ):
        raise ValidationFailed("Giltigt till kan inte vara före Giltigt från.", field="valid_to")
    return values, _signatories(form.signatory_ids, company_id, session=session)
