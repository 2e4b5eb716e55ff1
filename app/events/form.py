"""The event form as typed, and its cleaning: times in Swedish time, the owner and the
team, the counts (service.py's docstring lists the rules)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Set as AbstractSet
from typing import Any

from sqlmodel import Session, SQLModel

from app.auth import service as users
from app.clock import STOCKHOLM, Clock, to_local
from app.dates import parse_moment
from app.errors import ValidationFailed
from app.events.models import RecruitmentEvent
from app.i18n import N_
from app.validation import long_text, optional_text, required_text

MAX_COUNT = 99_999
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def local_input(instant: dt.datetime | None) -> str:
    """An instant as its date-and-time field shows it, in Swedish time (as date_field
    shows any date and time it reads: app/dates.reading)."""
    return to_local(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


class EventForm(SQLModel):
    """The event form as typed; `clean()` turns it into checked values or refuses it."""

    title: str = ""
    starts_at: str = ""  # Swedish time as typed: "2026-04-15 09:00", "15/4 9" (app/dates.py)
    ends_at: str = ""
    place: str = ""
    online_url: str = ""
    description: str = ""
    target_group: str = ""
    capacity: str = ""
    owner_id: str = ""
    member_ids: list[str] = []
    version: int | None = None

    @classmethod
    def from_event(cls, event: RecruitmentEvent, member_ids: list[int]) -> EventForm:
        return cls(
            title=event.title,
            starts_at=local_input(event.starts_at),
            ends_at=local_input(event.ends_at),
            place=event.place or "",
            online_url=event.online_url or "",
            description=event.description,
            target_group=event.target_group or "",
            capacity=str(event.capacity or ""),
            owner_id=str(event.owner_id or ""),
            member_ids=[str(i) for i in member_ids],
            version=event.version,
        )


def local_instant(
    value: str,
    *,
    field: str,
    label: str,
    message: str,
    now: dt.datetime,
    near: dt.date | None = None,
) -> dt.datetime:
    """A date and time typed in Swedish time (its time required; without a year the next
    such day on or after `near`, else today), as a UTC instant."""
    typed = parse_moment(
        value, now=now, direction="future", time="required", field=field, label=label, near=near
    )
    if typed is None:
        raise ValidationFailed(message, field=field)
    instant = typed.replace(tzinfo=STOCKHOLM).astimezone(dt.UTC)
    if to_local(instant).replace(tzinfo=None) != typed:
        raise ValidationFailed(
            "Klockan %(time)s finns inte den dagen: då ställs klockan fram till sommartid. "
            "Välj en annan tid.",
            field=field,
            variables={"time": typed.strftime("%H:%M")},
        )
    return instant


def optional_count(value: str, *, field: str, minimum: int = 0) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not minimum <= int(value) <= MAX_COUNT:
        raise ValidationFailed(
            "Ange ett antal som en siffra, minst %(min)s.",
            field=field,
            variables={"min": minimum},
        )
    return int(value)


def _url(value: str) -> str | None:
    url = value.strip()
    if not url:
        return None
    if len(url) > 500 or not _URL.fullmatch(url):
        raise ValidationFailed(
            "Länken ska vara en hel webbadress som börjar med https://.", field="online_url"
        )
    return url


def _colleague(value: str, *, field: str, message: str, session: Session, keep: set[int]) -> int:
    """An active broker or admin; one already chosen stays allowed (`keep`)."""
    return users.chosen_colleague(session, value, field=field, message=message, keep=keep)


def clean(
    form: EventForm,
    *,
    session: Session,
    clock: Clock,
    current: RecruitmentEvent | None = None,
    current_members: AbstractSet[int] = frozenset(),
) -> dict[str, Any]:
    now = clock.now()
    starts_at = local_instant(
        form.starts_at,
        field="starts_at",
        label=N_("Börjar"),
        message=N_("Ange när träffen börjar."),
        now=now,
    )
    # Without a year, it ends on the first such day from its start.
    ends_at = local_instant(
        form.ends_at,
        field="ends_at",
        label=N_("Slutar"),
        message=N_("Ange när träffen slutar."),
        now=now,
        near=to_local(starts_at).date(),
    )
    if ends_at <= starts_at:
        raise ValidationFailed("Träffen måste sluta efter att den har börjat.", field="ends_at")
    if not form.owner_id:
        raise ValidationFailed("Välj vem som är ansvarig för träffen.", field="owner_id")
    owner_id = _colleague(
        form.owner_id,
        field="owner_id",
        message=N_("Välj en aktiv jobbmäklare som ansvarig."),
        session=session,
        keep={current.owner_id} if current and current.owner_id else set(),
    )
    members = {
        _colleague(
            value,
            field="member_ids",
            message=N_("Välj aktiva jobbmäklare till teamet."),
            session=session,
            keep=set(current_members),
        )
        for value in form.member_ids
        if value
    } - {owner_id}
    return {
        "title": required_text(
            form.title, field="title", max_length=200, message=N_("Ge träffen en rubrik.")
        ),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": optional_text(form.place, field="place", max_length=200),
        "online_url": _url(form.online_url),
        "description": long_text(form.description, field="description"),
        "target_group": optional_text(form.target_group, field="target_group", max_length=200),
        "capacity": optional_count(form.capacity, field="capacity", minimum=1),
        "owner_id": owner_id,
        "members": members,
    }
