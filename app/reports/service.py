"""Rapporter: what came of the work in a period, per broker, week, month, employment type
and status, for the team lead reporting to the nämnd.

Every figure is counted in SQL (GROUP BY and conditional sums) in a fixed number of
statements, whatever the data size; Python only lays the grouped results out as tables.
Weeks and months are Swedish ones: an instant is put in the bucket whose Stockholm days
hold it, by comparing it with the buckets' UTC bounds computed here (DST-correct), so
the SQL is the same on SQLite and PostgreSQL.

What each filter means, table by table (the page says it too):
- broker: the activity's author; the company's owner for new companies and letters of
  intent; the assignment's owner; the event's owner.
- employment type: assignment figures only.
- municipality: the company's, for everything tied to a company (events: the companies
  taking part).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal, literal_column, or_, true, union_all
from sqlalchemy.sql import ColumnElement, case
from sqlmodel import Session, col, select

from app.activities.models import KIND_LABELS, Activity, ActivityKind
from app.assignments.models import (
    EMPLOYMENT_TYPE_LABELS,
    STATUS_ORDER,
    Assignment,
    AssignmentStatus,
    EmploymentType,
)
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.auth.models import Role, User
from app.clock import Clock
from app.companies import service as companies
from app.companies.models import AgreementStatus, Company
from app.db import UTCDateTime, swedish_sort_key
from app.events.models import EventCompany, EventStatus, Participation, RecruitmentEvent
from app.i18n import N_, gettext
from app.reports.period import Bucket, Period
from app.validation import typed_id

NO_BROKER = N_("Ingen jobbmäklare")
MUNICIPALITY_MAX_LENGTH = 100
FILLED_STATUSES = (AssignmentStatus.filled, AssignmentStatus.partly_filled)
TAKING_PART = (Participation.confirmed, Participation.attended)


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    broker_id: int | None = None
    employment_type: EmploymentType | None = None
    municipality: str | None = None

    @classmethod
    def parse(
        cls, period: Period, *, broker: str = "", employment_type: str = "", municipality: str = ""
    ) -> ReportFilters:
        """The filters as given in a query string; a value that cannot be one is no filter."""
        broker = broker.strip()
        kind = employment_type.strip()
        place = municipality.strip()[:MUNICIPALITY_MAX_LENGTH]
        return cls(
            period=period,
            broker_id=typed_id(broker),
            employment_type=EmploymentType(kind)
            if kind in EmploymentType._value2member_map_
            else None,
            municipality=place or None,
        )

    def query(self) -> dict[str, str]:
        """The query string that shows these filters and this period again."""
        values = dict(self.period.query())
        if self.broker_id is not None:
            values["broker"] = str(self.broker_id)
        if self.employment_type is not None:
            values["employment_type"] = self.employment_type.value
        if self.municipality:
            values["municipality"] = self.municipality
        return values


@dataclass(frozen=True)
class Text:
    """A msgid translated when shown: in a page the user's language, in an export (where
    no locale is active) Swedish."""

    msgid: str

    def __str__(self) -> str:
        return gettext(self.msgid)


@dataclass
class ReportRow:
    label: Any  # a name, a Text or a Bucket: str() shows it
    values: list[int]
    # A row the filters did not choose but that the table always shows (a week, a status).
    key: Any = None

    @property
    def shown(self) -> str:
        return self.label.label if isinstance(self.label, Bucket) else str(self.label)


@dataclass
class ReportTable:
    """One table of the report, as the page shows it and the exports write it."""

    key: str  # in the export's URL: /reports/{key}.csv
    stem: str  # the export's file name, before the period
    title: str  # msgid: caption and sheet name
    row_header: str  # msgid: the first column's heading
    columns: Sequence[str]  # msgids
    rows: list[ReportRow]
    note: str  # msgid: what is counted and what the filters mean here
    # False for a table of different figures, whose sum would mean nothing.
    has_totals: bool = True

    @property
    def totals(self) -> list[int]:
        return [sum(values) for values in zip(*(row.values for row in self.rows), strict=True)] or [
            0 for _ in self.columns
        ]

    @property
    def empty(self) -> bool:
        return not any(any(row.values) for row in self.rows)

    def column(self, index: int) -> list[int]:
        return [row.values[index] for row in self.rows]


@dataclass
class Report:
    filters: ReportFilters
    activities_by_broker: ReportTable
    activities_by_week: ReportTable
    companies: ReportTable
    assignments: ReportTable
    assignment_statuses: ReportTable
    hires_by_month: ReportTable
    events_by_month: ReportTable
    tables: dict[str, ReportTable] = field(init=False)

    def __post_init__(self) -> None:
        self.tables = {
            table.key: table
            for table in (
                self.activities_by_broker,
                self.activities_by_week,
                self.companies,
                self.assignments,
                self.assignment_statuses,
                self.hires_by_month,
                self.events_by_month,
            )
        }

    @property
    def empty(self) -> bool:
        return all(table.empty for table in self.tables.values())


TABLE_KEYS = (
    "activities-by-broker",
    "activities-by-week",
    "companies",
    "assignments",
    "assignment-statuses",
    "hires-by-month",
    "events-by-month",
)


# --- building blocks --------------------------------------------------------------------


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def bucket_of(column: Any, buckets: Sequence[Bucket]) -> ColumnElement[Any]:
    """The index of the bucket that holds the instant in `column`, for rows already
    inside the period: a CASE that halves the buckets at each step (a dozen comparisons
    for three years of weeks, instead of one per week)."""
    bounds = [bucket.start for bucket in buckets]

    def tree(low: int, high: int) -> ColumnElement[Any]:
        if low == high:
            return literal_column(str(low))
        middle = (low + high + 1) // 2
        return case((column < bounds[middle], tree(low, middle - 1)), else_=tree(middle, high))

    return tree(0, len(buckets) - 1)


def _companies_in(municipality: str) -> Any:
    return select(Company.id).where(Company.municipality == municipality)


def _company_in(company_id: Any, filters: ReportFilters) -> Any:
    """The company is in the filter's municipality: a look-up of that one company, for the
    few rows of an event (an IN over the municipality's companies was built again for every
    event)."""
    return (
        select(Company.id)
        .where(Company.id == company_id, Company.municipality == filters.municipality)
        .exists()
    )


def _names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(User.id, User.full_name)).all())  # type: ignore[arg-type]


def _broker_rows(values: dict[int | None, list[int]], names: dict[int, str]) -> list[ReportRow]:
    """One row per broker found, in Swedish order of name; rows without one last."""

    def name(user_id: int | None) -> Any:
        return names.get(user_id, "") if user_id is not None else Text(NO_BROKER)

    ordered = sorted(
        values, key=lambda user_id: (user_id is None, swedish_sort_key(str(name(user_id))))
    )
    return [
        ReportRow(label=name(user_id), values=values[user_id], key=user_id) for user_id in ordered
    ]


# --- activities -------------------------------------------------------------------------

KINDS = tuple(ActivityKind)
ACTIVITY_COLUMNS = (*(KIND_LABELS[kind] for kind in KINDS), N_("Totalt"))


def _activities(
    filters: ReportFilters, names: dict[int, str], *, session: Session
) -> tuple[ReportTable, ReportTable]:
    """Activities by kind per broker (author) and per ISO week: two statements (one with a
    municipality). Each (week, author, kind) is a count over one range of the
    activity(user_id, kind, occurred_at) index, so the database neither reads the table
    nor sorts the period's activities (a GROUP BY sorted a year's 250,000 in 0.2 s on
    SQLite)."""
    weeks = filters.period.weeks()
    bounds = union_all(
        *(
            select(
                literal_column(str(index)).label("bucket"),
                literal(week.start, UTCDateTime).label("starts"),
                literal(week.end, UTCDateTime).label("ends"),
            )
            for index, week in enumerate(weeks)
        )
    ).subquery("week")

    def counts(author: Any) -> list[Any]:
        found = []
        for kind in KINDS:
            statement = select(func.count()).where(
                author,
                Activity.kind == kind,
                col(Activity.occurred_at) >= bounds.c.starts,
                col(Activity.occurred_at) < bounds.c.ends,
            )
            found.append(statement.scalar_subquery())
        return found

    if filters.municipality:
        rows = _activities_in_municipality(filters, weeks, session=session)
    else:
        rows = _activities_everywhere(filters, counts, bounds, session=session)
    by_week = [[0] * (len(KINDS) + 1) for _ in weeks]
    by_broker: dict[int | None, list[int]] = {}
    for bucket, user_id, *values in rows:
        if not any(values):
            continue
        broker = by_broker.setdefault(user_id, [0] * (len(KINDS) + 1))
        for totals in (by_week[int(bucket)], broker):
            for index, count in enumerate(values):
                totals[index] += count
            totals[-1] += sum(values)
    note = N_(
        "Kontakthändelser som inträffade under perioden, per typ. Jobbmäklare: den som "
        "loggade händelsen. Kommun: företagets kommun. Anställningsform gäller inte här."
    )
    broker_table = ReportTable(
        key="activities-by-broker",
        stem="kontakthandelser-per-jobbmaklare",
        title=N_("Kontakthändelser per jobbmäklare"),
        row_header=N_("Jobbmäklare"),
        columns=ACTIVITY_COLUMNS,
        rows=_broker_rows(dict(by_broker), names),
        note=note,
    )
    week_table = ReportTable(
        key="activities-by-week",
        stem="kontakthandelser-per-vecka",
        title=N_("Kontakthändelser per vecka"),
        row_header=N_("Vecka"),
        columns=ACTIVITY_COLUMNS,
        rows=[
            ReportRow(label=week, values=values, key=week.key)
            for week, values in zip(weeks, by_week, strict=True)
        ],
        note=note,
    )
    return broker_table, week_table


def _activities_everywhere(
    filters: ReportFilters, counts: Any, bounds: Any, *, session: Session
) -> list[Any]:
    """(week, author, count per kind) for every week and user: the index ranges. A second
    statement counts activities whose author's account was removed."""
    users = select(User.id).subquery("author")
    by_author = select(
        bounds.c.bucket, users.c.id, *counts(Activity.user_id == users.c.id)
    ).select_from(bounds.join(users, true()))
    if filters.broker_id is not None:
        by_author = by_author.where(users.c.id == filters.broker_id)
    rows = list(session.exec(by_author).all())
    if filters.broker_id is None:
        rows += [
            (bucket, None, *values)
            for bucket, *values in session.exec(
                select(bounds.c.bucket, *counts(col(Activity.user_id).is_(None)))
            ).all()
        ]
    return rows


