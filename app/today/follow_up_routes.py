"""A follow-up's row on Min dag: "Klar", "I morgon", "Nästa vecka", "Flytta" to a date, and
"Logga samtal" (the call-log form opened in the row). Each answers htmx in place (the row
goes or changes, the groups' counts and the notice follow) and a plain form with Min dag
again; without JavaScript "Logga samtal" is a link to the company page's form."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.activities import service as activities
from app.activities.deps import ActivityDep
from app.activities.models import KIND_LABELS, Activity
from app.activities.service import MoveFollowUpForm
from app.assignments import service as assignments
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.contacts import service as contacts
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, SaveRefused
from app.i18n import N_
from app.templating import is_fragment_request, render, see_other
from app.today import follow_ups
from app.today import service as my_day
from app.today.follow_ups import LogForm

router = APIRouter()
VIEW_PARAM = re.compile(rf"^(?:{my_day.TEAM}|\d{{1,18}})$")
# ?view= on a row's own links: the ?user= of the page it is on (422 for another shape).
ViewParam = Annotated[str, Query(max_length=20, pattern=rf"^(?:{my_day.TEAM}|\d{{1,18}})?$")]


class MoveForm(MoveFollowUpForm):
    # The ?user= of the page the form was on, to go back to it.
    view: str = ""


def day_page(view: str) -> str:
    """Min dag again, in the view the form was sent from (only a known shape of ?user=)."""
    return f"/?user={view}" if VIEW_PARAM.match(view) else "/"


# A row's fixed words, translated once per page rather than once per row.
ROW_WORDS = {
    "done": N_("Klar"),
    "today": N_("I dag"),
    "tomorrow": N_("I morgon"),
    "next_week": N_("Nästa vecka"),
    "new_date": N_("Nytt datum"),
    "move": N_("Flytta"),
    "log": N_("Logga samtal"),
    "unknown_user": N_("okänd användare"),
}


def row_context(clock: Clock, user: User, view: str) -> dict[str, Any]:
    """What a follow-up's row needs besides the follow-up (templates/today/_follow_up.html)."""
    return {
        "today": today(clock),
        "kind_labels": KIND_LABELS,
        "row_words": ROW_WORDS,
        "view_param": view if VIEW_PARAM.match(view) else "",
        "can_edit": user.role != Role.viewer,
        "may_handle": activities.may_handle_follow_up,
        "typed_date": "",  # the date a refused move asked for, shown again
        "error": None,
        "log_form": None,  # the call-log form, when opened in the row
        "focus_on": "done",  # "log": back from the call-log form, focus on "Logga samtal"
    }


def _changed(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    view: str,
    notice: str | None,
    *,
    entry: follow_ups.FollowUp | None = None,
    to_today: follow_ups.FollowUp | None = None,
) -> Response:
    """The answer to htmx after a change: the row again (`entry`) or nothing in its place,
    a row that is now due today added to today's group (`to_today`), the groups' counts,
    and the notice for the flash area (a live region)."""
    counts = follow_ups.counts(
        my_day.view_after_change(user, view, session=session), session=session, clock=clock
    )
    context = {"entry": entry, "to_today": to_today, "counts": counts, "notice": notice}
    return render(request, "today/_changed.html", {**row_context(clock, user, view), **context})


def _refused(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    activity_id: int,
    view: str,
    **typed: Any,
) -> saving.Refused:
    """A refused change from a row: 403 as such, busy as such (app/main.py offers to send
    it again); otherwise htmx gets the row again with the reason in it and what was typed
    (the date, or the call-log form), and a plain form Min dag with the reason. A call-log
    form sent without JavaScript is shown again on a page of its own."""

    def answer(error: DomainError) -> Response | None:
        if error.http_status == 403 or isinstance(error, SaveRefused):
            return None
        log_form = typed.get("log_form")
        if not is_fragment_request(request) and log_form is None:
            return saving.refused_to(request, day_page(view))(error)
        # NotFound (a 404, app/main.py) when the follow-up is gone meanwhile.
        entry = follow_ups.follow_up(activity_id, session=session)
        context = {**row_context(clock, user, view), "entry": entry, **typed, "error": error}
        if log_form is not None:
            context |= _log_context(entry, session)
        return render(
            request, "today/log.html", context, block="row", status_code=error.http_status
        )

    return answer


def _log_context(entry: follow_ups.FollowUp, session: Session) -> dict[str, Any]:
    """What the call-log form in a row offers: the company's contacts and assignments."""
    company_id = entry.activity.company_id
    return {
        "contacts": contacts.list_for_company(company_id, session=session),
        "assignment_choices": assignments.link_choices(company_id, session=session),
    }


