"""CSV exports of the events list and of one event's participants, in the register's CSV
format (app/exports): Swedish headers and labels whatever the user's language, ISO dates,
times in Swedish time, formula-safe cells, streamed.

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
from app.exports.csv_format import instant_cell
from app.exports.service import _batches, _stream, filename, slug

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


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def events_csv(
    filters: EventFilters,
    *,
    user: User,
    session: Session,
    clock: Clock,
    batch_size: int | None = None,
) -> Iterator[bytes]:
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

    def rows() -> Iterator[list[list[str | None]]]:
        for batch in _batches(statement, session=session, batch_size=batch_size):
            yield [
                [
                    row.title,
                    instant_cell(row.starts_at),
                    instant_cell(row.ends_at),
                    row.place,
                    row.online_url,
                    STATUS_LABELS[row.status],
                    row.full_name,
                    row.target_group,
                    _count(row.capacity),
                    str(row.companies or 0),
                    str(row.confirmed or 0),
                    _count(row.jobseekers_invited),
                    _count(row.jobseekers_attended),
                    _count(row.interviews),
                    _count(row.hires),
                    row.description,
                ]
                for row in batch
            ]

    return _stream(EVENT_HEADERS, rows())


def events_filename(*, clock: Clock) -> str:
    return filename("rekryteringstraffar", clock=clock)


def participants_csv(event: RecruitmentEvent, *, session: Session) -> Iterator[bytes]:
    """The event's companies in Swedish order (declined ones too, with their status), the
    contact who comes, and the assignments presented for each: two statements, the same
    as the event's page and the print view read."""
    found = event_participants.participants(event.id, session=session, with_contacts=False)  # type: ignore[arg-type]
    presented: dict[int, list[str]] = defaultdict(list)
    for item in event_participants.presented(event.id, session=session):  # type: ignore[arg-type]
        presented[item.assignment.company_id].append(item.assignment.occupation)

    def rows() -> Iterator[list[list[str | None]]]:
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
                ", ".join(presented.get(p.company.id, [])),  # type: ignore[arg-type]
            ]
            for p in found
        ]

    return _stream(PARTICIPANT_HEADERS, rows())


def participants_filename(event: RecruitmentEvent, *, clock: Clock) -> str:
    return filename(f"deltagare-{slug(event.title)}", clock=clock)
