"""Avtal per slag: agreements with employers signed, in force and ending in the period,
one row per kind of agreement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, case
from sqlmodel import Session, col, select

from app.agreements.models import KIND_LABELS, Agreement, AgreementKind, AgreementState
from app.companies.models import Company
from app.i18n import N_
from app.reports.tables.base import ReportFilters, ReportRow, ReportTable, Text

# Draft and sent agreements were never signed; ended ones were, and count for the days
# they were signed and valid.
WERE_SIGNED = (AgreementState.signed, AgreementState.ended)
AGREEMENT_COLUMNS = (N_("Undertecknade"), N_("Gällande"), N_("Upphör under perioden"))


def agreements_table(filters: ReportFilters, *, session: Session) -> ReportTable:
    """Agreements signed, in force and ending in the period, per kind: one statement of
    conditional sums grouped by kind."""
    values = {kind: [0] * len(AGREEMENT_COLUMNS) for kind in KIND_LABELS}
    for kind, *counts in session.exec(_counts(filters)).all():
        values[AgreementKind(kind)] = [int(count or 0) for count in counts]
    return ReportTable(
        key="agreements",
        stem="avtal-per-slag",
        title=N_("Avtal per slag"),
        row_header=N_("Slag av avtal"),
        columns=AGREEMENT_COLUMNS,
        rows=[
            ReportRow(label=Text(KIND_LABELS[kind]), values=counts, key=kind)
            for kind, counts in values.items()
        ],
        note=N_(
            "Undertecknade: avtal undertecknade under perioden. Gällande: avtal som gällde "
            "minst en dag under perioden, det vill säga undertecknade senast periodens sista "
            "dag och giltiga från (Giltigt från, annars dagen de undertecknades) senast "
            "periodens sista dag till (Giltigt till) tidigast periodens första dag eller "
            "tills vidare. Ett upphört avtal utan Giltigt till räknas inte som gällande, "
            "eftersom det inte går att veta när det upphörde. Upphör under perioden: avtal "
            "med Giltigt till under perioden som inte har förnyats med ett nytt avtal "
            "(Förnya). Undertecknade och upphörda avtal räknas, utkast och skickade inte. "
            "Jobbmäklare: företagets ansvariga. Kommun: företagets kommun. Anställningsform "
            "gäller inte här."
        ),
    )


def _counts(filters: ReportFilters) -> Any:
    """Rows (kind, signed, in force, ending) of the agreements that were signed, by kind;
    the company joined only for a filter."""
    first, last = filters.period.first, filters.period.last
    signed_on, valid_to = col(Agreement.signed_on), col(Agreement.valid_to)
    starts = func.coalesce(Agreement.valid_from, Agreement.signed_on)
    renewal = aliased(Agreement)
    signed = and_(signed_on >= first, signed_on <= last)
    in_force = and_(
        signed_on <= last,
        starts <= last,
        or_(
            valid_to >= first,
            # Until further notice; an ended one without an end day has none known.
            and_(valid_to.is_(None), col(Agreement.state) == AgreementState.signed),
        ),
    )
    ending = and_(
        valid_to >= first,
        valid_to <= last,
        ~select(renewal.id).where(renewal.renews_id == Agreement.id).exists(),
    )
    statement = (
        select(Agreement.kind, _count(signed), _count(in_force), _count(ending))
        .where(
            col(Agreement.state).in_(WERE_SIGNED),
            # Only the rows some column may count.
            or_(signed_on <= last, and_(valid_to >= first, valid_to <= last)),
        )
        .group_by(col(Agreement.kind))
    )
    if filters.broker_id is not None or filters.municipality:
        statement = statement.join(Company, col(Company.id) == Agreement.company_id)
        if filters.broker_id is not None:
            statement = statement.where(Company.owner_id == filters.broker_id)
        if filters.municipality:
            statement = statement.where(Company.municipality == filters.municipality)
    return statement


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))
