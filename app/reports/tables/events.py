"""Rekryteringsträffar per månad: the events held, their companies and their outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import Clock
from app.events.models import EventCompany, EventStatus, Participation, RecruitmentEvent
from app.i18n import N_
from app.query import select_columns
from app.reports.period import Bucket
from app.reports.tables.base import (
    ReportFilters,
    ReportRow,
    ReportTable,
    bucket_of,
    company_in,
    within,
)

TAKING_PART = (Participation.confirmed, Participation.attended)
EVENT_COLUMNS = (
    N_("Hållna träffar"),
    N_("Bekräftade företag"),
    N_("Företag som deltog"),
    N_("Deltagande arbetssökande"),
    N_("Intervjuer"),
    N_("Anställningar"),
)


def events_table(filters: ReportFilters, *, session: Session, clock: Clock) -> ReportTable:
    """Events held per month: those not cancelled that started in the period (and have
    started by now), with their companies and outcome. One statement; the companies are
    counted per event with the (event, company) index."""
    months = filters.period.months()
    grouped = _held(filters, months, now=clock.now()).subquery()
    found = session.exec(
        select_columns(
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


def _held(filters: ReportFilters, months: Sequence[Bucket], *, now: dt.datetime) -> Any:
    """Per event held in the period, its month's bucket, its companies confirmed and
    attended (of the municipality, with one) and its outcome."""

    def companies_with(*statuses: Participation) -> Any:
        statement = select(func.count()).where(
            EventCompany.event_id == RecruitmentEvent.id,
            col(EventCompany.status).in_(statuses),
        )
        if filters.municipality:
            statement = statement.where(company_in(EventCompany.company_id, filters))
        return statement.scalar_subquery()

    inner = select_columns(
        bucket_of(RecruitmentEvent.starts_at, months).label("bucket"),
        companies_with(*TAKING_PART).label("confirmed"),
        companies_with(Participation.attended).label("attended"),
        RecruitmentEvent.jobseekers_attended,
        RecruitmentEvent.interviews,
        RecruitmentEvent.hires,
    ).where(
        within(RecruitmentEvent.starts_at, filters.period),
        col(RecruitmentEvent.starts_at) <= now,
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
                company_in(EventCompany.company_id, filters),
            )
            .exists()
        )
    return inner
