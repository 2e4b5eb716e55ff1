"""The events' month view, an event as an .ics file, a user's calendar feed, the printable
participant list and the CSV and XLSX exports of events and of one event's participants. All read
only; the feed is the one route without a session: its secret token is the credential."""

from __future__ import annotations

from typing import Annotated

from babel.dates import format_date, get_day_names
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from app.auth.deps import AnyUser
from app.auth.models import Role
from app.clock import today
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.errors import NotFound
from app.events import calendar, feed, ics
from app.events import exports as event_exports
from app.events import participants as event_participants
from app.events import service as events
from app.events.deps import EventDep
from app.events.models import PARTICIPATION_LABELS, STATUS_LABELS, Participation
from app.events.service import EventFilters
from app.exports.audit import logged
from app.exports.files import download
from app.exports.table import ExportFormat, filename
from app.i18n import N_, translate
from app.templating import locale_of, render

router = APIRouter()


@router.get("/events/calendar")
def month_view(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    month: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    first = calendar.parse_month(month, clock=clock)
    locale = locale_of(request)
    context = {
        "month": calendar.month(first, session=session, clock=clock),
        "this_month": calendar.month_param(today(clock)),
        "month_name": lambda day: format_date(day, "LLLL y", locale=locale),
        "day_names": get_day_names("wide", locale=locale),
        "short_day_names": get_day_names("abbreviated", locale=locale),
        "can_edit": user.role != Role.viewer,
    }
    return render(request, "events/calendar.html", context)


def _calendar_response(body: bytes, filename: str, *, cache: str) -> Response:
    return Response(
        body,
        media_type=ics.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": cache,
        },
    )


@router.get("/events/{event_id:int}.ics")
def event_ics(
    request: Request, clock: ClockDep, settings: SettingsDep, _user: AnyUser, event: EventDep
) -> Response:
    links = ics.server_links(request.base_url, https=settings.secure_cookies)
    body = ics.event_file(event, links=links, now=clock.now(), locale=locale_of(request))
    return _calendar_response(body, ics.filename(event), cache="private, no-cache")


@router.get("/calendar/{token}.ics")
def calendar_feed(
    request: Request, token: str, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    """A calendar client's subscription: no session, the token in the URL identifies the
    user. A revoked or unknown token is 404, like any address that names nothing."""
    user = feed.user_for(token, session=session)
    if user is None:
        raise NotFound("Sidan finns inte")
    links = ics.server_links(request.base_url, https=settings.secure_cookies)
    body = ics.feed_file(
        feed.my_events(user, session=session, clock=clock),
        feed.my_follow_ups(user, session=session, clock=clock),
        name=translate(user.locale, FEED_NAME),
        links=links,
        now=clock.now(),
        locale=user.locale,
    )
    # Not stored by caches on the way: the answer is personal and the URL is its key.
    return _calendar_response(body, "matcha.ics", cache="private, no-store")


FEED_NAME = N_("Matcha: mina träffar och återkopplingar")


@router.get("/events/{event_id:int}/print")
def print_participants(
    request: Request, session: SessionDep, clock: ClockDep, _user: AnyUser, event: EventDep
) -> Response:
    """The participant list on A4: its own page without navigation or buttons."""
    owner, members = events.team(event, session=session)
    rows = [
        row
        for row in event_participants.participants(event.id, session=session, with_contacts=False)
        if row.link.status != Participation.declined
    ]
    presented: dict[int, list[str]] = {}
    for item in event_participants.presented(event.id, session=session):
        presented.setdefault(item.assignment.company_id, []).append(item.assignment.occupation)
    context = {
        "event": event,
        "owner": owner,
        "members": members,
        "rows": rows,
        "presented": presented,
        "printed_at": clock.now(),
        "status_labels": STATUS_LABELS,
        "participation_labels": PARTICIPATION_LABELS,
    }
    return render(request, "events/print.html", context)


@router.get("/events/export.{file_format}")
def export_events(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[EventFilters, Query()],
) -> StreamingResponse:
    table = event_exports.event_table(filters, user=user, session=session, clock=clock)
    name = filename(table, file_format, clock=clock)
    log = logged("events", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


@router.get("/events/{event_id:int}/participants.{file_format}")
def export_participants(
    file_format: ExportFormat, session: SessionDep, clock: ClockDep, user: AnyUser, event: EventDep
) -> StreamingResponse:
    table = event_exports.participant_table(event, session=session)
    name = filename(table, file_format, clock=clock)
    log = logged(
        "event_participants",
        user=user,
        session=session,
        clock=clock,
        filters={"event_id": event.id},
    )
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)
