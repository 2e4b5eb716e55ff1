"""A track's kompetensprofil (kravprofil): the employer's needs as the coordinator maps
them, used in the dialogue with the employer and the education providers. One row per
track, made at the first save; saved with edit conflicts through its version, and
recorded on the track's history (app/tracks/audit.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from app.auth.models import User
from app.clock import Clock
from app.errors import NotFound, ValidationFailed
from app.history import service as history
from app.i18n import N_
from app.tracks import audit
from app.tracks import service as tracks
from app.tracks.models import CompetenceProfile, JobTrack
from app.validation import long_text, optional_text

# The profile's fields: (name, whether it is one short line), in the form's order.
FIELDS = (
    ("occupation", True),
    ("tasks", False),
    ("required_competences", False),
    ("desirable_competences", False),
    ("language_level", True),
    ("licences", False),
    ("working_hours", True),
    ("physical_demands", False),
    ("employer_offers", False),
)
FIELD_NAMES = tuple(name for name, _short in FIELDS)
# How a field is named in the track's history: the profile's occupation apart from the
# track's own (app/history/labels.py).
HISTORY_KEYS = {name: f"profile_{name}" if name == "occupation" else name for name in FIELD_NAMES}
SHORT_MAX = 200

LABELS = {
    "occupation": N_("Yrke"),
    "tasks": N_("Arbetsuppgifter"),
    "required_competences": N_("Krav på kompetens"),
    "desirable_competences": N_("Meriterande kompetens"),
    "language_level": N_("Språknivå"),
    "licences": N_("Körkort och certifikat"),
    "working_hours": N_("Arbetstider"),
    "physical_demands": N_("Fysiska krav"),
    "employer_offers": N_("Arbetsgivaren erbjuder"),
}
HINTS = {
    "tasks": N_("Vad man gör i arbetet, en uppgift per rad."),
    "required_competences": N_("Det som krävs från första dagen."),
    "desirable_competences": N_("Det som är meriterande men kan läras på plats."),
    "language_level": N_("T.ex. svenska B1 eller SFI D."),
    "licences": N_("T.ex. B-körkort, truckkort."),
    "working_hours": N_("T.ex. dagtid, treskift eller helger."),
    "physical_demands": N_("T.ex. tunga lyft, arbete stående."),
    "employer_offers": N_("T.ex. handledare, introduktion, arbetskläder."),
}


class EditConflict(history.EditConflict):
    """Someone saved the profile after this user opened it."""

    MESSAGE = N_(
        "Någon annan har ändrat kompetensprofilen medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )


class ProfileForm(SQLModel):
    """The profile as typed; `version` is the one the user started from (None: there was
    no profile yet)."""

    occupation: str = ""
    tasks: str = ""
    required_competences: str = ""
    desirable_competences: str = ""
    language_level: str = ""
    licences: str = ""
    working_hours: str = ""
    physical_demands: str = ""
    employer_offers: str = ""
    version: int | None = None

    @classmethod
    def from_profile(cls, profile: CompetenceProfile) -> ProfileForm:
        values = {name: getattr(profile, name) for name in FIELD_NAMES}
        return cls(**values, version=profile.version)


def get(track_id: int, *, session: Session) -> CompetenceProfile | None:
    """The track's profile, or None before its first save."""
    return session.get(CompetenceProfile, track_id)


def form_for(track: JobTrack, *, session: Session) -> ProfileForm:
    """The edit form: the profile as saved, or a new one with the track's occupation."""
    profile = get(track.id, session=session)
    if profile is None:
        return ProfileForm(occupation=track.occupation)
    return ProfileForm.from_profile(profile)


def _clean(form: ProfileForm) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, short in FIELDS:
        typed = getattr(form, name)
        values[name] = (
            optional_text(typed, field=name, max_length=SHORT_MAX) or ""
            if short
            else long_text(typed, field=name)
        )
    return values


def _tracked(values: dict[str, Any]) -> dict[str, Any]:
    return {HISTORY_KEYS[name]: values.get(name) for name in FIELD_NAMES}


def _since(track_id: int, saves: int, *, session: Session) -> list[history.Entry]:
    """What the profile's last `saves` saves changed, oldest first: each save bumps the
    profile's version and records one entry of its fields on the track's history."""
    if saves <= 0:
        return []
    keys = set(HISTORY_KEYS.values())
    entries = [
        entry
        for entry in history.for_record("job_track", track_id, session=session, limit=200)
        if keys & entry.event.changes.keys()
    ]
    return list(reversed(entries[:saves]))


def _conflict(profile: CompetenceProfile, version: int | None, *, session: Session) -> EditConflict:
    changes = _since(profile.track_id, profile.version - (version or 0), session=session)
    return EditConflict(profile, changes)


def save(
    track: JobTrack, form: ProfileForm, *, user: User, session: Session, clock: Clock
) -> CompetenceProfile:
    """Creates the profile at its first save, else changes it; refused when someone else
    saved it after the user opened the form."""
    tracks.require_editor(user)
    profile = get(track.id, session=session)
    if profile is not None and form.version != profile.version:
        raise _conflict(profile, form.version, session=session)
    values = _clean(form)
    if profile is None and not any(values.values()):
        raise ValidationFailed(
            "Fyll i något i kompetensprofilen innan du sparar.", field="occupation"
        )
    before = _tracked({name: getattr(profile, name) for name in FIELD_NAMES} if profile else {})
    changes = history.diff(before, _tracked(values))
    if profile is not None and not changes:
        return profile
    now = clock.now()
    created = profile is None
    if profile is None:
        profile = CompetenceProfile(track_id=track.id, updated_at=now)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.updated_at = now
    session.add(profile)
    _flush(track.id, form.version, session=session)
    audit.record(
        track,
        "create" if created else "update",
        changes,
        user=user,
        session=session,
        clock=clock,
        version=None,
    )
    return profile


def _flush(track_id: int, version: int | None, *, session: Session) -> None:
    """Flushes the save; when someone else's save came in between (a newer version, or
    a profile made meanwhile: the same key twice), rolls back and raises the conflict."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        current = get(track_id, session=session)
        if current is None:  # the track was removed meanwhile, its profile with it
            raise NotFound("Jobbspåret finns inte.") from None
        raise _conflict(current, version, session=session) from None


def rebase(form: ProfileForm, error: EditConflict) -> ProfileForm:
    """After an edit conflict: the user's form, with the other person's changes taken in
    wherever the user left the field as it was, and the current version. Fields both
    changed keep the user's value (the conflict message shows the other's)."""
    current = ProfileForm.from_profile(error.current)
    result = form.model_copy()
    names = {key: name for name, key in HISTORY_KEYS.items()}
    for changed, before in history.values_before(error.changes).items():
        name = names.get(changed)
        if name is not None and history.same_value(getattr(form, name), before):
            setattr(result, name, getattr(current, name))
    result.version = error.current.version
    return result


def section(track: JobTrack, *, session: Session, clock: Clock, user: User) -> dict[str, Any]:
    """What templates/tracks/_profile.html shows on the track's page."""
    return {
        "profile": get(track.id, session=session),
        "profile_fields": FIELDS,
        "profile_labels": LABELS,
        "profile_can_edit": tracks.may_edit(user),
    }
