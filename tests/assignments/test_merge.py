"""A merge moves the other company's assignments to the kept one, with history."""

from __future__ import annotations

from sqlmodel import select

from app.history.models import AuditEvent
from app.moves import merge as merging
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import make_company, make_user


def test_merge_moves_assignments_with_their_contacts(session, clock):
    bo = make_user(session, clock, role="broker", full_name="Bo Ek")
    kept = make_company(session, clock, user=bo, name="Ängelholms Bygg AB")
    other = make_company(session, clock, user=bo, name="Ängelholms Bygg Aktiebolag")
    contact = make_contact(session, clock, other, bo, name="Eva Berg")
    mine = make_assignment(session, clock, kept, bo, occupation="Snickare")
    moving = make_assignment(
        session, clock, other, bo, occupation="Kock", contact_id=str(contact.id)
    )
    plan = merging.plan(kept, other, session=session)
    assert ("Rekryteringsuppdrag", ["Kock"]) in [(m.label, m.names) for m in plan.moving]
    merging.merge(
        kept,
        other,
        kept_version=kept.version,
        other_version=other.version,
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    session.refresh(moving)
    assert (moving.company_id, moving.contact_id) == (kept.id, contact.id)
    assert session.get(type(mine), mine.id).company_id == kept.id
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "assignment", AuditEvent.entity_id == moving.id)
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert event.changes == {"merged_from": [None, "Ängelholms Bygg Aktiebolag"]}
    assert event.company_id == kept.id
