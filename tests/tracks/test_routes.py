"""Job track pages over HTTP: the list, new and edit with conflicts, the page with its
phases and status buttons, employers and contact persons, delete, history, the company
page's section, refusals shown in place and who may do what."""

from __future__ import annotations

import re

from sqlmodel import select

from app.companies.models import CompanyKind
from app.contacts import service as contacts
from app.tracks.models import JobTrack, JobTrackCompany, JobTrackContact, TrackStatus
from tests.factories import PASSWORD, make_company, make_track, make_user

HTMX = {"HX-Request": "true"}


def new_track_form(coordinator, **typed):
    return {
        "name": "Undersköterska Norrtälje",
        "occupation": "Undersköterska",
        "municipality": "Norrtälje",
        "places": "12",
        "coordinator_id": str(coordinator.id),
        "planning_starts_on": "2026-04-01",
        "recruitment_starts_on": "2026-05-01",
        "execution_starts_on": "2026-06-01",
        "closing_starts_on": "2026-11-01",
        "ends_on": "2026-12-15",
        **typed,
    }


def make_contact(session, clock, company, user, name):
    contact = contacts.create(
        company, contacts.ContactForm(name=name), user=user, session=session, clock=clock
    )
    session.commit()
    return contact


def make_partner(session, clock, user, name):
    partner = make_company(session, clock, user=user, name=name)
    partner.kind = CompanyKind.partner
    session.add(partner)
    session.commit()
    return partner


def section(html, section_id):
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


# --- new and edit -------------------------------------------------------------------------


def test_a_new_track_is_saved_and_shown_with_its_phases(client, session, bo):
    form = client.get("/tracks/new")
    assert form.status_code == 200
    assert f'<option value="{bo.id}" selected>' in form.text  # the broker coordinates it
    response = client.post(
        "/tracks", data={**new_track_form(bo), "csrf_token": client.csrf_token("/account")}
    )
    assert response.status_code == 303
    track = session.exec(select(JobTrack)).one()
    assert response.headers["location"] == f"/tracks/{track.id}"
    page = client.get(f"/tracks/{track.id}").text
    assert "Undersköterska Norrtälje" in page
    phases = section(page, "status")
    assert re.search(r'class="current" aria-current="step">\s*<strong>Planering', phases)
    assert "2026-04-01 – 2026-05-01" in phases
    assert "Till nästa fas: rekrytering" in phases
    history = section(page, "history")
    assert "skapade" in history and "Planerade platser" in history


def test_a_refused_track_shows_the_message_at_the_field_and_keeps_what_was_typed(
    client, session, bo
):
    data = new_track_form(bo, execution_starts_on="2026-04-15", description="Vård och omsorg")
    response = client.post(
        "/tracks", data={**data, "csrf_token": client.csrf_token("/account")}, headers=HTMX
    )
    assert response.status_code == 422
    assert 'id="execution_starts_on-error" class="field-error"' in response.text
    assert "kan inte vara före rekryteringens start, 2026-05-01" in response.text
    assert "Vård och omsorg" in response.text
    assert session.exec(select(JobTrack)).first() is None


def test_a_track_needs_places_and_a_coordinator(client, session, bo):
    for typed, message in (
        ({"places": ""}, "Ange hur många platser"),
        ({"places": "0"}, "minst 1"),
        ({"coordinator_id": ""}, "Välj vem som samordnar jobbspåret."),
    ):
        data = {**new_track_form(bo, **typed), "csrf_token": client.csrf_token("/account")}
        response = client.post("/tracks", data=data, headers=HTMX)
        assert response.status_code == 422, typed
        assert message in response.text
    assert session.exec(select(JobTrack)).first() is None


def test_an_edit_conflict_shows_what_the_other_saved_and_keeps_the_rest(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo, name="Lager Nord")
    form = client.get(f"/tracks/{track.id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    typed = {
        "name": "Lager Nord",
        "occupation": "Lagerarbetare",
        "places": "12",
        "coordinator_id": str(bo.id),
        "version": version,
        "csrf_token": client.csrf_token("/account"),
    }
    assert client.post(f"/tracks/{track.id}", data={**typed, "places": "15"}).status_code == 303
    response = client.post(f"/tracks/{track.id}", data={**typed, "name": "Lager Syd"})
    assert response.status_code == 409
    assert "Någon annan har ändrat jobbspåret" in response.text
    assert 'value="15"' in response.text  # the other's change taken in
    assert 'value="Lager Syd"' in response.text  # what this user typed kept
    session.refresh(track)
    assert (track.name, track.places) == ("Lager Nord", 15)


# --- status -------------------------------------------------------------------------------


def test_the_status_goes_to_the_next_phase_and_a_stale_button_is_refused(
    client, session, clock, bo
):
    track = make_track(session, clock, coordinator=bo)
    data = {
        "status": "recruitment",
        "from_status": "planning",
        "csrf_token": client.csrf_token("/account"),
    }
    assert client.post(f"/tracks/{track.id}/status", data=data).status_code == 303
    session.refresh(track)
    assert track.status == TrackStatus.recruitment
    again = client.post(f"/tracks/{track.id}/status", data=data)
    assert again.status_code == 409
    assert "redan ändrat jobbspårets status till Rekrytering" in section(again.text, "status")


