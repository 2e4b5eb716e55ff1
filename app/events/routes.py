"""Event pages: the list, new, edit, the event's page, its status, and deleting it. Its
companies, presented assignments and outcome: participant_routes.py; its checklist:
task_routes.py. Each form is a plain POST that also works without htmx; a refused change
shows the event's page again with the message at the form (pages.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.events import pages
from app.events import service as events
from app.events.deps import EventDep
from app.events.models import STATUS_LABELS, RecruitmentEvent
from app.events.service import EventFilters, EventForm, StatusForm
from app.i18n import N_
from app.templating import render, translate
from app.validation import typed_id

router = APIRouter()


# --- the list ---------------------------------------------------------------------------


@router.get("/events")
def list_events(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[EventFilters, Query()],
) -> Response:
    filters = filters.normalized()
    query = filters.query()
    context = {
        "filters": filters,
        "page": events.list_(filters, user=user, session=session, clock=clock),
        "page_url": lambda number: "/events?" + urlencode({**query, "page": number}),
        "owners": companies.owners(session=session),
        "can_edit": user.role != Role.viewer,
        **pages.labels(),
    }
    return render(request, "events/list.html", context, block="results")


# --- new and edit -----------------------------------------------------------------------


def _form_context(
    session: Session,
    form: EventForm,
    *,
    event: RecruitmentEvent | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    people = list(companies.owners(session=session))
    # An owner or member who has left stays listed on their own event.
    known = {person.id for person in people}
    for value in (form.owner_id, *form.member_ids):
        if (typed := typed_id(value)) is not None and typed not in known:
            person = session.get(User, typed)
            if person is not None:
                people.append(person)
                known.add(person.id)
    return {"event": event, "form": form, "error": error, "people": people, **pages.labels()}


@router.get("/events/new")
def new_event(request: Request, session: SessionDep, clock: ClockDep, user: Editor) -> Response:
    form = events.new_form(user, clock=clock)
    return render(request, "events/form.html", _form_context(session, form))


@router.post("/events")
def create_event(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    form: Annotated[EventForm, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "events/form.html",
            _form_context(session, form, error=error),
            block="event_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        event = events.create(form, user=user, session=session, clock=clock)
    return saving.saved(request, session, pages.event_url(event.id), N_("Träffen är sparad."))


@router.get("/events/{event_id:int}/edit")
def edit_event(request: Request, session: SessionDep, user: Editor, event: EventDep) -> Response:
    form = EventForm.from_event(event, events.member_ids(event.id, session=session))
    return render(request, "events/form.html", _form_context(session, form, event=event))


@router.post("/events/{event_id:int}")
def update_event(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    form: Annotated[EventForm, Form()],
) -> Response:
    event_id = event.id

    def refused(error: DomainError) -> Response:
        current = pages.current(event_id, session)
        shown = (
            events.rebase(form, error, session=session)
            if isinstance(error, events.EditConflict)
            else form
        )
        return render(
            request,
            "events/form.html",
            _form_context(session, shown, event=current, error=error),
            block="event_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        events.update(event, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, pages.event_url(event_id), N_("Ändringarna i träffen är sparade.")
    )


# --- the event's page -------------------------------------------------------------------


@router.get("/events/{event_id:int}")
def show_event(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, event: EventDep
) -> Response:
    return pages.page(request, session, clock, user, event)


@router.post("/events/{event_id:int}/status")
def change_status(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    form: Annotated[StatusForm, Form()],
) -> Response:
    event_id = event.id
    with saving.attempt(
        session, refused=pages.refused_at(request, session, clock, user, event_id, "status")
    ):
        events.change_status(event, form, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.event_url(event_id),
        N_("Träffen har nu status %(status)s."),
        status=translate(request, STATUS_LABELS[event.status]),
    )


@router.post("/events/{event_id:int}/delete")
def delete_event(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, event: EventDep
) -> Response:
    event_id = event.id
    with saving.attempt(
        session, refused=pages.refused_at(request, session, clock, user, event_id, "delete")
    ):
        events.delete_event(event, user=user, session=session, clock=clock)
    return saving.saved(request, session, "/events", N_("Träffen är borttagen."))
