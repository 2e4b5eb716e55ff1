"""CSV downloads of the company list, the contact list, a company's activities and the
assignment list. Reading only: any signed-in user, a viewer too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.assignments.listing import AssignmentFilters
from app.auth.deps import AnyUser
from app.companies.deps import CompanyDep
from app.companies.service import CompanyFilters
from app.contacts.service import ContactFilters
from app.db import SessionDep
from app.deps import ClockDep
from app.exports import service as exports

router = APIRouter()

MEDIA_TYPE = "text/csv; charset=utf-8"


def _download(chunks: Iterator[bytes], filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/companies/export.csv")
def export_companies(
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[CompanyFilters, Query()],
) -> StreamingResponse:
    chunks = exports.companies_csv(filters, user=user, session=session, clock=clock)
    return _download(chunks, exports.filename("foretag", clock=clock))


@router.get("/contacts/export.csv")
def export_contacts(
    session: SessionDep,
    clock: ClockDep,
    _user: AnyUser,
    filters: Annotated[ContactFilters, Query()],
) -> StreamingResponse:
    chunks = exports.contacts_csv(filters, session=session)
    return _download(chunks, exports.filename("kontakter", clock=clock))


@router.get("/companies/{company_id:int}/activities.csv")
def export_activities(
    company: CompanyDep, session: SessionDep, clock: ClockDep, _user: AnyUser
) -> StreamingResponse:
    chunks = exports.activities_csv(company, session=session)
    return _download(chunks, exports.activities_filename(company, clock=clock))


@router.get("/assignments/export.csv")
def export_assignments(
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AssignmentFilters, Query()],
) -> StreamingResponse:
    chunks = exports.assignments_csv(filters, user=user, session=session)
    return _download(chunks, exports.filename("rekryteringsuppdrag", clock=clock))
