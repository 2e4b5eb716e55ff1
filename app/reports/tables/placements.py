"""Uppföljning av anställningar: what came of the fixed-term, subsidised and praktik jobs
followed up in the period, per employment type, with the share that became an ordinary
job; and the estimate of income support (försörjningsstöd) saved, from the same
follow-ups and the factors an admin set. One statement for the follow-ups, one for the
factors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col

from app.assignments import income_support
from app.assignments.models import (
    EMPLOYMENT_TYPE_LABELS,
    FOLLOWED_UP_TYPES,
    Assignment,
    EmploymentType,
    IncomeSupportRate,
    PlacementFollowUp,
)
from app.i18n import N_, gettext, ngettext
from app.query import select_columns
from app.reports.tables.assignments import assignment_filters
from app.reports.tables.base import Ratio, ReportFilters, ReportRow, ReportTable, Text
from app.small_counts import HIDDEN, SMALL_COUNT, Cell
from app.text import grouped

PLACEMENT_COLUMNS = (
    N_("Uppföljda"),
    N_("Ordinarie jobb"),
    N_("Ny subventionerad eller visstid"),
    N_("Studier"),
    N_("Lämnade"),
)
ORDINARY_SHARE = Ratio(N_("Andel ordinarie jobb, procent"), part=1, whole=0)
SETTINGS_PATH = "/admin/income-support"


@dataclass(frozen=True)
class Followed:
    """The follow-ups counted in the period: the table, and how many of the people in it
    moved from income support to a salary."""

    table: ReportTable
    moved_from_income_support: int


def placements_table(filters: ReportFilters, *, session: Session) -> Followed:
    """The latest recorded follow-up in the period of each assignment, summed per
    employment type: one statement."""
    shown_types = (
        [filters.employment_type] if filters.employment_type is not None else FOLLOWED_UP_TYPES
    )
    by_type = {kind: [0] * len(PLACEMENT_COLUMNS) for kind in shown_types}
    moved = 0
    for kind, ordinary, new_job, studies, left, moved_here in session.exec(_latest(filters)):
        counts = [int(each or 0) for each in (ordinary, new_job, studies, left)]
        # A recorded follow-up stays when its assignment later becomes another type: it
        # counts there, in a row of its own after the followed-up types.
        by_type[EmploymentType(kind)] = [sum(counts), *counts]
        moved += int(moved_here or 0)
    # The followed-up types in their order, then any other in the labels' order.
    order = [*shown_types, *(kind for kind in EMPLOYMENT_TYPE_LABELS if kind not in shown_types)]
    shown = sorted(by_type.items(), key=lambda item: order.index(item[0]))
    table = ReportTable(
        key="placements",
        stem="uppfoljning-av-anstallningar",
        title=N_("Uppföljning av anställningar"),
        row_header=N_("Anställningsform"),
        columns=PLACEMENT_COLUMNS,
        rows=[
            ReportRow(label=Text(EMPLOYMENT_TYPE_LABELS[kind]), values=values, key=kind)
            for kind, values in shown
        ],
        note=N_(
            "Uppföljningar av visstidsanställningar, subventionerade anställningar och "
            "praktik som har registrerats och ska göras under perioden (uppföljningens "
            "datum inom perioden). Ett uppdrag räknas en gång per period, med sin senaste "
            "registrerade uppföljning i perioden, så att ingen räknas två gånger när både "
            "uppföljningen vid anställningens slut och den tre månader efter ligger i "
            "perioden. Uppföljda: personer, summan av de fyra utfallen. Lämnade: varken jobb "
            "eller studier. Andel ordinarie jobb: Ordinarie jobb delat med Uppföljda, i hela "
            "procent. Jobbmäklare: uppdragets ansvariga. Kommun: företagets kommun. "
            "Anställningsform: uppdragets. När ett filter är valt visas antal från 1 till 4 "
            "som < 5 och andelen inte alls om färre än 5 har följts upp, eftersom filtret "
            "annars kan peka ut enskilda personer."
        ),
        ratios=(ORDINARY_SHARE,),
        hide_small=filters.any_set,
    )
    return Followed(table=table, moved_from_income_support=moved)


def _latest(filters: ReportFilters) -> Any:
    """Rows (employment type, ordinary job, new subsidised or fixed-term, studies, left,
    moved from income support) summed over each assignment's latest recorded follow-up
    due in the period. Latest: the later due day, and on the same day the later point."""
    period = filters.period
    due_on = col(PlacementFollowUp.due_on)
    ranked = select_columns(
        PlacementFollowUp.assignment_id,
        PlacementFollowUp.ordinary_job,
        PlacementFollowUp.new_subsidised_or_fixed,
        PlacementFollowUp.studies,
        PlacementFollowUp.no_job_or_studies,
        PlacementFollowUp.income_support_moved,
        func.row_number()
        .over(
            partition_by=col(PlacementFollowUp.assignment_id),
            # "later" sorts after "at_end": the enum is stored as its value.
            order_by=(due_on.desc(), col(PlacementFollowUp.point).desc()),
        )
        .label("rank"),
    ).where(
        col(PlacementFollowUp.recorded_at).is_not(None),
        due_on >= period.first,
        due_on <= period.last,
    )
    latest = ranked.subquery("latest")
    statement = (
        select_columns(
            Assignment.employment_type,
            func.sum(latest.c.ordinary_job),
            func.sum(latest.c.new_subsidised_or_fixed),
            func.sum(latest.c.studies),
            func.sum(latest.c.no_job_or_studies),
            func.sum(latest.c.income_support_moved),
        )
        .select_from(latest)
        .join(Assignment, col(Assignment.id) == latest.c.assignment_id)
        .where(latest.c.rank == 1)
        .group_by(col(Assignment.employment_type))
    )
    return assignment_filters(statement, filters)


# --- the estimate of income support saved -------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """The estimate written out, in the language it is shown in: "7 personer × 9 500 kr
    × 6 månader = 399 000 kr"; or why there is none."""

    people: int
    rate: IncomeSupportRate | None
    hidden: bool

    def __str__(self) -> str:
        if self.rate is None:
            return gettext(
                N_(
                    "Uppskattningen kräver att en administratör anger beloppet per person "
                    "och månad och hur många månader som räknas."
                )
            )
        amount, months = self.rate.amount_per_month, self.rate.months
        people = ngettext(
            "%(count)s person",
            "%(count)s personer",
            SMALL_COUNT if self.hidden else self.people,
            count=HIDDEN if self.hidden else grouped(self.people),
        )
        factors = " × ".join(
            (
                people,
                _kronor(amount),
                ngettext("%(count)s månad", "%(count)s månader", months, count=months),
            )
        )
        if self.hidden:
            return gettext(
                N_(
                    "%(factors)s: uppskattningen visas inte när ett filter är valt och färre "
                    "än 5 personer räknas."
                ),
                factors=factors,
            )
        return f"{factors} = {_kronor(self.people * amount * months)}"


