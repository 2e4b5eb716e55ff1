"""Jobbspår per fas and Deltagare och utfall per jobbspår och omgång against hand-counted
tracks on both engines: which tracks a period holds, their phase at its end, the outcomes
with the linked hires counted once, small counts hidden, the filters, and the export."""

from __future__ import annotations

import datetime as dt

from app.reports import service as reports
from app.reports.period import Period
from app.reports.service import ReportFilters
from app.tracks import links
from app.tracks.models import TrackStatus
from tests.factories import make_track
from tests.reports.conftest import company
from tests.reports.test_routes import MARCH as MARCH_QUERY
from tests.reports.test_routes import read_csv
from tests.tracks.helpers import make_assignment, take_part

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
D = dt.date


def planned(session, clock, coordinator, name, start, **fields):
    """A track planned from `start`: recruitment after 30 days, execution after 60, closing
    after 150, ending after 180."""
    return make_track(
        session,
        clock,
        coordinator=coordinator,
        name=name,
        planning_starts_on=start,
        recruitment_starts_on=start + dt.timedelta(days=30),
        execution_starts_on=start + dt.timedelta(days=60),
        closing_starts_on=start + dt.timedelta(days=150),
        ends_on=start + dt.timedelta(days=180),
        **fields,
    )


def tables(session, clock, **filters):
    found = reports.report(ReportFilters(MARCH, **filters), session=session, clock=clock)
    return found.tracks_by_phase, found.track_outcomes


def test_tracks_by_phase_at_the_periods_end_and_active_in_it(session, late, bo):
    planned(session, late, bo, "Planeras", D(2026, 3, 20))  # planning on 31 March
    planned(session, late, bo, "Rekryterar", D(2026, 2, 20))  # recruitment from 22 March
    planned(session, late, bo, "Genomförs", D(2025, 12, 1), status=TrackStatus.execution)
    planned(session, late, bo, "Slutade", D(2025, 9, 10))  # ends 9 March: active, not at end
    planned(session, late, bo, "Avbröts", D(2026, 1, 1), status=TrackStatus.cancelled)
    planned(session, late, bo, "Senare", D(2026, 4, 1))  # after the period
    planned(session, late, bo, "Förr", D(2025, 1, 1))  # ended long before
    phases, _ = tables(session, late)
    assert {row.shown: row.values for row in phases.rows} == {
        # At the end: Planeras; in planning now: Planeras, Rekryterar and Slutade.
        "Planering": [1, 3],
        "Rekrytering": [1, 0],
        "Genomförande": [1, 1],
        "Avslut": [0, 0],
        "Avbrutet": [1, 1],
    }
    assert phases.totals == [4, 5]
    assert tables(session, late, broker_id=bo.id + 1000)[0].totals == [0, 0]


def test_outcomes_per_track_and_round_with_linked_hires_once_and_small_ones_hidden(
    session, late, bo
):
    alfa = company(session, late, bo, "Alfa AB")
    first = planned(
        session,
        late,
        bo,
        "Vårdspåret",
        D(2025, 12, 1),
        identified=30,
        started=20,
        completed=18,
        left_early=2,
        to_studies=4,
    )
    second = planned(
        session,
        late,
        bo,
        "Vårdspåret",
        D(2026, 3, 1),
        round_number=2,
        first_round_id=first.id,
        previous_round_id=first.id,
        identified=12,
        started=10,
    )
    take_part(session, late, first, alfa)
    assignment = make_assignment(session, late, alfa, bo, positions="9", filled_count="8")
    links.attach(first, links.ASSIGNMENT, str(assignment.id), user=bo, session=session, clock=late)
    session.commit()
    _, found = tables(session, late)
    assert [row.shown for row in found.rows] == ["Vårdspåret, omgång 1", "Vårdspåret, omgång 2"]
    assert found.row_cells(found.rows[0]) == [30, 20, 18, "< 5", 8, "< 5", 0, 0, 40, 20]
    assert found.row_cells(found.rows[1]) == [12, 10, 0, 0, 0, 0, 0, 0, 0, 0]
    assert second.id == found.rows[1].key
    assert tables(session, late, municipality="Lund")[1].rows == []  # the tracks have none


def test_the_tables_export_with_hidden_small_counts(client, session, late, signed_in):
    planned(session, late, signed_in, "Lagerspåret", D(2026, 3, 5), identified=6, started=3)
    rows = read_csv(client.get("/reports/track-outcomes.csv" + MARCH_QUERY))
    assert rows[0][:3] == ["Jobbspår och omgång", "Identifierade", "Började"]
    assert rows[1][:3] == ["Lagerspåret, omgång 1", "6", "< 5"]
    assert rows[1][-2:] == ["", ""]  # shares of fewer than 5 are withheld
    phases = read_csv(client.get("/reports/tracks-by-phase.csv" + MARCH_QUERY))
    assert phases[1] == ["Planering", "1", "1"]
    page = client.get("/reports" + MARCH_QUERY).text
    assert 'id="report-tracks-by-phase"' in page and 'id="report-track-outcomes"' in page
