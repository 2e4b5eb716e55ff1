"""The agreement service: creating with signatories, what the form refuses, edits with
history and edit conflicts, the company's letter-of-intent summary, renewing and ending
agreements, erased contacts and merged companies."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from app.agreements import service as agreements
from app.agreements.models import Agreement, AgreementKind, AgreementState
from app.agreements.service import AgreementForm, EditConflict
from app.clock import STOCKHOLM
from app.companies.models import AgreementStatus, Company
from app.contacts import service as contacts
from app.errors import Conflict, Forbidden, ValidationFailed
from app.history.models import AuditEvent
from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.factories import make_company, make_user

D = dt.date


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def cia(session, clock):
    return make_user(session, clock, role="broker", full_name="Cia Lind")


@pytest.fixture
def company(session, clock, bo):
    return make_company(session, clock, user=bo, name="Ängelholms Bygg AB")


@pytest.fixture
def eva(session, clock, company, bo):
    return make_contact(session, clock, company, bo, name="Eva Berg")


@pytest.fixture
def olle(session, clock, company, bo):
    return make_contact(session, clock, company, bo, name="Olle Ahl")


def create(session, clock, company, user, **fields):
    agreement = agreements.create(
        company, AgreementForm(**fields), user=user, session=session, clock=clock
    )
    session.commit()
    return agreement


def edit_form(session, agreement):
    return AgreementForm.from_agreement(
        agreement, agreements.signatory_ids(agreement.id, session=session)
    )


def events(session, agreement_id):
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "agreement", AuditEvent.entity_id == agreement_id)
        .order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()


def stored_summary(session, company):
    """The company's letter of intent and version as the table holds them."""
    return session.exec(
        select(Company.agreement_status, Company.agreement_date, Company.version).where(
            Company.id == company.id
        )
    ).one()


def ids(*records):
    return [str(record.id) for record in records]


# --- creating ---------------------------------------------------------------------------


def test_create_saves_the_agreement_its_signatories_and_history(
    session, clock, company, bo, eva, olle
):
    agreement = create(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        state="signed",
        sent_on="2026-02-10",
        signed_on="2026-02-20",
        valid_from="2026-03-01",
        valid_to="2027-02-28",
        unit_signatory_id=str(bo.id),
        signatory_ids=ids(olle, eva),
        notes="  Två praktikplatser per termin  ",
    )
    assert (agreement.kind, agreement.state) == (AgreementKind.cooperation, AgreementState.signed)
    assert (agreement.sent_on, agreement.signed_on) == (D(2026, 2, 10), D(2026, 2, 20))
    assert (agreement.valid_from, agreement.valid_to) == (D(2026, 3, 1), D(2027, 2, 28))
    assert agreement.notes == "Två praktikplatser per termin"
    assert (agreement.created_by_id, agreement.created_at) == (bo.id, clock.now())
    assert agreement.version == 1
    assert agreements.signatory_ids(agreement.id, session=session) == sorted([eva.id, olle.id])

    [view] = agreements.views([agreement], session=session, clock=clock)
    assert [person.name for person in view.signatories] == ["Eva Berg", "Olle Ahl"]
    assert view.unit_signatory == "Bo Ek"
    assert not view.renewed

    [event] = events(session, agreement.id)
    assert (event.action, event.company_id, event.user_id) == ("create", company.id, bo.id)
    assert event.changes == {
        "kind": [None, "cooperation"],
        "state": [None, "signed"],
        "sent_on": [None, "2026-02-10"],
        "signed_on": [None, "2026-02-20"],
        "valid_from": [None, "2026-03-01"],
        "valid_to": [None, "2027-02-28"],
        "notes": [None, "Två praktikplatser per termin"],
        "unit_signatory": [None, "Bo Ek"],
        "signatories": [None, 2],
    }
    # History counts the company's signatories; their names only live in the contacts.
    assert "Eva" not in str(event.changes) and "Olle" not in str(event.changes)