def _activities_in_municipality(
    filters: ReportFilters, weeks: Sequence[Bucket], *, session: Session
) -> list[Any]:
    """(week, author, count per kind) for the activities of one municipality's companies:
    found from the companies (a few hundred) through the activity(company_id,
    occurred_at) index, rather than testing each of the period's activities for its
    company's municipality."""
    bucket = bucket_of(Activity.occurred_at, weeks)
    statement = (
        select(bucket, Activity.user_id, Activity.kind, func.count())
        .join(Company, col(Company.id) == Activity.company_id)
        .where(
            Company.municipality == filters.municipality,
            _within(Activity.occurred_at, filters.period),
        )
        .group_by(bucket, col(Activity.user_id), col(Activity.kind))
    )
    if filters.broker_id is not None:
        statement = statement.where(Activity.user_id == filters.broker_id)
    found: dict[tuple[int, int | None], list[int]] = {}
    for week, user_id, kind, count in session.exec(statement).all():
        values = found.setdefault((int(week), user_id), [0] * len(KINDS))
        values[KINDS.index(ActivityKind(kind))] = count
    return [(week, user_id, *values) for (week, user_id), values in found.items()]


# --- companies --------------------------------------------------------------------------


def _companies(filters: ReportFilters, *, session: Session, now: dt.datetime) -> ReportTable:
    """Companies contacted, new companies and letters of intent signed: two statements.
    How the contacted ones are counted depends on the question, each way the fastest for
    it on the 50k data (docs/benchmarks.md); a count(DISTINCT) over the period's
    activities read from the table took SQLite 0.15 s for a year."""
    period = filters.period
    if filters.broker_id is not None:
        # One broker's activities in the period are few: their distinct companies, read
        # from the activity(user_id, kind, occurred_at, company_id) index.
        contacted = select(func.count(func.distinct(Activity.company_id))).where(
            Activity.user_id == filters.broker_id, _within(Activity.occurred_at, period)
        )
        if filters.municipality:
            contacted = contacted.where(
                col(Activity.company_id).in_(_companies_in(filters.municipality))
            )
    elif not filters.municipality and period.end <= now:
        # A past period: most companies have had activities since, and a look-up per
        # company (below) took 50 ms for a year of the 50k data. The period's distinct
        # companies instead, read from ranges of the activity(user_id, kind, occurred_at,
        # company_id) index (the author NULL once their account is removed).
        in_period = (
            col(Activity.kind).in_(list(ActivityKind)),
            _within(Activity.occurred_at, period),
        )
        authored = union_all(
            select(Activity.company_id).where(
                col(Activity.user_id).in_(select(User.id)), *in_period
            ),
            select(Activity.company_id).where(col(Activity.user_id).is_(None), *in_period),
        ).subquery()
        contacted = select(func.count(func.distinct(authored.c.company_id)))
    else:
        # Company.last_activity_at is the company's latest activity (kept by the activity
        # service): latest one inside the period means contacted, before it means not;
        # only a company whose latest is after the period needs a look-up in the
        # activity(company_id, occurred_at) index. For a period up to today, none does
        # (the activity service refuses times in the future); for one municipality, the
        # look-ups are a few hundred.
        later = select(Activity.id).where(
            Activity.company_id == Company.id, _within(Activity.occurred_at, period)
        )
        contacted = (
            select(func.count())
            .select_from(Company)
            .where(
                or_(
                    _within(Company.last_activity_at, period),
                    and_(
                        col(Company.last_activity_at) >= period.end,
                        later.correlate(Company).exists(),
                    ),
                )
            )
        )
        if filters.municipality:
            contacted = contacted.where(Company.municipality == filters.municipality)
    total_contacted = session.exec(contacted).one()

    created = and_(_within(Company.created_at, period), col(Company.merged_into_id).is_(None))
    signed = and_(
        Company.agreement_status == AgreementStatus.signed,
        col(Company.agreement_date) >= period.first,
        col(Company.agreement_date) <= period.last,
    )

    def counted(condition: ColumnElement[bool]) -> Any:
        # Each a count over a range of its own covering index (created_at, merged_into_id;
        # agreement_status, agreement_date): no table rows read unless a filter needs them.
        statement = select(func.count()).select_from(Company).where(condition)
        if filters.broker_id is not None:
            statement = statement.where(Company.owner_id == filters.broker_id)
        if filters.municipality:
            statement = statement.where(Company.municipality == filters.municipality)
        return statement.scalar_subquery()

    new, agreements = session.exec(select(counted(created), counted(signed))).one()
    return ReportTable(
        key="companies",
        stem="foretag",
        title=N_("Företag: kontaktade, nya och avsiktsförklaringar"),
        row_header=N_("Uppgift"),
        columns=(N_("Antal"),),
        rows=[
            ReportRow(label=Text(N_("Kontaktade företag")), values=[int(total_contacted)]),
            ReportRow(label=Text(N_("Nya företag")), values=[int(new or 0)]),
            ReportRow(
                label=Text(N_("Undertecknade avsiktsförklaringar")), values=[int(agreements or 0)]
            ),
        ],
        note=N_(
            "Kontaktade företag: företag med minst en kontakthändelse under perioden "
            "(jobbmäklare: den som loggade den). Nya företag: inlagda under perioden, "
            "sammanslagna dubbletter räknas inte. Avsiktsförklaringar: undertecknade under "
            "perioden. För nya företag och avsiktsförklaringar är jobbmäklare företagets "
            "ansvariga. Kommun: företagets kommun. Anställningsform gäller inte här."
        ),
        has_totals=False,
    )


