"""Uppföljning av anställningar and the estimate of income support saved, against
hand-counted follow-ups on both engines: the period by the follow-up's day, one count per
assignment when both points fall in it, each filter, the share of ordinary jobs (its
total from the totals), "< 5" when a filter is set, the estimate and its formula with and
without the admin's amount, a constant number of statements, the exports, and English."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import update

from app.assignments import follow_ups, income_support
from app.assignments import service as assignments
from app.assignments.follow_ups import FollowUpForm
from app.assignments.income_support import IncomeSupportForm
from app.assignments.models import Assignment, FollowUpPoint
from app.auth.models import User
from app.reports import service as reports
from app.reports.period import Period
from app.reports.service import ReportFilters
from app.reports.tables.placements import placements_table
from tests import statements
from tests.factories import make_user
from tests.reports.conftest import company
from tests.reports.test_routes import MARCH as MARCH_QUERY
from tests.reports.test_routes import cells, read_csv, section

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
FIRST_HALF = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
TYPES = (
    "Extratjänst",
    "Lönestöd",
    "Nystartsjobb",
    "Introduktionsjobb",
    "Annan subventionerad anställning",
    "Lönestöd/nystartsjobb (ej uppdelat)",
    "Visstidsanställning",
    "Praktik",
)
HEADINGS = [
    "Anställningsform",
    "Uppföljda",
    "Ordinarie jobb",
    "Ny subventionerad eller visstid",
    "Studier",
    "Lämnade",
    "Andel ordinarie jobb, procent",
]
N = "\u202f"  # grouped(): thousands apart by a narrow no-break space


def placed(session, clock, company, owner, *, kind="extra_job", filled=9, ends_on="2026-03-10"):
    """An assignment whose `filled` placements end on `ends_on`: followed up then and three
    months after."""
    form = assignments.AssignmentForm(
        occupation="Lärarassistent",
        positions=str(filled),
        employment_type=kind,
        source_user_id=str(owner.id),
        owner_id=str(owner.id),
        filled_count=str(filled),
        ends_on=ends_on,
    )
    made = assignments.create(company, form, user=owner, session=session, clock=clock)
    session.commit()
    return made


def follow_up(session, clock, assignment, user, point=FollowUpPoint.at_end, **counts):
    """Records a follow-up through the service: counts as typed, and its day if moved."""
    row = next(
        r for r in follow_ups.for_assignment(assignment.id, session=session) if r.point == point
    )
    form = FollowUpForm.from_follow_up(row)
    for name, value in counts.items():
        setattr(form, name, str(value))
    follow_ups.record(row, assignment, form, user=user, session=session, clock=clock)
    session.commit()


def set_rate(session, clock, admin, amount="9500", months="6"):
    form = IncomeSupportForm(amount_per_month=amount, months=months)
    income_support.save(form, user=admin, session=session, clock=clock)
    session.commit()


def found(session, clock, period=MARCH, **filters):
    return reports.report(ReportFilters(period, **filters), session=session, clock=clock)


def figures(session, clock, period=MARCH, **filters):
    """The table as {type: [followed, ordinary, new, studies, left]}, the rows with a figure."""
    table = found(session, clock, period, **filters).placements
    return {row.shown: row.values for row in table.rows if any(row.values)}


def shown(session, clock, period=MARCH, **filters):
    """The table as the page shows it: {type: cells}, and the totals' cells."""
    table = found(session, clock, period, **filters).placements
    rows = {row.shown: table.row_cells(row) for row in table.rows if any(row.values)}
    return rows, table.totals_cells


def test_one_row_per_followed_up_type_in_their_order_even_when_empty(session, late, bo):
    table = found(session, late).placements
    assert [row.shown for row in table.rows] == list(TYPES)
    assert [table.row_header, *table.headings] == HEADINGS
    assert table.empty and table.totals_cells == [0, 0, 0, 0, 0, None]
    # Filtered by a type: that row alone.
    only = found(session, late, employment_type="internship").placements
    assert [row.shown for row in only.rows] == ["Praktik"]


