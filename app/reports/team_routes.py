"""Teamöversikt at /reports/team: the page and its two tables as CSV or XLSX, for admins
and viewers (team leads and managers); the figures and who counts where are in team.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from app.auth.deps import require
from app.auth.models import Role, User
from app.companies.models import STATUS_LABELS
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import NotFound
from app.exports.files import download
from app.exports.table import ExportFormat, filename
from app.reports.team import unowned_companies, unowned_table, workload, workload_table
from app.templating import render

router = APIRouter()
TeamLead = Annotated[User, Depends(require(Role.admin, Role.viewer))]


def _page_url(number: int) -> str:
    return f"/reports/team?page={number}#unowned"


@router.get("/reports/team")
def show_team(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    _user: TeamLead,
    page: int = 1,
) -> Response:
    context = {
        "work": workload(session=session, clock=clock),
        "page": unowned_companies(page, session=session),
        "page_url": _page_url,
        "status_labels": STATUS_LABELS,
    }
    return render(request, "reports/team.html", context, block="results")


@router.get("/reports/team/{table_key}.{file_format}")
def export_team_table(
    table_key: str,
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: TeamLead,
) -> StreamingResponse:
    if table_key == "workload":
        table = workload_table(workload(session=session, clock=clock))
    elif table_key == "unowned":
        table = unowned_table(session=session)
    else:
        raise NotFound("Sidan finns inte")
    name = filename(table, file_format, clock=clock)
    # Colleagues' workload as counts, and companies no one is responsible for: not in
    # the security log (app/exports/audit.py).
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=None)
