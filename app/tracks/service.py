"""Job tracks: create, edit (with edit conflicts), move through the phases, cancel,
reopen, delete, and the track's history. Its employers and contact persons: people.py.

The rules (the form's in form.py, with their messages in Swedish):
- a name, an occupation or sector, planned places (at least one), a coordinator (an active
  broker or admin; the one already chosen stays allowed) and co-workers among the users;
- the phase dates in order: each on or after the one before it, any of them open;
- the status goes one phase at a time (planering → rekrytering → genomförande → avslut),
  forwards or one step back; only the coordinator or an admin cancels a track (avbrutet),
  reopens a cancelled one, or deletes one;
- a track with results (participants or outcomes counted) is not deleted: cancel it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, SQLModel, col, delete, select

from app import i18n
from app.auth.models import Role, User
from app.clock import Clock, today
from app.companies.models import Company
from app.db import swedish_sort_key
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.history import service as history
from app.history.models import AuditEvent
from app.i18n import N_
from app.tracks import checklist
from app.tracks.audit import record
from app.tracks.form import DATE_NAMES, TrackForm, clean
from app.tracks.models import (
    TRACK_STATUS_LABELS,
    JobTrack,
    JobTrackCompany,
    JobTrackEmployment,
    JobTrackMember,
    TrackStatus,
)

# The phases in order: the statuses a track goes through unless it is cancelled.
PHASE_STATUSES = (
    TrackStatus.planning,
    TrackStatus.recruitment,
    TrackStatus.execution,
    TrackStatus.closing,
)
# Each phase's start date (the last phase runs until ends_on).
PHASE_STARTS = dict(zip(PHASE_STATUSES, DATE_NAMES[:4], strict=True))
# What history records and an edit conflict compares, besides status, coordinator and
# co-workers; ends_on is recorded as track_ends_on (an assignment's ends_on reads otherwise).
TRACKED_FIELDS = ("name", "occupation", "municipality", "description", "places", *DATE_NAMES)
RESULT_FIELDS = (
    "identified",
    "started",
    "completed",
    "left_early",
    "to_studies",
    "to_other",
    "outcome_unknown",
)


class EditConflict(history.EditConflict):
    """Someone saved the track after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat jobbspåret medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


class StatusName:
    """A track status as a message variable, translated when the message is shown."""

    def __init__(self, status: TrackStatus) -> None:
        self.status = status

    def __str__(self) -> str:
        return i18n.gettext(TRACK_STATUS_LABELS[self.status])


def get(track_id: int, *, session: Session) -> JobTrack:
    track = session.get(JobTrack, track_id)
    if track is None:
        raise NotFound("Jobbspåret finns inte.")
    return track


def member_ids(track_id: int, *, session: Session) -> list[int]:
    return list(
        session.exec(
            select(JobTrackMember.user_id).where(JobTrackMember.track_id == track_id)
        ).all()
    )


def team(track: JobTrack, *, session: Session) -> tuple[User | None, list[User]]:
    """The coordinator and the co-workers (users), in Swedish order: one query."""
    ids = select(JobTrackMember.user_id).where(JobTrackMember.track_id == track.id)
    people = session.exec(
        select(User).where(or_(col(User.id) == track.coordinator_id, col(User.id).in_(ids)))
    ).all()
    coordinator = next((p for p in people if p.id == track.coordinator_id), None)
    others = sorted(
        (p for p in people if p.id != track.coordinator_id),
        key=lambda p: swedish_sort_key(p.full_name),
    )
    return coordinator, others


def _tracked(track: JobTrack, members: set[int], *, session: Session) -> dict[str, Any]:
    """What history compares: the fields, the status, the coordinator and co-workers by name."""
    ids = members | ({track.coordinator_id} if track.coordinator_id else set())
    names = (
        {u.id: u.full_name for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}
        if ids
        else {}
    )
    fields = history.snapshot(track, TRACKED_FIELDS)
    fields["track_ends_on"] = fields.pop("ends_on")
    co_workers = sorted((names[i] for i in members if i in names), key=swedish_sort_key)
    return {
        **fields,
        "track_status": track.status.value,
        "coordinator": names.get(track.coordinator_id) if track.coordinator_id else None,
        "co_workers": ", ".join(co_workers) or None,
    }


