"""One company's participation in an event: its history, and a change of its status or
contact under the edit-conflict check; and the rule that a settled event is not changed."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.auth.models import User
from app.clock import Clock
from app.companies.models import Company
from app.errors import Conflict, NotFound
from app.events.models import EventCompany, EventStatus, Participation, RecruitmentEvent
from app.history import service as history
from app.i18n import N_

# Closed or cancelled events take no new companies or assignments.
_SETTLED = (EventStatus.closed, EventStatus.cancelled)


class EditConflict(history.EditConflict):
    """Someone changed the company's participation after this user saw it."""

    MESSAGE = N_(
        "Någon annan har ändrat företagets deltagande under tiden. Se ändringarna nedan "
        "och välj igen."
    )


def check_open(event: RecruitmentEvent) -> None:
    if event.status == EventStatus.cancelled:
        raise Conflict("Träffen är inställd. Ta tillbaka den innan du ändrar deltagarna.")
    if event.status == EventStatus.closed:
        raise Conflict("Träffen är avslutad. Ändra deltagandet i utfallet i stället.")


def _snapshot(link: EventCompany, *, session: Session) -> dict[str, Any]:
    # Not the contact's name: history must not keep a name "Radera person" cannot reach.
    return {"participation": link.status.value}


# On the participation, and on the company: its page's history shows it.
record = history.Recorder("event_company")


def change(
    link: EventCompany,
    status: Participation,
    contact_id: int | None,
    *,
    version: int | None,
    user: User,
    session: Session,
    clock: Clock,
) -> EventCompany:
    before = _snapshot(link, session=session)
    contact_before = link.contact_id
    link.status = status
    link.contact_id = contact_id
    changes: dict[str, Any] = history.diff(before, _snapshot(link, session=session))
    if not changes and contact_before == contact_id:
        return link
    if contact_before != contact_id:
        changes["contact_changed"] = True  # who, not named: see _snapshot
    # A query here must not autoflush the changed row before the guarded flush below, or
    # a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        company = session.get(Company, link.company_id)
    changes["participant"] = company.name if company else None  # which, on the event's page
    link.updated_at = clock.now()
    session.add(link)
    history.flush_or_conflict(
        link, "event_company", version, conflict=EditConflict, get=_link, session=session
    )
    record(link, "update", changes, user=user, session=session, clock=clock)
    return link


def _link(link_id: int, *, session: Session) -> EventCompany:
    """The participation as it now is, or NotFound: what history.flush_or_conflict reloads."""
    link = session.get(EventCompany, link_id)
    if link is None:
        raise NotFound("Företaget är inte med på träffen.")
    return link
