"""Server-side sessions: a random token in the cookie, only its hash in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.auth import security_log
from app.auth.models import User, UserSession
from app.clock import Clock
from app.db import without_waiting
from app.errors import SaveRefused

SESSION_COOKIE = "matcha_session"

# Writing last_seen_at on every request would make every page view a write.
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    user: User,
    *,
    session: Session,
    clock: Clock,
    policy: SessionPolicy,
    client_ip: str | None,
    user_agent: str | None,
    method: str = "password",
) -> tuple[str, UserSession]:
    """Opens a session; returns the token for the cookie (never stored) and the row."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(
        token_hash=hash_token(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
        client_ip=client_ip,
        user_agent=(user_agent or "")[:300] or None,
        method=method,
    )
    session.add(row)
    session.flush()
    return token, row


# Every request asks this: the statement is put together once (that costs more than the
# query itself), the token's hash bound to it each time.
_BY_TOKEN = (
    select(UserSession, User)
    .join(User, col(User.id) == UserSession.user_id)
    .where(col(UserSession.token_hash) == bindparam("token_hash"))
)


def resolve(
    token: str, *, session: Session, clock: Clock, policy: SessionPolicy
) -> tuple[UserSession, User] | None:
    """The live session and active user for a cookie token, or None. Expired ones are ended."""
    found = session.exec(_BY_TOKEN, params={"token_hash": hash_token(token)}).first()
    if found is None:
        return None
    row, user = found
    now = clock.now()
    ended = _ended(row, user, now=now, policy=policy)
    if ended is not None:
        # Told in the commit that ends it: skipped with it when SQLite is busy, and told
        # by the next request that finds the session instead.
        session.delete(row)
        security_log.record(
            session, security_log.Kind.session_ended, clock=clock, reason=ended, user=user
        )
        _commit_housekeeping(session)
        return None
    if now - row.last_seen_at >= _TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
        _commit_housekeeping(session)
    return row, user


def _ended(row: UserSession, user: User, *, now: dt.datetime, policy: SessionPolicy) -> str | None:
    """Why a session found is over (a reason of the security log), or None if it is live."""
    if not user.is_active:
        return "deactivated"
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at >= policy.idle:
        return "idle"
    return None


def _commit_housekeeping(session: Session) -> None:
    """Commits a write a request makes in passing. If SQLite is busy with another writer it
    is skipped at once, not waited for: the next request does it, and this one must
    neither fail nor wait for it."""
    try:
        with without_waiting(session):
            session.commit()
    except (SaveRefused, OperationalError):
        session.rollback()


def revoke(row: UserSession, *, session: Session) -> None:
    session.delete(row)


def revoke_all(
    user: User,
    *,
    session: Session,
    clock: Clock,
    reason: str,
    actor: User | None = None,
    except_id: int | None = None,
) -> int:
    """Ends the user's sessions (all but `except_id`); returns how many. The security log
    tells how many and why (`reason`: password_changed, password_reset, deactivated),
    and who did it when that was someone else (`actor`)."""
    statement = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if except_id is not None:
        statement = statement.where(col(UserSession.id) != except_id)
    ended = session.exec(statement).rowcount or 0
    if ended:
        security_log.record(
            session,
            security_log.Kind.sessions_revoked,
            clock=clock,
            reason=reason,
            user=user,
            actor=actor,
            rows=ended,
        )
    return ended


def purge_expired(*, session: Session, clock: Clock, policy: SessionPolicy) -> int:
    now = clock.now()
    result = session.exec(
        delete(UserSession).where(
            (col(UserSession.expires_at) <= now)
            | (col(UserSession.last_seen_at) <= now - policy.idle)
        )
    )
    return result.rowcount or 0
