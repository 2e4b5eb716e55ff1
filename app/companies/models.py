"""Companies (employers) and their tags."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ColumnElement, Index, Text, literal_column, text
from sqlmodel import Field, SQLModel, col

from app.db import UTCDateTime, enum_column, version_column
from app.history import labels as history_labels
from app.i18n import N_


class CompanyStatus(enum.StrEnum):
    prospect = "prospect"
    active = "active"
    dormant = "dormant"


class CompanyKind(enum.StrEnum):
    """An employer (the register), or a samverkanspart: Arbetsförmedlingen, an education
    provider or another organisation the unit works with on job tracks. The register, Min
    dag, the reports' company counts, duplicate checks and imports leave partners out
    unless asked."""

    employer = "employer"
    partner = "partner"


class SizeClass(enum.StrEnum):
    none = "0"
    micro = "1-9"
    small = "10-49"
    medium = "50-249"
    large = "250+"


class AgreementStatus(enum.StrEnum):
    none = "none"
    sent = "sent"
    signed = "signed"


STATUS_LABELS = {
    CompanyStatus.prospect: N_("Prospekt"),
    CompanyStatus.active: N_("Aktiv"),
    CompanyStatus.dormant: N_("Vilande"),
}
KIND_LABELS = {
    CompanyKind.employer: N_("Arbetsgivare"),
    CompanyKind.partner: N_("Samverkanspart"),
}
SIZE_LABELS = {
    SizeClass.none: N_("Inga anställda"),
    SizeClass.micro: N_("1–9 anställda"),
    SizeClass.small: N_("10–49 anställda"),
    SizeClass.medium: N_("50–249 anställda"),
    SizeClass.large: N_("250 eller fler anställda"),
}
AGREEMENT_LABELS = {
    AgreementStatus.none: N_("Ingen"),
    AgreementStatus.sent: N_("Skickad"),
    AgreementStatus.signed: N_("Undertecknad"),
}
history_labels.register_values(
    status=STATUS_LABELS,
    size_class=SIZE_LABELS,
    agreement_status=AGREEMENT_LABELS,
    company_kind=KIND_LABELS,
)


_company_version = version_column()


class Company(SQLModel, table=True):
    __table_args__ = (
        # A broker's companies by what Min dag asks of them: follow-ups due, not contacted
        # for long, recent activity. Each serves one section without visiting every company
        # the broker owns; the first also serves the owner_id foreign key.
        Index("ix_company_owner_last_contact", "owner_id", "last_contact_at"),
        Index("ix_company_owner_follow_up", "owner_id", "next_follow_up_on"),
        Index("ix_company_owner_last_activity", "owner_id", "last_activity_at"),
        # The reports: companies contacted (latest activity), new, and letters of intent
        # signed, in a period.
        Index("ix_company_last_activity_at", "last_activity_at"),
        Index("ix_company_created_at", "created_at", "merged_into_id"),
        Index("ix_company_agreement", "agreement_status", "agreement_date"),
        # Deleting a company makes the database look for companies merged into it: without
        # this, a scan of the table for each one (undoing a big import took minutes).
        # Partial: the few merged companies only, so it never looks like a way to find the
        # unmerged ones (the reports count new companies by created_at, not through this).
        Index(
            "ix_company_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        # The few samverkanspartner: what the reports leave out, and the list's "Samverkanspart"
        # filter, without reading every company. Partial, so it never looks like a way to
        # find the employers; a query must compare kind with the literal 'partner' (a bound
        # parameter does not let SQLite use it).
        Index(
            "ix_company_partner",
            "id",
            sqlite_where=text("kind = 'partner'"),
            postgresql_where=text("kind = 'partner'"),
        ),
        # History refers to companies by id: SQLite must never hand a deleted id out again.
        {"sqlite_autoincrement": True},
    )

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: CompanyKind = Field(
        default=CompanyKind.employer,
        sa_column=enum_column(CompanyKind, "company_kind", server_default="employer"),
    )
    # NNNNNN-NNNN, Luhn-checked (app/companies/orgnr.py); unique when present.
    org_number: str | None = Field(default=None, max_length=11, unique=True)
    industry: str | None = Field(default=None, max_length=200)
    sni_code: str | None = Field(default=None, max_length=6)
    size_class: SizeClass | None = Field(
        default=None, sa_column=enum_column(SizeClass, "company_size_class", nullable=True)
    )
    municipality: str | None = Field(default=None, max_length=100, index=True)
    street_address: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=6)
    city: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=300)
    status: CompanyStatus = Field(
        default=CompanyStatus.prospect, sa_column=enum_column(CompanyStatus, "company_status")
    )
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    agreement_status: AgreementStatus = Field(
        default=AgreementStatus.none,
        sa_column=enum_column(AgreementStatus, "company_agreement_status"),
    )
    agreement_date: dt.date | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Written by the service from name, org.nr and city, folded (app/text.py); searched
    # through an FTS5 trigram table on SQLite and a pg_trgm index on PostgreSQL.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The folded name without company forms: finds likely duplicates.
    name_key: str = Field(default="", max_length=200, index=True)
    # swedish_key(name): the list's sort order on SQLite (app/db.py, by_name).
    sort_key: str = Field(default="", max_length=200, index=True)
    # No index: nearly every company is active, and an index here made SQLite fetch and
    # sort them all instead of walking sort_key (see docs/benchmarks.md).
    archived_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Denormalised from the company's activities by the activity service, with a plain
    # UPDATE that leaves `version` alone (logging a call must not make an open company
    # form stale): the latest activity of any kind but a note, the earliest follow-up not
    # yet done, and the latest activity of any kind. They let the list and Min dag sort
    # and filter on them with an index.
    last_contact_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_follow_up_on: dt.date | None = Field(default=None, index=True)
    last_activity_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    merged_into_id: int | None = Field(default=None, foreign_key="company.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_company_version)

    __mapper_args__ = {"version_id_col": _company_version}


class Tag(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    name_key: str = Field(max_length=50, unique=True)


class CompanyTag(SQLModel, table=True):
    __tablename__ = "company_tag"

    company_id: int = Field(foreign_key="company.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


def is_partner() -> ColumnElement[bool]:
    """company.kind = 'partner', the value written out in the SQL: the condition of the
    partial index ix_company_partner, which SQLite uses only when it sees that literal."""
    return col(Company.kind) == literal_column("'partner'")
