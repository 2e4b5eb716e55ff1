"""The insatspaket's pages: a new insats, its edit (with "move those after it too") and
its removal. Every form is a plain POST that also works without htmx; after a save the
browser goes back to the track's timeline, a refused form is shown again in place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import Editor
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.i18n import N_
from app.templating import render
from app.tracks import interventions
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.interventions import EditConflict, InterventionForm
from app.tracks.models import INTERVENTION_LABELS, Intervention, JobTrack

router = APIRouter()


def valid_intervention(track_id: int, intervention_id: int, session: SessionDep) -> Intervention:
    """The track's insats the path names, or NotFound (a 404, app/main.py)."""
    return interventions.get(track_id, intervention_id, session=session)


InterventionDep = Annotated[Intervention, Depends(valid_intervention)]


def _timeline_url(track_id: int) -> str:
    return f"/tracks/{track_id}#interventions"


def _form_context(
    session: Session,
    track: JobTrack,
    form: InterventionForm,
    *,
    intervention: Intervention | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    keep = intervention.provider_id if intervention else None
    partners, employers = interventions.providers(track.id, session=session, keep=keep)
    later = interventions.later(intervention, session=session) if intervention else []
    return {
        "track": track,
        "intervention": intervention,
        "form": form,
        "error": error,
        "kind_labels": INTERVENTION_LABELS,
        "partners": partners,
        "employers": employers,
        "later_count": len(later),
    }


@router.get("/tracks/{track_id:int}/interventions/new")
def new_intervention(
    request: Request, session: SessionDep, _user: Editor, track: TrackDep
) -> Response:
    form = InterventionForm()
    return render(request, "tracks/intervention_form.html", _form_context(session, track, form))


@router.post("/tracks/{track_id:int}/interventions")
def create_intervention(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[InterventionForm, Form()],
) -> Response:
    track_id = track.id

    def refused(error: DomainError) -> Response:
        current = tracks.get(track_id, session=session)
        return render(
            request,
            "tracks/intervention_form.html",
            _form_context(session, current, form, error=error),
            block="intervention_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        interventions.create(track, form, user=user, session=session, clock=clock)
    return saving.saved(request, session, _timeline_url(track_id), N_("Insatsen är sparad."))


@router.get("/tracks/{track_id:int}/interventions/{intervention_id:int}/edit")
def edit_intervention(
    request: Request,
    session: SessionDep,
    _user: Editor,
    track: TrackDep,
    intervention: InterventionDep,
) -> Response:
    form = InterventionForm.from_intervention(intervention)
    context = _form_context(session, track, form, intervention=intervention)
    return render(request, "tracks/intervention_form.html", context)


@router.post("/tracks/{track_id:int}/interventions/{intervention_id:int}")
def update_intervention(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    intervention: InterventionDep,
    form: Annotated[InterventionForm, Form()],
) -> Response:
    track_id, intervention_id = track.id, intervention.id

    def refused(error: DomainError) -> Response:
        # NotFound (a 404) when someone removed it meanwhile.
        current_track = tracks.get(track_id, session=session)
        current = interventions.get(track_id, intervention_id, session=session)
        shown = (
            interventions.rebase(form, error, session=session)
            if isinstance(error, EditConflict)
            else form
        )
        return render(
            request,
            "tracks/intervention_form.html",
            _form_context(session, current_track, shown, intervention=current, error=error),
            block="intervention_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        moved = interventions.update(
            track, intervention, form, user=user, session=session, clock=clock
        )
    if moved == 1:
        message = N_("Insatsen är sparad, och insatsen efter den flyttades lika många dagar.")
    elif moved:
        message = N_(
            "Insatsen är sparad, och de %(count)s insatserna efter den flyttades lika många dagar."
        )
    else:
        message = N_("Insatsen är sparad.")
    return saving.saved(request, session, _timeline_url(track_id), message, count=moved)


@router.post("/tracks/{track_id:int}/interventions/{intervention_id:int}/delete")
def delete_intervention(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    intervention: InterventionDep,
) -> Response:
    track_id = track.id
    with saving.attempt(session):
        interventions.delete(track, intervention, user=user, session=session, clock=clock)
    return saving.saved(request, session, _timeline_url(track_id), N_("Insatsen är borttagen."))
