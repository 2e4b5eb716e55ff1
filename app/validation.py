"""Small checks for typed input shared by the features; each raises ValidationFailed."""

from __future__ import annotations

import re
from typing import Any

from app.errors import ValidationFailed

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > max_length:
        raise ValidationFailed(
            "Texten är för lång (högst %(max)s tecken).", field=field, variables={"max": max_length}
        )
    return value or None


def required_text(value: str | None, *, field: str, max_length: int, message: str) -> str:
    checked = optional_text(value, field=field, max_length=max_length)
    if not checked:
        raise ValidationFailed(message, field=field)
    return checked


def long_text(value: str | None, *, field: str, max_length: int = 10_000) -> str:
    # Every line break as "\n": a browser sends "\r\n", an old Mac sheet a lone "\r", which
    # an XLSX export would not keep (XML reads a CR in a cell as a line feed).
    value = (value or "").strip().replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > max_length:
        raise ValidationFailed(
            "Texten är för lång (högst %(max)s tecken).", field=field, variables={"max": max_length}
        )
    return value


def email(value: str | None, *, field: str = "email") -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValidationFailed("E-postadressen ser inte rätt ut.", field=field)
    return value


def phone(value: str | None, *, field: str = "phone") -> str | None:
    value = " ".join((value or "").split())
    if not value:
        return None
    if len(value) > 50 or not re.fullmatch(r"[0-9+()\-/ ]+", value) or not re.search(r"\d", value):
        raise ValidationFailed(
            "Telefonnumret får bara innehålla siffror, mellanslag och + - ( ).", field=field
        )
    return value


# The largest id the databases store (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def typed_id(value: str | None) -> int | None:
    """The id a form field or query parameter names: digits that fit the databases' 64-bit
    integers, else None. A longer number once reached the database and failed there."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def parse_choice(enum_type: Any, value: str, *, field: str, message: str) -> Any:
    """The member of a string enum the form's value names; refused with `message` on
    `field` when it names none."""
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationFailed(message, field=field) from None
