""" "Ny omgång": the form that starts a new round of a job track, showing what it copies,
and its plain POST, which goes on to the new round's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import Editor
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.i18n import N_
from app.phases import PHASE_LABELS
from app.templating import render
from app.tracks import rounds
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.models import INTERVENTION_LABELS, JobTrack
from app.tracks.rounds import NewRoundForm

router = APIRouter()


def _context(
    session: Session, track: JobTrack, form: NewRoundForm, error: DomainError | None = None
) -> dict[str, Any]:
    return {
        "track": track,
        "form": form,
        "error": error,
        "preview": rounds.preview(track, session=session),
        "start_label": rounds.START_LABEL,
        "phase_labels": PHASE_LABELS,
        "intervention_labels": INTERVENTION_LABELS,
    }


@router.get("/tracks/{track_id:int}/new-round")
def new_round_form(
    request: Request, session: SessionDep, clock: ClockDep, user: Editor, track: TrackDep
) -> Response:
    form = rounds.new_form(track, clock=clock)
    return render(request, "tracks/new_round.html", _context(session, track, form))


@router.post("/tracks/{track_id:int}/new-round")
def create_round(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[NewRoundForm, Form()],
) -> Response:
    track_id = track.id

    def refused(error: DomainError) -> Response:
        current = tracks.get(track_id, session=session)
        return render(
            request,
            "tracks/new_round.html",
            _context(session, current, form, error),
            block="round_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        copy = rounds.new_round(track, form, user=user, session=session, clock=clock)
    return saving.saved(
        request,
        session,
        f"/tracks/{copy.id}",
        N_("Omgång %(number)s av %(name)s är skapad."),
        number=copy.round_number,
        name=copy.name,
    )
