"""The companies of an event (find, invite, update, remove), the assignments presented
at it, and its outcome. A refused change shows the event's page again with the message
at its form (pages.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app import saving
from app.auth.deps import Editor
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.events import pages, participants
from app.events import service as events
from app.events.deps import EventDep, LinkDep, ParticipantDep
from app.events.participants import OutcomeForm, ParticipantForm
from app.i18n import N_
from app.templating import render

router = APIRouter()


# --- companies --------------------------------------------------------------------------


@router.get("/events/{event_id:int}/companies/new")
def find_company(
    request: Request,
    session: SessionDep,
    user: Editor,
    event: EventDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The register's search, to invite a company: a page of its own without htmx, the
    results alone for the search box on the event's page."""
    found = (
        companies.list_(companies.CompanyFilters(q=q), user=user, session=session).rows
        if q.strip()
        else []
    )
    taken = {
        row.link.company_id
        for row in participants.participants(event.id, session=session, with_contacts=False)
    }
    context = {"event": event, "q": q, "found": found, "taken": taken}
    return render(request, "events/find_company.html", context, block="found")


@router.post("/events/{event_id:int}/companies")
def invite_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    company_id: Annotated[str, Form()] = "",
) -> Response:
    event_id = event.id
    refused = pages.refused_at(request, session, clock, user, event_id, "companies")
    with saving.attempt(session, refused=refused):
        link = participants.invite(event, company_id, user=user, session=session, clock=clock)
    company = companies.get(link.company_id, session=session)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, f"company-{link.company_id}"),
        N_("%(company)s är inbjudet. Inbjudan är loggad på företaget."),
        company=company.name,
    )


@router.post("/events/{event_id:int}/companies/{company_id:int}")
def update_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    company_id: int,
    link: ParticipantDep,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    event_id = event.id
    refused = pages.refused_at(request, session, clock, user, event_id, f"company-{company_id}")
    with saving.attempt(session, refused=refused):
        participants.update_participant(link, form, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, f"company-{company_id}"),
        N_("Deltagandet är sparat."),
    )


@router.post("/events/{event_id:int}/companies/{company_id:int}/delete")
def remove_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    company_id: int,
    link: ParticipantDep,
) -> Response:
    event_id = event.id
    refused = pages.refused_at(request, session, clock, user, event_id, f"company-{company_id}")
    with saving.attempt(session, refused=refused):
        participants.remove_participant(event, link, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, "companies"),
        N_("Företaget är borttaget från träffen."),
    )


# --- presented assignments --------------------------------------------------------------


@router.post("/events/{event_id:int}/assignments")
def link_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    assignment_id: Annotated[str, Form()] = "",
) -> Response:
    event_id = event.id
    refused = pages.refused_at(request, session, clock, user, event_id, "assignments")
    with saving.attempt(session, refused=refused):
        participants.link_assignment(event, assignment_id, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, "assignments"),
        N_("Uppdraget är kopplat till träffen."),
    )


@router.post("/events/{event_id:int}/assignments/{assignment_id:int}/delete")
def unlink_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    assignment_id: int,
    link: LinkDep,
) -> Response:
    event_id = event.id
    refused = pages.refused_at(request, session, clock, user, event_id, "assignments")
    with saving.attempt(session, refused=refused):
        participants.unlink_assignment(event, link, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id, "assignments"),
        N_("Uppdraget är inte längre kopplat till träffen."),
    )


# --- the outcome ------------------------------------------------------------------------


@router.post("/events/{event_id:int}/outcome")
def save_outcome(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    form: Annotated[OutcomeForm, Form()],
) -> Response:
    event_id, status_before = event.id, event.status

    def refused(error: DomainError) -> Response | None:
        # After a conflict the form starts again from what is saved now.
        typed = None if isinstance(error, events.EditConflict) else form
        page = pages.refused_at(
            request, session, clock, user, event_id, "outcome", outcome_form=typed
        )
        return page(error)

    with saving.attempt(session, refused=refused):
        participants.save_outcome(event, form, user=user, session=session, clock=clock)
    closed = event.status != status_before
    message = (
        N_("Utfallet är sparat och träffen är avslutad.") if closed else N_("Utfallet är sparat.")
    )
    return saving.saved(request, session, pages.event_url(event_id, "outcome"), message)
