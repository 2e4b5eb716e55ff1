"""A track's employers (find one in the register, add, remove) and contact persons (add,
remove). A refused change shows the track's page again with the message at its form
(pages.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from app import saving
from app.auth.deps import Editor
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.i18n import N_
from app.templating import render
from app.tracks import pages
from app.tracks import people as track_people
from app.tracks.deps import TrackDep
from app.tracks.models import JobTrackCompany, JobTrackContact

router = APIRouter()


def valid_employer(track_id: int, company_id: int, session: SessionDep) -> JobTrackCompany:
    return track_people.get_employer(track_id, company_id, session=session)


def valid_contact(track_id: int, contact_id: int, session: SessionDep) -> JobTrackContact:
    return track_people.get_contact(track_id, contact_id, session=session)


EmployerDep = Annotated[JobTrackCompany, Depends(valid_employer)]
ContactLinkDep = Annotated[JobTrackContact, Depends(valid_contact)]


@router.get("/tracks/{track_id:int}/companies/new")
def find_employer(
    request: Request,
    session: SessionDep,
    user: Editor,
    track: TrackDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The register's search, to add an employer: a page of its own without htmx, the
    results alone for the search box on the track's page. Samverkansparter are shown as
    such, not to be added."""
    found = (
        companies.list_(companies.CompanyFilters(q=q), user=user, session=session).rows
        if q.strip()
        else []
    )
    partners = track_people.partner_ids([row.company.id for row in found], session=session)
    taken = track_people.company_ids(track.id, session=session)
    context = {"track": track, "q": q, "found": found, "taken": taken, "partners": partners}
    return render(request, "tracks/find_company.html", context, block="found")


@router.post("/tracks/{track_id:int}/companies")
def add_employer(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    company_id: Annotated[str, Form()] = "",
) -> Response:
    track_id = track.id
    refused = pages.refused_at(request, session, clock, user, track_id, "employers")
    with saving.attempt(session, refused=refused):
        link = track_people.add_employer(track, company_id, user=user, session=session, clock=clock)
    company = companies.get(link.company_id, session=session)
    return saving.saved(
        request,
        session,
        pages.track_url(track_id, f"employer-{link.company_id}"),
        N_("%(company)s är med i jobbspåret."),
        company=company.name,
    )


@router.post("/tracks/{track_id:int}/companies/{company_id:int}/delete")
def remove_employer(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    link: EmployerDep,
) -> Response:
    track_id = track.id
    refused = pages.refused_at(request, session, clock, user, track_id, "employers")
    with saving.attempt(session, refused=refused):
        track_people.remove_employer(track, link, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.track_url(track_id, "employers"),
        N_("Företaget är borttaget från jobbspåret."),
    )


@router.post("/tracks/{track_id:int}/contacts")
def add_contact(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    contact_id: Annotated[str, Form()] = "",
) -> Response:
    track_id = track.id
    refused = pages.refused_at(request, session, clock, user, track_id, "contacts")
    with saving.attempt(session, refused=refused):
        contact = track_people.add_contact(
            track, contact_id, user=user, session=session, clock=clock
        )
    return saving.saved(
        request,
        session,
        pages.track_url(track_id, "people"),
        N_("%(name)s är med i jobbspåret."),
        name=contact.name,
    )


@router.post("/tracks/{track_id:int}/contacts/{contact_id:int}/delete")
def remove_contact(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    link: ContactLinkDep,
) -> Response:
    track_id = track.id
    refused = pages.refused_at(request, session, clock, user, track_id, "contacts")
    with saving.attempt(session, refused=refused):
        track_people.remove_contact(track, link, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.track_url(track_id, "people"),
        N_("Kontaktpersonen är borttagen från jobbspåret."),
    )