@router.get("/today/follow-ups/{activity_id:int}")
def show_row(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    activity: ActivityDep,
    view: ViewParam = "",
) -> Response:
    """The row as Min dag shows it (where "Avbryt" in the call-log form goes back to)."""
    if not is_fragment_request(request):
        return see_other(request, day_page(view))
    context = {
        **row_context(clock, user, view),
        "entry": follow_ups.follow_up(activity.id, session=session),
        "focus_on": "log",
    }
    return render(request, "today/_follow_up.html", context)


@router.get("/today/follow-ups/{activity_id:int}/log")
def open_log(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ActivityDep,
    view: ViewParam = "",
) -> Response:
    """The row with the call-log form opened in it; without htmx, the company page's
    form (the row's link goes there too)."""
    entry = follow_ups.follow_up(activity.id, session=session)
    follow_ups.check_may_log(entry, user)  # Forbidden: app/main.py answers
    if not is_fragment_request(request):
        return see_other(request, f"/companies/{activity.company_id}?log=1#activity-add-form")
    context = {
        **row_context(clock, user, view),
        **_log_context(entry, session),
        "entry": entry,
        "log_form": LogForm(done="1", view=view),
    }
    return render(request, "today/_follow_up.html", context)


@router.post("/today/follow-ups/{activity_id:int}/log")
def log_call(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ActivityDep,
    form: Annotated[LogForm, Form()],
) -> Response:
    activity_id: int = activity.id
    view = form.view
    entry = follow_ups.follow_up(activity_id, session=session)
    refused = _refused(request, session, clock, user, activity_id, view, log_form=form)
    with saving.attempt(session, refused=refused):
        logged = follow_ups.log(entry, form, user=user, session=session, clock=clock)
    name = entry.company_name
    message = (
        N_("Kontakthändelsen på %(name)s är sparad och återkopplingen är markerad som klar.")
        if form.done
        else N_("Kontakthändelsen på %(name)s är sparad.")
    )
    logged_id: int = logged.id
    # A follow-up for today on the new activity joins today's group.
    due_today = logged.follow_up_on == today(clock)

    def answer(notice: str | None) -> Response:
        row = None if form.done else follow_ups.follow_up(activity_id, session=session)
        new = follow_ups.follow_up(logged_id, session=session) if due_today else None
        return _changed(request, session, clock, user, view, notice, entry=row, to_today=new)

    return saving.saved(request, session, day_page(view), message, fragment=answer, name=name)


@router.post("/today/follow-ups/{activity_id:int}/done")
def complete_follow_up(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ActivityDep,
    view: Annotated[str, Form()] = "",
) -> Response:
    activity_id: int = activity.id
    with saving.attempt(
        session, refused=_refused(request, session, clock, user, activity_id, view)
    ):
        activities.complete_follow_up(activity, user=user, session=session, clock=clock)

    def gone(notice: str | None) -> Response:
        return _changed(request, session, clock, user, view, notice)

    message = N_("Återkopplingen är markerad som klar.")
    return saving.saved(request, session, day_page(view), message, fragment=gone)


@router.post("/today/follow-ups/{activity_id:int}/move")
def move_follow_up(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    activity: ActivityDep,
    form: Annotated[MoveForm, Form()],
) -> Response:
    activity_id: int = activity.id
    view = form.view
    was_overdue = activity.follow_up_on is not None and activity.follow_up_on < today(clock)
    typed_date = form.follow_up_on
    refused = _refused(request, session, clock, user, activity_id, view, typed_date=typed_date)
    with saving.attempt(session, refused=refused):
        moved: Activity = activities.move_follow_up(
            activity, form, user=user, session=session, clock=clock
        )
    day = moved.follow_up_on
    assert day is not None  # move_follow_up refuses a follow-up without a day

    # Moved past today the row goes; an overdue one moved to today joins today's group.
    def answer(notice: str | None) -> Response:
        if day > today(clock):
            return _changed(request, session, clock, user, view, notice)
        row = follow_ups.follow_up(activity_id, session=session)
        if was_overdue:
            return _changed(request, session, clock, user, view, notice, to_today=row)
        return _changed(request, session, clock, user, view, notice, entry=row)

    message = N_("Återkopplingen är flyttad till %(date)s.")
    return saving.saved(
        request, session, day_page(view), message, fragment=answer, date=day.isoformat()
    )
