"""The contacts service on the engine under test: validation, history, the one primary
contact, edit conflicts, delete and GDPR erasure, the Swedish-aware list."""

import datetime as dt

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from app.companies import service as companies
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.service import ContactFilters, ContactForm, EditConflict
from app.db import swedish_sort_key
from app.errors import ValidationFailed
from app.history import service as history
from app.history.models import AuditEvent
from tests.contacts.factories import make_contact
from tests.factories import make_company, make_user


@pytest.fixture
def broker(session, clock):
    return make_user(session, clock, role="broker", full_name="Bo Ek")


@pytest.fixture
def company(session, clock, broker):
    return make_company(session, clock, user=broker, name="Ängelholms Bygg AB")


def contact_events(session, contact_id):
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "contact", AuditEvent.entity_id == contact_id)
        .order_by(AuditEvent.id)
    ).all()


def test_create_cleans_input_and_records_history_on_the_company(session, clock, company, broker):
    contact = make_contact(
        session,
        clock,
        company,
        broker,
        name="  Åsa   Öberg ",
        title="Platschef",
        phone="070-123 45 67",
        email="asa.oberg@bygg.example",
        is_supervisor=True,
        notes="Ring före tio.\r\nHelst tisdagar.",
    )
    assert contact.name == "Åsa Öberg"
    assert contact.notes == "Ring före tio.\nHelst tisdagar."
    assert contact.version == 1
    assert "asa oberg" in contact.search_text and "0701234567" in contact.search_text
    [event] = contact_events(session, contact.id)
    assert (event.action, event.company_id, event.user_id) == ("create", company.id, broker.id)
    assert event.changes["name"] == [None, "Åsa Öberg"]
    assert event.changes["is_supervisor"] == [None, True]
    assert event.version == 1
    newest = history.for_company(company.id, session=session)[0]
    assert newest.event.id == event.id


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "Ange kontaktpersonens namn."),
        ({"email": "asa@"}, "email", "E-postadressen ser inte rätt ut."),
        ({"phone": "ring mig"}, "phone", "Telefonnumret får bara innehålla siffror"),
        ({"title": "x" * 201}, "title", "Texten är för lång"),
    ],
)
def test_invalid_input_is_refused_in_swedish(
    session, clock, company, broker, fields, field, message
):
    form = ContactForm(**{"name": "Åsa Öberg", **fields})
    with pytest.raises(ValidationFailed) as refused:
        contacts.create(company, form, user=broker, session=session, clock=clock)
    assert refused.value.field == field
    assert refused.value.message.startswith(message)


def test_a_company_has_one_primary_contact(session, clock, company, broker):
    other_company = make_company(session, clock, user=broker, name="Annat AB")
    elsewhere = make_contact(
        session, clock, other_company, broker, name="Bo Annan", is_primary=True
    )
    first = make_contact(session, clock, company, broker, name="Östen Ek", is_primary=True)
    second = make_contact(session, clock, company, broker, name="Anna Berg", is_primary=True)
    for contact in (first, second, elsewhere):
        session.refresh(contact)
    assert (first.is_primary, second.is_primary, elsewhere.is_primary) == (False, True, True)
    assert contact_events(session, first.id)[-1].changes == {"is_primary": [True, False]}

    form = ContactForm.from_contact(first)
    form.is_primary = True
    contacts.update(first, form, user=broker, session=session, clock=clock)
    session.commit()
    session.refresh(second)
    assert first.is_primary and not second.is_primary
    # The primary contact comes first, then Swedish name order.
    third = make_contact(session, clock, company, broker, name="Åke Al")
    listed = contacts.list_for_company(company.id, session=session)
    assert [c.id for c in listed] == [first.id, second.id, third.id]


