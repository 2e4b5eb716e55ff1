""" "Ny omgång": a track copied into its next round, moved in time, linked to the rounds
before it; its form over HTTP (who may, refusals in place) and the rounds section."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, func, select

from app.agreements.models import Agreement
from app.assignments.models import Assignment
from app.auth.models import User
from app.clock import today
from app.companies import service as companies
from app.companies.models import CompanyKind
from app.contacts import service as contacts
from app.events.models import RecruitmentEvent
from app.history import service as history
from app.i18n import activate, deactivate
from app.phases import Phase
from app.templating import env
from app.tracks import rounds
from app.tracks.models import (
    CompetenceProfile,
    Intervention,
    InterventionKind,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    JobTrackEmployment,
    JobTrackMember,
    JobTrackTask,
    TrackStatus,
)
from tests.agreements.factories import make_agreement
from tests.assignments.factories import make_assignment
from tests.events.factories import make_event
from tests.factories import PASSWORD, make_company, make_track, make_user

DAY = dt.date(2026, 3, 2)  # the tests' today (tests/conftest.py START)
MOVED = 200


def contact_at(session, clock, company, user, name):
    return contacts.create(
        company, contacts.ContactForm(name=name), user=user, session=session, clock=clock
    )


@pytest.fixture
def track(session, clock, bo):
    """Undersköterska, round 1, finished: two employers with a contact each, a contact at
    Arbetsförmedlingen, a co-worker, a profile, three insatser, a checklist partly done,
    counts and outcomes, and an assignment, an event and an agreement of its own."""
    ada = make_user(session, clock, full_name="Ada Samordnare")
    bert = make_user(session, clock, full_name="Bert Medarbetare")
    track = make_track(
        session,
        clock,
        coordinator=ada,
        name="Undersköterska i äldreomsorgen",
        municipality="Kalmar",
        description="Vård- och omsorgsutbildning med språkstöd.",
        places=14,
        planning_starts_on=DAY - dt.timedelta(days=300),
        recruitment_starts_on=DAY - dt.timedelta(days=250),
        execution_starts_on=DAY - dt.timedelta(days=220),
        closing_starts_on=DAY - dt.timedelta(days=40),
        ends_on=DAY - dt.timedelta(days=10),
        status=TrackStatus.closing,
        identified=30,
        started=14,
        completed=12,
        left_early=2,
        to_studies=2,
        to_other=1,
        outcome_unknown=1,
    )
    now = clock.now()
    omsorg = make_company(session, clock, user=bo, name="Kalmar Omsorg AB")
    hemtjanst = make_company(session, clock, user=bo, name="Hemtjänsten i Kalmar AB")
    af = make_company(session, clock, user=bo, name="Arbetsförmedlingen")
    af.kind = CompanyKind.partner
    people = [
        contact_at(session, clock, company, bo, name)
        for company, name in ((omsorg, "Eva Chef"), (hemtjanst, "Per Enhet"), (af, "Lina Af"))
    ]
    komvux = make_company(session, clock, user=bo, name="Komvux Kalmar")
    komvux.kind = CompanyKind.partner
    session.add_all(
        [
            JobTrackMember(track_id=track.id, user_id=bert.id),
            *(
                JobTrackCompany(track_id=track.id, company_id=c.id, created_at=now)
                for c in (omsorg, hemtjanst)
            ),
            *(JobTrackContact(track_id=track.id, contact_id=p.id) for p in people),
            CompetenceProfile(
                track_id=track.id,
                occupation="Undersköterska",
                tasks="Omvårdnad i hemtjänst och på särskilt boende",
                required_competences="Vård- och omsorgsutbildning",
                desirable_competences="Erfarenhet av demensvård",
                language_level="Svenska B",
                licences="B-körkort",
                working_hours="Dag, kväll och helg",
                physical_demands="Förflyttningar med hjälpmedel",
                employer_offers="Handledare och introduktion",
                updated_at=now,
            ),
            *(
                Intervention(
                    track_id=track.id,
                    kind=kind,
                    title=title,
                    provider_id=komvux.id if kind != InterventionKind.internship else omsorg.id,
                    starts_on=DAY - dt.timedelta(days=start),
                    ends_on=DAY - dt.timedelta(days=end),
                    places=14,
                    notes=f"Om {title}",
                    created_at=now,
                    updated_at=now,
                )
                for kind, title, start, end in (
                    (InterventionKind.language, "Svenska för vård", 220, 180),
                    (InterventionKind.training, "Vård- och omsorgsprogrammet", 180, 60),
                    (InterventionKind.internship, "APL", 50, 40),
                )
            ),
            JobTrackTask(
                track_id=track.id,
                phase=Phase.planning,
                title="Kartlägg kompetensbehovet",
                due_on=DAY - dt.timedelta(days=290),
                assignee_id=ada.id,
                done_at=now - dt.timedelta(days=290),
                position=1,
                created_at=now,
                updated_at=now,
            ),
            JobTrackTask(
                track_id=track.id,
                phase=Phase.closing,
                title="Planera en ny omgång",
                due_on=DAY - dt.timedelta(days=19),
                assignee_id=bert.id,
                position=3,
                created_at=now,
                updated_at=now,
            ),
            JobTrackEmployment(track_id=track.id, employment_type="ordinary", count=8),
        ]
    )
    session.commit()
    assignment = make_assignment(session, clock, omsorg, bo, occupation="Undersköterska")
    event = make_event(session, clock, bo, title="Träff för undersköterskor")
    agreement = make_agreement(session, clock, omsorg, bo, kind="letter_of_intent")
    for linked in (assignment, event, agreement):
        linked.track_id = track.id
        session.add(linked)
    session.commit()
    return track


def new_round(session, clock, track, user, start):
    copy = rounds.new_round(
        track,
        rounds.NewRoundForm(planning_starts_on=start.isoformat()),
        user=user,
        session=session,
        clock=clock,
    )
    session.commit()
    return copy


def plus(day, days=MOVED):
    return day + dt.timedelta(days=days) if day else None


def rows(session, model, track_id, *, order=None):
    query = select(model).where(model.track_id == track_id)
    return session.exec(query.order_by(order) if order is not None else query).all()


# --- the service ------------------------------------------------------------------------


def test_a_new_round_copies_the_track_moved_in_time(session, clock, bo, track):
    copy = new_round(session, clock, track, bo, plus(track.planning_starts_on))

    assert (copy.name, copy.occupation, copy.municipality, copy.description) == (
        track.name,
        track.occupation,
        track.municipality,
        track.description,
    )
    assert (copy.coordinator_id, copy.places) == (track.coordinator_id, 14)
    for phase in (
        "planning_starts_on",
        "recruitment_starts_on",
        "execution_starts_on",
        "closing_starts_on",
        "ends_on",
    ):
        assert getattr(copy, phase) == plus(getattr(track, phase)), phase
    assert (copy.round_number, copy.previous_round_id, copy.first_round_id) == (
        2,
        track.id,
        track.id,
    )
    # A new round plans from the start: nothing of what the first one achieved.
    assert copy.status == TrackStatus.planning
    counts = ("identified", "started", "completed", "left_early", "to_studies", "to_other")
    assert all(getattr(copy, name) is None for name in (*counts, "outcome_unknown"))
    assert rows(session, JobTrackEmployment, copy.id) == []

    def ids(model, column, track_id):
        return sorted(getattr(row, column) for row in rows(session, model, track_id))

    for model, column in (
        (JobTrackMember, "user_id"),
        (JobTrackCompany, "company_id"),
        (JobTrackContact, "contact_id"),
    ):
        assert ids(model, column, copy.id) == ids(model, column, track.id) != [], model

    old_profile, new_profile = (session.get(CompetenceProfile, i) for i in (track.id, copy.id))
    skip = {"track_id", "updated_at", "version"}
    assert new_profile.model_dump(exclude=skip) == old_profile.model_dump(exclude=skip)

    order = col(Intervention.starts_on)
    old, new = (rows(session, Intervention, i, order=order) for i in (track.id, copy.id))
    assert len(new) == len(old) == 3
    for before, after in zip(old, new, strict=True):
        assert (after.kind, after.title, after.provider_id, after.places, after.notes) == (
            before.kind,
            before.title,
            before.provider_id,
            before.places,
            before.notes,
        )
        assert (after.starts_on, after.ends_on) == (plus(before.starts_on), plus(before.ends_on))
        assert after.id != before.id

    order = col(JobTrackTask.position)
    old_tasks, new_tasks = (
        rows(session, JobTrackTask, i, order=order) for i in (track.id, copy.id)
    )
    assert [(t.phase, t.title, t.assignee_id, t.position) for t in new_tasks] == [
        (t.phase, t.title, t.assignee_id, t.position) for t in old_tasks
    ]
    assert [t.due_on for t in new_tasks] == [plus(t.due_on) for t in old_tasks]
    assert any(t.done_at for t in old_tasks)
    assert all(t.done_at is None for t in new_tasks)

    # The links stay with the round that ran.
    for model in (Assignment, RecruitmentEvent, Agreement):
        linked = session.exec(select(func.count()).where(model.track_id == copy.id)).one()
        assert linked == 0, model
        assert session.exec(select(func.count()).where(model.track_id == track.id)).one() == 1

    made = history.for_record("job_track", copy.id, session=session)
    assert [(e.event.action, e.event.changes["copied_from_round"]) for e in made] == [
        ("create", [None, 1])
    ]
    noted = history.for_record("job_track", track.id, session=session)
    assert [(e.event.changes, e.event.version) for e in noted] == [({"new_round": [None, 2]}, None)]


def test_the_rounds_of_a_series_point_to_the_first_and_the_one_before(session, clock, bo, track):
    second = new_round(session, clock, track, bo, plus(track.planning_starts_on, 365))
    third = new_round(session, clock, second, bo, plus(second.planning_starts_on, 365))
    assert (third.round_number, third.previous_round_id, third.first_round_id) == (
        3,
        second.id,
        track.id,
    )
    assert (track.round_number, track.previous_round_id, track.first_round_id) == (1, None, None)
    # The third moved from the second's dates, a year on.
    assert third.ends_on == plus(second.ends_on, 365) == plus(track.ends_on, 730)
    # The first round copied again: the series goes on after its last round.
    again = new_round(session, clock, track, bo, plus(track.planning_starts_on, 800))
    assert (again.round_number, again.previous_round_id, again.first_round_id) == (
        4,
        track.id,
        track.id,
    )
    assert [r.id for r in rounds.series(third, session=session)] == [
        track.id,
        second.id,
        third.id,
        again.id,
    ]
    assert rounds.series(track, session=session) == rounds.series(again, session=session)


def test_who_has_left_and_archived_employers_stay_behind(session, clock, bo, track):
    bert = session.exec(select(User).where(User.full_name == "Bert Medarbetare")).one()
    bert.is_active = False
    session.add(bert)
    omsorg = session.exec(
        select(JobTrackCompany).where(JobTrackCompany.track_id == track.id)
    ).first()
    archived = companies.get(omsorg.company_id, session=session)
    companies.archive(archived, user=bo, session=session, clock=clock)
    session.commit()

    copy = new_round(session, clock, track, bo, plus(track.planning_starts_on))

    assert rows(session, JobTrackMember, copy.id) == []
    assert [
        t.assignee_id for t in rows(session, JobTrackTask, copy.id, order=JobTrackTask.position)
    ] == [
        track.coordinator_id,
        None,
    ]
    employers = [c.company_id for c in rows(session, JobTrackCompany, copy.id)]
    assert archived.id not in employers and len(employers) == 1
    assert len(rows(session, JobTrackContact, copy.id)) == 2  # not the archived one's


def test_a_track_without_dates_starts_its_new_round_on_the_day_asked(session, clock, bo):
    bare = make_track(
        session,
        clock,
        planning_starts_on=None,
        recruitment_starts_on=None,
        execution_starts_on=None,
        closing_starts_on=None,
        ends_on=None,
    )
    assert rounds.new_form(bare, clock=clock).planning_starts_on == today(clock).isoformat()
    copy = new_round(session, clock, bare, bo, DAY + dt.timedelta(days=30))
    assert (copy.planning_starts_on, copy.ends_on) == (DAY + dt.timedelta(days=30), None)


# --- over HTTP --------------------------------------------------------------------------


def url(track):
    return f"/tracks/{track.id}/new-round"


def test_the_form_shows_what_is_copied_and_saving_opens_the_new_round(
    client, session, clock, bo, track
):
    page = client.get(url(track))
    assert page.status_code == 200
    # The day after the round ends, by default.
    assert 'value="2026-02-21"' in page.text
    for shown in (
        "Kalmar Omsorg AB",
        "Hemtjänsten i Kalmar AB",
        "Lina Af (Arbetsförmedlingen)",
        "Ada Samordnare",
        "Bert Medarbetare",
        "Vård- och omsorgsprogrammet",
        "Komvux Kalmar",
        "Skapa omgång 2",
    ):
        assert shown in page.text, shown

    response = client.post_form(
        url(track), {"planning_starts_on": "2026-05-01"}, token_from=url(track)
    )

    assert response.status_code == 303
    copy = session.exec(select(JobTrack).where(JobTrack.previous_round_id == track.id)).one()
    assert response.headers["location"] == f"/tracks/{copy.id}"
    assert copy.planning_starts_on == dt.date(2026, 5, 1)
    assert copy.ends_on == track.ends_on + (dt.date(2026, 5, 1) - track.planning_starts_on)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Ange när planeringen av den nya omgången börjar."),
        (
            "2025-01-01",
            "Den nya omgången kan inte börja före den här omgången, som börjar 2025-05-06.",
        ),
        ("den trettonde", "Planeringen börjar: datumet går inte att läsa."),
    ],
)
def test_a_refused_start_is_shown_at_the_field_with_what_was_typed(
    client, session, bo, track, typed, message
):
    response = client.post_form(
        url(track),
        {"planning_starts_on": typed},
        token_from=url(track),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'id="planning_starts_on-error"' in response.text
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert session.exec(select(func.count()).select_from(JobTrack)).one() == 1


def test_a_viewer_may_not_start_a_round(client, session, clock, track):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert client.get(url(track)).status_code == 403
    token = client.csrf_token("/")
    response = client.post(
        url(track), data={"csrf_token": token, "planning_starts_on": "2026-05-01"}
    )
    assert response.status_code == 403
    assert session.exec(select(func.count()).select_from(JobTrack)).one() == 1


def test_an_unknown_track_is_not_found(client, bo):
    assert client.get("/tracks/999999/new-round").status_code == 404


# --- the section on the track's page ----------------------------------------------------


def rendered(track, user, session, clock):
    token = activate("sv")
    try:
        context = rounds.section(track, session=session, clock=clock, user=user)
        return env.get_template("tracks/_rounds.html").render(track=track, **context)
    finally:
        deactivate(token)


def test_the_section_lists_the_series_with_this_round_marked(session, clock, bo, track):
    first = rendered(track, bo, session, clock)
    assert "Det här är den första omgången." in first
    assert f'href="/tracks/{track.id}/new-round"' in first

    second = new_round(session, clock, track, bo, plus(track.planning_starts_on, 365))
    html = rendered(second, bo, session, clock)
    assert f'<a href="/tracks/{track.id}">Omgång 1</a>' in html
    assert '<strong aria-current="page">Omgång 2</strong>' in html
    assert html.index("Omgång 1") < html.index("Omgång 2")
    assert "Avslut" in html and "Planering" in html

    viewer = make_user(session, clock, role="viewer")
    assert "new-round" not in rendered(second, viewer, session, clock)
