"""A track's insatspaket: its insatser (training, praktik, language support, handledning,
...) with their providers and dates. Created, changed and removed here, each recorded on
the track's history (app/tracks/audit.py); a change is refused as an edit conflict when
someone saved the insats after the user opened it. Moving an insats's dates can move
every insats that starts after it by as many days, in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.auth.models import User
from app.clock import Clock, today
from app.companies.models import Company, CompanyKind
from app.dates import parse_date
from app.db import get_typed
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.form import optional_count
from app.history import service as history
from app.i18n import N_
from app.tracks import audit, timeline
from app.tracks import service as tracks
from app.tracks.models import INTERVENTION_LABELS, Intervention, InterventionKind, JobTrack
from app.validation import long_text, parse_choice, required_text

# The insats's fields and how the track's history names them (app/history/labels.py).
HISTORY_KEYS = {
    "kind": "intervention_kind",
    "title": "intervention_title",
    "provider_id": "provider",
    "starts_on": "intervention_starts_on",
    "ends_on": "intervention_ends_on",
    "places": "intervention_places",
    "notes": "intervention_notes",
}
FIELDS = tuple(HISTORY_KEYS)
MAX_PLACES = 10_000


class EditConflict(history.EditConflict):
    """Someone saved the insats after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat insatsen medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


class InterventionForm(SQLModel):
    """An insats as typed; `move_later` ticked moves the insatser after it as well."""

    kind: str = InterventionKind.training.value
    title: str = ""
    provider_id: str = ""
    starts_on: str = ""
    ends_on: str = ""
    places: str = ""
    notes: str = ""
    move_later: str = ""
    version: int | None = None

    @classmethod
    def from_intervention(cls, intervention: Intervention) -> InterventionForm:
        def typed(value: Any) -> str:
            if value is None:
                return ""
            if isinstance(value, dt.date):
                return value.isoformat()
            return str(getattr(value, "value", value))

        values = {name: typed(getattr(intervention, name)) for name in FIELDS}
        return cls(**values, version=intervention.version)


# --- reading ----------------------------------------------------------------------------


def get(track_id: int, intervention_id: int, *, session: Session) -> Intervention:
    """The track's insats, or NotFound (an insats of another track is not found either)."""
    intervention = session.get(Intervention, intervention_id)
    if intervention is None or intervention.track_id != track_id:
        raise NotFound("Insatsen finns inte.")
    return intervention


def for_track(track_id: int, *, session: Session) -> list[Intervention]:
    return list(
        session.exec(
            select(Intervention)
            .where(Intervention.track_id == track_id)
            .order_by(col(Intervention.starts_on), col(Intervention.id))
        ).all()
    )


def later(intervention: Intervention, *, session: Session) -> list[Intervention]:
    """The insatser of the track that start after this one starts (none when it has no
    start date): those that "Flytta även" moves with it."""
    if intervention.starts_on is None:
        return []
    return list(
        session.exec(
            select(Intervention)
            .where(
                Intervention.track_id == intervention.track_id,
                col(Intervention.starts_on) > intervention.starts_on,
            )
            .order_by(col(Intervention.starts_on), col(Intervention.id))
        ).all()
    )


def providers(
    track_id: int, *, session: Session, keep: int | None = None
) -> tuple[list[Company], list[Company]]:
    """Who may provide an insats: the samverkansparter (education providers,
    Arbetsförmedlingen) first, then the track's employers; the provider already chosen
    stays offered (among the samverkansparter) even if it is neither any longer."""
    partners = list(
        session.exec(
            select(Company)
            .where(
                Company.kind == CompanyKind.partner,
                col(Company.archived_at).is_(None),
                col(Company.merged_into_id).is_(None),
            )
            .order_by(col(Company.sort_key), col(Company.id))
        ).all()
    )
    employers = [c for c in tracks.employers(track_id, session=session) if c not in partners]
    known = {company.id for company in partners + employers}
    if keep is not None and keep not in known and (kept := session.get(Company, keep)):
        partners.append(kept)
    return partners, employers


def provider_names(interventions: list[Intervention], *, session: Session) -> dict[int, str]:
    ids = {i.provider_id for i in interventions} - {None}
    if not ids:
        return {}
    return dict(
        session.exec(select(Company.id, Company.name).where(col(Company.id).in_(ids))).all()
    )


