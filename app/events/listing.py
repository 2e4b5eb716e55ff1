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
from app.query import Found, Rows, count_found, select_columns
from app.validation import typed_id

PAGE_SIZE = 25
# upcoming: those not yet over first, soonest first, then past ones, latest first;
# start, -start: by when they start, earliest or latest first (ix_recruitment_event_starts_at).
SORTS = ("upcoming", "start", "-start")


class EventFilters(SQLModel):
    """The list's state; it lives in the URL's query string."""

    status: str = ""
    owner: str = ""  # "" all, "me", or a user id
    sort: str = "upcoming"
    page: int = 1

    def normalized(self) -> EventFilters:
        return EventFilters(
            status=self.status if self.status in EventStatus._value2member_map_ else "",
            owner=self.owner if self.owner == "me" or typed_id(self.owner) else "",
            sort=self.sort if self.sort in SORTS else "upcoming",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self) -> dict[str, str]:
        """The filters that differ from the defaults, for links that keep them."""
        defaults = EventFilters()
        return {
            name: str(value)
            for name, value in self.model_dump().items()
            if name != "page" and value != getattr(defaults, name)
        }


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
    found: Found


def filtered(
    filters: EventFilters, *columns: Any, user: User, clock: Clock, counting: bool = False
) -> Rows:
    """The list's query for these columns (of RecruitmentEvent, and of User: the owner,
    outer joined), filtered and in the list's order, without paging: the list pages
    through it, the CSV export streams it whole. By default events not yet over come
    first, soonest first; then past ones, latest first. `counting`: of RecruitmentEvent's
    columns alone, unsorted, to count what it finds."""
    f = filters.normalized()
    statement = select_columns(*columns)
    if not counting:
        statement = statement.outerjoin(User, col(User.id) == RecruitmentEvent.owner_id)
    if f.status:
        statement = statement.where(RecruitmentEvent.status == EventStatus(f.status))
    if f.owner:
        statement = statement.where(
            RecruitmentEvent.owner_id == (user.id if f.owner == "me" else int(f.owner))
        )
    if counting:
        return statement
    starts_at = col(RecruitmentEvent.starts_at)
    if f.sort == "start":
        return statement.order_by(starts_at.asc(), col(RecruitmentEvent.id).asc())
    if f.sort == "-start":
        return statement.order_by(starts_at.desc(), col(RecruitmentEvent.id).desc())
    upcoming = col(RecruitmentEvent.ends_at) >= clock.now()
    return statement.order_by(
        case((upcoming, 0), else_=1),
        case((upcoming, RecruitmentEvent.starts_at)).asc(),
        starts_at.desc(),
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
    their owners, then their companies' counts (+1 for how many it found when there is
    more than a page: a count that stops at COUNT_LIMIT)."""
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
    has_next = len(found) > PAGE_SIZE
    number = count_found(
        filtered(f, RecruitmentEvent.id, user=user, clock=clock, counting=True),
        page=f.page,
        page_size=PAGE_SIZE,
        shown=len(rows),
        has_next=has_next,
        session=session,
    )
    return EventPage(rows=rows, page=f.page, has_next=has_next, found=number)
