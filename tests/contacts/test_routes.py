"""Contacts over HTTP: inline add, edit and remove on the company page (htmx and plain
forms), validation and edit conflicts in place, GDPR erasure, and the searchable list."""

import re

import pytest
from sqlmodel import select

from app.companies import service as companies
from app.contacts.models import Contact
from app.history.models import AuditEvent
from tests import statements
from tests.conftest import Client
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user
from tests.lists import found_count

HTMX = {"HX-Request": "true"}


@pytest.fixture
def broker(client, session, clock):
    user = make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")
    client.login("bo", PASSWORD)
    return user


@pytest.fixture
def company(session, clock, broker):
    return make_company(session, clock, user=broker, name="Ängelholms Bygg AB")


def page_of(company):
    return f"/companies/{company.id}"


def add(client, company, data, **kwargs):
    return client.post_form(
        f"/companies/{company.id}/contacts", data, token_from=page_of(company), **kwargs
    )


def test_add_a_contact_with_a_plain_form(client, session, company, broker):
    response = add(
        client,
        company,
        {
            "name": "Åsa Öberg",
            "title": "Platschef",
            "phone": "070-123 45 67",
            "email": "asa@bygg.example",
            "is_supervisor": "true",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/companies/{company.id}#contacts"
    contact = session.exec(select(Contact)).one()
    assert (contact.name, contact.is_supervisor, contact.is_primary) == ("Åsa Öberg", True, False)
    page = client.get(response.headers["location"]).text
    assert "Åsa Öberg är tillagd." in page
    assert 'href="tel:070-1234567"' in page
    assert 'href="mailto:asa@bygg.example"' in page
    assert "Handledare</mark>" in page
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "contact")).one()
    assert (event.action, event.company_id, event.user_id) == ("create", company.id, broker.id)


