"""What the reports' estimate of income support (försörjningsstöd) saved counts with: an
amount per person and month and the number of months, set by an admin. The people are
counted at the follow-ups of placements (follow_ups.py); this holds only the two factors.
"""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from app.assignments.models import IncomeSupportRate
from app.auth.models import Role, User
from app.clock import Clock
from app.errors import Forbidden, ValidationFailed
from app.i18n import N_

MAX_AMOUNT = 1_000_000
MIN_MONTHS, MAX_MONTHS = 1, 24
# Spaces a Swede groups thousands with ("9 500"), and the unit typed after the amount.
_GROUPING = (" ", "\u00a0", "\u202f")


class IncomeSupportForm(SQLModel):
    """The two factors as typed."""

    amount_per_month: str = ""
    months: str = ""

    @classmethod
    def from_rate(cls, rate: IncomeSupportRate | None) -> IncomeSupportForm:
        if rate is None:
            return cls()
        return cls(amount_per_month=str(rate.amount_per_month), months=str(rate.months))


def current(*, session: Session) -> IncomeSupportRate | None:
    """The factors as set, or None until an admin has set them: always one statement (a
    look-up in the session's identity map would make a report's cost vary)."""
    return session.exec(select(IncomeSupportRate)).first()


def _whole_number(value: str) -> int | None:
    text = value.strip().removesuffix("kr").strip()
    for space in _GROUPING:
        text = text.replace(space, "")
    return int(text) if text.isascii() and text.isdigit() else None


def _amount(value: str) -> int:
    if not value.strip():
        raise ValidationFailed(
            "Ange beloppet per person och månad i hela kronor.", field="amount_per_month"
        )
    amount = _whole_number(value)
    if amount is None or amount > MAX_AMOUNT:
        raise ValidationFailed(
            "Ange beloppet i hela kronor, från 0 till 1 000 000, till exempel 9 500.",
            field="amount_per_month",
        )
    return amount


def _months(value: str) -> int:
    months = _whole_number(value.strip().removesuffix("månader").removesuffix("mån"))
    if months is None or not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationFailed("Ange antalet månader som en siffra från 1 till 24.", field="months")
    return months


def save(
    form: IncomeSupportForm, *, user: User, session: Session, clock: Clock
) -> IncomeSupportRate:
    """Sets both factors: whole kronor from 0 to 1,000,000 and 1 to 24 months."""
    if user.role != Role.admin:
        raise Forbidden(N_("Bara administratörer kan ändra underlaget för uppskattningen."))
    amount, months = _amount(form.amount_per_month), _months(form.months)
    rate = current(session=session) or IncomeSupportRate(
        amount_per_month=amount, months=months, updated_at=clock.now()
    )
    rate.amount_per_month, rate.months = amount, months
    rate.updated_at, rate.updated_by_id = clock.now(), user.id
    session.add(rate)
    session.flush()
    return rate
