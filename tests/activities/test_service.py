"""The call log's rules: validation, follow-up quick choices on the clock, who may change
what, edit conflicts, history, the company's last contact and next follow-up, merge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlmodel import select

from app import dates
from app.activities import service as activities
from app.activities.models import Activity, ActivityKind
from app.companies.models import Company
from app.contacts import service as contacts
from app.errors import Conflict, Forbidden, ValidationFailed
from app.history.models import AuditEvent
from app.moves import merge as merging
from tests.activities.factories import make_activity
from tests.contacts.factories import make_contact
from tests.factories import make_company, make_user

UTC = dt.UTC


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", full_name="Bo Ek")


@pytest.fixture
def company(session, clock, broker):
    return make_company(session, clock, user=broker, name="Ängelholms Bygg AB")


def fresh(session, company):
    session.expire_all()
    return session.get(Company, company.id)


def test_quick_follow_ups_count_from_today_in_stockholm(clock):
    # START is Monday 2 March 2026, 09:00 in Stockholm.
    assert activities.quick_follow_up("tomorrow", clock=clock) == dt.date(2026, 3, 3)
    assert activities.quick_follow_up("week", clock=clock) == dt.date(2026, 3, 9)
    assert activities.quick_follow_up("month", clock=clock) == dt.date(2026, 4, 2)
    # 23:30 UTC on 2 March is already 3 March in Stockholm.
    clock.set(dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    assert activities.quick_follow_up("tomorrow", clock=clock) == dt.date(2026, 3, 4)
    assert activities.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert activities.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_create_defaults_to_now_and_records_history(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker, outcome="Vill ha två praktikanter")
    assert activity.kind == ActivityKind.call
    assert activity.occurred_at == clock.now()
    assert activity.user_id == broker.id
    assert activity.follow_up_on is None
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "activity")).one()
    assert (event.action, event.entity_id, event.company_id) == ("create", activity.id, company.id)
    assert event.changes["notes"] == [None, "Ringde om praktikplatser"]
    assert event.changes["kind"] == [None, "call"]


def test_time_is_typed_in_stockholm_and_stored_in_utc(session, clock, company, broker):
    activity = make_activity(
        session, clock, company, broker, kind="meeting", occurred_at="2026-03-01T14:30"
    )
    assert activity.occurred_at == dt.datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    # The form shows it back in Stockholm time.
    assert activities.ActivityForm.from_activity(activity).occurred_at == "2026-03-01 14:30"


def test_follow_up_quick_choice_wins_over_a_typed_date(session, clock, company, broker):
    activity = make_activity(
        session, clock, company, broker, follow_up="week", follow_up_on="2026-05-01"
    )
    assert activity.follow_up_on == dt.date(2026, 3, 9)
    typed = make_activity(session, clock, company, broker, follow_up_on="2026-05-01")
    assert typed.follow_up_on == dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "note", "notes": " ", "outcome": ""}, "notes", "Skriv något i anteckningen."),
        ({"kind": "party"}, "kind", "Välj vad det var för kontakt."),
        (
            {"follow_up_on": "2026-03-01"},
            "follow_up_on",
            "Datumet för återkoppling har redan passerat.",
        ),
        ({"follow_up_on": "mars"}, "follow_up_on", dates.UNREADABLE),
        ({"follow_up_on": "31/2"}, "follow_up_on", dates.NO_SUCH_DATE),
        (
            {"occurred_at": "2026-03-02T09:05"},
            "occurred_at",
            "Tidpunkten kan inte ligga i framtiden.",
        ),
        ({"occurred_at": "snart"}, "occurred_at", dates.UNREADABLE_MOMENT),
        ({"occurred_at": "i dag 25:00"}, "occurred_at", dates.UNREADABLE_MOMENT),
        ({"occurred_at": "i morgon"}, "occurred_at", "Tidpunkten kan inte ligga i framtiden."),
        ({"outcome": "x" * 201}, "outcome", "Texten är för lång (högst %(max)s tecken)."),
        ({"contact_id": "999999"}, "contact_id", "Välj en kontaktperson på företaget."),
    ],
)
def test_invalid_input_is_refused_in_swedish(
    session, clock, company, broker, fields, field, message
):
    with pytest.raises(ValidationFailed) as refused:
        activities.create(
            company, activities.ActivityForm(**fields), user=broker, session=session, clock=clock
        )
    assert (refused.value.field, refused.value.message) == (field, message)


def test_a_note_needs_only_an_outcome_or_notes_and_today_is_a_valid_follow_up(
    session, clock, company, broker
):
    note = make_activity(
        session,
        clock,
        company,
        broker,
        kind="note",
        notes="",
        outcome="Bra möte",
        follow_up_on="2026-03-02",
    )
    assert (note.kind, note.follow_up_on) == (ActivityKind.note, dt.date(2026, 3, 2))


def test_the_contact_must_belong_to_the_company(session, clock, company, broker):
    elsewhere = make_company(session, clock, user=broker, name="Annat AB")
    stranger = make_contact(session, clock, elsewhere, broker, name="Främling")
    with pytest.raises(ValidationFailed) as refused:
        make_activity(session, clock, company, broker, contact_id=str(stranger.id))
    assert refused.value.field == "contact_id"
    mine = make_contact(session, clock, company, broker, name="Åsa Öberg")
    activity = make_activity(session, clock, company, broker, contact_id=str(mine.id))
    assert (activity.contact_id, activity.had_contact) == (mine.id, True)


def test_an_archived_company_gets_no_new_activities(session, clock, company, broker):
    from app.companies import service as companies

    companies.archive(company, user=broker, session=session, clock=clock)
    with pytest.raises(Conflict):
        make_activity(session, clock, company, broker)


def test_only_the_author_or_an_admin_changes_an_activity(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker)
    colleague = make_user(session, clock, role="broker")
    admin = make_user(session, clock, role="admin")
    form = activities.ActivityForm.from_activity(activity)
    form.notes = "Ändrat av kollegan"
    for action in (
        lambda: activities.update(activity, form, user=colleague, session=session, clock=clock),
        lambda: activities.delete(activity, user=colleague, session=session, clock=clock),
    ):
        with pytest.raises(Forbidden) as refused:
            action()
        assert refused.value.http_status == 403
    form.notes = "Ändrat av administratören"
    activities.update(activity, form, user=admin, session=session, clock=clock)
    assert activity.notes == "Ändrat av administratören"
    assert activity.user_id == broker.id  # the author stays the author


def test_update_records_only_what_changed_and_bumps_the_version(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker)
    form = activities.ActivityForm.from_activity(activity)
    assert activities.update(activity, form, user=broker, session=session, clock=clock).version == 1
    form.outcome = "Återkommer"
    form.kind = "email"
    activities.update(activity, form, user=broker, session=session, clock=clock)
    session.commit()
    assert activity.version == 2
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "activity", AuditEvent.action == "update")
    ).one()
    assert event.changes == {"kind": ["call", "email"], "outcome": [None, "Återkommer"]}
    assert event.version == 2


def test_saving_over_a_newer_version_is_a_conflict(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker)
    theirs = activities.ActivityForm.from_activity(activity)
    mine = activities.ActivityForm.from_activity(activity)
    theirs.outcome = "Deras utfall"
    activities.update(activity, theirs, user=broker, session=session, clock=clock)
    session.commit()
    mine.outcome = "Mitt utfall"
    with pytest.raises(activities.EditConflict) as conflict:
        activities.update(activity, mine, user=broker, session=session, clock=clock)
    assert conflict.value.http_status == 409
    assert [e.event.changes for e in conflict.value.changes] == [
        {"outcome": [None, "Deras utfall"]}
    ]


def test_a_save_that_loses_the_race_is_a_conflict_too(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker)
    form = activities.ActivityForm.from_activity(activity)
    # Someone else's save lands between our read and our write.
    session.execute(update(Activity).where(Activity.id == activity.id).values(version=2))
    form.outcome = "Mitt utfall"
    with pytest.raises(activities.EditConflict):
        activities.update(activity, form, user=broker, session=session, clock=clock)


def test_last_contact_and_next_follow_up_follow_the_activities(session, clock, company, broker):
    version = company.version
    assert (company.last_contact_at, company.next_follow_up_on) == (None, None)

    # A note is not contact with the company, but its follow-up counts.
    note = make_activity(session, clock, company, broker, kind="note", follow_up="month")
    assert (fresh(session, company).last_contact_at, fresh(session, company).next_follow_up_on) == (
        None,
        dt.date(2026, 4, 2),
    )
    call = make_activity(
        session, clock, company, broker, occurred_at="2026-02-20T10:00", follow_up="tomorrow"
    )
    visit = make_activity(
        session, clock, company, broker, kind="visit", occurred_at="2026-02-25T13:00"
    )
    current = fresh(session, company)
    assert current.last_contact_at == dt.datetime(2026, 2, 25, 12, 0, tzinfo=UTC)
    assert current.next_follow_up_on == dt.date(2026, 3, 3)
    # Logging never bumps the company's version: an open company form stays valid.
    assert current.version == version

    # Done follow-ups no longer count; edits and deletes recompute.
    activities.complete_follow_up(call, user=broker, session=session, clock=clock)
    assert fresh(session, company).next_follow_up_on == dt.date(2026, 4, 2)
    activities.delete(visit, user=broker, session=session, clock=clock)
    assert fresh(session, company).last_contact_at == dt.datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    form = activities.ActivityForm.from_activity(note)
    form.follow_up_on = ""
    activities.update(note, form, user=broker, session=session, clock=clock)
    current = fresh(session, company)
    assert current.next_follow_up_on is None
    assert current.version == version


def test_last_activity_counts_every_kind(session, clock, company, broker):
    assert fresh(session, company).last_activity_at is None
    call = make_activity(session, clock, company, broker, occurred_at="2026-02-20T10:00")
    assert fresh(session, company).last_activity_at == dt.datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    # A note is no contact, but it is activity (Min dag's colleagues' activities).
    note = make_activity(session, clock, company, broker, kind="note")
    assert fresh(session, company).last_activity_at == note.occurred_at == clock.now()
    assert fresh(session, company).last_contact_at == call.occurred_at
    activities.delete(note, user=broker, session=session, clock=clock)
    assert fresh(session, company).last_activity_at == call.occurred_at
    activities.delete(call, user=broker, session=session, clock=clock)
    assert fresh(session, company).last_activity_at is None


def test_a_new_follow_up_date_is_not_done(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker, follow_up="tomorrow")
    activities.complete_follow_up(activity, user=broker, session=session, clock=clock)
    assert activity.follow_up_done_at == clock.now()
    form = activities.ActivityForm.from_activity(activity)
    form.follow_up = "week"
    activities.update(activity, form, user=broker, session=session, clock=clock)
    assert (activity.follow_up_on, activity.follow_up_done_at) == (dt.date(2026, 3, 9), None)
    assert fresh(session, company).next_follow_up_on == dt.date(2026, 3, 9)


def test_an_overdue_follow_up_can_be_kept_when_editing(session, clock, company, broker):
    activity = make_activity(session, clock, company, broker, follow_up="tomorrow")
    clock.advance(dt.timedelta(days=5))
    form = activities.ActivityForm.from_activity(activity)
    form.outcome = "Inget svar"
    activities.update(activity, form, user=broker, session=session, clock=clock)
    assert activity.follow_up_on == dt.date(2026, 3, 3)


@pytest.mark.parametrize("remove", ["delete", "erase"])
def test_a_removed_contact_reads_as_removed(session, clock, company, broker, remove):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    activity = make_activity(session, clock, company, broker, contact_id=str(contact.id))
    without = make_activity(session, clock, company, broker)
    getattr(contacts, remove)(contact, user=broker, session=session, clock=clock)
    session.commit()
    session.expire_all()
    entries = {e.activity.id: e for e in activities.timeline(company.id, session=session).entries}
    assert (entries[activity.id].contact_name, entries[activity.id].contact_removed) == (None, True)
    assert entries[without.id].contact_removed is False
    # Activity history never held the person's name.
    changes = session.exec(select(AuditEvent.changes).where(AuditEvent.entity == "activity")).all()
    assert "Åsa" not in repr(changes)


def test_timeline_is_newest_first_and_paged_without_counting(session, clock, company, broker):
    for day in range(1, 23):
        make_activity(session, clock, company, broker, occurred_at=f"2026-02-{day:02d}T10:00")
    first = activities.timeline(company.id, session=session)
    assert len(first.entries) == 20 and first.has_next
    assert first.entries[0].activity.occurred_at.day == 22
    assert first.entries[0].author_name == "Bo Ek"
    second = activities.timeline(company.id, page=2, session=session)
    assert [e.activity.occurred_at.day for e in second.entries] == [2, 1]
    assert not second.has_next


def test_merge_moves_activities_and_recomputes_the_kept_company(session, clock, broker):
    kept = make_company(session, clock, user=broker, name="Gamma AB")
    other = make_company(session, clock, user=broker, name="Gamma Aktiebolag")
    ola = make_contact(session, clock, other, broker, name="Ola")
    make_activity(session, clock, kept, broker, occurred_at="2026-01-10T10:00")
    moved = make_activity(
        session,
        clock,
        other,
        broker,
        contact_id=str(ola.id),
        occurred_at="2026-02-10T10:00",
        follow_up="tomorrow",
    )
    plan = merging.plan(kept, other, session=session)
    assert ("Kontakthändelser", ["2026-02-10"]) in [(m.label, m.names) for m in plan.moving]

    merging.merge(
        kept,
        other,
        kept_version=kept.version,
        other_version=other.version,
        user=broker,
        session=session,
        clock=clock,
    )
    session.commit()
    session.expire_all()
    assert session.get(Activity, moved.id).company_id == kept.id
    assert session.get(Activity, moved.id).contact_id == ola.id
    kept, other = session.get(Company, kept.id), session.get(Company, other.id)
    assert kept.last_contact_at == dt.datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    assert kept.next_follow_up_on == dt.date(2026, 3, 3)
    assert (other.last_contact_at, other.next_follow_up_on) == (None, None)
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "activity",
            AuditEvent.entity_id == moved.id,
            AuditEvent.action == "update",
        )
    ).one()
    assert (event.company_id, event.changes) == (
        kept.id,
        {"merged_from": [None, "Gamma Aktiebolag"]},
    )