def test_add_with_htmx_answers_with_the_section_and_a_notice(client, session, company, broker):
    response = add(client, company, {"name": "Åsa Öberg", "is_primary": "true"}, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#contacts"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert response.headers["Vary"] == "HX-Request"
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="contacts"')
    assert "Primär kontakt</mark>" in html
    assert 'hx-swap-oob="innerHTML:#flash"' in html and "Åsa Öberg är tillagd." in html


def test_invalid_input_is_shown_in_place_and_nothing_is_written(client, session, company):
    response = add(client, company, {"name": "Åsa Öberg", "email": "asa@bygg"}, headers=HTMX)
    assert response.status_code == 422
    assert "E-postadressen ser inte rätt ut." in response.text
    assert response.text.lstrip().startswith('<form id="contact-add-form"')
    assert 'value="Åsa Öberg"' in response.text
    assert 'aria-invalid="true" aria-describedby="contact-new-email-error"' in response.text
    assert session.exec(select(Contact)).first() is None
    assert session.exec(select(AuditEvent).where(AuditEvent.entity == "contact")).first() is None

    # Without JavaScript the same form comes back on a page of its own.
    response = add(client, company, {"name": "", "phone": "070 12"})
    assert response.status_code == 422
    assert "<html" in response.text and "Ange kontaktpersonens namn." in response.text
    assert 'value="070 12"' in response.text
    assert session.exec(select(Contact)).first() is None


def test_contacts_cannot_be_added_to_an_archived_company(client, session, clock, company, broker):
    companies.archive(company, user=broker, session=session, clock=clock)
    session.commit()
    token = client.csrf_token(page_of(company))
    response = client.post(
        f"/companies/{company.id}/contacts", data={"csrf_token": token, "name": "Åsa Öberg"}
    )
    assert response.status_code == 409
    assert "Företaget är arkiverat." in response.text
    assert session.exec(select(Contact)).first() is None


def test_inline_edit(client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg", title="Platschef")
    # htmx gets the form that replaces the contact; without JavaScript, a whole page.
    fragment = client.get(f"/contacts/{contact.id}/edit", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<article id="contact-{contact.id}"')
    assert 'name="version" value="1"' in fragment.text
    assert "<html" in client.get(f"/contacts/{contact.id}/edit").text
    # Cancel puts the contact back as it was.
    shown = client.get(f"/contacts/{contact.id}", headers=HTMX)
    assert shown.text.lstrip().startswith(f'<article id="contact-{contact.id}"')
    assert "Platschef" in shown.text and "<form" in shown.text  # the remove button
    assert client.get(f"/contacts/{contact.id}").headers["location"] == (
        f"/companies/{company.id}#contact-{contact.id}"
    )

    response = client.post_form(
        f"/contacts/{contact.id}",
        {"name": "Åsa Öberg", "title": "Vd", "version": "1", "is_primary": "true"},
        token_from=page_of(company),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Ändringarna för Åsa Öberg är sparade." in response.text
    assert response.headers["HX-Retarget"] == "#contacts"
    session.refresh(contact)
    assert (contact.title, contact.is_primary, contact.version) == ("Vd", True, 2)

    response = client.post_form(
        f"/contacts/{contact.id}",
        {"name": "Åsa Öberg", "email": "inte en adress", "version": "2"},
        token_from=page_of(company),
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "E-postadressen ser inte rätt ut." in response.text
    assert 'value="inte en adress"' in response.text
    session.refresh(contact)
    assert contact.email is None and contact.version == 2


def test_marking_a_primary_contact_unmarks_the_other(client, session, clock, company, broker):
    first = make_contact(session, clock, company, broker, name="Östen Ek", is_primary=True)
    second = make_contact(session, clock, company, broker, name="Anna Berg")
    response = client.post_form(
        f"/contacts/{second.id}",
        {"name": "Anna Berg", "is_primary": "true", "version": "1"},
        token_from=page_of(company),
    )
    assert response.status_code == 303
    session.refresh(first)
    session.refresh(second)
    assert second.is_primary and not first.is_primary
    page = client.get(page_of(company)).text
    assert page.index("Anna Berg") < page.index("Östen Ek")  # the primary contact first


def test_edit_conflict_between_two_brokers(app, client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg", title="Platschef")
    make_user(session, clock, role="broker", username="karin", full_name="Karin Lund")
    # Bo opens the form; Karin changes the title and saves first.
    client.get(f"/contacts/{contact.id}/edit")
    with Client(app, follow_redirects=False) as karins_browser:
        karins_browser.login("karin", PASSWORD)
        saved = karins_browser.post_form(
            f"/contacts/{contact.id}",
            {"name": "Åsa Öberg", "title": "Vd", "version": "1"},
            token_from=f"/contacts/{contact.id}/edit",
        )
        assert saved.status_code == 303

    mine = {"name": "Åsa Öberg", "title": "Arbetsledare", "phone": "070-111 22 33"}
    response = client.post_form(
        f"/contacts/{contact.id}",
        {**mine, "version": "1"},
        token_from=page_of(company),
        headers=HTMX,
    )
    assert response.status_code == 409
    html = response.text
    assert "Någon annan har ändrat kontaktpersonen medan du redigerade." in html
    assert "Karin Lund" in html
    assert "<del>Platschef</del> → <ins>Vd</ins>" in html
    assert 'value="Arbetsledare"' in html and 'value="070-111 22 33"' in html
    assert 'name="version" value="2"' in html
    session.refresh(contact)
    assert (contact.title, contact.phone) == ("Vd", None)

    # Having seen the other change, Bo saves again, and it goes through.
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = client.post_form(
        f"/contacts/{contact.id}", {**mine, "version": version}, token_from=page_of(company)
    )
    assert response.status_code == 303
    session.refresh(contact)
    assert (contact.title, contact.phone, contact.version) == ("Arbetsledare", "070-111 22 33", 3)


def test_delete(client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    contact_id = contact.id
    page = client.get(page_of(company)).text
    assert "Ta bort Åsa Öberg från kontaktpersonerna?" in page  # hx-confirm
    response = client.post_form(
        f"/contacts/{contact_id}/delete", token_from=page_of(company), headers=HTMX
    )
    assert response.status_code == 200
    assert "Åsa Öberg är borttagen." in response.text
    assert f'id="contact-{contact_id}"' not in response.text
    assert session.get(Contact, contact_id) is None
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_id == contact_id, AuditEvent.action == "delete")
    ).one()
    assert event.changes["name"] == ["Åsa Öberg", None]
    assert client.get(f"/contacts/{contact_id}/edit").status_code == 404


def test_erase_leaves_no_trace_of_the_person(client, session, clock, company, broker):
    contact = make_contact(
        session,
        clock,
        company,
        broker,
        name="Åsa Öberg",
        phone="070-123 45 67",
        email="asa.oberg@bygg.example",
    )
    client.post_form(
        f"/contacts/{contact.id}",
        {"name": "Åsa Öberg", "title": "Platschef", "phone": "070-123 45 67", "version": "1"},
        token_from=page_of(company),
    )
    contact_id = contact.id
    assert "Åsa Öberg" in client.get(page_of(company)).text  # in the history too

    confirm = client.get(f"/contacts/{contact_id}/erase")
    assert confirm.status_code == 200
    assert "även i historiken" in confirm.text and "Det går inte att ångra." in confirm.text
    response = client.post_form(
        f"/contacts/{contact_id}/erase", token_from=confirm.request.url.path
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}#contacts"

    assert session.get(Contact, contact_id) is None
    rows = session.exec(select(AuditEvent)).all()
    stored = repr([(row.changes, row.entity, row.action) for row in rows]).casefold()
    for personal in ("åsa", "öberg", "070-123", "0701234567", "asa.oberg", "platschef"):
        assert personal not in stored, personal
    page = client.get(response.headers["location"]).text
    assert "Personuppgifterna är raderade, även i historiken." in page
    assert "borttagen kontakt" in page
    for personal in ("Åsa", "Öberg", "070-123", "asa.oberg", "Platschef"):
        assert personal not in page, personal


def test_a_deleted_contact_can_still_be_erased_from_history(
    client, session, clock, company, broker
):
    contact = make_contact(
        session, clock, company, broker, name="Östen Ek", email="osten@bygg.example"
    )
    contact_id = contact.id
    client.post_form(f"/contacts/{contact_id}/delete", token_from=page_of(company))
    page = client.get(page_of(company)).text
    assert "Östen Ek" in page, "the delete event remembers who was removed"
    assert "Radera personuppgifterna i historiken" in page
    # A live contact is erased with Radera person, not through history.
    other = make_contact(session, clock, company, broker, name="Kvar Kvist")
    refused = client.post_form(f"/contacts/{other.id}/erase-history", token_from=page_of(company))
    assert refused.status_code == 409

    response = client.post_form(
        f"/contacts/{contact_id}/erase-history", token_from=page_of(company)
    )
    assert response.status_code == 303
    stored = repr([row.changes for row in session.exec(select(AuditEvent)).all()]).casefold()
    assert "östen" not in stored and "osten@" not in stored
    page = client.get(page_of(company)).text
    assert "Östen" not in page and "borttagen kontakt" in page
    assert (
        client.post_form("/contacts/999999/erase-history", token_from=page_of(company)).status_code
        == 404
    )


def _menu_of(page, contact):
    """The contact's actions menu on the company page, as HTML."""
    article = page[page.index(f'<article id="contact-{contact.id}"') :]
    article = article[: article.index("</article>")]
    menus = re.findall(r"<details class=\"menu\" data-menu>.*?</details>", article, re.S)
    assert len(menus) == 1, article
    return article, menus[0]


def test_each_contacts_actions_are_in_one_menu(client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg", phone="070-1")
    article, menu = _menu_of(client.get(page_of(company)).text, contact)
    assert "<summary>Åtgärder" in menu and "för Åsa Öberg" in menu
    for action in (
        f'href="/contacts/{contact.id}/edit"',
        f'form="contact-{contact.id}-delete"',
        f'href="/contacts/{contact.id}/erase"',
    ):
        # In the menu, and nowhere else in the contact's card.
        assert action in menu and article.count(action) == 1, action
    # Besides the menu, the card's only Tab stops are its phone and e-mail links.
    outside = article.replace(menu, "")
    assert re.findall(r"<(a|button)\b", outside) == ["a"]  # the phone; no e-mail given


def test_an_archived_companys_contacts_keep_only_the_erasure(
    client, session, clock, company, broker
):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    companies.archive(company, user=broker, session=session, clock=clock)
    session.commit()
    _, menu = _menu_of(client.get(page_of(company)).text, contact)
    assert f"/contacts/{contact.id}/erase" in menu
    assert f"/contacts/{contact.id}/edit" not in menu and "-delete" not in menu


def test_viewer_reads_but_gets_no_controls(client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    page = client.get(page_of(company)).text
    assert "Åsa Öberg" in page
    assert f"/contacts/{contact.id}/edit" not in page
    assert f"/contacts/{contact.id}/delete" not in page
    assert "Lägg till kontaktperson" not in page
    assert "data-menu" not in page
    for path in (f"/contacts/{contact.id}/edit", f"/contacts/{contact.id}/erase"):
        assert client.get(path).status_code == 403
    assert "Åsa Öberg" in client.get("/contacts?q=asa").text


def test_unknown_contact_is_404(client, broker):
    assert client.get("/contacts/999999/edit").status_code == 404
    assert client.get("/contacts/inte-ett-id/edit").status_code == 404


# --- the list ---------------------------------------------------------------------------


@pytest.fixture
def people(session, clock, company, broker):
    other = make_company(session, clock, user=broker, name="Björkåsens Ålderdomshem")
    make_contact(session, clock, company, broker, name="Åsa Öberg", is_supervisor=True)
    make_contact(session, clock, other, broker, name="Åke Lindberg", phone="070-123 45 67")
    make_contact(session, clock, other, broker, name="Zäta Andersson")
    archived = make_company(session, clock, user=broker, name="Nedlagda Bruket AB")
    make_contact(session, clock, archived, broker, name="Åsa Arkiv")
    companies.archive(archived, user=broker, session=session, clock=clock)
    session.commit()


def names_in(html):
    return re.findall(r'#contact-\d+">([^<]+)</a>', html)


def test_list_search_as_you_type(client, people):
    page = client.get("/contacts")
    assert page.status_code == 200
    assert names_in(page.text) == ["Zäta Andersson", "Åke Lindberg", "Åsa Öberg"]
    assert 'aria-current="page">Kontakter' in page.text
    assert (
        'hx-trigger="input changed delay:250ms' in page.text and 'hx-push-url="true"' in page.text
    )
    for query in ("ÅSA", "asa", "åsa"):
        assert names_in(client.get("/contacts", params={"q": query}).text) == ["Åsa Öberg"]
    assert names_in(client.get("/contacts?q=berg").text) == ["Åke Lindberg", "Åsa Öberg"]
    assert "Björkåsens Ålderdomshem" in client.get("/contacts?q=lindberg").text

    # htmx gets only the results; the URL it pushes holds the whole state.
    fragment = client.get("/contacts?q=berg&supervisors=true&sort=company", headers=HTMX)
    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment.text
    assert names_in(fragment.text) == ["Åsa Öberg"]
    assert fragment.headers["Vary"] == "HX-Request"

    full = client.get("/contacts?q=berg&supervisors=true&sort=company").text
    assert 'value="berg"' in full and "checked" in full
    assert '<option value="company" selected>' in full
    assert names_in(client.get("/contacts?sort=-company").text)[0] == "Åsa Öberg"  # Ä after B
    # Nonsense in the URL falls back to the defaults.
    assert client.get("/contacts?sort=evil").status_code == 200


def test_list_pages_keep_the_state_and_cost_the_same_queries(
    client, session, clock, company, broker, engine
):
    def queries_for(url):
        def page():
            assert client.get(url).status_code == 200

        return statements.count(engine, page)

    for number in range(5):
        make_contact(
            session, clock, company, broker, name=f"Handledare {number:02d}", is_supervisor=True
        )
    few = queries_for("/contacts?q=handledare&supervisors=true")
    for number in range(5, 30):
        make_contact(
            session, clock, company, broker, name=f"Handledare {number:02d}", is_supervisor=True
        )
    many = queries_for("/contacts?q=handledare&supervisors=true")
    # A last page says how many it found by itself; a longer list counts them once.
    assert many == few + 1 and few > 0

    first = client.get("/contacts?q=handledare&supervisors=true").text
    assert len(names_in(first)) == 25
    assert 'href="/contacts?q=handledare&amp;supervisors=true&amp;page=2"' in first
    second = client.get("/contacts?q=handledare&supervisors=true&page=2").text
    assert len(names_in(second)) == 5
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert found_count(first) == found_count(second) == "30 kontaktpersoner"


def sort_headers(html):
    """{column: (aria-sort or None, its link)} of the list's sortable headers."""
    headers = re.findall(
        r'<th scope="col"(?: aria-sort="(\w+)")?>\s*<a href="([^"]+)" class="sort-link">([^<]+)',
        html,
    )
    return {label: (sort or None, href.replace("&amp;", "&")) for sort, href, label in headers}


def test_the_list_says_how_many_it_found(client, people):
    page = client.get("/contacts").text
    assert found_count(page) == "3 kontaktpersoner"  # not the one at an archived company
    assert found_count(client.get("/contacts?q=asa").text) == "1 kontaktperson"
    nothing = client.get("/contacts?q=ingen-alls").text
    assert found_count(nothing) == "0 kontaktpersoner"
    assert "Inga kontaktpersoner matchar sökningen." in nothing
    # The count is what a screen reader hears as the results change, not the whole list.
    fragment = client.get("/contacts?q=berg", headers=HTMX).text
    assert fragment.lstrip().startswith('<div id="results">')
    assert '<div aria-live="polite" aria-atomic="true"><p class="found-count"' in fragment
    assert found_count(fragment) == "2 kontaktpersoner"


def test_only_a_page_that_is_not_the_last_asks_for_the_count(
    client, session, clock, company, broker, engine
):
    for number in range(27):
        make_contact(session, clock, company, broker, name=f"Kontakt {number:02d}")

    def counts(url):
        with statements.recorded(engine) as seen:
            html = client.get(url).text
        return found_count(html), [s for s in seen if "count(" in s.lower()]

    number, counting = counts("/contacts")
    assert number == "27 kontaktpersoner" and len(counting) == 1
    number, counting = counts("/contacts?page=2")
    assert number == "27 kontaktpersoner" and counting == []  # 25 before it, 2 on it
    number, counting = counts("/contacts?page=3")  # past the end: counted
    assert number == "27 kontaktpersoner" and len(counting) == 1


def test_headers_sort_by_name_and_company(client, people):
    headers = sort_headers(client.get("/contacts").text)
    assert headers == {
        "Namn": ("ascending", "/contacts?sort=-name"),
        "Företag": (None, "/contacts?sort=company"),
    }
    # A header keeps the search and filters and goes back to the first page.
    page = client.get("/contacts?q=berg&supervisors=true&sort=-name&page=1").text
    assert sort_headers(page) == {
        "Namn": ("descending", "/contacts?q=berg&supervisors=true&sort=name"),
        "Företag": (None, "/contacts?q=berg&supervisors=true&sort=company"),
    }
    # Following the links sorts the list.
    by_company = client.get("/contacts?sort=company").text
    assert names_in(by_company) == ["Zäta Andersson", "Åke Lindberg", "Åsa Öberg"]
    assert sort_headers(by_company)["Företag"] == ("ascending", "/contacts?sort=-company")
    reversed_ = client.get(sort_headers(by_company)["Företag"][1]).text
    assert names_in(reversed_)[0] == "Åsa Öberg"  # Ängelholms after Björkåsens
    assert sort_headers(reversed_)["Företag"][0] == "descending"
    assert names_in(client.get("/contacts?sort=-name").text) == [
        "Åsa Öberg",
        "Åke Lindberg",
        "Zäta Andersson",
    ]


def test_an_inline_change_also_refreshes_the_history(client, session, company):
    response = add(client, company, {"name": "Åsa Öberg"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="history" aria-labelledby="history-heading" hx-swap-oob="true"' in response.text
    history_part = response.text.split('id="history"', 1)[1]
    assert "Åsa Öberg" in history_part