def section(track: JobTrack, *, session: Session, clock: Clock, user: User) -> dict[str, Any]:
    """What templates/tracks/_interventions.html shows on the track's page: the timeline,
    with the providers' names (two queries however many insatser)."""
    interventions = for_track(track.id, session=session)
    return {
        "timeline": timeline.build(interventions),
        "intervention_labels": INTERVENTION_LABELS,
        "intervention_providers": provider_names(interventions, session=session),
        "interventions_can_edit": tracks.may_edit(user),
    }


# --- the form's rules -------------------------------------------------------------------


def _provider(value: str, track_id: int, *, session: Session, keep: int | None) -> int | None:
    if not value.strip():
        return None
    company = get_typed(session, Company, value)
    partners, employers = providers(track_id, session=session, keep=keep)
    if company is None or company not in partners + employers:
        raise ValidationFailed(
            "Välj en anordnare bland samverkansparterna och jobbspårets arbetsgivare.",
            field="provider_id",
        )
    return company.id


def clean(
    form: InterventionForm,
    track_id: int,
    *,
    session: Session,
    clock: Clock,
    current: Intervention | None = None,
) -> dict[str, Any]:
    day = today(clock)
    starts_on = parse_date(
        form.starts_on, today=day, direction="either", field="starts_on", label=N_("Börjar")
    )
    values: dict[str, Any] = {
        "kind": parse_choice(
            InterventionKind,
            form.kind,
            field="kind",
            message=N_("Välj vilket slags insats det är."),
        ),
        "title": required_text(
            form.title, field="title", max_length=200, message=N_("Ange vad insatsen heter.")
        ),
        "provider_id": _provider(
            form.provider_id,
            track_id,
            session=session,
            keep=current.provider_id if current else None,
        ),
        "starts_on": starts_on,
        "ends_on": parse_date(
            form.ends_on,
            today=day,
            direction="future",
            field="ends_on",
            label=N_("Slutar"),
            near=starts_on,
        ),
        "places": optional_count(form.places, field="places", minimum=1),
        "notes": long_text(form.notes, field="notes"),
    }
    if values["places"] is not None and values["places"] > MAX_PLACES:
        raise ValidationFailed(
            "Antal platser kan vara högst %(max)s.", field="places", variables={"max": MAX_PLACES}
        )
    if values["ends_on"] is not None:
        if starts_on is None:
            raise ValidationFailed("Ange när insatsen börjar.", field="starts_on")
        if values["ends_on"] < starts_on:
            raise ValidationFailed("Insatsen kan inte sluta före den börjar.", field="ends_on")
    return values


# --- writing ----------------------------------------------------------------------------


def _tracked(intervention: Intervention, *, session: Session) -> dict[str, Any]:
    """What history compares, by the track history's names; the provider by name."""
    values = history.snapshot(intervention, FIELDS)
    provider = session.get(Company, intervention.provider_id) if intervention.provider_id else None
    values["provider_id"] = provider.name if provider else None
    return {HISTORY_KEYS[name]: value for name, value in values.items()}


