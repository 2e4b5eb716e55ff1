"""The track form as typed, and its cleaning: the coordinator and co-workers, the planned
places, and the five phase dates, each on or after the one before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from typing import Any

from sqlmodel import Session, SQLModel

from app.auth import service as users
from app.clock import Clock, today
from app.dates import parse_date
from app.errors import ValidationFailed
from app.i18n import N_, LazyText
from app.tracks.models import JobTrack
from app.validation import long_text, optional_text, required_text

MAX_PLACES = 9_999

# The phase dates in order: the field, its label as the form shows it, and what it is
# called in a message about a later date (msgids).
DATE_FIELDS = (
    ("planning_starts_on", N_("Planeringen börjar"), N_("planeringens start")),
    ("recruitment_starts_on", N_("Rekryteringen börjar"), N_("rekryteringens start")),
    ("execution_starts_on", N_("Genomförandet börjar"), N_("genomförandets start")),
    ("closing_starts_on", N_("Avslutet börjar"), N_("avslutets start")),
    ("ends_on", N_("Jobbspåret slutar"), N_("jobbspårets slut")),
)
DATE_NAMES = tuple(name for name, _label, _noun in DATE_FIELDS)


class TrackForm(SQLModel):
    """The track form as typed; `clean()` turns it into checked values or refuses it."""

    name: str = ""
    occupation: str = ""
    municipality: str = ""
    description: str = ""
    coordinator_id: str = ""
    member_ids: list[str] = []
    places: str = ""
    planning_starts_on: str = ""
    recruitment_starts_on: str = ""
    execution_starts_on: str = ""
    closing_starts_on: str = ""
    ends_on: str = ""
    version: int | None = None

    @classmethod
    def from_track(cls, track: JobTrack, member_ids: list[int]) -> TrackForm:
        dates = {name: _iso(getattr(track, name)) for name in DATE_NAMES}
        return cls(
            name=track.name,
            occupation=track.occupation,
            municipality=track.municipality or "",
            description=track.description,
            coordinator_id=str(track.coordinator_id or ""),
            member_ids=[str(i) for i in member_ids],
            places=str(track.places or ""),
            version=track.version,
            **dates,
        )


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _places(value: str) -> int:
    value = value.strip()
    if not value:
        raise ValidationFailed("Ange hur många platser jobbspåret planerar för.", field="places")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PLACES:
        raise ValidationFailed(
            "Ange antalet platser som en siffra, minst 1 och högst %(max)s.",
            field="places",
            variables={"max": MAX_PLACES},
        )
    return int(value)


def phase_dates(form: TrackForm, *, day: dt.date) -> dict[str, dt.date | None]:
    """The five dates read in order; each without a year is the nearest on or after the
    one before it. Each must be on or after the last date given before it."""
    dates: dict[str, dt.date | None] = {}
    before: tuple[dt.date, str] | None = None
    for name, label, noun in DATE_FIELDS:
        read = parse_date(
            getattr(form, name),
            today=day,
            direction="future" if before else "either",
            field=name,
            label=label,
            near=before[0] if before else None,
        )
        if read is not None and before is not None and read < before[0]:
            raise ValidationFailed(
                "%(field)s kan inte vara före %(earlier)s, %(day)s: fasernas datum "
                "kommer i ordning.",
                field=name,
                variables={
                    "field": LazyText(label),
                    "earlier": LazyText(before[1]),
                    "day": before[0].isoformat(),
                },
            )
        dates[name] = read
        if read is not None:
            before = (read, noun)
    return dates


def clean(
    form: TrackForm,
    *,
    session: Session,
    clock: Clock,
    current: JobTrack | None = None,
    current_members: AbstractSet[int] = frozenset(),
) -> dict[str, Any]:
    name = required_text(
        form.name, field="name", max_length=200, message=N_("Ge jobbspåret ett namn.")
    )
    occupation = required_text(
        form.occupation,
        field="occupation",
        max_length=200,
        message=N_("Ange yrke eller bransch som jobbspåret utbildar och rekryterar till."),
    )
    if not form.coordinator_id:
        raise ValidationFailed("Välj vem som samordnar jobbspåret.", field="coordinator_id")
    coordinator_id = users.chosen_colleague(
        session,
        form.coordinator_id,
        field="coordinator_id",
        message=N_("Välj en aktiv jobbmäklare som samordnare."),
        keep={current.coordinator_id} if current and current.coordinator_id else set(),
    )
    members = {
        users.chosen_colleague(
            session,
            value,
            field="member_ids",
            message=N_("Välj aktiva jobbmäklare som medarbetare."),
            keep=set(current_members),
        )
        for value in form.member_ids
        if value
    } - {coordinator_id}
    return {
        "name": name,
        "occupation": occupation,
        "municipality": optional_text(form.municipality, field="municipality", max_length=100),
        "description": long_text(form.description, field="description"),
        "coordinator_id": coordinator_id,
        "places": _places(form.places),
        **phase_dates(form, day=today(clock)),
        "members": members,
    }
