"""Rapporter: what came of the work in a period, per broker, week, month, employment type
and status, for the team lead reporting to the nämnd.

Every figure is counted in SQL (GROUP BY and conditional sums) in a fixed number of
statements, whatever the data size; Python only lays the grouped results out as tables.
Weeks and months are Swedish ones: an instant is put in the bucket whose Stockholm days
hold it, by comparing it with the buckets' UTC bounds (period.py, DST-correct), so the
SQL is the same on SQLite and PostgreSQL. Each table is a module of tables/, owning its
SQL, its columns and its note; this module puts them together.

What each filter means, table by table (the page says it too):
- broker: the activity's author; the company's owner for new companies, letters of
  intent and agreements; the assignment's owner (for its follow-ups too); the event's
  owner.

Counts of people followed up (and the estimate of income support saved from them) show
1 to 4 as "< 5" when any filter is set (tables/placements.py, base.py's hide_small).
- employment type: assignment figures only (follow-ups of placements included).
- job tracks: broker is the track's coordinator, municipality the track's; a track's
  participants and outcomes always show 1 to 4 as "< 5" (tables/tracks.py).
- municipality: the company's, for everything tied to a company (events: the companies
  taking part).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.auth.models import Role, User
from app.clock import Clock
from app.companies import service as companies
from app.db import swedish_sort_key
from app.reports.tables.activities import activity_tables
from app.reports.tables.agreements import agreements_table
from app.reports.tables.assignments import assignment_tables
from app.reports.tables.base import ReportFilters, ReportTable, user_names
from app.reports.tables.companies import companies_table
from app.reports.tables.events import events_table
from app.reports.tables.hires import hires_table
from app.reports.tables.placements import income_support_table, placements_table
from app.reports.tables.tracks import outcomes_table, phases_table

# The report's public names, as the routes and callers import them from here.
__all__ = [
    "TABLE_KEYS",
    "Broker",
    "Report",
    "ReportFilters",
    "ReportTable",
    "brokers",
    "municipalities",
    "report",
]


@dataclass
class Report:
    filters: ReportFilters
    activities_by_broker: ReportTable
    activities_by_week: ReportTable
    companies: ReportTable
    agreements: ReportTable
    assignments: ReportTable
    assignment_statuses: ReportTable
    hires_by_month: ReportTable
    placements: ReportTable
    income_support: ReportTable
    events_by_month: ReportTable
    tracks_by_phase: ReportTable
    track_outcomes: ReportTable
    tables: dict[str, ReportTable] = field(init=False)

    def __post_init__(self) -> None:
        self.tables = {
            table.key: table
            for table in (
                self.activities_by_broker,
                self.activities_by_week,
                self.companies,
                self.agreements,
                self.assignments,
                self.assignment_statuses,
                self.hires_by_month,
                self.placements,
                self.income_support,
                self.events_by_month,
                self.tracks_by_phase,
                self.track_outcomes,
            )
        }

    @property
    def empty(self) -> bool:
        return all(table.empty for table in self.tables.values())


TABLE_KEYS = (
    "activities-by-broker",
    "activities-by-week",
    "companies",
    "agreements",
    "assignments",
    "assignment-statuses",
    "hires-by-month",
    "placements",
    "income-support",
    "events-by-month",
    "tracks-by-phase",
    "track-outcomes",
)


# --- the report -------------------------------------------------------------------------


def report(filters: ReportFilters, *, session: Session, clock: Clock) -> Report:
    """Every table of the report: seventeen statements (sixteen for one broker), whatever
    the data size."""
    names = user_names(session)
    activities_by_broker, activities_by_week = activity_tables(filters, names, session=session)
    assignments, assignment_statuses = assignment_tables(filters, session=session)
    followed = placements_table(filters, session=session)
    return Report(
        filters=filters,
        activities_by_broker=activities_by_broker,
        activities_by_week=activities_by_week,
        companies=companies_table(filters, session=session, now=clock.now()),
        agreements=agreements_table(filters, session=session),
        assignments=assignments,
        assignment_statuses=assignment_statuses,
        hires_by_month=hires_table(filters, session=session),
        placements=followed.table,
        income_support=income_support_table(
            filters, followed.moved_from_income_support, session=session
        ),
        events_by_month=events_table(filters, session=session, clock=clock),
        tracks_by_phase=phases_table(filters, session=session),
        track_outcomes=outcomes_table(filters, session=session),
    )


@dataclass(frozen=True)
class Broker:
    id: int
    name: str
    active: bool


def brokers(*, session: Session) -> list[Broker]:
    """Who the broker filter offers: everyone but read-only users, inactive ones too (their
    work is still in the figures), in Swedish order."""
    rows = session.exec(
        select(User.id, User.full_name, User.is_active).where(User.role != Role.viewer)
    ).all()
    found = [Broker(id=i, name=name, active=active) for i, name, active in rows]
    return sorted(found, key=lambda broker: swedish_sort_key(broker.name))


def municipalities(*, session: Session) -> list[str]:
    """The municipalities of the register's companies, for the filter."""
    return companies.municipalities(session=session)
