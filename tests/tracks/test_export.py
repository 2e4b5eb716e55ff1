"""The job track list as CSV and XLSX: Swedish headers and cells, the list's filters over
all pages, the employers of each track, formula-safe cells, the rows streamed with one
statement more per batch, and both files opened in LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import io

from app.auth.models import User
from app.exports.csv_format import Dialect, unneutralise
from app.tracks import exports
from app.tracks import people as track_people
from app.tracks.listing import TrackFilters
from tests.exports.test_libreoffice import (
    open_in_libreoffice,
    spreadsheet_text,
    xlsx_through_libreoffice,
)
from tests.factories import make_company, make_track
from tests.statements import recorded


def rows_of(body: bytes) -> list[dict[str, str]]:
    header, *rows = [
        [unneutralise(cell) for cell in row]
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), dialect=Dialect)
    ]
    assert header == list(exports.TRACK_HEADERS)
    return [dict(zip(header, row, strict=True)) for row in rows]


def employ(session, clock, track, company, user):
    track_people.add_employer(track, str(company.id), user=user, session=session, clock=clock)
    session.commit()


def test_the_csv_has_the_filtered_tracks_with_their_employers(client, session, clock, bo):
    byggen = make_company(session, clock, user=bo, name="Öst Bygg AB")
    vården = make_company(session, clock, user=bo, name="Ängens vård AB")
    vård = make_track(
        session,
        clock,
        coordinator=bo,
        name="Vård Norr",
        municipality="Umeå",
        description="=1+1 är ingen formel",
        planning_starts_on=dt.date(2026, 3, 2),
    )
    employ(session, clock, vård, byggen, bo)
    employ(session, clock, vård, vården, bo)
    make_track(session, clock, coordinator=bo, name="Lager Syd", status="cancelled")

    response = client.get("/tracks/export.csv", params={"status": "planning"})

    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="jobbspar-')
    (row,) = rows_of(response.content)
    assert row["Jobbspår"] == "Vård Norr"
    assert row["Status"] == "Planering"
    assert row["Samordnare"] == "Bo Ek"
    assert row["Arbetsgivare"] == "Ängens vård AB, Öst Bygg AB"  # Swedish order: Å Ä Ö
    assert row["Planerade platser"] == "12"
    assert row["Omgång"] == "1"
    assert row["Planeringen börjar"] == "2026-03-02"
    assert row["Beskrivning"] == "=1+1 är ingen formel"


def test_the_export_streams_the_tracks_and_one_statement_per_batch(session, clock, engine):
    coordinator = None
    for number in range(5):
        track = make_track(session, clock, coordinator=coordinator, name=f"Spår {number}")
        coordinator = coordinator or session.get(User, track.coordinator_id)
    table = exports.track_table(TrackFilters(), user=coordinator, session=session, batch_size=2)
    with recorded(engine) as seen:
        rows = list(table.rows())
    assert len(rows) == 5
    # The tracks: one statement, streamed; each batch's employers: one more.
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1 + 3


def test_the_track_export_opens_in_libreoffice_as_both_files(client, session, clock, bo, tmp_path):
    company = make_company(session, clock, user=bo, name="Åkeri Öst AB")
    track = make_track(
        session, clock, coordinator=bo, name="Yrkesförare", description="=1+1 är ingen formel"
    )
    employ(session, clock, track, company, bo)
    response = client.get("/tracks/export.csv")

    cells = open_in_libreoffice(response.content, tmp_path)

    assert len(cells) == 2
    row = dict(zip(cells[0], cells[1], strict=True))
    assert row["Jobbspår"] == "Yrkesförare"
    assert row["Arbetsgivare"] == "Åkeri Öst AB"
    assert spreadsheet_text(row["Planeringen börjar"]) == track.planning_starts_on.isoformat()
    assert unneutralise(row["Beskrivning"]) == "=1+1 är ingen formel"
    csv_rows = [
        [unneutralise(cell) for cell in line]
        for line in csv.reader(
            io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"
        )
    ]
    assert xlsx_through_libreoffice(client.get("/tracks/export.xlsx").content, tmp_path) == (
        csv_rows
    )
