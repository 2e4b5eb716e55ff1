"""How many a list found (app/query.py, count_found) on the engine under test: free on a
last page, one count that stops at its limit otherwise, and the words the lists say; and
the distinct values of a column read by seeks (distinct_values)."""

from __future__ import annotations

import pytest
from sqlmodel import col

from app import i18n
from app.companies.models import Company
from app.query import Found, count_found, distinct_values, select_columns
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
