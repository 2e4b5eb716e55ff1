"""The per-user CSV delimiter: `;` by default, `,` when the user picks it on the account
page; every CSV export honours it, the XLSX is the same for all."""

from __future__ import annotations

import pytest

from tests.assignments.factories import make_assignment
from tests.contacts.factories import make_contact
from tests.events.factories import invite, make_event
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def world(session, clock):
    user = make_user(session, clock, role="viewer", username="vera", full_name="Vera Ek")
    broker = make_user(session, clock, username="bo")
    company = make_company(session, clock, user=broker, name="Bygg, Montage AB")
    make_contact(session, clock, company, broker, name="Eva Ek")
    make_assignment(session, clock, company, broker)
    event = make_event(session, clock, broker)
    invite(session, clock, event, company, broker)
    return user, company, event


def urls(company, event) -> list[str]:
    return [
        "/companies/export.csv",
        "/contacts/export.csv",
        f"/companies/{company.id}/activities.csv",
        "/assignments/export.csv",
        "/events/export.csv",
        f"/events/{event.id}/participants.csv",
    ]


def test_semicolon_by_default_comma_once_chosen_even_by_a_viewer(client, session, world):
    user, company, event = world
    assert user.csv_delimiter == ";"
    client.login("vera", PASSWORD)
    page = client.get("/account").text
    assert '<option value=";" selected>' in page
    for url in urls(company, event):
        header = client.get(url).content.decode("utf-8-sig").split("\r\n")[0]
        assert ";" in header and "," not in header, url

    response = client.post_form(
        "/account/csv-delimiter", {"csv_delimiter": ","}, token_from="/account"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    session.refresh(user)
    assert user.csv_delimiter == ","
    assert '<option value="," selected>' in client.get("/account").text
    for url in urls(company, event):
        header = client.get(url).content.decode("utf-8-sig").split("\r\n")[0]
        assert "," in header and ";" not in header, url
    body = client.get("/companies/export.csv").content.decode("utf-8-sig")
    assert body.startswith("Namn,Organisationsnummer,")
    assert '"Bygg, Montage AB"' in body  # a cell with the delimiter is quoted


def test_an_unknown_delimiter_is_refused_and_nothing_changes(client, session, world):
    user, _, _ = world
    client.login("vera", PASSWORD)
    response = client.post_form(
        "/account/csv-delimiter", {"csv_delimiter": "\t"}, token_from="/account"
    )
    assert response.status_code == 422
    assert "Välj ett skiljetecken." in response.text
    session.refresh(user)
    assert user.csv_delimiter == ";"


def test_the_form_needs_a_csrf_token(client, session, world):
    user, _, _ = world
    client.login("vera", PASSWORD)
    response = client.post("/account/csv-delimiter", data={"csv_delimiter": ","})
    assert response.status_code in (400, 403)
    session.refresh(user)
    assert user.csv_delimiter == ";"
