"""Min dag at "/": the page, the "Visa för" switch, and a page of one follow-up group
(htmx swaps that group alone; the link is a plain link too). A follow-up's own actions
are in follow_up_routes.py."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.agreements import service as agreements
from app.agreements.models import KIND_LABELS
from app.assignments.models import FOLLOW_UP_POINT_LABELS
from app.auth.deps import AnyUser
from app.db import SessionDep
from app.deps import ClockDep
from app.i18n import N_
from app.templating import is_fragment_request, render
from app.today import follow_ups
from app.today import service as my_day
from app.today.follow_up_routes import row_context

router = APIRouter()
# The group a paging link swaps (htmx names its target in HX-Target).
_GROUP_TARGET = re.compile(r"^follow-ups-(today|week|older)$")
GROUP_LABELS = {
    follow_ups.TODAY: N_("I dag"),
    follow_ups.WEEK: N_("Försenade de senaste 7 dagarna"),
    follow_ups.OLDER: N_("Försenade sedan tidigare"),
}


@router.get("/")
def show_day(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    requested: Annotated[str, Query(alias="user", max_length=20)] = "",
    today_page: int = 1,
    week_page: int = 1,
    older_page: int = 1,
) -> Response:
    choices = my_day.choices(user, session=session)
    # Forbidden (another's day, not an admin) or NotFound: app/main.py answers.
    view = my_day.view_for(user, requested, choices=choices)
    asked = {follow_ups.TODAY: today_page, follow_ups.WEEK: week_page, follow_ups.OLDER: older_page}
    target = _GROUP_TARGET.match(request.headers.get("hx-target", ""))
    only = target.group(1) if target and is_fragment_request(request) else None
    groups = follow_ups.groups(view, asked, session=session, clock=clock)
    pages = {**asked, **{group.key: group.page for group in groups}}

    def page_url(key: str, page: int) -> str:
        """Min dag with one group at another page, the others as they are."""
        params = {"user": view.param} if view.param else {}
        params |= {f"{k}_page": str(p) for k, p in {**pages, key: page}.items() if p > 1}
        return "/?" + urlencode(params) if params else "/"

    context = {
        **row_context(clock, user, view.param),
        "view": view,
        "group_labels": GROUP_LABELS,
        "page_url": page_url,
    }
    if only is not None:
        group = next(group for group in groups if group.key == only)
        context["group"] = group
        return render(request, "today/page.html", context, block="follow_up_group")
    context |= {
        "choices": choices,
        "follow_up_groups": groups,
        "quiet": my_day.not_contacted(view, session=session, clock=clock),
        "quiet_filters": my_day.not_contacted_filters(view),
        "late": my_day.late_assignments(view, session=session, clock=clock),
        "late_tasks": my_day.late_tasks(view, session=session, clock=clock),
        "track_tasks": my_day.due_track_tasks(view, session=session, clock=clock),
        "late_filters": my_day.late_assignments_filters(view),
        "ending": my_day.ending_agreements(view, session=session, clock=clock),
        "due_follow_ups": my_day.due_follow_ups(view, session=session, clock=clock),
        "point_labels": FOLLOW_UP_POINT_LABELS,
        "ending_days": agreements.ENDING_DAYS,
        "agreement_kind_labels": KIND_LABELS,
        "may_edit_agreements": agreements.may_edit(user),
        "recent": my_day.colleagues_activities(view, session=session, clock=clock),
        "not_contacted_days": my_day.NOT_CONTACTED_DAYS,
        "recent_days": my_day.RECENT_DAYS,
    }
    return render(request, "today/page.html", context, block="day")
