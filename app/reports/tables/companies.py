"""Företag: kontaktade, nya och avsiktsförklaringar: three figures of the period, of
employers only (samverkanspartner are not the register's companies)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, true, union_all
from sqlmodel import Session, col, select

from app.activities.models import Activity, ActivityKind
from app.agreements.models import Agreement, AgreementKind, AgreementState
from app.auth.models import User
from app.companies.models import Company, is_partner
from app.i18n import N_
from app.reports.tables.base import (
    ReportFilters,
    ReportRow,
    ReportTable,
    Text,
    companies_in,
    within,
)


def companies_table(filters: ReportFilters, *, session: Session, now: dt.datetime) -> ReportTable:
    """Companies contacted, new companies and letters of intent signed, of employers: three
    statements."""
    partners = _partners(session)
    total_contacted = session.exec(_contacted(filters, partners, now=now)).one()
    new, agreements = session.exec(_new_and_signed(filters, partners)).one()
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
            "ansvariga. Kommun: företagets kommun. Anställningsform gäller inte här. "
            "Bara arbetsgivare räknas, inte samverkanspartner."
        ),
        has_totals=False,
    )


def _partners(session: Session) -> list[int]:
    """The ids of the samverkanspartner, whom no count here takes in: read once from their
    partial index and left out of each count by a NOT IN over the few ids, which keeps
    each count on the index it reads."""
    return list(session.exec(select(Company.id).where(is_partner())))


def _employers(column: Any, partners: list[int]) -> Any:
    """`column` (a company id) is not a samverkanspart's."""
    return col(column).not_in(partners) if partners else true()


def _contacted(filters: ReportFilters, partners: list[int], *, now: dt.datetime) -> Any:
    """The count of companies contacted in the period. How they are counted depends on
    the question, each way the fastest for it on the 50k data (docs/benchmarks.md); a
    count(DISTINCT) over the period's activities read from the table took SQLite 0.15 s
    for a year."""
    period = filters.period
    if filters.broker_id is not None:
        # One broker's activities in the period are few: their distinct companies, read
        # from the activity(user_id, kind, occurred_at, company_id) index.
        contacted = select(func.count(func.distinct(Activity.company_id))).where(
            Activity.user_id == filters.broker_id,
            within(Activity.occurred_at, period),
            _employers(Activity.company_id, partners),
        )
        if filters.municipality:
            contacted = contacted.where(
                col(Activity.company_id).in_(companies_in(filters.municipality))
            )
    elif not filters.municipality and period.end <= now:
        # A past period: most companies have had activities since, and a look-up per
        # company (below) took 50 ms for a year of the 50k data. The period's distinct
        # companies instead, read from ranges of the activity(user_id, kind, occurred_at,
        # company_id) index (the author NULL once their account is removed).
        in_period = (
            col(Activity.kind).in_(list(ActivityKind)),
            within(Activity.occurred_at, period),
        )
        authored = union_all(
            select(Activity.company_id).where(
                col(Activity.user_id).in_(select(User.id)), *in_period
            ),
            select(Activity.company_id).where(col(Activity.user_id).is_(None), *in_period),
        ).subquery()
        contacted = select(func.count(func.distinct(authored.c.company_id))).where(
            _employers(authored.c.company_id, partners)
        )
    else:
        # Company.last_activity_at is the company's latest activity (kept by the activity
        # service): latest one inside the period means contacted, before it means not;
        # only a company whose latest is after the period needs a look-up in the
        # activity(company_id, occurred_at) index. For a period up to today, none does
        # (the activity service refuses times in the future); for one municipality, the
        # look-ups are a few hundred.
        later = select(Activity.id).where(
            Activity.company_id == Company.id, within(Activity.occurred_at, period)
        )
        contacted = (
            select(func.count())
            .select_from(Company)
            .where(
                _employers(Company.id, partners),
                or_(
                    within(Company.last_activity_at, period),
                    and_(
                        col(Company.last_activity_at) >= period.end,
                        later.correlate(Company).exists(),
                    ),
                ),
            )
        )
        if filters.municipality:
            contacted = contacted.where(Company.municipality == filters.municipality)
    return contacted


def _new_and_signed(filters: ReportFilters, partners: list[int]) -> Any:
    """New companies (merged duplicates not counted) and letters of intent signed in the
    period: one statement of two counts."""
    period = filters.period

    def by_owner_and_place(statement: Any) -> Any:
        if filters.broker_id is not None:
            statement = statement.where(Company.owner_id == filters.broker_id)
        if filters.municipality:
            statement = statement.where(Company.municipality == filters.municipality)
        return statement

    # A count over a range of its covering index (created_at, merged_into_id): no table
    # rows read unless a filter needs them.
    created = by_owner_and_place(
        select(func.count())
        .select_from(Company)
        .where(
            within(Company.created_at, period),
            col(Company.merged_into_id).is_(None),
            _employers(Company.id, partners),
        )
    )
    # Letters of intent signed in the period, ended ones too (they were signed then),
    # from the agreement(kind, signed_on) index; the company only for a filter.
    signed = (
        select(func.count())
        .select_from(Agreement)
        .where(
            Agreement.kind == AgreementKind.letter_of_intent,
            col(Agreement.signed_on) >= period.first,
            col(Agreement.signed_on) <= period.last,
            col(Agreement.state).in_([AgreementState.signed, AgreementState.ended]),
            _employers(Agreement.company_id, partners),
        )
    )
    if filters.broker_id is not None or filters.municipality:
        signed = by_owner_and_place(signed.join(Company, col(Company.id) == Agreement.company_id))
    return select(created.scalar_subquery(), signed.scalar_subquery())
