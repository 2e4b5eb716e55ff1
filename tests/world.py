"""A small register with one of everything, for the tests that walk every route."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, select

from app.activities import service as activities
from app.agreements import service as agreements
from app.agreements.form import AgreementForm
from app.assignments import follow_ups
from app.assignments import service as assignments
from app.clock import Clock
from app.companies import service as companies
from app.companies.models import CompanyKind
from app.contacts import service as contacts
from app.events import checklist, participants
from app.events import feed as calendar_feed
from app.events import service as events
from app.imports import engine as imports
from app.imports import jobs as import_jobs
from app.imports.models import ImportKind
from app.tracks import interventions
from app.tracks import links as track_links
from app.tracks import people as track_people
from app.tracks import service as tracks
from app.tracks.form import TrackForm
from app.tracks.models import JobTrackTask
from tests.factories import make_company, make_user


def make_world(session: Session, clock: Clock) -> dict[str, Any]:
    """Users admin, broker and viewer; a company with a contact, an activity with a
    follow-up, an assignment, an event it takes part in, a job track and an analysed
    import. "samples" fills each path parameter with an id that exists.

    Besides, for the routes that need another state (tests/test_write_path.py): a second
    company and a second assignment (neither on the event), an archived company, a deleted
    contact, an event that has taken place, a done import, the broker's calendar feed, and
    a job track with the company as employer and its contact, an insats, its checklist
    from the default, and the assignment, the event and the agreement on it; a
    samverkanspart's contact and a second agreement that are not on it."""
    admin = make_user(session, clock, role="admin", username="admin")
    broker = make_user(session, clock, role="broker", username="broker")
    viewer = make_user(session, clock, role="viewer", username="viewer")
    by_broker = {"user": broker, "session": session, "clock": clock}

    def assignment_for(occupation: str) -> Any:
        form = assignments.AssignmentForm(occupation=occupation, source_user_id=str(broker.id))
        return assignments.create(company, form, **by_broker)

    def event_on(title: str, day: str) -> Any:
        form = events.EventForm(
            title=title,
            starts_at=f"{day}T09:00",
            ends_at=f"{day}T12:00",
            owner_id=str(broker.id),
        )
        return events.create(form, **by_broker)

    def analysed(csv: str, filename: str) -> Any:
        return imports.analyse(csv.encode(), filename, kind=ImportKind.companies, **by_broker).job

    def workbook(*sheets: tuple[str, list[list[str]]]) -> Any:
        book = Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        data = io.BytesIO()
        book.save(data)
        return imports.analyse(
            data.getvalue(), "prov.xlsx", kind=ImportKind.companies, **by_broker
        ).job

    company = make_company(session, clock, user=broker, name="Provföretaget AB")
    contact = contacts.create(company, contacts.ContactForm(name="Prov Person"), **by_broker)
    activity = activities.create(
        company, activities.ActivityForm(notes="Ringde", follow_up="tomorrow"), **by_broker
    )
    assignment = assignment_for("Kock")
    event = event_on("Provträff", "2026-03-16")
    participants.invite(event, str(company.id), **by_broker)
    participants.link_assignment(event, str(assignment.id), **by_broker)
    # A workbook of two sheets: choosing the other one is a save.
    job = workbook(
        ("Företag", [["Företagsnamn", "Ort"], ["Provbolaget AB", "Umeå"]]),
        ("Fler", [["Företagsnamn", "Telefon"], ["Andra Provbolaget AB", "070-123"]]),
    )
    other_company = make_company(
        session, clock, user=broker, name="Andra Provföretaget AB", owner_id=str(broker.id)
    )
    archived = make_company(session, clock, user=broker, name="Arkiverade Provföretaget AB")
    companies.archive(archived, **by_broker)
    gone = contacts.create(company, contacts.ContactForm(name="Borta Person"), **by_broker)
    contacts.delete(gone, **by_broker)
    other_assignment = assignment_for("Servitör")
    placed = assignments.create(
        company,
        assignments.AssignmentForm(
            occupation="Lärarassistent",
            employment_type="extra_job",
            source_user_id=str(broker.id),
            filled_count="1",
            ends_on="2026-02-27",
        ),
        **by_broker,
    )
    follow_up = follow_ups.for_assignment(placed.id, session=session)[0]
    agreement = agreements.create(
        company,
        AgreementForm(kind="cooperation", state="draft", signatory_ids=[str(contact.id)]),
        **by_broker,
    )
    past_event = event_on("Förra träffen", "2026-02-16")
    other_agreement = agreements.create(
        company, AgreementForm(kind="internship", state="draft"), **by_broker
    )
    track = tracks.create(
        TrackForm(
            name="Provspåret",
            occupation="Undersköterska",
            places="12",
            coordinator_id=str(broker.id),
            planning_starts_on="2026-03-02",
        ),
        **by_broker,
    )
    track_people.add_employer(track, str(company.id), **by_broker)
    track_people.add_contact(track, str(contact.id), **by_broker)
    for kind, row in [
        (track_links.ASSIGNMENT, assignment),
        (track_links.EVENT, event),
        (track_links.AGREEMENT, agreement),
    ]:
        track_links.attach(track, kind, str(row.id), **by_broker)
    # A samverkanspart (Arbetsförmedlingen) and its contact person, not yet on the track.
    partner = make_company(session, clock, user=broker, name="Arbetsförmedlingen Prov")
    partner.kind = CompanyKind.partner
    session.add(partner)
    partner_contact = contacts.create(
        partner, contacts.ContactForm(name="Handläggare Prov"), **by_broker
    )
    intervention = interventions.create(
        track,
        interventions.InterventionForm(title="Truckutbildning", starts_on="2026-04-06"),
        **by_broker,
    )
    # The track's checklist, made from the default when it was created.
    track_task = session.exec(
        select(JobTrackTask).where(JobTrackTask.track_id == track.id).limit(1)
    ).one()
    calendar_feed.create(broker, session=session, clock=clock)
    done_job = analysed("Företagsnamn;Ort\r\nImporterade AB;Luleå\r\n", "klar.csv")
    imports.queue(done_job, session=session)
    session.commit()
    import_jobs.run(done_job.id, session=session, clock=clock)  # type: ignore[arg-type]
    session.commit()
    return {
        "admin": admin,
        "broker": broker,
        "viewer": viewer,
        "samples": {
            "user_id": broker.id,
            "path": "finns/inte",
            "company_id": company.id,
            "contact_id": contact.id,
            "activity_id": activity.id,
            "assignment_id": assignment.id,
            "agreement_id": agreement.id,
            "placed_assignment_id": placed.id,
            "follow_up_id": follow_up.id,
            "event_id": event.id,
            "task_id": checklist.by_phase(event.id, session=session)[checklist.PHASES[0]][
                0
            ].task.id,
            "item_id": checklist.template(session=session)[0].id,
            "track_id": track.id,
            "track_task_id": track_task.id,
            "job_id": job.id,
            "file_format": "xlsx",
            "table_key": "companies",
            "admin_id": admin.id,
            "other_company_id": other_company.id,
            # What the merge form sends: the versions the user saw.
            "company_version": company.version,
            "other_company_version": other_company.version,
            "archived_company_id": archived.id,
            "deleted_contact_id": gone.id,
            "other_assignment_id": other_assignment.id,
            "past_event_id": past_event.id,
            "done_job_id": done_job.id,
            "partner_contact_id": partner_contact.id,
            "intervention_id": intervention.id,
            "other_agreement_id": other_agreement.id,
        },
    }
