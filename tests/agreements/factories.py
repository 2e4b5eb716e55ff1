"""Agreement test data through the real service (history, the company's summary)."""

from __future__ import annotations

from sqlmodel import Session

from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.agreements.models import Agreement
from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company


def make_agreement(
    session: Session, clock: Clock, company: Company, user: User, **fields: object
) -> Agreement:
    """An agreement, saved: the form's fields as typed (a letter of intent in draft)."""
    form = AgreementForm.model_validate(fields)
    agreement = agreements.create(company, form, user=user, session=session, clock=clock)
    session.commit()
    return agreement
