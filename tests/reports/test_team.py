"""Teamöversikt (/reports/team): each broker's follow-ups overdue and due today and open
assignments past deadline, hand-counted, at Stockholm's midnight; the companies nobody
owns, paged; who may see it; and a constant number of statements as the data grows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlmodel import Session

from app.activities import service as activities
from app.activities.models import Activity
from app.auth.models import User
from app.clock import STOCKHOLM, SettableClock
from app.companies import service as companies
from app.companies.models import Company
from app.reports import team
from tests import statements
from tests.activities.factories import make_activity
from tests.assignments.factories import make_assignment
from tests.conftest import START
from tests.factories import PASSWORD, make_company, make_user

TODAY = dt.date(2026, 3, 2)
PAGE = "/reports/team"


# --- data -----------------------------------------------------------------------------


def follow_up(session, clock, company, user, day, **fields) -> Activity:
    """A follow-up on `day`, logged the day before it (the service refuses a date already
    past, but time passes)."""
    clock.set(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), tzinfo=STOCKHOLM))
    try:
        return make_activity(session, clock, company, user, follow_up_on=day.isoformat(), **fields)
    finally:
        clock.set(START)


def assignment(session, clock, company, user, deadline, *, owner: User | None, **fields):
    """An assignment with `deadline`, created long before it."""
    clock.set(START - dt.timedelta(days=60))
    try:
        return make_assignment(
            session,
            clock,
            company,
            user,
            deadline=deadline,
            owner_id=str(owner.id) if owner else "",
            **fields,
        )
    finally:
        clock.set(START)


def owned_by(session, clock, user, name) -> Company:
    return make_company(session, clock, user=user, name=name, owner_id=str(user.id))


@dataclass
class Team:
    ada: User  # admin, signed in
    bo: User
    cia: User
    dan: User  # deactivated, still with late work
    eva: User  # nothing late
    free: Company
    old_free: Company
    quiet: Company


@pytest.fixture
def world(client, session: Session, clock: SettableClock) -> Team:
    """The hand-counted team. Follow-ups (F) and assignments (A), today 2026-03-02:

    Bo:  F1 02-26, F2 03-01 (yesterday), F6 02-25 by Cia on his company: 3 overdue, oldest
         02-25; F3 today, F7 today on Cia's company: 2 today. A1 02-20, A2 03-01: 2 late.
    Cia: F6 (she wrote it), F10 02-27 on an unowned company: 2 overdue, oldest 02-25;
         F7 (her company): 1 today. A6 02-10: 1 late.
    Dan: F9 02-15: 1 overdue; A8 02-05: 1 late. Then deactivated.
    Nobody: F11 02-28 on an unowned company, author gone: 1 overdue; A7 02-15: 1 late.
    Team: F1 F2 F6 F9 F10 F11 = 6 overdue, oldest 02-15; F3 F7 = 2 today;
          A1 A2 A6 A7 A8 = 5 late, oldest 02-05.
    Not counted: F4 tomorrow, F5 done, F8 on an archived company; A3 due today, A4 filled,
    A5 cancelled.
    """
    ada = make_user(session, clock, role="admin", username="ada", full_name="Ada Admin")
    bo = make_user(session, clock, username="bo", full_name="Bo Ek")
    cia = make_user(session, clock, username="cia", full_name="Cia Lind")
    dan = make_user(session, clock, username="dan", full_name="Dan Öst")
    eva = make_user(session, clock, username="eva", full_name="Eva Berg")
    make_user(session, clock, role="viewer", username="vera", full_name="Vera Chef")

    bos = owned_by(session, clock, bo, "Bos Bygg AB")
    cias = owned_by(session, clock, cia, "Cias Café AB")
    dans = owned_by(session, clock, dan, "Dans Däck AB")
    gone = owned_by(session, clock, bo, "Arkiverat AB")
    free = make_company(session, clock, user=cia, name="Fria Företaget AB")
    old_free = make_company(session, clock, user=cia, name="Gamla Fria AB")
    quiet = make_company(session, clock, user=cia, name="Tysta AB")
    unowned_archived = make_company(session, clock, user=cia, name="Arkiverat Fritt AB")

    follow_up(session, clock, bos, bo, dt.date(2026, 2, 26))  # F1
    follow_up(session, clock, bos, bo, dt.date(2026, 3, 1))  # F2
    follow_up(session, clock, bos, bo, TODAY)  # F3
    follow_up(session, clock, bos, bo, dt.date(2026, 3, 3))  # F4
    done = follow_up(session, clock, bos, bo, dt.date(2026, 2, 20))  # F5
    activities.complete_follow_up(done, user=bo, session=session, clock=clock)
    follow_up(session, clock, bos, cia, dt.date(2026, 2, 25))  # F6
    follow_up(session, clock, cias, bo, TODAY)  # F7
    follow_up(session, clock, gone, bo, dt.date(2026, 2, 10))  # F8
    follow_up(session, clock, dans, dan, dt.date(2026, 2, 15))  # F9
    follow_up(session, clock, free, cia, dt.date(2026, 2, 27))  # F10
    orphan = follow_up(session, clock, free, cia, dt.date(2026, 2, 28))  # F11
    # Its author since deleted (the foreign key sets it NULL).
    session.execute(update(Activity).where(Activity.id == orphan.id).values(user_id=None))  # type: ignore[arg-type]
    clock.set(START - dt.timedelta(days=40))
    make_activity(session, clock, old_free, cia, notes="Ringde för länge sedan")
    clock.set(START)

    assignment(session, clock, bos, bo, dt.date(2026, 2, 20), owner=bo)  # A1
    assignment(session, clock, bos, bo, dt.date(2026, 3, 1), owner=bo, status="searching")  # A2
    assignment(session, clock, bos, bo, TODAY, owner=bo)  # A3
    assignment(session, clock, bos, bo, dt.date(2026, 2, 1), owner=bo, status="filled",
               filled_count=1)  # A4  # fmt: skip
    assignment(session, clock, bos, bo, dt.date(2026, 2, 1), owner=bo, status="cancelled")  # A5
    assignment(session, clock, cias, cia, dt.date(2026, 2, 10), owner=cia, status="presented")  # A6
    assignment(session, clock, free, cia, dt.date(2026, 2, 15), owner=None)  # A7
    assignment(session, clock, dans, dan, dt.date(2026, 2, 5), owner=dan)  # A8

    companies.archive(gone, user=ada, session=session, clock=clock)
    companies.archive(unowned_archived, user=ada, session=session, clock=clock)
    dan.is_active = False
    session.add(dan)
    session.commit()
    client.login("ada", PASSWORD)
    return Team(ada=ada, bo=bo, cia=cia, dan=dan, eva=eva, free=free, old_free=old_free,
                quiet=quiet)  # fmt: skip


def figures(load: team.Load) -> tuple:
    return (
        load.overdue_follow_ups,
        load.follow_ups_today,
        load.oldest_follow_up,
        load.late_assignments,
        load.oldest_deadline,
    )


def by_user(work: team.Workload) -> dict[str, tuple]:
    return {row.user.username: figures(row.load) for row in work.brokers}


D = dt.date


# --- the figures ----------------------------------------------------------------------


def test_each_brokers_figures_hand_counted(world, session, clock):
    work = team.workload(session=session, clock=clock)
    assert work.day == TODAY
    assert by_user(work) == {
        "ada": (0, 0, None, 0, None),
        "bo": (3, 2, D(2026, 2, 25), 2, D(2026, 2, 20)),
        "cia": (2, 1, D(2026, 2, 25), 1, D(2026, 2, 10)),
        "eva": (0, 0, None, 0, None),
        "dan": (1, 0, D(2026, 2, 15), 1, D(2026, 2, 5)),
    }
    # Active people in Swedish order, then the deactivated one who still has late work;
    # the viewer owns nothing and is not listed.
    assert [row.user.username for row in work.brokers] == ["ada", "bo", "cia", "eva", "dan"]
    assert [row.inactive for row in work.brokers] == [False, False, False, False, True]
    assert figures(work.nobody) == (1, 0, D(2026, 2, 28), 1, D(2026, 2, 15))
    assert figures(work.team) == (6, 2, D(2026, 2, 15), 5, D(2026, 2, 5))


def test_stockholm_midnight_decides_what_is_overdue(world, session, clock):
    # 23:30 on 1 March in Stockholm (22:30 UTC): F2 is due today, F3 and F7 not yet.
    clock.set(dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC))
    work = team.workload(session=session, clock=clock)
    assert work.day == D(2026, 3, 1)
    assert by_user(work)["bo"][:2] == (2, 1)  # F1, F6 overdue; F2 today
    assert figures(work.team)[:2] == (5, 1)
    # A2's deadline (1 March) is today: not yet late.
    assert by_user(work)["bo"][3] == 1
    # 00:30 on 2 March in Stockholm, still 1 March in UTC: F2 is overdue, F3 and F7 due.
    clock.set(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    work = team.workload(session=session, clock=clock)
    assert work.day == TODAY
    assert by_user(work)["bo"] == (3, 2, D(2026, 2, 25), 2, D(2026, 2, 20))
    assert figures(work.team)[:2] == (6, 2)


def test_a_follow_up_marked_done_leaves_the_count(world, session, clock):
    open_ = session.get(Activity, _activity_id(session, world.dan))
    activities.complete_follow_up(open_, user=world.ada, session=session, clock=clock)
    session.commit()
    work = team.workload(session=session, clock=clock)
    assert by_user(work)["dan"] == (0, 0, None, 1, D(2026, 2, 5))
    assert figures(work.team)[:3] == (5, 2, D(2026, 2, 25))


def _activity_id(session, user) -> int:
    from sqlmodel import select

    return session.exec(select(Activity.id).where(Activity.user_id == user.id)).one()


def test_an_empty_register(client, session, clock):
    make_user(session, clock, role="viewer", username="vera")
    work = team.workload(session=session, clock=clock)
    assert work.brokers == [] and work.nobody.empty and work.team.empty
    assert figures(work.team) == (0, 0, None, 0, None)
    client.login("vera", PASSWORD)
    html = client.get(PAGE).text
    assert "0 företag har ingen ansvarig jobbmäklare." in html
    assert 'id="broker-none"' not in html


# --- the page -------------------------------------------------------------------------


def cells(html: str, row_id: str) -> list[str]:
    """The row's cells as read aloud without the screen-reader-only words."""
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    cleaned = [re.sub(r'<span class="visually-hidden">.*?</span>', "", text) for text in texts]
    return [re.sub(r"<[^>]+>", "", text).strip() for text in cleaned]


