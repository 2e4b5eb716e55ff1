"""Contact test data through the real service (search text, history, primary rule)."""

from __future__ import annotations

from sqlmodel import Session

from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.contacts import service as contacts
from app.contacts.models import Contact


def make_contact(
    session: Session, clock: Clock, company: Company, user: User, **fields: object
) -> Contact:
    form = contacts.ContactForm(**{"name": "Kontakt Person", **fields})
    contact = contacts.create(company, form, user=user, session=session, clock=clock)
    session.commit()
    return contact
