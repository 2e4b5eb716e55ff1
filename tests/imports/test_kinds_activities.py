"""Importing a call log: the 2023 sample sheet with both company policies, authors from the
people map, past follow-ups stored as done, problems per row and column, duplicates, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.activities import service as activities
from app.activities.models import Activity
from app.clock import STOCKHOLM
from app.companies.models import Company
from app.contacts.models import Contact
from app.imports import engine, undo
from app.imports.rows import Action
from tests.factories import make_company, make_user
from tests.imports.conftest import analysed, imported, sample
from tests.imports.test_engine import csv_bytes

LOG = "samtalslogg_2023.xlsx"
COMPANIES = "foretagskontakter_2019.csv"


@pytest.fixture
def register(session, clock, broker):
    """The 2019 company sheet imported first, and three of the log's six brokers as users."""
    imported(session, clock, broker, sample(COMPANIES), COMPANIES, "companies")
    return {
        name: make_user(session, clock, role="broker", full_name=name)
        for name in ("Sofie Ek", "Jonas Öhman", "Kajsa Lind")
    }


def test_the_call_log_with_unknown_companies_refused(session, clock, broker, register):
    companies_before = len(session.exec(select(Company)).all())
    job = imported(session, clock, broker, sample(LOG), LOG, "activities")
    assert job.error is None
    # 300 rows: 5 name an "Okänt Företag N AB"; 12 name one of the 5 companies whose row in
    # the company sheet failed (wrong check digit), so they are not in the register either.
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (
        283,
        0,
        0,
        17,
    )
    assert len(session.exec(select(Company)).all()) == companies_before
    failures = engine.failures(job, session=session)
    assert {f.problems[0]["column"] for f in failures} == {"Företag"}


def test_the_call_log_with_unknown_companies_created(session, clock, broker, register):
    companies_before = len(session.exec(select(Company)).all())
    job = imported(session, clock, broker, sample(LOG), LOG, "activities", company_policy="create")
    assert (job.created_count, job.skipped_count, job.failed_count) == (300, 0, 0)
    # The 5 "Okänt Företag" and the 5 companies the company sheet could not store.
    assert len(session.exec(select(Company)).all()) == companies_before + 10
    stored = session.exec(select(Activity)).all()
    kinds = {kind: sum(1 for a in stored if a.kind == kind) for kind in ("call", "meeting")}
    # "Samtal" 140, "samtal" 38, "Tel" 25; "Möte" 41.
    assert kinds == {"call": 203, "meeting": 41}
    # Authors: the three brokers who are users wrote 65 + 42 + 48 rows; the other 145
    # (Ahmed Nasser, Maria Åberg, Ilona Berg) are the importing user's.
    by_author = {
        u.full_name: sum(1 for a in stored if a.user_id == u.id) for u in register.values()
    }
    assert by_author == {"Sofie Ek": 42, "Jonas Öhman": 65, "Kajsa Lind": 48}
    assert sum(1 for a in stored if a.user_id == broker.id) == 145
    # Contact persons named in the log that the company did not have are created.
    assert session.exec(select(Contact).where(Contact.name == "Maud Ahmed")).all()


def test_dates_real_and_typed_as_text_at_noon_in_stockholm(session, clock, broker, register):
    imported(session, clock, broker, sample(LOG), LOG, "activities", company_policy="create")
    text_date = session.exec(
        select(Activity).join(Company).where(Company.name == "Okänt Företag 2 AB")
    ).one()  # '20/8/2023' in the sheet
    noon = dt.datetime(2023, 8, 20, 12, 0, tzinfo=STOCKHOLM)
    assert text_date.occurred_at == noon.astimezone(dt.UTC)
    assert text_date.follow_up_on == dt.date(2023, 9, 14)


@pytest.mark.parametrize("mark_done", [True, False])
def test_past_follow_ups_are_kept_and_marked_done(session, clock, broker, register, mark_done):
    imported(
        session,
        clock,
        broker,
        sample(LOG),
        LOG,
        "activities",
        company_policy="create",
        mark_past_follow_ups_done=mark_done,
    )
    with_follow_up = session.exec(select(Activity).where(Activity.follow_up_on.is_not(None))).all()
    assert len(with_follow_up) == 121  # every one of them before today (2026)
    done = [a for a in with_follow_up if a.follow_up_done_at is not None]
    assert len(done) == (121 if mark_done else 0)
    if mark_done:
        assert {a.follow_up_done_at for a in done} == {clock.now()}
        assert (
            session.exec(
                select(Company.next_follow_up_on).where(Company.next_follow_up_on.is_not(None))
            ).all()
            == []
        )


def test_preview_problems_per_row_and_column_in_swedish(session, clock, broker):
    make_company(session, clock, name="Bygg AB")
    data = csv_bytes(
        "Datum;Företag;Typ;Anteckning;Återkoppling",
        "2023-13-45;Bygg AB;Samtal;Ringde;",
        "2023-05-02;Bygg AB;Brevduva;Skickade;",
        "2023-05-02;Okänd AB;Samtal;Ringde;",
        "2027-01-01;Bygg AB;Samtal;Ringde;",
        "2023-05-03;Bygg AB;Anteckning;;",
        "2023-05-04;Bygg AB;tel;Ringde;2023-06-01",
    )
    job = analysed(session, clock, broker, data, "s.csv", "activities")
    rows = engine.preview(job, user=broker, session=session, clock=clock).rows
    columns = [[p.column for p in row.problems] for row in rows]
    assert columns[:5] == [["Datum"], ["Typ"], ["Företag"], ["Datum"], ["Anteckning"]]
    messages = [row.problems[0].message for row in rows[1:5]]
    assert messages == [
        "Okänt värde ”%(value)s”: välj vad det motsvarar i Matcha.",
        "Företaget ”%(name)s” finns inte i registret.",
        "Tidpunkten kan inte ligga i framtiden.",
        "Skriv något i anteckningen.",
    ]
    last = rows[5]
    assert last.action == Action.create and last.values["kind"] == "call"
    assert last.values["follow_up_done"] == "true"
    assert last.notes[0].column == "Återkoppling"


