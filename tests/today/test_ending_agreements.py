"""Min dag's agreements that end within 30 days: signed, not renewed, on my companies (or
the team's), the first to end first, with "Förnya" for those who may write."""

import datetime as dt

from app.agreements import service as agreements
from app.clock import today
from app.companies import service as companies
from tests.factories import PASSWORD, make_user
from tests.today.conftest import ending_agreement, owned_by
from tests.today.test_routes import section


def test_my_agreements_ending_within_a_month_first_to_end_first(client, session, clock, bo, cia):
    bageri = owned_by(session, clock, bo, "Bos Bageri AB")
    kok = owned_by(session, clock, bo, "Bos Kök AB")
    ending_agreement(session, clock, bageri, bo, days=20)
    ending_agreement(session, clock, kok, bo, days=3)
    ending_agreement(session, clock, owned_by(session, clock, bo, "Idag AB"), bo, days=0)
    ending_agreement(session, clock, owned_by(session, clock, bo, "Senare AB"), bo, days=31)
    ending_agreement(session, clock, owned_by(session, clock, bo, "Utkast AB"), bo, days=5,
                     state="draft")  # fmt: skip
    ending_agreement(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, days=5)
    renewed = ending_agreement(session, clock, owned_by(session, clock, bo, "Förnyat AB"), bo,
                               days=10)  # fmt: skip
    new = agreements.renew_form(renewed, session=session)
    agreements.create(
        companies.get(renewed.company_id, session=session),
        new,
        user=bo,
        session=session,
        clock=clock,
    )
    archived = owned_by(session, clock, bo, "Arkiverat AB")
    ending_agreement(session, clock, archived, bo, days=5)
    companies.archive(archived, user=bo, session=session, clock=clock)
    session.commit()

    html = section(client.get("/").text, "ending-agreements")
    assert "Mina avtal som löper ut" in html
    assert html.index("Idag AB") < html.index("Bos Kök AB") < html.index("Bos Bageri AB")
    day = today(clock) + dt.timedelta(days=3)
    assert f"giltigt till {day.isoformat()}" in html
    for absent in ("Senare AB", "Utkast AB", "Cias AB", "Förnyat AB", "Arkiverat AB"):
        assert absent not in html
    assert html.count(">Förnya<") == 3


def test_the_team_sees_everyones_with_the_owner_and_a_viewer_no_renew(
    client, session, clock, bo, cia
):
    ending_agreement(session, clock, owned_by(session, clock, cia, "Cias AB"), cia, days=5)
    session.commit()
    assert "Inga avtal löper ut de närmaste 30 dagarna." in section(
        client.get("/").text, "ending-agreements"
    )
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    html = section(client.get("/?user=team").text, "ending-agreements")
    assert "Avtal som löper ut" in html and "Cias AB" in html and "Cia Lind" in html
    assert "Förnya" not in html
