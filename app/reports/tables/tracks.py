"""Lokala jobbspår in the report: the tracks per phase (at the period's end, by their phase
dates; and active in the period, by their status now), and the participants and outcomes
of each track and round active in the period, with shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.sql import ColumnElement, case
from sqlmodel import Session, col, select

from app.i18n import N_, gettext
from app.reports.tables.base import Ratio, ReportFilters, ReportRow, ReportTable, Text
from app.tracks.models import TRACK_STATUS_LABELS, JobTrack, TrackStatus
from app.tracks.outcome import outcomes

PHASE_COLUMNS = (N_("Vid periodens slut"), N_("Aktiva under perioden"))
OUTCOME_COLUMNS = (
    N_("Identifierade"),
    N_("Började"),
    N_("Fullföljde"),
    N_("Avbröt i förtid"),
    N_("I jobb"),
    N_("Studier"),
    N_("Annat"),
    N_("Okänt"),
)
OUTCOME_RATIOS = (
    Ratio(N_("Andel i jobb, procent"), part=4, whole=1),
    Ratio(N_("Andel studier, procent"), part=5, whole=1),
)


def _active(filters: ReportFilters) -> ColumnElement[bool]:
    """The track ran some day of the period: planned to start by its last day (or with no
    start set) and not ended before its first day; and the filters."""
    period = filters.period
    conditions = [
        or_(
            col(JobTrack.planning_starts_on).is_(None),
            col(JobTrack.planning_starts_on) <= period.last,
        ),
        or_(col(JobTrack.ends_on).is_(None), col(JobTrack.ends_on) >= period.first),
    ]
    if filters.broker_id is not None:
        conditions.append(col(JobTrack.coordinator_id) == filters.broker_id)
    if filters.municipality:
        conditions.append(col(JobTrack.municipality) == filters.municipality)
    return and_(*conditions)


def _phase_at(day: Any) -> ColumnElement[Any]:
    """The track's phase on the day, by its phase dates; a cancelled one is cancelled."""
    return case(
        (col(JobTrack.status) == TrackStatus.cancelled, TrackStatus.cancelled.value),
        (col(JobTrack.closing_starts_on) <= day, TrackStatus.closing.value),
        (col(JobTrack.execution_starts_on) <= day, TrackStatus.execution.value),
        (col(JobTrack.recruitment_starts_on) <= day, TrackStatus.recruitment.value),
        else_=TrackStatus.planning.value,
    )


def phases_table(filters: ReportFilters, *, session: Session) -> ReportTable:
    """One statement: the tracks grouped by their phase at the period's end and by their
    status, with the two counts as conditional sums."""
    last = filters.period.last
    at_end = and_(
        or_(col(JobTrack.planning_starts_on).is_(None), col(JobTrack.planning_starts_on) <= last),
        or_(col(JobTrack.ends_on).is_(None), col(JobTrack.ends_on) >= last),
    )
    phase = _phase_at(last)
    values = {status: [0, 0] for status in TRACK_STATUS_LABELS}
    statement = (
        select(phase, JobTrack.status, func.sum(case((at_end, 1), else_=0)), func.count())
        .where(_active(filters))
        .group_by(phase, col(JobTrack.status))
    )
    for in_phase, status, ending, active in session.exec(statement):
        values[TrackStatus(in_phase)][0] += int(ending or 0)
        values[TrackStatus(status)][1] += int(active or 0)
    return ReportTable(
        key="tracks-by-phase",
        stem="jobbspar-per-fas",
        title=N_("Jobbspår per fas"),
        row_header=N_("Fas"),
        columns=PHASE_COLUMNS,
        rows=[
            ReportRow(label=Text(TRACK_STATUS_LABELS[status]), values=counts, key=status)
            for status, counts in values.items()
        ],
        note=N_(
            "Lokala jobbspår, varje omgång för sig. Vid periodens slut: jobbspår som pågår "
            "periodens sista dag, i den fas som deras planerade datum anger den dagen "
            "(avbrutna som avbrutna). Aktiva under perioden: jobbspår vars planerade tid "
            "från planeringens start till slutet ligger någon dag i perioden, efter sin "
            "status nu. Jobbmäklare: jobbspårets samordnare. Kommun: jobbspårets kommun. "
            "Anställningsform gäller inte jobbspår."
        ),
    )


def outcomes_table(filters: ReportFilters, *, session: Session) -> ReportTable:
    """Four statements: the tracks active in the period, and their outcomes."""
    tracks = session.exec(
        select(JobTrack)
        .where(_active(filters))
        .order_by(col(JobTrack.name), col(JobTrack.round_number), col(JobTrack.id))
    ).all()
    found = outcomes(tracks, session=session)
    rows = []
    for track in tracks:
        result = found[track.id]
        counts = result.counts
        values = [
            *(counts[name] or 0 for name in ("identified", "started", "completed", "left_early")),
            result.employed,
            *(counts[name] or 0 for name in ("to_studies", "to_other", "outcome_unknown")),
        ]
        label = RoundLabel(track.name, track.round_number)
        rows.append(ReportRow(label=label, values=values, key=track.id))
    return ReportTable(
        key="track-outcomes",
        stem="deltagare-och-utfall-per-jobbspar",
        title=N_("Deltagare och utfall per jobbspår och omgång"),
        row_header=N_("Jobbspår och omgång"),
        columns=OUTCOME_COLUMNS,
        rows=rows,
        note=N_(
            "Jobbspår som är aktiva under perioden (se tabellen ovan), en rad per omgång, "
            "med deltagarna och utfallen som samordnaren har räknat. I jobb: anställningar "
            "genom jobbspårets uppdrag och rekryteringsträffar, räknade en gång, och de som "
            "har räknats för hand. Andelarna är av dem som började, i hela procent. Antal "
            "från 1 till 4 visas alltid som < 5 och en andel av färre än 5 inte alls, "
            "eftersom ett jobbspår har få deltagare."
        ),
        ratios=OUTCOME_RATIOS,
        hide_small=True,
    )


@dataclass(frozen=True)
class RoundLabel:
    """ "Vårdspåret, omgång 2", in the language it is shown in (Swedish in an export)."""

    name: str
    number: int

    def __str__(self) -> str:
        return gettext(N_("%(name)s, omgång %(number)s"), name=self.name, number=self.number)
