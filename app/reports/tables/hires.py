"""Tillsatta per månad: assignments filled, wholly or partly, by the month they closed."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.assignments.models import Assignment
from app.i18n import N_
from app.reports.tables.assignments import ASSIGNMENT_NOTE, FILLED_STATUSES, assignment_filters
from app.reports.tables.base import ReportFilters, ReportRow, ReportTable, bucket_of, within


def hires_table(filters: ReportFilters, *, session: Session) -> ReportTable:
    """Assignments filled (wholly or partly) per month they were closed, and how many were
    hired through them: one statement."""
    months = filters.period.months()
    inner = assignment_filters(
        select(
            bucket_of(Assignment.closed_at, months).label("bucket"), Assignment.filled_count
        ).where(
            within(Assignment.closed_at, filters.period),
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
