"""The event list: its filters (kept in the query string), its query (also what the CSV
export streams), the companies taking part per event, and its pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, SQLModel, col

from app.auth.models import User
from app.clock import Clock
from app.events.models import EventCompany, EventStatus, Participation, RecruitmentEvent
from app.query import Rows, select_columns
from app.validation import typed_id

PAGE_SIZE = 25


class EventFilters(SQLModel):
    """The list's state; it lives in the URL's query string."""

    status: str = ""
    owner: str = ""  # "" all, "me", or a user id
    page: int = 1

    def normalized(self) -> EventFilters:
        return EventFilters(
            status=self.status if self.status in EventStatus._value2member_map_ else "",
            owner=self.owner if self.owner == "me" or typed_id(self.owner) else "",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if k != "page" and v}


@dataclass
class ListedEvent:
    event: RecruitmentEvent
    owner_name: str | None
    companies: int = 0  # taking part: all but those who declined
    confirmed: int = 0  # confirmed or attended
    upcoming: bool = True


@dataclass
class EventPage:
    rows: list[ListedEvent]
    page: int
    has_next: bool


def filtered(filters: EventFilters, *columns: Any, user: User, clock: Clock) -> Rows:
    """The list's query for these columns (of RecruitmentEvent, and of User: the owner,
    outer joined), filtered and in the list's order, without paging: the list pages
    through it, the CSV export streams it whole. Events not yet over come first, soonest
    first; then past ones, latest first."""
    f = filters.normalized()
    upcoming = col(RecruitmentEvent.ends_at) >= clock.now()
    statement = select_columns(*columns).outerjoin(
        User,
        col(User.id) == RecruitmentEvent.owner_id,
    )
    if f.status:
        statement = statement.where(RecruitmentEvent.status == EventStatus(f.status))
    if f.owner:
        statement = statement.where(
            RecruitmentEvent.owner_id == (user.id if f.owner == "me" else int(f.owner))
        )
    return statement.order_by(
        case((upcoming, 0), else_=1),
        case((upcoming, RecruitmentEvent.starts_at)).asc(),
        col(RecruitmentEvent.starts_at).desc(),
        col(RecruitmentEvent.id).desc(),
    )


def taking_part() -> Rows:
    """Per event: the companies taking part (all but those who declined) and how many of
    them confirmed or attended, as (event_id, companies, confirmed)."""
    return (
        select_columns(
            EventCompany.event_id,
            func.count().label("companies"),
            func.sum(
                case(
                    (
                        col(EventCompany.status).in_(
                            (Participation.confirmed, Participation.attended)
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("confirmed"),
        )
        .where(EventCompany.status != Participation.declined)
        .group_by(col(EventCompany.event_id))
    )


def list_(filters: EventFilters, *, user: User, session: Session, clock: Clock) -> EventPage:
    """One page of events in the list's order (filtered()). Two queries: the rows with
    their owners, then their companies' counts."""
    f = filters.normalized()
    now = clock.now()
    statement = filtered(f, RecruitmentEvent, User.full_name, user=user, clock=clock)
    found = session.exec(statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    rows = [
        ListedEvent(event=e, owner_name=name, upcoming=e.ends_at >= now)
        for e, name in found[:PAGE_SIZE]
    ]
    if rows:
        counts = session.exec(
            taking_part().where(col(EventCompany.event_id).in_([r.event.id for r in rows]))
        ).all()
        by_event = {event_id: (total, confirmed) for event_id, total, confirmed in counts}
        for row in rows:
            row.companies, row.confirmed = by_event.get(row.event.id, (0, 0))
    return EventPage(rows=rows, page=f.page, has_next=len(found) > PAGE_SIZE)
