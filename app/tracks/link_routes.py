"""A job track's links page: its assignments, events and agreements, each attached or
detached with a plain POST; a refused one shows the page again with its message at the
form it came from and the choice kept."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, SQLModel

from app import saving
from app.assignments.models import EMPLOYMENT_TYPE_LABELS
from app.auth.deps import AnyUser, Editor
from app.auth.models import Role, User
from app.clock import Clock
from app.db import SessionDep
from app.deps import ClockDep
from app.errors import DomainError, Forbidden
from app.i18n import N_
from app.templating import render
from app.tracks import links
from app.tracks import service as tracks
from app.tracks.deps import TrackDep
from app.tracks.links import AGREEMENT, ASSIGNMENT, EVENT, LinkKind
from app.tracks.models import JobTrack

router = APIRouter()


class AttachForm(SQLModel):
    """The chosen row: one of these, by the form it came from."""

    assignment_id: str = ""
    event_id: str = ""
    agreement_id: str = ""


def links_url(track_id: int) -> str:
    return f"/tracks/{track_id}/links"


def page(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track: JobTrack,
    *,
    errors: dict[str, DomainError] | None = None,
    chosen: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    can_edit = user.role != Role.viewer
    context: dict[str, Any] = {
        "track": track,
        **links.section(track, session=session, clock=clock, user=user),
        "offered": links.offered(track, session=session, clock=clock) if can_edit else None,
        "can_edit": can_edit,
        "errors": errors or {},
        "chosen": chosen or {},
        "employment_type_labels": EMPLOYMENT_TYPE_LABELS,
    }
    return render(request, "tracks/links.html", context, status_code=status_code)


@router.get("/tracks/{track_id:int}/links")
def show_links(
    request: Request, session: SessionDep, clock: ClockDep, user: AnyUser, track: TrackDep
) -> Response:
    return page(request, session, clock, user, track)


def _refused(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track_id: int,
    kind: LinkKind,
    chosen: str = "",
) -> saving.Refused:
    def answer(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        return page(
            request,
            session,
            clock,
            user,
            tracks.get(track_id, session=session),
            errors={kind.key: error},
            chosen={kind.key: chosen},
            status_code=error.http_status,
        )

    return answer


def _attach(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track: JobTrack,
    kind: LinkKind,
    chosen: str,
) -> Response:
    track_id = track.id
    with saving.attempt(
        session, refused=_refused(request, session, clock, user, track_id, kind, chosen)
    ):
        row = links.attach(track, kind, chosen, user=user, session=session, clock=clock)
        name = links.describe(row, session=session)
    return saving.saved(
        request,
        session,
        f"{links_url(track_id)}#{kind.key}s",
        N_("%(name)s hör nu till jobbspåret."),
        name=name,
    )


def _detach(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track: JobTrack,
    kind: LinkKind,
    row_id: int,
) -> Response:
    track_id = track.id
    with saving.attempt(session, refused=_refused(request, session, clock, user, track_id, kind)):
        row = links.detach(track, kind, row_id, user=user, session=session, clock=clock)
        name = links.describe(row, session=session)
    return saving.saved(
        request,
        session,
        f"{links_url(track_id)}#{kind.key}s",
        N_("%(name)s hör inte längre till jobbspåret."),
        name=name,
    )


@router.post("/tracks/{track_id:int}/assignments")
def attach_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[AttachForm, Form()],
) -> Response:
    return _attach(request, session, clock, user, track, ASSIGNMENT, form.assignment_id)


@router.post("/tracks/{track_id:int}/assignments/{assignment_id:int}/detach")
def detach_assignment(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    assignment_id: int,
) -> Response:
    return _detach(request, session, clock, user, track, ASSIGNMENT, assignment_id)


@router.post("/tracks/{track_id:int}/events")
def attach_event(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[AttachForm, Form()],
) -> Response:
    return _attach(request, session, clock, user, track, EVENT, form.event_id)


@router.post("/tracks/{track_id:int}/events/{event_id:int}/detach")
def detach_event(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    event_id: int,
) -> Response:
    return _detach(request, session, clock, user, track, EVENT, event_id)


@router.post("/tracks/{track_id:int}/agreements")
def attach_agreement(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    form: Annotated[AttachForm, Form()],
) -> Response:
    return _attach(request, session, clock, user, track, AGREEMENT, form.agreement_id)


@router.post("/tracks/{track_id:int}/agreements/{agreement_id:int}/detach")
def detach_agreement(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    user: Editor,
    track: TrackDep,
    agreement_id: int,
) -> Response:
    return _detach(request, session, clock, user, track, AGREEMENT, agreement_id)
