"""Säkerhetsloggen for admins: the events filtered by kind, outcome, user and dates, newest
first, a page at a time, and the same events as an export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col

from app.auth.models import SecurityEvent
from app.auth.security_log import KIND_LABELS, REASONS, Kind
from app.clock import STOCKHOLM, Clock, today
from app.dates import parse_date
from app.errors import ValidationFailed
from app.exports.table import Row, Table, batches
from app.i18n import N_
from app.query import Found, Rows, count_found, select_columns

PAGE_SIZE = 50
_KINDS = frozenset(kind.value for kind in Kind)
OUTCOMES = {"ok": N_("Lyckades"), "failed": N_("Misslyckades")}
START_LABEL = N_("Från och med")
END_LABEL = N_("Till och med")

# The lists an export names, as the page shows them.
LIST_LABELS = {
    "companies": N_("Företag"),
    "contacts": N_("Kontaktpersoner"),
    "activities": N_("Kontakthändelser för ett företag"),
    "assignments": N_("Rekryteringsuppdrag"),
    "agreements": N_("Avtal"),
    "events": N_("Rekryteringsträffar"),
    "event_participants": N_("Deltagare på en träff"),
    "tracks": N_("Jobbspår"),
    "import_failed_rows": N_("Misslyckade rader i en import"),
    "security_log": N_("Säkerhetsloggen"),
}


class SecurityLogFilters(SQLModel):
    """The page's whole state; it lives in the URL's query string. Dates as typed."""

    kind: str = ""
    outcome: str = ""
    user: str = ""
    start: str = ""
    end: str = ""
    page: int = 1

    def normalized(self) -> SecurityLogFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return SecurityLogFilters(
            kind=self.kind if self.kind in _KINDS else "",
            outcome=self.outcome if self.outcome in OUTCOMES else "",
            user=" ".join(self.user.split())[:100],
            start=self.start.strip()[:40],
            end=self.end.strip()[:40],
            page=max(1, min(self.page, 10_000)),
        )

    def query(self, page: int = 1) -> dict[str, str | int]:
        """The filters in use as query parameters (the page's links, the export's)."""
        values: dict[str, str | int] = {
            name: value for name, value in self.model_dump(exclude={"page"}).items() if value
        }
        if page > 1:
            values["page"] = page
        return values

    def url(self, path: str, page: int = 1) -> str:
        query = self.query(page)
        return path + (f"?{urlencode(query)}" if query else "")


@dataclass(frozen=True)
class Period:
    """The dates read from the filter: instants from the first day's start to the day
    after the last (Stockholm days); a date that cannot be read is left out, with why."""

    start: dt.date | None = None
    end: dt.date | None = None
    errors: dict[str, ValidationFailed] = field(default_factory=dict)  # by field


def period(filters: SecurityLogFilters, *, clock: Clock) -> Period:
    on = today(clock)
    days: dict[str, dt.date | None] = {}
    errors: dict[str, ValidationFailed] = {}
    for name, label in (("start", START_LABEL), ("end", END_LABEL)):
        try:
            days[name] = parse_date(
                getattr(filters, name), today=on, direction="past", field=name, label=label
            )
        except ValidationFailed as error:
            days[name] = None
            errors[name] = error
    return Period(days["start"], days["end"], errors)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM)


def filtered(filters: SecurityLogFilters, dates: Period, *columns: Any) -> Rows:
    """The events the filters find, newest first, unpaged."""
    statement = select_columns(*columns)
    if filters.kind:
        statement = statement.where(col(SecurityEvent.kind) == filters.kind)
    if filters.outcome:
        statement = statement.where(col(SecurityEvent.succeeded) == (filters.outcome == "ok"))
    if filters.user:
        statement = statement.where(
            or_(
                col(SecurityEvent.username).icontains(filters.user, autoescape=True),
                col(SecurityEvent.actor_name).icontains(filters.user, autoescape=True),
            )
        )
    if dates.start is not None:
        statement = statement.where(col(SecurityEvent.occurred_at) >= _midnight(dates.start))
    if dates.end is not None:
        next_day = _midnight(dates.end + dt.timedelta(days=1))
        statement = statement.where(col(SecurityEvent.occurred_at) < next_day)
    return statement.order_by(col(SecurityEvent.occurred_at).desc(), col(SecurityEvent.id).desc())


@dataclass(frozen=True)
class ListedEvent:
    """A row of the log, its detail read from JSON."""

    id: int
    occurred_at: dt.datetime
    kind: str
    succeeded: bool
    reason: str | None
    username: str | None
    actor_name: str | None
    client_ip: str | None
    rows: int | None
    detail: dict[str, Any]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(Kind(self.kind), self.kind) if self.kind in _KINDS else self.kind

    @property
    def reason_label(self) -> str | None:
        return REASONS.get(self.reason, self.reason) if self.reason else None


_LISTED = (
    SecurityEvent.id,
    SecurityEvent.occurred_at,
    SecurityEvent.kind,
    SecurityEvent.succeeded,
    SecurityEvent.reason,
    SecurityEvent.username,
    SecurityEvent.actor_name,
    SecurityEvent.client_ip,
    SecurityEvent.rows,
    SecurityEvent.detail,
)


def _listed(row: Sequence[Any]) -> ListedEvent:
    (event_id, occurred_at, kind, succeeded, reason, username, actor_name, ip, rows, detail) = row
    return ListedEvent(
        id=event_id,
        occurred_at=occurred_at,
        kind=kind,
        succeeded=succeeded,
        reason=reason,
        username=username,
        actor_name=actor_name,
        client_ip=ip,
        rows=rows,
        detail=json.loads(detail) if detail else {},
    )


@dataclass
class EventPage:
    rows: list[ListedEvent]
    page: int
    has_next: bool
    found: Found


def list_(filters: SecurityLogFilters, dates: Period, *, session: Session) -> EventPage:
    """One page of events: one query for the rows (one more than it shows, to know whether
    there is a next page), +1 counting them when there is more than a page."""
    statement = filtered(filters, dates, *_LISTED)
    statement = statement.offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    found = session.connection().execute(statement).all()
    rows = [_listed(row) for row in found[:PAGE_SIZE]]
    has_next = len(found) > PAGE_SIZE
    number = count_found(
        filtered(filters, dates, SecurityEvent.id),
        page=filters.page,
        page_size=PAGE_SIZE,
        shown=len(rows),
        has_next=has_next,
        session=session,
    )
    return EventPage(rows=rows, page=filters.page, has_next=has_next, found=number)


HEADERS = (
    "Tid",
    "Händelse",
    "Lyckades",
    "Orsak",
    "Användare",
    "Utförd av",
    "IP-adress",
    "Rader",
    "Detaljer",
)


def table(
    filters: SecurityLogFilters, dates: Period, *, session: Session, batch_size: int | None = None
) -> Table:
    """The events the filters find, newest first, streamed; in Swedish (files are not
    localised), the detail as its JSON."""
    statement = filtered(filters, dates, *_LISTED)

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            yield [_row(_listed(found)) for found in batch]

    return Table("sakerhetslogg", "Säkerhetslogg", HEADERS, rows())


def _row(event: ListedEvent) -> Row:
    return [
        event.occurred_at,
        event.kind_label,
        event.succeeded,
        event.reason_label,
        event.username,
        event.actor_name,
        event.client_ip,
        event.rows,
        json.dumps(event.detail, ensure_ascii=False) if event.detail else None,
    ]
