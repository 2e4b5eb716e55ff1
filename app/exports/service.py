"""The exports of the register's lists: what each file holds, as a Table of typed rows
that the CSV and the XLSX writer render (app/exports/files.py). Rows are read through a server-side
cursor (yield_per) in batches, and each batch becomes one chunk of a CSV file, so memory
stays flat however long the list is.

Exports are always in Swedish, whatever the user's language: headers, statuses and kinds.
A file is shared between colleagues and read back by Matcha's import, so it must not
depend on who downloaded it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.activities.models import KIND_LABELS, Activity
from app.agreements import listing as agreement_listing
from app.agreements.listing import AgreementFilters
from app.agreements.models import KIND_LABELS as AGREEMENT_KIND_LABELS
from app.agreements.models import STATE_LABELS as AGREEMENT_STATE_LABELS
from app.agreements.models import Agreement
from app.assignments import follow_ups
from app.assignments import listing as assignment_listing
from app.assignments.listing import AssignmentFilters
from app.assignments.models import (
    EMPLOYMENT_TYPE_LABELS,
    FOLLOWED_UP_TYPES,
    OUTCOMES,
    SOURCE_LABELS,
    Assignment,
    SourceKind,
)
from app.assignments.models import STATUS_LABELS as ASSIGNMENT_STATUS_LABELS
from app.auth.models import User
from app.clock import Clock
from app.companies import service as companies
from app.companies.models import AGREEMENT_LABELS, SIZE_LABELS, STATUS_LABELS, Company
from app.companies.models import KIND_LABELS as COMPANY_KIND_LABELS
from app.companies.service import CompanyFilters
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.service import ContactFilters
from app.exports.files import slug
from app.exports.table import Cell, Row, Table, batches
from app.query import select_columns

COMPANY_HEADERS = (
    "Namn",
    "Organisationsnummer",
    "Bransch",
    "SNI",
    "Storlek",
    "Status",
    # Arbetsgivare or Samverkanspart: the list's "Slag" filter may take both.
    "Slag",
    "Ansvarig",
    "Kommun",
    "Gatuadress",
    "Postnummer",
    "Ort",
    "Telefon",
    "E-post",
    "Webbplats",
    "Taggar",
    "Avsiktsförklaring",
    "Datum avsiktsförklaring",
    "Senaste kontakt",
    "Nästa återkoppling",
    "Anteckningar",
)
CONTACT_HEADERS = (
    "Namn",
    "Roll/titel",
    "Företag",
    "Organisationsnummer",
    "Telefon",
    "E-post",
    "Handledare",
    "Primär kontakt",
    "Anteckningar",
)
ACTIVITY_HEADERS = (
    "Datum",
    "Typ",
    "Kontaktperson",
    "Uppdrag",
    "Jobbmäklare",
    "Anteckningar",
    "Utfall",
    "Återkoppling",
    "Återkoppling klar",
)
ASSIGNMENT_HEADERS = (
    "Yrke",
    "SSYK",
    "Företag",
    "Organisationsnummer",
    "Kontaktperson",
    "Antal platser",
    "Antal tillsatta",
    "Anställningsform",
    "Status",
    "Arbetsort",
    "Startdatum",
    "Sista dag",
    "Ansvarig",
    "Drog in uppdraget",
    "Kravprofil",
    "Anteckningar",
    "Inlagt",
    "Avslutat",
    # The follow-up of the placements (fixed-term, subsidised, praktik): the points done
    # and planned, and the outcome at the latest one done. Counts, never names.
    "Anställningarna slutar",
    "Uppföljningar gjorda",
    "Uppföljningar planerade",
    "Ordinarie jobb",
    "Ny subventionerad eller visstid",
    "Studier",
    "Lämnade",
    "Från försörjningsstöd till lön",
)
AGREEMENT_HEADERS = (
    "Företag",
    "Org.nr",
    "Kommun",
    "Ansvarig",
    "Avtal",
    "Status",
    "Skickat",
    "Undertecknat",
    "Giltigt från",
    "Giltigt till",
    "Undertecknare hos företaget",
    "Undertecknat för enheten av",
    "Uppdrag",
    "Anteckningar",
)
REMOVED_CONTACT = "borttagen kontakt"


# --- companies --------------------------------------------------------------------------


def company_table(
    filters: CompanyFilters,
    *,
    user: User,
    session: Session,
    clock: Clock,
    batch_size: int | None = None,
) -> Table:
    """The company list as it is searched and filtered (all pages), in its order. Two
    statements per batch: the rows with their owner's name, and the batch's tags."""
    statement = companies.filtered(
        filters,
        Company.id,
        Company.name,
        Company.org_number,
        Company.industry,
        Company.sni_code,
        Company.size_class,
        Company.status,
        Company.kind,
        User.full_name,
        Company.municipality,
        Company.street_address,
        Company.postal_code,
        Company.city,
        Company.phone,
        Company.email,
        Company.website,
        Company.agreement_status,
        Company.agreement_date,
        Company.last_contact_at,
        Company.next_follow_up_on,
        Company.notes,
        user=user,
        session=session,
        clock=clock,
    )

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            tags = companies.tags_by_company([row.id for row in batch], session=session)
            yield [
                [
                    row.name,
                    row.org_number,
                    row.industry,
                    row.sni_code,
                    SIZE_LABELS[row.size_class] if row.size_class else "",
                    STATUS_LABELS[row.status],
                    COMPANY_KIND_LABELS[row.kind],
                    row.full_name,
                    row.municipality,
                    row.street_address,
                    row.postal_code,
                    row.city,
                    row.phone,
                    row.email,
                    row.website,
                    ", ".join(tags.get(row.id, [])),
                    AGREEMENT_LABELS[row.agreement_status],
                    row.agreement_date,
                    row.last_contact_at,
                    row.next_follow_up_on,
                    row.notes,
                ]
                for row in batch
            ]

    return Table("foretag", "Företag", COMPANY_HEADERS, rows())


# --- contacts ---------------------------------------------------------------------------


def contact_table(
    filters: ContactFilters, *, session: Session, batch_size: int | None = None
) -> Table:
    """The contact list as it is searched and filtered (all pages), in its order: one
    statement per batch, the company joined."""
    statement = contacts.filtered(
        filters,
        Contact.name,
        Contact.title,
        col(Company.name).label("company_name"),
        Company.org_number,
        Contact.phone,
        Contact.email,
        Contact.is_supervisor,
        Contact.is_primary,
        Contact.notes,
        session=session,
    )

    # The statement's columns are the file's, in order, and the writers take yes/no as
    # bools: each batch goes out as the database returned it (the longest export, so
    # per-row costs show).
    return Table(
        "kontakter",
        "Kontakter",
        CONTACT_HEADERS,
        batches(statement, session=session, batch_size=batch_size),
    )


# --- a company's activities -------------------------------------------------------------


def activity_table(company: Company, *, session: Session, batch_size: int | None = None) -> Table:
    """The company's whole timeline, newest first, with the author's and the contact's
    names: one statement per batch."""
    statement = (
        select_columns(
            Activity.occurred_at,
            Activity.kind,
            col(Contact.name).label("contact_name"),
            Activity.had_contact,
            Assignment.occupation,
            User.full_name,
            Activity.notes,
            Activity.outcome,
            Activity.follow_up_on,
            Activity.follow_up_done_at,
        )
        .outerjoin(User, col(User.id) == Activity.user_id)
        .outerjoin(Contact, col(Contact.id) == Activity.contact_id)
        .outerjoin(Assignment, col(Assignment.id) == Activity.assignment_id)
        .where(Activity.company_id == company.id)
        .order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
    )

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            yield [
                [
                    row.occurred_at,
                    KIND_LABELS[row.kind],
                    row.contact_name or (REMOVED_CONTACT if row.had_contact else ""),
                    row.occupation,
                    row.full_name,
                    row.notes,
                    row.outcome,
                    row.follow_up_on,
                    row.follow_up_done_at,
                ]
                for row in batch
            ]

    return Table(
        f"kontakthandelser-{slug(company.name)}", "Kontakthändelser", ACTIVITY_HEADERS, rows()
    )


# --- assignments ------------------------------------------------------------------------


def assignment_table(
    filters: AssignmentFilters,
    *,
    user: User,
    session: Session,
    batch_size: int | None = None,
) -> Table:
    """The assignment list as it is searched and filtered (all pages), in its order: one
    statement per batch, with the company, contact, owner and source broker joined.
    Counts only: there is nothing about job seekers to export."""
    source = aliased(User)
    statement = (
        assignment_listing.filtered(
            filters,
            Assignment.id,
            Assignment.occupation,
            Assignment.ssyk_code,
            col(Company.name).label("company_name"),
            Company.org_number,
            col(Contact.name).label("contact_name"),
            Assignment.positions,
            Assignment.filled_count,
            Assignment.employment_type,
            Assignment.status,
            Assignment.workplace,
            Assignment.start_on,
            Assignment.deadline,
            col(User.full_name).label("owner_name"),
            Assignment.source_kind,
            col(source.full_name).label("source_name"),
            Assignment.requirements,
            Assignment.notes,
            Assignment.created_at,
            Assignment.closed_at,
            Assignment.ends_on,
            user=user,
            session=session,
        )
        .outerjoin(Contact, col(Contact.id) == Assignment.contact_id)
        .outerjoin(source, col(source.id) == Assignment.source_user_id)
    )

    def source_cell(row: Any) -> str | None:
        if row.source_kind == SourceKind.broker:
            return row.source_name
        return SOURCE_LABELS[row.source_kind]

    def follow_up_cells(results: follow_ups.Results | None) -> list[Cell]:
        if results is None:
            return [None] * 7
        latest = results.latest
        outcome: list[Cell] = (
            [getattr(latest, name) for name in (*OUTCOMES, "income_support_moved")]
            if latest is not None
            else [None] * 5
        )
        return [results.recorded, results.points, *outcome]

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            # The follow-ups of the batch's fixed-term, subsidised and praktik assignments:
            # one statement more for a batch that has any.
            followed = follow_ups.results(
                [row for row in batch if row.employment_type in FOLLOWED_UP_TYPES],
                session=session,
            )
            yield [
                [
                    row.occupation,
                    row.ssyk_code,
                    row.company_name,
                    row.org_number,
                    row.contact_name,
                    row.positions,
                    row.filled_count,
                    EMPLOYMENT_TYPE_LABELS[row.employment_type],
                    ASSIGNMENT_STATUS_LABELS[row.status],
                    row.workplace,
                    row.start_on,
                    row.deadline,
                    row.owner_name,
                    source_cell(row),
                    row.requirements,
                    row.notes,
                    row.created_at,
                    row.closed_at,
                    row.ends_on,
                    *follow_up_cells(followed.get(row.id)),
                ]
                for row in batch
            ]

    return Table("rekryteringsuppdrag", "Rekryteringsuppdrag", ASSIGNMENT_HEADERS, rows())


# --- agreements -------------------------------------------------------------------------


def agreement_table(
    filters: AgreementFilters,
    *,
    user: User,
    session: Session,
    clock: Clock,
    batch_size: int | None = None,
) -> Table:
    """The agreement list as it is searched and filtered (all pages), in its order. Two
    statements per batch: the rows with the company, its owner, the unit's signatory and
    the assignment joined; and the batch's signatories at the company, by name."""
    unit = aliased(User)
    statement = (
        agreement_listing.filtered(
            filters,
            Agreement.id,
            col(Company.name).label("company_name"),
            Company.org_number,
            Company.municipality,
            col(User.full_name).label("owner_name"),
            Agreement.kind,
            Agreement.state,
            Agreement.sent_on,
            Agreement.signed_on,
            Agreement.valid_from,
            Agreement.valid_to,
            col(unit.full_name).label("unit_name"),
            Assignment.occupation,
            Agreement.notes,
            user=user,
            session=session,
            clock=clock,
        )
        .outerjoin(User, col(User.id) == Company.owner_id)
        .outerjoin(unit, col(unit.id) == Agreement.unit_signatory_id)
        .outerjoin(Assignment, col(Assignment.id) == Agreement.assignment_id)
    )

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            people = agreement_listing.signatory_names([row.id for row in batch], session=session)
            yield [
                [
                    row.company_name,
                    row.org_number,
                    row.municipality,
                    row.owner_name,
                    AGREEMENT_KIND_LABELS[row.kind],
                    AGREEMENT_STATE_LABELS[row.state],
                    row.sent_on,
                    row.signed_on,
                    row.valid_from,
                    row.valid_to,
                    ", ".join(people.get(row.id, [])),
                    row.unit_name,
                    row.occupation,
                    row.notes,
                ]
                for row in batch
            ]

    return Table("avtal", "Avtal", AGREEMENT_HEADERS, rows())
