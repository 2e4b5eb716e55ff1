"""Plain factory functions for test data: make_x(session, **overrides)."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from app.auth import service as users
from app.auth.models import User
from app.clock import Clock

PASSWORD = "korrekt-häst-batteri"
_numbers = itertools.count(1)


def make_user(session: Session, clock: Clock, *, role: str = "broker", **overrides: str) -> User:
    number = next(_numbers)
    fields = {
        "username": f"user{number}",
        "full_name": f"Användare {number}",
        "password": PASSWORD,
        "email": f"user{number}@kommun.example",
        **overrides,
    }
    user = users.create(session=session, clock=clock, role=role, **fields)
    session.commit()
    return user
