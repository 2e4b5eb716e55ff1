"""Assignment pages: the list, the pipeline board (with a page per column for "visa fler"),
new, edit, delete, and the status change, from the board or the assignment's page. Every
form is a plain POST that also works without htmx; htmx swaps the board in place."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app import saving
from app.assignments import follow_ups, listing
from app.assignments import service as assignments
from app.assignments.deps import AssignmentDep
from app.assignments.detail import labels as _labels
from app.assignments.detail import render_detail
from app.assignments.listing import AssignmentFilters
from app.assignments.models import (
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUS_ORDER,
    Assignment,
    AssignmentStatus,
)
from app.assignments.service import AssignmentForm, EditConflict, StatusForm
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import Company
from app.contacts import service as contacts
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, NotFound
from app.i18n import N_
from app.templating import is_fragment_request, render, translate
from app.validation import MAX_ID

router = APIRouter()


def _chosen_company(filters: AssignmentFilters, session: Session) -> Company | None:
    """The company named by ?company_id=, to show which one the view is limited to."""
    return session.get(Company, int(filters.company_id)) if filters.company_id else None


# --- the list ---------------------------------------------------------------------------


@router.get("/assignments")
def list_assignments(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AssignmentFilters, Query()],
) -> Response:
    filters = filters.normalized()
    query = filters.query()
    page = listing.list_(filters, user=user, session=session)
    shown = [row.assignment for row in page.rows]
    context = {
        "filters": filters,
        "page": page,
        "results": follow_ups.results(shown, session=session),
        "page_url": lambda number: "/assignments?" + urlencode({**query, "page": number}),
        "export_query": f"?{urlencode(query)}" if query else "",
        "chosen_company": _chosen_company(filters, session),
        "owners": companies.owners(session=session),
        "today": today(clock),
        "can_edit": user.role != Role.viewer,
        **_labels(),
    }
    return render(request, "assignments/list.html", context, block="results")


# --- the board --------------------------------------------------------------------------


_BOARD_FIELDS = ("company", "company_id", "owner", "employment_type")


def _board_filters(filters: AssignmentFilters) -> AssignmentFilters:
    """Only what the board filters by; it always shows the open statuses."""
    f = filters.normalized()
    return AssignmentFilters(**{name: getattr(f, name) for name in _BOARD_FIELDS})


def _board_query(filters: AssignmentFilters) -> dict[str, str]:
    return _board_filters(filters).query(without=("page", "state", "sort"))


def _focus_column(
    columns: list[listing.Column], moved: int | None, *, session: Session
) -> AssignmentStatus | None:
    """Where focus goes when the moved card is not on the board to take it (_card.html
    focuses its button): closed (only the last column closes), or beyond its column's
    first page. That column's heading, so a keyboard user is not dropped on <body>."""
    if moved is None or any(row.assignment.id == moved for c in columns for row in c.rows):
        return None
    assignment = session.get(Assignment, moved)
    if assignment is None:
        return None
    return assignment.status if assignment.status in OPEN_STATUSES else OPEN_STATUSES[-1]


def _board(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    filters: AssignmentFilters,
    *,
    moved: int | None = None,
    direction: str = "next",
    errors: dict[int, DomainError] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    filters = _board_filters(filters)
    query = _board_query(filters)
    columns = listing.board(filters, user=user, session=session)
    context = {
        "filters": filters,
        "board_query": urlencode(query),
        "columns": columns,
        "focus_column": _focus_column(columns, moved, session=session),
        "column_url": lambda status, page: (
            "/assignments/board/column?"
            + urlencode({**query, "status": status.value, "page": page})
        ),
        "chosen_company": _chosen_company(filters, session),
        "owners": companies.owners(session=session),
        "today": today(clock),
        "can_edit": user.role != Role.viewer,
        "moved": moved,
        "direction": direction,
        "errors": errors or {},
        "notice": notice,
        **_labels(),
    }
    return render(
        request, "assignments/board.html", context, block="board", status_code=status_code
    )


class BoardQuery(AssignmentFilters):
    """The board's filters, and the card just moved (to focus it) and which way."""

    moved: int | None = Field(None, ge=0, le=MAX_ID)
    direction: str = "next"


@router.get("/assignments/board")
def show_board(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    query: Annotated[BoardQuery, Query()],
) -> Response:
    return _board(
        request, session, clock, user, query, moved=query.moved, direction=query.direction
    )


@router.get("/assignments/board/column")
def board_column(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AssignmentFilters, Query()],
) -> Response:
    """A further page of one column ("visa fler"): its cards for htmx to add to the
    column, or a page of its own without it. ?status= names the (open) column."""
    status = AssignmentStatus(filters.status) if filters.status in OPEN_STATUSES else None
    if status is None:
        raise NotFound("Sidan finns inte")
    board_filters = _board_filters(filters)
    query = _board_query(board_filters)
    page = filters.normalized().page
    rows, has_next = listing.column(status, board_filters, page=page, user=user, session=session)
    context = {
        "filters": board_filters,
        "board_query": urlencode(query),
        "board_url": "/assignments/board" + (f"?{urlencode(query)}" if query else ""),
        "column": listing.Column(status=status, rows=rows, page=page, has_next=has_next, total=0),
        "column_url": lambda status, page: (
            "/assignments/board/column?"
            + urlencode({**query, "status": status.value, "page": page})
        ),
        "today": today(clock),
        "can_edit": user.role != Role.viewer,
        "moved": None,
        "direction": "next",
        "errors": {},
        "focus_first": is_fragment_request(request),
        **_labels(),
    }
    return render(request, "assignments/column.html", context, block="cards")


# --- new, edit, delete ------------------------------------------------------------------