def _kronor(amount: int) -> str:
    return gettext(N_("%(amount)s kr"), amount=grouped(amount))


def income_support_table(filters: ReportFilters, moved: int, *, session: Session) -> ReportTable:
    """The people who moved from income support to a salary, the factors an admin set,
    and their product; the formula above the table. One statement (the factors)."""
    rate = income_support.current(session=session)
    hidden = filters.any_set and 0 < moved < SMALL_COUNT
    people: Cell = HIDDEN if hidden else moved
    amount: Cell = rate.amount_per_month if rate else None
    months: Cell = rate.months if rate else None
    total: Cell = None if rate is None or hidden else moved * rate.amount_per_month * rate.months
    # The factors are settings, not figures of the period: their rows count nothing, so
    # the table is empty when no one moved.
    rows = [
        ReportRow(Text(N_("Personer från försörjningsstöd till lön")), [moved], "people", [people]),
        ReportRow(Text(N_("Belopp per person och månad, kr")), [0], "amount", [amount]),
        ReportRow(Text(N_("Månader som räknas")), [0], "months", [months]),
        ReportRow(Text(N_("Uppskattat minskat försörjningsstöd, kr")), [moved], "total", [total]),
    ]
    return ReportTable(
        key="income-support",
        stem="minskat-forsorjningsstod",
        title=N_("Minskat försörjningsstöd, uppskattning"),
        row_header=N_("Uppgift"),
        columns=(N_("Värde"),),
        rows=rows,
        note=N_(
            "Personer som vid uppföljningarna i tabellen ovan hade gått från "
            "försörjningsstöd till lön (samma uppföljningar och filter), gånger ett belopp "
            "per person och månad, gånger antalet månader som räknas. Beloppet och "
            "månaderna anger en administratör. En uppskattning, inte ett utfall."
        ),
        has_totals=False,
        lead=Formula(people=moved, rate=rate, hidden=hidden),
        lead_link=None if rate else (SETTINGS_PATH, N_("Ange beloppet och månaderna")),
    )
