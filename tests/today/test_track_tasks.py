"""Min dag's job-track checklist items: mine (or the team's), not done, due today or
overdue, of tracks not cancelled, the longest overdue first, linking to the track; a
ticked item leaves; a constant number of statements as they grow."""

import datetime as dt

from app.tracks.models import JobTrackTask, TrackStatus
from tests import statements
from tests.conftest import START
from tests.factories import PASSWORD, make_track, make_user
from tests.today.test_routes import section


def task(session, of, assignee, title, due_on, *, done=False):
    row = JobTrackTask(
        track_id=of.id,
        title=title,
        due_on=due_on,
        assignee_id=assignee.id if assignee else None,
        done_at=START if done else None,
        created_at=START,
        updated_at=START,
    )
    session.add(row)
    session.commit()
    return row


def test_my_due_track_items_oldest_first(client, session, clock, bo, cia):
    track = make_track(session, clock, coordinator=bo, name="Vårdspåret i Kumla")
    task(session, track, bo, "Kartlägg kompetensbehovet", dt.date(2026, 2, 25))
    task(session, track, bo, "Samordna med AF", dt.date(2026, 2, 20))
    task(session, track, bo, "Planera urvalet", dt.date(2026, 3, 2))  # due today
    task(session, track, bo, "Nästa vecka", dt.date(2026, 3, 9))
    task(session, track, bo, "Utan datum", None)
    task(session, track, bo, "Klar redan", dt.date(2026, 2, 1), done=True)
    task(session, track, cia, "Cias punkt", dt.date(2026, 2, 1))
    cancelled = make_track(session, clock, coordinator=bo, status=TrackStatus.cancelled)
    task(session, cancelled, bo, "Gäller inte längre", dt.date(2026, 2, 1))

    html = section(client.get("/").text, "track-tasks")
    assert "Mina punkter i jobbspårens checklistor" in html
    assert html.index("Samordna med AF") < html.index("Kartlägg") < html.index("Planera urvalet")
    assert "Vårdspåret i Kumla" in html and "skulle vara klar 2026-02-20" in html
    today_item = html[html.index("Planera urvalet") :]
    assert "ska vara klar i dag" in today_item and "Försenad" not in today_item
    assert f'href="/tracks/{track.id}#task-' in html
    for absent in ("Nästa vecka", "Utan datum", "Klar redan", "Cias punkt", "Gäller inte"):
        assert absent not in html


def test_a_ticked_item_leaves(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo)
    item = task(session, track, bo, "Samordna med AF", dt.date(2026, 2, 20))
    assert "Samordna med AF" in section(client.get("/").text, "track-tasks")
    ticked = client.post_form(f"/tracks/{track.id}/tasks/{item.id}/done", {"done": "1"})
    assert ticked.status_code == 303
    html = section(client.get("/").text, "track-tasks")
    assert "Samordna med AF" not in html
    assert "Inga punkter i jobbspårens checklistor att göra i dag." in html


def test_the_team_sees_everyones_with_the_assignee(client, session, clock, bo, cia):
    make_user(session, clock, role="admin", username="ada")
    task(session, make_track(session, clock, coordinator=cia), cia, "Cias punkt", START.date())
    assert "Cias punkt" not in section(client.get("/").text, "track-tasks")
    client.login("ada", PASSWORD)
    html = section(client.get("/?user=team").text, "track-tasks")
    assert "Punkter i jobbspårens checklistor" in html
    assert "Cias punkt" in html and "Cia Lind" in html


def test_the_section_costs_the_same_as_data_grows(client, session, clock, bo, engine):
    def add(first, last):
        for number in range(first, last):
            track = make_track(session, clock, coordinator=bo)
            task(session, track, bo, f"Punkt {number:02d}", dt.date(2026, 2, 1))

    def page():
        assert client.get("/").status_code == 200

    add(0, 2)
    few = statements.count(engine, page)
    add(2, 25)
    assert statements.count(engine, page) == few
    html = section(client.get("/").text, "track-tasks")
    assert html.count("<li>") == 20 and "Visar de 20 äldsta." in html