def test_a_new_form_is_a_draft_letter_of_intent_signed_by_the_broker_who_writes_it(
    session, clock, bo
):
    viewer = make_user(session, clock, role="viewer")
    form = agreements.new_form(bo)
    assert (form.kind, form.state, form.unit_signatory_id) == (
        "letter_of_intent",
        "draft",
        str(bo.id),
    )
    assert agreements.new_form(viewer).unit_signatory_id == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "hyresavtal"}, "kind"),
        ({"state": "makulerat"}, "state"),
        ({"state": "signed"}, "signed_on"),
        ({"state": "signed", "sent_on": "2026-02-01"}, "signed_on"),
        ({"state": "sent"}, "sent_on"),
        ({"state": "sent", "sent_on": "2026-02-30"}, "sent_on"),
        ({"valid_from": "2026-06-01", "valid_to": "2026-05-31"}, "valid_to"),
        # Neither sent nor signed in the future (today is Monday 2 March 2026).
        ({"state": "sent", "sent_on": "2026-03-03"}, "sent_on"),
        ({"state": "sent", "sent_on": "imorgon"}, "sent_on"),
        ({"state": "signed", "signed_on": "2026-03-03"}, "signed_on"),
        ({"state": "draft", "signed_on": "2027-01-01"}, "signed_on"),
        ({"signatory_ids": ["999999"]}, "signatory_ids"),
        ({"signatory_ids": ["Eva"]}, "signatory_ids"),
        ({"assignment_id": "999999"}, "assignment_id"),
        ({"unit_signatory_id": "999999"}, "unit_signatory_id"),
    ],
)
def test_create_refuses_what_does_not_fit(session, clock, company, bo, fields, field):
    with pytest.raises(ValidationFailed) as refused:
        agreements.create(company, AgreementForm(**fields), user=bo, session=session, clock=clock)
    assert refused.value.field == field
    session.rollback()
    assert session.exec(select(Agreement)).all() == []


def test_sent_and_signed_today_are_accepted_by_the_stockholm_date(session, clock, company, bo):
    agreement = create(
        session, clock, company, bo, state="signed", sent_on="idag", signed_on="2026-03-02"
    )
    assert (agreement.sent_on, agreement.signed_on) == (D(2026, 3, 2), D(2026, 3, 2))
    # 23:30 UTC on 2 March is already 3 March in Stockholm.
    clock.set(dt.datetime(2026, 3, 3, 0, 30, tzinfo=STOCKHOLM))
    assert clock.now().date() == D(2026, 3, 2)
    later = create(session, clock, company, bo, state="signed", signed_on="2026-03-03")
    assert later.signed_on == D(2026, 3, 3)


def test_signatories_are_the_companys_own_contacts(session, clock, company, bo, eva):
    other = make_company(session, clock, user=bo, name="Båstads Bageri AB")
    stranger = make_contact(session, clock, other, bo, name="Siv Stål")
    with pytest.raises(ValidationFailed) as refused:
        create(session, clock, company, bo, signatory_ids=ids(eva, stranger))
    assert refused.value.field == "signatory_ids"
    session.rollback()
    # The same contact twice is one signatory.
    agreement = create(session, clock, company, bo, signatory_ids=[*ids(eva), *ids(eva)])
    assert agreements.signatory_ids(agreement.id, session=session) == [eva.id]


def test_the_assignment_is_one_of_the_companys_own(session, clock, company, bo):
    other = make_company(session, clock, user=bo, name="Båstads Bageri AB")
    theirs = make_assignment(session, clock, other, bo, occupation="Bagare")
    ours = make_assignment(session, clock, company, bo, occupation="Snickare")
    with pytest.raises(ValidationFailed) as refused:
        create(session, clock, company, bo, assignment_id=str(theirs.id))
    assert refused.value.field == "assignment_id"
    session.rollback()
    agreement = create(session, clock, company, bo, assignment_id=str(ours.id))
    [view] = agreements.views([agreement], session=session, clock=clock)
    assert view.assignment == "Snickare"


