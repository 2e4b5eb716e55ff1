"""Min dag's follow-up groups (app/today/follow_ups.py): every follow-up due today first,
whatever the backlog, then the overdue ones of the last seven days and the older ones,
each counted and paged; the team's and another broker's day grouped the same way; and a
constant number of statements whether a broker is 5 or 60 follow-ups behind."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.activities import service as activities
from app.companies import service as companies
from app.today import follow_ups
from app.today.follow_ups import OLDER, TODAY, WEEK
from app.today.service import View
from tests import statements
from tests.factories import PASSWORD, make_company, make_user
from tests.today.conftest import owned_by
from tests.today.test_routes import HTMX, follow_up, section
from tests.today.test_routes import TODAY as DAY


def days_ago(days):
    return DAY - dt.timedelta(days=days)


def backlog(session, clock, company, user, count, *, first=8):
    """`count` overdue follow-ups, one a day from `first` days ago backwards."""
    return [
        follow_up(session, clock, company, user, days_ago(first + n), notes=f"Gammal {n}")
        for n in range(count)
    ]


def ids(group):
    return [entry.activity.id for entry in group.rows]


def by_key(groups):
    return {group.key: group for group in groups}


def test_todays_follow_ups_come_first_whatever_the_backlog(client, session, clock, bo, company):
    old = backlog(session, clock, company, bo, 60)
    due = [follow_up(session, clock, company, bo, DAY, notes=f"I dag {n}") for n in range(3)]
    groups = follow_ups.groups(View(bo, own=True), {}, session=session, clock=clock)
    assert [group.key for group in groups] == [TODAY, WEEK, OLDER]
    today_group, week, older = groups
    assert ids(today_group) == [activity.id for activity in due]
    assert (today_group.total, week.total, older.total) == (3, 0, 60)
    assert ids(older) == [activity.id for activity in old[:10]]  # the newest first

    html = section(client.get("/").text, "follow-ups")
    rows = re.findall(r'<li id="follow-up-(\d+)"', html)
    assert rows[:3] == [str(activity.id) for activity in due]
    assert len(rows) == 3 + 10
    assert "Visar de" not in html


def test_groups_by_how_late_with_counts(session, clock, bo, cia, company):
    today_ = follow_up(session, clock, company, bo, DAY)
    yesterday = follow_up(session, clock, company, bo, days_ago(1))
    a_week = follow_up(session, clock, company, bo, days_ago(7))  # still the last 7 days
    eight = follow_up(session, clock, company, bo, days_ago(8))
    long_ago = follow_up(session, clock, company, bo, days_ago(120))
    follow_up(session, clock, company, bo, DAY + dt.timedelta(days=1))  # not due yet
    done = follow_up(session, clock, company, bo, days_ago(3))
    activities.complete_follow_up(done, user=bo, session=session, clock=clock)
    archived = owned_by(session, clock, bo, "Arkiverat AB")
    follow_up(session, clock, archived, bo, days_ago(2))
    companies.archive(archived, user=bo, session=session, clock=clock)
    # Cia's own on her own company is not Bo's; Cia's on Bo's company is.
    follow_up(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, DAY)
    on_mine = follow_up(session, clock, company, cia, days_ago(2))
    session.commit()

    view = View(bo, own=True)
    assert follow_ups.counts(view, session=session, clock=clock) == {
        TODAY: 1,
        WEEK: 3,
        OLDER: 2,
    }
    groups = by_key(follow_ups.groups(view, {}, session=session, clock=clock))
    assert ids(groups[TODAY]) == [today_.id]
    assert ids(groups[WEEK]) == [yesterday.id, on_mine.id, a_week.id]
    assert ids(groups[OLDER]) == [eight.id, long_ago.id]
    assert [group.pages for group in groups.values()] == [1, 1, 1]
    late = {entry.activity.id: entry.days_late(DAY) for entry in groups[WEEK].rows}
    assert late == {yesterday.id: 1, on_mine.id: 2, a_week.id: 7}


def test_each_group_is_paged(session, clock, bo, company):
    old = backlog(session, clock, company, bo, 25)
    recent = [follow_up(session, clock, company, bo, days_ago(1)) for _ in range(12)]
    view = View(bo, own=True)

    def page(week=1, older=1):
        groups = follow_ups.groups(view, {WEEK: week, OLDER: older}, session=session, clock=clock)
        return by_key(groups)

    first = page()
    assert (first[WEEK].total, first[WEEK].pages, first[OLDER].pages) == (12, 2, 3)
    assert ids(first[WEEK]) == [activity.id for activity in reversed(recent)][:10]
    second = page(week=2, older=2)
    assert ids(second[WEEK]) == [recent[1].id, recent[0].id]
    assert ids(second[OLDER]) == [activity.id for activity in old[10:20]]
    # Past the end: the last page; before the start: the first.
    past = page(week=99, older=99)
    assert (past[WEEK].page, past[OLDER].page) == (2, 3)
    assert ids(past[OLDER]) == [activity.id for activity in old[20:]]
    assert page(week=0, older=-5)[OLDER].page == 1


def test_today_shows_fifty_and_pages_the_rest(session, clock, bo, company):
    due = [follow_up(session, clock, company, bo, DAY) for _ in range(52)]
    view = View(bo, own=True)
    first = follow_ups.groups(view, {}, session=session, clock=clock)[0]
    assert (first.total, first.pages, len(first.rows)) == (52, 2, 50)
    second = follow_ups.groups(view, {TODAY: 2}, session=session, clock=clock)[0]
    assert ids(second) == [due[50].id, due[51].id]


def test_the_team_and_a_brokers_day_are_grouped_the_same_way(session, clock, bo, cia, company):
    bos = follow_up(session, clock, company, bo, DAY)
    cias_company = owned_by(session, clock, cia, "Cias AB")
    cias = follow_up(session, clock, cias_company, cia, days_ago(3))
    nobodys = make_company(session, clock, user=bo, name="Ingens AB")
    unowned = follow_up(session, clock, nobodys, bo, days_ago(30))

    team = by_key(follow_ups.groups(View(None, own=False), {}, session=session, clock=clock))
    assert ids(team[TODAY]) == [bos.id]
    assert ids(team[WEEK]) == [cias.id]
    assert ids(team[OLDER]) == [unowned.id]
    cia_day = by_key(follow_ups.groups(View(cia, own=False), {}, session=session, clock=clock))
    assert (ids(cia_day[TODAY]), ids(cia_day[WEEK]), ids(cia_day[OLDER])) == ([], [cias.id], [])


# --- cost -------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["own", "team", "group"])
def test_five_or_sixty_behind_costs_the_same_statements(
    client, session, clock, engine, bo, cia, company, view
):
    """The page (own day and the team's) and one group's page swapped by htmx run as many
    statements with 5 follow-ups overdue as with 60."""
    make_user(session, clock, role="admin", username="ada")
    if view == "team":
        client.login("ada", PASSWORD)
    path = {"own": "/", "team": "/?user=team", "group": "/?older_page=2"}[view]
    headers = {**HTMX, "HX-Target": "follow-ups-older"} if view == "group" else {}
    for _ in range(2):
        follow_up(session, clock, company, bo, DAY)
        follow_up(session, clock, company, cia, days_ago(2))
    backlog(session, clock, company, bo, 15)  # older: two pages

    def page():
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.text.count('<li id="follow-up-') >= 5

    few = statements.count(engine, page)
    backlog(session, clock, owned_by(session, clock, bo, "Mer AB"), bo, 45, first=30)
    many = statements.count(engine, page)
    assert few == many, (few, many)
    # Session and user, (the switch's choices,) the counts and the rows of the groups'
    # pages, and one per other section; a group alone: the counts and the rows.
    assert many <= {"own": 11, "team": 12, "group": 4}[view], many


def test_paging_links_work_without_javascript_and_swap_one_group(
    client, session, clock, bo, company
):
    old = backlog(session, clock, company, bo, 25)
    recent = [follow_up(session, clock, company, bo, days_ago(2)) for _ in range(11)]
    html = section(client.get("/?week_page=2").text, "follow-ups")
    older = html[html.index('<div id="follow-ups-older"') :]
    assert (
        'Försenade sedan tidigare <span id="follow-ups-older-count" class="count">(25)</span>'
        in (older)
    )
    assert '<nav class="pagination" aria-label="Sidor: Försenade sedan tidigare">' in older
    assert "Sida 1 av 3" in older
    # The link keeps the other group's page, and names the group for htmx.
    next_link = re.search(r'<a href="([^"]+)" rel="next" hx-get="([^"]+)"', older)
    assert next_link and next_link.groups() == (
        "/?week_page=2&amp;older_page=2#follow-ups-older",
        "/?week_page=2&amp;older_page=2",
    )
    assert 'hx-target="#follow-ups-older" hx-swap="outerHTML" hx-push-url="true"' in older
    week = html[html.index('<div id="follow-ups-week"') : html.index('<div id="follow-ups-older"')]
    assert "Sida 2 av 2" in week and f"follow-up-{recent[0].id}" in week
    assert 'rel="prev"' in week and 'rel="next"' not in week

    # Without JavaScript: the whole page at that page.
    page = section(client.get("/?week_page=2&older_page=2").text, "follow-ups")
    assert f'id="follow-up-{old[10].id}"' in page and f'id="follow-up-{old[0].id}"' not in page
    # With htmx: the group alone.
    response = client.get(
        "/?week_page=2&older_page=2", headers={**HTMX, "HX-Target": "follow-ups-older"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="follow-ups-older" class="follow-up-group">')
    assert '<nav class="pagination"' in response.text and "<h1" not in response.text
    assert f'id="follow-up-{old[10].id}"' in response.text
    assert "follow-ups-week" not in response.text
    # Another broker's day keeps ?user= in the links.
    make_user(session, clock, role="admin", username="ada")
    client.login("ada", PASSWORD)
    html = client.get(f"/?user={bo.id}").text
    assert f'href="/?user={bo.id}&amp;older_page=2#follow-ups-older"' in html


def test_my_follow_ups_on_others_companies_are_looked_up_by_author_on_postgresql(
    session, clock, bo
):
    """ "On my companies, or written by me" as one condition with OR made PostgreSQL read
    every activity (110 ms on the 50k benchmark data): it cannot look such an OR up in an
    index, and tested the author of each row it read. Written as two halves, the author
    is what the second half is looked up by (5 ms): a condition of an index scan, never a
    filter on rows read for something else. (How the first half reaches the companies'
    follow-ups depends on the table's statistics, so it is not asserted here.)"""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite looks either half of the OR up by its index")
    from sqlalchemy import text

    params = follow_ups._params(View(user=bo, own=True), DAY)
    params |= {f"{key}_offset": 0 for key in follow_ups.GROUPS}
    connection = session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    author = f"user_id = {bo.id})"
    for statement in (follow_ups._COUNTS[False], follow_ups._PAGES[False]):
        compiled = statement.compile(session.get_bind())
        values = {**compiled.params, **{k: v for k, v in params.items() if k in compiled.params}}
        plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", values)]
        shown = "\n".join(plan)
        assert any("Cond:" in line and author in line for line in plan), shown
        assert not any("Filter:" in line and author in line for line in plan), shown
