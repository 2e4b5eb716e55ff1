"""Agreement pages: the list of every company's agreements, and new, renew ("Förnya"),
edit and delete from the company page. Every form is a plain POST that also works
without htmx; after a save the browser goes back to the company's page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import parents, saving
from app.agreements import listing
from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.agreements.listing import AgreementFilters
from app.agreements.models import KIND_LABELS, STATE_LABELS, Agreement
from app.agreements.service import ENDING_DAYS, EditConflict
from app.auth.deps import AnyUser, Editor
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import Company
from app.contacts import service as contacts
from app.db import SessionDep, get_typed
from app.deps import ClockDep
from app.errors import DomainError
from app.i18n import N_
from app.templating import render

router = APIRouter()


def valid_agreement(agreement_id: int, session: SessionDep) -> Agreement:
    """The agreement the path names, or NotFound (a 404, app/main.py)."""
    return agreements.get(agreement_id, session=session)


AgreementDep = Annotated[Agreement, Depends(valid_agreement)]


def _labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "state_labels": STATE_LABELS, "ending_days": ENDING_DAYS}


def _company_url(company_id: int) -> str:
    return f"/companies/{company_id}#agreements"


# --- the list ---------------------------------------------------------------------------


def _state_url(filters: AgreementFilters, state: str) -> str:
    """The list of one status ("": every status), its other filters kept, on page 1."""
    query = filters.query(without=("page", "state"))
    if state:
        query["state"] = state
    return "/agreements" + (f"?{urlencode(query)}" if query else "")


@router.get("/agreements")
def list_agreements(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[AgreementFilters, Query()],
) -> Response:
    filters = filters.normalized()
    query = filters.query()
    chosen = session.get(Company, int(filters.company_id)) if filters.company_id else None
    context = {
        "filters": filters,
        "page": listing.list_(filters, user=user, session=session, clock=clock),
        "page_url": lambda number: "/agreements?" + urlencode({**query, "page": number}),
        "export_query": f"?{urlencode(query)}" if query else "",
        "state_url": lambda state: _state_url(filters, state),
        "chosen_company": chosen,
        "owners": companies.owners(session=session),
        "municipalities": companies.municipalities(session=session),
        "can_edit": agreements.may_edit(user),
        **_labels(),
    }
    return render(request, "agreements/list.html", context, block="results")


# --- new, renew, edit, delete -----------------------------------------------------------


def _form_context(
    session: Session,
    company: Company,
    form: AgreementForm,
    *,
    agreement: Agreement | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    renewed = (
        get_typed(session, Agreement, form.renews_id)
        if agreement is None and form.renews_id
        else None
    )
    keep = agreement.unit_signatory_id if agreement else None
    return {
        "company": company,
        "agreement": agreement,
        "parent_track": parents.parent(
            "track", agreement.track_id if agreement else None, session=session
        ),
        "renewed": renewed,
        "form": form,
        "error": error,
        "contacts": contacts.list_for_company(company.id, session=session),
        "assignment_choices": listing.assignment_choices(company.id, session=session),
        "people": listing.unit_signatories(session=session, keep=keep),
        **_labels(),
    }


@router.get("/companies/{company_id:int}/agreements/new")
def new_agreement(
    request: Request, session: SessionDep, user: Editor, company: CompanyDep
) -> Response:
    form = agreements.new_form(user)
    return render(request, "agreements/form.html", _form_context(session, company, form))


@router.get("/agreements/{agreement_id:int}/renew")
def renew_agreement(
    request: Request, session: SessionDep, user: Editor, agreement: AgreementDep
) -> Response:
    """ "Förnya": the new agreement's form, filled in from this one; it saves a new one."""
    company = companies.get(agreement.company_id, session=session)
    form = agreements.renew_form(agreement, session=session)
    return render(request, "agreements/form.html", _form_context(session, company, form))


@router.post("/companies/{company_id:int}/agreements")
def create_agreement(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[AgreementForm, Form()],
) -> Response:
    company_id = company.id

    def refused(error: DomainError) -> Response:
        return render(
            request,
            "agreements/form.html",
            _form_context(session, companies.get(company_id, session=session), form, error=error),
            block="agreement_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        agreements.create(company, form, user=user, session=session, clock=clock)
    return saving.saved(request, session, _company_url(company_id), N_("Avtalet är sparat."))


@router.get("/agreements/{agreement_id:int}/edit")
def edit_agreement(
    request: Request, session: SessionDep, user: Editor, agreement: AgreementDep
) -> Response:
    company = companies.get(agreement.company_id, session=session)
    signatories = agreements.signatory_ids(agreement.id, session=session)
    form = AgreementForm.from_agreement(agreement, signatories)
    context = _form_context(session, company, form, agreement=agreement)
    return render(request, "agreements/form.html", context)


@router.post("/agreements/{agreement_id:int}")
def update_agreement(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    agreement: AgreementDep,
    form: Annotated[AgreementForm, Form()],
) -> Response:
    agreement_id, company_id = agreement.id, agreement.company_id

    def refused(error: DomainError) -> Response:
        # NotFound (a 404) when someone deleted it meanwhile.
        current = agreements.get(agreement_id, session=session)
        shown = (
            agreements.rebase(form, error, session=session)
            if isinstance(error, EditConflict)
            else form
        )
        company = companies.get(current.company_id, session=session)
        return render(
            request,
            "agreements/form.html",
            _form_context(session, company, shown, agreement=current, error=error),
            block="agreement_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        agreements.update(agreement, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, _company_url(company_id), N_("Ändringarna i avtalet är sparade.")
    )


@router.post("/agreements/{agreement_id:int}/delete")
def delete_agreement(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    agreement: AgreementDep,
) -> Response:
    company_id = agreement.company_id
    with saving.attempt(session):
        agreements.delete(agreement, user=user, session=session, clock=clock)
    return saving.saved(request, session, _company_url(company_id), N_("Avtalet är borttaget."))