def test_the_unit_signs_by_an_active_broker_or_admin_and_keeps_one_who_left(
    session, clock, company, bo, cia
):
    viewer = make_user(session, clock, role="viewer")
    gone = make_user(session, clock, role="broker", is_active=False)
    for user in (viewer, gone):
        with pytest.raises(ValidationFailed) as refused:
            create(session, clock, company, bo, unit_signatory_id=str(user.id))
        assert refused.value.field == "unit_signatory_id"
        session.rollback()
    agreement = create(session, clock, company, bo, unit_signatory_id=str(cia.id))
    cia.is_active = False
    session.add(cia)
    session.commit()
    form = edit_form(session, agreement)
    form.notes = "Cia har slutat"
    agreements.update(agreement, form, user=bo, session=session, clock=clock)
    assert agreement.unit_signatory_id == cia.id


def test_a_viewer_may_not_create_edit_or_delete(session, clock, company, bo):
    viewer = make_user(session, clock, role="viewer")
    assert not agreements.may_edit(viewer) and agreements.may_edit(bo)
    with pytest.raises(Forbidden):
        agreements.create(company, AgreementForm(), user=viewer, session=session, clock=clock)
    assert session.exec(select(Agreement)).all() == []
    agreement = create(session, clock, company, bo)
    form = edit_form(session, agreement)
    form.notes = "Tittar bara"
    with pytest.raises(Forbidden):
        agreements.update(agreement, form, user=viewer, session=session, clock=clock)
    with pytest.raises(Forbidden):
        agreements.delete(agreement, user=viewer, session=session, clock=clock)
    session.rollback()
    session.refresh(agreement)
    assert (agreement.notes, agreement.version) == ("", 1)


def test_an_archived_company_takes_no_new_agreement(session, clock, company, bo):
    from app.companies import service as companies

    companies.archive(company, user=bo, session=session, clock=clock)
    with pytest.raises(Conflict):
        create(session, clock, company, bo)


# --- editing ----------------------------------------------------------------------------


def test_update_records_what_changed_and_bumps_the_version(session, clock, company, bo, eva, olle):
    ada = make_contact(session, clock, company, bo, name="Ada Holm")
    agreement = create(
        session, clock, company, bo, kind="internship", signatory_ids=ids(eva), notes="Utkast"
    )
    # Saving it as it is changes nothing and records nothing.
    agreements.update(
        agreement, edit_form(session, agreement), user=bo, session=session, clock=clock
    )
    session.commit()
    assert agreement.version == 1 and len(events(session, agreement.id)) == 1

    clock.advance(dt.timedelta(hours=2))
    edited = edit_form(session, agreement)
    edited.state, edited.sent_on, edited.valid_to = "sent", "2026-02-27", "2027-03-31"
    edited.signatory_ids = ids(eva, olle)
    agreements.update(agreement, edited, user=bo, session=session, clock=clock)
    session.commit()
    assert (agreement.version, agreement.updated_at) == (2, clock.now())
    assert events(session, agreement.id)[-1].changes == {
        "state": ["draft", "sent"],
        "sent_on": [None, "2026-02-27"],
        "valid_to": [None, "2027-03-31"],
        "signatories": [1, 2],
    }
    assert agreements.signatory_ids(agreement.id, session=session) == sorted([eva.id, olle.id])

    # Others signing, as many as before: history says the signatories changed.
    clock.advance(dt.timedelta(minutes=5))
    swapped = edit_form(session, agreement)
    swapped.signatory_ids = ids(olle, ada)
    agreements.update(agreement, swapped, user=bo, session=session, clock=clock)
    session.commit()
    assert agreement.version == 3
    last = events(session, agreement.id)[-1]
    assert (last.action, last.changes, last.version) == ("update", {"signatories": [2, 2]}, 3)
    assert agreements.signatory_ids(agreement.id, session=session) == sorted([olle.id, ada.id])


