"""Min dag's overdue checklist items: mine (or the team's), not done, of events not
cancelled, the longest overdue first, at a constant number of statements."""

import datetime as dt

from app.events.models import EventStatus, EventTask, Phase, RecruitmentEvent
from tests import statements
from tests.conftest import START
from tests.factories import PASSWORD, make_user
from tests.today.test_routes import section


def event(session, owner, title="Träff i Kumla", status=EventStatus.planning):
    starts = START + dt.timedelta(days=20)
    row = RecruitmentEvent(
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        owner_id=owner.id,
        status=status,
        created_at=START,
        updated_at=START,
    )
    session.add(row)
    session.flush()
    return row


def task(session, of, assignee, title, due_on, *, done=False):
    row = EventTask(
        event_id=of.id,
        phase=Phase.planning,
        title=title,
        due_on=due_on,
        assignee_id=assignee.id if assignee else None,
        done_at=START if done else None,
        created_at=START,
        updated_at=START,
    )
    session.add(row)
    session.flush()
    return row


def test_my_overdue_checklist_items_oldest_first(client, session, bo, cia):
    kumla = event(session, bo)
    task(session, kumla, bo, "Boka lokal", dt.date(2026, 2, 25))
    task(session, kumla, bo, "Bjud in företag", dt.date(2026, 2, 20))
    task(session, kumla, bo, "Idag", dt.date(2026, 3, 2))  # due today: not late yet
    task(session, kumla, bo, "Klar redan", dt.date(2026, 2, 1), done=True)
    task(session, kumla, cia, "Cias punkt", dt.date(2026, 2, 1))
    cancelled = event(session, bo, title="Inställd träff", status=EventStatus.cancelled)
    task(session, cancelled, bo, "Gäller inte längre", dt.date(2026, 2, 1))
    session.commit()

    html = section(client.get("/").text, "late-tasks")
    assert "Mina försenade punkter i checklistor" in html
    assert html.index("Bjud in företag") < html.index("Boka lokal")
    assert "Träff i Kumla" in html and "skulle vara klar 2026-02-20" in html
    assert f'href="/events/{kumla.id}#task-' in html
    for absent in ("Idag", "Klar redan", "Cias punkt", "Gäller inte längre"):
        assert absent not in html


def test_the_team_sees_everyones_with_the_assignee(client, session, clock, bo, cia):
    make_user(session, clock, role="admin", username="ada")
    task(session, event(session, cia), cia, "Cias punkt", dt.date(2026, 2, 1))
    session.commit()
    assert "Inga försenade punkter i checklistor." in section(client.get("/").text, "late-tasks")
    client.login("ada", PASSWORD)
    html = section(client.get("/?user=team").text, "late-tasks")
    assert "Försenade punkter i checklistor" in html
    assert "Cias punkt" in html and "Cia Lind" in html


def test_the_section_costs_the_same_as_data_grows(client, session, bo, engine):
    kumla = event(session, bo)

    def add(first, last):
        for number in range(first, last):
            task(session, kumla, bo, f"Punkt {number:02d}", dt.date(2026, 2, 1))
        session.commit()

    def page():
        assert client.get("/").status_code == 200

    add(0, 2)
    few = statements.count(engine, page)
    add(2, 25)
    assert statements.count(engine, page) == few
    html = section(client.get("/").text, "late-tasks")
    assert html.count("<li>") == 20 and "Visar de 20 äldsta." in html
