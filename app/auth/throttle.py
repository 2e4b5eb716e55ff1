"""Login throttling, counted per account and per client address, kept in the database.

Kept in the database rather than in memory so that several app instances share it.
The per-address limit is much higher than the per-account one: a whole office behind one
NAT address must not be locked out by one colleague's typos.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.models import LoginAttempt
from app.clock import Clock

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30


def _failures_since(
    column: object, value: str, since: dt.datetime, session: Session
) -> tuple[int, dt.datetime | None]:
    count, first = session.exec(
        select(func.count(), func.min(LoginAttempt.attempted_at)).where(
            column == value,
            LoginAttempt.attempted_at >= since,
            LoginAttempt.succeeded == False,  # noqa: E712
        )
    ).one()
    return count, first


def blocked_for(username: str, client_ip: str, *, session: Session, clock: Clock) -> int:
    """Minutes until a login may be tried again (0: go ahead)."""
    now = clock.now()
    since = now - WINDOW
    waits = []
    for column, value, limit in (
        (LoginAttempt.username, username, MAX_FAILURES_PER_ACCOUNT),
        (LoginAttempt.client_ip, client_ip, MAX_FAILURES_PER_ADDRESS),
    ):
        count, first = _failures_since(column, value, since, session)
        if count >= limit and first is not None:
            waits.append((first + WINDOW - now).total_seconds())
    if not waits:
        return 0
    return max(1, math.ceil(max(waits) / 60))


def record(
    username: str, client_ip: str, succeeded: bool, *, session: Session, clock: Clock
) -> None:
    now = clock.now()
    session.add(
        LoginAttempt(username=username, client_ip=client_ip, attempted_at=now, succeeded=succeeded)
    )
    if succeeded:
        # A successful login forgives the account's earlier typos.
        session.exec(
            delete(LoginAttempt).where(
                col(LoginAttempt.username) == username,
                col(LoginAttempt.succeeded) == False,  # noqa: E712
            )
        )
    # Old rows say nothing any more; keep the table small.
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < now - WINDOW))
