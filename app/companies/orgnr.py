"""Swedish organisation numbers (organisationsnummer): NNNNNN-NNNN with a Luhn check digit."""

from __future__ import annotations

import re

from app.errors import ValidationFailed


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalize(raw: str | None) -> str | None:
    """'5560360793', '556036-0793' or '16556036-0793' -> '556036-0793'; empty -> None.

    Raises ValidationFailed with a Swedish message when the number cannot be one.
    """
    text = (raw or "").strip()
    if not text:
        return None
    digits = re.sub(r"[\s-]", "", text)
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]  # the "16" century prefix some registers use for organisations
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationFailed(
            "Organisationsnumret ska ha tio siffror, t.ex. 556036-0793.", field="org_number"
        )
    if digits[2] in "01":
        # Third digit 0 or 1 is a month: a personnummer (sole trader). Not stored here.
        raise ValidationFailed(
            "Det ser ut som ett personnummer. Enskilda firmor registreras utan nummer.",
            field="org_number",
        )
    if not luhn_ok(digits):
        raise ValidationFailed(
            "Organisationsnumret stämmer inte (fel kontrollsiffra).", field="org_number"
        )
    return f"{digits[:6]}-{digits[6:]}"
