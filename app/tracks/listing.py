"""Finding job tracks: the list at /tracks (filtered by text, status, coordinator,
employer and municipality; sorted; paged; counted per status), its choices, and the
company page's section. Each page costs the same few statements however many tracks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, union
from sqlmodel import Session, SQLModel, col, select

from app.auth.models import User
from app.companies.models import Company
from app.contacts.models import Contact
from app.db import by_name, in_swedish_order, swedish_sort_key
from app.query import Found, Rows, select_columns
from app.tracks.models import (
    TRACK_STATUS_LABELS,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    TrackStatus,
)
from app.tracks.service import PHASE_STARTS, PHASE_STATUSES
from app.validation import typed_id

PAGE_SIZE = 25
# -planning: planned latest first (ix_job_track_status_planning); planning: earliest first;
# name: A–Ö (the tracks are a municipality's few hundred at most).
SORTS = ("-planning", "planning", "name")


class TrackFilters(SQLModel):
    """The list's whole state; it lives in the URL's query string."""

    q: str = ""  # in the name or the occupation
    status: str = ""
    coordinator: str = ""  # "" all, "me", or a user id
    company_id: str = ""  # an employer taking part
    municipality: str = ""
    sort: str = "-planning"
    page: int = 1

    @property
    def filtering(self) -> bool:
        """Whether a filter or the sort order is other than the default (the text aside)."""
        return bool(self.query(without=("page", "q")))

    def normalized(self) -> TrackFilters:
        """Unknown or out-of-range values fall back to the default, never to an error."""
        return TrackFilters(
            q=self.q.strip()[:200],
            status=self.status if self.status in TrackStatus._value2member_map_ else "",
            coordinator=self.coordinator
            if self.coordinator == "me" or typed_id(self.coordinator)
            else "",
            company_id=self.company_id if typed_id(self.company_id) else "",
            municipality=self.municipality.strip()[:100],
            sort=self.sort if self.sort in SORTS else "-planning",
            page=max(1, min(self.page, 10_000)),
        )

    def query(self, *, without: tuple[str, ...] = ("page",)) -> dict[str, str]:
        """The filters that differ from the defaults, for links that keep them."""
        defaults = TrackFilters()
        return {
            name: str(value)
            for name, value in self.model_dump().items()
            if name not in without and value != getattr(defaults, name)
        }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(statement: Rows, f: TrackFilters, *, user: User) -> Rows:
    """Every filter but the status (the counts per status are of the rest)."""
    if f.q:
        pattern = _like(f.q)
        statement = statement.where(
            or_(
                col(JobTrack.name).ilike(pattern, escape="\\"),
                col(JobTrack.occupation).ilike(pattern, escape="\\"),
            )
        )
    if f.coordinator:
        coordinator = user.id if f.coordinator == "me" else int(f.coordinator)
        statement = statement.where(col(JobTrack.coordinator_id) == coordinator)
    if f.company_id:
        statement = statement.where(
            col(JobTrack.id).in_(
                select(JobTrackCompany.track_id).where(
                    JobTrackCompany.company_id == int(f.company_id)
                )
            )
        )
    if f.municipality:
        statement = statement.where(col(JobTrack.municipality) == f.municipality)
    return statement


def _order(f: TrackFilters) -> list[Any]:
    """ORDER BY of the list's sort, ending in the id (a stable order for paging)."""
    planning = col(JobTrack.planning_starts_on)
    if f.sort == "planning":
        return [planning.asc().nulls_last(), col(JobTrack.id)]
    if f.sort == "name":
        return [in_swedish_order(JobTrack.name), col(JobTrack.id)]
    return [planning.desc().nulls_last(), col(JobTrack.id).desc()]


def filtered(filters: TrackFilters, *columns: Any, user: User) -> Rows:
    """The list's query for these columns (of JobTrack, and User: the coordinator, outer
    joined), filtered and sorted, without paging: the export streams it whole."""
    f = filters.normalized()
    statement = select_columns(*columns).outerjoin(User, col(User.id) == JobTrack.coordinator_id)
    statement = _where(statement, f, user=user)
    if f.status:
        statement = statement.where(col(JobTrack.status) == TrackStatus(f.status))
    return statement.order_by(*_order(f))


