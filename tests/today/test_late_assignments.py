"""Min dag's assignments past deadline: open ones only, mine (or the team's), the longest
overdue first, at a constant number of statements."""

import datetime as dt

from tests import statements
from tests.assignments.factories import make_assignment
from tests.conftest import START
from tests.factories import PASSWORD, make_user
from tests.today.conftest import owned_by
from tests.today.test_routes import section


def late(session, clock, company, user, deadline, **fields):
    """An assignment with `deadline`, created before it (a deadline in the past may be
    refused when typed in, but time passes)."""
    clock.set(START - dt.timedelta(days=60))
    try:
        return make_assignment(
            session, clock, company, user, deadline=deadline, owner_id=user.id, **fields
        )
    finally:
        clock.set(START)


def test_my_open_assignments_past_deadline_oldest_first(client, session, clock, bo, cia):
    mine = owned_by(session, clock, bo, "Bos Bageri AB")
    late(session, clock, mine, bo, dt.date(2026, 2, 20), occupation="Bagare")
    late(session, clock, mine, bo, dt.date(2026, 2, 10), occupation="Kock")
    late(session, clock, mine, bo, dt.date(2026, 3, 2), occupation="I dag")  # not late yet
    late(
        session,
        clock,
        mine,
        bo,
        dt.date(2026, 2, 1),
        occupation="Tillsatt",
        status="filled",
        filled_count=1,
    )
    late(
        session, clock, mine, bo, dt.date(2026, 2, 1), occupation="Presenterat", status="presented"
    )
    late(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, dt.date(2026, 2, 1),
         occupation="Cias uppdrag")  # fmt: skip

    html = section(client.get("/").text, "late-assignments")
    assert "Mina uppdrag efter deadline" in html
    assert html.index("Presenterat") < html.index("Kock") < html.index("Bagare")
    assert "deadline 2026-02-10" in html and "0 av 1 tillsatta" in html
    for absent in ("I dag", "Tillsatt", "Cias uppdrag"):
        assert absent not in html


def test_the_team_sees_everyones_with_the_owner(client, session, clock, bo, cia):
    make_user(session, clock, role="admin", username="ada")
    late(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, dt.date(2026, 2, 1),
         occupation="Cias uppdrag")  # fmt: skip
    assert "Cias uppdrag" not in section(client.get("/").text, "late-assignments")
    client.login("ada", PASSWORD)
    html = section(client.get("/?user=team").text, "late-assignments")
    assert "Uppdrag efter deadline" in html and "Cias uppdrag" in html and "Cia Lind" in html


def test_a_day_without_late_assignments(client, bo):
    html = section(client.get("/").text, "late-assignments")
    assert "Inga uppdrag har passerat sin deadline." in html


def test_more_than_a_section_links_to_the_list(client, session, clock, bo, engine):
    mine = owned_by(session, clock, bo, "Bos Bageri AB")

    def add(first, last):
        for number in range(first, last):
            late(session, clock, mine, bo, dt.date(2026, 2, 1), occupation=f"Yrke {number:02d}")

    def page():
        assert client.get("/").status_code == 200

    add(0, 2)
    few = statements.count(engine, page)
    add(2, 25)
    assert statements.count(engine, page) == few
    html = section(client.get("/").text, "late-assignments")
    assert html.count("<li>") == 20
    assert 'href="/assignments?owner=me&amp;sort=deadline"' in html