def test_counted_in_the_period_its_day_falls_in(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    for ends_on, kind in [
        ("2026-02-28", "extra_job"),  # the day before
        ("2026-03-01", "wage_subsidy"),  # the first day
        ("2026-03-31", "fixed_term"),  # the last day
        ("2026-04-01", "internship"),  # the day after
    ]:
        made = placed(session, late, alfa, bo, kind=kind, ends_on=ends_on)
        follow_up(session, late, made, bo, ordinary_job=2, studies=1)
    # Due in March but not recorded: nothing to count yet.
    placed(session, late, alfa, bo, kind="new_start_job", ends_on="2026-03-15")
    # A day moved into March: it counts there.
    moved = placed(session, late, alfa, bo, kind="introduction_job", ends_on="2026-05-20")
    follow_up(session, late, moved, bo, due_on="2026-03-20", no_job_or_studies=4)
    assert figures(session, late) == {
        "Lönestöd": [3, 2, 0, 1, 0],
        "Introduktionsjobb": [4, 0, 0, 0, 4],
        "Visstidsanställning": [3, 2, 0, 1, 0],
    }


def test_an_assignment_counts_once_with_its_latest_follow_up_in_the_period(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    # Ends 10 January: followed up then and on 10 April, both in the first half year.
    both = placed(session, late, alfa, bo, ends_on="2026-01-10")
    follow_up(session, late, both, bo, ordinary_job=1, new_subsidised_or_fixed=2)
    follow_up(session, late, both, bo, FollowUpPoint.later, ordinary_job=3)
    # Only its first point recorded: that one counts.
    first_only = placed(session, late, alfa, bo, kind="fixed_term", ends_on="2026-02-10")
    follow_up(session, late, first_only, bo, studies=2)
    # Both on the same day (the later one moved): the later point counts.
    same_day = placed(session, late, alfa, bo, kind="internship", ends_on="2026-03-10")
    follow_up(session, late, same_day, bo, ordinary_job=1)
    follow_up(
        session, late, same_day, bo, FollowUpPoint.later, due_on="2026-03-10", no_job_or_studies=2
    )
    assert figures(session, late, FIRST_HALF) == {
        "Extratjänst": [3, 3, 0, 0, 0],
        "Visstidsanställning": [2, 0, 0, 2, 0],
        "Praktik": [2, 0, 0, 0, 2],
    }
    january = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert figures(session, late, january) == {"Extratjänst": [3, 1, 2, 0, 0]}
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert figures(session, late, april) == {"Extratjänst": [3, 3, 0, 0, 0]}


def test_broker_is_the_assignments_owner_municipality_the_companys_type_the_assignments(
    session, late, bo, cia
):
    alfa = company(session, late, bo, "Alfa AB", "Malmö")
    beta = company(session, late, cia, "Beta AB", "Lund")
    # Cia owns an assignment at Bo's company; Bo records every follow-up.
    follow_up(session, late, placed(session, late, alfa, bo), bo, ordinary_job=5)
    follow_up(session, late, placed(session, late, alfa, cia, kind="fixed_term"), bo, studies=6)
    follow_up(
        session, late, placed(session, late, beta, cia, kind="internship"), bo, no_job_or_studies=7
    )
    everyone = {
        "Extratjänst": [5, 5, 0, 0, 0],
        "Visstidsanställning": [6, 0, 0, 6, 0],
        "Praktik": [7, 0, 0, 0, 7],
    }
    assert figures(session, late) == everyone
    assert figures(session, late, broker_id=bo.id) == {"Extratjänst": [5, 5, 0, 0, 0]}
    assert figures(session, late, broker_id=cia.id) == {
        "Visstidsanställning": [6, 0, 0, 6, 0],
        "Praktik": [7, 0, 0, 0, 7],
    }
    assert figures(session, late, municipality="Malmö") == {
        "Extratjänst": [5, 5, 0, 0, 0],
        "Visstidsanställning": [6, 0, 0, 6, 0],
    }
    assert figures(session, late, municipality="Lund", broker_id=cia.id) == {
        "Praktik": [7, 0, 0, 0, 7]
    }
    assert figures(session, late, employment_type="fixed_term") == {
        "Visstidsanställning": [6, 0, 0, 6, 0]
    }
    assert figures(session, late, employment_type="ordinary") == {}
    assert figures(session, late, municipality="Kiruna") == {}


def test_the_legacy_kind_and_a_type_changed_after_recording(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    old = placed(session, late, alfa, bo, kind="wage_subsidy")
    follow_up(session, late, old, bo, ordinary_job=2)
    # From before the kinds were split: the form no longer offers it.
    session.execute(
        update(Assignment).where(Assignment.id == old.id).values(employment_type="subsidised")  # type: ignore[arg-type]
    )
    changed = placed(session, late, alfa, bo, kind="fixed_term")
    follow_up(session, late, changed, bo, ordinary_job=1)
    session.execute(
        update(Assignment).where(Assignment.id == changed.id).values(employment_type="ordinary")  # type: ignore[arg-type]
    )
    session.commit()
    table = found(session, late).placements
    # The recorded follow-up stays in the figures, in a row of its own after the types.
    assert [row.shown for row in table.rows] == [*TYPES, "Ordinarie anställning"]
    assert figures(session, late) == {
        "Lönestöd/nystartsjobb (ej uppdelat)": [2, 2, 0, 0, 0],
        "Ordinarie anställning": [1, 1, 0, 0, 0],
    }
    assert table.totals == [3, 3, 0, 0, 0]


def test_the_share_of_ordinary_jobs_is_computed_and_its_total_from_the_totals(session, late, bo):
    alfa = company(session, late, bo, "Alfa AB")
    extra = placed(session, late, alfa, bo)
    follow_up(session, late, extra, bo, ordinary_job=3, no_job_or_studies=1)  # 75 %
    wage = placed(session, late, alfa, bo, kind="wage_subsidy")
    follow_up(session, late, wage, bo, ordinary_job=2, studies=1)  # 66.7: 67 %
    eighth = placed(session, late, alfa, bo, kind="internship")
    follow_up(session, late, eighth, bo, ordinary_job=1, new_subsidised_or_fixed=7)  # 12.5: 13 %
    rows, totals = shown(session, late)
    assert rows == {
        "Extratjänst": [4, 3, 0, 0, 1, 75],
        "Lönestöd": [3, 2, 0, 1, 0, 67],
        "Praktik": [8, 1, 7, 0, 0, 13],
    }
    # 6 of 15, not a sum or mean of the rows' shares.
    assert totals == [15, 6, 7, 1, 1, 40]
    table = found(session, late).placements
    # No one followed up: no share.
    assert table.row_cells(table.rows[2]) == [0, 0, 0, 0, 0, None]


def test_small_counts_are_hidden_when_a_filter_is_set(session, late, bo, cia):
    alfa = company(session, late, bo, "Alfa AB", "Malmö")
    follow_up(session, late, placed(session, late, alfa, bo), bo, ordinary_job=3, studies=1)
    wage = placed(session, late, alfa, bo, kind="wage_subsidy")
    follow_up(session, late, wage, bo, ordinary_job=5, new_subsidised_or_fixed=1)
    # No filter: a count of people in a whole municipality's report is shown as it is.
    assert shown(session, late) == (
        {"Extratjänst": [4, 3, 0, 1, 0, 75], "Lönestöd": [6, 5, 1, 0, 0, 83]},
        [10, 8, 1, 1, 0, 80],
    )
    hidden = (
        {
            "Extratjänst": ["< 5", "< 5", 0, "< 5", 0, None],
            "Lönestöd": [6, 5, "< 5", 0, 0, 83],
        },
        [10, 8, "< 5", "< 5", 0, 80],
    )
    assert shown(session, late, broker_id=bo.id) == hidden
    assert shown(session, late, municipality="Malmö") == hidden
    assert shown(session, late, employment_type="extra_job") == (
        {"Extratjänst": ["< 5", "< 5", 0, "< 5", 0, None]},
        ["< 5", "< 5", 0, "< 5", 0, None],
    )
    # The figures behind stay whole.
    assert figures(session, late, broker_id=bo.id)["Extratjänst"] == [4, 3, 0, 1, 0]


# --- the estimate of income support saved ---------------------------------------------------


def estimate(session, clock, period=MARCH, **filters):
    table = found(session, clock, period, **filters).income_support
    return str(table.lead), [table.row_cells(row)[0] for row in table.rows]


def moved_from_income_support(session, clock, bo, cia):
    """In March: Bo's 3 and Cia's 4 moved from income support to a salary."""
    alfa = company(session, clock, bo, "Alfa AB", "Malmö")
    beta = company(session, clock, cia, "Beta AB", "Lund")
    bos = placed(session, clock, alfa, bo)
    follow_up(session, clock, bos, bo, ordinary_job=3, income_support_moved=3)
    cias = placed(session, clock, beta, cia, kind="fixed_term", ends_on="2026-01-10")
    follow_up(session, clock, cias, cia, ordinary_job=2, income_support_moved=2)
    # The later point (10 April) recorded too: only it counts in the first half year.
    follow_up(
        session,
        clock,
        cias,
        cia,
        FollowUpPoint.later,
        ordinary_job=3,
        new_subsidised_or_fixed=1,
        income_support_moved=4,
    )
    # Due in March and recorded then, with 4 of Cia's moved.
    again = placed(session, clock, beta, cia, kind="internship", ends_on="2026-03-20")
    follow_up(session, clock, again, cia, ordinary_job=4, income_support_moved=4)


def test_the_estimate_waits_for_an_admin_to_set_the_amount(session, late, bo, cia):
    moved_from_income_support(session, late, bo, cia)
    lead, values = estimate(session, late)
    assert lead == (
        "Uppskattningen kräver att en administratör anger beloppet per person och månad och "
        "hur många månader som räknas."
    )
    assert values == [7, None, None, None]
    table = found(session, late).income_support
    assert table.lead_link == ("/admin/income-support", "Ange beloppet och månaderna")


def test_the_estimate_and_its_formula(session, late, bo, cia):
    admin = make_user(session, late, role="admin", username="ada", full_name="Ada Admin")
    moved_from_income_support(session, late, bo, cia)
    set_rate(session, late, admin, amount="9 500", months="6")
    assert estimate(session, late) == (
        f"7 personer × 9{N}500 kr × 6 månader = 399{N}000 kr",
        [7, 9500, 6, 399000],
    )
    # The same follow-ups as the table: Cia's at the end of January gives way to April's.
    assert estimate(session, late, FIRST_HALF)[1] == [11, 9500, 6, 627000]
    assert found(session, late).income_support.lead_link is None
    # One person, one month: the words agree with the numbers.
    set_rate(session, late, admin, amount="12000", months="1")
    january = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert estimate(session, late, january) == (
        f"2 personer × 12{N}000 kr × 1 månad = 24{N}000 kr",
        [2, 12000, 1, 24000],
    )
    # Nobody in the period: nothing to estimate.
    may = Period(dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    lead, values = estimate(session, late, may)
    assert (lead, values) == ("0 personer × 12\u202f000 kr × 1 månad = 0 kr", [0, 12000, 1, 0])
    assert found(session, late, may).income_support.empty


def test_the_estimate_hides_fewer_than_five_people_when_a_filter_is_set(session, late, bo, cia):
    admin = make_user(session, late, role="admin", username="ada", full_name="Ada Admin")
    moved_from_income_support(session, late, bo, cia)
    set_rate(session, late, admin)
    # Bo's 3 would be found by dividing the estimate: both hidden.
    assert estimate(session, late, broker_id=bo.id) == (
        f"< 5 personer × 9{N}500 kr × 6 månader: uppskattningen visas inte när ett filter är "
        "valt och färre än 5 personer räknas.",
        ["< 5", 9500, 6, None],
    )
    assert estimate(session, late, municipality="Malmö")[1] == ["< 5", 9500, 6, None]
    # Cia's 4 in March and 8 in the first half year (the table's rules).
    assert estimate(session, late, broker_id=cia.id)[1] == ["< 5", 9500, 6, None]
    assert estimate(session, late, FIRST_HALF, broker_id=cia.id)[1] == [8, 9500, 6, 456000]
    assert estimate(session, late, employment_type="ordinary")[1] == [0, 9500, 6, 0]


def test_statements_stay_the_same_whatever_the_data(session, engine, late, bo, cia):
    def selects(action) -> int:
        with statements.recorded(engine) as seen:
            action()
        return len([each for each in seen if each.lstrip().upper().startswith("SELECT")])

    def table(**filters) -> int:
        return selects(lambda: placements_table(ReportFilters(MARCH, **filters), session=session))

    def whole_report(**filters) -> int:
        return selects(lambda: found(session, late, **filters))

    assert table() == 1
    # The report's documented seventeen statements (sixteen for one broker): this table's one and
    # the estimate's factors among them.
    assert (whole_report(), whole_report(broker_id=bo.id)) == (17, 16)
    admin = make_user(session, late, role="admin", username="ada", full_name="Ada Admin")
    set_rate(session, late, admin)
    moved_from_income_support(session, late, bo, cia)
    alfa = company(session, late, bo, "Gamma AB", "Lund")
    for kind in ("extra_job", "fixed_term", "internship", "wage_subsidy"):
        both = placed(session, late, alfa, bo, kind=kind, ends_on="2026-03-02")
        follow_up(session, late, both, bo, ordinary_job=2, income_support_moved=1)
        follow_up(session, late, both, bo, FollowUpPoint.later, due_on="2026-03-30", studies=1)
    assert table() == table(broker_id=bo.id, municipality="Lund", employment_type="extra_job") == 1
    assert (whole_report(), whole_report(broker_id=bo.id)) == (17, 16)


def test_the_tables_as_csv_and_xlsx_hide_small_counts_when_filtered(
    client, session, late, signed_in, cia
):
    alfa = company(session, late, signed_in, "Alfa AB", "Malmö")
    beta = company(session, late, cia, "Beta AB", "Lund")
    mine = placed(session, late, alfa, signed_in)
    follow_up(session, late, mine, signed_in, ordinary_job=3, studies=1, income_support_moved=2)
    theirs = placed(session, late, beta, cia, kind="fixed_term")
    follow_up(session, late, theirs, cia, ordinary_job=4, no_job_or_studies=2)
    response = client.get("/reports/placements.csv" + MARCH_QUERY)
    assert response.headers["content-disposition"] == (
        'attachment; filename="uppfoljning-av-anstallningar-2026-03-01--2026-03-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == HEADINGS
    assert rows[1] == ["Extratjänst", "4", "3", "0", "1", "0", "75"]
    assert rows[2] == ["Lönestöd", "0", "0", "0", "0", "0", ""]
    assert rows[7] == ["Visstidsanställning", "6", "4", "0", "0", "2", "67"]
    assert rows[-1] == ["Totalt", "10", "7", "0", "1", "2", "70"]
    lund = client.get(f"/reports/placements.xlsx{MARCH_QUERY}&municipality=Lund")
    sheet = openpyxl.load_workbook(io.BytesIO(lund.content)).active
    sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Uppföljning av anställningar"
    assert sheet_rows[7] == ["Visstidsanställning", 6, "< 5", 0, 0, "< 5", 67]
    assert sheet_rows[-1] == ["Totalt", 6, "< 5", 0, 0, "< 5", 67]
    mine_only = read_csv(client.get(f"/reports/placements.csv{MARCH_QUERY}&broker={signed_in.id}"))
    assert mine_only[1] == ["Extratjänst", "< 5", "< 5", "0", "< 5", "0", ""]

    estimate_rows = read_csv(client.get("/reports/income-support.csv" + MARCH_QUERY))
    assert estimate_rows == [
        ["Uppgift", "Värde"],
        ["Personer från försörjningsstöd till lön", "2"],
        ["Belopp per person och månad, kr", ""],
        ["Månader som räknas", ""],
        ["Uppskattat minskat försörjningsstöd, kr", ""],
    ]
    filtered = client.get(f"/reports/income-support.xlsx{MARCH_QUERY}&municipality=Malmö")
    sheet = openpyxl.load_workbook(io.BytesIO(filtered.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)][1] == [
        "Personer från försörjningsstöd till lön",
        "< 5",
    ]


def test_the_page_in_swedish_and_english(client, session, late, signed_in, cia):
    alfa = company(session, late, signed_in, "Alfa AB")
    mine = placed(session, late, alfa, signed_in)
    follow_up(session, late, mine, signed_in, ordinary_job=5, studies=2, income_support_moved=5)
    html = client.get("/reports" + MARCH_QUERY).text
    table = section(html, "placements")
    assert '<h3 id="heading-placements">Uppföljning av anställningar</h3>' in table
    assert "Ett uppdrag räknas en gång per period, med sin senaste" in table
    assert cells(table)[0] == HEADINGS
    assert cells(table)[1] == ["Extratjänst", "7", "5", "0", "2", "0", "71"]
    assert cells(table)[2] == ["Lönestöd", "0", "0", "0", "0", "0", "–"]
    assert cells(table)[-1] == ["Totalt", "7", "5", "0", "2", "0", "71"]
    filtered = section(
        client.get(f"/reports{MARCH_QUERY}&broker={signed_in.id}").text, "placements"
    )
    assert cells(filtered)[1] == ["Extratjänst", "7", "5", "0", "&lt; 5", "0", "71"]
    # The estimate waits for an admin; a broker is not offered the admins' page.
    estimate_html = section(html, "income-support")
    assert "Uppskattningen kräver att en administratör anger beloppet" in estimate_html
    assert 'href="/admin/income-support"' not in estimate_html
    # After Hires per month, before Events.
    assert html.index('id="report-hires-by-month"') < html.index('id="report-placements"')
    assert html.index('id="report-income-support"') < html.index('id="report-events-by-month"')

    admin = make_user(session, late, role="admin", username="ada", full_name="Ada Admin")
    set_rate(session, late, admin, amount="9500", months="6")
    session.execute(update(User).where(User.id == signed_in.id).values(locale="en"))  # type: ignore[arg-type]
    session.commit()
    english = client.get("/reports" + MARCH_QUERY).text
    table = section(english, "placements")
    assert '<h3 id="heading-placements">Follow-up of placements</h3>' in table
    assert cells(table)[0][-1] == "Share in an ordinary job, per cent"
    estimate_html = section(english, "income-support")
    assert f"5 people × SEK 9{N}500 × 6 months = SEK 285{N}000" in estimate_html
    assert cells(estimate_html)[1] == ["People from income support to a salary", "5"]
    # The exports stay Swedish.
    assert read_csv(client.get("/reports/placements.csv" + MARCH_QUERY))[0] == HEADINGS
