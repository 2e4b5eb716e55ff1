"""Säkerhetsloggen: the record IT reads of sign-ins, sign-outs, role changes, exports of
personal data, erasures and imports.

Each event is a row of `security_event`, written in the transaction of what it tells of
(so a change that is rolled back leaves no event, and one that is saved always has its
event), and, once that transaction is committed, one JSON line from the logger
`matcha.security` for the municipality's log system. The table is only appended to:
triggers on both engines refuse UPDATE and DELETE, except the retention purge's deletes
of events older than the months kept (migration ab1651d2b5b6).

Nothing secret is ever written: `detail` takes plain facts (a list's name, its filter,
the role before and after), and a key that sounds like a secret is refused outright.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, exists, update
from sqlmodel import Session, col, delete, select

from app.auth.models import SecurityEvent, SecurityLogPurge, User
from app.clock import Clock
from app.i18n import N_
from app.observability import current_client

log = logging.getLogger("matcha.security")


class Kind(enum.StrEnum):
    sign_in = "sign_in"
    sign_out = "sign_out"
    session_ended = "session_ended"
    sessions_revoked = "sessions_revoked"
    user_created = "user_created"
    role_changed = "role_changed"
    user_activated = "user_activated"
    user_deactivated = "user_deactivated"
    password_reset = "password_reset"  # noqa: S105
    password_changed = "password_changed"  # noqa: S105
    account_linked = "account_linked"
    export = "export"
    erasure = "erasure"
    import_committed = "import_committed"
    import_undone = "import_undone"
    log_purged = "log_purged"


KIND_LABELS = {
    Kind.sign_in: N_("Inloggning"),
    Kind.sign_out: N_("Utloggning"),
    Kind.session_ended: N_("Session avslutad"),
    Kind.sessions_revoked: N_("Sessioner avslutade"),
    Kind.user_created: N_("Användare skapad"),
    Kind.role_changed: N_("Roll ändrad"),
    Kind.user_activated: N_("Användare aktiverad"),
    Kind.user_deactivated: N_("Användare inaktiverad"),
    Kind.password_reset: N_("Lösenord återställt"),
    Kind.password_changed: N_("Eget lösenord bytt"),
    Kind.account_linked: N_("Konto kopplat till organisationens inloggning"),
    Kind.export: N_("Export med personuppgifter"),
    Kind.erasure: N_("Radering (GDPR)"),
    Kind.import_committed: N_("Import sparad"),
    Kind.import_undone: N_("Import ångrad"),
    Kind.log_purged: N_("Säkerhetslogg gallrad"),
}

# Why a sign-in failed or a session ended.
REASONS = {
    "wrong_password": N_("fel användarnamn eller lösenord"),
    "throttled": N_("för många försök"),
    "passwords_off": N_("lösenordsinloggning avstängd"),
    "inactive": N_("inaktiverad användare"),
    "unknown_user": N_("okänd användare (skapas inte automatiskt)"),
    "no_mapped_group": N_("ingen grupp eller roll som ger behörighet"),
    "state": N_("ogiltig eller återanvänd state"),
    "nonce": N_("fel nonce"),
    "token": N_("ogiltig id-token"),
    "provider": N_("leverantören svarade inte eller avböjde"),
    "linked_elsewhere": N_("kontot är redan kopplat till en annan användare"),
    "expired": N_("maxtiden passerad"),
    "idle": N_("inaktiv för länge"),
    "deactivated": N_("användaren inaktiverad"),
    "logout": N_("utloggad"),
    "password_changed": N_("lösenordet bytt"),
    "password_reset": N_("lösenordet återställt"),
    "interrupted": N_("avbruten innan filen var klar"),
}

# A detail key that could carry a secret is a bug in the caller: refused, never written.
_SECRET_WORDS = ("password", "token", "secret", "code", "cookie", "nonce", "verifier", "hash")
_PENDING = "security_log_pending"


def record(
    session: Session,
    kind: Kind,
    *,
    clock: Clock,
    succeeded: bool = True,
    reason: str | None = None,
    user: User | None = None,
    username: str | None = None,
    actor: User | None = None,
    detail: Mapping[str, Any] | None = None,
    rows: int | None = None,
) -> SecurityEvent:
    """Adds an event to the session's transaction; its log line follows the commit."""
    if reason is not None and reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    for key in detail or {}:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"security log detail key {key!r} may carry a secret")
    row = SecurityEvent(
        occurred_at=clock.now(),
        kind=kind.value,
        succeeded=succeeded,
        reason=reason,
        user_id=user.id if user is not None else None,
        username=(user.username if user is not None else username or None),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.full_name if actor is not None else None,
        client_ip=current_client.get(),
        detail=json.dumps(dict(detail), ensure_ascii=False, default=str) if detail else None,
        rows=rows,
    )
    session.add(row)
    session.info.setdefault(_PENDING, []).append(row)
    return row


def line(row: SecurityEvent) -> dict[str, Any]:
    """The JSON log line's fields for an event."""
    return {
        "event": row.kind,
        "occurred_at": row.occurred_at.isoformat(),
        "succeeded": row.succeeded,
        "reason": row.reason,
        "user_id": row.user_id,
        "username": row.username,
        "actor_id": row.actor_id,
        "actor": row.actor_name,
        "client": row.client_ip,
        "rows": row.rows,
        "detail": json.loads(row.detail) if row.detail else None,
    }


@event.listens_for(Session, "after_commit")
def _write_lines(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for row in pending or ():
        fields = line(row)
        log.info("security %s", fields["event"], extra={"fields": fields})


@event.listens_for(Session, "after_soft_rollback")
def _forget_lines(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def months_before(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` months earlier (the month's last day if shorter)."""
    month_index = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(instant.day, 27, -1):
        try:
            return instant.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return instant.replace(year=year, month=month, day=min(instant.day, 28))


def purge(*, session: Session, clock: Clock, months: int) -> int:
    """Deletes events older than `months` months; returns how many. The purge itself is
    logged. Cheap when there is nothing to purge: one indexed look, no write."""
    cutoff = months_before(clock.now(), months)
    old = select(SecurityEvent.id).where(col(SecurityEvent.occurred_at) < cutoff)
    if not session.exec(select(exists(old))).one():
        return 0
    session.exec(update(SecurityLogPurge).values(purge_before=cutoff))
    result = session.exec(delete(SecurityEvent).where(col(SecurityEvent.occurred_at) < cutoff))
    purged = result.rowcount or 0
    record(
        session,
        Kind.log_purged,
        clock=clock,
        detail={"before": cutoff.date().isoformat(), "months": months},
        rows=purged,
    )
    return purged
