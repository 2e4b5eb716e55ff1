"""Logging a call from a list's row (the company list, the search's results): the call-log
form opened under the row, saved in place, refused with what was typed kept."""

from __future__ import annotations

from sqlmodel import select

from app.activities.models import Activity
from tests.factories import PASSWORD, make_user

HX = {"HX-Request": "true"}


def test_without_javascript_the_company_page_opens_with_its_form(client, company):
    response = client.get(f"/companies/{company.id}/log?place=list")
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}?log=1#activity-add-form"


def test_the_form_opens_as_a_row_of_the_list_or_a_block_of_the_results(client, company):
    row = client.get(f"/companies/{company.id}/log?place=list&columns=9", headers=HX).text
    assert row.lstrip().startswith(
        f'<tr id="company-{company.id}-log" class="inline-log-row"><td colspan="9">'
    )
    assert 'name="notes"' in row and "autofocus" in row and "data-inline-close" in row
    block = client.get(f"/companies/{company.id}/log?place=search", headers=HX).text
    assert block.lstrip().startswith(
        f'<div id="company-{company.id}-log" class="inline-log-block">'
    )
    # An unknown place is the list's; the width stays within reason.
    odd = client.get(f"/companies/{company.id}/log?place=<x>&columns=999", headers=HX).text
    assert 'colspan="20"' in odd and "<x>" not in odd


def test_a_call_is_logged_in_place(client, session, company):
    response = client.post_form(
        f"/companies/{company.id}/log?place=list&columns=9",
        {"kind": "call", "notes": "Ringde om sommarjobb", "follow_up": "next_week"},
        token_from="/companies",
        headers=HX,
    )
    assert response.status_code == 200
    html = response.text
    logged = session.exec(select(Activity).where(Activity.company_id == company.id)).one()
    assert logged.notes == "Ringde om sommarjobb" and logged.follow_up_on is not None
    assert f'href="/companies/{company.id}#activity-{logged.id}" data-swap-focus' in html
    assert "Kontakthändelsen med Ängelholms Bygg AB är sparad. Återkoppling" in html
    # The row's dates change with it (out of band), and the notice goes to the flash area.
    assert (
        f'id="company-{company.id}-last-contact" data-label="Senaste kontakt" hx-swap-oob="true">'
        in html
    )
    assert (
        f'id="company-{company.id}-follow-up"' in html and 'hx-swap-oob="innerHTML:#flash"' in html
    )
    session.refresh(company)
    assert company.last_contact_at is not None


def test_a_refused_call_comes_back_as_typed(client, session, company):
    response = client.post_form(
        f"/companies/{company.id}/log?place=search",
        {
            "kind": "call",
            "notes": "Ringde, inget svar",
            "follow_up": "date",
            "follow_up_on": "31/2",
        },
        token_from="/companies",
        headers=HX,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<div id="company-{company.id}-log"')
    assert "Ringde, inget svar" in response.text and 'aria-invalid="true"' in response.text
    assert session.exec(select(Activity).where(Activity.company_id == company.id)).first() is None


def test_a_viewer_cannot_and_a_forged_post_is_refused(client, session, clock, company):
    forged = client.post(
        f"/companies/{company.id}/log", data={"kind": "call", "notes": "x"}, headers=HX
    )
    assert forged.status_code == 403
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert client.get(f"/companies/{company.id}/log", headers=HX).status_code == 403
    refused = client.post_form(
        f"/companies/{company.id}/log",
        {"kind": "call", "notes": "x"},
        token_from="/companies",
        headers=HX,
    )
    assert refused.status_code == 403
    assert "Logga samtal" not in client.get("/companies").text
    assert session.exec(select(Activity)).first() is None