# --- assignments ------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = (
    N_("Inlagda uppdrag"),
    N_("Platser i inlagda uppdrag"),
    N_("Tillsatta uppdrag"),
    N_("Antal tillsatta"),
    N_("Avslutade utan tillsättning"),
    N_("Avbrutna uppdrag"),
)
ASSIGNMENT_NOTE = N_(
    "Inlagda: uppdrag registrerade under perioden. Tillsatta (helt eller delvis), "
    "avslutade utan tillsättning och avbrutna: uppdrag som avslutades under perioden. "
    "Jobbmäklare: uppdragets ansvariga. Kommun: företagets kommun."
)


def _assignment_filters(statement: Any, filters: ReportFilters) -> Any:
    if filters.broker_id is not None:
        statement = statement.where(Assignment.owner_id == filters.broker_id)
    if filters.employment_type is not None:
        statement = statement.where(Assignment.employment_type == filters.employment_type)
    if filters.municipality:
        statement = statement.where(
            col(Assignment.company_id).in_(_companies_in(filters.municipality))
        )
    return statement


def _assignments(filters: ReportFilters, *, session: Session) -> tuple[ReportTable, ReportTable]:
    """Assignments per employment type, and those opened in the period by their status
    today: one statement, grouped by employment type and status."""
    period = filters.period
    opened = _within(Assignment.created_at, period)
    closed = _within(Assignment.closed_at, period)
    # Opened and closed ones apart, each a range of its covering index (created_at or
    # closed_at, then type, status, count, owner, company): no table rows read.
    opened_rows = _assignment_filters(
        select(
            literal("opened"),
            Assignment.employment_type,
            Assignment.status,
            func.count(),
            func.sum(Assignment.positions),
        ).where(opened),
        filters,
    ).group_by(col(Assignment.employment_type), col(Assignment.status))
    closed_rows = _assignment_filters(
        select(
            literal("closed"),
            Assignment.employment_type,
            Assignment.status,
            func.count(),
            func.sum(Assignment.filled_count),
        ).where(closed),
        filters,
    ).group_by(col(Assignment.employment_type), col(Assignment.status))
    types = (
        [filters.employment_type] if filters.employment_type is not None else list(EmploymentType)
    )
    by_type = {kind: [0] * len(ASSIGNMENT_COLUMNS) for kind in types}
    by_status = {status: 0 for status in STATUS_ORDER}
    for which, kind, status, count, amount in session.exec(union_all(opened_rows, closed_rows)):
        values = by_type.setdefault(EmploymentType(kind), [0] * len(ASSIGNMENT_COLUMNS))
        status = AssignmentStatus(status)
        if which == "opened":
            values[0] += count
            values[1] += int(amount or 0)
            by_status[status] += count
        elif status in FILLED_STATUSES:
            values[2] += count
            values[3] += int(amount or 0)
        elif status == AssignmentStatus.closed_unfilled:
            values[4] += count
        elif status == AssignmentStatus.cancelled:
            values[5] += count
    type_table = ReportTable(
        key="assignments",
        stem="uppdrag-per-anstallningsform",
        title=N_("Rekryteringsuppdrag per anställningsform"),
        row_header=N_("Anställningsform"),
        columns=ASSIGNMENT_COLUMNS,
        rows=[
            ReportRow(label=Text(EMPLOYMENT_TYPE_LABELS[kind]), values=values, key=kind)
            for kind, values in by_type.items()
        ],
        note=ASSIGNMENT_NOTE,
    )
    status_table = ReportTable(
        key="assignment-statuses",
        stem="uppdrag-per-status",
        title=N_("Inlagda uppdrag efter status i dag"),
        row_header=N_("Status"),
        columns=(N_("Uppdrag"),),
        rows=[
            ReportRow(label=Text(ASSIGNMENT_STATUS_LABELS[status]), values=[count], key=status)
            for status, count in by_status.items()
        ],
        note=N_(
            "Uppdrag registrerade under perioden, efter den status de har i dag. "
            "Jobbmäklare: uppdragets ansvariga. Kommun: företagets kommun."
        ),
    )
    return type_table, status_table


