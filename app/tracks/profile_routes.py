"""The kompetensprofil's pages: its form (a plain POST that also works without htmx;
after a save the browser goes back to the track's page) and the printable page for the
dialogue with the employer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app import saving
from app.auth.deps import AnyUser, Editor
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError
from app.i18n import N_
from app.templating import render
from app.tracks import profile as profiles
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.models import JobTrack
from app.tracks.profile import EditConflict, ProfileForm

router = APIRouter()


def _form_context(
    track: JobTrack, form: ProfileForm, error: DomainError | None = None
) -> dict[str, Any]:
    return {
        "track": track,
        "form": form,
        "error": error,
        "fields": profiles.FIELDS,
        "labels": profiles.LABELS,
        "hints": profiles.HINTS,
        "short_max": profiles.SHORT_MAX,
    }


@router.get("/tracks/{track_id:int}/profile/edit")
def edit_profile(request: Request, session: SessionDep, _user: Editor, track: TrackDep) -> Response:
    form = profiles.form_for(track, session=session)
    return render(request, "tracks/profile_form.html", _form_context(track, form))


@router.post("/tracks/{track_id:int}/profile")
def save_profile(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[ProfileForm, Form()],
) -> Response:
    track_id = track.id

    def refused(error: DomainError) -> Response:
        current = tracks.get(track_id, session=session)  # NotFound when removed meanwhile
        shown = profiles.rebase(form, error) if isinstance(error, EditConflict) else form
        return render(
            request,
            "tracks/profile_form.html",
            _form_context(current, shown, error),
            block="profile_form",
            status_code=error.http_status,
        )

    with saving.attempt(session, refused=refused):
        profiles.save(track, form, user=user, session=session, clock=clock)
    return saving.saved(
        request, session, f"/tracks/{track_id}#profile", N_("Kompetensprofilen är sparad.")
    )


@router.get("/tracks/{track_id:int}/profile/print")
def print_profile(
    request: Request, session: SessionDep, clock: ClockDep, _user: AnyUser, track: TrackDep
) -> Response:
    """The profile on A4 for the dialogue with the employer: its own page without the
    app's navigation or buttons."""
    context = {
        "track": track,
        "profile": profiles.get(track.id, session=session),
        "employers": tracks.employers(track.id, session=session),
        "fields": profiles.FIELDS,
        "labels": profiles.LABELS,
        "printed_at": clock.now(),
    }
    return render(request, "tracks/profile_print.html", context)