def test_only_the_coordinator_or_an_admin_cancels(client, session, clock, bo):
    other = make_user(session, clock, role="broker")
    track = make_track(session, clock, coordinator=other)
    page = client.get(f"/tracks/{track.id}").text
    assert "Avbryt jobbspåret" not in page
    data = {"status": "cancelled", "csrf_token": client.csrf_token("/account")}
    assert client.post(f"/tracks/{track.id}/status", data=data).status_code == 403
    session.refresh(track)
    assert track.status == TrackStatus.planning


# --- employers and contact persons --------------------------------------------------------


def test_employers_with_their_contacts_and_partners_contacts_are_added_and_removed(
    client, session, clock, bo, company
):
    track = make_track(session, clock, coordinator=bo)
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    partner = make_partner(session, clock, bo, "Arbetsförmedlingen Norrtälje")
    handläggare = make_contact(session, clock, partner, bo, "Sara Lind")
    found = client.get(f"/tracks/{track.id}/companies/new", params={"q": "Ängelholms"})
    assert "Ängelholms Bygg AB" in found.text
    url = f"/tracks/{track.id}"
    added = client.post(
        f"{url}/companies",
        data={"company_id": company.id, "csrf_token": client.csrf_token("/account")},
    )
    assert added.status_code == 303
    for contact in (anna, handläggare):
        data = {"contact_id": contact.id, "csrf_token": client.csrf_token("/account")}
        assert client.post(f"{url}/contacts", data=data).status_code == 303
    page = client.get(url).text
    assert "Anna Berg" in section(page, "employers")
    assert "Sara Lind" in section(page, "people")
    assert "Arbetsförmedlingen Norrtälje" in section(page, "people")
    # A samverkanspart is not an employer.
    refused = client.post(
        f"{url}/companies",
        data={"company_id": partner.id, "csrf_token": client.csrf_token("/account")},
    )
    assert refused.status_code == 422
    assert "är en samverkanspart, inte en arbetsgivare" in section(refused.text, "employers")
    # Removing the employer takes its contact persons off the track with it.
    removed = client.post(
        f"{url}/companies/{company.id}/delete", data={"csrf_token": client.csrf_token("/account")}
    )
    assert removed.status_code == 303
    assert session.exec(select(JobTrackCompany)).first() is None
    assert [link.contact_id for link in session.exec(select(JobTrackContact))] == [handläggare.id]
    history = section(client.get(url).text, "history")
    assert "Arbetsgivare" in history and "Ängelholms Bygg AB" in history


def test_a_contact_at_a_company_not_on_the_track_is_refused(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo)
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    data = {"contact_id": anna.id, "csrf_token": client.csrf_token("/account")}
    response = client.post(f"/tracks/{track.id}/contacts", data=data)
    assert response.status_code == 422
    assert "hos jobbspårets arbetsgivare eller hos en samverkanspart" in response.text
    assert session.exec(select(JobTrackContact)).first() is None


def test_the_company_page_lists_its_tracks(client, session, clock, bo, company):
    track = make_track(session, clock, coordinator=bo, name="Bygg Syd")
    other = make_track(session, clock, coordinator=bo, name="Bygg Nord")
    client.post(
        f"/tracks/{track.id}/companies",
        data={"company_id": company.id, "csrf_token": client.csrf_token("/account")},
    )
    page = section(client.get(f"/companies/{company.id}").text, "tracks")
    assert f'href="/tracks/{track.id}">Bygg Syd</a>' in page
    assert "Bygg Nord" not in page
    assert other.id


# --- delete and viewers -------------------------------------------------------------------


def test_a_track_with_results_is_not_deleted(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo, started=8)
    response = client.post(
        f"/tracks/{track.id}/delete", data={"csrf_token": client.csrf_token("/account")}
    )
    assert response.status_code == 409
    assert "Avbryt det i stället." in section(response.text, "delete")
    assert session.get(JobTrack, track.id) is not None
    track.started = None
    session.add(track)
    session.commit()
    response = client.post(
        f"/tracks/{track.id}/delete", data={"csrf_token": client.csrf_token("/account")}
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(JobTrack, track.id) is None


def test_a_viewer_reads_but_changes_nothing(client, session, clock):
    make_user(session, clock, role="viewer", username="vera")
    track = make_track(session, clock)
    client.login("vera", PASSWORD)
    page = client.get(f"/tracks/{track.id}").text
    assert "Redigera" not in page and "Till nästa fas" not in page
    assert client.get("/tracks").status_code == 200
    data = {"status": "recruitment", "csrf_token": client.csrf_token("/account")}
    assert client.post(f"/tracks/{track.id}/status", data=data).status_code == 403
    assert client.get(f"/tracks/{track.id}/edit").status_code == 403