def _hires(filters: ReportFilters, *, session: Session) -> ReportTable:
    """Assignments filled (wholly or partly) per month they were closed, and how many were
    hired through them: one statement."""
    months = filters.period.months()
    inner = _assignment_filters(
        select(
            bucket_of(Assignment.closed_at, months).label("bucket"), Assignment.filled_count
        ).where(
            _within(Assignment.closed_at, filters.period),
            col(Assignment.status).in_(FILLED_STATUSES),
        ),
        filters,
    ).subquery()
    found = session.exec(
        select(inner.c.bucket, func.count(), func.sum(inner.c.filled_count)).group_by(
            inner.c.bucket
        )
    ).all()
    values = [[0, 0] for _ in months]
    for bucket, count, hired in found:
        values[int(bucket)] = [count, int(hired or 0)]
    return ReportTable(
        key="hires-by-month",
        stem="tillsatta-per-manad",
        title=N_("Tillsatta per månad"),
        row_header=N_("Månad"),
        columns=(N_("Tillsatta uppdrag"), N_("Antal tillsatta")),
        rows=[
            ReportRow(label=month, values=row, key=month.key)
            for month, row in zip(months, values, strict=True)
        ],
        note=ASSIGNMENT_NOTE,
    )


# --- events -----------------------------------------------------------------------------

