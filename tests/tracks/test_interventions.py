"""The insatspaket over HTTP and through its service: new, edit with conflicts, delete,
each on the track's history; the timeline's order, bars and gaps; moving the later
insatser with one; the providers offered; refusals shown in place; who may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.companies.models import CompanyKind
from app.history import service as history
from app.templating import env
from app.tracks import interventions, timeline
from app.tracks.interventions import EditConflict, InterventionForm
from app.tracks.models import Intervention, InterventionKind, JobTrackCompany
from tests.factories import PASSWORD, make_company, make_track, make_user

HTMX = {"HX-Request": "true"}
D = dt.date.fromisoformat


@pytest.fixture
def track(session, clock, bo):
    return make_track(session, clock, coordinator=bo, name="Lager i Umeå")


def add(session, clock, user, track, title, starts="", ends="", **fields):
    intervention = interventions.create(
        track,
        InterventionForm(title=title, starts_on=starts, ends_on=ends, **fields),
        user=user,
        session=session,
        clock=clock,
    )
    session.commit()
    return intervention


def partner(session, clock, user, name):
    company = make_company(session, clock, user=user, name=name)
    company.kind = CompanyKind.partner
    session.add(company)
    session.commit()
    return company


def employer_of(session, clock, user, track, name):
    company = make_company(session, clock, user=user, name=name)
    session.add(JobTrackCompany(track_id=track.id, company_id=company.id, created_at=clock.now()))
    session.commit()
    return company


def section(session, clock, user, track):
    context = interventions.section(track, session=session, clock=clock, user=user)
    return env.get_template("tracks/_interventions.html").render(
        {"track": track, "csrf_token": "t", **context}
    )


# --- the timeline -------------------------------------------------------------------------


def test_the_timeline_orders_by_start_and_marks_the_gaps(session, clock, bo, track):
    language = add(session, clock, bo, track, "Yrkessvenska", "2027-01-11", "2027-03-31")
    training = add(session, clock, bo, track, "Truckutbildning", "2027-01-11", "2027-02-28")
    internship = add(session, clock, bo, track, "Praktik", "2027-04-13", "2027-05-31")
    undated = add(session, clock, bo, track, "Handledning")
    built = timeline.build(interventions.for_track(track.id, session=session))
    assert [type(item).__name__ for item in built.items] == ["Bar", "Bar", "Gap", "Bar"]
    assert [bar.intervention.id for bar in built.bars] == [language.id, training.id, internship.id]
    # Overlaps are fine: the language support covers March, the gap is from April 1st.
    (gap,) = built.gaps
    assert (gap.starts_on, gap.ends_on, gap.days) == (D("2027-04-01"), D("2027-04-12"), 12)
    assert (built.starts_on, built.ends_on) == (D("2027-01-11"), D("2027-05-31"))
    assert [i.id for i in built.undated] == [undated.id]
    first, _second, last = built.bars
    assert (first.left, last.left + last.width) == (0, 100)
    assert 0 < last.left < 100


def test_insatser_that_follow_each_other_have_no_gap():
    def insats(number, starts, ends):
        return Intervention(
            id=number,
            track_id=1,
            kind=InterventionKind.training,
            starts_on=D(starts),
            ends_on=D(ends),
        )

    built = timeline.build(
        [insats(1, "2027-01-01", "2027-01-31"), insats(2, "2027-02-01", "2027-02-10")]
    )
    assert built.gaps == []
    one_day = timeline.build(
        [insats(1, "2027-01-01", "2027-01-31"), insats(2, "2027-02-02", "2027-02-10")]
    )
    assert [(g.starts_on, g.days) for g in one_day.gaps] == [(D("2027-02-01"), 1)]


def test_the_section_shows_the_timeline_with_dates_as_text_and_the_gaps(session, clock, bo, track):
    school = partner(session, clock, bo, "Umeå Yrkesskola")
    add(
        session,
        clock,
        bo,
        track,
        "Truckutbildning",
        "2027-01-11",
        "2027-02-28",
        provider_id=str(school.id),
        places="8",
    )
    add(session, clock, bo, track, "Praktik", "2027-03-13", "2027-04-30", kind="internship")
    html = section(session, clock, bo, track)
    assert "Glapp: 12 dagar, 2027-03-01–2027-03-12" in html
    assert "2027-01-11–2027-02-28" in html and "(49 dagar)" in html
    assert "Anordnare: Umeå Yrkesskola" in html and "8 platser" in html
    assert html.index("Truckutbildning") < html.index("Glapp: 12") < html.index("Praktik")
    assert "Glapp mellan insatserna: 1." in html
    assert re.search(
        r'<rect class="timeline-kind-internship" x="[\d.]+" y="0" width="[\d.]+"', html
    )
    assert 'style="' not in html  # the security policy allows no inline styles
    assert "/interventions/new" in html and "/delete" in html
    viewer = make_user(session, clock, role="viewer")
    read_only = section(session, clock, viewer, track)
    assert "Glapp: 12 dagar" in read_only
    assert "/interventions/new" not in read_only and "/delete" not in read_only


# --- new, edit, delete --------------------------------------------------------------------


def test_a_new_insats_offers_the_samverkansparter_first_and_is_saved(
    client, session, clock, bo, track
):
    school = partner(session, clock, bo, "Umeå Yrkesskola")
    employer = employer_of(session, clock, bo, track, "Lagerbolaget AB")
    make_company(session, clock, user=bo, name="Annat Bolag AB")
    form = client.get(f"/tracks/{track.id}/interventions/new").text
    assert form.index("Samverkansparter") < form.index("Umeå Yrkesskola")
    assert form.index("Umeå Yrkesskola") < form.index("Jobbspårets arbetsgivare")
    assert form.index("Jobbspårets arbetsgivare") < form.index("Lagerbolaget AB")
    assert "Annat Bolag AB" not in form
    assert "move_later" not in form
    response = client.post_form(
        f"/tracks/{track.id}/interventions",
        {
            "kind": "training",
            "title": "Truckutbildning",
            "provider_id": str(school.id),
            "starts_on": "2027-01-11",
            "ends_on": "2027-02-28",
            "places": "8",
            "notes": "A- och B-truck",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/tracks/{track.id}#interventions"
    saved = session.exec(select(Intervention)).one()
    assert (saved.title, saved.provider_id, saved.starts_on, saved.places) == (
        "Truckutbildning",
        school.id,
        D("2027-01-11"),
        8,
    )
    (entry,) = history.for_record("job_track", track.id, session=session)
    assert (entry.event.action, entry.event.version) == ("create", None)
    assert entry.event.changes["intervention"] == "Truckutbildning"
    assert entry.event.changes["provider"] == [None, "Umeå Yrkesskola"]
    # The track's employer is a provider too.
    response = client.post_form(
        f"/tracks/{track.id}/interventions",
        {"kind": "internship", "title": "Praktik", "provider_id": str(employer.id)},
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"title": " "}, "title", "Ange vad insatsen heter."),
        ({"kind": "party"}, "kind", "Välj vilket slags insats det är."),
        (
            {"starts_on": "2027-03-10", "ends_on": "2027-03-01"},
            "ends_on",
            "Insatsen kan inte sluta före den börjar.",
        ),
        ({"ends_on": "2027-03-01"}, "starts_on", "Ange när insatsen börjar."),
        ({"places": "0"}, "places", "Ange ett antal som en siffra, minst 1."),
        (
            {"provider_id": "OTHER"},
            "provider_id",
            "Välj en anordnare bland samverkansparterna och jobbspårets arbetsgivare.",
        ),
    ],
)
def test_a_refused_insats_is_shown_again_with_what_was_typed(
    client, session, clock, bo, track, typed, field, message
):
    other = make_company(session, clock, user=bo, name="Annat Bolag AB")
    data = {"kind": "language", "title": "Yrkessvenska", "notes": "Två dagar i veckan", **typed}
    if data.get("provider_id") == "OTHER":
        data["provider_id"] = str(other.id)
    response = client.post_form(f"/tracks/{track.id}/interventions", data, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="intervention-form"')
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert message in response.text
    assert "Två dagar i veckan</textarea>" in response.text
    assert session.exec(select(Intervention)).first() is None


def test_editing_an_insats_records_it_and_a_conflict_shows_what_changed(
    client, session, clock, bo, track
):
    insats = add(session, clock, bo, track, "Truckutbildning", "2027-01-11", "2027-02-28")
    edit = client.get(f"/tracks/{track.id}/interventions/{insats.id}/edit").text
    assert '<input type="hidden" name="version" value="1">' in edit
    per = make_user(session, clock, full_name="Per Ek")
    interventions.update(
        track,
        insats,
        InterventionForm(
            title="Truckkort A och B",
            starts_on="2027-01-11",
            ends_on="2027-02-28",
            places="6",
            version=1,
        ),
        user=per,
        session=session,
        clock=clock,
    )
    session.commit()
    typed = {
        "kind": "training",
        "title": "Truckutbildning",
        "starts_on": "2027-01-11",
        "ends_on": "2027-03-05",
        "version": "1",
    }
    response = client.post_form(
        f"/tracks/{track.id}/interventions/{insats.id}", typed, headers=HTMX
    )
    assert response.status_code == 409
    assert "Någon annan har ändrat insatsen" in response.text
    assert "Per Ek" in response.text and "<ins>Truckkort A och B</ins>" in response.text
    # Per's places and title taken in where Bo left them; Bo's end kept.
    assert re.search(r'id="places"[^>]*value="6"', response.text)
    assert re.search(r'id="title"[^>]*value="Truckkort A och B"', response.text)
    assert re.search(r'id="ends_on"[^>]*value="2027-03-05"', response.text)
    assert '<input type="hidden" name="version" value="2">' in response.text
    session.refresh(insats)
    assert insats.ends_on == D("2027-02-28")
    ok = client.post_form(
        f"/tracks/{track.id}/interventions/{insats.id}", {**typed, "version": "2"}
    )
    assert ok.status_code == 303
    session.refresh(insats)
    assert (insats.ends_on, insats.version) == (D("2027-03-05"), 3)


def test_moving_an_insats_moves_those_after_it_when_asked(client, session, clock, bo, track):
    first = add(session, clock, bo, track, "Truckutbildning", "2027-01-11", "2027-02-28")
    parallel = add(session, clock, bo, track, "Yrkessvenska", "2027-01-11", "2027-02-28")
    second = add(session, clock, bo, track, "Praktik", "2027-03-01", "2027-04-30")
    third = add(session, clock, bo, track, "Anställning med handledning", "2027-05-03")
    form = client.get(f"/tracks/{track.id}/interventions/{first.id}/edit").text
    assert "Flytta även de 2 insatser som kommer efter, lika många dagar" in form
    last_form = client.get(f"/tracks/{track.id}/interventions/{third.id}/edit").text
    assert "move_later" not in last_form
    base = {
        "kind": "training",
        "title": "Truckutbildning",
        "starts_on": "2027-01-18",
        "ends_on": "2027-03-07",
    }
    # Not ticked: only the one moves, and a gap-free chain now overlaps.
    response = client.post_form(
        f"/tracks/{track.id}/interventions/{first.id}", {**base, "version": "1"}
    )
    assert response.status_code == 303
    for row in (second, third, parallel):
        session.refresh(row)
    assert (second.starts_on, third.starts_on, parallel.starts_on) == (
        D("2027-03-01"),
        D("2027-05-03"),
        D("2027-01-11"),
    )
    # Ticked: a week later again, and the two after it move a week too, in one save.
    response = client.post_form(
        f"/tracks/{track.id}/interventions/{first.id}",
        {
            **base,
            "starts_on": "2027-01-25",
            "ends_on": "2027-03-14",
            "move_later": "1",
            "version": "2",
        },
    )
    assert response.status_code == 303
    for row in (first, second, third, parallel):
        session.refresh(row)
    assert (first.starts_on, first.ends_on) == (D("2027-01-25"), D("2027-03-14"))
    assert (second.starts_on, second.ends_on) == (D("2027-03-08"), D("2027-05-07"))
    assert (third.starts_on, third.ends_on) == (D("2027-05-10"), None)
    assert parallel.starts_on == D("2027-01-11")  # started with it, not after it
    page = client.get(f"/tracks/{track.id}/interventions/{first.id}/edit").text
    assert "de 2 insatserna efter den flyttades lika många dagar" in page
    moved = [
        e
        for e in history.for_record("job_track", track.id, session=session)
        if e.event.changes.get("intervention") == "Praktik" and e.event.action == "update"
    ]
    assert moved[0].event.changes["intervention_starts_on"] == ["2027-03-01", "2027-03-08"]


def test_an_extended_insats_moves_those_after_it_by_as_many_days_as_its_end(
    session, clock, bo, track
):
    first = add(session, clock, bo, track, "Truckutbildning", "2027-01-11", "2027-02-28")
    second = add(session, clock, bo, track, "Praktik", "2027-03-01", "2027-04-30")
    moved = interventions.update(
        track,
        first,
        InterventionForm(
            title="Truckutbildning",
            starts_on="2027-01-11",
            ends_on="2027-03-10",
            move_later="1",
            version=1,
        ),
        user=bo,
        session=session,
        clock=clock,
    )
    assert moved == 1
    session.refresh(second)
    assert (second.starts_on, second.ends_on) == (D("2027-03-11"), D("2027-05-10"))
    built = timeline.build(interventions.for_track(track.id, session=session))
    assert built.gaps == []


def test_deleting_an_insats_keeps_it_in_the_history(client, session, clock, bo, track):
    insats = add(session, clock, bo, track, "Truckutbildning", "2027-01-11", "2027-02-28")
    response = client.post_form(f"/tracks/{track.id}/interventions/{insats.id}/delete")
    assert response.status_code == 303
    assert session.get(Intervention, insats.id) is None
    entry = history.for_record("job_track", track.id, session=session)[0]
    assert entry.event.action == "delete"
    assert entry.event.changes["intervention_title"] == ["Truckutbildning", None]


def test_an_insats_of_another_track_is_not_found(client, session, clock, bo, track):
    other = make_track(session, clock, coordinator=bo)
    insats = add(session, clock, bo, other, "Praktik")
    assert client.get(f"/tracks/{track.id}/interventions/{insats.id}/edit").status_code == 404
    response = client.post_form(f"/tracks/{track.id}/interventions/{insats.id}/delete")
    assert response.status_code == 404
    assert session.get(Intervention, insats.id) is not None


def test_a_viewer_cannot_change_the_insatspaket(client, session, clock, bo, track):
    insats = add(session, clock, bo, track, "Praktik", "2027-03-01")
    make_user(session, clock, role="viewer", username="vera")
    client.post_form("/logout")
    client.login("vera", PASSWORD)
    assert client.get(f"/tracks/{track.id}/interventions/new").status_code == 403
    assert client.get(f"/tracks/{track.id}/interventions/{insats.id}/edit").status_code == 403
    for path, data in (
        (f"/tracks/{track.id}/interventions", {"title": "Städ"}),
        (f"/tracks/{track.id}/interventions/{insats.id}", {"title": "Städ"}),
        (f"/tracks/{track.id}/interventions/{insats.id}/delete", {}),
    ):
        assert client.post_form(path, data).status_code == 403
    session.refresh(insats)
    assert insats.title == "Praktik"
    with pytest.raises(Exception, match="jobbmäklare"):
        interventions.delete(
            track,
            insats,
            user=make_user(session, clock, role="viewer"),
            session=session,
            clock=clock,
        )


def test_the_conflict_follows_the_insats_through_its_renames(session, clock, bo, track):
    insats = add(session, clock, bo, track, "Truck", "2027-01-11")
    add(session, clock, bo, track, "Truck", "2027-02-11")  # another of the same name
    for version, title in ((1, "Truckkort"), (2, "Truckkort A")):
        interventions.update(
            track,
            insats,
            InterventionForm(title=title, starts_on="2027-01-11", version=version),
            user=bo,
            session=session,
            clock=clock,
        )
        session.commit()
    with pytest.raises(EditConflict) as raised:
        interventions.update(
            track,
            insats,
            InterventionForm(title="Truck", version=1),
            user=bo,
            session=session,
            clock=clock,
        )
    titles = [e.event.changes["intervention_title"] for e in raised.value.changes]
    assert titles == [["Truck", "Truckkort"], ["Truckkort", "Truckkort A"]]
