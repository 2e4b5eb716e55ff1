"""Company pages: the searchable list, the company page, create, edit, archive, restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.activities import service as activities
from app.activities.models import KIND_LABELS
from app.agreements import listing as agreement_listing
from app.assignments import service as assignments
from app.auth.deps import Admin, AnyUser, Editor
from app.auth.models import Role, User
from app.clock import today
from app.companies import sections
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.companies.models import (
    AGREEMENT_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    Company,
    CompanyKind,
)
from app.companies.models import KIND_LABELS as COMPANY_KIND_LABELS
from app.companies.service import (
    NOT_CONTACTED_DAYS,
    CompanyFilters,
    CompanyForm,
    EditConflict,
)
from app.contacts import service as contacts
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.history import service as history
from app.i18n import N_
from app.templating import render

router = APIRouter(prefix="/companies")


def _choices(session: Session) -> dict[str, object]:
    return {
        "status_labels": STATUS_LABELS,
        "company_kind_labels": COMPANY_KIND_LABELS,
        "size_labels": SIZE_LABELS,
        "agreement_labels": AGREEMENT_LABELS,
        "owners": companies.owners(session=session),
    }


@router.get("")
def list_companies(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[CompanyFilters, Query()],
) -> Response:
    filters = filters.normalized()
    page = companies.list_(filters, user=user, session=session, clock=clock)
    defaults = CompanyFilters()
    query = {
        name: "true" if value is True else value
        for name, value in filters.model_dump().items()
        if name != "page" and value != getattr(defaults, name)
    }
    context = {
        "filters": filters,
        "page": page,
        "query": query,
        "page_url": lambda number: "/companies?" + urlencode({**query, "page": number}),
        "tags": companies.all_tags(session=session),
        "municipalities": companies.municipalities(session=session),
        "can_edit": user.role != Role.viewer,
        "not_contacted_days": NOT_CONTACTED_DAYS,
        **_choices(session),
    }
    return render(request, "companies/list.html", context, block="results")


@router.get("/new")
def new_company(request: Request, session: SessionDep, user: Editor, kind: str = "") -> Response:
    """The form for a new company; ?kind=partner for a new samverkanspart (the kind chosen,
    no owner proposed: a partner is nobody's account)."""
    partner = kind == CompanyKind.partner.value
    form = CompanyForm(
        kind=CompanyKind.partner.value if partner else CompanyKind.employer.value,
        owner_id=str(user.id) if user.role == Role.broker and not partner else "",
    )
    return render(request, "companies/form.html", _form_context(session, form))


def _form_context(
    session: Session,
    form: CompanyForm,
    *,
    company: Company | None = None,
    error: DomainError | None = None,
) -> dict[str, object]:
    return {"form": form, "company": company, "error": error, **_choices(session)}


@router.post("")
def create_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    form: Annotated[CompanyForm, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "companies/form.html",
            _form_context(session, form, error=error),
            block="company_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        company = companies.create(form, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        f"/companies/{company.id}",
        N_("Företaget %(name)s är sparat."),
        name=company.name,
    )


@router.get("/{company_id:int}")
def company_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    company: CompanyDep,
    log: bool = False,
) -> Response:
    """The company; with ?log=1 its call-log form open, focus in its notes (where Min dag's
    "Logga samtal" leads without JavaScript)."""
    owner = session.get(User, company.owner_id) if company.owner_id else None
    context = {
        "company": company,
        "owner": owner,
        "tags": companies.tag_names(company.id, session=session),
        "contacts": contacts.list_for_company(company.id, session=session),
        # The call log (templates/activities/_section.html).
        "timeline": activities.timeline(company.id, session=session),
        "opened": log,
        "kind_labels": KIND_LABELS,
        "today": today(clock),
        "may_change_activity": activities.may_change,
        # Its recruitment assignments (templates/assignments/_company_section.html).
        **assignments.company_section(company.id, session=session),
        # Its agreements (templates/agreements/_company_section.html).
        **agreement_listing.company_section(company.id, session=session, clock=clock),
        # What features above the register add (companies/sections.py): its job tracks.
        **sections.page_context(company.id, session=session),
        # What the call-log form offers to link a call to.
        "assignment_choices": assignments.link_choices(company.id, session=session),
        "history": history.for_company(company.id, session=session),
        "merged_into": session.get(Company, company.merged_into_id)
        if company.merged_into_id
        else None,
        "can_edit": user.role != Role.viewer,
        "is_admin": user.role == Role.admin,
        **_choices(session),
    }
    return render(request, "companies/detail.html", context)


@router.get("/{company_id:int}/edit")
def edit_company(
    request: Request, session: SessionDep, user: Editor, company: CompanyDep
) -> Response:
    tags = companies.tag_names(company.id, session=session)
    form = CompanyForm.from_company(company, tags)
    # A merged company is not edited: the form says so at once, with the way to the other.
    merged = (
        companies.MergedAway(session.get(Company, company.merged_into_id))
        if company.merged_into_id
        else None
    )
    context = _form_context(session, form, company=company, error=merged)
    return render(request, "companies/form.html", context)


@router.post("/{company_id:int}")
def update_company(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[CompanyForm, Form()],
) -> Response:
    company_id = company.id

    def refused(error: DomainError) -> Response:
        current = companies.get(company_id, session=session)
        shown = (
            companies.rebase(form, error, session=session)
            if isinstance(error, EditConflict)
            else form
        )
        return render(
            request,
            "companies/form.html",
            _form_context(session, shown, company=current, error=error),
            block="company_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        companies.update(company, form, user=user, session=session, clock=clock)
    return saving.saved(request, session, f"/companies/{company_id}", N_("Ändringarna är sparade."))


def _change_state(
    request: Request,
    session: SessionDep,
    company: Company,
    change: Callable[[], object],
    message: str,
) -> Response:
    """Archive or restore: a refusal is flashed on the company's page; a busy database is
    answered as such (app/main.py), nothing saved, to try again."""
    url = f"/companies/{company.id}"
    with saving.attempt(session, refused=saving.refused_to(request, url)):
        change()
    return saving.saved(request, session, url, message, name=company.name)


@router.post("/{company_id:int}/archive")
def archive_company(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, company: CompanyDep
) -> Response:
    return _change_state(
        request,
        session,
        company,
        lambda: companies.archive(company, user=user, session=session, clock=clock),
        N_("%(name)s är arkiverat. En administratör kan återställa det."),
    )


@router.post("/{company_id:int}/restore")
def restore_company(
    request: Request, session: SessionDep, clock: ClockDep, user: Admin, company: CompanyDep
) -> Response:
    return _change_state(
        request,
        session,
        company,
        lambda: companies.restore(company, user=user, session=session, clock=clock),
        N_("%(name)s är återställt."),
    )