def _set_members(track: JobTrack, members: set[int], *, session: Session) -> None:
    current = set(member_ids(track.id, session=session))
    if current - members:
        session.exec(
            delete(JobTrackMember).where(
                col(JobTrackMember.track_id) == track.id,
                col(JobTrackMember.user_id).in_(current - members),
            )
        )
    for user_id in members - current:
        session.add(JobTrackMember(track_id=track.id, user_id=user_id))


# --- create and edit ------------------------------------------------------------------------


def new_form(user: User) -> TrackForm:
    """A new track: the broker who creates it coordinates it, until told otherwise."""
    return TrackForm(coordinator_id=str(user.id) if user.role != Role.viewer else "")


def create(form: TrackForm, *, user: User, session: Session, clock: Clock) -> JobTrack:
    """A new track in planning, with its checklist from the template."""
    values = clean(form, session=session, clock=clock)
    members = values.pop("members")
    now = clock.now()
    track = JobTrack(**values, created_by_id=user.id, created_at=now, updated_at=now)
    session.add(track)
    session.flush()
    _set_members(track, members, session=session)
    session.flush()
    checklist.from_template(track, session=session, clock=clock)
    filled = history.created(_tracked(track, members, session=session))
    record(track, "create", filled, user=user, session=session, clock=clock)
    return track


def flush_or_conflict(track: JobTrack, version: int | None, session: Session) -> None:
    history.flush_or_conflict(
        track, "job_track", version, conflict=EditConflict, get=get, session=session
    )


def update(
    track: JobTrack, form: TrackForm, *, user: User, session: Session, clock: Clock
) -> JobTrack:
    history.check_version(track, "job_track", form.version, conflict=EditConflict, session=session)
    current_members = set(member_ids(track.id, session=session))
    values = clean(
        form, session=session, clock=clock, current=track, current_members=current_members
    )
    members = values.pop("members")
    before = _tracked(track, current_members, session=session)
    phases_before = checklist.starts(track)
    for name, value in values.items():
        setattr(track, name, value)
    # _tracked() and _set_members() query: no autoflush of the changed row before the
    # guarded flush below, or a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        changes = history.diff(before, _tracked(track, members, session=session))
        if not changes:
            return track
        _set_members(track, members, session=session)
    track.updated_at = clock.now()
    session.add(track)
    flush_or_conflict(track, form.version, session)
    record(track, "update", changes, user=user, session=session, clock=clock)
    if checklist.starts(track) != phases_before:
        checklist.follow_the_phases(track, phases_before, session=session, clock=clock)
    return track


def rebase(form: TrackForm, error: EditConflict, *, session: Session) -> TrackForm:
    """After an edit conflict: the user's form with the other person's changes taken in
    wherever the user left the field as it was, and the current version."""
    current = TrackForm.from_track(error.current, member_ids(error.current.id, session=session))
    result = form.model_copy()
    before = history.values_before(error.changes)
    for name in TRACKED_FIELDS:
        key = "track_ends_on" if name == "ends_on" else name
        if key in before and history.same_value(getattr(form, name), before[key]):
            setattr(result, name, getattr(current, name))
    for key, field in (("coordinator", "coordinator_id"), ("co_workers", "member_ids")):
        if key in before:
            setattr(result, field, getattr(current, field))
    result.version = error.current.version
    return result


# --- status ---------------------------------------------------------------------------------


def may_manage(track: JobTrack, user: User) -> bool:
    """The coordinator or an admin cancels, reopens and deletes a track (never a viewer)."""
    if user.role == Role.admin:
        return True
    return user.role == Role.broker and track.coordinator_id == user.id


def next_phase(track: JobTrack) -> TrackStatus | None:
    """The phase after the track's own; None in the last phase and when cancelled."""
    if track.status not in PHASE_STATUSES or track.status == PHASE_STATUSES[-1]:
        return None
    return PHASE_STATUSES[PHASE_STATUSES.index(track.status) + 1]


def previous_phase(track: JobTrack) -> TrackStatus | None:
    if track.status not in PHASE_STATUSES or track.status == PHASE_STATUSES[0]:
        return None
    return PHASE_STATUSES[PHASE_STATUSES.index(track.status) - 1]


def phase_by_dates(track: JobTrack, day: dt.date) -> TrackStatus:
    """The phase the dates say the track is in on `day` (planning before any date): where
    a cancelled track is reopened."""
    found = TrackStatus.planning
    for status, name in PHASE_STARTS.items():
        starts = getattr(track, name)
        if starts is not None and starts <= day:
            found = status
    return found


