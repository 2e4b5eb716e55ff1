"""Exports of the events list and of one event's participants, as Tables for the register's
CSV and XLSX writers (app/exports): Swedish headers and labels whatever the user's
language, dates and times typed (shown in Swedish time), formula-safe cells, streamed.

Counts only, as everywhere in events: nothing about job seekers but numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlmodel import Session

from app.auth.models import User
from app.clock import Clock
from app.events import participants as event_participants
from app.events import service as events
from app.events.models import (
    PARTICIPATION_LABELS,
    STATUS_LABELS,
    RecruitmentEvent,
)
from app.events.service import EventFilters
from app.exports.files import slug
from app.exports.table import Row, Table, batches

EVENT_HEADERS = (
    "Träff",
    "Börjar",
    "Slutar",
    "Plats",
    "Digital länk",
    "Status",
    "Ansvarig",
    "Målgrupp",
    "Max antal deltagare",
    "Företag",
    "Bekräftade företag",
    "Inbjudna arbetssökande",
    "Deltagande arbetssökande",
    "Intervjuer",
    "Anställningar",
    "Beskrivning",
)
PARTICIPANT_HEADERS = (
    "Företag",
    "Organisationsnummer",
    "Status",
    "Kontaktperson",
    "Roll/titel",
    "Telefon",
    "E-post",
    "Telefon företaget",
    "Presenterade uppdrag",
)


def event_table(
    filters: EventFilters,
    *,
    user: User,
    session: Session,
    clock: Clock,
    batch_size: int | None = None,
) -> Table:
    """The events list as it is filtered (all pages), in its order: those not yet over
    first, soonest first, then past ones, latest first. One statement per batch, the
    owner's name and the companies' counts joined."""
    counts = events.taking_part().subquery()
    statement = events.filtered(
        filters,
        RecruitmentEvent.title,
        RecruitmentEvent.starts_at,
        RecruitmentEvent.ends_at,
        RecruitmentEvent.place,
        RecruitmentEvent.online_url,
        RecruitmentEvent.status,
        User.full_name,
        RecruitmentEvent.target_group,
        RecruitmentEvent.capacity,
        counts.c.companies,
        counts.c.confirmed,
        RecruitmentEvent.jobseekers_invited,
        RecruitmentEvent.jobseekers_attended,
        RecruitmentEvent.interviews,
        RecruitmentEvent.hires,
        RecruitmentEvent.description,
        user=user,
        clock=clock,
    ).outerjoin(counts, counts.c.event_id == RecruitmentEvent.id)

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            yield [
                [
                    row.title,
                    row.starts_at,
                    row.ends_at,
                    row.place,
                    row.online_url,
                    STATUS_LABELS[row.status],
                    row.full_name,
                    row.target_group,
                    row.capacity,
                    row.companies or 0,
                    row.confirmed or 0,
                    row.jobseekers_invited,
                    row.jobseekers_attended,
                    row.interviews,
                    row.hires,
                    row.description,
                ]
                for row in batch
            ]

    return Table("rekryteringstraffar", "Rekryteringsträffar", EVENT_HEADERS, rows())


def participant_table(event: RecruitmentEvent, *, session: Session) -> Table:
    """The event's companies in Swedish order (declined ones too, with their status), the
    contact who comes, and the assignments presented for each: two statements, the same
    as the event's page and the print view read."""
    found = event_participants.participants(event.id, session=session, with_contacts=False)
    presented: dict[int, list[str]] = defaultdict(list)
    for item in event_participants.presented(event.id, session=session):
        presented[item.assignment.company_id].append(item.assignment.occupation)

    def rows() -> Iterator[list[Row]]:
        yield [
            [
                p.company.name,
                p.company.org_number,
                PARTICIPATION_LABELS[p.link.status],
                p.contact.name if p.contact else None,
                p.contact.title if p.contact else None,
                p.contact.phone if p.contact else None,
                p.contact.email if p.contact else None,
                p.company.phone,
                ", ".join(presented.get(p.company.id, [])),
            ]
            for p in found
        ]

    return Table(f"deltagare-{slug(event.title)}", "Deltagare", PARTICIPANT_HEADERS, rows())
