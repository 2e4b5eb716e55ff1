"""The whole track page, with every part's section: what it costs stays the same however
much the track holds (employers and their contact persons, insatser, checklist items,
assignments, events and agreements on it, rounds), and it shows each part."""

from __future__ import annotations

from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.contacts import service as contacts
from app.tracks import checklist, interventions, rounds
from app.tracks import links as track_links
from app.tracks import people as track_people
from tests.factories import make_company, make_track
from tests.statements import recorded
from tests.tracks.helpers import make_assignment


def test_the_page_costs_the_same_statements_however_much_the_track_holds(
    client, session, clock, bo, engine
):
    track = make_track(session, clock, coordinator=bo, name="Lager i Umeå")
    checklist.from_template(track, session=session, clock=clock)
    by_bo = {"user": bo, "session": session, "clock": clock}
    number = iter(range(1000))

    def grow(employers: int) -> None:
        for _ in range(employers):
            n = next(number)
            company = make_company(session, clock, user=bo, name=f"Lagret {n} AB")
            track_people.add_employer(track, str(company.id), **by_bo)
            contact = contacts.create(company, contacts.ContactForm(name=f"Chef {n}"), **by_bo)
            track_people.add_contact(track, str(contact.id), **by_bo)
            interventions.create(
                track,
                interventions.InterventionForm(
                    title=f"Insats {n}", starts_on=f"2026-04-{n % 20 + 1:02d}"
                ),
                **by_bo,
            )
            assignment = make_assignment(session, clock, company, bo, positions="2")
            track_links.attach(track, track_links.ASSIGNMENT, str(assignment.id), **by_bo)
            agreement = agreements.create(company, AgreementForm(kind="cooperation"), **by_bo)
            track_links.attach(track, track_links.AGREEMENT, str(agreement.id), **by_bo)
        session.commit()

    def statements() -> int:
        with recorded(engine) as seen:
            page = client.get(f"/tracks/{track.id}")
            assert page.status_code == 200
        for part in ("#profile", "interventions", "checklist", "track-links", "track-results"):
            assert f'id="{part.lstrip("#")}"' in page.text, part
        return len(seen)

    grow(1)
    few = statements()
    grow(6)
    rounds.new_round(track, rounds.NewRoundForm(planning_starts_on="2026-10-05"), **by_bo)
    session.commit()
    assert statements() == few