def _record(
    track: JobTrack,
    intervention: Intervention,
    action: str,
    changes: dict[str, Any],
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    """One entry on the track's history, naming the insats (by its title after the
    change) besides what changed."""
    named = {"intervention": intervention.title, **changes}
    audit.record(track, action, named, user=user, session=session, clock=clock, version=None)


def _since(intervention: Intervention, saves: int, *, session: Session) -> list[history.Entry]:
    """What the insats's last `saves` saves changed, oldest first: the track's history
    entries that name it, followed back through its earlier titles."""
    found: list[history.Entry] = []
    title = intervention.title
    for entry in history.for_record("job_track", intervention.track_id, session=session, limit=200):
        if len(found) >= saves:
            break
        changes = entry.event.changes
        if entry.event.action != "update" or changes.get("intervention") != title:
            continue
        found.append(entry)
        renamed = changes.get(HISTORY_KEYS["title"])
        if isinstance(renamed, list) and renamed[0]:
            title = renamed[0]
    return list(reversed(found))


def _conflict(current: Intervention, version: int | None, *, session: Session) -> EditConflict:
    return EditConflict(current, _since(current, current.version - (version or 0), session=session))


def create(
    track: JobTrack, form: InterventionForm, *, user: User, session: Session, clock: Clock
) -> Intervention:
    tracks.require_editor(user)
    values = clean(form, track.id, session=session, clock=clock)
    now = clock.now()
    intervention = Intervention(track_id=track.id, created_at=now, updated_at=now, **values)
    session.add(intervention)
    session.flush()
    created = history.created(_tracked(intervention, session=session))
    _record(track, intervention, "create", created, user=user, session=session, clock=clock)
    return intervention


def update(
    track: JobTrack,
    intervention: Intervention,
    form: InterventionForm,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> int:
    """Saves the insats; with `move_later` ticked, moves the insatser that start after it
    by as many days as its end (or, without an end, its start) moved. Returns how many
    were moved with it."""
    tracks.require_editor(user)
    if form.version is not None and form.version != intervention.version:
        raise _conflict(intervention, form.version, session=session)
    values = clean(form, track.id, session=session, clock=clock, current=intervention)
    moving = later(intervention, session=session) if form.move_later else []
    shift = _moved_by(intervention, values)
    before = _tracked(intervention, session=session)
    for name, value in values.items():
        setattr(intervention, name, value)
    # _tracked() queries: no autoflush of the changed row before the guarded flush below,
    # or a lost race is a raw StaleDataError, not the edit conflict.
    with session.no_autoflush:
        changes = history.diff(before, _tracked(intervention, session=session))
    if not changes:
        return 0
    intervention.updated_at = clock.now()
    session.add(intervention)
    ids, version = (track.id, intervention.id), form.version

    def stale() -> Exception:
        return _conflict(get(*ids, session=session), version, session=session)

    history.flush_or_raise(session, stale)
    _record(track, intervention, "update", changes, user=user, session=session, clock=clock)
    if not shift or not moving:
        return 0
    for other in moving:
        _move(track, other, shift, user=user, session=session, clock=clock)
    history.flush_or_raise(
        session,
        lambda: Conflict(
            "Någon annan ändrade en av insatserna efter den här samtidigt. Öppna insatsen "
            "igen och spara på nytt."
        ),
    )
    return len(moving)


def _moved_by(intervention: Intervention, values: dict[str, Any]) -> dt.timedelta:
    """How far the change moves the insats: as far as its end moves, or its start where
    it had or gets no end; nothing when it had or gets no dates."""
    for name in ("ends_on", "starts_on"):
        old, new = getattr(intervention, name), values[name]
        if old is not None and new is not None:
            return new - old
    return dt.timedelta(0)


def _move(
    track: JobTrack,
    intervention: Intervention,
    shift: dt.timedelta,
    *,
    user: User,
    session: Session,
    clock: Clock,
) -> None:
    before = _tracked(intervention, session=session)
    if intervention.starts_on is not None:
        intervention.starts_on += shift
    if intervention.ends_on is not None:
        intervention.ends_on += shift
    intervention.updated_at = clock.now()
    session.add(intervention)
    with session.no_autoflush:
        changes = history.diff(before, _tracked(intervention, session=session))
    _record(track, intervention, "update", changes, user=user, session=session, clock=clock)


def delete(
    track: JobTrack, intervention: Intervention, *, user: User, session: Session, clock: Clock
) -> None:
    """Removes the insats; the track's history keeps what was removed."""
    tracks.require_editor(user)
    removed = {
        name: [value, None]
        for name, value in _tracked(intervention, session=session).items()
        if value not in (None, "")
    }
    _record(track, intervention, "delete", removed, user=user, session=session, clock=clock)
    session.delete(intervention)
    session.flush()


def rebase(form: InterventionForm, error: EditConflict, *, session: Session) -> InterventionForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both
    changed keep the user's value (the conflict message shows the other's)."""
    current = InterventionForm.from_intervention(error.current)
    result = form.model_copy()
    names = {key: name for name, key in HISTORY_KEYS.items()}
    for changed, before in history.values_before(error.changes).items():
        name = names.get(changed)
        if name is None:
            continue
        typed: Any = getattr(form, name)
        if name == "provider_id":
            provider = get_typed(session, Company, form.provider_id)
            typed = provider.name if provider else None
        if history.same_value(typed, before):
            setattr(result, name, getattr(current, name))
    result.version = error.current.version
    return result
