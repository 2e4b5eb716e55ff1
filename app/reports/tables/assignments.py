"""Rekryteringsuppdrag per anställningsform, and those registered in the period by their
status today: one statement for both tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, union_all
from sqlmodel import Session, col

from app.assignments.models import (
    EMPLOYMENT_TYPE_LABELS,
    STATUS_ORDER,
    Assignment,
    AssignmentStatus,
    EmploymentType,
)
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.i18n import N_
from app.query import select_columns
from app.reports.tables.base import (
    ReportFilters,
    ReportRow,
    ReportTable,
    Text,
    companies_in,
    within,
)

FILLED_STATUSES = (AssignmentStatus.filled, AssignmentStatus.partly_filled)
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


def assignment_filters(statement: Any, filters: ReportFilters) -> Any:
    if filters.broker_id is not None:
        statement = statement.where(Assignment.owner_id == filters.broker_id)
    if filters.employment_type is not None:
        statement = statement.where(Assignment.employment_type == filters.employment_type)
    if filters.municipality:
        statement = statement.where(
            col(Assignment.company_id).in_(companies_in(filters.municipality))
        )
    return statement


def assignment_tables(
    filters: ReportFilters, *, session: Session
) -> tuple[ReportTable, ReportTable]:
    """Assignments per employment type, and those opened in the period by their status
    today: one statement, grouped by employment type and status."""
    types = (
        [filters.employment_type] if filters.employment_type is not None else list(EmploymentType)
    )
    by_type = {kind: [0] * len(ASSIGNMENT_COLUMNS) for kind in types}
    by_status = {status: 0 for status in STATUS_ORDER}
    for which, kind, status, count, amount in session.exec(_opened_and_closed(filters)):
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


def _opened_and_closed(filters: ReportFilters) -> Any:
    """Rows (opened or closed, employment type, status, count, positions or hired) of the
    assignments opened and of those closed in the period."""
    period = filters.period
    opened = within(Assignment.created_at, period)
    closed = within(Assignment.closed_at, period)
    # Opened and closed ones apart, each a range of its covering index (created_at or
    # closed_at, then type, status, count, owner, company): no table rows read.
    opened_rows = assignment_filters(
        select_columns(
            literal("opened"),
            Assignment.employment_type,
            Assignment.status,
            func.count(),
            func.sum(Assignment.positions),
        ).where(opened),
        filters,
    ).group_by(col(Assignment.employment_type), col(Assignment.status))
    closed_rows = assignment_filters(
        select_columns(
            literal("closed"),
            Assignment.employment_type,
            Assignment.status,
            func.count(),
            func.sum(Assignment.filled_count),
        ).where(closed),
        filters,
    ).group_by(col(Assignment.employment_type), col(Assignment.status))
    return union_all(opened_rows, closed_rows)
