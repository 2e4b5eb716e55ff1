"""A track's assignments, events and agreements: offered, attached and detached on its
links page, recorded in its history, the row's own version left alone, and each row's
page linking back to the track."""

from __future__ import annotations

import re

from app.history import service as history
from app.templating import env
from app.tracks import links
from tests.agreements.factories import make_agreement
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_company, make_track, make_user
from tests.tracks.helpers import make_assignment, take_part


def shows_track(html: str, track_id: int, name: str) -> bool:
    """The page names the track, linking to the track's page where there is one."""
    return bool(re.search(rf'Jobbspår(</dt><dd>|: )(<a href="/tracks/{track_id}">)?{name}<', html))


def offered_ids(html: str, kind: str) -> list[str]:
    """The option values of the attach form of this kind, in their order."""
    form = html.split(f'id="attach-{kind}"', 1)[1].split("</form>", 1)[0]
    return [part.split('"', 1)[0] for part in form.split('<option value="')[1:] if part[0] != '"']


def test_offers_the_employers_unattached_assignments_job_track_ones_first(
    client, session, clock, bo, company
):
    track = make_track(session, clock, coordinator=bo, name="Vårdspåret")
    take_part(session, clock, track, company)
    other = make_company(session, clock, user=bo, name="Inte Med AB")
    plain = make_assignment(session, clock, company, bo, occupation="Kock")
    on_track = make_assignment(session, clock, company, bo, employment_type="job_track")
    make_assignment(session, clock, other, bo, employment_type="job_track")
    taken = make_assignment(session, clock, company, bo, occupation="Städare")
    second = make_track(session, clock, coordinator=bo)
    take_part(session, clock, second, company)
    client.post_form(f"/tracks/{second.id}/assignments", {"assignment_id": str(taken.id)})

    page = client.get(f"/tracks/{track.id}/links")
    assert page.status_code == 200
    assert offered_ids(page.text, "assignment") == [str(on_track.id), str(plain.id)]


def test_attaching_an_assignment_keeps_its_version_and_is_in_the_tracks_history(
    client, session, clock, bo, company
):
    track = make_track(session, clock, coordinator=bo, name="Vårdspåret")
    take_part(session, clock, track, company)
    assignment = make_assignment(session, clock, company, bo, occupation="Undersköterska")
    version = assignment.version

    answer = client.post_form(
        f"/tracks/{track.id}/assignments", {"assignment_id": str(assignment.id)}
    )
    assert answer.status_code == 303
    session.refresh(assignment)
    assert assignment.track_id == track.id
    assert assignment.version == version  # an open edit form of it is not stale
    [entry] = history.for_record("job_track", track.id, session=session)
    assert entry.event.changes == {"assignment": [None, "Undersköterska, Ängelholms Bygg AB"]}
    assert entry.event.version is None

    shown = client.get(f"/assignments/{assignment.id}").text
    assert shows_track(shown, track.id, "Vårdspåret")
    links = client.get(f"/tracks/{track.id}/links").text
    assert f'href="/assignments/{assignment.id}"' in links.split('id="attach-heading"')[0]

    answer = client.post_form(f"/tracks/{track.id}/assignments/{assignment.id}/detach")
    assert answer.status_code == 303
    session.refresh(assignment)
    assert assignment.track_id is None and assignment.version == version
    assert not shows_track(client.get(f"/assignments/{assignment.id}").text, track.id, "Vårdspåret")
    latest = history.for_record("job_track", track.id, session=session)[0]
    assert latest.event.changes == {"assignment": ["Undersköterska, Ängelholms Bygg AB", None]}


def test_an_assignment_of_a_company_not_on_the_track_is_refused_in_place(
    client, session, clock, bo, company
):
    track = make_track(session, clock, coordinator=bo)
    assignment = make_assignment(session, clock, company, bo)

    answer = client.post_form(
        f"/tracks/{track.id}/assignments", {"assignment_id": str(assignment.id)}
    )
    assert answer.status_code == 422
    assert "Uppdragets företag är inte med i jobbspåret." in answer.text
    session.refresh(assignment)
    assert assignment.track_id is None


