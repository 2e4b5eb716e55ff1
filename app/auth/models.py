"""Users, their server-side sessions and the login attempts that throttle guessing."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Enum, Index, String
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
