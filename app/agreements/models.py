"""Avtal (agreements) with an employer: a letter of intent (avsiktsförklaring), a
samverkansavtal, rekryteringsavtal, praktikavtal or another kind, with its status, when
it was sent and signed, how long it is valid, and who signed it: the company's contact
persons and the user who signed for the unit."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_


class AgreementKind(enum.StrEnum):
    letter_of_intent = "letter_of_intent"
    cooperation = "cooperation"
    recruitment = "recruitment"
    internship = "internship"
    other = "other"


class AgreementState(enum.StrEnum):
    draft = "draft"
    sent = "sent"
    signed = "signed"
    ended = "ended"


KIND_LABELS = {
    AgreementKind.letter_of_intent: N_("Avsiktsförklaring"),
    AgreementKind.cooperation: N_("Samverkansavtal"),
    AgreementKind.recruitment: N_("Rekryteringsavtal"),
    AgreementKind.internship: N_("Praktikavtal"),
    AgreementKind.other: N_("Annat avtal"),
}
STATE_LABELS = {
    AgreementState.draft: N_("Utkast"),
    AgreementState.sent: N_("Skickat"),
    AgreementState.signed: N_("Undertecknat"),
    AgreementState.ended: N_("Upphört"),
}
history_labels.register_values(kind=KIND_LABELS, state=STATE_LABELS)

_agreement_version = version_column()


class Agreement(SQLModel, table=True):
    __table_args__ = (
        # The company page's section, and the company_id key.
        Index("ix_agreement_company_kind", "company_id", "kind"),
        # The reports and the list: signed in a period, by kind.
        Index("ix_agreement_kind_signed_on", "kind", "signed_on"),
        # Ending ones (valid to within 30 days) and the list's default order.
        Index("ix_agreement_valid_to", "valid_to"),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to",
            name="valid_from_before_valid_to",
        ),
        # A job track's agreements (its page), and the track_id foreign key:
        # partial, as most have no track.
        Index(
            "ix_agreement_track_id",
            "track_id",
            sqlite_where=text("track_id IS NOT NULL"),
            postgresql_where=text("track_id IS NOT NULL"),
        ),
        # History refers to agreements by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    # The assignment the agreement is for, if any.
    assignment_id: int | None = Field(
        default=None, foreign_key="assignment.id", index=True, ondelete="SET NULL"
    )
    # The lokalt jobbspår it belongs to, if any.
    track_id: int | None = Field(default=None, foreign_key="job_track.id", ondelete="SET NULL")
    kind: AgreementKind = Field(sa_column=enum_column(AgreementKind, "agreement_kind"))
    state: AgreementState = Field(
        default=AgreementState.draft, sa_column=enum_column(AgreementState, "agreement_state")
    )
    sent_on: dt.date | None = None
    signed_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    # Who signed for the unit.
    unit_signatory_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    # The agreement this one renews ("Förnya"): the old one no longer counts as ending.
    renews_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="SET NULL"
    )
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_agreement_version)

    __mapper_args__ = {"version_id_col": _agreement_version}


class AgreementSignatory(SQLModel, table=True):
    """A contact person who signed (or is to sign) for the company. Removing or erasing
    the contact (GDPR) removes this row with it."""

    __tablename__ = "agreement_signatory"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(
        foreign_key="contact.id", primary_key=True, index=True, ondelete="CASCADE"
    )
