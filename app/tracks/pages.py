"""The track's page (facts, the phases as a timeline, status, employers with their
contact persons, coordinator and co-workers, then the other parts' sections, history) as
every track route shows it, and a refused change shown on it with the message at its
form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import saving
from app.auth.models import Role, User
from app.clock import Clock, today
from app.errors import DomainError, Forbidden
from app.i18n import N_
from app.templating import render
from app.tracks import checklist, interventions, links, profile, results, rounds
from app.tracks import people as track_people
from app.tracks import service as tracks
from app.tracks.form import DATE_FIELDS
from app.tracks.listing import current_span
from app.tracks.models import TRACK_STATUS_LABELS, JobTrack, TrackStatus
from app.tracks.service import PHASE_STARTS, PHASE_STATUSES


def labels() -> dict[str, Any]:
    return {"track_status_labels": TRACK_STATUS_LABELS, "date_fields": DATE_FIELDS}


def track_url(track_id: int | None, anchor: str = "") -> str:
    return f"/tracks/{track_id}" + (f"#{anchor}" if anchor else "")


def current(track_id: int, session: Session) -> JobTrack:
    """The track as saved now; NotFound (a 404) when someone deleted it meanwhile."""
    return tracks.get(track_id, session=session)


@dataclass(frozen=True)
class PhaseStep:
    """A phase on the track's timeline."""

    status: TrackStatus
    starts_on: dt.date | None
    ends_on: dt.date | None  # the next phase's start, or the track's end
    current: bool
    done: bool  # a phase before the track's own


def timeline(track: JobTrack) -> list[PhaseStep]:
    at = PHASE_STATUSES.index(track.status) if track.status in PHASE_STATUSES else -1
    steps = []
    for index, status in enumerate(PHASE_STATUSES):
        following = PHASE_STATUSES[index + 1] if index + 1 < len(PHASE_STATUSES) else None
        steps.append(
            PhaseStep(
                status=status,
                starts_on=getattr(track, PHASE_STARTS[status]),
                ends_on=getattr(track, PHASE_STARTS[following]) if following else track.ends_on,
                current=index == at,
                done=index < at,
            )
        )
    return steps


# Each status button's words (msgids): the next phase, one back, cancel, reopen.
STATUS_ACTIONS = {
    "next": N_("Till nästa fas: %(phase)s"),
    "back": N_("Tillbaka till %(phase)s"),
    "cancel": N_("Avbryt jobbspåret"),
    "reopen": N_("Återuppta jobbspåret i fasen %(phase)s"),
}


def status_actions(track: JobTrack, user: User, *, clock: Clock) -> list[tuple[str, TrackStatus]]:
    """The status buttons the user may press: (action, status to go to)."""
    if user.role == Role.viewer:
        return []
    if track.status == TrackStatus.cancelled:
        reopen = tracks.reopen_status(track, clock=clock)
        return [("reopen", reopen)] if tracks.may_manage(track, user) else []
    found: list[tuple[str, TrackStatus]] = []
    if (following := tracks.next_phase(track)) is not None:
        found.append(("next", following))
    if (earlier := tracks.previous_phase(track)) is not None:
        found.append(("back", earlier))
    if tracks.may_manage(track, user):
        found.append(("cancel", TrackStatus.cancelled))
    return found


def page(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track: JobTrack,
    *,
    errors: dict[str, DomainError] | None = None,
    status_code: int = 200,
) -> Response:
    coordinator, members = tracks.team(track, session=session)
    can_edit = user.role != Role.viewer
    context = {
        "track": track,
        "coordinator": coordinator,
        "members": members,
        "people": track_people.people(track.id, session=session),
        "contact_choices": track_people.contact_choices(track.id, session=session)
        if can_edit
        else [],
        "phase_steps": timeline(track),
        "span": current_span(track),
        "status_actions": status_actions(track, user, clock=clock),
        "status_action_labels": STATUS_ACTIONS,
        "history": tracks.history_of(track.id, session=session),
        "today": today(clock),
        "can_edit": can_edit,
        "may_manage": tracks.may_manage(track, user),
        "errors": errors or {},
        **labels(),
    }
    # The parts' sections, each from its own module: profile and insatspaket, checklist,
    # the assignments, events and agreements on the track, its results, its rounds.
    for part in (profile, interventions, checklist, links, results, rounds):
        context.update(part.section(track, session=session, clock=clock, user=user))
    return render(request, "tracks/page.html", context, status_code=status_code)


def refused_at(
    request: Request,
    session: Session,
    clock: Clock,
    user: User,
    track_id: int,
    key: str,
) -> saving.Refused:
    """A change the service refused: the page again with the message at its form (`key`);
    Forbidden is the 403 page (app/main.py)."""

    def answer(error: DomainError) -> Response | None:
        if isinstance(error, Forbidden):
            return None
        return page(
            request,
            session,
            clock,
            user,
            current(track_id, session),
            errors={key: error},
            status_code=error.http_status,
        )

    return answer
