"""The company form as typed, and its cleaning into checked values (or a refusal)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel

from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import orgnr
from app.companies.models import AgreementStatus, Company, CompanyKind, CompanyStatus, SizeClass
from app.dates import parse_date
from app.db import get_typed
from app.errors import ValidationFailed
from app.i18n import N_
from app.text import fold
from app.validation import email, long_text, optional_text, parse_choice, phone, required_text

MAX_TAGS = 20
# The fields history records and an edit conflict compares.
TRACKED_FIELDS = (
    "name",
    "kind",
    "org_number",
    "industry",
    "sni_code",
    "size_class",
    "municipality",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "website",
    "status",
    "notes",
)


class CompanyForm(SQLModel):
    """The company form as typed; `clean()` turns it into checked values or refuses it."""

    name: str = ""
    kind: str = CompanyKind.employer.value
    org_number: str = ""
    industry: str = ""
    sni_code: str = ""
    size_class: str = ""
    municipality: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    status: str = CompanyStatus.prospect.value
    owner_id: str = ""
    # A letter of intent to record as an agreement of the company (app/agreements), as an
    # imported sheet's "Avsiktsförklaring" columns give it: sent or signed, and the day.
    # The company form has no such fields; from_company() fills in the company's summary,
    # so that only a different one is recorded.
    agreement_status: str = AgreementStatus.none.value
    agreement_date: str = ""
    notes: str = ""
    tags: str = ""
    # The version the user started from (edit conflicts), and "save anyway" for duplicates.
    version: int | None = None
    confirm_duplicate: bool = False

    @classmethod
    def from_company(cls, company: Company, tags: Sequence[str]) -> CompanyForm:
        names = (*TRACKED_FIELDS, "owner_id", "agreement_status", "agreement_date")
        values = {name: getattr(company, name) for name in names}
        typed = {k: ("" if v is None else str(getattr(v, "value", v))) for k, v in values.items()}
        return cls.model_validate({**typed, "tags": ", ".join(tags), "version": company.version})


@dataclass
class CleanCompany:
    values: dict[str, Any]
    tags: list[str]
    # A letter of intent to record (status sent or signed, its day), or None.
    letter_of_intent: tuple[AgreementStatus, dt.date | None] | None = None


def _sni(value: str) -> str | None:
    digits = value.replace(".", "").replace(" ", "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{2,5}", digits):
        raise ValidationFailed("SNI-koden ska vara 2–5 siffror, t.ex. 41.200.", field="sni_code")
    return digits if len(digits) <= 2 else f"{digits[:2]}.{digits[2:]}"


def _postal_code(value: str) -> str | None:
    digits = value.replace(" ", "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{5}", digits):
        raise ValidationFailed(
            "Postnumret ska vara fem siffror, t.ex. 123 45.", field="postal_code"
        )
    return f"{digits[:3]} {digits[3:]}"


def _website(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.match(r"^https?://", value, re.IGNORECASE):
        value = "https://" + value
    if len(value) > 300 or not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", value):
        raise ValidationFailed("Webbadressen ser inte rätt ut.", field="website")
    return value


def _owner(value: str, session: Session) -> int | None:
    if not value:
        return None
    owner = get_typed(session, User, value)
    if owner is None or not owner.is_active or owner.role == Role.viewer:
        raise ValidationFailed("Välj en aktiv jobbmäklare som ansvarig.", field="owner_id")
    return owner.id


def parse_tags(value: str) -> list[str]:
    names: dict[str, str] = {}
    for raw in value.split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > 50:
            raise ValidationFailed("En tagg får ha högst 50 tecken.", field="tags")
        names.setdefault(fold(name), name)
    if len(names) > MAX_TAGS:
        raise ValidationFailed("Högst 20 taggar per företag.", field="tags")
    return list(names.values())


def clean(form: CompanyForm, *, session: Session, clock: Clock) -> CleanCompany:
    agreement = parse_choice(
        AgreementStatus,
        form.agreement_status,
        field="agreement_status",
        message=N_("Välj status för avsiktsförklaringen."),
    )
    # When the letter was sent or signed: a date without a year is the latest one.
    agreement_date = parse_date(
        form.agreement_date,
        today=today(clock),
        direction="past",
        field="agreement_date",
        label=N_("Datum för avsiktsförklaring"),
    )
    if agreement == AgreementStatus.none:
        agreement_date = None
    elif agreement_date is None:
        raise ValidationFailed(
            "Ange datum för avsiktsförklaringen (skickad eller undertecknad).",
            field="agreement_date",
        )
    values = {
        "name": required_text(
            form.name, field="name", max_length=200, message=N_("Ange företagets namn.")
        ),
        "kind": parse_choice(
            CompanyKind,
            form.kind,
            field="kind",
            message=N_("Välj om företaget är arbetsgivare eller samverkanspart."),
        ),
        "org_number": orgnr.normalize(form.org_number),
        "industry": optional_text(form.industry, field="industry", max_length=200),
        "sni_code": _sni(form.sni_code),
        "size_class": parse_choice(
            SizeClass, form.size_class, field="size_class", message=N_("Välj en storleksklass.")
        )
        if form.size_class
        else None,
        "municipality": optional_text(form.municipality, field="municipality", max_length=100),
        "street_address": optional_text(
            form.street_address, field="street_address", max_length=200
        ),
        "postal_code": _postal_code(form.postal_code),
        "city": optional_text(form.city, field="city", max_length=100),
        "phone": phone(form.phone),
        "email": email(form.email),
        "website": _website(form.website),
        "status": parse_choice(
            CompanyStatus, form.status, field="status", message=N_("Välj en status.")
        ),
        "owner_id": _owner(form.owner_id, session),
        "notes": long_text(form.notes, field="notes"),
    }
    return CleanCompany(
        values=values,
        tags=parse_tags(form.tags),
        letter_of_intent=None if agreement == AgreementStatus.none else (agreement, agreement_date),
    )
