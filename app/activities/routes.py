"""Call-log pages: log an activity from the company page, edit and delete it inline, mark a
follow-up done, and page back through the timeline. Every form also works without htmx."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.activities import service as activities
from app.activities.deps import ActivityDep, ChangeableActivity
from app.activities.models import KIND_LABELS, Activity
from app.activities.service import ActivityForm, EditConflict
from app.assignments import service as assignments
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import Company
from app.contacts import service as contacts
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, Forbidden
from app.i18n import N_
from app.templating import is_fragment_request, locale_of, render, see_other, weekday_date

router = APIRouter()


def _common(session: Session, clock: Clock, user: User, company: Company) -> dict[str, Any]:
    """What every call-log template needs besides its own values."""
    return {
        "company": company,
        "contacts": contacts.list_for_company(company.id, session=session),
        "assignment_choices": assignments.link_choices(company.id, session=session),
        "kind_labels": KIND_LABELS,
        "today": today(clock),
        "can_edit": user.role != Role.viewer,
        "may_change_activity": activities.may_change,
    }


def _company_page(company_id: int, activity_id: int | None = None) -> str:
    anchor = f"activity-{activity_id}" if activity_id else "activities"
    return f"/companies/{company_id}#{anchor}"


def _logged_notice(
    request: Request, follow_up_on: dt.date | None, *, company: str | None = None
) -> tuple[str, dict[str, object]]:
    """What a logged call's notice says, and its values: the follow-up's day if it has one;
    the company's name where the page does not show which company it was (a list's row)."""
    values: dict[str, object] = {"company": company} if company else {}
    if follow_up_on:
        values["date"] = weekday_date(follow_up_on, locale_of(request))
    if company:
        message = (
            N_("Kontakthändelsen med %(company)s är sparad. Återkoppling %(date)s.")
            if follow_up_on
            else N_("Kontakthändelsen med %(company)s är sparad.")
        )
    else:
        message = (
            N_("Kontakthändelsen är sparad. Återkoppling %(date)s.")
            if follow_up_on
            else N_("Kontakthändelsen är sparad.")
        )
    return message, values


def _saved(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    company_id: int,
    message: str,
) -> Response:
    """After a change: htmx gets the timeline again (its first page, the notice in the flash
    area); a plain form goes back to the company page's timeline."""

    def section(notice: str | None) -> Response:
        company = companies.get(company_id, session=session)
        context = {
            **_common(session, clock, user, company),
            "timeline": activities.timeline(company_id, session=session),
            "notice": notice,
        }
        return render(
            request,
            "activities/_changed.html",
            context,
            headers={"HX-Retarget": "#activities", "HX-Reswap": "outerHTML"},
        )

    return saving.saved(request, session, _company_page(company_id), message, fragment=section)


@router.get("/companies/{company_id:int}/activities")
def older_activities(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    company: CompanyDep,
    page: int = 1,
) -> Response:
    """A page of the timeline: list items for "Visa äldre", or a page of its own."""
    context = {
        **_common(session, clock, user, company),
        "timeline": activities.timeline(company.id, page=page, session=session),
    }
    return render(request, "activities/older.html", context, block="older")


@router.post("/companies/{company_id:int}/activities")
def add_activity(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[ActivityForm, Form()],
) -> Response:

    def refused(error: DomainError) -> Response:
        context = {
            **_common(session, clock, user, company),
            "activity_form": form,
            "activity_error": error,
            "autofocus": False,
        }
        return render(
            request, "activities/new.html", context, block="add_form", status_code=error.http_status
        )

    with saving.attempt(session, refused=refused):
        activity = activities.create(company, form, user=user, session=session, clock=clock)
    activity_id = activity.id

    def added(notice: str | None) -> Response:
        """htmx: the form again, empty, in place of the one sent; the timeline out of band
        with focus on the new entry; the notice in the flash area (activities/_added.html)."""
        context = {
            **_common(session, clock, user, company),
            "timeline": activities.timeline(company.id, session=session),
            "added_id": activity_id,
            "notice": notice,
        }
        return render(request, "activities/_added.html", context)

    message, values = _logged_notice(request, activity.follow_up_on)
    return saving.saved(
        request,
        session,
        _company_page(company.id, activity_id),
        message,
        fragment=added,
        values=values,
    )


# "Logga samtal" in a row of a list (the company list, the search's results): the call-log
# form opened under the row, and what it answers once saved. `place` says which list, for
# the markup around the form; `columns`, how wide the company list's row is.
INLINE_PLACES = ("list", "search")