def test_update_records_only_what_changed(session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg", title="Platschef")
    clock.advance(dt.timedelta(minutes=5))
    form = ContactForm.from_contact(contact)
    form.title = "Vd"
    form.email = "asa@bygg.example"
    contacts.update(contact, form, user=broker, session=session, clock=clock)
    session.commit()
    event = contact_events(session, contact.id)[-1]
    assert event.action == "update" and event.company_id == company.id and event.version == 2
    assert event.changes == {"title": ["Platschef", "Vd"], "email": [None, "asa@bygg.example"]}
    assert contact.updated_at == clock.now()
    # Saving the same values again changes nothing and records nothing.
    contacts.update(
        contact, ContactForm.from_contact(contact), user=broker, session=session, clock=clock
    )
    session.commit()
    assert contact.version == 2 and len(contact_events(session, contact.id)) == 2


def test_saving_over_a_newer_version_is_a_conflict(session, clock, company, broker):
    other = make_user(session, clock, full_name="Karin Lund")
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg", title="Platschef")
    mine = ContactForm.from_contact(contact)
    theirs = ContactForm.from_contact(contact)
    theirs.title = "Vd"
    contacts.update(contact, theirs, user=other, session=session, clock=clock)
    session.commit()

    mine.phone = "070-111 22 33"
    with pytest.raises(EditConflict) as conflict:
        contacts.update(contact, mine, user=broker, session=session, clock=clock)
    session.rollback()
    [change] = conflict.value.changes
    assert change.user_name == "Karin Lund"
    assert change.event.changes == {"title": ["Platschef", "Vd"]}
    assert conflict.value.current.version == 2
    session.refresh(contact)
    assert (contact.title, contact.phone) == ("Vd", None)


def test_a_save_that_loses_the_race_is_a_conflict_too(session, clock, company, broker):
    """Both read version 1; the other saves first. The version column refuses our UPDATE."""
    other = make_user(session, clock, full_name="Karin Lund")
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    theirs = ContactForm.from_contact(contact)
    theirs.title = "Vd"
    contacts.update(contact, theirs, user=other, session=session, clock=clock)
    session.commit()
    set_committed_value(contact, "version", 1)  # what we read before they saved

    mine = ContactForm(name="Åsa Öberg", phone="070-111 22 33", version=1)
    with pytest.raises(EditConflict) as conflict:
        contacts.update(contact, mine, user=broker, session=session, clock=clock)
    assert [entry.user_name for entry in conflict.value.changes] == ["Karin Lund"]
    assert conflict.value.current.version == 2
    assert conflict.value.current.phone is None


def test_delete_keeps_what_was_deleted_in_history(session, clock, company, broker):
    contact = make_contact(
        session, clock, company, broker, name="Åsa Öberg", email="asa@bygg.example"
    )
    contact_id = contact.id
    contacts.delete(contact, user=broker, session=session, clock=clock)
    session.commit()
    assert session.get(Contact, contact_id) is None
    event = contact_events(session, contact_id)[-1]
    assert (event.action, event.company_id) == ("delete", company.id)
    assert event.changes == {"name": ["Åsa Öberg", None], "email": ["asa@bygg.example", None]}


def test_erase_removes_the_person_from_history_too(session, clock, company, broker):
    contact = make_contact(
        session,
        clock,
        company,
        broker,
        name="Åsa Öberg",
        title="Platschef",
        phone="070-123 45 67",
        email="asa.oberg@bygg.example",
        notes="Har en son som heter Kalle.",
        is_primary=True,
    )
    form = ContactForm.from_contact(contact)
    form.name = "Åsa Öberg-Lind"
    contacts.update(contact, form, user=broker, session=session, clock=clock)
    other = make_contact(session, clock, company, broker, name="Bo Berg", is_primary=True)
    contact_id = contact.id
    contacts.erase(contact, user=broker, session=session, clock=clock)
    session.commit()

    assert session.get(Contact, contact_id) is None
    assert session.get(Contact, other.id) is not None
    events = session.exec(select(AuditEvent)).all()
    stored = repr([(e.entity, e.action, e.changes) for e in events]).casefold()
    for personal in ("Åsa", "Öberg", "070-123", "asa.oberg", "Platschef", "Kalle"):
        assert personal.casefold() not in stored, personal
    mine = contact_events(session, contact_id)
    assert [e.action for e in mine] == ["create", "update", "update", "erase"]
    assert all(e.changes == {"erased": True} for e in mine[:-1])
    assert mine[-1].changes == {} and mine[-1].company_id == company.id
    assert contacts.list_(ContactFilters(q="öberg"), session=session).rows == []


# --- the list ---------------------------------------------------------------------------

PEOPLE = {
    "Åsa Öberg": {"title": "Platschef", "email": "asa.oberg@bygg.example", "is_supervisor": True},
    "Åke Lindberg": {"phone": "070-123 45 67"},
    "Ärla Ek": {"title": "Rekryterare"},
    "Östen Nyström": {"is_supervisor": True},
    "Zäta Andersson": {"email": "z@kommun.example"},
    "Émile Dubois": {},
}


@pytest.fixture
def people(session, clock, company, broker):
    other = make_company(session, clock, user=broker, name="Björkåsens Ålderdomshem")
    for number, (name, fields) in enumerate(PEOPLE.items()):
        make_contact(session, clock, other if number % 2 else company, broker, name=name, **fields)
    archived = make_company(session, clock, user=broker, name="Nedlagda Bruket AB")
    make_contact(session, clock, archived, broker, name="Åsa Arkiv")
    companies.archive(archived, user=broker, session=session, clock=clock)
    session.commit()


def found(session, q="", **filters):
    page = contacts.list_(ContactFilters(q=q, **filters), session=session)
    return [row.name for row in page.rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ÅSA", ["Åsa Öberg"]),
        ("asa", ["Åsa Öberg"]),
        ("åsa", ["Åsa Öberg"]),
        ("berg", ["Åke Lindberg", "Åsa Öberg"]),  # substring, in Swedish order
        ("öberg", ["Åsa Öberg"]),
        ("OBERG", ["Åsa Öberg"]),
        ("emile", ["Émile Dubois"]),
        ("platschef", ["Åsa Öberg"]),
        ("rekryt", ["Ärla Ek"]),
        ("bygg.example", ["Åsa Öberg"]),
        ("070-123", ["Åke Lindberg"]),
        ("0701234567", ["Åke Lindberg"]),
        ("ek", ["Ärla Ek"]),  # under three characters: the other path, same folding
        ("åsa platschef", ["Åsa Öberg"]),
        ('"; DROP', []),
        ("%", []),
    ],
)
def test_search_is_swedish_aware(session, people, query, expected):
    assert found(session, query) == expected


