"""Rapporter at /reports: the period picker and filters (a plain GET form; htmx swaps the
results), each figure as a table with its chart, and each table as CSV or XLSX. Reading
only: every signed-in role, viewers too (managers and analysts)."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from app import saving
from app.assignments.models import EMPLOYMENT_TYPE_LABELS
from app.auth.deps import AnyUser
from app.clock import today
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import NotFound
from app.exports.files import download
from app.exports.table import ExportFormat, Row, Table
from app.i18n import N_, gettext
from app.reports import charts
from app.reports import service as reports
from app.reports.period import PRESET_LABELS, Period, Preset, resolve
from app.reports.service import Report, ReportFilters, ReportTable
from app.reports.tables.activities import KINDS
from app.templating import is_fragment_request, render

router = APIRouter()
# What Excel refuses in a sheet's name (which is at most 31 characters).
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


class ReportQuery(BaseModel):
    """The query string every report URL takes: the period and the filters. Read as one
    model, as the lists read theirs (CompanyFilters)."""

    period: str = Field(default="", max_length=100)
    start: str = Field(default="", alias="from", max_length=20)
    end: str = Field(default="", alias="to", max_length=20)
    broker: str = Field(default="", max_length=100)
    employment_type: str = Field(default="", max_length=100)
    municipality: str = Field(default="", max_length=100)

    def filters(self, period: Period) -> ReportFilters:
        return ReportFilters.parse(
            period,
            broker=self.broker,
            employment_type=self.employment_type,
            municipality=self.municipality,
        )


Params = Annotated[ReportQuery, Query()]


def _charts(report: Report) -> dict[str, Any]:
    """Each chart as a function the template calls while it renders, so its texts are in
    the user's language (the active locale is set only then)."""

    def activity() -> Markup:
        table = report.activities_by_week
        return charts.bar_chart(
            chart_id="chart-activities",
            title=gettext(N_("Kontakthändelser per vecka")),
            description=gettext(
                N_("Staplat stapeldiagram över kontakthändelser per vecka och typ.")
            ),
            categories=[row.shown for row in table.rows],
            series=[
                charts.Series(label=gettext(table.columns[index]), values=table.column(index))
                for index in range(len(KINDS))
            ],
            table_id=f"table-{table.key}",
        )

    def hires() -> Markup:
        table = report.hires_by_month
        return charts.bar_chart(
            chart_id="chart-hires",
            title=gettext(N_("Antal tillsatta per månad")),
            description=gettext(
                N_("Stapeldiagram över hur många som anställdes genom uppdrag, per månad.")
            ),
            categories=[row.shown for row in table.rows],
            series=[charts.Series(label=gettext(table.columns[1]), values=table.column(1))],
            table_id=f"table-{table.key}",
        )

    def statuses() -> Markup:
        table = report.assignment_statuses
        return charts.bar_chart(
            chart_id="chart-statuses",
            title=gettext(N_("Inlagda uppdrag efter status i dag")),
            description=gettext(N_("Liggande stapeldiagram över uppdragen per status.")),
            categories=[row.shown for row in table.rows],
            series=[charts.Series(label=gettext(table.columns[0]), values=table.column(0))],
            table_id=f"table-{table.key}",
            horizontal=True,
        )

    return {
        "activities-by-week": activity,
        "hires-by-month": hires,
        "assignment-statuses": statuses,
    }


@router.get("/reports")
def show_reports(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, params: Params
) -> Response:
    day = today(clock)
    period, error = saving.refusal(
        lambda: resolve(params.period, params.start, params.end, today=day)
    )
    report = filters = None
    if period is not None:
        filters = params.filters(period)
        report = reports.report(filters, session=session, clock=clock)
    context = {
        "params": params,
        "error": error,
        "period": period,
        "filters": filters,
        "report": report,
        "charts": _charts(report) if report else {},
        "export_query": "?" + urlencode(filters.query()) if filters else "",
        "preset_labels": PRESET_LABELS,
        "chosen_preset": period.preset.value if period else Preset.custom.value,
        # The dates shown: the period's days (a preset's too, whatever stale dates the
        # form sent with it), or as typed when they make no period.
        "from_value": period.first.isoformat() if period else params.start,
        "to_value": period.last.isoformat() if period else params.end,
        "brokers": reports.brokers(session=session),
        "municipalities": reports.municipalities(session=session),
        "employment_type_labels": EMPLOYMENT_TYPE_LABELS,
        "fragment": is_fragment_request(request),
    }
    headers = None
    if filters is not None and is_fragment_request(request) and _typed_otherwise(params, period):
        # The address keeps the days as read, not as typed: "1/12" would be another day
        # next year, and a bookmark must show the same period every time.
        headers = {"HX-Push-Url": "/reports?" + urlencode(filters.query())}
    return render(
        request,
        "reports/index.html",
        context,
        block="results",
        status_code=422 if error else 200,
        headers=headers,
    )


def _typed_otherwise(params: ReportQuery, period: Period | None) -> bool:
    """Whether a custom period's days were typed other than as ISO dates ("1 dec")."""
    if period is None or period.preset != Preset.custom:
        return False
    return (params.start.strip(), params.end.strip()) != (
        period.first.isoformat(),
        period.last.isoformat(),
    )


def export_table(table: ReportTable) -> Table:
    """A report table as an export: Swedish headings and labels (no locale is active
    outside a page), the numbers as numbers (shares in whole percent, hidden small counts
    as "< 5", as on the page), and the totals as the last row."""
    headers = [table.row_header, *table.headings]
    rows: list[Row] = [[row.shown, *table.row_cells(row)] for row in table.rows]
    if table.has_totals:
        rows.append(["Totalt", *table.totals_cells])
    return Table(table.stem, _SHEET_UNSAFE.sub("", table.title)[:31].strip(), headers, [rows])


@router.get("/reports/{table_key}.{file_format}")
def export_report_table(
    table_key: str,
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    params: Params,
) -> StreamingResponse:
    if table_key not in reports.TABLE_KEYS:
        raise NotFound("Sidan finns inte")
    # A period that cannot be read is a 422 from the DomainError handler, as on the page.
    period = resolve(params.period, params.start, params.end, today=today(clock))
    report = reports.report(params.filters(period), session=session, clock=clock)
    table = export_table(report.tables[table_key])
    name = f"{table.stem}-{period.slug}.{file_format.value}"
    # Counts per group, small ones hidden: no personal data, not in the security log.
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=None)
