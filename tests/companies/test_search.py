"""Company search on the engine under test: Swedish letters, any case, any position."""

import pytest

from app import search
from app.companies import service as companies
from app.companies.service import CompanyFilters
from app.db import swedish_sort_key
from tests.factories import make_company, make_user
from tests.statements import recorded

CITIES = {
    "Ängelholms Bygg AB": "Ängelholm",
    "Perssons Husbygg AB": "Höör",
    "Örebro Städ & Fönsterputs": "Kumla",
    "Café Åkerö": "Lund",
    "Björkåsens Ålderdomshem": "Lund",
    "Lindqvist Måleri HB": "Lund",
    "Nordic Steel": "Luleå",
}


@pytest.fixture
def register(session, clock):
    user = make_user(session, clock)
    for name, city in CITIES.items():
        make_company(session, clock, user=user, name=name, city=city)
    make_company(session, clock, user=user, name="Svenska Kullager AB", org_number="556036-0793")
    return user


def found(session, user, q, **filters):
    page = companies.list_(CompanyFilters(q=q, **filters), user=user, session=session)
    return [row.company.name for row in page.rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ängel", ["Ängelholms Bygg AB"]),
        ("ÄNGEL", ["Ängelholms Bygg AB"]),
        ("angel", ["Ängelholms Bygg AB"]),
        ("bygg", ["Perssons Husbygg AB", "Ängelholms Bygg AB"]),  # in Swedish order
        ("orebro", ["Örebro Städ & Fönsterputs"]),
        ("ÖREBRO städ", ["Örebro Städ & Fönsterputs"]),
        ("cafe", ["Café Åkerö"]),
        ("åker", ["Café Åkerö"]),
        ("akero", ["Café Åkerö"]),
        ("ålder", ["Björkåsens Ålderdomshem"]),
        ("måleri", ["Lindqvist Måleri HB"]),
        ("5560360793", ["Svenska Kullager AB"]),
        ("556036-0793", ["Svenska Kullager AB"]),
        ("ma", ["Lindqvist Måleri HB"]),  # under three characters: another path, same folding
        ('"; DROP', []),
        ("bygg OR steel", []),
        ("%", []),
    ],
)
@pytest.mark.parametrize("common_from", [search.COMMON_TERM_MATCHES, 1])
def test_search_is_swedish_aware(session, register, query, expected, monkeypatch, common_from):
    # common_from=1: every term counts as common, so SQLite tests it row by row (LIKE)
    # instead of looking it up in the trigram index; the answer must be the same.
    monkeypatch.setattr(search, "COMMON_TERM_MATCHES", common_from)
    assert found(session, register, query) == expected


def test_a_term_in_many_rows_is_tested_row_by_row_on_sqlite(session, register, monkeypatch):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the trigram index is looked up with LIKE on PostgreSQL either way")
    monkeypatch.setattr(search, "COMMON_TERM_MATCHES", 2)
    with recorded(session.get_bind().engine) as statements:
        assert found(session, register, "bygg ängel") == ["Ängelholms Bygg AB"]
    listing = next(s for s in statements if s.lstrip().startswith("SELECT company.id"))
    # "bygg" is in two companies: common at this threshold; "ängel" in one: looked up.
    assert listing.count("LIKE") == 1 and listing.count("MATCH") == 1, listing


def test_search_finds_by_city(session, register):
    assert found(session, register, "hoor") == ["Perssons Husbygg AB"]


def test_search_follows_edits(session, clock, register):
    company = make_company(session, clock, user=register, name="Gamla Namnet AB")
    form = companies.CompanyForm.from_company(company, [])
    form.name = "Nya Ödmjuka AB"
    companies.update(company, form, user=register, session=session, clock=clock)
    session.commit()
    assert found(session, register, "gamla") == []
    assert found(session, register, "odmjuk") == ["Nya Ödmjuka AB"]


def test_list_is_in_swedish_order_and_paginates(session, clock, register):
    names = found(session, register, "")
    assert names == sorted(names, key=swedish_sort_key)
    assert (
        names.index("Svenska Kullager AB")
        < names.index("Ängelholms Bygg AB")
        < names.index("Örebro Städ & Fönsterputs")
    )
    for number in range(30):
        make_company(session, clock, user=register, name=f"Sida {number:02d} AB")
    first = companies.list_(CompanyFilters(q="sida"), user=register, session=session)
    second = companies.list_(CompanyFilters(q="sida", page=2), user=register, session=session)
    assert len(first.rows) == 25 and first.has_next
    assert len(second.rows) == 5 and not second.has_next


def test_the_list_by_name_reads_its_index_on_postgresql(session, register):
    """The list's own ORDER BY (the name in the Swedish collation, then the id) is one an
    index serves, so a page is read in order instead of sorting the whole register (the
    migration that made it says what that cost)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite sorts by the stored key, indexed with the table")
    from sqlalchemy import text

    statement = companies.filtered(
        CompanyFilters(), companies.Company.id, user=register, session=session
    )
    compiled = statement.limit(26).compile(session.get_bind())
    connection = session.connection()
    # A few rows here: without the planner's sequential scan, the index is used if it serves
    # the order, and a sort of the whole table is planned if none does.
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    )
    assert "ix_company_name_swedish" in plan, plan
    assert "Sort" not in plan, plan


def test_the_contact_list_by_name_reads_its_index_on_postgresql(session, register, clock):
    """The contact list's ORDER BY (the contact's name, then the company's, in the Swedish
    collation) starts with what an index serves: a page is read in name order and each
    group of equal names sorted, not every contact person."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite sorts by the stored keys, indexed with the table")
    from sqlalchemy import text

    from app.contacts import service as contacts
    from app.contacts.service import ContactFilters

    statement = contacts.filtered(ContactFilters(), contacts.Contact.id, session=session)
    compiled = statement.limit(26).compile(session.get_bind())
    connection = session.connection()
    # A few rows here: with full sorts and scans of whole tables priced out, the planner
    # reads the contacts in name order if an index gives it.
    for setting in ("enable_seqscan", "enable_sort", "enable_hashjoin", "enable_mergejoin"):
        connection.execute(text(f"SET LOCAL {setting} = off"))
    plan = "\n".join(
        row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    )
    assert "ix_contact_name_swedish" in plan, plan