def _form_context(
    session: Session,
    company: Company,
    form: AssignmentForm,
    *,
    assignment: Assignment | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    people = list(companies.owners(session=session))
    # An owner or source broker who has left stays selectable on their own assignment.
    for user_id in {assignment.owner_id, assignment.source_user_id} if assignment else set():
        if user_id and all(person.id != user_id for person in people):
            person = session.get(User, user_id)
            if person is not None:
                people.append(person)
    return {
        "company": company,
        "assignment": assignment,
        "form": form,
        "error": error,
        "contacts": contacts.list_for_company(company.id, session=session),
        "people": people,
        **_labels(),
    }


class NewAssignmentQuery(BaseModel):
    """The company of a new assignment, or the search (q) to find it."""

    company_id: int | None = Field(None, ge=0, le=MAX_ID)
    q: str = Field("", max_length=200)


@router.get("/assignments/new")
def new_assignment(
    request: Request,
    session: SessionDep,
    user: Editor,
    query: Annotated[NewAssignmentQuery, Query()],
) -> Response:
    """The form for a company's new assignment; without ?company_id= first a search for
    the company."""
    company_id, q = query.company_id, query.q
    if company_id is None:
        found = (
            companies.list_(companies.CompanyFilters(q=q), user=user, session=session).rows
            if q.strip()
            else []
        )
        return render(
            request,
            "assignments/choose_company.html",
            {"q": q, "found": found},
            block="found",
        )
    company = companies.get(company_id, session=session)
    form = assignments.new_form(user, company=company)
    return render(request, "assignments/form.html", _form_context(session, company, form))


@router.post("/companies/{company_id:int}/assignments")
def create_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[AssignmentForm, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "assignments/form.html",
            _form_context(session, company, form, error=error),
            block="assignment_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        assignment = assignments.create(company, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, f"/assignments/{assignment.id}", N_("Uppdraget är sparat.")
    )


@router.get("/assignments/{assignment_id:int}/edit")
def edit_assignment(
    request: Request, session: SessionDep, user: Editor, assignment: AssignmentDep
) -> Response:
    company = companies.get(assignment.company_id, session=session)
    form = AssignmentForm.from_assignment(assignment)
    return render(
        request,
        "assignments/form.html",
        _form_context(session, company, form, assignment=assignment),
    )


@router.post("/assignments/{assignment_id:int}")
def update_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    assignment: AssignmentDep,
    form: Annotated[AssignmentForm, Form()],
) -> Response:
    assignment_id = assignment.id

    def refused(error: DomainError) -> Response:
        # NotFound (a 404) when someone deleted it meanwhile.
        current = assignments.get(assignment_id, session=session)
        shown = (
            assignments.rebase(form, error, session=session)
            if isinstance(error, EditConflict)
            else form
        )
        company = companies.get(current.company_id, session=session)
        return render(
            request,
            "assignments/form.html",
            _form_context(session, company, shown, assignment=current, error=error),
            block="assignment_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        assignments.update(assignment, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, f"/assignments/{assignment_id}", N_("Ändringarna i uppdraget är sparade.")
    )


@router.post("/assignments/{assignment_id:int}/delete")
def delete_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    assignment: AssignmentDep,
) -> Response:
    company_id = assignment.company_id
    with saving.attempt(session):  # Forbidden: not theirs to delete (a 403, app/main.py)
        assignments.delete(assignment, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, f"/companies/{company_id}#assignments", N_("Uppdraget är borttaget.")
    )


# --- the status -------------------------------------------------------------------------


class StatusChange(StatusForm):
    # "board" when the change was sent from the board, with the board's query string, to
    # show the board again as it was filtered.
    view: str = ""
    board: str = ""


def _direction(before: AssignmentStatus, after: AssignmentStatus) -> str:
    return "next" if STATUS_ORDER.index(after) > STATUS_ORDER.index(before) else "previous"


@router.post("/assignments/{assignment_id:int}/status")
def change_status(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    assignment: AssignmentDep,
    form: Annotated[StatusChange, Form()],
) -> Response:
    """One click: to the next or previous column on the board, or to any status on the
    assignment's page; a closed status with the filled count."""
    assignment_id, before = assignment.id, assignment.status
    from_board = form.view == "board"
    sent = dict(parse_qsl(form.board))
    filters = AssignmentFilters.model_validate({k: sent.get(k, "") for k in _BOARD_FIELDS})

    def refused(error: DomainError) -> Response:
        current = assignments.get(assignment_id, session=session)
        if from_board:
            errors = {assignment_id: error}
            return _board(
                request, session, clock, user, filters, errors=errors, status_code=error.http_status
            )
        return render_detail(
            request,
            session,
            clock,
            user,
            current,
            status_error=error,
            typed_filled=form.filled_count,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        assignments.change_status(assignment, form, user=user, session=session, clock=clock)
    status = assignment.status
    variables = {
        "occupation": assignment.occupation,
        "company": companies.get(assignment.company_id, session=session).name,
        "status": translate(request, STATUS_LABELS[status]),
    }
    message = N_("%(occupation)s hos %(company)s har nu status %(status)s.")
    if not from_board:
        url = f"/assignments/{assignment_id}"
        return saving.saved(request, session, url, message, values=variables)
    direction = _direction(before, status)

    def board(notice: str | None) -> Response:
        return _board(
            request,
            session,
            clock,
            user,
            filters,
            moved=assignment_id,
            direction=direction,
            notice=notice,
        )

    query = {**_board_query(filters), "moved": assignment_id, "direction": direction}
    url = f"/assignments/board?{urlencode(query)}"
    return saving.saved(request, session, url, message, fragment=board, values=variables)
