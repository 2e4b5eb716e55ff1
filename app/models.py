"""Every feature's table models, imported here so Alembic sees one metadata.

A table model's key is declared `id: int = Field(default=None, primary_key=True)`: the
database gives it at the first flush, and code reads the id only of rows loaded or
flushed, so it is typed as the `int` it then is (not `int | None`, which every caller
would have to narrow). A column in a SQL expression is wrapped in `col()` where its
Python type would not have the operator (`col(Company.name).ilike(...)`)."""

from sqlmodel import SQLModel

from app.activities.models import Activity
from app.agreements.models import Agreement, AgreementSignatory
from app.assignments.models import Assignment, IncomeSupportRate, PlacementFollowUp
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
from app.tracks.models import (
    CompetenceProfile,
    Intervention,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    JobTrackEmployment,
    JobTrackMember,
    JobTrackTask,
)

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "Agreement",
    "AgreementSignatory",
    "Assignment",
    "AuditEvent",
    "CalendarFeedToken",
    "ChecklistTemplateItem",
    "Company",
    "CompanyTag",
    "CompetenceProfile",
    "Contact",
    "EventAssignment",
    "EventCompany",
    "EventMember",
    "EventTask",
    "ImportFailure",
    "ImportJob",
    "ImportedRecord",
    "IncomeSupportRate",
    "Intervention",
    "JobTrack",
    "JobTrackCompany",
    "JobTrackContact",
    "JobTrackEmployment",
    "JobTrackMember",
    "JobTrackTask",
    "LoginAttempt",
    "PlacementFollowUp",
    "RecruitmentEvent",
    "Tag",
    "User",
    "UserSession",
    "metadata",
]
