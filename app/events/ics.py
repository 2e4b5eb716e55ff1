"""iCalendar (.ics) files: one event to download, and a user's personal feed of events and
follow-ups. Times go out in Swedish time with TZID=Europe/Stockholm and the VTIMEZONE
that defines it, so a calendar shows an event at the right hour on both sides of a
daylight-saving change. UIDs are stable per event and follow-up, so a calendar updates
the entry it has instead of adding a copy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from starlette.datastructures import URL

from app import i18n
from app.clock import STOCKHOLM, to_local
from app.events.models import EventStatus, RecruitmentEvent
from app.exports.files import slug
from app.i18n import N_

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Matcha//Rekryteringsträffar//SV"
# The VTIMEZONE covers the calendar's dates with this margin on each side.
_TIMEZONE_MARGIN = dt.timedelta(days=366)
# Texts in a calendar entry, in the language of whoever downloads or subscribes.
TARGET_GROUP = N_("Målgrupp: %(group)s")
ONLINE = N_("Digitalt: %(url)s")
IN_MATCHA = N_("I Matcha: %(url)s")
FOLLOW_UP_SUMMARY = N_("Återkoppling: %(company)s")


@dataclass(frozen=True)
class Links:
    """Where the calendar's entries point back to: the server as the user reaches it."""

    base_url: str  # "https://matcha.example.se", no trailing slash
    host: str  # the UIDs' domain part

    def event_url(self, event_id: int | None) -> str:
        return f"{self.base_url}/events/{event_id}"

    def company_url(self, company_id: int) -> str:
        return f"{self.base_url}/companies/{company_id}"


@dataclass(frozen=True)
class FollowUpEntry:
    """An open follow-up ("återkoppling") as the feed shows it: an all-day entry."""

    activity_id: int
    company_id: int
    company_name: str
    day: dt.date
    notes: str
    updated_at: dt.datetime | None


def _utc(instant: dt.datetime) -> dt.datetime:
    # SQLite returns naive UTC: to_local knows, so go through it.
    return to_local(instant).astimezone(dt.UTC)


def _location(event: RecruitmentEvent) -> str | None:
    parts = [part for part in (event.place, event.online_url) if part]
    return ", ".join(parts) or None


def _description(event: RecruitmentEvent, url: str, locale: str) -> str:
    lines = [event.description.strip()] if event.description.strip() else []
    if event.target_group:
        lines.append(i18n.translate(locale, TARGET_GROUP, group=event.target_group))
    if event.online_url:
        lines.append(i18n.translate(locale, ONLINE, url=event.online_url))
    lines.append(i18n.translate(locale, IN_MATCHA, url=url))
    return "\n\n".join(lines)


def event_component(
    event: RecruitmentEvent, *, links: Links, now: dt.datetime, locale: str
) -> icalendar.Event:
    url = links.event_url(event.id)
    component = icalendar.Event()
    component.add("uid", f"event-{event.id}@{links.host}")
    component.add("dtstamp", now.astimezone(dt.UTC))
    component.add("created", _utc(event.created_at))
    component.add("last-modified", _utc(event.updated_at))
    # The event's row version starts at 1 and grows with every saved change; SEQUENCE
    # starts at 0 and must grow when the event changes, so a client takes the update.
    component.add("sequence", max(event.version - 1, 0))
    component.add("dtstart", to_local(event.starts_at))
    component.add("dtend", to_local(event.ends_at))
    component.add("summary", event.title)
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("description", _description(event, url, locale))
    cancelled = event.status == EventStatus.cancelled
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def follow_up_component(
    entry: FollowUpEntry, *, links: Links, now: dt.datetime, locale: str
) -> icalendar.Event:
    """An all-day, free (TRANSP:TRANSPARENT) entry on the follow-up's day: most calendar
    clients show VEVENTs, fewer show VTODOs (Google Calendar ignores them)."""
    url = links.company_url(entry.company_id)
    component = icalendar.Event()
    component.add("uid", f"follow-up-{entry.activity_id}@{links.host}")
    component.add("dtstamp", now.astimezone(dt.UTC))
    if entry.updated_at is not None:
        component.add("last-modified", _utc(entry.updated_at))
    component.add("dtstart", entry.day)
    component.add("dtend", entry.day + dt.timedelta(days=1))
    component.add(
        "summary",
        i18n.translate(locale, FOLLOW_UP_SUMMARY, company=entry.company_name),
    )
    component.add("transp", "TRANSPARENT")
    component.add("url", url)
    notes = entry.notes.strip()
    described = i18n.translate(locale, IN_MATCHA, url=url)
    component.add("description", f"{notes}\n\n{described}" if notes else described)
    return component


def _calendar(
    components: Iterable[icalendar.Event], *, name: str | None = None
) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", STOCKHOLM.key)
    days: list[dt.date] = []
    for component in components:
        calendar.add_component(component)
        start = component.decoded("dtstart")
        days.append(start.date() if isinstance(start, dt.datetime) else start)
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - _TIMEZONE_MARGIN, last_date=max(days) + _TIMEZONE_MARGIN
        )
    return calendar


def event_file(event: RecruitmentEvent, *, links: Links, now: dt.datetime, locale: str) -> bytes:
    """One event, to download and open in any calendar."""
    component = event_component(event, links=links, now=now, locale=locale)
    return _calendar([component]).to_ical()


def feed_file(
    events: Iterable[RecruitmentEvent],
    follow_ups: Iterable[FollowUpEntry],
    *,
    name: str,
    links: Links,
    now: dt.datetime,
    locale: str,
) -> bytes:
    """A user's subscription: their events and open follow-ups as one calendar."""
    components = [event_component(e, links=links, now=now, locale=locale) for e in events]
    components += [follow_up_component(f, links=links, now=now, locale=locale) for f in follow_ups]
    # A feed of follow-ups only (dates, no times) or an empty one still names its time
    # zone, so a client knows what the calendar is in.
    calendar = _calendar(components, name=name)
    if not calendar.walk("VTIMEZONE"):
        day = now.date()
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                STOCKHOLM,
                tzid=STOCKHOLM.key,
                first_date=day - _TIMEZONE_MARGIN,
                last_date=day + _TIMEZONE_MARGIN,
            )
        )
    return calendar.to_ical()


def filename(event: RecruitmentEvent) -> str:
    return f"traff-{event.id}-{slug(event.title)}.ics"


def server_links(base_url: URL, *, https: bool) -> Links:
    """Links as the user reaches the server. Behind a proxy that terminates HTTPS Matcha
    hears plain HTTP, so MATCHA_SECURE_COOKIES (set when served over HTTPS) says https."""
    scheme = "https" if https else base_url.scheme
    return Links(base_url=f"{scheme}://{base_url.netloc}", host=base_url.hostname or "matcha")


def feed_url(links: Links, token: str) -> str:
    return f"{links.base_url}/calendar/{token}.ics"
