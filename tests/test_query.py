"""How many a list found (app/query.py, count_found) on the engine under test: free on a
last page, one count that stops at its limit otherwise, and the words the lists say; and
the distinct values of a column read by seeks (distinct_values); and many rows inserted
as SQLAlchemy would insert them (insert_many)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from sqlmodel import col

from app import i18n
from app.companies.models import AgreementStatus, Company, CompanyStatus
from app.history.models import AuditEvent
from app.query import Found, count_found, distinct_values, insert_many, select_columns
from app.templating import env
from tests import statements
from tests.factories import make_company, make_user


@pytest.fixture
def eight(session, clock):
    user = make_user(session, clock)
    for number in range(8):
        make_company(session, clock, user=user, name=f"Räkna {number} AB")


def companies():
    """A list's query of one narrow column, sorted as a list is (count_found drops it)."""
    return select_columns(Company.id).order_by(col(Company.name))


def found(session, engine, *, page, has_next, shown, page_size=3, limit=1000):
    """What count_found says, and how many statements it took to say it."""
    result: list[Found] = []
    session.connection()  # the test's transaction begun: only count_found's own statements

    def count():
        result.append(
            count_found(
                companies(),
                page=page,
                page_size=page_size,
                shown=shown,
                has_next=has_next,
                session=session,
                limit=limit,
            )
        )

    taken = statements.count(engine, count)
    return result[0], taken


def test_a_last_page_tells_by_itself(session, engine, eight):
    assert found(session, engine, page=3, shown=2, has_next=False) == (Found(8), 0)
    assert found(session, engine, page=1, shown=0, has_next=False) == (Found(0), 0)


def test_a_page_with_more_after_it_counts_once(session, engine, eight):
    assert found(session, engine, page=1, shown=3, has_next=True) == (Found(8), 1)


def test_the_count_stops_at_its_limit(session, engine, eight):
    assert found(session, engine, page=1, shown=3, has_next=True, limit=5) == (
        Found(5, at_least=True),
        1,
    )
    # Exactly the limit is "at least": the count cannot tell whether there were more.
    assert found(session, engine, page=1, shown=3, has_next=True, limit=8)[0] == Found(
        8, at_least=True
    )
    assert found(session, engine, page=1, shown=3, has_next=True, limit=9)[0] == Found(8)


def test_deep_in_a_long_list_the_count_reaches_just_past_the_page(session, engine, eight):
    # Page 2 of 3 a page: rows 4-6 shown, a 7th exists; the limit (2) is behind the page.
    assert found(session, engine, page=2, shown=3, has_next=True, limit=2) == (
        Found(7, at_least=True),
        1,
    )


def test_a_page_past_the_end_counts(session, engine, eight):
    # Nothing shown on page 5: its offset says nothing of how many there are.
    assert found(session, engine, page=5, shown=0, has_next=False) == (Found(8), 1)


def say(found, locale="sv"):
    """The contact list's count, as its template writes it."""
    template = env.from_string(
        '{% from "_shared/lists.html" import found_count %}'
        "{{ found_count(found,"
        ' ngettext("%(num)s kontaktperson", "%(num)s kontaktpersoner", found.number,'
        " num=found.number | number),"
        ' _("Över %(num)s kontaktpersoner", num=found.number | number)) }}'
    )
    token = i18n.activate(locale)
    try:
        return template.render(found=found)
    finally:
        i18n.deactivate(token)


def test_the_lists_say_how_many_or_more_than_the_limit():
    assert say(Found(1)) == '<p class="found-count" id="found-count">1 kontaktperson</p>'
    assert ">3 kontaktpersoner<" in say(Found(3))
    assert ">Över 1\u202f000 kontaktpersoner<" in say(Found(1000, at_least=True))
    assert ">1 contact person<" in say(Found(1), "en")
    assert ">3 contact persons<" in say(Found(3), "en")
    assert ">Over 1\u202f000 contact persons<" in say(Found(1000, at_least=True), "en")


def test_distinct_values_are_each_value_once_in_order_without_null(session, engine, clock):
    user = make_user(session, clock)
    for number, place in enumerate(["Umeå", "Ale", "Umeå", "", "Ale", "Örebro", "Umeå"]):
        make_company(session, clock, user=user, name=f"Ort {number} AB", municipality=place)
    make_company(session, clock, user=user, name="Utan ort AB")
    session.connection()
    result: list[list[str]] = []
    taken = statements.count(
        engine, lambda: result.append(distinct_values(Company.municipality, session=session))
    )
    # One statement however many values; the form stores an empty place as NULL.
    assert taken == 1
    assert sorted(result[0]) == ["Ale", "Umeå", "Örebro"]
    assert len(result[0]) == len(set(result[0]))


