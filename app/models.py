"""Every feature's table models, imported here so Alembic sees one metadata."""

from sqlmodel import SQLModel

from app.auth.models import LoginAttempt, User, UserSession

metadata = SQLModel.metadata

__all__ = ["LoginAttempt", "User", "UserSession", "metadata"]