def test_an_edit_from_an_older_version_is_a_conflict_that_keeps_the_others_changes(
    session, clock, company, bo, cia, eva
):
    agreement = create(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        notes="Första utkastet",
        valid_to="2026-12-31",
    )
    mine = edit_form(session, agreement)
    theirs = edit_form(session, agreement)
    theirs.notes, theirs.valid_to = "Eva vill ha två exemplar", "2027-06-30"
    theirs.signatory_ids = ids(eva)
    theirs.unit_signatory_id = str(cia.id)
    agreements.update(agreement, theirs, user=cia, session=session, clock=clock)
    session.commit()

    mine.state, mine.sent_on = "sent", "2026-03-01"
    mine.valid_to = "2027-01-31"  # both changed it: the user's value stays
    with pytest.raises(EditConflict) as conflict:
        agreements.update(agreement, mine, user=bo, session=session, clock=clock)
    session.rollback()
    assert [entry.user_name for entry in conflict.value.changes] == ["Cia Lind"]
    assert conflict.value.current.version == 2

    rebased = agreements.rebase(mine, conflict.value, session=session)
    assert rebased.notes == "Eva vill ha två exemplar"
    assert rebased.signatory_ids == ids(eva)
    assert rebased.unit_signatory_id == str(cia.id)
    assert (rebased.state, rebased.sent_on, rebased.valid_to) == (
        "sent",
        "2026-03-01",
        "2027-01-31",
    )
    assert rebased.version == 2
    agreements.update(agreement, rebased, user=bo, session=session, clock=clock)
    session.commit()
    assert (agreement.state, agreement.notes, agreement.valid_to) == (
        AgreementState.sent,
        "Eva vill ha två exemplar",
        D(2027, 1, 31),
    )
    assert agreement.unit_signatory_id == cia.id
    assert agreements.signatory_ids(agreement.id, session=session) == [eva.id]
    assert agreement.version == 3


def test_rebase_keeps_the_others_assignment_where_the_user_left_it(
    session, clock, company, bo, cia
):
    """The other picked the assignment, the user only wrote a note: saving the rebased form
    must not undo the other's pick (history names the assignment by its occupation)."""
    chef = make_assignment(session, clock, company, bo, occupation="Kock")
    agreement = create(session, clock, company, bo, kind="recruitment")
    mine = edit_form(session, agreement)
    theirs = edit_form(session, agreement)
    theirs.assignment_id = str(chef.id)
    agreements.update(agreement, theirs, user=cia, session=session, clock=clock)
    session.commit()
    mine.notes = "Ring efter lunch"
    with pytest.raises(EditConflict) as conflict:
        agreements.update(agreement, mine, user=bo, session=session, clock=clock)
    session.rollback()
    rebased = agreements.rebase(mine, conflict.value, session=session)
    assert (rebased.assignment_id, rebased.notes) == (str(chef.id), "Ring efter lunch")


def test_a_save_that_lands_between_reading_and_writing_is_an_edit_conflict(
    session, clock, company, bo, cia
):
    """Both read version 1; the other saves first. The version column refuses our UPDATE."""
    agreement = create(session, clock, company, bo)
    theirs = edit_form(session, agreement)
    theirs.notes = "Någon annans"
    agreements.update(agreement, theirs, user=cia, session=session, clock=clock)
    session.commit()
    set_committed_value(agreement, "version", 1)  # what we read before they saved

    mine = AgreementForm(notes="Mitt tillägg", version=1)
    with pytest.raises(EditConflict) as conflict:
        agreements.update(agreement, mine, user=bo, session=session, clock=clock)
    assert [entry.user_name for entry in conflict.value.changes] == ["Cia Lind"]
    assert (conflict.value.current.notes, conflict.value.current.version) == ("Någon annans", 2)


