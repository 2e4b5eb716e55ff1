"""The job track list as an export, a Table for the register's CSV and XLSX writers
(app/exports): Swedish headers and labels whatever the user's language, dates typed,
formula-safe cells, streamed. Participants are counts only, as everywhere in tracks."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, col

from app.auth.models import User
from app.exports.table import Row, Table, batches
from app.tracks import listing
from app.tracks.listing import TrackFilters
from app.tracks.models import TRACK_STATUS_LABELS, JobTrack

TRACK_HEADERS = (
    "Jobbspår",
    "Yrke eller bransch",
    "Kommun",
    "Status",
    "Samordnare",
    "Arbetsgivare",
    "Planerade platser",
    "Omgång",
    "Planeringen börjar",
    "Rekryteringen börjar",
    "Genomförandet börjar",
    "Avslutet börjar",
    "Jobbspåret slutar",
    "Beskrivning",
)


def track_table(
    filters: TrackFilters, *, user: User, session: Session, batch_size: int | None = None
) -> Table:
    """The track list as it is filtered (all pages), in its order: the tracks with their
    coordinators in one statement, streamed in batches, and each batch's employers by name
    in one more."""
    statement = listing.filtered(
        filters,
        JobTrack.id,
        JobTrack.name,
        JobTrack.occupation,
        JobTrack.municipality,
        JobTrack.status,
        col(User.full_name).label("coordinator_name"),
        JobTrack.places,
        JobTrack.round_number,
        JobTrack.planning_starts_on,
        JobTrack.recruitment_starts_on,
        JobTrack.execution_starts_on,
        JobTrack.closing_starts_on,
        JobTrack.ends_on,
        JobTrack.description,
        user=user,
    )

    def rows() -> Iterator[list[Row]]:
        for batch in batches(statement, session=session, batch_size=batch_size):
            employers = listing.employer_names([row.id for row in batch], session=session)
            yield [
                [
                    row.name,
                    row.occupation,
                    row.municipality,
                    TRACK_STATUS_LABELS[row.status],
                    row.coordinator_name,
                    ", ".join(employers.get(row.id, [])),
                    row.places,
                    row.round_number,
                    row.planning_starts_on,
                    row.recruitment_starts_on,
                    row.execution_starts_on,
                    row.closing_starts_on,
                    row.ends_on,
                    row.description,
                ]
                for row in batch
            ]

    return Table("jobbspar", "Jobbspår", TRACK_HEADERS, rows())
