"""The calendar feed's section of the account page: make a new feed address (the old one
revoked) or turn the feed off. The feed itself is served by calendar_routes.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth import account
from app.auth.deps import Editor
from app.auth.models import User
from app.db import SessionDep
from app.deps import ClockDep, SettingsDep
from app.events import feed, ics
from app.i18n import N_
from app.templating import is_fragment_request, render

router = APIRouter()

SECTION_TEMPLATE = "events/account_feed.html"


def _section_context(user: User, session: Session) -> dict[str, object]:
    return {"feed_token": feed.active_token(user, session=session), "feed_url": None}


account.add_section(account.Section(SECTION_TEMPLATE, _section_context))


@router.post("/account/calendar-feed")
def create_calendar_feed(
    request: Request, user: Editor, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    """A new feed address (the old one revoked), shown this once: only its hash is kept.
    So the answer is the page itself, not a redirect, and no cache keeps it."""
    token = feed.create(user, session=session, clock=clock)
    saving.commit(session)
    links = ics.server_links(request.base_url, https=settings.secure_cookies)
    context = account.page_context(user, session, feed_url=ics.feed_url(links, token))
    # htmx gets the section's block; a plain form the whole account page around it.
    template = SECTION_TEMPLATE if is_fragment_request(request) else "auth/account.html"
    return render(
        request,
        template,
        context,
        block="feed_section",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/account/calendar-feed/revoke")
def revoke_calendar_feed(
    request: Request, user: Editor, session: SessionDep, clock: ClockDep
) -> Response:
    feed.revoke(user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        "/account",
        N_("Kalenderprenumerationen är avstängd. Adressen fungerar inte längre."),
    )
