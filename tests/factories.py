"""Plain factory functions for test data: make_x(session, clock, **overrides)."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache

from sqlmodel import Session

from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.clock import Clock, today
from app.companies.models import Company
from app.tracks.models import JobTrack

PASSWORD = "korrekt-häst-batteri"
_numbers = itertools.count(1)


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(PASSWORD)


def make_user(session: Session, clock: Clock, *, role: str = "broker", **overrides: object) -> User:
    number = next(_numbers)
    now = clock.now()
    fields: dict[str, object] = {
        "username": f"user{number}",
        "full_name": f"Användare {number}",
        "email": f"user{number}@kommun.example",
        "role": Role(role),
        "password_hash": _password_hash(),
        "created_at": now,
        "password_changed_at": now,
        **overrides,
    }
    user = User(**fields)
    session.add(user)
    session.commit()
    return user


def make_company(
    session: Session, clock: Clock, *, user: User | None = None, tags: str = "", **fields: str
) -> Company:
    """A company through the real service (search text, history), saved."""
    from app.companies import service as companies

    number = next(_numbers)
    author = user or make_user(session, clock, role="broker")
    form = companies.CompanyForm(
        name=fields.pop("name", f"Företag {number} AB"), tags=tags, confirm_duplicate=True, **fields
    )
    company = companies.create(form, user=author, session=session, clock=clock)
    session.commit()
    return company


def make_track(
    session: Session, clock: Clock, *, coordinator: User | None = None, **fields: object
) -> JobTrack:
    """A job track row as a test needs it (planning from today unless told), saved. The
    tracks' own service makes them in the app; tests of a track's parts start from this."""
    number = next(_numbers)
    now = clock.now()
    track = JobTrack(
        **{
            "name": f"Jobbspår {number}",
            "occupation": "Undersköterska",
            "coordinator_id": (coordinator or make_user(session, clock)).id,
            "places": 12,
            "planning_starts_on": today(clock),
            "recruitment_starts_on": today(clock) + dt.timedelta(days=30),
            "execution_starts_on": today(clock) + dt.timedelta(days=60),
            "closing_starts_on": today(clock) + dt.timedelta(days=150),
            "ends_on": today(clock) + dt.timedelta(days=180),
            "created_at": now,
            "updated_at": now,
            **fields,
        }
    )
    session.add(track)
    session.commit()
    return track
