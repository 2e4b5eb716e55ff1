"""Users, their server-side sessions and the login attempts that throttle guessing."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Enum, Index, String, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime
from app.history import service as history
from app.i18n import N_


class Role(enum.StrEnum):
    admin = "admin"
    broker = "broker"
    viewer = "viewer"


ROLE_LABELS = {
    Role.admin: N_("Administratör"),
    Role.broker: N_("Jobbmäklare"),
    Role.viewer: N_("Läsbehörighet"),
}
LOCALES = {"sv": "Svenska", "en": "English"}
# The CSV exports' delimiter: `;` for Swedish Excel, `,` for Excel in other locales.
CSV_DELIMITERS = {
    ";": N_("Semikolon (;), för Excel på svenska"),
    ",": N_("Komma (,), för Excel på engelska och andra språk"),
}


def _role_column() -> Column[Role]:
    return Column(
        Enum(Role, name="user_role", native_enum=False, length=16, validate_strings=True),
        nullable=False,
    )


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    # Signed in through the organisation's OpenID provider: linked by the token's issuer
    # and subject (never by e-mail), one user per pair.
    __table_args__ = (Index("ux_user_account_oidc", "oidc_issuer", "oidc_subject", unique=True),)

    id: int = Field(default=None, primary_key=True)
    # Stored lower-case: logins are case-insensitive and 'Anna' and 'anna' are one user.
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: Role = Field(sa_column=_role_column())
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    locale: str = Field(default="sv", max_length=8)
    csv_delimiter: str = Field(default=";", max_length=1, sa_column_kwargs={"server_default": ";"})
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    password_changed_at: dt.datetime = Field(sa_type=UTCDateTime)
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)


# A user made at their first sign-in through the provider has no password: no hash of
# argon2's matches this, so the password login never lets them in.
NO_PASSWORD = "!sso"  # noqa: S105 (a marker, not a password)


class UserCreate(SQLModel):
    """The new-user form as typed (setup page and admin); the service checks every field."""

    username: str = ""
    full_name: str = ""
    email: str = ""
    role: str = Role.broker.value
    password: str = ""
    password_confirm: str = ""

    def retyped(self) -> dict[str, str]:
        """What the form shows again after an error: everything but the passwords."""
        return self.model_dump(exclude={"password", "password_confirm"})


# History shows who made each change by this name.
history.register_names("author", User, User.full_name)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    id: int = Field(default=None, primary_key=True)
    # sha256 of the cookie's token: a leaked database does not hand out live sessions.
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    client_ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    # How the user signed in: "password" or "sso" (its maximum age is the SSO setting's).
    method: str = Field(
        default="password", max_length=16, sa_column_kwargs={"server_default": "password"}
    )


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "attempted_at"),
        Index("ix_login_attempt_client_ip_at", "client_ip", "attempted_at"),
    )

    id: int = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client_ip: str = Field(max_length=64)
    attempted_at: dt.datetime = Field(sa_type=UTCDateTime)
    succeeded: bool


class SecurityEvent(SQLModel, table=True):
    """Säkerhetsloggen: who signed in, exported personal data, changed roles... Only ever
    appended to: a trigger refuses UPDATE, and DELETE of anything the retention purge has
    not released (SecurityLogPurge). Users are named by copy, not by key, so the log
    outlives what it tells of."""

    __tablename__ = "security_event"
    __table_args__ = (
        Index("ix_security_event_kind_at", "kind", "occurred_at"),
        Index("ix_security_event_user_at", "user_id", "occurred_at"),
    )

    id: int = Field(default=None, primary_key=True)
    occurred_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=32)
    succeeded: bool = True
    # Why it failed, or how it ended: a short code (app/auth/security_log.py REASONS).
    reason: str | None = Field(default=None, max_length=64)
    # Whom it concerns: the user, or the name typed at a failed sign-in.
    user_id: int | None = None
    username: str | None = Field(default=None, max_length=254)
    # Who did it, when someone else did (an admin changing a role).
    actor_id: int | None = None
    actor_name: str | None = Field(default=None, max_length=200)
    client_ip: str | None = Field(default=None, max_length=64)
    # What else: which list and filter, the role before and after... as JSON.
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rows: int | None = None


class SecurityLogPurge(SQLModel, table=True):
    """One row: events before `purge_before` may be deleted (the triggers read it). The
    retention purge moves it forward, then deletes."""

    __tablename__ = "security_log_purge"

    id: int = Field(default=None, primary_key=True)
    purge_before: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
