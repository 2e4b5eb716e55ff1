"""Job track pages: the list and its export, new, edit, the track's page, its status,
its history and deleting it. Its employers and contact persons: people_routes.py. Each
form is a plain POST that also works without htmx; a refused change on the track's page
shows the page again with the message at its form (pages.py)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app import saving
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.companies import sections
from app.companies import service as companies
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.exports.audit import logged
from app.exports.files import download
from app.exports.table import ExportFormat, filename
from app.i18n import N_
from app.templating import render, translate
from app.tracks import exports, listing, pages
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.form import TrackForm
from app.tracks.listing import TrackFilters
from app.tracks.models import TRACK_STATUS_LABELS, JobTrack
from app.tracks.service import StatusForm
from app.validation import typed_id

router = APIRouter()

# The company page's "Jobbspår" section (templates/tracks/_company_section.html).
sections.add_section(
    sections.Section(
        "tracks/_company_section.html",
        lambda company_id, session: listing.company_section(company_id, session=session),
    )
)


# --- the list ---------------------------------------------------------------------------


def _status_url(filters: TrackFilters, status: str) -> str:
    """The list of one status ("": every status), its other filters kept, on page 1."""
    query = filters.query(without=("page", "status"))
    if status:
        query["status"] = status
    return "/tracks" + (f"?{urlencode(query)}" if query else "")


@router.get("/tracks")
def list_tracks(
    request: Request,
    session: SessionDep,
    user: AnyUser,
    filters: Annotated[TrackFilters, Query()],
) -> Response:
    filters = filters.normalized()
    query = filters.query()
    context = {
        "filters": filters,
        "page": listing.list_(filters, user=user, session=session),
        "page_url": lambda number: "/tracks?" + urlencode({**query, "page": number}),
        "export_query": f"?{urlencode(query)}" if query else "",
        "status_url": lambda status: _status_url(filters, status),
        "coordinators": companies.owners(session=session),
        "employers": listing.employer_choices(session=session),
        "municipalities": listing.municipalities(session=session),
        "current_span": listing.current_span,
        "can_edit": user.role != Role.viewer,
        **pages.labels(),
    }
    return render(request, "tracks/list.html", context, block="results")


@router.get("/tracks/export.{file_format}")
def export_tracks(
    file_format: ExportFormat,
    session: SessionDep,
    clock: ClockDep,
    user: AnyUser,
    filters: Annotated[TrackFilters, Query()],
) -> StreamingResponse:
    table = exports.track_table(filters, user=user, session=session)
    name = filename(table, file_format, clock=clock)
    log = logged("tracks", user=user, session=session, clock=clock, filters=filters)
    return download(table, file_format, delimiter=user.csv_delimiter, name=name, logged=log)


# --- new and edit -----------------------------------------------------------------------


def _form_context(
    session: Session,
    form: TrackForm,
    *,
    track: JobTrack | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    people = list(companies.owners(session=session))
    # A coordinator or co-worker who has left stays listed on their own track.
    known = {person.id for person in people}
    for value in (form.coordinator_id, *form.member_ids):
        if (typed := typed_id(value)) is not None and typed not in known:
            person = session.get(User, typed)
            if person is not None:
                people.append(person)
                known.add(person.id)
    return {"track": track, "form": form, "error": error, "people": people, **pages.labels()}


@router.get("/tracks/new")
def new_track(request: Request, session: SessionDep, user: Editor) -> Response:
    return render(request, "tracks/form.html", _form_context(session, tracks.new_form(user)))


@router.post("/tracks")
def create_track(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    form: Annotated[TrackForm, Form()],
) -> Response:
    def refused(error: DomainError) -> Response:
        return render(
            request,
            "tracks/form.html",
            _form_context(session, form, error=error),
            block="track_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        track = tracks.create(form, user=user, session=session, clock=clock)
    return saving.saved(request, session, pages.track_url(track.id), N_("Jobbspåret är sparat."))


@router.get("/tracks/{track_id:int}/edit")
def edit_track(request: Request, session: SessionDep, user: Editor, track: TrackDep) -> Response:
    form = TrackForm.from_track(track, tracks.member_ids(track.id, session=session))
    return render(request, "tracks/form.html", _form_context(session, form, track=track))


@router.post("/tracks/{track_id:int}")
def update_track(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[TrackForm, Form()],
) -> Response:
    track_id = track.id

    def refused(error: DomainError) -> Response:
        current = pages.current(track_id, session)
        shown = (
            tracks.rebase(form, error, session=session)
            if isinstance(error, tracks.EditConflict)
            else form
        )
        return render(
            request,
            "tracks/form.html",
            _form_context(session, shown, track=current, error=error),
            block="track_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        tracks.update(track, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, pages.track_url(track_id), N_("Ändringarna i jobbspåret är sparade.")
    )


# --- the track's page -------------------------------------------------------------------


@router.get("/tracks/{track_id:int}")
def show_track(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, track: TrackDep
) -> Response:
    return pages.page(request, session, clock, user, track)


@router.get("/tracks/{track_id:int}/history")
def track_history(
    request: Request, session: SessionDep, user: AnyUser, track: TrackDep
) -> Response:
    """The track's whole history (its page shows the latest)."""
    entries = tracks.history_of(track.id, session=session, limit=1000)
    return render(request, "tracks/history.html", {"track": track, "history": entries})


@router.post("/tracks/{track_id:int}/status")
def change_status(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[StatusForm, Form()],
) -> Response:
    track_id = track.id
    with saving.attempt(
        session, refused=pages.refused_at(request, session, clock, user, track_id, "status")
    ):
        tracks.set_status(track, form, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        pages.track_url(track_id, "status"),
        N_("Jobbspåret har nu status %(status)s."),
        status=translate(request, TRACK_STATUS_LABELS[track.status]),
    )


@router.post("/tracks/{track_id:int}/delete")
def delete_track(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, track: TrackDep
) -> Response:
    track_id = track.id
    with saving.attempt(
        session, refused=pages.refused_at(request, session, clock, user, track_id, "delete")
    ):
        tracks.delete_track(track, user=user, session=session, clock=clock)
    return saving.saved(request, session, "/tracks", N_("Jobbspåret är borttaget."))
