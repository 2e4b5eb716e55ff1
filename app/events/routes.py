"""Event pages: the list, new, edit, the event's page (facts, status, companies, presented
assignments, checklist by phase, outcome, history), and every change made there. Each
form is a plain POST that also works without htmx; a refused change shows the event's page
again with the message at the form. Ticking a checklist item swaps just that item."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import flash
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, Forbidden, NotFound
from app.events import checklist, participants
from app.events import service as events
from app.events.checklist import TaskForm
from app.events.deps import EventDep, TaskDep
from app.events.models import (
    PARTICIPATION_LABELS,
    PHASE_LABELS,
    PHASES,
    STATUS_LABELS,
    RecruitmentEvent,
)
from app.events.participants import OutcomeForm, ParticipantForm
from app.events.service import EventFilters, EventForm, StatusForm
from app.templating import is_fragment_request, render, see_other, translate
from app.validation import typed_id

router = APIRouter()


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "participation_labels": PARTICIPATION_LABELS,
        "phase_labels": PHASE_LABELS,
        "phases": PHASES,
        "assignment_status_labels": ASSIGNMENT_STATUS_LABELS,
    }


def _event_url(event_id: int | None, anchor: str = "") -> str:
    return f"/events/{event_id}" + (f"#{anchor}" if anchor else "")


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
        **_labels(),
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
    return {"event": event, "form": form, "error": error, "people": people, **_labels()}


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
    try:
        event = events.create(form, user=user, session=session, clock=clock)
    except DomainError as error:
        session.rollback()
        return render(
            request,
            "events/form.html",
            _form_context(session, form, error=error),
            block="event_form",
            status_code=error.http_status,
        )
    session.commit()
    response = see_other(request, _event_url(event.id))
    flash.add(response, request, translate(request, "Träffen är sparad."))
    return response


@router.get("/events/{event_id:int}/edit")
def edit_event(request: Request, session: SessionDep, user: Editor, event: EventDep) -> Response:
    form = EventForm.from_event(event, events.member_ids(event.id, session=session))  # type: ignore[arg-type]
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
    try:
        events.update(event, form, user=user, session=session, clock=clock)
    except DomainError as error:
        session.rollback()
        current = _current(event_id, session)
        if isinstance(error, events.EditConflict):
            form = events.rebase(form, error, session=session)
        return render(
            request,
            "events/form.html",
            _form_context(session, form, event=current, error=error),
            block="event_form",
            status_code=error.http_status,
        )
    session.commit()
    response = see_other(request, _event_url(event_id))
    flash.add(response, request, translate(request, "Ändringarna i träffen är sparade."))
    return response


def _current(event_id: int | None, session: Session) -> RecruitmentEvent:
    try:
        return events.get(event_id, session=session)  # type: ignore[arg-type]
    except NotFound:  # someone deleted it meanwhile
        raise HTTPException(status_code=404) from None


# --- the event's page -------------------------------------------------------------------


def _page(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    event: RecruitmentEvent,
    *,
    errors: dict[str, DomainError] | None = None,
    outcome_form: OutcomeForm | None = None,
    task_forms: dict[str, TaskForm] | None = None,
    status_code: int = 200,
) -> Response:
    owner, members = events.team(event, session=session)
    rows = participants.participants(event.id, session=session)  # type: ignore[arg-type]
    presented = participants.presented(event.id, session=session)  # type: ignore[arg-type]
    can_edit = user.role != Role.viewer
    context = {
        "event": event,
        "owner": owner,
        "members": members,
        "participants": rows,
        "bcc": participants.bcc_addresses(rows),
        "presented": presented,
        "assignment_choices": participants.assignment_choices(event.id, session=session)  # type: ignore[arg-type]
        if can_edit
        else [],
        "tasks": checklist.by_phase(event.id, session=session),  # type: ignore[arg-type]
        "people": companies.owners(session=session) if can_edit else [],
        "history": events.history_of(event.id, session=session),  # type: ignore[arg-type]
        "today": today(clock),
        "now": clock.now(),
        "can_edit": can_edit,
        "may_manage": events.may_manage(event, user),
        "may_record_outcome": participants.may_record_outcome(event, clock=clock),
        "errors": errors or {},
        "outcome_form": outcome_form,
        "task_forms": task_forms or {},
        **_labels(),
    }
    return render(request, "events/detail.html", context, status_code=status_code)


@router.get("/events/{event_id:int}")
def show_event(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, event: EventDep
) -> Response:
    return _page(request, session, clock, user, event)


def _refused(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    event_id: int | None,
    key: str,
    error: DomainError,
    **typed: Any,
) -> Response:
    """A change the service refused: roll back, show the page with the message at its form."""
    session.rollback()
    if isinstance(error, Forbidden):
        raise HTTPException(status_code=403)
    current = _current(event_id, session)
    return _page(
        request,
        session,
        clock,
        user,
        current,
        errors={key: error},
        status_code=error.http_status,
        **typed,
    )


def _done(request: Request, session: Session, url: str, message: str, **variables: Any) -> Response:
    session.commit()
    response = see_other(request, url)
    flash.add(response, request, translate(request, message, **variables))
    return response


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
    try:
        events.change_status(event, form, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, "status", error)
    return _done(
        request,
        session,
        _event_url(event_id),
        "Träffen har nu status %(status)s.",
        status=translate(request, STATUS_LABELS[event.status]),
    )


@router.post("/events/{event_id:int}/delete")
def delete_event(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, event: EventDep
) -> Response:
    event_id = event.id
    try:
        events.delete_event(event, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, "delete", error)
    return _done(request, session, "/events", "Träffen är borttagen.")


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
    }  # type: ignore[arg-type]
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
    try:
        link = participants.invite(event, company_id, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, "companies", error)
    company = companies.get(link.company_id, session=session)
    return _done(
        request,
        session,
        _event_url(event_id, f"company-{link.company_id}"),
        "%(company)s är inbjudet. Inbjudan är loggad på företaget.",
        company=company.name,
    )


def _participant(event: RecruitmentEvent, company_id: int, session: Session) -> Any:
    try:
        return participants.get_participant(event.id, company_id, session=session)  # type: ignore[arg-type]
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.post("/events/{event_id:int}/companies/{company_id:int}")
def update_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    company_id: int,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    event_id = event.id
    link = _participant(event, company_id, session)
    try:
        participants.update_participant(link, form, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, f"company-{company_id}", error)
    return _done(
        request, session, _event_url(event_id, f"company-{company_id}"), "Deltagandet är sparat."
    )


@router.post("/events/{event_id:int}/companies/{company_id:int}/delete")
def remove_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    company_id: int,
) -> Response:
    event_id = event.id
    link = _participant(event, company_id, session)
    try:
        participants.remove_participant(event, link, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, f"company-{company_id}", error)
    return _done(
        request, session, _event_url(event_id, "companies"), "Företaget är borttaget från träffen."
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
    try:
        participants.link_assignment(event, assignment_id, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, "assignments", error)
    return _done(
        request, session, _event_url(event_id, "assignments"), "Uppdraget är kopplat till träffen."
    )


@router.post("/events/{event_id:int}/assignments/{assignment_id:int}/delete")
def unlink_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    assignment_id: int,
) -> Response:
    event_id = event.id
    try:
        link = participants.get_link(event.id, assignment_id, session=session)  # type: ignore[arg-type]
    except NotFound:
        raise HTTPException(status_code=404) from None
    try:
        participants.unlink_assignment(event, link, user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, "assignments", error)
    return _done(
        request,
        session,
        _event_url(event_id, "assignments"),
        "Uppdraget är inte längre kopplat till träffen.",
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
    event_id = event.id
    try:
        participants.save_outcome(event, form, user=user, session=session, clock=clock)
    except DomainError as error:
        # After a conflict the form starts again from what is saved now.
        typed = None if isinstance(error, events.EditConflict) else form
        return _refused(
            request, session, clock, user, event_id, "outcome", error, outcome_form=typed
        )
    return _done(request, session, _event_url(event_id, "outcome"), "Utfallet är sparat.")


# --- the checklist ----------------------------------------------------------------------


@router.post("/events/{event_id:int}/tasks")
def add_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    event_id = event.id
    try:
        task = checklist.add_task(event, form, user=user, session=session, clock=clock)
    except DomainError as error:
        key = f"tasks-{form.phase}"
        return _refused(
            request, session, clock, user, event_id, key, error, task_forms={form.phase: form}
        )
    return _done(request, session, _event_url(event_id, f"task-{task.id}"), "Uppgiften är tillagd.")


def _task_form_context(
    session: Session, event: RecruitmentEvent, form: TaskForm, task: Any, error: Any
) -> dict[str, Any]:
    return {
        "event": event,
        "task": task,
        "form": form,
        "error": error,
        "people": companies.owners(session=session),
        **_labels(),
    }


@router.get("/events/{event_id:int}/tasks/{task_id:int}/edit")
def edit_task(
    request: Request, session: SessionDep, user: Editor, event: EventDep, task: TaskDep
) -> Response:
    context = _task_form_context(session, event, TaskForm.from_task(task), task, None)
    return render(request, "events/task_form.html", context)


@router.post("/events/{event_id:int}/tasks/{task_id:int}")
def update_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
    form: Annotated[TaskForm, Form()],
) -> Response:
    event_id, task_id = event.id, task.id
    try:
        checklist.update_task(task, form, user=user, session=session, clock=clock)
    except DomainError as error:
        session.rollback()
        current_event = _current(event_id, session)
        try:
            current = checklist.get_task(event_id, task_id, session=session)  # type: ignore[arg-type]
        except NotFound:
            raise HTTPException(status_code=404) from None
        if isinstance(error, checklist.EditConflict):
            form = checklist.rebase(form, error, session=session)
        context = _task_form_context(session, current_event, form, current, error)
        return render(
            request,
            "events/task_form.html",
            context,
            block="task_form",
            status_code=error.http_status,
        )
    return _done(request, session, _event_url(event_id, f"task-{task_id}"), "Uppgiften är sparad.")


@router.post("/events/{event_id:int}/tasks/{task_id:int}/done")
def tick_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
    done: Annotated[str, Form()] = "1",
) -> Response:
    """One click: done (done=1) or not done (done=0). htmx swaps the item in place."""
    event_id, task_id = event.id, task.id
    try:
        checklist.set_done(task, done == "1", user=user, session=session, clock=clock)
    except DomainError as error:
        return _refused(request, session, clock, user, event_id, f"task-{task_id}", error)
    session.commit()
    if is_fragment_request(request):
        row = checklist.TaskRow(
            task=task,
            assignee_name=(
                session.get(User, task.assignee_id).full_name if task.assignee_id else None
            ),  # type: ignore[union-attr]
        )
        context = {
            "event": event,
            "row": row,
            "today": today(clock),
            "can_edit": True,
            "focus": True,
        }
        return render(request, "events/_task.html", context)
    return see_other(request, _event_url(event_id, f"task-{task_id}"))


@router.post("/events/{event_id:int}/tasks/{task_id:int}/delete")
def delete_task(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    event: EventDep,
    task: TaskDep,
) -> Response:
    event_id, phase = event.id, task.phase
    checklist.delete_task(event, task, user=user, session=session, clock=clock)
    return _done(
        request, session, _event_url(event_id, f"phase-{phase.value}"), "Uppgiften är borttagen."
    )