def test_list_is_in_swedish_order_without_archived_companies(session, people):
    names = found(session)
    assert names == sorted(names, key=swedish_sort_key)
    assert names.index("Zäta Andersson") < names.index("Åke Lindberg") < names.index("Ärla Ek")
    assert names.index("Ärla Ek") < names.index("Östen Nyström")
    assert "Åsa Arkiv" not in names
    assert found(session, sort="-name") == list(reversed(names))


def test_list_filters_supervisors_and_sorts_by_company(session, people):
    assert found(session, supervisors=True) == ["Åsa Öberg", "Östen Nyström"]
    page = contacts.list_(ContactFilters(sort="company"), session=session)
    companies_in_order = [row.company_name for row in page.rows]
    assert companies_in_order == sorted(companies_in_order, key=swedish_sort_key)
    assert companies_in_order[0] == "Björkåsens Ålderdomshem"


def test_list_paginates_without_counting(session, clock, company, broker):
    for number in range(30):
        make_contact(session, clock, company, broker, name=f"Sida {number:02d}")
    first = contacts.list_(ContactFilters(q="sida"), session=session)
    second = contacts.list_(ContactFilters(q="sida", page=2), session=session)
    assert len(first.rows) == 25 and first.has_next
    assert len(second.rows) == 5 and not second.has_next
    assert first.rows[0].company_name == "Ängelholms Bygg AB"


def test_filters_out_of_range_fall_back_to_defaults():
    f = ContactFilters(q="  x  ", sort="evil", page=-3).normalized()
    assert (f.q, f.sort, f.page) == ("x", "name", 1)