def _inline_context(
    session: Session, clock: Clock, user: User, company: Company, place: str, columns: int
) -> dict[str, Any]:
    return {
        **_common(session, clock, user, company),
        "place": place if place in INLINE_PLACES else "list",
        "columns": max(1, min(columns, 20)),
        "activity_form": None,
        "activity_error": None,
    }


@router.get("/companies/{company_id:int}/log")
def open_inline_log(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    place: str = "list",
    columns: int = 1,
) -> Response:
    """The call-log form for a row of a list; without htmx, the company page with its form
    open (where the same call is logged)."""
    if not is_fragment_request(request):
        return see_other(request, f"/companies/{company.id}?log=1#activity-add-form")
    context = _inline_context(session, clock, user, company, place, columns)
    return render(request, "activities/_inline_log.html", context)


@router.post("/companies/{company_id:int}/log")
def log_inline(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[ActivityForm, Form()],
    place: str = "list",
    columns: int = 1,
) -> Response:
    """Logs the call from a list's row: htmx gets the row's confirmation (and the company's
    new dates for its row, out of band); a refusal, the form again with what was typed."""
    context = _inline_context(session, clock, user, company, place, columns)

    def refused(error: DomainError) -> Response:
        return render(
            request,
            "activities/_inline_log.html",
            {**context, "activity_form": form, "activity_error": error},
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        activity = activities.create(company, form, user=user, session=session, clock=clock)
    activity_id = activity.id
    message, values = _logged_notice(request, activity.follow_up_on, company=company.name)

    def logged(notice: str | None) -> Response:
        session.refresh(company)
        return render(
            request,
            "activities/_inline_logged.html",
            {**context, "company": company, "logged_id": activity_id, "notice": notice},
        )

    return saving.saved(
        request,
        session,
        _company_page(company.id, activity_id),
        message,
        fragment=logged,
        values=values,
    )


@router.get("/activities/{activity_id:int}")
def show_activity(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, activity: ActivityDep
) -> Response:
    """One activity as in the timeline (where a cancelled inline edit goes back to)."""
    if not is_fragment_request(request):
        return see_other(request, _company_page(activity.company_id, activity.id))
    company = companies.get(activity.company_id, session=session)
    context = {
        **_common(session, clock, user, company),
        "entry": activities.entry(activity, session=session),
    }
    return render(request, "activities/_activity.html", context)


def _edit_context(
    session: Session,
    clock: Clock,
    user: User,
    activity: Activity,
    form: ActivityForm,
    error: DomainError | None = None,
) -> dict[str, Any]:
    company = companies.get(activity.company_id, session=session)
    return {
        **_common(session, clock, user, company),
        "assignment_choices": assignments.link_choices(
            company.id,
            keep=activity.assignment_id,
            session=session,
        ),
        "activity": activity,
        "form": form,
        "error": error,
    }


@router.get("/activities/{activity_id:int}/edit")
def edit_activity(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ChangeableActivity,
) -> Response:
    context = _edit_context(session, clock, user, activity, ActivityForm.from_activity(activity))
    return render(request, "activities/edit.html", context, block="edit_form")


@router.post("/activities/{activity_id:int}")
def update_activity(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ChangeableActivity,
    form: Annotated[ActivityForm, Form()],
) -> Response:
    activity_id, company_id = activity.id, activity.company_id

    def refused(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        # NotFound (a 404) when someone removed the activity meanwhile.
        current = activities.get(activity_id, session=session)
        if isinstance(error, EditConflict):
            # Keep what the user typed; the next save is against the version they now see.
            form.version = current.version
        return render(
            request,
            "activities/edit.html",
            _edit_context(session, clock, user, current, form, error),
            block="edit_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        activities.update(activity, form, user=user, session=session, clock=clock)
    return _saved(
        request, session, clock, user, company_id, N_("Ändringarna i kontakthändelsen är sparade.")
    )


def _change(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    activity: Activity,
    change: Any,
    message: str,
) -> Response:
    """Delete or "klar": refused changes answer with their status (403, 409; app/main.py)."""
    company_id = activity.company_id
    with saving.attempt(session):
        change(activity, user=user, session=session, clock=clock)
    return _saved(request, session, clock, user, company_id, message)


@router.post("/activities/{activity_id:int}/delete")
def delete_activity(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ChangeableActivity,
) -> Response:
    return _change(
        request,
        session,
        clock,
        user,
        activity,
        activities.delete,
        N_("Kontakthändelsen är borttagen."),
    )


@router.post("/activities/{activity_id:int}/done")
def complete_follow_up(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, activity: ActivityDep
) -> Response:
    return _change(
        request,
        session,
        clock,
        user,
        activity,
        activities.complete_follow_up,
        N_("Återkopplingen är markerad som klar."),
    )