def test_distinct_values_of_an_empty_table(session):
    assert distinct_values(Company.municipality, session=session) == []


# --- insert_many ------------------------------------------------------------------------


def stored(session, model, ids):
    """The rows of these ids as the table holds them, id left out, in the ids' order."""
    table = model.__table__
    rows = session.execute(select_columns(table).where(table.c.id.in_(ids))).mappings().all()
    by_id = {row["id"]: {k: v for k, v in row.items() if k != "id"} for row in rows}
    return [by_id[i] for i in ids]


def test_insert_many_stores_what_sqlalchemys_insert_stores(session, clock):
    """Every kind of column the imports write (an instant, an enum, a date, JSON, NULL,
    columns left out that have a default), stored the same as by SQLAlchemy's own
    executemany, on the engine under test."""
    user = make_user(session, clock)
    now = clock.now()
    companies = [
        {"name": "Ett AB", "status": CompanyStatus.active, "owner_id": user.id,
         "created_at": now, "updated_at": now, "version": 1, "city": None,
         "next_follow_up_on": dt.date(2026, 12, 24), "last_contact_at": now,
         "agreement_status": AgreementStatus.signed},
        {"name": "Två AB", "status": "dormant", "owner_id": None, "created_at": now,
         "updated_at": now - dt.timedelta(hours=1), "version": 1, "city": "Kiruna",
         "agreement_status": "none", "next_follow_up_on": None, "last_contact_at": None},
    ]  # fmt: skip
    ours, theirs = [1001, 1002], [2001, 2002]
    insert_many(
        session, Company, [{**row, "id": i} for row, i in zip(companies, ours, strict=True)]
    )
    session.execute(
        insert(Company.__table__),
        [{**row, "id": i} for row, i in zip(companies, theirs, strict=True)],
    )
    assert stored(session, Company, ours) == stored(session, Company, theirs)
    mine = stored(session, Company, ours)
    assert mine[0]["status"] == CompanyStatus.active
    assert mine[0]["next_follow_up_on"] == dt.date(2026, 12, 24)
    assert mine[0]["last_contact_at"] == now
    assert mine[1]["last_contact_at"] is None
    assert mine[1]["agreement_status"] == AgreementStatus.none
    assert (mine[0]["notes"], mine[0]["search_text"]) == ("", "")  # left out: the default
    assert mine[1]["updated_at"] == now - dt.timedelta(hours=1)  # not the row before's

    events = [
        {"occurred_at": now, "user_id": user.id, "entity": "company", "entity_id": 1001,
         "action": "create", "changes": {"name": [None, "Ett AB"], "ort": [None, "Åre"]},
         "version": 1},
        {"occurred_at": now, "user_id": None, "entity": "company", "entity_id": 1002,
         "action": "create", "changes": {}, "version": None},
    ]  # fmt: skip
    insert_many(session, AuditEvent, [{**e, "id": i} for e, i in zip(events, ours, strict=True)])
    session.execute(
        insert(AuditEvent.__table__), [{**e, "id": i} for e, i in zip(events, theirs, strict=True)]
    )
    assert stored(session, AuditEvent, ours) == stored(session, AuditEvent, theirs)
    assert stored(session, AuditEvent, ours)[0]["changes"]["ort"] == [None, "Åre"]


def test_insert_many_refuses_a_column_the_table_does_not_have(session, clock):
    with pytest.raises(ValueError, match="company has no column colour"):
        insert_many(session, Company, [{"name": "Fel AB", "colour": "blå"}])


def test_insert_many_of_nothing_runs_no_statement(session, engine):
    assert statements.count(engine, lambda: insert_many(session, Company, [])) == 0


def test_insert_many_gives_a_row_that_leaves_a_column_out_its_default(session, clock):
    now = clock.now()
    common = {"status": "prospect", "agreement_status": "none", "created_at": now,
              "updated_at": now, "version": 1}  # fmt: skip
    insert_many(
        session,
        Company,
        [
            {**common, "id": 3001, "name": "Full AB", "city": "Luleå", "notes": "Ring"},
            {**common, "id": 3002, "name": "Gles AB"},
        ],
    )
    full, sparse = stored(session, Company, [3001, 3002])
    assert (full["city"], full["notes"]) == ("Luleå", "Ring")
    assert (sparse["city"], sparse["notes"]) == (None, "")
