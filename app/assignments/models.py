"""Rekryteringsuppdrag (assignments): a company's request to recruit N people for an
occupation, with a pipeline status, who brought it in, and how many were hired. Job
seekers are counted, never named: there is no personal data about them here."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_


class AssignmentStatus(enum.StrEnum):
    new = "new"
    searching = "searching"
    presented = "presented"
    filled = "filled"
    partly_filled = "partly_filled"
    closed_unfilled = "closed_unfilled"
    cancelled = "cancelled"


STATUS_LABELS = {
    AssignmentStatus.new: N_("Ny"),
    AssignmentStatus.searching: N_("Sökning pågår"),
    AssignmentStatus.presented: N_("Kandidater presenterade"),
    AssignmentStatus.filled: N_("Tillsatt"),
    AssignmentStatus.partly_filled: N_("Delvis tillsatt"),
    AssignmentStatus.closed_unfilled: N_("Avslutad utan tillsättning"),
    AssignmentStatus.cancelled: N_("Avbruten"),
}
# The pipeline, in order: the board's columns. A closed assignment lives in the list only.
OPEN_STATUSES = (AssignmentStatus.new, AssignmentStatus.searching, AssignmentStatus.presented)
CLOSED_STATUSES = (
    AssignmentStatus.filled,
    AssignmentStatus.partly_filled,
    AssignmentStatus.closed_unfilled,
    AssignmentStatus.cancelled,
)
STATUS_ORDER = (*OPEN_STATUSES, *CLOSED_STATUSES)


class EmploymentType(enum.StrEnum):
    ordinary = "ordinary"
    fixed_term = "fixed_term"
    # Subsidised employments, by kind (from December 2026).
    extra_job = "extra_job"
    wage_subsidy = "wage_subsidy"
    new_start_job = "new_start_job"
    introduction_job = "introduction_job"
    other_subsidy = "other_subsidy"
    # Before the kinds were split: "lönestöd/nystartsjobb", not told apart. Rows keep it;
    # new ones cannot be given it (form.py), and reports show it as not split.
    subsidised = "subsidised"
    internship = "internship"
    labour_market = "labour_market"
    job_track = "job_track"
    other = "other"


# The subsidised kinds, the old undivided one included.
SUBSIDISED_TYPES = (
    EmploymentType.extra_job,
    EmploymentType.wage_subsidy,
    EmploymentType.new_start_job,
    EmploymentType.introduction_job,
    EmploymentType.other_subsidy,
    EmploymentType.subsidised,
)
# Only rows from before the split have it.
LEGACY_TYPES = (EmploymentType.subsidised,)

EMPLOYMENT_TYPE_LABELS = {
    EmploymentType.ordinary: N_("Ordinarie anställning"),
    EmploymentType.fixed_term: N_("Visstidsanställning"),
    EmploymentType.extra_job: N_("Extratjänst"),
    EmploymentType.wage_subsidy: N_("Lönestöd"),
    EmploymentType.new_start_job: N_("Nystartsjobb"),
    EmploymentType.introduction_job: N_("Introduktionsjobb"),
    EmploymentType.other_subsidy: N_("Annan subventionerad anställning"),
    EmploymentType.subsidised: N_("Lönestöd/nystartsjobb (ej uppdelat)"),
    EmploymentType.internship: N_("Praktik"),
    EmploymentType.labour_market: N_("Arbetsmarknadsanställning"),
    EmploymentType.job_track: N_("Lokalt jobbspår"),
    EmploymentType.other: N_("Annat"),
}


def employment_type_choices(current: str = "") -> dict[EmploymentType, str]:
    """The kinds a form offers: every one but the old undivided kind, unless the
    assignment has it already (it keeps it until someone chooses the right kind)."""
    return {
        kind: label
        for kind, label in EMPLOYMENT_TYPE_LABELS.items()
        if kind not in LEGACY_TYPES or kind.value == current
    }


class SourceKind(enum.StrEnum):
    """Who or what brought the assignment in ("vem drog in uppdraget"): a broker (then
    Assignment.source_user_id names them), or one of the ways it came without one."""

    broker = "broker"
    company = "company"
    event = "event"
    partner = "partner"
    other = "other"


SOURCE_LABELS = {
    SourceKind.broker: N_("En jobbmäklare"),
    SourceKind.company: N_("Företaget hörde av sig"),
    SourceKind.event: N_("Rekryteringsträff"),
    SourceKind.partner: N_("Samverkanspart, t.ex. Arbetsförmedlingen"),
    SourceKind.other: N_("Annat"),
}
history_labels.register_values(
    status=STATUS_LABELS, employment_type=EMPLOYMENT_TYPE_LABELS, source_kind=SOURCE_LABELS
)

_assignment_version = version_column()


class Assignment(SQLModel, table=True):
    __table_args__ = (
        # The list's default order (by status, most urgent first) and the overdue ones.
        Index("ix_assignment_status_deadline", "status", "deadline"),
        # The board's columns: by status, newest first.
        Index("ix_assignment_status_created_at", "status", "created_at"),
        # "My assignments" (board and list filter, Min dag's overdue ones); also serves the
        # owner_id foreign key.
        Index("ix_assignment_owner_status_deadline", "owner_id", "status", "deadline"),
        # The company page's section and the company filter; also the company_id key.
        Index("ix_assignment_company_status", "company_id", "status"),
        # The reports: assignments opened, and closed, in a period, counted from these
        # alone with the columns the reports group, sum and filter by.
        Index(
            "ix_assignment_created_report",
            "created_at",
            "employment_type",
            "status",
            "positions",
            "owner_id",
            "company_id",
        ),
        Index(
            "ix_assignment_closed_report",
            "closed_at",
            "employment_type",
            "status",
            "filled_count",
            "owner_id",
            "company_id",
        ),
        CheckConstraint("positions >= 1", name="positions_at_least_one"),
        CheckConstraint(
            "filled_count >= 0 AND filled_count <= positions", name="filled_within_positions"
        ),
        # A job track's assignments (its page), and the track_id foreign key:
        # partial, as most have no track.
        Index(
            "ix_assignment_track_id",
            "track_id",
            sqlite_where=text("track_id IS NOT NULL"),
            postgresql_where=text("track_id IS NOT NULL"),
        ),
        # History refers to assignments by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    # Free text as the employer says it, plus an optional SSYK 2012 code: 1–4 digits, a
    # unit group (4) or a broader group; only its format is checked.
    occupation: str = Field(max_length=200)
    ssyk_code: str | None = Field(default=None, max_length=4)
    positions: int = 1
    requirements: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    employment_type: EmploymentType = Field(
        default=EmploymentType.ordinary,
        sa_column=enum_column(EmploymentType, "assignment_employment_type"),
    )
    workplace: str | None = Field(default=None, max_length=200)
    start_on: dt.date | None = None
    deadline: dt.date | None = None
    # When the employments it filled end (a fixed-term, subsidised or praktik one): the
    # placements are followed up then and three months after (follow_ups.py).
    ends_on: dt.date | None = None
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    # The lokalt jobbspår it belongs to, if any.
    track_id: int | None = Field(default=None, foreign_key="job_track.id", ondelete="SET NULL")
    source_kind: SourceKind = Field(
        default=SourceKind.broker, sa_column=enum_column(SourceKind, "assignment_source_kind")
    )
    # The broker who brought it in, when source_kind is "broker".
    source_user_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    status: AssignmentStatus = Field(
        default=AssignmentStatus.new,
        sa_column=enum_column(AssignmentStatus, "assignment_status"),
    )
    # How many were hired through the assignment: a count, never names.
    filled_count: int = 0
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Folded occupation, SSYK code and workplace (app/text.py): the list's search.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Who registered it: they, the owner or an admin may delete it.
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # When it last went from an open to a closed status; None while open.
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_assignment_version)

    __mapper_args__ = {"version_id_col": _assignment_version}


# Employments whose placements are followed up: do they become ordinary jobs?
FOLLOWED_UP_TYPES = (*SUBSIDISED_TYPES, EmploymentType.fixed_term, EmploymentType.internship)


class FollowUpPoint(enum.StrEnum):
    at_end = "at_end"
    later = "later"


FOLLOW_UP_POINT_LABELS = {
    FollowUpPoint.at_end: N_("När anställningen slutar"),
    FollowUpPoint.later: N_("Tre månader efter"),
}
# What came of the filled positions, as counted at a follow-up (never who).
OUTCOMES = ("ordinary_job", "new_subsidised_or_fixed", "studies", "no_job_or_studies")
OUTCOME_LABELS = {
    "ordinary_job": N_("Ordinarie jobb"),
    "new_subsidised_or_fixed": N_("Ny subventionerad eller visstidsanställning"),
    "studies": N_("Studier"),
    "no_job_or_studies": N_("Lämnade, varken jobb eller studier"),
}
history_labels.register_values(point=FOLLOW_UP_POINT_LABELS)

_follow_up_version = version_column()


class PlacementFollowUp(SQLModel, table=True):
    """A point at which the placements of an assignment are followed up: how many of its
    filled positions continue in an ordinary job, in a new subsidised or fixed-term job,
    went to studies, or left; and how many moved from income support (försörjningsstöd)
    to a salary. Counts only: no one is named."""

    __tablename__ = "placement_follow_up"
    __table_args__ = (
        UniqueConstraint("assignment_id", "point"),
        # Min dag's due follow-ups and the reports: by the day they are due or were done.
        Index("ix_placement_follow_up_due", "recorded_at", "due_on"),
        CheckConstraint(
            "ordinary_job >= 0 AND new_subsidised_or_fixed >= 0 AND studies >= 0 "
            "AND no_job_or_studies >= 0 AND income_support_moved >= 0",
            name="counts_not_negative",
        ),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", ondelete="CASCADE")
    point: FollowUpPoint = Field(sa_column=enum_column(FollowUpPoint, "follow_up_point"))
    due_on: dt.date
    # The due day was set by hand: it no longer follows the assignment's end date.
    moved: bool = False
    recorded_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    ordinary_job: int = 0
    new_subsidised_or_fixed: int = 0
    studies: int = 0
    no_job_or_studies: int = 0
    # Of those followed up: how many moved from income support to their own salary.
    income_support_moved: int = 0
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_follow_up_version)

    __mapper_args__ = {"version_id_col": _follow_up_version}

    @property
    def followed_up(self) -> int:
        return (
            self.ordinary_job + self.new_subsidised_or_fixed + self.studies + self.no_job_or_studies
        )


class IncomeSupportRate(SQLModel, table=True):
    """What the reports' estimate of income support saved counts with, as an admin set
    it: an amount per person and month, in whole kronor, and how many months are counted.
    One row at most (id 1); none until an admin has set them."""

    __tablename__ = "income_support_rate"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint(
            "amount_per_month >= 0 AND amount_per_month <= 1000000", name="amount_in_range"
        ),
        CheckConstraint("months >= 1 AND months <= 24", name="months_in_range"),
    )

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    amount_per_month: int
    months: int
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
