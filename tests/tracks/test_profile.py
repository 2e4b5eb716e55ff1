"""The kompetensprofil over HTTP and through its service: the first save makes it, a later
one changes it, an edit conflict shows what was saved meanwhile, the printable page for
the employer, refusals shown in place, and who may do what."""

from __future__ import annotations

import re

import pytest

from app.errors import ValidationFailed
from app.templating import env
from app.tracks import profile as profiles
from app.tracks.models import CompetenceProfile, JobTrackCompany
from app.tracks.profile import EditConflict, ProfileForm
from tests.factories import PASSWORD, make_company, make_track, make_user

HTMX = {"HX-Request": "true"}


@pytest.fixture
def track(session, clock, bo):
    return make_track(session, clock, coordinator=bo, name="Vård i Ängelholm")


def history_of(session, track):
    from app.history import service as history

    return history.for_record("job_track", track.id, session=session)


def test_the_first_save_makes_the_profile_and_a_later_one_changes_it(
    client, session, clock, bo, track
):
    form = client.get(f"/tracks/{track.id}/profile/edit")
    assert form.status_code == 200
    # A new profile starts from the track's occupation, without a version.
    assert re.search(
        r'<input id="occupation" name="occupation" type="text" value="Undersköterska"', form.text
    )
    assert 'name="version"' not in form.text
    assert '<label for="licences">Körkort och certifikat</label>' in form.text
    response = client.post_form(
        f"/tracks/{track.id}/profile",
        {
            "occupation": "Undersköterska",
            "tasks": "Omvårdnad\r\nDokumentation",
            "licences": "B-körkort",
            "language_level": "Svenska B1",
            "employer_offers": "Handledare första månaden",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/tracks/{track.id}#profile"
    profile = session.get(CompetenceProfile, track.id)
    assert (profile.tasks, profile.licences, profile.version) == (
        "Omvårdnad\nDokumentation",
        "B-körkort",
        1,
    )
    edit = client.get(f"/tracks/{track.id}/profile/edit").text
    assert '<input type="hidden" name="version" value="1">' in edit
    response = client.post_form(
        f"/tracks/{track.id}/profile",
        {
            "occupation": "Undersköterska",
            "tasks": "Omvårdnad\nDokumentation",
            "licences": "B-körkort, truckkort",
            "language_level": "Svenska B1",
            "employer_offers": "Handledare första månaden",
            "version": "1",
        },
    )
    assert response.status_code == 303
    session.refresh(profile)
    assert (profile.licences, profile.version) == ("B-körkort, truckkort", 2)
    entries = history_of(session, track)
    assert [e.event.action for e in entries] == ["update", "create"]
    assert entries[0].event.changes == {"licences": ["B-körkort", "B-körkort, truckkort"]}
    assert entries[1].event.changes["profile_occupation"] == [None, "Undersköterska"]
    # Parts of a track are recorded without the track's version: its own form's edit
    # conflicts must not list them.
    assert {e.event.version for e in entries} == {None}


def test_the_section_shows_the_profile_and_links_to_edit_and_print(
    client, session, clock, bo, track
):
    def section(user):
        context = {
            "track": track,
            **profiles.section(track, session=session, clock=clock, user=user),
        }
        return env.get_template("tracks/_profile.html").render(context)

    empty = section(bo)
    assert "Ingen kompetensprofil ännu" in empty
    assert f'href="/tracks/{track.id}/profile/edit"' in empty
    profiles.save(
        track,
        ProfileForm(occupation="Undersköterska", physical_demands="Tunga lyft"),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    shown = section(bo)
    assert '<dt>Fysiska krav</dt><dd class="profile-text">Tunga lyft</dd>' in shown
    assert "Arbetsuppgifter" not in shown  # an empty heading is left out
    assert f'href="/tracks/{track.id}/profile/print"' in shown
    viewer = make_user(session, clock, role="viewer")
    read_only = section(viewer)
    assert "/profile/edit" not in read_only
    assert f'href="/tracks/{track.id}/profile/print"' in read_only


def test_an_edit_conflict_shows_what_was_saved_and_keeps_what_was_typed(
    client, session, clock, bo, track
):
    profiles.save(
        track,
        ProfileForm(occupation="Undersköterska", tasks="Omvårdnad"),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    other = make_user(session, clock, full_name="Per Ek")
    profiles.save(
        track,
        ProfileForm(
            occupation="Undersköterska", tasks="Omvårdnad", working_hours="Treskift", version=1
        ),
        user=other,
        session=session,
        clock=clock,
    )
    session.commit()
    # Bo saves from version 1: he changed the tasks, Per the working hours.
    response = client.post_form(
        f"/tracks/{track.id}/profile",
        {"occupation": "Undersköterska", "tasks": "Omvårdnad och städ", "version": "1"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert response.text.lstrip().startswith('<form id="profile-form"')
    assert "Någon annan har ändrat kompetensprofilen" in response.text
    assert "Per Ek" in response.text and "<ins>Treskift</ins>" in response.text
    # Bo's change is kept, Per's taken in where Bo left the field as it was.
    assert "Omvårdnad och städ</textarea>" in response.text
    assert re.search(r'id="working_hours"[^>]*value="Treskift"', response.text)
    assert '<input type="hidden" name="version" value="2">' in response.text
    assert session.get(CompetenceProfile, track.id).tasks == "Omvårdnad"


def test_a_profile_made_meanwhile_is_a_conflict_not_a_second_one(session, clock, bo, track):
    profiles.save(track, ProfileForm(tasks="Omvårdnad"), user=bo, session=session, clock=clock)
    session.commit()
    with pytest.raises(EditConflict) as raised:
        profiles.save(track, ProfileForm(tasks="Städ"), user=bo, session=session, clock=clock)
    assert [e.event.changes["tasks"] for e in raised.value.changes] == [[None, "Omvårdnad"]]


def test_a_refused_profile_is_shown_again_with_what_was_typed(client, session, clock, bo, track):
    long = "x" * 201
    response = client.post_form(
        f"/tracks/{track.id}/profile",
        {"working_hours": long, "tasks": "Omvårdnad"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="profile-form"')
    assert re.search(r'<input id="working_hours"[^>]*aria-invalid="true"', response.text)
    assert "Texten är för lång (högst 200 tecken)." in response.text
    assert "Omvårdnad</textarea>" in response.text
    assert session.get(CompetenceProfile, track.id) is None
    empty = client.post_form(f"/tracks/{track.id}/profile", {"occupation": " "})
    assert empty.status_code == 422
    assert "Fyll i något i kompetensprofilen innan du sparar." in empty.text
    assert "<title>Kompetensprofil: Vård i Ängelholm – Matcha</title>" in empty.text  # the page


def test_the_print_page_has_the_track_its_employers_and_the_profile(
    client, session, clock, bo, track
):
    for name in ("Vårdbolaget AB", "Ängelholms kommun"):
        employer = make_company(session, clock, user=bo, name=name)
        session.add(
            JobTrackCompany(track_id=track.id, company_id=employer.id, created_at=clock.now())
        )
    session.commit()
    empty = client.get(f"/tracks/{track.id}/profile/print")
    assert empty.status_code == 200
    assert "Kompetensprofilen är inte ifylld ännu." in empty.text
    profiles.save(
        track,
        ProfileForm(
            occupation="Undersköterska inom hemtjänst",
            required_competences="Vård- och omsorgsutbildning",
            licences="B-körkort",
            employer_offers="Handledare",
        ),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    page = client.get(f"/tracks/{track.id}/profile/print").text
    assert "<h1>Kompetensprofil: Vård i Ängelholm</h1>" in page
    assert "<dd>Vårdbolaget AB, Ängelholms kommun</dd>" in page
    assert "<dd>Undersköterska inom hemtjänst</dd>" in page
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings[:2] == ["Arbetsuppgifter", "Krav på kompetens"]
    assert "Arbetsgivaren erbjuder" in headings
    assert '<p class="profile-text">B-körkort</p>' in page
    # A page of its own: the print style, no menu or forms.
    assert "/static/print.css" in page and "<nav" not in page and "<form" not in page


def test_a_viewer_reads_the_print_page_but_cannot_edit(client, session, clock, track):
    make_user(session, clock, role="viewer", username="vera")
    client.post_form("/logout")
    client.login("vera", PASSWORD)
    assert client.get(f"/tracks/{track.id}/profile/print").status_code == 200
    assert client.get(f"/tracks/{track.id}/profile/edit").status_code == 403
    response = client.post_form(f"/tracks/{track.id}/profile", {"tasks": "Städ"})
    assert response.status_code == 403
    assert session.get(CompetenceProfile, track.id) is None
    with pytest.raises(Exception, match="jobbmäklare"):
        profiles.save(
            track,
            ProfileForm(tasks="Städ"),
            user=make_user(session, clock, role="viewer"),
            session=session,
            clock=clock,
        )


def test_a_missing_track_is_not_found(client, bo):
    assert client.get("/tracks/999999/profile/edit").status_code == 404
    assert client.get("/tracks/999999/profile/print").status_code == 404


def test_texts_are_cleaned(session, clock, bo, track):
    with pytest.raises(ValidationFailed):
        profiles.save(
            track, ProfileForm(occupation="y" * 201), user=bo, session=session, clock=clock
        )
    saved = profiles.save(
        track,
        ProfileForm(occupation="  Kock   i kök ", tasks=" Laga mat \r\n"),
        user=bo,
        session=session,
        clock=clock,
    )
    assert (saved.occupation, saved.tasks) == ("Kock i kök", "Laga mat")
