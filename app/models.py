"""Every feature's table models, imported here so Alembic sees one metadata."""

from sqlmodel import SQLModel

from app.activities.models import Activity
from app.assignments.models import Assignment
from app.auth.models import LoginAttempt, User, UserSession
from app.companies.models import Company, CompanyTag, Tag
from app.contacts.models import Contact
from app.events.models import (
    CalendarFeedToken,
    ChecklistTemplateItem,
    EventAssignment,
    EventCompany,
    EventMember,
    EventTask,
    RecruitmentEvent,
)
from app.history.models import AuditEvent
from app.imports.models import ImportedRecord, ImportFailure, ImportJob

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "Assignment",
    "AuditEvent",
    "CalendarFeedToken",
    "ChecklistTemplateItem",
    "Company",
    "CompanyTag",
    "Contact",
    "EventAssignment",
    "EventCompany",
    "EventMember",
    "EventTask",
    "ImportFailure",
    "ImportJob",
    "ImportedRecord",
    "LoginAttempt",
    "RecruitmentEvent",
    "Tag",
    "User",
    "UserSession",
    "metadata",
]