def row_html(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


def test_the_table_shows_the_figures_and_links_to_act(world, client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    html = response.text
    bo, cia, dan = world.bo, world.cia, world.dan
    expected = {
        f"broker-{bo.id}": "Bo Ek | 3 | 2 | 2026-02-25 | 2 | 2026-02-20",
        f"broker-{cia.id}": "Cia Lind | 2 | 1 | 2026-02-25 | 1 | 2026-02-10",
        f"broker-{dan.id}": "Dan Öst (inaktiverad) | 1 | 0 | 2026-02-15 | 1 | 2026-02-05",
        f"broker-{world.eva.id}": "Eva Berg | 0 | 0 |  | 0 | ",
        "broker-none": "Ingen ansvarig | 1 | 0 | 2026-02-28 | 1 | 2026-02-15",
        "broker-team": "Hela teamet | 6 | 2 | 2026-02-15 | 5 | 2026-02-05",
    }
    for row_id, shown in expected.items():
        assert " | ".join(cells(html, row_id)) == shown, row_id
    # Numbers lead to Min dag of that broker and their assignments by deadline.
    bo_row = row_html(html, f"broker-{bo.id}")
    assert f'<a href="/?user={bo.id}#follow-ups">3<span class="visually-hidden">' in bo_row
    assert f'href="/assignments?owner={bo.id}&amp;sort=deadline">2<' in bo_row
    # Min dag offers no deactivated user's day; their assignments are still listed.
    dan_row = row_html(html, f"broker-{dan.id}")
    assert "/?user=" not in dan_row
    assert f'href="/assignments?owner={dan.id}&amp;sort=deadline">1<' in dan_row
    assert 'href="/assignments?owner=none&amp;sort=deadline">1<' in row_html(html, "broker-none")
    team_row = row_html(html, "broker-team")
    assert 'href="/?user=team#follow-ups">6<' in team_row
    assert 'href="/assignments?owner=&amp;sort=deadline">5<' in team_row
    # A zero links nowhere.
    assert "<a" not in row_html(html, f"broker-{world.eva.id}")
    # Accessible table: a caption, headers with scope, numbers right-aligned by class.
    assert '<caption id="workload-caption">Försenade återkopplingar' in html
    assert html.count('<th scope="col" class="number">') == 5
    assert '<th scope="row">Bo Ek</th>' in html
    assert "<tfoot>" in html


def test_the_link_to_min_dag_shows_the_same_follow_ups(world, client):
    day = client.get(f"/?user={world.bo.id}").text
    start = day.index('<section id="follow-ups"')
    listed = day[start : day.index("</section>", start)]
    # 3 overdue + 2 today, as the team view counts them.
    assert listed.count('<li id="follow-up-') == 5
    assert listed.count('<strong class="badge-overdue">Försenad') == 3


def test_companies_without_owner_most_recently_active_first(world, client):
    html = client.get(PAGE).text
    section = html[html.index('<section id="unowned"') :]
    assert "3 företag har ingen ansvarig jobbmäklare." in section
    links = re.findall(r'<a href="/companies/(\d+)">([^<]+)</a>', section)
    assert links == [
        (str(world.free.id), "Fria Företaget AB"),
        (str(world.old_free.id), "Gamla Fria AB"),
        (str(world.quiet.id), "Tysta AB"),
    ]
    for absent in ("Arkiverat Fritt AB", "Bos Bygg AB", "Arkiverat AB"):
        assert absent not in section
    assert 'rel="next"' not in section


def test_companies_without_owner_are_paged(client, session, clock, engine):
    ada = make_user(session, clock, role="admin", username="ada")
    for number in range(team.PAGE_SIZE + 2):
        make_company(session, clock, user=ada, name=f"Företag {number:03d} AB")
    client.login("ada", PASSWORD)

    first = client.get(PAGE).text
    assert f"{team.PAGE_SIZE + 2} företag har ingen ansvarig jobbmäklare." in first
    assert first.count('<th scope="row"><a href="/companies/') == team.PAGE_SIZE
    assert "Företag 000 AB" in first and "Företag 050 AB" not in first
    assert 'href="/reports/team?page=2#unowned" rel="next"' in first
    assert "sida 1 av 2" in first

    # htmx swaps only the list; without it the whole page comes.
    second = client.get(f"{PAGE}?page=2", headers={"HX-Request": "true"})
    assert second.text.lstrip().startswith('<div id="results"')
    assert second.text.count('<a href="/companies/') == 2
    assert "Företag 050 AB" in second.text and "Företag 051 AB" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert "<h1>" in client.get(f"{PAGE}?page=2").text
    # A page past the end is empty, not an error.
    assert client.get(f"{PAGE}?page=99").status_code == 200


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("viewer", 200), ("broker", 403)])
def test_team_leads_see_it_brokers_do_not(client, session, clock, role, status):
    make_user(session, clock, role=role, username="someone")
    client.login("someone", PASSWORD)
    assert client.get(PAGE).status_code == status


