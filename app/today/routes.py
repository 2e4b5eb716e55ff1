"""Min dag at "/": the page, the "Visa för" switch, and "Klar" / "Flytta till…" on each
follow-up, in place with htmx (the row goes or changes) and as plain forms without it."""

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
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock, today
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, SaveRefused
from app.i18n import N_
from app.templating import is_fragment_request, render
from app.today import service as my_day

router = APIRouter()
_VIEW_PARAM = re.compile(rf"^(?:{my_day.TEAM}|\d{{1,18}})$")


class MoveForm(MoveFollowUpForm):
    # The ?user= of the page the form was on, to go back to it.
    view: str = ""


def _page(view: str) -> str:
    """Min dag again, in the view the form was sent from (only a known shape of ?user=)."""
    return f"/?user={view}" if _VIEW_PARAM.match(view) else "/"


def _row_context(clock: Clock, user: User, view: str) -> dict[str, Any]:
    return {
        "today": today(clock),
        "kind_labels": KIND_LABELS,
        "view_param": view if _VIEW_PARAM.match(view) else "",
        "can_edit": user.role != Role.viewer,
        "may_handle": activities.may_handle_follow_up,
        "typed_date": "",  # the date a refused move asked for, shown again
    }


@router.get("/")
def show_day(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    requested: Annotated[str, Query(alias="user", max_length=20)] = "",
) -> Response:
    choices = my_day.choices(user, session=session)
    # Forbidden (another's day, not an admin) or NotFound: app/main.py answers.
    view = my_day.view_for(user, requested, choices=choices)
    context = {
        **_row_context(clock, user, view.param),
        "view": view,
        "choices": choices,
        "follow_ups": my_day.due_follow_ups(view, session=session, clock=clock),
        "quiet": my_day.not_contacted(view, session=session, clock=clock),
        "quiet_filters": my_day.not_contacted_filters(view),
        "late": my_day.late_assignments(view, session=session, clock=clock),
        "late_tasks": my_day.late_tasks(view, session=session, clock=clock),
        "late_filters": my_day.late_assignments_filters(view),
        "recent": my_day.colleagues_activities(view, session=session, clock=clock),
        "not_contacted_days": my_day.NOT_CONTACTED_DAYS,
        "recent_days": my_day.RECENT_DAYS,
    }
    return render(request, "today/page.html", context, block="day")


def _gone(
    request: Request, session: Session, view: str, message: str, **variables: Any
) -> Response:
    """Saved, and the follow-up is off today's list: htmx removes its row and shows the
    notice; a plain form goes back to Min dag with it."""

    def gone(notice: str | None) -> Response:
        return render(request, "today/_gone.html", {"notice": notice})

    return saving.saved(request, session, _page(view), message, fragment=gone, **variables)


def _refused(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    activity_id: int,
    view: str,
    typed_date: str = "",
) -> saving.Refused:
    """A refused move or "klar": 403 as such, busy as such (app/main.py offers to send it
    again); otherwise htmx gets the row again with the reason in it, and a plain form goes
    back to Min dag with it."""

    def answer(error: DomainError) -> Response | None:
        if error.http_status == 403 or isinstance(error, SaveRefused):
            return None
        if not is_fragment_request(request):
            return saving.refused_to(request, _page(view))(error)
        # NotFound (a 404, app/main.py) when the follow-up is gone meanwhile.
        entry = my_day.follow_up(activity_id, session=session)
        context = {
            **_row_context(clock, user, view),
            "entry": entry,
            "error": error,
            "typed_date": typed_date,
        }
        return render(request, "today/_follow_up.html", context, status_code=error.http_status)

    return answer


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
    return _gone(request, session, view, N_("Återkopplingen är markerad som klar."))


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
    refused = _refused(request, session, clock, user, activity_id, view, form.follow_up_on)
    with saving.attempt(session, refused=refused):
        moved: Activity = activities.move_follow_up(
            activity, form, user=user, session=session, clock=clock
        )
    day = moved.follow_up_on
    assert day is not None  # move_follow_up refuses a follow-up without a day
    message = N_("Återkopplingen är flyttad till %(date)s.")
    if day > today(clock):
        return _gone(request, session, view, message, date=day.isoformat())

    # Still due today (an overdue one moved to today): the row stays, no longer overdue.
    def row(notice: str | None) -> Response:
        context = {
            **_row_context(clock, user, view),
            "entry": my_day.follow_up(activity_id, session=session),
            "error": None,
            "notice": notice,
        }
        return render(request, "today/_follow_up.html", context)

    date = day.isoformat()
    return saving.saved(request, session, _page(view), message, fragment=row, date=date)