def test_delete_keeps_what_was_removed_in_history_and_frees_what_renewed_it(
    session, clock, company, bo, eva
):
    old = create(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        state="signed",
        signed_on="2025-03-01",
        valid_from="2025-03-01",
        valid_to="2026-03-31",
        signatory_ids=ids(eva),
    )
    renewal = agreements.create(
        company, agreements.renew_form(old, session=session), user=bo, session=session, clock=clock
    )
    session.commit()
    old_id = old.id
    agreements.delete(old, user=bo, session=session, clock=clock)
    session.commit()
    assert session.get(Agreement, old_id) is None
    assert agreements.signatory_ids(old_id, session=session) == []
    session.refresh(renewal)
    assert renewal.renews_id is None
    last = events(session, old_id)[-1]
    assert (last.action, last.company_id) == ("delete", company.id)
    assert last.changes == {
        "kind": ["cooperation", None],
        "state": ["signed", None],
        "signed_on": ["2025-03-01", None],
        "valid_from": ["2025-03-01", None],
        "valid_to": ["2026-03-31", None],
        "signatories": [1, None],
    }


# --- the company's letter of intent -----------------------------------------------------


def test_the_companys_letter_of_intent_follows_its_letters_of_intent(session, clock, company, bo):
    version = company.version

    def summary():
        status, day, stored_version = stored_summary(session, company)
        assert stored_version == version, "saving an agreement made the company form stale"
        assert (company.agreement_status, company.agreement_date) == (status, day)
        return status, day

    assert summary() == (AgreementStatus.none, None)
    first = create(session, clock, company, bo, state="sent", sent_on="2026-01-10")
    assert summary() == (AgreementStatus.sent, D(2026, 1, 10))
    second = create(session, clock, company, bo, state="sent", sent_on="2026-02-01")
    assert summary() == (AgreementStatus.sent, D(2026, 2, 1))
    # A draft, and agreements of other kinds, do not count.
    draft = create(session, clock, company, bo, state="draft")
    create(session, clock, company, bo, kind="cooperation", state="signed", signed_on="2026-02-20")
    assert summary() == (AgreementStatus.sent, D(2026, 2, 1))
    # Signed beats sent, even sent later; the latest signing day.
    older = create(session, clock, company, bo, state="signed", signed_on="2025-06-01")
    assert summary() == (AgreementStatus.signed, D(2025, 6, 1))
    later = create(session, clock, company, bo, state="signed", signed_on="2025-11-11")
    assert summary() == (AgreementStatus.signed, D(2025, 11, 11))

    form = edit_form(session, later)
    form.signed_on = "2025-09-09"
    agreements.update(later, form, user=bo, session=session, clock=clock)
    session.commit()
    assert summary() == (AgreementStatus.signed, D(2025, 9, 9))
    form = edit_form(session, first)
    form.state, form.signed_on = "signed", "2025-10-10"
    agreements.update(first, form, user=bo, session=session, clock=clock)
    session.commit()
    assert summary() == (AgreementStatus.signed, D(2025, 10, 10))

    for agreement in (first, later, older):
        agreements.delete(agreement, user=bo, session=session, clock=clock)
        session.commit()
    assert summary() == (AgreementStatus.sent, D(2026, 2, 1))
    agreements.delete(second, user=bo, session=session, clock=clock)
    session.commit()
    assert summary() == (AgreementStatus.none, None)
    # A letter of intent becoming another kind leaves the summary too.
    form = edit_form(session, draft)
    form.state, form.sent_on = "sent", "2026-02-15"
    agreements.update(draft, form, user=bo, session=session, clock=clock)
    session.commit()
    assert summary() == (AgreementStatus.sent, D(2026, 2, 15))
    form = edit_form(session, draft)
    form.kind = "other"
    agreements.update(draft, form, user=bo, session=session, clock=clock)
    session.commit()
    assert summary() == (AgreementStatus.none, None)


def test_the_loaded_company_shows_the_new_summary_before_any_commit(session, clock, company, bo):
    assert company.agreement_status == AgreementStatus.none
    agreements.create(
        company,
        AgreementForm(state="signed", signed_on="2026-02-02"),
        user=bo,
        session=session,
        clock=clock,
    )
    assert (company.agreement_status, company.agreement_date) == (
        AgreementStatus.signed,
        D(2026, 2, 2),
    )
    assert company.version == 1