def reopen_status(track: JobTrack, *, clock: Clock) -> TrackStatus:
    return phase_by_dates(track, today(clock))


class StatusForm(SQLModel):
    """A status change: the status to go to and the one the user saw."""

    status: str = ""
    from_status: str = ""


def _status_taken(track: JobTrack) -> Conflict:
    return Conflict(
        "Någon annan har redan ändrat jobbspårets status till %(status)s.",
        variables={"status": StatusName(track.status)},
    )


def set_status(
    track: JobTrack, form: StatusForm, *, user: User, session: Session, clock: Clock
) -> JobTrack:
    try:
        status = TrackStatus(form.status)
    except ValueError:
        raise ValidationFailed("Välj en status.", field="status") from None
    if form.from_status and form.from_status != track.status.value:
        raise _status_taken(track)
    if status == track.status:
        return track
    if TrackStatus.cancelled in (status, track.status):
        if not may_manage(track, user):
            raise Forbidden(
                N_(
                    "Bara jobbspårets samordnare eller en administratör kan avbryta "
                    "jobbspåret eller återuppta ett avbrutet jobbspår."
                )
            )
    elif status not in (next_phase(track), previous_phase(track)):
        raise ValidationFailed(
            "Ett jobbspår går en fas i taget: till %(next)s härnäst.",
            field="status",
            variables={"next": StatusName(next_phase(track) or track.status)},
        )
    before = {"track_status": track.status.value}
    track.status = status
    track.updated_at = clock.now()
    session.add(track)
    track_id = track.id  # now: after a rollback, reading it would reload the track
    history.flush_or_raise(session, lambda: _status_taken(get(track_id, session=session)))
    record(
        track,
        "update",
        history.diff(before, {"track_status": status.value}),
        user=user,
        session=session,
        clock=clock,
    )
    return track


# --- delete and history ---------------------------------------------------------------------


def has_results(track: JobTrack, *, session: Session) -> bool:
    """Whether participants or outcomes are counted on the track (the follow-up counts them)."""
    if any(getattr(track, name) is not None for name in RESULT_FIELDS):
        return True
    return bool(
        session.exec(select(exists().where(col(JobTrackEmployment.track_id) == track.id))).one()
    )


def delete_track(track: JobTrack, *, user: User, session: Session, clock: Clock) -> None:
    """Removes a track registered by mistake with its parts; history keeps what was
    removed. Its assignments, events and agreements stay, no longer on a track."""
    if not may_manage(track, user):
        raise Forbidden(N_("Bara jobbspårets samordnare eller en administratör kan ta bort det."))
    if has_results(track, session=session):
        raise Conflict(
            "Jobbspåret har resultat och räknas i uppföljningen, så det tas inte bort. "
            "Avbryt det i stället."
        )
    tracked = _tracked(track, set(member_ids(track.id, session=session)), session=session)
    removed = {name: [value, None] for name, value in tracked.items() if value not in (None, "")}
    record(track, "delete", removed, user=user, session=session, clock=clock)
    session.delete(track)
    session.flush()


def history_of(track_id: int, *, session: Session, limit: int = 50) -> list[history.Entry]:
    """The track's history with its parts', newest first: one query. Its parts record on
    the track itself, but for the checklist's items, which have their own history."""
    return history.entries_where(
        session,
        or_(
            and_(col(AuditEvent.entity) == "job_track", col(AuditEvent.entity_id) == track_id),
            checklist.history_where(track_id),
        ),
        limit=limit,
    )


def may_edit(user: User) -> bool:
    """Brokers and admins change a track and its parts; viewers read."""
    return user.role in (Role.broker, Role.admin)


def require_editor(user: User) -> None:
    if not may_edit(user):
        raise Forbidden(N_("Bara jobbmäklare och administratörer kan ändra jobbspår."))


def employers(track_id: int, *, session: Session) -> list[Company]:
    """The employers taking part in the track, by name."""
    return list(
        session.exec(
            select(Company)
            .join(JobTrackCompany, col(JobTrackCompany.company_id) == Company.id)
            .where(JobTrackCompany.track_id == track_id)
            .order_by(col(Company.sort_key), col(Company.id))
        ).all()
    )
