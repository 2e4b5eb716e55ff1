"""Lokala jobbspår (local job tracks): training and recruitment built from an employer's
real needs, run with Arbetsförmedlingen and education providers in four phases, round
after round. A track has its employers and their contact persons, a coordinator and
co-workers, a kompetensprofil, an insatspaket (a chain of insatser), a checklist per
phase, and its participants counted by stage and outcome. Job seekers are counted, never
named: there is no personal data about them here."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_
from app.phases import Phase


class TrackStatus(enum.StrEnum):
    """Where the track is: one of the phases, in order, or cancelled."""

    planning = "planning"
    recruitment = "recruitment"
    execution = "execution"
    closing = "closing"
    cancelled = "cancelled"


TRACK_STATUS_LABELS = {
    TrackStatus.planning: N_("Planering"),
    TrackStatus.recruitment: N_("Rekrytering"),
    TrackStatus.execution: N_("Genomförande"),
    TrackStatus.closing: N_("Avslut"),
    TrackStatus.cancelled: N_("Avbrutet"),
}
TRACK_STATUSES = tuple(TrackStatus)


class InterventionKind(enum.StrEnum):
    """What an insats in the track's insatspaket is."""

    training = "training"
    internship = "internship"
    language = "language"
    mentoring = "mentoring"
    guidance = "guidance"
    other = "other"


INTERVENTION_LABELS = {
    InterventionKind.training: N_("Utbildning"),
    InterventionKind.internship: N_("Praktik"),
    InterventionKind.language: N_("Språkstöd"),
    InterventionKind.mentoring: N_("Handledning"),
    InterventionKind.guidance: N_("Vägledning och matchning"),
    InterventionKind.other: N_("Annan insats"),
}
history_labels.register_values(
    track_status=TRACK_STATUS_LABELS, intervention_kind=INTERVENTION_LABELS
)

_track_version = version_column()


class JobTrack(SQLModel, table=True):
    """A job track, one round of it. A new round is a new row that points to the one
    before it and to the first round of its series."""

    __tablename__ = "job_track"
    __table_args__ = (
        # The list's counts and filter by status, newest planned first.
        Index("ix_job_track_status_planning", "status", "planning_starts_on"),
        # "My tracks"; also serves the coordinator_id foreign key.
        Index("ix_job_track_coordinator_status", "coordinator_id", "status"),
        CheckConstraint("places IS NULL OR places >= 1", name="places_positive"),
        CheckConstraint("round_number >= 1", name="round_number_positive"),
        CheckConstraint(
            "(identified IS NULL OR identified >= 0)"
            " AND (started IS NULL OR started >= 0)"
            " AND (completed IS NULL OR completed >= 0)"
            " AND (left_early IS NULL OR left_early >= 0)"
            " AND (to_studies IS NULL OR to_studies >= 0)"
            " AND (to_other IS NULL OR to_other >= 0)"
            " AND (outcome_unknown IS NULL OR outcome_unknown >= 0)",
            name="counts_not_negative",
        ),
        # History refers to tracks by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The occupation or sector the track trains and recruits for.
    occupation: str = Field(default="", max_length=200)
    municipality: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    coordinator_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    places: int | None = None
    status: TrackStatus = Field(
        default=TrackStatus.planning, sa_column=enum_column(TrackStatus, "job_track_status")
    )
    # When each phase starts, and when the track ends (all planned; any may be open).
    planning_starts_on: dt.date | None = None
    recruitment_starts_on: dt.date | None = None
    execution_starts_on: dt.date | None = None
    closing_starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    # Rounds: 1 for the first; a new round points to the one it was copied from and to
    # the first round of the series (None on the first round itself).
    round_number: int = 1
    previous_round_id: int | None = Field(
        default=None, foreign_key="job_track.id", index=True, ondelete="SET NULL"
    )
    first_round_id: int | None = Field(
        default=None, foreign_key="job_track.id", index=True, ondelete="SET NULL"
    )
    # Participants counted by stage (None until entered).
    identified: int | None = None
    started: int | None = None
    completed: int | None = None
    left_early: int | None = None
    # Outcomes besides employment (employment is counted by kind in JobTrackEmployment
    # and from the hires of the track's assignments and events).
    to_studies: int | None = None
    to_other: int | None = None
    outcome_unknown: int | None = None
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_track_version)

    __mapper_args__ = {"version_id_col": _track_version}