def test_a_letter_of_intent_from_a_sheet_is_an_agreement(session, clock, company, bo):
    assert (
        agreements.record_letter_of_intent(
            company, AgreementStatus.none, None, user=bo, session=session, clock=clock
        )
        is None
    )
    sent = agreements.record_letter_of_intent(
        company, AgreementStatus.sent, D(2025, 4, 4), user=bo, session=session, clock=clock
    )
    signed = agreements.record_letter_of_intent(
        company, AgreementStatus.signed, D(2025, 8, 8), user=None, session=session, clock=clock
    )
    session.commit()
    assert (sent.kind, sent.state, sent.sent_on, sent.signed_on) == (
        AgreementKind.letter_of_intent,
        AgreementState.sent,
        D(2025, 4, 4),
        None,
    )
    assert (signed.state, signed.sent_on, signed.signed_on) == (
        AgreementState.signed,
        None,
        D(2025, 8, 8),
    )
    assert stored_summary(session, company) == (AgreementStatus.signed, D(2025, 8, 8), 1)
    assert events(session, signed.id)[0].changes == {
        "kind": [None, "letter_of_intent"],
        "state": [None, "signed"],
        "signed_on": [None, "2025-08-08"],
    }


# --- renewing and ending ----------------------------------------------------------------


def test_renewing_copies_the_agreement_into_a_draft_from_the_day_after_it_ends(
    session, clock, company, bo, cia, eva, olle
):
    assignment = make_assignment(session, clock, company, bo, occupation="Snickare")
    old = create(
        session,
        clock,
        company,
        bo,
        kind="recruitment",
        state="signed",
        sent_on="2025-02-10",
        signed_on="2025-02-20",
        valid_from="2025-03-01",
        valid_to="2026-02-28",
        assignment_id=str(assignment.id),
        unit_signatory_id=str(cia.id),
        signatory_ids=ids(eva, olle),
        notes="Två platser per termin",
    )
    renewal = agreements.renew_form(old, session=session)
    assert renewal.model_dump() == {
        "kind": "recruitment",
        "state": "draft",
        "sent_on": "",
        "signed_on": "",
        "valid_from": "2026-03-01",
        # As long as the old one: 1 March to 28 February.
        "valid_to": "2027-02-28",
        "assignment_id": str(assignment.id),
        "unit_signatory_id": str(cia.id),
        "signatory_ids": [str(i) for i in sorted([eva.id, olle.id])],
        "notes": "Två platser per termin",
        "renews_id": str(old.id),
        "version": None,
    }
    new = agreements.create(company, renewal, user=bo, session=session, clock=clock)
    session.commit()
    assert new.renews_id == old.id
    assert (new.kind, new.state, new.valid_from) == (
        AgreementKind.recruitment,
        AgreementState.draft,
        D(2026, 3, 1),
    )
    assert agreements.signatory_ids(new.id, session=session) == sorted([eva.id, olle.id])


def test_renewing_without_a_known_length(session, clock, company, bo):
    open_ended = create(session, clock, company, bo, kind="other", valid_from="2025-01-01")
    until = create(session, clock, company, bo, kind="other", valid_to="2026-06-30")
    renewal = agreements.renew_form(open_ended, session=session)
    assert (renewal.valid_from, renewal.valid_to) == ("", "")
    renewal = agreements.renew_form(until, session=session)
    assert (renewal.valid_from, renewal.valid_to) == ("2026-07-01", "")


def test_a_renewal_names_an_agreement_of_the_same_company_only(session, clock, company, bo):
    other = make_company(session, clock, user=bo, name="Båstads Bageri AB")
    theirs = create(session, clock, other, bo, kind="other")
    agreement = create(session, clock, company, bo, kind="other", renews_id=str(theirs.id))
    assert agreement.renews_id is None


