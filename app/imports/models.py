"""Import jobs: an uploaded sheet, the options the user chose, its progress and result,
and what it wrote (so it can be undone) and which rows it refused (to download and fix)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.i18n import N_


class ImportKind(enum.StrEnum):
    companies = "companies"
    contacts = "contacts"
    activities = "activities"
    assignments = "assignments"
    agreements = "agreements"


class ImportStatus(enum.StrEnum):
    analysed = "analysed"  # uploaded and read; the user is still choosing the mapping
    queued = "queued"  # committed by the user: the worker picks it up
    running = "running"
    done = "done"
    failed = "failed"
    undone = "undone"


STATUS_LABELS = {
    ImportStatus.analysed: N_("Förhandsgranskas"),
    ImportStatus.queued: N_("Väntar"),
    ImportStatus.running: N_("Pågår"),
    ImportStatus.done: N_("Klar"),
    ImportStatus.failed: N_("Misslyckades"),
    ImportStatus.undone: N_("Ångrad"),
}

_import_job_version = version_column()


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    __table_args__ = (
        # The worker's question: the oldest queued (or interrupted) job.
        Index("ix_import_job_status_created", "status", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    kind: ImportKind = Field(sa_column=enum_column(ImportKind, "import_kind"))
    file_name: str = Field(max_length=255)
    sheet: str | None = Field(default=None, max_length=100)
    # What the user chose: columns, value maps, people, date order and policies
    # (app/imports/options.py, ImportOptions).
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: ImportStatus = Field(
        default=ImportStatus.analysed, sa_column=enum_column(ImportStatus, "import_status")
    )
    rows_total: int = 0
    rows_done: int = 0
    created_count: int = 0
    updated_count: int = 0
    skipped_count: int = 0
    failed_count: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    undone_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the instance running the job last showed it is alive (it claimed the job, or
    # committed a batch). Several instances may share the database: at start-up and now
    # and then, each queues again only the running jobs whose heartbeat is stale
    # (app/imports/jobs.py, recover), not one another instance is running right now.
    heartbeat_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_import_job_version)

    __mapper_args__ = {"version_id_col": _import_job_version}


class ImportedRecord(SQLModel, table=True):
    """One record a job created or updated: what undo removes or restores."""

    __tablename__ = "imported_record"
    __table_args__ = (Index("ix_imported_record_entity", "entity", "entity_id"),)

    id: int = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="import_job.id", index=True, ondelete="CASCADE")
    entity: str = Field(max_length=20)  # company, contact, activity, assignment, agreement
    entity_id: int
    action: str = Field(max_length=10)  # created or updated
    # The record's version right after the import: a later edit makes undo refuse.
    version: int
    # For updates: the tracked fields' values before, to restore them.
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ImportFile(SQLModel, table=True):
    """The uploaded file itself (at most MATCHA_IMPORT_MAX_MB): a queued job survives a
    restart, and any instance sharing the database can run it; no files to clean up. Kept
    apart from the job's row, which the worker updates after every batch: a row holding
    megabytes would be written again each time."""

    __tablename__ = "import_file"

    job_id: int = Field(foreign_key="import_job.id", primary_key=True, ondelete="CASCADE")
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ImportFailure(SQLModel, table=True):
    """A row the job refused: its cells as read, and why: [{"column": header or None,
    "message": Swedish msgid, "variables": {...}}], translated when shown or downloaded."""

    __tablename__ = "import_failure"

    id: int = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="import_job.id", index=True, ondelete="CASCADE")
    row_number: int
    cells: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    problems: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
