"""What a date field's text means, said beside the field while it is typed: the field
(templates/_shared/forms.html, date_field) asks GET /dates/understood with htmx and shows
the answer in the status beside it. Reading only, for every signed-in user."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import dates, saving
from app.auth.deps import AnyUser
from app.clock import today
from app.dates import DIRECTIONS, Direction, Time, parse_date, parse_moment
from app.deps import ClockDep
from app.templating import render

router = APIRouter()

Name = Annotated[str, Query(max_length=50)]


def _direction(value: str) -> Direction:
    return next((direction for direction in DIRECTIONS if direction == value), "either")


def _time(value: str) -> Time | None:
    return "required" if value == "required" else "optional" if value == "optional" else None


@router.get("/dates/understood")
def understood(
    request: Request,
    clock: ClockDep,
    user: AnyUser,
    field: Name = "",
    label: Annotated[str, Query(max_length=100)] = "",
    direction: Name = "",
    near: Name = "",
    near_direction: Name = "",
    time: Name = "",
) -> Response:
    """The text of the parameter named `field`, read as that field reads it (`direction`;
    `label`, the msgid that names the field in a refusal; `time`, "required" or
    "optional", for a date and time). With `near`, a date without a year is the nearest
    to the date in the parameter of that name (read in `near_direction`): a period's
    last day after its first."""
    params = request.query_params
    day = today(clock)
    text = params.get(field, "")[:100]
    with_time = _time(time)
    reference = None
    if near:
        # The other field's date (with a time when this field takes one: an event's start).
        other = dates.reading(
            params.get(near, "")[:100],
            today=day,
            direction=_direction(near_direction),
            time="optional" if with_time else None,
            now=clock.now(),
        )
        reference = other.day
    meant: dt.date | dt.datetime | None
    if with_time is None:
        meant, error = saving.refusal(
            lambda: parse_date(
                text,
                today=day,
                direction=_direction(direction),
                field=field,
                label=label,
                near=reference,
            )
        )
    else:
        meant, error = saving.refusal(
            lambda: parse_moment(
                text,
                now=clock.now(),
                direction=_direction(direction),
                time=with_time,
                field=field,
                label=label,
                near=reference,
            )
        )
    return render(request, "_shared/date_understood.html", {"day": meant, "error": error})
