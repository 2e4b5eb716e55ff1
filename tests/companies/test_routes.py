"""Company pages over HTTP: create with org.nr checks and duplicate warning, edit with
conflict protection, archive and restore, the list's search and filters."""

import re

import pytest
from sqlmodel import select

from app.companies.models import Company, CompanyStatus
from app.history.models import AuditEvent
from tests import statements
from tests.conftest import Client
from tests.factories import PASSWORD, make_company, make_user

VALID = {
    "name": "Ängelholms Bygg AB",
    "org_number": "5560360793",
    "status": "active",
    "agreement_status": "none",
}


def results(client, query):
    """The list's results block alone, as htmx asks for it (no flash messages around it)."""
    return client.get(f"/companies?{query}", headers={"HX-Request": "true"}).text


def as_broker(client, session, clock, username="bo"):
    user = make_user(session, clock, role="broker", username=username, full_name="Bo Ek")
    client.login(username, PASSWORD)
    return user


def test_create_company_normalizes_org_number_and_records_history(client, session, clock):
    user = as_broker(client, session, clock)
    response = client.post_form(
        "/companies",
        {**VALID, "tags": "Bygg, jobbspar, bygg", "postal_code": "26232"},
        token_from="/companies/new",
    )
    assert response.status_code == 303, response.text
    company = session.exec(select(Company)).one()
    assert company.org_number == "556036-0793"
    assert company.postal_code == "262 32"
    page = client.get(response.headers["location"]).text
    assert "Företaget Ängelholms Bygg AB är sparat." in page
    assert "Bygg, jobbspar" in page
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "company")).one()
    assert event.action == "create" and event.user_id == user.id
    assert event.changes["name"] == [None, "Ängelholms Bygg AB"]


