"""Every feature's table models, imported here so Alembic sees one metadata."""

from sqlmodel import SQLModel

from app.activities.models import Activity
from app.assignments.models import Assignment
from app.auth.models import LoginAttempt, User, UserSession
from app.companies.models import Company, CompanyTag, Tag
from app.contacts.models import Contact
from app.history.models import AuditEvent

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "Assignment",
    "AuditEvent",
    "Company",
    "CompanyTag",
    "Contact",
    "LoginAttempt",
    "Tag",
    "User",
    "UserSession",
    "metadata",
]
