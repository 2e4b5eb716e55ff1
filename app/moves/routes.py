"""Merge two companies (brokers) and hand companies over to another broker (admins)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import Field

from app import flash
from app.auth.deps import Admin, Editor
from app.auth.models import User
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import Company
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, SaveRefused
from app.moves import handover as handovers
from app.moves import merge as merging
from app.templating import is_fragment_request, render, see_other, translate
from app.validation import MAX_ID

router = APIRouter()


# --- merge ------------------------------------------------------------------------------


def _merge_page(
    request: Request,
    session: SessionDep,
    user: User,
    company: Company,
    *,
    q: str = "",
    other_id: int | None = None,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    plan = None
    other = None
    try:
        merging.check_mergeable(company)
        if other_id is not None:
            other = companies.get(other_id, session=session)
            plan = merging.plan(company, other, session=session)
    except DomainError as refused:
        if error is None:
            error, status_code = refused, refused.http_status
    context = {
        "company": company,
        "q": q,
        "other": other,
        "plan": plan,
        "candidates": merging.candidates(company, q, user=user, session=session)
        if plan is None and company.archived_at is None
        else [],
        "error": error,
    }
    return render(
        request, "companies/merge.html", context, block="candidates", status_code=status_code
    )


@router.get("/companies/{company_id:int}/merge")
def merge_page(
    request: Request,
    session: SessionDep,
    user: Editor,
    company: CompanyDep,
    q: Annotated[str, Query(max_length=200)] = "",
    other_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    return _merge_page(request, session, user, company, q=q, other_id=other_id)


@router.post("/companies/{company_id:int}/merge")
def merge_companies(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    other_id: Annotated[int, Form(ge=0, le=MAX_ID)],
    kept_version: Annotated[int, Form(ge=0, le=MAX_ID)],
    other_version: Annotated[int, Form(ge=0, le=MAX_ID)],
) -> Response:
    try:
        other = companies.get(other_id, session=session)
        merging.merge(
            company,
            other,
            kept_version=kept_version,
            other_version=other_version,
            user=user,
            session=session,
            clock=clock,
        )
    except DomainError as error:
        session.rollback()
        if isinstance(error, SaveRefused) and is_fragment_request(request):
            raise  # the form in the browser keeps its choice; the message goes into it
        # The preview again, as things are now, with the reason it was refused.
        return _merge_page(
            request,
            session,
            user,
            companies.get(company.id, session=session),  # type: ignore[arg-type]
            other_id=other_id,
            error=error,
            status_code=error.http_status,
        )
    session.commit()
    response = see_other(request, f"/companies/{company.id}")
    flash.add(
        response,
        request,
        translate(
            request,
            "%(other)s är sammanslaget med %(name)s och arkiverat.",
            other=other.name,
            name=company.name,
        ),
    )
    return response


# --- handover ---------------------------------------------------------------------------


def _handover_page(
    request: Request,
    session: SessionDep,
    *,
    from_user_id: int | None = None,
    to_user_id: int | None = None,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    preview = None
    if error is None and from_user_id is not None and to_user_id is not None:
        try:
            giver, taker = handovers.check_all(from_user_id, to_user_id, session=session)
            preview = {
                "giver": giver,
                "taker": taker,
                "count": handovers.count_owned(giver, session=session),
            }
        except DomainError as refused:
            error, status_code = refused, refused.http_status
    context = {
        "givers": handovers.owners_with_companies(session=session),
        "takers": companies.owners(session=session),
        "from_user_id": from_user_id,
        "to_user_id": to_user_id,
        "preview": preview,
        "error": error,
    }
    return render(request, "admin/handover.html", context, status_code=status_code)


@router.get("/admin/handover")
def handover_page(
    request: Request,
    session: SessionDep,
    admin: Admin,
    from_user_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    to_user_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    return _handover_page(request, session, from_user_id=from_user_id, to_user_id=to_user_id)


def _handed_over(request: Request, count: int, taker: User) -> Response:
    response = see_other(request, "/companies?" + urlencode({"owner": taker.id}))
    flash.add(
        response,
        request,
        translate(
            request,
            "%(count)s företag har lämnats över till %(name)s.",
            count=count,
            name=taker.full_name,
        ),
    )
    return response


@router.post("/admin/handover")
def hand_over_all(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    from_user_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
    to_user_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
) -> Response:
    try:
        count, taker = handovers.hand_over_all(
            from_user_id, to_user_id, user=admin, session=session, clock=clock
        )
    except DomainError as error:
        session.rollback()
        return _handover_page(
            request,
            session,
            from_user_id=from_user_id,
            to_user_id=to_user_id,
            error=error,
            status_code=error.http_status,
        )
    session.commit()
    return _handed_over(request, count, taker)


@router.post("/companies/handover")
def hand_over_selected(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    company_ids: Annotated[
        list[Annotated[int, Field(ge=0, le=MAX_ID)]], Form(default_factory=list)
    ],
    to_owner_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
) -> Response:
    try:
        count, taker = handovers.hand_over(
            company_ids, to_owner_id, user=admin, session=session, clock=clock
        )
    except DomainError as error:
        session.rollback()
        if isinstance(error, SaveRefused):
            raise  # answered as busy, with the choice kept to send again (app/main.py)
        response = see_other(request, "/companies")
        flash.add(response, request, translate(request, error.message, **error.variables), "error")
        return response
    session.commit()
    return _handed_over(request, count, taker)