def employer_names(track_ids: list[int], *, session: Session) -> dict[int, list[str]]:
    """The employers of each track by name, in Swedish order: one statement."""
    names: dict[int, list[str]] = defaultdict(list)
    if not track_ids:
        return names
    dialect = session.get_bind().dialect.name
    for track_id, name in session.exec(
        select(JobTrackCompany.track_id, Company.name)
        .join(Company, col(Company.id) == JobTrackCompany.company_id)
        .where(col(JobTrackCompany.track_id).in_(track_ids))
        .order_by(by_name(col(Company.name), col(Company.sort_key), dialect=dialect))
    ).all():
        names[track_id].append(name)
    return names


def current_span(track: JobTrack) -> tuple[dt.date | None, dt.date | None]:
    """When the track's current phase starts and ends (the next one's start, or the
    track's end); both None for a cancelled track."""
    if track.status not in PHASE_STATUSES:
        return None, None
    index = PHASE_STATUSES.index(track.status)
    starts = getattr(track, PHASE_STARTS[track.status])
    if index + 1 < len(PHASE_STATUSES):
        ends = getattr(track, PHASE_STARTS[PHASE_STATUSES[index + 1]])
    else:
        ends = track.ends_on
    return starts, ends


@dataclass
class ListedTrack:
    track: JobTrack
    coordinator_name: str | None
    employers: list[str] = field(default_factory=list)


@dataclass
class TrackPage:
    rows: list[ListedTrack]
    page: int
    has_next: bool
    found: Found
    # How many of each status the other filters find (all statuses, zeros too).
    by_status: dict[TrackStatus, int]


def list_(filters: TrackFilters, *, user: User, session: Session) -> TrackPage:
    """One page of the list: the tracks with their coordinators (one query; one row more
    than shown says whether there is a next page), their employers (one), and one
    grouped count per status."""
    f = filters.normalized()
    statement = filtered(f, JobTrack, User.full_name, user=user)
    found = session.exec(statement.offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    rows = [ListedTrack(track, name) for track, name in found[:PAGE_SIZE]]
    employers = employer_names([row.track.id for row in rows], session=session)
    for row in rows:
        row.employers = employers.get(row.track.id, [])
    counting = _where(select_columns(JobTrack.status, func.count()), f, user=user)
    by_status = dict.fromkeys(TrackStatus, 0)
    for status, number in session.exec(counting.group_by(col(JobTrack.status))).all():
        by_status[TrackStatus(status)] = number
    total = by_status[TrackStatus(f.status)] if f.status else sum(by_status.values())
    return TrackPage(
        rows=rows,
        page=f.page,
        has_next=len(found) > PAGE_SIZE,
        found=Found(total),
        by_status=by_status,
    )


def municipalities(*, session: Session) -> list[str]:
    """The municipalities tracks are in, for the list's filter, in Swedish order."""
    found = session.exec(
        select(JobTrack.municipality).where(col(JobTrack.municipality).is_not(None)).distinct()
    ).all()
    return sorted((name for name in found if name), key=swedish_sort_key)


def employer_choices(*, session: Session) -> list[tuple[int, str]]:
    """The companies taking part in any track, for the list's filter: (id, name)."""
    dialect = session.get_bind().dialect.name
    taking_part = select(JobTrackCompany.company_id).distinct()
    return [
        (company_id, name)
        for company_id, name in session.exec(
            select(Company.id, Company.name)
            .where(col(Company.id).in_(taking_part))
            .order_by(by_name(col(Company.name), col(Company.sort_key), dialect=dialect))
        ).all()
    ]


# --- the company page -------------------------------------------------------------------


def company_section(company_id: int, *, session: Session) -> dict[str, Any]:
    """The tracks a company takes part in as an employer or works with through its
    contact persons, planned latest first: one query."""
    through_contacts = (
        select(JobTrackContact.track_id)
        .join(Contact, col(Contact.id) == JobTrackContact.contact_id)
        .where(Contact.company_id == company_id)
    )
    as_employer = select(JobTrackCompany.track_id).where(JobTrackCompany.company_id == company_id)
    employer_of = select(JobTrackCompany.track_id).where(
        JobTrackCompany.company_id == company_id, JobTrackCompany.track_id == JobTrack.id
    )
    found = session.exec(
        select(JobTrack, employer_of.exists())
        .where(col(JobTrack.id).in_(union(as_employer, through_contacts)))
        .order_by(col(JobTrack.planning_starts_on).desc().nulls_last(), col(JobTrack.id).desc())
    ).all()
    return {
        "company_tracks": [(track, bool(employer)) for track, employer in found],
        "track_status_labels": TRACK_STATUS_LABELS,
    }