def test_a_signed_agreement_valid_to_within_30_days_and_not_renewed_is_ending(
    session, clock, company, bo
):
    """Today is Monday 2 March 2026: 30 days on is 1 April."""

    def signed_until(valid_to):
        return create(
            session,
            clock,
            company,
            bo,
            kind="cooperation",
            state="signed",
            signed_on="2025-03-01",
            valid_to=valid_to,
        )

    today = signed_until("2026-03-02")
    soon = signed_until("2026-03-20")
    last_day = signed_until("2026-04-01")
    later = signed_until("2026-04-02")
    over = signed_until("2026-03-01")
    renewed = signed_until("2026-03-25")
    renewal = agreements.create(
        company,
        agreements.renew_form(renewed, session=session),
        user=bo,
        session=session,
        clock=clock,
    )
    unsigned = create(
        session, clock, company, bo, state="sent", sent_on="2026-02-01", valid_to="2026-03-10"
    )
    session.commit()

    shown = agreements.views(
        [today, soon, last_day, later, over, renewed, renewal, unsigned],
        session=session,
        clock=clock,
    )
    assert {view.agreement.id: view.ending for view in shown} == {
        today.id: True,
        soon.id: True,
        last_day.id: True,
        later.id: False,
        over.id: False,
        renewed.id: False,
        renewal.id: False,
        unsigned.id: False,
    }
    assert [view.agreement.id for view in shown if view.renewed] == [renewed.id]
    # The renewal's draft deleted, the old agreement is ending again.
    agreements.delete(renewal, user=bo, session=session, clock=clock)
    session.commit()
    [view] = agreements.views([renewed], session=session, clock=clock)
    assert (view.ending, view.renewed) == (True, False)
    # Three days on, the one valid to 2 April is ending too.
    clock.advance(dt.timedelta(days=3))
    assert [v.ending for v in agreements.views([later], session=session, clock=clock)] == [True]


# --- contacts and companies going away --------------------------------------------------


def test_erasing_or_deleting_a_contact_removes_them_from_the_signatories(
    session, clock, company, bo, eva, olle
):
    agreement = create(session, clock, company, bo, signatory_ids=ids(eva, olle))
    contacts.erase(eva, user=bo, session=session, clock=clock)
    session.commit()
    assert agreements.signatory_ids(agreement.id, session=session) == [olle.id]
    [view] = agreements.views([agreement], session=session, clock=clock)
    assert [person.name for person in view.signatories] == ["Olle Ahl"]
    assert all("Eva" not in str(event.changes) for event in events(session, agreement.id))

    contacts.delete(olle, user=bo, session=session, clock=clock)
    session.commit()
    assert agreements.signatory_ids(agreement.id, session=session) == []
    session.refresh(agreement)
    assert agreement.version == 1


def test_moving_agreements_to_the_kept_company_keeps_both_summaries(session, clock, company, bo):
    other = make_company(session, clock, user=bo, name="Ängelholms Byggnads AB")
    siv = make_contact(session, clock, other, bo, name="Siv Stål")
    signed = create(
        session, clock, other, bo, state="signed", signed_on="2025-05-05", signatory_ids=ids(siv)
    )
    cooperation = create(session, clock, other, bo, kind="cooperation")
    sent = create(session, clock, company, bo, state="sent", sent_on="2026-01-15")
    versions = (company.version, other.version)
    assert stored_summary(session, other)[:2] == (AgreementStatus.signed, D(2025, 5, 5))
    assert stored_summary(session, company)[:2] == (AgreementStatus.sent, D(2026, 1, 15))

    moved = agreements.move(other, company, user=bo, session=session, clock=clock)
    session.commit()

    assert moved == 2
    assert {a.id for a in agreements.for_company(company.id, session=session)} == {
        signed.id,
        cooperation.id,
        sent.id,
    }
    assert agreements.for_company(other.id, session=session) == []
    assert stored_summary(session, company) == (
        AgreementStatus.signed,
        D(2025, 5, 5),
        versions[0],
    )
    assert stored_summary(session, other) == (AgreementStatus.none, None, versions[1])
    last = events(session, signed.id)[-1]
    assert (last.action, last.company_id, last.changes) == (
        "update",
        company.id,
        {"merged_from": [None, "Ängelholms Byggnads AB"]},
    )
    assert agreements.signatory_ids(signed.id, session=session) == [siv.id]
    assert agreements.move(other, company, user=bo, session=session, clock=clock) == 0
