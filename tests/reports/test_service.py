"""The report's figures against hand-counted data on both engines: activities at the
edges of Stockholm days and ISO weeks (in winter and summer time, and over the new year),
companies, assignments, hires per month and events, what each filter leaves out, and a
constant number of statements as the data grows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from app.assignments.models import Assignment
from app.events.models import EventStatus, RecruitmentEvent
from app.reports import service as reports
from app.reports.period import Period
from app.reports.service import ReportFilters
from app.reports.tables.companies import companies_table
from tests import statements
from tests.reports.conftest import (
    activity,
    agreement,
    assignment_at,
    at,
    close_at,
    company,
    held_event,
)

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
Q1 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def report(session, clock, period=MARCH, **filters):
    return reports.report(ReportFilters(period, **filters), session=session, clock=clock)


def table(found, key):
    return {row.shown: row.values for row in found.tables[key].rows}


def march_activities(session, clock, bo, cia):
    alfa = company(session, clock, bo, "Alfa AB", "Malmö")
    beta = company(session, clock, cia, "Beta AB", "Lund")
    for when, kind in [
        ("2026-02-28T23:59", "call"),  # February in Stockholm (22:59Z)
        ("2026-03-01T00:00", "call"),  # March: 2026-02-28 23:00Z, week 9
        ("2026-03-01T23:59", "meeting"),  # still Sunday, week 9
        ("2026-03-02T00:00", "call"),  # Monday, week 10
        ("2026-03-29T23:59", "visit"),  # summer time began that night; week 13
        ("2026-03-30T00:00", "email"),  # week 14 (2026-03-29 22:00Z)
        ("2026-03-31T23:59", "note"),  # still March: 21:59Z
        ("2026-04-01T00:00", "call"),  # April: 2026-03-31 22:00Z
    ]:
        activity(session, clock, alfa, bo, when, kind)
    activity(session, clock, beta, cia, "2026-03-10T12:00")
    activity(session, clock, beta, cia, "2026-03-11T12:00")
    return alfa, beta


# kinds in columns: call, meeting, visit, email, note, total


def test_activities_per_broker_and_week_at_the_edges_of_days(session, late, bo, cia):
    march_activities(session, late, bo, cia)
    found = report(session, late)
    assert table(found, "activities-by-broker") == {
        "Bo Ek": [2, 1, 1, 1, 1, 6],
        "Cia Lind": [2, 0, 0, 0, 0, 2],
    }
    assert table(found, "activities-by-week") == {
        "v. 9": [1, 1, 0, 0, 0, 2],
        "v. 10": [1, 0, 0, 0, 0, 1],
        "v. 11": [2, 0, 0, 0, 0, 2],
        "v. 12": [0, 0, 0, 0, 0, 0],
        "v. 13": [0, 0, 1, 0, 0, 1],
        "v. 14": [0, 0, 0, 1, 1, 2],
    }
    assert found.activities_by_week.totals == [4, 1, 1, 1, 1, 8]
    assert table(found, "companies")["Kontaktade företag"] == [2]


def test_activity_filters_by_author_and_municipality(session, late, bo, cia):
    march_activities(session, late, bo, cia)
    mine = report(session, late, broker_id=bo.id)
    assert table(mine, "activities-by-broker") == {"Bo Ek": [2, 1, 1, 1, 1, 6]}
    assert mine.activities_by_week.totals == [2, 1, 1, 1, 1, 6]
    assert table(mine, "companies")["Kontaktade företag"] == [1]
    lund = report(session, late, municipality="Lund")
    assert table(lund, "activities-by-broker") == {"Cia Lind": [2, 0, 0, 0, 0, 2]}
    assert table(lund, "companies")["Kontaktade företag"] == [1]
    nowhere = report(session, late, municipality="Kiruna")
    assert nowhere.activities_by_broker.rows == []
    assert nowhere.empty


def test_an_activity_whose_author_was_removed_counts_without_a_broker(session, late, bo, cia):
    from app.activities.models import Activity

    alfa = company(session, late, bo, "Alfa AB")
    logged = activity(session, late, alfa, cia, "2026-03-03T10:00")
    session.execute(update(Activity).where(Activity.id == logged.id).values(user_id=None))  # type: ignore[arg-type]
    session.commit()
    assert table(report(session, late), "activities-by-broker") == {
        "Ingen jobbmäklare": [1, 0, 0, 0, 0, 1]
    }


def test_the_week_over_the_new_year_is_2026_w53(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    for when in ("2026-12-27T23:59", "2026-12-28T00:00", "2027-01-03T23:59", "2027-01-04T00:00"):
        activity(session, late, alfa, bo, when)
    period = Period(dt.date(2026, 12, 28), dt.date(2027, 1, 10))
    assert table(report(session, late, period), "activities-by-week") == {
        "v. 53 2026": [2, 0, 0, 0, 0, 2],
        "v. 1 2027": [1, 0, 0, 0, 0, 1],
    }


def test_new_companies_and_letters_of_intent(session, late, bo, cia):
    def created(when, owner, name, municipality, signed_on):
        late.set(at(when))
        company(
            session,
            late,
            owner,
            name,
            municipality,
            agreement_status="signed",
            agreement_date=signed_on,
        )

    created("2026-03-01T00:00", bo, "Ny AB", "Malmö", "2026-03-31")  # new, signed
    created("2026-02-28T23:59", bo, "Gammal AB", "Malmö", "2026-02-28")  # neither
    created("2026-03-31T23:59", cia, "Sen AB", "Lund", "2026-04-01")  # new only
    late.set(at("2027-02-01T09:00"))
    assert table(report(session, late), "companies") == {
        "Kontaktade företag": [0],
        "Nya företag": [2],
        "Undertecknade avsiktsförklaringar": [1],
    }
    assert table(report(session, late, broker_id=cia.id), "companies")["Nya företag"] == [1]
    lund = table(report(session, late, municipality="Lund"), "companies")
    assert (lund["Nya företag"], lund["Undertecknade avsiktsförklaringar"]) == ([1], [0])


def quarter_of_assignments(session, clock, bo, cia):
    alfa = company(session, clock, bo, "Alfa AB", "Malmö")
    beta = company(session, clock, cia, "Beta AB", "Lund")
    a1 = assignment_at(session, clock, "2026-01-10T10:00", alfa, bo, positions=3)
    close_at(session, clock, "2026-02-15T10:00", a1, bo, "filled", 3)
    a2 = assignment_at(session, clock, "2025-12-20T10:00", alfa, bo, positions=2)
    close_at(session, clock, "2026-03-31T23:59", a2, bo, "partly_filled", 1)
    a3 = assignment_at(session, clock, "2026-02-01T10:00", alfa, bo, employment_type="wage_subsidy")
    # Registered before the subsidised kinds were split: the old undivided kind.
    session.execute(
        update(Assignment).where(Assignment.id == a3.id).values(employment_type="subsidised")
    )
    close_at(session, clock, "2026-04-01T00:00", a3, bo, "closed_unfilled")
    assignment_at(
        session, clock, "2026-03-05T10:00", alfa, bo, employment_type="extra_job", positions=2
    )
    a5 = assignment_at(session, clock, "2026-01-20T10:00", beta, cia, employment_type="internship")
    close_at(session, clock, "2026-01-25T10:00", a5, cia, "cancelled")


# columns: opened, positions, filled, hired, closed unfilled, cancelled


def test_assignments_by_employment_type_status_and_month(session, late, bo, cia):
    quarter_of_assignments(session, late, bo, cia)
    found = report(session, late, Q1)
    by_type = table(found, "assignments")
    assert by_type["Ordinarie anställning"] == [1, 3, 2, 4, 0, 0]
    assert by_type["Lönestöd/nystartsjobb (ej uppdelat)"] == [1, 1, 0, 0, 0, 0]
    assert by_type["Extratjänst"] == [1, 2, 0, 0, 0, 0]
    assert by_type["Lönestöd"] == [0, 0, 0, 0, 0, 0]
    assert by_type["Praktik"] == [1, 1, 0, 0, 0, 1]
    assert by_type["Visstidsanställning"] == [0, 0, 0, 0, 0, 0]
    assert found.assignments.totals == [4, 7, 2, 4, 0, 1]
    assert table(found, "assignment-statuses") == {
        "Ny": [1],
        "Sökning pågår": [0],
        "Kandidater presenterade": [0],
        "Tillsatt": [1],
        "Delvis tillsatt": [0],
        "Avslutad utan tillsättning": [1],
        "Avbruten": [1],
    }
    assert table(found, "hires-by-month") == {
        "jan 2026": [0, 0],
        "feb 2026": [1, 3],
        "mar 2026": [1, 1],
    }


def test_assignment_filters(session, late, bo, cia):
    quarter_of_assignments(session, late, bo, cia)
    ordinary = report(session, late, Q1, employment_type="ordinary")
    assert table(ordinary, "assignments") == {"Ordinarie anställning": [1, 3, 2, 4, 0, 0]}
    assert ordinary.assignment_statuses.totals == [1]
    assert ordinary.hires_by_month.totals == [2, 4]
    for found in (
        report(session, late, Q1, broker_id=cia.id),
        report(session, late, Q1, municipality="Lund"),
    ):
        assert found.assignments.totals == [1, 1, 0, 0, 0, 1]
        assert table(found, "assignment-statuses")["Avbruten"] == [1]
        assert found.hires_by_month.totals == [0, 0]


# columns: events, confirmed companies, attended, job seekers, interviews, hires


def quarter_of_events(session, clock, bo, cia):
    alfa = company(session, clock, bo, "Alfa AB", "Malmö")
    beta = company(session, clock, cia, "Beta AB", "Lund")
    held_event(
        session,
        clock,
        bo,
        "2026-01-15T09:00",
        companies=[alfa],
        attended=[beta],
        jobseekers_attended=20,
        interviews=8,
        hires=3,
    )
    held_event(session, clock, bo, "2026-03-31T23:30", attended=[alfa], jobseekers_attended=5)
    cancelled = held_event(session, clock, cia, "2026-02-10T10:00", attended=[beta])
    session.execute(
        update(RecruitmentEvent)
        .where(RecruitmentEvent.id == cancelled.id)  # type: ignore[arg-type]
        .values(status=EventStatus.cancelled)
    )
    session.commit()
    held_event(session, clock, cia, "2026-04-01T00:00", attended=[beta], hires=9)


def test_events_held_per_month(session, late, bo, cia):
    quarter_of_events(session, late, bo, cia)
    found = report(session, late, Q1)
    assert table(found, "events-by-month") == {
        "jan 2026": [1, 2, 1, 20, 8, 3],
        "feb 2026": [0, 0, 0, 0, 0, 0],
        "mar 2026": [1, 1, 1, 5, 0, 0],
    }
    lund = report(session, late, Q1, municipality="Lund")
    assert lund.events_by_month.totals == [1, 1, 1, 20, 8, 3]
    assert report(session, late, Q1, broker_id=cia.id).events_by_month.totals == [0] * 6


def test_events_not_yet_started_are_not_held(session, late, bo):
    held_event(session, late, bo, "2027-02-01T10:00")  # an hour after the clock
    held_event(session, late, bo, "2027-01-31T10:00")
    period = Period(dt.date(2027, 1, 1), dt.date(2027, 2, 28))
    assert report(session, late, period).events_by_month.totals == [1, 0, 0, 0, 0, 0]


def test_an_empty_period_is_empty(session, late, bo):
    found = report(session, late)
    assert found.empty
    assert found.activities_by_week.totals == [0] * 6


def test_statements_do_not_grow_with_the_data(session, engine, late, bo, cia):
    def count() -> int:
        return statements.count(engine, lambda: report(session, late, Q1))

    quarter_of_assignments(session, late, bo, cia)
    small = count()
    march_activities(session, late, bo, cia)
    quarter_of_events(session, late, bo, cia)
    quarter_of_assignments(session, late, bo, cia)
    beta = company(session, late, cia, "Beta AB", "Lund")
    old = agreement(session, late, beta, cia, signed_on="2026-01-05", valid_to="2026-03-31")
    agreement(session, late, beta, cia, "cooperation", "draft", renews_id=str(old.id))
    agreement(session, late, beta, cia, "letter_of_intent", signed_on="2026-02-05")
    assert count() == small
    filtered = statements.count(
        engine, lambda: report(session, late, Q1, broker_id=bo.id, municipality="Malmö")
    )
    assert filtered <= small


def test_a_company_contacted_before_and_after_the_period_but_not_in_it(session, late, bo, cia):
    """Contacted companies are found by their latest activity (in the period: contacted;
    before it: not) and, when it is later, by a look-up: this one has none in March."""
    _alfa, beta = march_activities(session, late, bo, cia)
    gamma = company(session, late, bo, "Gamma AB", "Lund")
    activity(session, late, gamma, bo, "2026-02-15T10:00")
    activity(session, late, gamma, bo, "2026-04-15T10:00")
    activity(session, late, beta, cia, "2026-05-02T10:00")  # Beta: latest after March now
    found = report(session, late)
    assert table(found, "companies")["Kontaktade företag"] == [2]  # Alfa and Beta
    assert table(report(session, late, municipality="Lund"), "companies")["Kontaktade företag"] == [
        1
    ]  # Beta
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert table(report(session, late, period=april), "companies")["Kontaktade företag"] == [2]


def test_companies_contacted_are_the_same_counted_either_way(session, late, bo, cia):
    """A period that has ended counts the distinct companies of its activities; one that
    reaches today goes by each company's latest activity (none is in the future); one
    municipality, or one broker, their own way. All agree."""
    march_activities(session, late, bo, cia)
    gamma = company(session, late, bo, "Gamma AB", "Lund")
    activity(session, late, gamma, bo, "2026-02-15T10:00")
    activity(session, late, gamma, bo, "2026-04-15T10:00")

    def contacted(now, **filters):
        found = companies_table(ReportFilters(MARCH, **filters), session=session, now=now)
        return found.rows[0].values

    ended, reaching_today = late.now(), at("2026-03-31T12:00")
    for now in (ended, reaching_today):
        assert contacted(now) == [2], now
        assert contacted(now, municipality="Lund") == [1], now
        assert contacted(now, broker_id=bo.id) == [1], now
        assert contacted(now, broker_id=cia.id, municipality="Malmö") == [0], now
