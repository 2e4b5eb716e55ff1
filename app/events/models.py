"""Rekryteringsträffar (recruitment events): an event where employers meet job seekers,
planned by a team through a checklist by phase, with the companies taking part, the
assignments presented there and what came of it. Job seekers are counted, never named."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_

# The checklists' phases, also reached from here.
from app.phases import PHASE_LABELS as PHASE_LABELS
from app.phases import PHASES as PHASES
from app.phases import Phase


class EventStatus(enum.StrEnum):
    planning = "planning"
    recruiting = "recruiting"
    running = "running"
    closed = "closed"
    cancelled = "cancelled"


STATUS_LABELS = {
    EventStatus.planning: N_("Planering"),
    EventStatus.recruiting: N_("Rekrytering"),
    EventStatus.running: N_("Genomförande"),
    EventStatus.closed: N_("Avslutad"),
    EventStatus.cancelled: N_("Inställd"),
}


class Participation(enum.StrEnum):
    """How far a company has come with an event (EventCompany.status)."""

    invited = "invited"
    confirmed = "confirmed"
    declined = "declined"
    attended = "attended"


PARTICIPATION_LABELS = {
    Participation.invited: N_("Inbjuden"),
    Participation.confirmed: N_("Bekräftad"),
    Participation.declined: N_("Avböjd"),
    Participation.attended: N_("Deltog"),
}


history_labels.register_values(event_status=STATUS_LABELS, participation=PARTICIPATION_LABELS)


class ChecklistFor(enum.StrEnum):
    """Which checklist a default checklist's item belongs to: a new event's, or a new job
    track's (app/tracks; there the days count from the start of the item's phase)."""

    event = "event"
    track = "track"


_event_version = version_column()


class RecruitmentEvent(SQLModel, table=True):
    __tablename__ = "recruitment_event"
    __table_args__ = (
        # The list (upcoming first, then past) and the calendar's month view.
        Index("ix_recruitment_event_starts_at", "starts_at"),
        # "My events"; also serves the owner_id foreign key.
        Index("ix_recruitment_event_owner_starts_at", "owner_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "(jobseekers_invited IS NULL OR jobseekers_invited >= 0)"
            " AND (jobseekers_attended IS NULL OR jobseekers_attended >= 0)"
            " AND (interviews IS NULL OR interviews >= 0)"
            " AND (hires IS NULL OR hires >= 0)",
            name="outcome_not_negative",
        ),
        # A job track's events (its page), and the track_id foreign key:
        # partial, as most have no track.
        Index(
            "ix_recruitment_event_track_id",
            "track_id",
            sqlite_where=text("track_id IS NOT NULL"),
            postgresql_where=text("track_id IS NOT NULL"),
        ),
        # History refers to events by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    # Instants in UTC; entered and shown in Swedish time.
    starts_at: dt.datetime = Field(sa_type=UTCDateTime)
    ends_at: dt.datetime = Field(sa_type=UTCDateTime)
    # A street address; an event with an online_url is (also) digital.
    place: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    target_group: str | None = Field(default=None, max_length=200)
    capacity: int | None = None
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # The lokalt jobbspår it belongs to, if any.
    track_id: int | None = Field(default=None, foreign_key="job_track.id", ondelete="SET NULL")
    status: EventStatus = Field(
        default=EventStatus.planning, sa_column=enum_column(EventStatus, "event_status")
    )
    # The outcome ("utfall"): numbers only, None until entered.
    jobseekers_invited: int | None = None
    jobseekers_attended: int | None = None
    interviews: int | None = None
    hires: int | None = None
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_event_version)

    __mapper_args__ = {"version_id_col": _event_version}

    @property
    def is_digital(self) -> bool:
        return bool(self.online_url)


class EventMember(SQLModel, table=True):
    """A colleague on the event's team (besides its owner)."""

    __tablename__ = "event_member"
    __table_args__ = (Index("ix_event_member_user_id", "user_id"),)

    event_id: int = Field(foreign_key="recruitment_event.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")


_event_company_version = version_column()


class EventCompany(SQLModel, table=True):
    """A company taking part in an event ("deltagande företag"), and who comes from it."""

    __tablename__ = "event_company"
    __table_args__ = (
        # One row per company and event; also serves the event_id foreign key.
        UniqueConstraint("event_id", "company_id"),
        # A company's events (its page, the calendar feed).
        Index("ix_event_company_company_id", "company_id"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="recruitment_event.id", ondelete="CASCADE")
    company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    status: Participation = Field(
        default=Participation.invited,
        sa_column=enum_column(Participation, "event_company_status"),
    )
    # The company's contact person who comes to the event.
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_event_company_version)

    __mapper_args__ = {"version_id_col": _event_company_version}


class EventAssignment(SQLModel, table=True):
    """An assignment presented at the event, and how many were hired on it there. Those
    hires are part of the assignment's filled_count (the outcome adds the difference)."""

    __tablename__ = "event_assignment"
    __table_args__ = (
        UniqueConstraint("event_id", "assignment_id"),
        Index("ix_event_assignment_assignment_id", "assignment_id"),
        CheckConstraint("hires >= 0", name="hires_not_negative"),
    )

    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="recruitment_event.id", ondelete="CASCADE")
    assignment_id: int = Field(foreign_key="assignment.id", ondelete="CASCADE")
    hires: int = 0


_event_task_version = version_column()


class EventTask(SQLModel, table=True):
    """An item of the event's checklist, in one of the phases."""

    __tablename__ = "event_task"
    __table_args__ = (
        # The event's checklist, by phase and position; also the event_id foreign key.
        Index("ix_event_task_event_phase_position", "event_id", "phase", "position"),
        # "My overdue tasks" (Min dag): open ones first in the key, by due date; also the
        # assignee_id foreign key.
        Index("ix_event_task_assignee_done_due", "assignee_id", "done_at", "due_on"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="recruitment_event.id", ondelete="CASCADE")
    phase: Phase = Field(default=Phase.planning, sa_column=enum_column(Phase, "event_phase"))
    title: str = Field(max_length=200)
    due_on: dt.date | None = None
    assignee_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    position: int = 0
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_event_task_version)

    __mapper_args__ = {"version_id_col": _event_task_version}


class ChecklistTemplateItem(SQLModel, table=True):
    """An item of a default checklist: the one a new event starts with, or the one a new
    job track starts with (an admin edits both)."""

    __tablename__ = "checklist_template_item"

    id: int = Field(default=None, primary_key=True)
    checklist: ChecklistFor = Field(
        default=ChecklistFor.event,
        sa_column=enum_column(ChecklistFor, "checklist_for", server_default="event"),
    )
    phase: Phase = Field(default=Phase.planning, sa_column=enum_column(Phase, "event_phase"))
    title: str = Field(max_length=200)
    # The due date relative to the event's start date (a track's: the start of the item's
    # phase): negative is before it.
    days_from_start: int = 0
    position: int = 0


class CalendarFeedToken(SQLModel, table=True):
    """The secret of a user's personal calendar feed: only its hash is kept. Revoked
    tokens stay (revoked_at set) so a leaked URL can be told apart from a wrong one."""

    __tablename__ = "calendar_feed_token"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