def test_a_call_already_logged_is_skipped_or_created_anyway(session, clock, broker):
    company = make_company(session, clock, name="Bygg AB")
    form = activities.ActivityForm(kind="call", occurred_at="2023-05-02T09:15", notes="Ringde")
    activities.create(company, form, user=broker, session=session, clock=clock)
    session.commit()
    data = csv_bytes(
        "Datum;Företag;Typ;Anteckning",
        "2023-05-02;Bygg AB;Tel;Ringde",
        "2023-05-03;Bygg AB;Tel;Ringde",
        "2023-05-03;BYGG AB;samtal;ringde",
    )
    skipped = imported(session, clock, broker, data, "a.csv", "activities")
    assert (skipped.created_count, skipped.skipped_count) == (1, 2)
    created = imported(
        session, clock, broker, data, "b.csv", "activities", duplicate_policy="create"
    )
    assert (created.created_count, created.skipped_count) == (3, 0)


def test_undo_of_a_call_log_and_its_refusal_after_a_change(session, clock, broker, register):
    companies_before = len(session.exec(select(Company)).all())
    contacts_before = len(session.exec(select(Contact)).all())
    job = imported(session, clock, broker, sample(LOG), LOG, "activities", company_policy="create")
    activity = session.exec(
        select(Activity).join(Company).where(Company.name == "Okänt Företag 2 AB")
    ).one()
    form = activities.ActivityForm.from_activity(activity)
    form.notes = "Ändrad"
    author = register["Jonas Öhman"]  # the row's "Handläggare": only they may change it
    activities.update(activity, form, user=author, session=session, clock=clock)
    session.commit()
    with pytest.raises(undo.ChangedSince) as refused:
        undo.undo(job, user=broker, session=session, clock=clock)
    assert refused.value.names == ["Okänt Företag 2 AB 2023-08-20"]
    session.rollback()
    activities.delete(activity, user=author, session=session, clock=clock)
    session.commit()
    second = imported(session, clock, broker, sample(LOG), LOG, "activities")
    assert (second.created_count, second.skipped_count) == (1, 299)
    undo.undo(second, user=broker, session=session, clock=clock)
    session.commit()
    assert len(session.exec(select(Activity)).all()) == 299
    assert len(session.exec(select(Company)).all()) == companies_before + 10
    assert len(session.exec(select(Contact)).all()) > contacts_before


def test_undo_removes_activities_companies_and_contacts_it_created(
    session, clock, broker, register
):
    companies_before = len(session.exec(select(Company)).all())
    contacts_before = len(session.exec(select(Contact)).all())
    job = imported(session, clock, broker, sample(LOG), LOG, "activities", company_policy="create")
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert session.exec(select(Activity)).all() == []
    assert len(session.exec(select(Company)).all()) == companies_before
    assert len(session.exec(select(Contact)).all()) == contacts_before
    assert (
        session.exec(
            select(Company.last_contact_at).where(Company.last_contact_at.is_not(None))
        ).all()
        == []
    )


def test_undo_gives_the_company_its_derived_dates_back(session, clock, broker):
    # An import's activities move the company's last contact, last activity and next
    # follow-up; undo recomputes them from what is left, the company's version untouched.
    company = make_company(session, clock, name="Bygg AB")
    make_company(session, clock, name="Måleri HB")
    form = activities.ActivityForm(
        kind="call", occurred_at="2026-02-10T10:00", notes="Ringde", follow_up_on="2026-04-01"
    )
    activities.create(company, form, user=broker, session=session, clock=clock)
    session.commit()

    def derived():
        session.expire_all()
        return [
            (c.name, c.last_contact_at, c.last_activity_at, c.next_follow_up_on, c.version)
            for c in session.exec(select(Company).order_by(Company.id)).all()
        ]

    before = derived()
    assert before == [
        (
            "Bygg AB",
            dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC),
            dt.date(2026, 4, 1),
            1,
        ),
        ("Måleri HB", None, None, None, 1),
    ]
    data = csv_bytes(
        "Datum;Företag;Typ;Anteckning;Återkoppling",
        "2026-02-20;Bygg AB;Samtal;Ringde igen;2026-03-10",
        "2026-02-25;Bygg AB;Anteckning;Skrev upp;",
        "2026-02-26;Måleri HB;Samtal;Ringde;2026-03-20",
    )
    job = imported(session, clock, broker, data, "a.csv", "activities")
    assert job.created_count == 3
    noon = dt.datetime(2026, 2, 20, 11, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm
    assert derived() == [
        ("Bygg AB", noon, noon + dt.timedelta(days=5), dt.date(2026, 3, 10), 1),
        (
            "Måleri HB",
            noon + dt.timedelta(days=6),
            noon + dt.timedelta(days=6),
            dt.date(2026, 3, 20),
            1,
        ),
    ]
    undo.undo(job, user=broker, session=session, clock=clock)
    session.commit()
    assert derived() == before
