"""Activities (kontakthändelser): a logged call, meeting, visit, e-mail or note at a company,
with an optional follow-up date (återkoppling)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_


class ActivityKind(enum.StrEnum):
    call = "call"
    meeting = "meeting"
    visit = "visit"
    email = "email"
    note = "note"


KIND_LABELS = {
    ActivityKind.call: N_("Samtal"),
    ActivityKind.meeting: N_("Möte"),
    ActivityKind.visit: N_("Besök"),
    ActivityKind.email: N_("E-post"),
    ActivityKind.note: N_("Anteckning"),
}
history_labels.register_values(kind=KIND_LABELS)

# What counts as contact with the company (Company.last_contact_at): every kind but a note,
# which is written about the company, not exchanged with it.
CONTACT_KINDS = tuple(kind for kind in ActivityKind if kind != ActivityKind.note)

_activity_version = version_column()


class Activity(SQLModel, table=True):
    __table_args__ = (
        # The company's timeline, newest first; also serves the company_id foreign key. With
        # the author in the key, Min dag finds colleagues' activities on a broker's companies
        # without reading the broker's own.
        Index("ix_activity_company_occurred", "company_id", "occurred_at", "user_id"),
        # Open follow-ups (Min dag) by author and by company: "done IS NULL" is part of the
        # key, so a lookup skips the many follow-ups already done (docs/benchmarks.md).
        # The first also serves the user_id foreign key.
        Index("ix_activity_user_follow_up", "user_id", "follow_up_done_at", "follow_up_on"),
        Index("ix_activity_company_follow_up", "company_id", "follow_up_done_at", "follow_up_on"),
        # The team's latest activities (Min dag), newest first.
        Index("ix_activity_occurred", "occurred_at"),
        # Rapporter: activities per author, kind and week are counted range by range in
        # this index alone (company_id for the municipality filter), never sorting a
        # year's activities (app/reports/service.py).
        Index("ix_activity_user_kind_occurred", "user_id", "kind", "occurred_at", "company_id"),
        # History refers to activities by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    # The assignment the contact was about, if any (one of the company's): the call shows
    # on the assignment's page too. Deleting the assignment keeps the call.
    assignment_id: int | None = Field(
        default=None, foreign_key="assignment.id", index=True, ondelete="SET NULL"
    )
    # Whether a contact was named. With contact_id NULL it means the contact was deleted or
    # erased since (the foreign key set it NULL): the activity reads "borttagen kontakt".
    had_contact: bool = False
    # The author: only they (or an admin) edit or delete the activity.
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    kind: ActivityKind = Field(
        default=ActivityKind.call, sa_column=enum_column(ActivityKind, "activity_kind")
    )
    occurred_at: dt.datetime = Field(sa_type=UTCDateTime)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome: str | None = Field(default=None, max_length=200)
    follow_up_on: dt.date | None = None
    follow_up_done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_activity_version)

    __mapper_args__ = {"version_id_col": _activity_version}
