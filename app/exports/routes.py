"""Downloads of the company list, the contact list, a company's activities, the
assignment list and the agreement list, as CSV (in the user's delimiter) or XLSX.
Reading only: any signed-in user, a viewer too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.agreements.listing import AgreementFilters
from app.assignments.listing import AssignmentFilters
from app.auth.deps import AnyUser
from app.companies.deps import CompanyDep
from app.companies.service import CompanyFilters
from app.contacts.service import ContactFilters
from app.db import SessionDep
from app.deps import ClockDep
from app.exports import service as exports
from app.exports.audit import logged
from app.exports.files import download
from app.exports.table import ExportFormat, filename

router = APIRouter()


@router.get("/companies/export.{file_format}")
def export_companies(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[CompanyFilters, Query()],
) -> StreamingResponse:
    table = exports.company_table(filters, user=user, session=session, clock=clock)
    name = filename(table, file_format, clock=clock)
    log = logged("companies", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


@router.get("/contacts/export.{file_format}")
def export_contacts(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[ContactFilters, Query()],
) -> StreamingResponse:
    table = exports.contact_table(filters, session=session)
    name = filename(table, file_format, clock=clock)
    log = logged("contacts", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


@router.get("/companies/{company_id:int}/activities.{file_format}")
def export_activities(
    file_format: ExportFormat,
    company: CompanyDep,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
) -> StreamingResponse:
    table = exports.activity_table(company, session=session)
    name = filename(table, file_format, clock=clock)
    log = logged(
        "activities", user=user, session=session, clock=clock, filters={"company_id": company.id}
    )
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


@router.get("/assignments/export.{file_format}")
def export_assignments(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AssignmentFilters, Query()],
) -> StreamingResponse:
    table = exports.assignment_table(filters, user=user, session=session)
    name = filename(table, file_format, clock=clock)
    log = logged("assignments", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


@router.get("/agreements/export.{file_format}")
def export_agreements(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AgreementFilters, Query()],
) -> StreamingResponse:
    # The company's signatories are named: personal data, shown as the contact export
    # shows it, to anyone who may read the list.
    table = exports.agreement_table(filters, user=user, session=session, clock=clock)
    name = filename(table, file_format, clock=clock)
    log = logged("agreements", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)
