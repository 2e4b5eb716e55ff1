"""Demo data (`matcha seed`): valid, searchable, and derived exactly as the services derive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app import cli
from app import seed as demo
from app.activities import service as activities
from app.activities.models import Activity
from app.assignments import service as assignments
from app.assignments.models import OPEN_STATUSES, Assignment, SourceKind
from app.auth.models import Role, User
from app.clock import SettableClock, to_local
from app.companies import service as companies
from app.companies.models import Company, CompanyKind, CompanyTag
from app.companies.orgnr import normalize
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.db import make_engine
from app.events.models import (
    ChecklistFor,
    ChecklistTemplateItem,
    EventAssignment,
    EventCompany,
    EventStatus,
    EventTask,
    RecruitmentEvent,
)
from app.phases import PHASES
from app.seed.track_data import PARTNERS
from app.text import fold
from app.tracks.models import (
    CompetenceProfile,
    Intervention,
    JobTrack,
    JobTrackCompany,
    JobTrackContact,
    JobTrackEmployment,
    JobTrackMember,
    JobTrackTask,
    TrackStatus,
)
from tests.conftest import START
from tests.databases import throwaway_database
from tests.factories import make_user

COMPANIES = 30


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, demo.SeedReport]]:
    """Its own database: the seed commits, which the rolled-back test session cannot hold."""
    with throwaway_database(tmp_path_factory.mktemp("seed"), "seed") as url:
        cli.migrate(url)
        engine = make_engine(url)
        report = demo.seed(engine, companies=COMPANIES, seed=7, clock=SettableClock(START))
        yield engine, report
        engine.dispose()


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def employers(session: Session) -> int:
    return session.exec(select(func.count()).where(Company.kind == CompanyKind.employer)).one()


def test_counts(seeded: tuple[Engine, demo.SeedReport]) -> None:
    engine, report = seeded
    with Session(engine) as session:
        assert employers(session) == report.companies == COMPANIES
        assert count(session, Company) == COMPANIES + report.partners
        assert report.partners == len(PARTNERS)
        at_employers = session.exec(
            select(func.count())
            .select_from(Contact)
            .join(Company, Company.id == Contact.company_id)
            .where(Company.kind == CompanyKind.employer)
        ).one()
        assert at_employers == report.contacts
        assert COMPANIES <= report.contacts <= 5 * COMPANIES
        assert count(session, Activity) == report.activities
        assert 5 * COMPANIES <= report.activities <= 15 * COMPANIES
        assert count(session, Assignment) == report.assignments
        assert 0 < report.assignments <= 3 * COMPANIES
        assert count(session, CompanyTag) > 0
        brokers = session.exec(select(User).where(User.role == Role.broker)).all()
        assert len(brokers) == demo.BROKER_COUNT
        assert sorted(b.username for b in brokers) == sorted(report.created_users)


def test_every_org_number_is_valid_and_unique(seeded: tuple[Engine, demo.SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        numbers = [n for n in session.exec(select(Company.org_number)).all() if n]
    assert len(numbers) > COMPANIES // 2
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert normalize(number) == number


def test_search_finds_a_seeded_company_by_a_folded_substring(
    seeded: tuple[Engine, demo.SeedReport],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        company = session.exec(select(Company).order_by(Company.id)).first()
        user = session.exec(select(User)).first()
        assert company and user
        # 'Ängelholms Bygg AB' is found by 'ANGELHOLMS BY': case and diacritics folded.
        query = fold(company.name)[:-3].upper()
        page = companies.list_(companies.CompanyFilters(q=query), user=user, session=session)
        assert company.id in [row.company.id for row in page.rows]


def test_derived_columns_are_what_the_services_compute(
    seeded: tuple[Engine, demo.SeedReport],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        seeded_companies = session.exec(select(Company)).all()
        stored = {c.id: (c.name_key, c.sort_key, c.search_text) for c in seeded_companies}
        dates = {c.id: (c.last_contact_at, c.next_follow_up_on) for c in seeded_companies}
        for company in seeded_companies:
            companies.refresh_derived(company)
            assert (company.name_key, company.sort_key, company.search_text) == stored[company.id]
            activities.refresh_company(company.id, session=session)  # type: ignore[arg-type]
        session.flush()
        for company in seeded_companies:
            session.refresh(company)
            assert (company.last_contact_at, company.next_follow_up_on) == dates[company.id]
        assert any(last for last, _ in dates.values())
        assert any(follow_up for _, follow_up in dates.values())
        for contact in session.exec(select(Contact)).all():
            before = (contact.sort_key, contact.search_text)
            contacts._apply(contact, {})
            assert (contact.sort_key, contact.search_text) == before
        session.rollback()


def test_assignments_keep_the_services_rules(seeded: tuple[Engine, demo.SeedReport]) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        seeded_assignments = session.exec(select(Assignment)).all()
        for assignment in seeded_assignments:
            assignments.check_counts(
                assignment.status, assignment.positions, assignment.filled_count
            )
            assert (assignment.source_kind == SourceKind.broker) == (
                assignment.source_user_id is not None
            )
            assert (assignment.status in OPEN_STATUSES) == (assignment.closed_at is None)
            stored = assignment.search_text
            assignments.refresh_derived(assignment)
            assert assignment.search_text == stored
        assert any(a.status in OPEN_STATUSES for a in seeded_assignments)
        session.rollback()


def test_events_keep_the_services_rules(seeded: tuple[Engine, demo.SeedReport]) -> None:
    engine, report = seeded
    with Session(engine) as session:
        events = session.exec(select(RecruitmentEvent)).all()
        assert len(events) == report.events >= 1
        template = session.exec(
            select(func.count()).where(ChecklistTemplateItem.checklist == ChecklistFor.event)
        ).one()
        day = START.date()
        for event in events:
            assert event.ends_at > event.starts_at
            past = to_local(event.starts_at).date() < day
            closed = (EventStatus.closed, EventStatus.cancelled)
            assert (event.status in closed) == past, event
            # The outcome is there only for an event that was held.
            assert (event.jobseekers_invited is not None) == (event.status == EventStatus.closed)
            tasks = session.exec(select(EventTask).where(EventTask.event_id == event.id)).all()
            assert len(tasks) == template
            taking_part = session.exec(
                select(EventCompany).where(EventCompany.event_id == event.id)
            ).all()
            assert taking_part
            companies_there = {p.company_id for p in taking_part}
            for participant in taking_part:
                if participant.contact_id is not None:
                    contact = session.get(Contact, participant.contact_id)
                    assert contact.company_id == participant.company_id
            for link in session.exec(
                select(EventAssignment).where(EventAssignment.event_id == event.id)
            ):
                assert session.get(Assignment, link.assignment_id).company_id in companies_there


def test_partners_are_samverkansparter_with_contact_persons(
    seeded: tuple[Engine, demo.SeedReport],
) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        partners = session.exec(select(Company).where(Company.kind == CompanyKind.partner)).all()
        assert sorted(p.name for p in partners) == sorted(name for _, name, *_ in PARTNERS)
        for partner in partners:
            people = session.exec(select(Contact).where(Contact.company_id == partner.id)).all()
            assert people, partner.name
            assert all(person.title for person in people)


def test_tracks_keep_the_rules_and_the_plan(seeded: tuple[Engine, demo.SeedReport]) -> None:
    """Every phase has a track; each has employers with contacts, partner contacts, a
    team, a profile, an insatspaket, the default checklist done where its day has passed,
    and counts only when finished; the finished one has a second round moved in time."""
    engine, report = seeded
    day = START.date()
    with Session(engine) as session:
        tracks = session.exec(select(JobTrack).order_by(JobTrack.id)).all()
        assert len(tracks) == report.tracks == 4
        assert {t.status for t in tracks} == set(TrackStatus) - {TrackStatus.cancelled}
        template = session.exec(
            select(func.count()).where(ChecklistTemplateItem.checklist == ChecklistFor.track)
        ).one()
        brokers = set(session.exec(select(User.id).where(User.role == Role.broker)).all())
        gaps = 0
        for track in tracks:
            dates = [
                track.planning_starts_on,
                track.recruitment_starts_on,
                track.execution_starts_on,
                track.closing_starts_on,
                track.ends_on,
            ]
            assert dates == sorted(dates) and None not in dates, track.name
            phase = sum(1 for d in dates[1:4] if d <= day)
            assert track.status == list(TrackStatus)[phase], track.name
            assert track.coordinator_id in brokers
            members = session.exec(
                select(JobTrackMember.user_id).where(JobTrackMember.track_id == track.id)
            ).all()
            assert track.coordinator_id not in members and set(members) <= brokers
            employer_ids = set(
                session.exec(
                    select(JobTrackCompany.company_id).where(JobTrackCompany.track_id == track.id)
                ).all()
            )
            assert employer_ids
            kinds = {
                session.get(Company, company_id).kind: company_id for company_id in employer_ids
            }
            assert set(kinds) == {CompanyKind.employer}
            people = session.exec(
                select(Contact)
                .join(JobTrackContact, JobTrackContact.contact_id == Contact.id)
                .where(JobTrackContact.track_id == track.id)
            ).all()
            at = {session.get(Company, p.company_id).kind for p in people}
            assert at == {CompanyKind.employer, CompanyKind.partner}
            assert {p.company_id for p in people} >= employer_ids
            assert session.get(CompetenceProfile, track.id).required_competences
            insatser = session.exec(
                select(Intervention)
                .where(Intervention.track_id == track.id)
                .order_by(Intervention.starts_on)
            ).all()
            assert 3 <= len(insatser) <= 4
            covered = insatser[0].ends_on
            for insats in insatser:
                assert insats.starts_on <= insats.ends_on and insats.provider_id is not None
                gaps += insats.starts_on > covered + dt.timedelta(days=1)
                covered = max(covered, insats.ends_on)
            tasks = session.exec(
                select(JobTrackTask).where(JobTrackTask.track_id == track.id)
            ).all()
            assert len(tasks) == template
            assert {t.phase for t in tasks} == set(PHASES)
            for task in tasks:
                assert (task.done_at is not None) == (task.due_on < day), task.title
            finished = track.ends_on < day
            employed = session.exec(
                select(func.sum(JobTrackEmployment.count)).where(
                    JobTrackEmployment.track_id == track.id
                )
            ).one()
            assert (track.started is not None) == finished == (employed is not None), track.name
            if finished:
                assert track.started <= track.identified
                assert track.completed + track.left_early == track.started
        assert gaps >= 1

        first, second = session.exec(
            select(JobTrack).where(JobTrack.name == tracks[0].name).order_by(JobTrack.round_number)
        ).all()
        assert (second.round_number, second.previous_round_id, second.first_round_id) == (
            2,
            first.id,
            first.id,
        )
        moved = second.planning_starts_on - first.planning_starts_on
        assert second.ends_on == first.ends_on + moved
        assert second.status == TrackStatus.recruitment
        assert second.started is None

        def starts(track: JobTrack) -> list[dt.date]:
            return sorted(
                session.exec(
                    select(Intervention.starts_on).where(Intervention.track_id == track.id)
                ).all()
            )

        assert starts(second) == [d + moved for d in starts(first)]


def test_refuses_a_database_with_companies_unless_forced(
    seeded: tuple[Engine, demo.SeedReport], tmp_path: Path
) -> None:
    engine, _ = seeded
    with pytest.raises(demo.SeedRefused):
        demo.seed(engine, companies=1, clock=SettableClock(START))
    with Session(engine) as session:
        tracks_before = count(session, JobTrack)
    report = demo.seed(engine, companies=2, seed=8, clock=SettableClock(START), force=True)
    assert report.companies == 2
    assert report.created_users == []  # the brokers exist now
    # The partners and the demo tracks are there already: not made twice.
    assert (report.partners, report.tracks) == (0, 0)
    with Session(engine) as session:
        assert employers(session) == COMPANIES + 2
        assert count(session, Company) == COMPANIES + 2 + len(PARTNERS)
        assert count(session, JobTrack) == tracks_before


@pytest.mark.parametrize("brokers", [1, 2])
def test_seeds_with_any_number_of_existing_brokers(
    tmp_path_factory: pytest.TempPathFactory, brokers: int
) -> None:
    """A small unit with one broker (an event's team is the owner and up to two more: it
    asked for more brokers than there were and crashed)."""
    with throwaway_database(tmp_path_factory.mktemp("one"), "one") as url:
        cli.migrate(url)
        engine = make_engine(url)
        try:
            clock = SettableClock(START)
            with Session(engine) as session:
                for _ in range(brokers):
                    make_user(session, clock, role="broker")
            # 300 companies give a dozen events, several of which ask for two more brokers.
            report = demo.seed(engine, companies=300, seed=1, clock=clock)
            assert report.created_users == []
            assert report.events >= 10
            with Session(engine) as session:
                owners = set(session.exec(select(Company.owner_id)).all()) - {None}
                assert len(owners) == brokers
        finally:
            engine.dispose()
