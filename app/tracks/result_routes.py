"""A job track's results page: the participants by stage, their outcomes with shares,
the rounds of its series compared, and (for brokers and admins) the form for the counts.
A refused form shows the page again with its message and what was typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, Forbidden
from app.i18n import N_
from app.templating import render
from app.tracks import outcome as outcomes
from app.tracks import results
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.models import JobTrack
from app.tracks.outcome import COUNTS, HAND_KINDS, ResultsForm

router = APIRouter()


def results_url(track_id: int) -> str:
    return f"/tracks/{track_id}/results"


def page(
    request: Request,
    session: Session,
    user: User,
    track: JobTrack,
    *,
    form: ResultsForm | None = None,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    found = outcomes.outcome(track, session=session)
    shown = form or ResultsForm.from_outcome(found)
    # A form shown again keeps what was typed, but is now based on what is saved.
    shown.seen = outcomes.fingerprint(found)
    context = {
        "track": track,
        "outcome": found,
        "stages": results.stages(found),
        "outcome_lines": results.outcome_lines(found),
        "rounds": results.series(track, session=session),
        "can_edit": user.role != Role.viewer,
        "form": shown,
        "typed_kinds": shown.by_kind(),
        "hand_kinds": HAND_KINDS,
        "form_fields": [*COUNTS, *(f"count-{kind.value}" for kind in HAND_KINDS)],
        "error": error,
        **results.labels(),
    }
    return render(request, "tracks/results.html", context, status_code=status_code)


@router.get("/tracks/{track_id:int}/results")
def show_results(request: Request, session: SessionDep, user: AnyUser, track: TrackDep) -> Response:
    return page(request, session, user, track)


@router.post("/tracks/{track_id:int}/results")
def save_results(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[ResultsForm, Form()],
) -> Response:
    track_id = track.id

    def refused(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        current = tracks.get(track_id, session=session)
        return page(
            request, session, user, current, form=form, error=error, status_code=error.http_status
        )

    with saving.attempt(session, refused=refused):
        outcomes.save(track, form, user=user, session=session, clock=clock)
    return saving.saved(request, session, results_url(track_id), N_("Resultatet är sparat."))
