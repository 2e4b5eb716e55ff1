"""Downloads of the company list, the contact list, a company's activities and the
assignment list, as CSV (in the user's delimiter) or XLSX. Reading only: any signed-in
user, a viewer too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.assignments.listing import AssignmentFilters
from app.auth.deps import AnyUser
from app.auth.models import User
from app.clock import Clock
from app.companies.deps import CompanyDep
from app.companies.service import CompanyFilters
from app.contacts.service import ContactFilters
from app.db import SessionDep
from app.deps import ClockDep
from app.exports import service as exports
from app.exports.table import ExportFormat, Table, filename

router = APIRouter()


def download(
    table: Table, file_format: ExportFormat, *, user: User, clock: Clock
) -> StreamingResponse:
    """The table as a file download; CSV in the delimiter the user chose."""
    return StreamingResponse(
        exports.render(table, file_format, delimiter=user.csv_delimiter),
        media_type=exports.MEDIA_TYPES[file_format],
        headers={
            "Content-Disposition": (
                f'attachment; filename="{filename(table, file_format, clock=clock)}"'
            ),
            "Cache-Control": "no-store",
        },
    )


@router.get("/companies/export.{file_format}")
def export_companies(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[CompanyFilters, Query()],
) -> StreamingResponse:
    table = exports.company_table(filters, user=user, session=session, clock=clock)
    return download(table, file_format, user=user, clock=clock)


@router.get("/contacts/export.{file_format}")
def export_contacts(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[ContactFilters, Query()],
) -> StreamingResponse:
    table = exports.contact_table(filters, session=session)
    return download(table, file_format, user=user, clock=clock)


@router.get("/companies/{company_id:int}/activities.{file_format}")
def export_activities(
    file_format: ExportFormat,
    company: CompanyDep,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
) -> StreamingResponse:
    table = exports.activity_table(company, session=session)
    return download(table, file_format, user=user, clock=clock)


@router.get("/assignments/export.{file_format}")
def export_assignments(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AssignmentFilters, Query()],
) -> StreamingResponse:
    table = exports.assignment_table(filters, user=user, session=session)
    return download(table, file_format, user=user, clock=clock)