def test_signing_in_comes_first(client, session, clock):
    make_user(session, clock, role="admin", username="ada")
    response = client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/reports/team"


# --- cost -----------------------------------------------------------------------------


def test_statements_do_not_grow_with_the_data(world, client, session, clock, engine):
    def page():
        assert client.get(PAGE).status_code == 200

    few = statements.count(engine, page)
    for number in range(6):
        broker = make_user(session, clock, username=f"extra{number}", full_name=f"Extra {number}")
        company = owned_by(session, clock, broker, f"Extra {number} AB")
        follow_up(session, clock, company, broker, dt.date(2026, 2, 20 + number))
        follow_up(session, clock, company, broker, TODAY)
        assignment(session, clock, company, broker, dt.date(2026, 2, 1), owner=broker)
        make_company(session, clock, user=broker, name=f"Utan ägare {number} AB")
        if number % 2:
            broker.is_active = False
            session.add(broker)
    session.commit()
    client.login("ada", PASSWORD)
    assert statements.count(engine, page) == few


def test_both_tables_export_as_on_the_page(world, client, session):
    import csv
    import io

    import openpyxl

    response = client.get("/reports/team/workload.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="teamoversikt-2026-03-02.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(team.WORKLOAD_HEADERS)
    assert rows[1:] == [
        ["Ada Admin", "0", "0", "", "0", ""],
        ["Bo Ek", "3", "2", "2026-02-25", "2", "2026-02-20"],
        ["Cia Lind", "2", "1", "2026-02-25", "1", "2026-02-10"],
        ["Eva Berg", "0", "0", "", "0", ""],
        ["Dan Öst (inaktiverad)", "1", "0", "2026-02-15", "1", "2026-02-05"],
        ["Ingen ansvarig", "1", "0", "2026-02-28", "1", "2026-02-15"],
        ["Hela teamet", "6", "2", "2026-02-15", "5", "2026-02-05"],
    ]

    response = client.get("/reports/team/unowned.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == team.UNOWNED_HEADERS
    assert [row[0] for row in values[1:]] == ["Fria Företaget AB", "Gamla Fria AB", "Tysta AB"]
    assert values[1][4] == "Prospekt"
    assert values[1][5] is not None and values[3][5] is None  # Tysta AB: no activity
    assert client.get("/reports/team/other.csv").status_code == 404
    # The page links both, and the company list filtered to companies with no owner.
    page = client.get(PAGE).text
    for href in (
        "/reports/team/workload.csv",
        "/reports/team/unowned.xlsx",
        "/companies?owner=none",
    ):
        assert f'href="{href}"' in page
