"""Min dag over HTTP: which follow-ups, companies and activities it shows and for whom,
"Klar", "I morgon", "Nästa vecka" and "Flytta" with htmx and with plain forms, who may use
them, the admin's "Visa för" switch, and a constant number of statements as data grows.
Logging a call from a row is in test_log_from_row.py, the groups in test_follow_ups.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.activities import service as activities
from app.activities.models import Activity
from app.companies import service as companies
from app.history.models import AuditEvent
from tests import statements
from tests.activities.factories import make_activity
from tests.conftest import START
from tests.factories import PASSWORD, make_user
from tests.today.conftest import ending_agreement, owned_by, placement_due

HTMX = {"HX-Request": "true"}
TODAY = dt.date(2026, 3, 2)


def follow_up(session, clock, company, user, day, **fields):
    """An activity with a follow-up on `day`, logged the day before it (so the past is
    reachable: the service refuses a follow-up date that has already passed)."""
    clock.set(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10), tzinfo=START.tzinfo))
    try:
        return make_activity(session, clock, company, user, follow_up_on=day.isoformat(), **fields)
    finally:
        clock.set(START)


def logged_days_ago(session, clock, company, user, days, **fields):
    clock.set(START - dt.timedelta(days=days))
    try:
        return make_activity(session, clock, company, user, **fields)
    finally:
        clock.set(START)


def section(html, section_id):
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def follow_ups_on(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200, response.text
    return section(response.text, "follow-ups")


def row(html, activity):
    match = re.search(rf'<li id="follow-up-{activity.id}".*?</li>', html, re.S)
    assert match, f"no row for activity {activity.id}"
    return match.group(0)


def reload(session, activity):
    session.expire_all()
    return session.get(Activity, activity.id)


def post(client, path, data=None, **kwargs):
    return client.post_form(path, data or {}, token_from="/", **kwargs)


# --- the page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "broker", "viewer"])
def test_the_start_page_is_min_dag_for_every_role(client, session, clock, role):
    make_user(session, clock, role=role, username="someone")
    client.login("someone", PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    nav = response.text[response.text.index("<nav") : response.text.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"', nav)
    assert links[0] == "/", "Min dag comes first among the signed-in links"
    assert 'class="brand"' in nav and links.count("/") == 1, "the name is not a second link home"
    assert '<a href="/" aria-current="page">Min dag</a>' in nav
    heading = "Teamets dag" if role == "viewer" else "Min dag"
    assert f"<h1>{heading}</h1>" in response.text
    assert "I dag är det 2026-03-02." in response.text
    assert 'aria-current="page">Min dag' not in client.get("/companies").text


def test_overdue_today_and_tomorrow(client, session, clock, bo, cia, company):
    overdue = follow_up(session, clock, company, bo, dt.date(2026, 2, 26), notes="Ring Åsa")
    due = follow_up(session, clock, company, bo, TODAY, notes="Skicka avtal")
    tomorrow = follow_up(session, clock, company, bo, TODAY + dt.timedelta(days=1))
    done = follow_up(session, clock, company, bo, dt.date(2026, 2, 20), notes="Redan klar")
    clock.set(START)
    activities.complete_follow_up(done, user=bo, session=session, clock=clock)
    session.commit()
    # Not mine: a colleague's own follow-up on their own company.
    theirs = follow_up(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, TODAY)
    # Mine though the company is not: I wrote it.
    written = follow_up(
        session, clock, owned_by(session, clock, cia, "Bos anteckning AB"), bo, TODAY
    )
    # Mine though I did not write it: I own the company.
    owned = follow_up(session, clock, company, cia, TODAY, notes="Cia lovade återkomma")

    html = follow_ups_on(client)
    assert "Redan klar" not in html and f"follow-up-{done.id}" not in html
    assert f"follow-up-{tomorrow.id}" not in html and f"follow-up-{theirs.id}" not in html
    for activity in (overdue, due, written, owned):
        assert f"follow-up-{activity.id}" in html
    # Today's first, then the overdue ones; overdue written out, not told by colour alone.
    assert html.index(f"follow-up-{due.id}") < html.index(f"follow-up-{overdue.id}")
    assert "Försenad 4 dagar</strong>" in row(html, overdue)
    assert '<time datetime="2026-02-26">2026-02-26</time>' in row(html, overdue)
    assert "Försenad" not in row(html, due) and "<strong>I dag</strong>" in row(html, due)
    assert 'class="follow-up overdue"' in row(html, overdue)
    # Who wrote it, when not me; who owns the company, when not me.
    assert "Samtal 2026-03-01, Cia Lind" in row(html, owned)
    assert "Samtal 2026-03-01 – Skicka avtal</span>" in row(html, due)
    assert "ansvarig: Cia Lind" in row(html, written)
    assert 'I dag <span id="follow-ups-today-count" class="count">(3)</span>' in html
    assert "Försenade de senaste 7 dagarna" in html

    clock.advance(dt.timedelta(days=1))
    client.login("bo", PASSWORD)  # the session has timed out overnight
    html = follow_ups_on(client)
    assert "<strong>I dag</strong>" in row(html, tomorrow)
    assert "Försenad 1 dag</strong>" in row(html, due)


def test_a_day_without_anything(client, bo):
    html = client.get("/").text
    assert "Inga återkopplingar i dag." in html
    assert "Inga företag har väntat så länge." in html
    assert "Inga kontakthändelser de senaste 14 dagarna." in html


def test_an_archived_company_has_no_follow_ups_on_min_dag(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, TODAY)
    companies.archive(company, user=bo, session=session, clock=clock)
    session.commit()
    assert f"follow-up-{activity.id}" not in follow_ups_on(client)


# --- klar -------------------------------------------------------------------------------


def test_klar_with_htmx_removes_the_row_in_place(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, dt.date(2026, 2, 27))
    html = follow_ups_on(client)
    assert f'hx-post="/today/follow-ups/{activity.id}/done"' in row(html, activity)
    assert f'hx-target="#follow-up-{activity.id}" hx-swap="outerHTML"' in row(html, activity)

    response = post(client, f"/today/follow-ups/{activity.id}/done", headers=HTMX)
    assert response.status_code == 200
    assert "<li" not in response.text and "<html" not in response.text
    assert 'hx-swap-oob="innerHTML:#flash"' in response.text
    assert "Återkopplingen är markerad som klar." in response.text
    # The groups' counts follow (the page's headings keep their ids).
    assert 'id="follow-ups-week-count" class="count" hx-swap-oob="true">(0)<' in response.text
    assert reload(session, activity).follow_up_done_at is not None
    history = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "activity", AuditEvent.entity_id == activity.id
        )
    ).all()
    assert history[-1].changes == {"follow_up_done": [False, True]}
    assert history[-1].user_id == bo.id
    assert f"follow-up-{activity.id}" not in follow_ups_on(client)
    session.refresh(company)
    assert company.next_follow_up_on is None


def test_klar_with_a_plain_form_goes_back_to_min_dag(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, TODAY)
    response = post(client, f"/today/follow-ups/{activity.id}/done")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = client.get("/").text
    assert "Återkopplingen är markerad som klar." in page
    assert f"follow-up-{activity.id}" not in page
    assert reload(session, activity).follow_up_done_at is not None


# --- flytta till… -----------------------------------------------------------------------


def test_move_to_tomorrow_with_htmx_removes_the_row(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, dt.date(2026, 2, 27))
    response = post(
        client,
        f"/today/follow-ups/{activity.id}/move",
        {"follow_up": "tomorrow", "follow_up_on": ""},
        headers=HTMX,
    )
    assert response.status_code == 200, response.text
    assert "<li" not in response.text
    assert "Återkopplingen är flyttad till 2026-03-03." in response.text
    moved = reload(session, activity)
    assert (moved.follow_up_on, moved.follow_up_done_at) == (dt.date(2026, 3, 3), None)
    history = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "activity", AuditEvent.entity_id == activity.id
        )
    ).all()
    assert history[-1].changes == {"follow_up_on": ["2026-02-27", "2026-03-03"]}
    session.refresh(company)
    assert company.next_follow_up_on == dt.date(2026, 3, 3)
    assert f"follow-up-{activity.id}" not in follow_ups_on(client)
    clock.advance(dt.timedelta(days=1))
    client.login("bo", PASSWORD)  # the session has timed out overnight
    assert f"follow-up-{activity.id}" in follow_ups_on(client)


def test_move_to_next_week_or_to_a_date_with_a_plain_form(client, session, clock, bo, company):
    # On Wednesday 4 March, "Nästa vecka" is Monday 9 March.
    activity = follow_up(session, clock, company, bo, dt.date(2026, 3, 4))
    clock.set(START + dt.timedelta(days=2))
    client.login("bo", PASSWORD)
    html = follow_ups_on(client)
    assert 'name="follow_up" value="next_week"' in row(html, activity)
    assert ">Nästa vecka<span" in row(html, activity)
    response = post(client, f"/today/follow-ups/{activity.id}/move", {"follow_up": "next_week"})
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert reload(session, activity).follow_up_on == dt.date(2026, 3, 9)
    assert "Återkopplingen är flyttad till 2026-03-09." in client.get("/").text
    clock.set(START)
    client.login("bo", PASSWORD)

    other = follow_up(session, clock, company, bo, TODAY)
    response = post(client, f"/today/follow-ups/{other.id}/move", {"follow_up_on": "2026-04-01"})
    assert response.status_code == 303
    assert reload(session, other).follow_up_on == dt.date(2026, 4, 1)


def test_an_overdue_follow_up_moved_to_today_joins_todays_group(
    client, session, clock, bo, company
):
    activity = follow_up(session, clock, company, bo, dt.date(2026, 2, 25))
    response = post(
        client,
        f"/today/follow-ups/{activity.id}/move",
        {"follow_up_on": "2026-03-02"},
        headers=HTMX,
    )
    assert response.status_code == 200
    # Nothing in its old place; the row is added to today's list, no longer overdue.
    added = '<ul hx-swap-oob="beforeend:#follow-ups-today-list">'
    assert response.text.lstrip().startswith(added)
    assert "Försenad" not in response.text and "<strong>I dag</strong>" in response.text
    assert '<p id="follow-ups-today-empty" hx-swap-oob="true" hidden></p>' in response.text
    assert 'id="follow-ups-today-count" class="count" hx-swap-oob="true">(1)<' in response.text
    assert 'id="follow-ups-week-count" class="count" hx-swap-oob="true">(0)<' in response.text
    assert "Återkopplingen är flyttad till 2026-03-02." in response.text
    html = follow_ups_on(client)
    assert "Försenad" not in row(html, activity)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"follow_up_on": "2026-03-01"}, "Datumet för återkoppling har redan passerat."),
        ({"follow_up_on": ""}, "Välj ett nytt datum för återkopplingen."),
        ({"follow_up_on": "april"}, "Återkoppling: datumet går inte att läsa."),
        ({"follow_up_on": "32/1"}, "Återkoppling: datumet 32/1 finns inte."),
    ],
)
def test_a_refused_move_shows_why_in_the_row(client, session, clock, bo, company, data, message):
    activity = follow_up(session, clock, company, bo, TODAY)
    path = f"/today/follow-ups/{activity.id}/move"
    response = post(client, path, data, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<li id="follow-up-{activity.id}"')
    assert message in response.text and 'aria-invalid="true"' in response.text
    # Without JavaScript: back to Min dag, the reason in the notice.
    response = post(client, path, data)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    page = client.get("/").text
    assert message in page and "flash-error" in page
    assert reload(session, activity).follow_up_on == TODAY


def test_a_follow_up_already_done_cannot_be_moved(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, TODAY)
    assert post(client, f"/today/follow-ups/{activity.id}/done").status_code == 303
    response = post(
        client, f"/today/follow-ups/{activity.id}/move", {"follow_up": "week"}, headers=HTMX
    )
    assert response.status_code == 409
    assert "Återkopplingen är redan klar." in response.text
    assert 'action="/today/follow-ups' not in response.text  # no buttons on a done one
    assert reload(session, activity).follow_up_on == TODAY


# --- who may ----------------------------------------------------------------------------


def test_only_the_author_the_owner_or_an_admin_may_klar_or_move(
    client, session, clock, bo, cia, company
):
    make_user(session, clock, role="admin", username="ada")
    make_user(session, clock, role="broker", username="dan")
    # Written by Cia on Bo's company: Cia (author), Bo (owner) and Ada (admin) may.
    written = [follow_up(session, clock, company, cia, TODAY) for _ in range(4)]

    client.login("dan", PASSWORD)
    for path in ("done", "move"):
        response = post(client, f"/today/follow-ups/{written[0].id}/{path}", {"follow_up": "week"})
        assert response.status_code == 403
        response = post(
            client,
            f"/today/follow-ups/{written[0].id}/{path}",
            {"follow_up": "week"},
            headers=HTMX,
        )
        assert response.status_code == 403
    untouched = reload(session, written[0])
    assert (untouched.follow_up_on, untouched.follow_up_done_at) == (TODAY, None)

    for activity, username in zip(written[1:], ("bo", "cia", "ada"), strict=True):
        client.login(username, PASSWORD)
        response = post(client, f"/today/follow-ups/{activity.id}/done", headers=HTMX)
        assert response.status_code == 200, username
        assert reload(session, activity).follow_up_done_at is not None
    client.login("dan", PASSWORD)  # none of it is on Dan's own day
    assert "Inga återkopplingar i dag." in follow_ups_on(client)


def test_a_viewer_sees_the_team_read_only(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, TODAY, notes="Ring Åsa")
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    html = follow_ups_on(client)
    assert "Ring Åsa" in row(html, activity)
    assert "/today/follow-ups/" not in html
    page = client.get("/").text
    assert 'value="team" selected' in page and ">Mig själv<" not in page
    response = post(client, f"/today/follow-ups/{activity.id}/done")
    assert response.status_code == 403
    assert reload(session, activity).follow_up_done_at is None


def test_buttons_only_where_they_may_be_used(client, session, clock, bo, cia, company):
    # Bo wrote it on Cia's company: on the admin's team view Ada gets buttons; Bo's own
    # day has them too; the broker Cia's day shows it (she owns the company) with buttons.
    activity = follow_up(session, clock, owned_by(session, clock, cia, "Cias AB"), bo, TODAY)
    assert "/done" in row(follow_ups_on(client), activity)
    client.login("cia", PASSWORD)
    assert "/done" in row(follow_ups_on(client), activity)


# --- admin: visa för --------------------------------------------------------------------


def test_an_admin_switches_to_a_brokers_day_or_the_teams(client, session, clock, bo, cia, company):
    bos = follow_up(session, clock, company, bo, TODAY, notes="Bos samtal")
    cias = follow_up(
        session, clock, owned_by(session, clock, cia, "Cias AB"), cia, TODAY, notes="Cias samtal"
    )
    make_user(session, clock, role="admin", username="ada", full_name="Ada Admin")
    make_user(
        session, clock, role="broker", username="old", full_name="Olle Slutat", is_active=False
    )
    client.login("ada", PASSWORD)

    page = client.get("/").text
    assert "<h1>Min dag</h1>" in page and "Inga återkopplingar i dag." in page
    switch = page[page.index('<form method="get" action="/"') :]
    switch = switch[: switch.index("</form>")]
    assert 'label for="view-user">Visa för<' in switch
    assert '<option value="" selected>Mig själv</option>' in switch
    assert '<option value="team">Hela teamet</option>' in switch
    assert f'<option value="{bo.id}">Bo Ek</option>' in switch
    assert "Olle Slutat" not in switch and "Ada Admin" not in switch

    page = client.get(f"/?user={bo.id}").text
    assert "<h1>Dagen för Bo Ek</h1>" in page
    html = section(page, "follow-ups")
    assert "Bos samtal" in html and "Cias samtal" not in html
    assert f'<option value="{bo.id}" selected>' in page
    # The admin may mark it done from there, and comes back to the same view.
    assert f'name="view" value="{bo.id}"' in row(html, bos)
    response = post(client, f"/today/follow-ups/{bos.id}/done", {"view": str(bo.id)})
    assert response.headers["location"] == f"/?user={bo.id}"

    html = follow_ups_on(client, "/?user=team")
    assert "Cias samtal" in html and "ansvarig: Cia Lind" in row(html, cias)
    assert "<h1>Teamets dag</h1>" in client.get("/?user=team").text

    # The switch answers htmx with the day alone.
    response = client.get("/?user=team", headers=HTMX)
    assert response.text.lstrip().startswith('<div id="day">') and "<nav" not in response.text

    assert client.get("/?user=999999").status_code == 404
    assert client.get("/?user=nobody").status_code == 404


def test_a_broker_sees_only_their_own_day(client, session, clock, bo, cia):
    assert client.get(f"/?user={bo.id}").status_code == 200
    assert 'id="view-user"' not in client.get("/").text
    assert client.get(f"/?user={cia.id}").status_code == 403
    assert client.get("/?user=team").status_code == 403


def test_a_made_up_view_is_not_followed_after_a_form(client, session, clock, bo, company):
    activity = follow_up(session, clock, company, bo, TODAY)
    response = post(client, f"/today/follow-ups/{activity.id}/done", {"view": "//evil.example"})
    assert response.headers["location"] == "/"


# --- not contacted ----------------------------------------------------------------------


def test_my_companies_not_contacted_for_90_days(client, session, clock, bo, cia):
    never = owned_by(session, clock, bo, "Aldrig Kontaktad AB")
    long_ago = owned_by(session, clock, bo, "Länge Sedan AB")
    logged_days_ago(session, clock, long_ago, bo, 120, kind="call")
    recent = owned_by(session, clock, bo, "Nyss Ringd AB")
    logged_days_ago(session, clock, recent, bo, 30, kind="meeting")
    only_notes = owned_by(session, clock, bo, "Bara Anteckning AB")
    make_activity(session, clock, only_notes, bo, kind="note")  # a note is no contact
    theirs = owned_by(session, clock, cia, "Cias Tysta AB")

    html = section(client.get("/").text, "not-contacted")
    assert "Ej kontaktade på 90 dagar" in html
    for shown in (never, long_ago, only_notes):
        assert f'<a href="/companies/{shown.id}">' in html
    assert f"/companies/{recent.id}" not in html and f"/companies/{theirs.id}" not in html
    assert "aldrig kontaktad" in html and "senast kontaktad 2025-11-02" in html
    assert html.index("Länge Sedan AB") > html.index("Aldrig Kontaktad AB")
    assert "Visa alla" not in html


def test_at_most_20_quiet_companies_and_a_link_to_all(client, session, clock, bo):
    for number in range(21):
        owned_by(session, clock, bo, f"Tyst {number:02d} AB")
    html = section(client.get("/").text, "not-contacted")
    assert html.count('<a href="/companies/') == 20
    link = re.search(r'<a href="(/companies\?[^"]+)">Visa alla', html)
    assert link
    url = link.group(1).replace("&amp;", "&")
    assert url == "/companies?owner=me&not_contacted=90&sort=last_contact"
    listed = client.get(url).text
    assert "Tyst 00 AB" in listed and "Tyst 20 AB" in listed


# --- colleagues' activities -------------------------------------------------------------


def test_colleagues_latest_activities_on_my_companies(client, session, clock, bo, cia, company):
    make_activity(session, clock, company, cia, notes="Cia ringde Bos företag")
    make_activity(session, clock, company, bo, notes="Bo ringde själv")
    logged_days_ago(session, clock, company, cia, 15, notes="Cia för länge sedan")
    make_activity(
        session, clock, owned_by(session, clock, cia, "Cias AB"), cia, notes="Cia på sitt eget"
    )
    html = section(client.get("/").text, "colleagues")
    assert "Kollegors senaste kontakthändelser på mina företag" in html
    assert "Cia ringde Bos företag" in html and "Cia Lind" in html
    for hidden in ("Bo ringde själv", "Cia för länge sedan", "Cia på sitt eget"):
        assert hidden not in html


def test_at_most_20_colleague_activities_newest_first(client, session, clock, bo, cia, company):
    for number in range(22):
        clock.advance(dt.timedelta(minutes=1))
        make_activity(session, clock, company, cia, notes=f"Samtal {number:02d}")
    html = section(client.get("/").text, "colleagues")
    assert html.count("<li>") == 20
    assert html.index("Samtal 21") < html.index("Samtal 02")
    assert "Samtal 01" not in html and "Samtal 00" not in html


# --- cost -------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["own", "team"])
def test_min_dag_costs_the_same_statements_as_data_grows(
    client, session, clock, engine, bo, cia, view
):
    make_user(session, clock, role="admin", username="ada")
    path = "/" if view == "own" else "/?user=team"
    if view == "team":
        client.login("ada", PASSWORD)

    def add(count):
        for number in range(count):
            mine = owned_by(session, clock, bo, f"Bo {number} AB")
            follow_up(
                session, clock, mine, cia, dt.date(2026, 2, 20) + dt.timedelta(days=number % 10)
            )
            make_activity(session, clock, mine, cia, notes="Cia ringde")
            logged_days_ago(session, clock, owned_by(session, clock, bo, f"Tyst {number}"), bo, 100)
            ending_agreement(session, clock, mine, bo, days=number % 30)
            placement_due(session, clock, mine, bo)

    def page():
        response = client.get(path)
        assert response.status_code == 200
        assert "Cia ringde" in response.text

    add(2)
    few = statements.count(engine, page)
    add(25)
    many = statements.count(engine, page)
    assert few == many, (few, many)
    # Session and user, (the switch's choices,) the follow-ups' counts and their rows, one
    # per other section.
    assert many <= {"own": 12, "team": 13}[view], many


@pytest.mark.parametrize("team", [False, True], ids=["mine", "team"])
def test_quiet_companies_are_read_in_order_from_an_index_on_postgresql(session, clock, bo, team):
    """Never contacted first, then the longest silence: PostgreSQL's indexes keep NULL
    last, so without one that keeps it first it read all of a broker's quiet companies and
    sorted them (14 ms for 2,400 on the benchmark data; 0.2 ms read in order)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's ascending index has NULL first already")
    from sqlalchemy import text

    from app.today import service as my_day

    view = my_day.View(user=None if team else bo, own=not team)
    with statements.with_parameters(session.get_bind()) as seen:
        my_day.not_contacted(view, session=session, clock=clock)
    # (Besides it, the test's user read again after the fixture's commit.)
    [(statement, params)] = [(sql, p) for sql, p in seen if "ORDER BY company.last" in sql]
    connection = session.connection()
    connection.execute(text("SET LOCAL enable_sort = off"))
    plan = "\n".join(
        row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", params).all()
    )
    assert "Sort" not in plan, plan
