"""Merge two companies (brokers) and hand companies over to another broker (admins)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app import saving
from app.auth.deps import Admin, Editor
from app.auth.models import User
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import Company
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, SaveRefused
from app.i18n import N_
from app.moves import handover as handovers
from app.moves import merge as merging
from app.templating import is_fragment_request, render
from app.validation import MAX_ID

router = APIRouter()


# --- merge ------------------------------------------------------------------------------


class MergeQuery(BaseModel):
    """The merge page's search for the other company (q), and the one chosen."""

    q: str = Field("", max_length=200)
    other_id: int | None = Field(None, ge=0, le=MAX_ID)


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
    other = None

    def check() -> merging.MergePlan | None:
        nonlocal other
        merging.check_mergeable(company)
        if other_id is None:
            return None
        other = companies.get(other_id, session=session)
        return merging.plan(company, other, session=session)

    plan, refused = saving.refusal(check)
    if refused is not None and error is None:
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
    query: Annotated[MergeQuery, Query()],
) -> Response:
    return _merge_page(request, session, user, company, q=query.q, other_id=query.other_id)


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
    company_id = company.id

    def refused(error: DomainError) -> Response | None:
        if isinstance(error, SaveRefused) and is_fragment_request(request):
            return None  # the form in the browser keeps its choice; the message goes into it
        # The preview again, as things are now, with the reason it was refused.
        return _merge_page(
            request,
            session,
            user,
            companies.get(company_id, session=session),
            other_id=other_id,
            error=error,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
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
    return saving.saved(
        request,
        session,
        f"/companies/{company_id}",
        N_("%(other)s är sammanslaget med %(name)s och arkiverat."),
        other=other.name,
        name=company.name,
    )


# --- handover ---------------------------------------------------------------------------


class HandoverQuery(BaseModel):
    """The two brokers of a handover of everything, to preview it."""

    from_user_id: int | None = Field(None, ge=0, le=MAX_ID)
    to_user_id: int | None = Field(None, ge=0, le=MAX_ID)


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
        users, error = saving.refusal(
            lambda: handovers.check_all(from_user_id, to_user_id, session=session)
        )
        if users is not None:
            giver, taker = users
            preview = {
                "giver": giver,
                "taker": taker,
                "count": handovers.count_owned(giver, session=session),
            }
        if error is not None:
            status_code = error.http_status
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
    query: Annotated[HandoverQuery, Query()],
) -> Response:
    return _handover_page(
        request, session, from_user_id=query.from_user_id, to_user_id=query.to_user_id
    )


def _handed_over(request: Request, session: SessionDep, count: int, taker: User) -> Response:
    return saving.saved(
        request,
        session,
        "/companies?" + urlencode({"owner": taker.id}),
        N_("%(count)s företag har lämnats över till %(name)s."),
        count=count,
        name=taker.full_name,
    )


@router.post("/admin/handover")
def hand_over_all(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    admin: Admin,
    from_user_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
    to_user_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
) -> Response:
    def refused(error: DomainError) -> Response:
        return _handover_page(
            request,
            session,
            from_user_id=from_user_id,
            to_user_id=to_user_id,
            error=error,
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        count, taker = handovers.hand_over_all(
            from_user_id, to_user_id, user=admin, session=session, clock=clock
        )
    return _handed_over(request, session, count, taker)


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
    # Busy: answered by app/main.py, with the choice kept to send again.
    with saving.attempt(session, refused=saving.refused_to(request, "/companies")):
        count, taker = handovers.hand_over(
            company_ids, to_owner_id, user=admin, session=session, clock=clock
        )
    return _handed_over(request, session, count, taker)