EVENT_COLUMNS = (
    N_("Hållna träffar"),
    N_("Bekräftade företag"),
    N_("Företag som deltog"),
    N_("Deltagande arbetssökande"),
    N_("Intervjuer"),
    N_("Anställningar"),
)


def _events(filters: ReportFilters, *, session: Session, clock: Clock) -> ReportTable:
    """Events held per month: those not cancelled that started in the period (and have
    started by now), with their companies and outcome. One statement; the companies are
    counted per event with the (event, company) index."""
    months = filters.period.months()

    def companies_with(*statuses: Participation) -> Any:
        statement = select(func.count()).where(
            EventCompany.event_id == RecruitmentEvent.id,
            col(EventCompany.status).in_(statuses),
        )
        if filters.municipality:
            statement = statement.where(_company_in(EventCompany.company_id, filters))
        return statement.scalar_subquery()

    inner = select(
        bucket_of(RecruitmentEvent.starts_at, months).label("bucket"),
        companies_with(*TAKING_PART).label("confirmed"),
        companies_with(Participation.attended).label("attended"),
        RecruitmentEvent.jobseekers_attended,
        RecruitmentEvent.interviews,
        RecruitmentEvent.hires,
    ).where(
        _within(RecruitmentEvent.starts_at, filters.period),
        col(RecruitmentEvent.starts_at) <= clock.now(),
        RecruitmentEvent.status != EventStatus.cancelled,
    )
    if filters.broker_id is not None:
        inner = inner.where(RecruitmentEvent.owner_id == filters.broker_id)
    if filters.municipality:
        inner = inner.where(
            select(EventCompany.id)
            .where(
                EventCompany.event_id == RecruitmentEvent.id,
                col(EventCompany.status).in_(TAKING_PART),
                _company_in(EventCompany.company_id, filters),
            )
            .exists()
        )
    grouped = inner.subquery()
    found = session.exec(
        select(
            grouped.c.bucket,
            func.count(),
            func.sum(grouped.c.confirmed),
            func.sum(grouped.c.attended),
            func.sum(grouped.c.jobseekers_attended),
            func.sum(grouped.c.interviews),
            func.sum(grouped.c.hires),
        ).group_by(grouped.c.bucket)
    ).all()
    values = [[0] * len(EVENT_COLUMNS) for _ in months]
    for bucket, *counts in found:
        values[int(bucket)] = [int(count or 0) for count in counts]
    return ReportTable(
        key="events-by-month",
        stem="traffar-per-manad",
        title=N_("Rekryteringsträffar per månad"),
        row_header=N_("Månad"),
        columns=EVENT_COLUMNS,
        rows=[
            ReportRow(label=month, values=row, key=month.key)
            for month, row in zip(months, values, strict=True)
        ],
        note=N_(
            "Träffar som började under perioden och inte är inställda (kommande träffar "
            "räknas inte), efter startmånad. Bekräftade företag: bekräftade eller deltog; "
            "ett företag räknas en gång per träff. Arbetssökande, intervjuer och "
            "anställningar: träffens utfall. Jobbmäklare: träffens ansvariga. Kommun: de "
            "deltagande företagens kommun (träffar utan företag därifrån räknas inte). "
            "Anställningsform gäller inte här."
        ),
    )


# --- the report -------------------------------------------------------------------------


def report(filters: ReportFilters, *, session: Session, clock: Clock) -> Report:
    """Every table of the report: eight statements, whatever the data size."""
    names = _names(session)
    activities_by_broker, activities_by_week = _activities(filters, names, session=session)
    assignments, assignment_statuses = _assignments(filters, session=session)
    return Report(
        filters=filters,
        activities_by_broker=activities_by_broker,
        activities_by_week=activities_by_week,
        companies=_companies(filters, session=session, now=clock.now()),
        assignments=assignments,
        assignment_statuses=assignment_statuses,
        hires_by_month=_hires(filters, session=session),
        events_by_month=_events(filters, session=session, clock=clock),
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
    found = [Broker(id=i, name=name, active=active) for i, name, active in rows]  # type: ignore[arg-type]
    return sorted(found, key=lambda broker: swedish_sort_key(broker.name))


def municipalities(*, session: Session) -> list[str]:
    """The municipalities of the register's companies, for the filter."""
    return companies.municipalities(session=session)
