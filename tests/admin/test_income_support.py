"""What the reports' estimate of income support saved counts with: the admin sets an
amount per person and month and the months counted; nobody else may, every refusal
keeps what was typed, and the report links admins there until it is set."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.assignments import income_support
from app.assignments.income_support import IncomeSupportForm
from app.assignments.models import IncomeSupportRate
from app.errors import Forbidden
from tests.admin.test_users import as_admin
from tests.factories import PASSWORD, make_user

PAGE = "/admin/income-support"


def test_the_admin_sets_the_amount_and_the_months(client, session, clock):
    admin = as_admin(client, session, clock)
    page = client.get(PAGE).text
    assert "Inget belopp är angett ännu" in page
    assert 'name="amount_per_month" type="text" value=""' in page
    assert 'href="/admin/income-support"' in client.get("/admin/users").text
    response = client.post_form(
        PAGE, {"amount_per_month": "9 500 kr", "months": "6"}, token_from=PAGE
    )
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    rate = session.exec(select(IncomeSupportRate)).one()
    assert (rate.amount_per_month, rate.months, rate.updated_by_id) == (9500, 6, admin.id)
    page = client.get(PAGE).text
    assert "Underlaget för uppskattningen är sparat." in page
    assert 'value="9500"' in page and 'value="6"' in page
    assert "Av Ada Admin." in page
    # Changed again: still the one row.
    client.post_form(PAGE, {"amount_per_month": "0", "months": "24"}, token_from=PAGE)
    session.expire_all()
    assert [(r.amount_per_month, r.months) for r in session.exec(select(IncomeSupportRate))] == [
        (0, 24)
    ]


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"amount_per_month": ""}, "amount_per_month", "Ange beloppet per person och månad"),
        ({"amount_per_month": "9500,50"}, "amount_per_month", "Ange beloppet i hela kronor"),
        ({"amount_per_month": "-1"}, "amount_per_month", "från 0 till 1 000 000"),
        ({"amount_per_month": "1000001"}, "amount_per_month", "från 0 till 1 000 000"),
        ({"amount_per_month": "nio"}, "amount_per_month", "till exempel 9 500"),
        ({"months": "0"}, "months", "Ange antalet månader som en siffra från 1 till 24."),
        ({"months": "25"}, "months", "Ange antalet månader som en siffra från 1 till 24."),
        ({"months": ""}, "months", "Ange antalet månader som en siffra från 1 till 24."),
    ],
)
def test_values_out_of_range_are_refused_in_place_keeping_what_was_typed(
    client, session, clock, typed, field, message
):
    as_admin(client, session, clock)
    values = {"amount_per_month": "9500", "months": "6", **typed}
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post_form(PAGE, values, token_from=PAGE, headers=headers)
        assert response.status_code == 422
        assert message in response.text
        assert f'id="{field}-error"' in response.text
        assert f'name="{field}" type="text" value="{values[field]}"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert response.text.lstrip().startswith('<form id="rate-form"')  # htmx: the form alone
    assert session.exec(select(IncomeSupportRate)).first() is None


def test_only_admins_set_it(client, session, clock):
    make_user(session, clock, role="broker", username="bo")
    client.login("bo", PASSWORD)
    assert client.get(PAGE).status_code == 403
    response = client.post_form(
        PAGE, {"amount_per_month": "9500", "months": "6"}, token_from="/account"
    )
    assert response.status_code == 403
    assert session.exec(select(IncomeSupportRate)).first() is None
    # The service says no too, whoever calls it.
    broker = make_user(session, clock, role="broker", username="cia")
    with pytest.raises(Forbidden):
        income_support.save(
            IncomeSupportForm(amount_per_month="1", months="1"),
            user=broker,
            session=session,
            clock=clock,
        )


def test_the_report_links_admins_to_the_setting_until_it_is_set(client, session, clock):
    as_admin(client, session, clock)
    page = client.get("/reports").text
    assert 'href="/admin/income-support">Ange beloppet och månaderna</a>' in page
    client.post_form(PAGE, {"amount_per_month": "9500", "months": "6"}, token_from=PAGE)
    page = client.get("/reports").text
    assert 'href="/admin/income-support"' not in page
    assert "0 personer × 9\u202f500 kr × 6 månader = 0 kr" in page