def test_invalid_org_number_is_refused_in_place(client, session, clock):
    as_broker(client, session, clock)
    for number, message in (
        ("556036-0794", "fel kontrollsiffra"),
        ("12345", "tio siffror"),
        ("800101-1234", "personnummer"),
    ):
        response = client.post_form(
            "/companies",
            {**VALID, "org_number": number},
            token_from="/companies/new",
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422, number
        assert message in response.text
        assert 'value="Ängelholms Bygg AB"' in response.text
    assert session.exec(select(Company)).first() is None


def test_same_org_number_is_refused_and_a_similar_name_warned_about(client, session, clock):
    user = as_broker(client, session, clock)
    existing = make_company(
        session, clock, user=user, name="Ängelholms Bygg Aktiebolag", org_number="556036-0793"
    )
    taken = client.post_form(
        "/companies", {**VALID, "name": "Något Annat"}, token_from="/companies/new"
    )
    assert taken.status_code == 409
    assert "Det finns redan ett företag med det organisationsnumret." in taken.text
    assert f"/companies/{existing.id}" in taken.text
    assert "spara ändå" not in taken.text

    similar = client.post_form(
        "/companies",
        {**VALID, "name": "ÄNGELHOLMS BYGG, AB", "org_number": ""},
        token_from="/companies/new",
    )
    assert similar.status_code == 409
    assert "liknande namn" in similar.text
    saved = client.post_form(
        "/companies",
        {**VALID, "name": "ÄNGELHOLMS BYGG, AB", "org_number": "", "confirm_duplicate": "true"},
        token_from="/companies/new",
    )
    assert saved.status_code == 303
    assert len(session.exec(select(Company)).all()) == 2


def test_edit_conflict_shows_the_other_change_and_keeps_my_input(app, client, session, clock):
    user = as_broker(client, session, clock)
    company = make_company(session, clock, user=user, name="Kvarnen AB", phone="040-123456")
    make_user(session, clock, username="anna", full_name="Anna Berg")
    edit_form = client.get(f"/companies/{company.id}/edit").text
    assert f'name="version" value="{company.version}"' in edit_form

    with Client(app, follow_redirects=False) as annas_browser:
        annas_browser.login("anna", PASSWORD)
        first = annas_browser.post_form(
            f"/companies/{company.id}",
            {
                "name": "Kvarnen AB",
                "phone": "040-999999",
                "status": "prospect",
                "agreement_status": "none",
                "version": str(company.version),
            },
            token_from=f"/companies/{company.id}/edit",
        )
        assert first.status_code == 303

    mine = {
        "name": "Kvarnen i Lund AB",
        "phone": "040-123456",
        "status": "prospect",
        "agreement_status": "none",
        "version": "1",
    }
    conflict = client.post_form(
        f"/companies/{company.id}",
        mine,
        token_from="/companies/new",
        headers={"HX-Request": "true"},
    )
    assert conflict.status_code == 409
    assert "Någon annan har ändrat företaget" in conflict.text
    assert "Anna Berg" in conflict.text and "040-999999" in conflict.text
    assert 'value="Kvarnen i Lund AB"' in conflict.text
    # I left the phone as it was, so Anna's new number comes into my form: saving again
    # must not quietly put the old number back.
    shown = dict(
        re.findall(r'name="(phone|version)" (?:type="\w+" )?value="([^"]*)"', conflict.text)
    )
    assert shown == {"phone": "040-999999", "version": "2"}
    session.expire_all()
    assert session.get(Company, company.id).phone == "040-999999"

    again = client.post_form(
        f"/companies/{company.id}", {**mine, **shown}, token_from="/companies/new"
    )
    assert again.status_code == 303
    session.expire_all()
    saved = session.get(Company, company.id)
    assert (saved.name, saved.phone, saved.version) == ("Kvarnen i Lund AB", "040-999999", 3)


def test_archive_hides_and_an_admin_restores(client, session, clock):
    user = as_broker(client, session, clock)
    company = make_company(session, clock, user=user, name="Gamla Bruket AB")
    assert (
        client.post_form(
            f"/companies/{company.id}/archive", token_from="/companies/new"
        ).status_code
        == 303
    )
    assert "Gamla Bruket AB" not in results(client, "")
    assert "Gamla Bruket AB" in results(client, "archived=true")
    assert (
        client.post_form(
            f"/companies/{company.id}/restore", token_from="/companies/new"
        ).status_code
        == 403
    )
    make_user(session, clock, role="admin", username="admin")
    client.cookies.clear()
    client.login("admin", PASSWORD)
    assert (
        client.post_form(
            f"/companies/{company.id}/restore", token_from="/companies/new"
        ).status_code
        == 303
    )
    assert "Gamla Bruket AB" in results(client, "")
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions == ["create", "archive", "restore"]


def test_list_search_filters_and_state_in_the_url(client, session, clock):
    user = as_broker(client, session, clock)
    other = make_user(session, clock, username="anna")
    make_company(
        session,
        clock,
        user=user,
        name="Ängelholms Bygg AB",
        owner_id=str(user.id),
        status="active",
        municipality="Ängelholm",
        tags="bygg",
    )
    make_company(
        session, clock, user=user, name="Örebro Städ", owner_id=str(other.id), municipality="Örebro"
    )
    make_company(session, clock, user=user, name="Ägarlösa Åkeriet AB")
    page = client.get("/companies?q=ÄNGEL").text
    assert "Ängelholms Bygg AB" in page and "Örebro Städ" not in page
    nobodys = client.get("/companies?owner=none").text
    assert "Ägarlösa Åkeriet AB" in nobodys
    assert "Ängelholms Bygg AB" not in nobodys and "Örebro Städ" not in nobodys
    assert '<option value="none" selected>Ingen ansvarig</option>' in nobodys
    assert 'value="ÄNGEL"' in page
    mine = client.get("/companies?owner=me").text
    assert "Ängelholms Bygg AB" in mine and "Örebro Städ" not in mine
    active = client.get(f"/companies?status={CompanyStatus.active.value}").text
    assert "Ängelholms Bygg AB" in active and "Örebro Städ" not in active
    by_place = client.get("/companies?municipality=Örebro").text
    assert "Örebro Städ" in by_place and "Ängelholms Bygg AB" not in by_place
    fragment = client.get("/companies?q=orebro", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="results"') and "Örebro Städ" in fragment
    assert client.get("/companies?sort=bogus&page=abc&status=x").status_code == 422
    # The filters are one disclosure, open while one of them (or the sort) is in use.
    closed, opened = '<details class="filters" data-remember="company-filters"', "{} open>"
    assert closed + ">" in page
    assert opened.format(closed) in nobodys
    assert opened.format(closed) in client.get("/companies?sort=-name").text


def test_viewer_sees_but_cannot_create(client, session, clock):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert client.get("/companies").status_code == 200
    assert "Nytt företag" not in client.get("/companies").text
    assert client.get("/companies/new").status_code == 403


def test_page_links_keep_every_filter(client, session, clock):
    user = as_broker(client, session, clock)
    for number in range(27):
        make_company(session, clock, user=user, name=f"Arkiv {number:02d} AB")
    for company in session.exec(select(Company)).all():
        client.post_form(f"/companies/{company.id}/archive", token_from="/companies/new")
    page = results(client, "archived=true&q=arkiv")
    assert 'href="/companies?q=arkiv&amp;archived=true&amp;page=2"' in page
    second = results(client, "q=arkiv&archived=true&page=2")
    assert "Arkiv 26 AB" in second


@pytest.mark.parametrize(
    "path", ["/companies", "/companies?q=bygg", "/companies?q=by&owner=me&sort=-last_contact"]
)
def test_the_list_costs_the_same_statements_as_data_grows(client, session, clock, engine, path):
    user = as_broker(client, session, clock)

    def add(first, last):
        for number in range(first, last):
            make_company(session, clock, user=user, name=f"Bygg {number:02d} AB", tags="a, b")

    def page():
        assert client.get(path).status_code == 200

    add(0, 30)  # more than a page: the list counts what it found
    few = statements.count(engine, page)
    add(30, 90)
    assert statements.count(engine, page) == few