class JobTrackMember(SQLModel, table=True):
    """A colleague working on the track besides its coordinator."""

    __tablename__ = "job_track_member"
    __table_args__ = (Index("ix_job_track_member_user_id", "user_id"),)

    track_id: int = Field(foreign_key="job_track.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")


class JobTrackCompany(SQLModel, table=True):
    """An employer taking part in the track."""

    __tablename__ = "job_track_company"
    __table_args__ = (
        # One row per company and track; also serves the track_id foreign key.
        UniqueConstraint("track_id", "company_id"),
        # A company's tracks (its page); also the company_id foreign key.
        Index("ix_job_track_company_company_id", "company_id"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="job_track.id", ondelete="CASCADE")
    company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class JobTrackContact(SQLModel, table=True):
    """A contact person working with the track: at one of its employers, or at a
    samverkanspart (Arbetsförmedlingen, an education provider). Removing or erasing the
    contact (GDPR) removes this row with it."""

    __tablename__ = "job_track_contact"

    track_id: int = Field(foreign_key="job_track.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(
        foreign_key="contact.id", primary_key=True, index=True, ondelete="CASCADE"
    )


_profile_version = version_column()


class CompetenceProfile(SQLModel, table=True):
    """The track's kompetensprofil (kravprofil): the employer's needs, mapped by the
    coordinator and used in the dialogue with the employer and the providers."""

    __tablename__ = "competence_profile"

    track_id: int = Field(foreign_key="job_track.id", primary_key=True, ondelete="CASCADE")
    occupation: str = Field(default="", max_length=200)
    tasks: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    required_competences: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="")
    )
    desirable_competences: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="")
    )
    language_level: str = Field(default="", max_length=200)
    # Licences and certificates, e.g. B-körkort, truckkort.
    licences: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    working_hours: str = Field(default="", max_length=200)
    physical_demands: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # What the employer offers: handledare, introduction, ...
    employer_offers: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_profile_version)

    __mapper_args__ = {"version_id_col": _profile_version}


_intervention_version = version_column()


class Intervention(SQLModel, table=True):
    """An insats of the track's insatspaket: training, praktik, language support,
    handledning, ... with its provider and dates."""

    __tablename__ = "intervention"
    __table_args__ = (
        # The track's timeline, in order; also serves the track_id foreign key.
        Index("ix_intervention_track_starts_on", "track_id", "starts_on"),
        CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on",
            name="starts_before_end",
        ),
        CheckConstraint("places IS NULL OR places >= 1", name="places_positive"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="job_track.id", ondelete="CASCADE")
    kind: InterventionKind = Field(sa_column=enum_column(InterventionKind, "intervention_kind"))
    title: str = Field(default="", max_length=200)
    # The provider: a samverkanspart (an education provider) or an employer.
    provider_id: int | None = Field(
        default=None, foreign_key="company.id", index=True, ondelete="SET NULL"
    )
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    places: int | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_intervention_version)

    __mapper_args__ = {"version_id_col": _intervention_version}


class JobTrackEmployment(SQLModel, table=True):
    """Participants who went to a job, by employment kind (the assignments' kinds), that
    the coordinator counted beyond the hires of the track's own assignments and events
    (those are counted from them, once)."""

    __tablename__ = "job_track_employment"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    track_id: int = Field(foreign_key="job_track.id", primary_key=True, ondelete="CASCADE")
    # An assignments.models.EmploymentType value (kept as text: tables import no feature).
    employment_type: str = Field(primary_key=True, max_length=16)
    count: int = 0


_track_task_version = version_column()


class JobTrackTask(SQLModel, table=True):
    """An item of the track's checklist, in one of the phases (the events' checklist
    code, app/events/checklist.py, serves both)."""

    __tablename__ = "job_track_task"
    __table_args__ = (
        # The track's checklist, by phase and position; also the track_id foreign key.
        Index("ix_job_track_task_track_phase_position", "track_id", "phase", "position"),
        # Min dag's due items: open ones first in the key, by due date; also the
        # assignee_id foreign key.
        Index("ix_job_track_task_assignee_done_due", "assignee_id", "done_at", "due_on"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="job_track.id", ondelete="CASCADE")
    phase: Phase = Field(default=Phase.planning, sa_column=enum_column(Phase, "job_track_phase"))
    title: str = Field(max_length=200)
    due_on: dt.date | None = None
    assignee_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    position: int = 0
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_track_task_version)

    __mapper_args__ = {"version_id_col": _track_task_version}
