"""Audit events: one row per create, change, delete, merge, handover or erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id", "occurred_at"),
        Index("ix_audit_event_company", "company_id", "occurred_at"),
    )

    id: int = Field(default=None, primary_key=True)
    occurred_at: dt.datetime = Field(sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    entity: str = Field(max_length=20)  # "company" or "contact"
    entity_id: int
    # The company the event belongs to, so a company page shows its contacts' history too.
    company_id: int | None = None
    action: str = Field(max_length=20)
    # {field: [before, after]} for changes; other facts (e.g. merged_into) for other actions.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The record's version after this event: an edit conflict shows what came after yours.
    version: int | None = None
