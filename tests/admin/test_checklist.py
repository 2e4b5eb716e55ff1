"""The default checklists an admin edits on one page: a new recruitment event's and a new
job track's (the coordinator's tasks per phase, days counted from the phase's start).
Each is edited apart, a refused change keeps what was typed at its own form, and what a
new track's checklist is made of follows the admin's changes."""

from __future__ import annotations

import datetime as dt

from app.events.checklist import template
from app.events.models import ChecklistFor, Phase
from app.tracks import checklist as track_checklist
from tests.admin.test_users import as_admin
from tests.factories import make_track

PAGE = "/admin/checklist"


def section(html, kind):
    start = html.index(f'<section id="checklist-{kind}"')
    return html[start : html.index("</section>", start)]


def titles(session, kind):
    return [(i.phase, i.title) for i in template(session=session, checklist=kind)]


def test_both_default_checklists_are_on_the_page_clearly_labelled(client, session, clock):
    as_admin(client, session, clock)
    page = client.get(PAGE).text
    events, tracks = section(page, "event"), section(page, "track")
    assert "Standardchecklista för träffar" in events and "Dagar från start" in events
    assert "Boka lokal eller digitalt mötesrum" in events and "Planera en ny omgång" not in events
    assert "Standardchecklista för jobbspår" in tracks and "Dagar från fasens start" in tracks
    assert "Planera en ny omgång" in tracks and "Boka lokal eller digitalt mötesrum" not in tracks
    assert 'name="checklist" value="track"' in tracks


def test_the_admin_adds_to_the_tracks_checklist_alone(client, session, clock):
    as_admin(client, session, clock)
    events_before = titles(session, ChecklistFor.event)
    response = client.post_form(
        PAGE,
        {
            "checklist": "track",
            "phase": "execution",
            "title": "Trepartssamtal med deltagare och handledare",
            "days_from_start": "30",
        },
        token_from=PAGE,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}#checklist-track"
    assert titles(session, ChecklistFor.event) == events_before
    execution = [t for p, t in titles(session, ChecklistFor.track) if p == Phase.execution]
    assert execution[-1] == "Trepartssamtal med deltagare och handledare"

    track = make_track(session, clock)
    tasks = track_checklist.from_template(track, session=session, clock=clock)
    added = next(t for t in tasks if t.title.startswith("Trepartssamtal"))
    assert added.due_on == track.execution_starts_on + dt.timedelta(days=30)


def test_a_refused_item_comes_back_at_its_own_checklist(client, session, clock):
    as_admin(client, session, clock)
    response = client.post_form(
        PAGE,
        {
            "checklist": "track",
            "phase": "closing",
            "title": "Skriv slutrapport",
            "days_from_start": "ett",
        },
        token_from=PAGE,
    )
    assert response.status_code == 422
    tracks, events = section(response.text, "track"), section(response.text, "event")
    assert "minus för dagar före fasens start" in tracks
    assert 'value="Skriv slutrapport"' in tracks
    assert 'class="form-error"' not in events and "Skriv slutrapport" not in events


def test_editing_moving_and_deleting_a_tracks_item(client, session, clock):
    as_admin(client, session, clock)
    planning = [
        i
        for i in template(session=session, checklist=ChecklistFor.track)
        if i.phase == Phase.planning
    ]
    first, second = planning[0], planning[1]
    moved = client.post_form(f"{PAGE}/{second.id}/move", {"direction": "up"}, token_from=PAGE)
    assert moved.status_code == 303
    order = [t for p, t in titles(session, ChecklistFor.track) if p == Phase.planning]
    assert order[:2] == [second.title, first.title]
    saved = client.post_form(
        f"{PAGE}/{first.id}",
        {"phase": "recruitment", "title": first.title, "days_from_start": "-7"},
        token_from=PAGE,
    )
    assert saved.status_code == 303
    session.refresh(first)
    assert (first.phase, first.days_from_start, first.checklist) == (
        Phase.recruitment,
        -7,
        ChecklistFor.track,
    )
    gone = client.post_form(f"{PAGE}/{first.id}/delete", token_from=PAGE)
    assert gone.status_code == 303 and gone.headers["location"] == f"{PAGE}#checklist-track"
    assert first.title not in [t for _, t in titles(session, ChecklistFor.track)]