def test_a_row_on_another_track_is_a_conflict_naming_that_track(
    client, session, clock, bo, company
):
    first = make_track(session, clock, coordinator=bo, name="Lagerspåret")
    second = make_track(session, clock, coordinator=bo)
    for track in (first, second):
        take_part(session, clock, track, company)
    assignment = make_assignment(session, clock, company, bo)
    client.post_form(f"/tracks/{first.id}/assignments", {"assignment_id": str(assignment.id)})

    answer = client.post_form(
        f"/tracks/{second.id}/assignments", {"assignment_id": str(assignment.id)}
    )
    assert answer.status_code == 409
    assert "Uppdraget hör redan till jobbspåret Lagerspåret." in answer.text
    session.refresh(assignment)
    assert assignment.track_id == first.id
    # Attached again to the one it is on: nothing to do, nothing recorded.
    again = client.post_form(
        f"/tracks/{first.id}/assignments", {"assignment_id": str(assignment.id)}
    )
    assert again.status_code == 303
    assert len(history.for_record("job_track", first.id, session=session)) == 1


def test_nothing_chosen_keeps_the_form_with_its_message(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo)
    take_part(session, clock, track, company)
    make_assignment(session, clock, company, bo)
    answer = client.post_form(f"/tracks/{track.id}/assignments", {"assignment_id": ""})
    assert answer.status_code == 422
    assert 'id="assignment_id-error"' in answer.text and "Välj ett uppdrag." in answer.text


def test_events_and_agreements_link_back_from_their_pages(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo, name="Bussförarspåret")
    take_part(session, clock, track, company)
    event = make_event(session, clock, bo, title="Träff för bussförare")
    agreement = make_agreement(session, clock, company, bo, kind="letter_of_intent")

    page = client.get(f"/tracks/{track.id}/links").text
    assert str(event.id) in offered_ids(page, "event")
    assert offered_ids(page, "agreement") == [str(agreement.id)]
    for path, data in [
        ("events", {"event_id": str(event.id)}),
        ("agreements", {"agreement_id": str(agreement.id)}),
    ]:
        assert client.post_form(f"/tracks/{track.id}/{path}", data).status_code == 303

    assert shows_track(client.get(f"/events/{event.id}").text, track.id, "Bussförarspåret")
    edit = client.get(f"/agreements/{agreement.id}/edit").text
    assert shows_track(edit, track.id, "Bussförarspåret")
    shown = client.get(f"/tracks/{track.id}/links").text
    assert "Träff för bussförare" in shown and "Avsiktsförklaring, Ängelholms Bygg AB" in shown


def test_detaching_a_row_not_on_the_track_is_not_found(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo)
    event = make_event(session, clock, bo)
    answer = client.post_form(f"/tracks/{track.id}/events/{event.id}/detach")
    assert answer.status_code == 404


def test_a_viewer_reads_the_links_without_the_forms(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo)
    take_part(session, clock, track, company)
    assignment = make_assignment(session, clock, company, bo)
    client.post_form(f"/tracks/{track.id}/assignments", {"assignment_id": str(assignment.id)})
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    page = client.get(f"/tracks/{track.id}/links")
    assert page.status_code == 200
    assert f'href="/assignments/{assignment.id}"' in page.text
    assert "attach-assignment" not in page.text and "/detach" not in page.text


def test_the_track_pages_section_lists_the_links_without_the_buttons(
    client, session, clock, bo, company
):
    track = make_track(session, clock, coordinator=bo)
    take_part(session, clock, track, company)
    assignment = make_assignment(session, clock, company, bo, occupation="Truckförare")
    client.post_form(f"/tracks/{track.id}/assignments", {"assignment_id": str(assignment.id)})
    context = links.section(track, session=session, clock=clock, user=bo)
    html = env.get_template("tracks/_links.html").render(
        track=track, current_user=bo, may_open=lambda path: True, csrf_token="x", **context
    )
    assert f'<a href="/assignments/{assignment.id}">Truckförare</a>' in html
    assert "/detach" not in html
    assert f'href="/tracks/{track.id}/links"' in html
