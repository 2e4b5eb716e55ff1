"""What every report table shares: the filters, the table and its rows, and the SQL
building blocks (a period's range, a week's or month's bucket, a municipality)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, literal_column
from sqlalchemy.sql import ColumnElement, case
from sqlmodel import Session, select

from app.assignments.models import EmploymentType
from app.auth.models import User
from app.companies.models import Company
from app.db import swedish_sort_key
from app.i18n import N_, gettext
from app.reports.period import Bucket, Period
from app.small_counts import Cell, share, shown_count
from app.validation import typed_id

NO_BROKER = N_("Ingen jobbmäklare")
MUNICIPALITY_MAX_LENGTH = 100


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

    @property
    def any_set(self) -> bool:
        """Whether a filter narrows the figures: then a small count may single people out."""
        return (
            self.broker_id is not None
            or self.employment_type is not None
            or bool(self.municipality)
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
    # The row as shown, when its table's builder writes it (a row of different figures,
    # some hidden or not set); otherwise the table shows it from its values.
    cells: list[Cell] | None = None

    @property
    def shown(self) -> str:
        return self.label.label if isinstance(self.label, Bucket) else str(self.label)


@dataclass(frozen=True)
class Ratio:
    """A column that is one column's share of another, in whole percent: computed for each
    row, and for the totals from the totals, never summed."""

    title: str  # msgid
    part: int  # the columns' indices
    whole: int

    def of(self, values: Sequence[int], *, hide_small: bool) -> Cell:
        """None when there is no one to share, or (hide_small) fewer than SMALL_COUNT."""
        return share(values[self.part], values[self.whole], hide_small=hide_small)


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
    # Columns after `columns`, each a share of two of them.
    ratios: Sequence[Ratio] = ()
    # Counts of people: shown as HIDDEN from 1 to SMALL_COUNT - 1 (and a share of fewer
    # than SMALL_COUNT not at all) when a filter could single people out. Only the small
    # cells themselves are hidden: one may still be worked out from a total and the rest
    # of its row or column, or from a share shown beside it (complementary suppression
    # is out of scope here).
    hide_small: bool = False
    # A sentence shown before the table (str() composes it in the user's language), and a
    # link (path, msgid) after it for whom the path admits.
    lead: Any = None
    lead_link: tuple[str, str] | None = None

    @property
    def headings(self) -> list[str]:
        """The columns' msgids, the ratios' included."""
        return [*self.columns, *(ratio.title for ratio in self.ratios)]

    def cells(self, values: Sequence[int]) -> list[Cell]:
        """A row's or the totals' values as the page and the exports show them."""
        counts: list[Cell] = [shown_count(value, hide_small=self.hide_small) for value in values]
        return counts + [ratio.of(values, hide_small=self.hide_small) for ratio in self.ratios]

    def row_cells(self, row: ReportRow) -> list[Cell]:
        return row.cells if row.cells is not None else self.cells(row.values)

    @property
    def totals_cells(self) -> list[Cell]:
        return self.cells(self.totals)

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


# --- building blocks --------------------------------------------------------------------


def within(column: Any, period: Period) -> ColumnElement[bool]:
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


def companies_in(municipality: str) -> Any:
    return select(Company.id).where(Company.municipality == municipality)


def company_in(company_id: Any, filters: ReportFilters) -> Any:
    """The company is in the filter's municipality: a look-up of that one company, for the
    few rows of an event (an IN over the municipality's companies was built again for every
    event)."""
    return (
        select(Company.id)
        .where(Company.id == company_id, Company.municipality == filters.municipality)
        .exists()
    )


def user_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(User.id, User.full_name)).all())


def broker_rows(values: dict[int | None, list[int]], names: dict[int, str]) -> list[ReportRow]:
    """One row per broker found, in Swedish order of name; rows without one last."""

    def name(user_id: int | None) -> Any:
        return names.get(user_id, "") if user_id is not None else Text(NO_BROKER)

    ordered = sorted(
        values, key=lambda user_id: (user_id is None, swedish_sort_key(str(name(user_id))))
    )
    return [
        ReportRow(label=name(user_id), values=values[user_id], key=user_id) for user_id in ordered
    ]
