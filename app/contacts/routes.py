"""Contact pages: the searchable list of all contacts, and the inline add, edit, remove and
erase (GDPR) on the company page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role
from app.companies import service as companies
from app.companies.deps import CompanyDep
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.service import ContactFilters, ContactForm, EditConflict
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.history import service as history
from app.i18n import N_
from app.templating import is_fragment_request, render, see_other

router = APIRouter()

# The notice does not name the person: their name is what was just erased.
ERASED = N_("Personuppgifterna är raderade, även i historiken.")


def valid_contact(contact_id: int, session: SessionDep) -> Contact:
    return contacts.get(contact_id, session=session)  # NotFound: a 404 (app/main.py)


ContactDep = Annotated[Contact, Depends(valid_contact)]


def _list_url(filters: ContactFilters, page: int = 1) -> str:
    query: dict[str, object] = {}
    if filters.q:
        query["q"] = filters.q
    if filters.supervisors:
        query["supervisors"] = "true"
    if filters.sort != "name":
        query["sort"] = filters.sort
    if page > 1:
        query["page"] = page
    return "/contacts" + (f"?{urlencode(query)}" if query else "")


@router.get("/contacts")
def list_contacts(
    request: Request,
    session: SessionDep,
    user: AnyUser,
    filters: Annotated[ContactFilters, Query()],
) -> Response:
    filters = filters.normalized()
    context = {
        "filters": filters,
        "page": contacts.list_(filters, session=session),
        "page_url": lambda number: _list_url(filters, number),
    }
    return render(request, "contacts/list.html", context, block="results")


def _company_page(company_id: int, contact_id: int | None = None) -> str:
    return f"/companies/{company_id}#" + (f"contact-{contact_id}" if contact_id else "contacts")


def _saved(
    request: Request, session: Session, company_id: int, message: str, **variables: object
) -> Response:
    """After a change: htmx gets the company's contacts section again (and the notice in
    the flash area); a plain form goes back to the company page."""

    def section(notice: str | None) -> Response:
        context = {
            "company": companies.get(company_id, session=session),
            "contacts": contacts.list_for_company(company_id, session=session),
            "can_edit": True,
            "history": history.for_company(company_id, session=session),
            "notice": notice,
        }
        return render(
            request,
            "contacts/_changed.html",
            context,
            headers={"HX-Retarget": "#contacts", "HX-Reswap": "outerHTML"},
        )

    url = _company_page(company_id)
    return saving.saved(request, session, url, message, fragment=section, values=variables)


@router.post("/companies/{company_id:int}/contacts")
def add_contact(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    company: CompanyDep,
    form: Annotated[ContactForm, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "contacts/new.html",
            {"company": company, "add_form": form, "add_error": error},
            block="add_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        contact = contacts.create(company, form, user=user, session=session, clock=clock)
    return _saved(
        request,
        session,
        company.id,
        N_("%(name)s är tillagd."),
        name=contact.name,
    )


@router.get("/contacts/{contact_id:int}")
def show_contact(
    request: Request, session: SessionDep, user: AnyUser, contact: ContactDep
) -> Response:
    """One contact as on the company page (where a cancelled inline edit goes back to)."""
    if not is_fragment_request(request):
        return see_other(request, _company_page(contact.company_id, contact.id))
    company = companies.get(contact.company_id, session=session)
    context = {"company": company, "contact": contact, "can_edit": user.role != Role.viewer}
    return render(request, "contacts/_contact.html", context)


def _edit_context(
    session: Session, contact: Contact, form: ContactForm, error: DomainError | None = None
) -> dict[str, object]:
    return {
        "company": companies.get(contact.company_id, session=session),
        "contact": contact,
        "form": form,
        "error": error,
    }


@router.get("/contacts/{contact_id:int}/edit")
def edit_contact(
    request: Request, session: SessionDep, user: Editor, contact: ContactDep
) -> Response:
    context = _edit_context(session, contact, ContactForm.from_contact(contact))
    return render(request, "contacts/edit.html", context, block="edit_form")


@router.post("/contacts/{contact_id:int}")
def update_contact(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    contact: ContactDep,
    form: Annotated[ContactForm, Form()],
) -> Response:
    contact_id, company_id = contact.id, contact.company_id

    def refused(error: DomainError) -> Response:
        # NotFound (a 404) when someone removed the contact meanwhile.
        current = contacts.get(contact_id, session=session)
        shown = (
            contacts.rebase(form, current, error.changes)
            if isinstance(error, EditConflict)
            else form
        )
        return render(
            request,
            "contacts/edit.html",
            _edit_context(session, current, shown, error),
            block="edit_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        contacts.update(contact, form, user=user, session=session, clock=clock)
    return _saved(
        request, session, company_id, N_("Ändringarna för %(name)s är sparade."), name=contact.name
    )


@router.post("/contacts/{contact_id:int}/delete")
def delete_contact(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, contact: ContactDep
) -> Response:
    company_id, name = contact.company_id, contact.name
    contacts.delete(contact, user=user, session=session, clock=clock)
    return _saved(request, session, company_id, N_("%(name)s är borttagen."), name=name)


@router.post("/contacts/{contact_id:int}/erase-history")
def erase_deleted_contact(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, contact_id: int
) -> Response:
    """Radera person for a contact deleted earlier, from the company's history."""
    with saving.attempt(session):  # refused: NotFound, Conflict (app/main.py answers)
        company_id = contacts.erase_deleted(contact_id, user=user, session=session, clock=clock)
    return saving.saved(request, session, _company_page(company_id), ERASED)


@router.get("/contacts/{contact_id:int}/erase")
def confirm_erase(
    request: Request, session: SessionDep, user: Editor, contact: ContactDep
) -> Response:
    company = companies.get(contact.company_id, session=session)
    return render(request, "contacts/erase.html", {"company": company, "contact": contact})


@router.post("/contacts/{contact_id:int}/erase")
def erase_contact(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, contact: ContactDep
) -> Response:
    company_id = contact.company_id
    contacts.erase(contact, user=user, session=session, clock=clock)
    return saving.saved(request, session, _company_page(company_id), ERASED)
