"""Handing companies over to another broker: all of one broker's, or a selection from the
list; history per company; refusals; admins only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.companies import service as companies
from app.companies.models import Company
from app.errors import ValidationFailed
from app.history.models import AuditEvent
from app.moves import handover as handovers
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def people(session, clock):
    return {
        "admin": make_user(session, clock, role="admin", username="admin", full_name="Ada Admin"),
        "leaving": make_user(session, clock, username="lea", full_name="Lea Lind"),
        "staying": make_user(session, clock, username="sam", full_name="Sam Sten"),
        "viewer": make_user(session, clock, role="viewer", username="vera", full_name="Vera"),
        "gone": make_user(session, clock, username="gus", full_name="Gus", is_active=False),
    }


def owned_by(session, user):
    session.expire_all()
    return session.exec(select(Company).where(Company.owner_id == user.id)).all()


def handover_events(session):
    return session.exec(
        select(AuditEvent).where(AuditEvent.action == "handover").order_by(AuditEvent.id)
    ).all()


def make_owned(session, clock, owner, name, **fields):
    return make_company(session, clock, user=owner, name=name, owner_id=str(owner.id), **fields)


# --- the service ------------------------------------------------------------------------


def test_hand_over_all_moves_every_company_with_history(session, clock, people):
    lea, sam, admin = people["leaving"], people["staying"], people["admin"]
    first = make_owned(session, clock, lea, "Alfa AB")
    second = make_owned(session, clock, lea, "Beta AB")
    companies.archive(second, user=lea, session=session, clock=clock)
    untouched = make_owned(session, clock, sam, "Gamma AB")
    versions = {c.id: c.version for c in (first, second, untouched)}

    count, taker = handovers.hand_over_all(lea.id, sam.id, user=admin, session=session, clock=clock)
    session.commit()

    assert (count, taker.id) == (2, sam.id)
    assert owned_by(session, lea) == []
    assert {c.name for c in owned_by(session, sam)} == {"Alfa AB", "Beta AB", "Gamma AB"}
    for company in (first, second):
        assert session.get(Company, company.id).version == versions[company.id] + 1
    assert session.get(Company, untouched.id).version == versions[untouched.id]
    events = handover_events(session)
    assert {e.entity_id for e in events} == {first.id, second.id}
    assert all(e.changes == {"owner": ["Lea Lind", "Sam Sten"]} for e in events)
    assert all(e.user_id == admin.id and e.entity == "company" for e in events)


def test_hand_over_a_selection(session, clock, people):
    lea, sam, admin = people["leaving"], people["staying"], people["admin"]
    chosen = make_owned(session, clock, lea, "Alfa AB")
    kept = make_owned(session, clock, lea, "Beta AB")
    already = make_owned(session, clock, sam, "Gamma AB")
    no_owner = make_company(session, clock, user=lea, name="Delta AB")

    count, _ = handovers.hand_over(
        [chosen.id, already.id, no_owner.id, chosen.id],
        sam.id,
        user=admin,
        session=session,
        clock=clock,
    )
    session.commit()

    assert count == 2
    assert [c.name for c in owned_by(session, lea)] == [kept.name]
    assert {e.entity_id: e.changes["owner"] for e in handover_events(session)} == {
        chosen.id: ["Lea Lind", "Sam Sten"],
        no_owner.id: [None, "Sam Sten"],
    }


def test_refusals(session, clock, people):
    lea, sam, admin = people["leaving"], people["staying"], people["admin"]
    company = make_owned(session, clock, lea, "Alfa AB")

    def refused(call, message):
        with pytest.raises(ValidationFailed) as caught:
            call()
        assert message in caught.value.message
        session.rollback()

    refused(
        lambda: handovers.hand_over_all(
            lea.id, people["gone"].id, user=admin, session=session, clock=clock
        ),
        "aktiv jobbmäklare",
    )
    refused(
        lambda: handovers.hand_over_all(
            lea.id, people["viewer"].id, user=admin, session=session, clock=clock
        ),
        "aktiv jobbmäklare",
    )
    refused(
        lambda: handovers.hand_over_all(lea.id, lea.id, user=admin, session=session, clock=clock),
        "en annan jobbmäklare",
    )
    refused(
        lambda: handovers.hand_over_all(sam.id, lea.id, user=admin, session=session, clock=clock),
        "har inga företag",
    )
    refused(
        lambda: handovers.hand_over(
            [company.id], people["viewer"].id, user=admin, session=session, clock=clock
        ),
        "aktiv jobbmäklare",
    )
    refused(
        lambda: handovers.hand_over([], sam.id, user=admin, session=session, clock=clock),
        "minst ett företag",
    )
    assert [c.id for c in owned_by(session, lea)] == [company.id]
    assert handover_events(session) == []


def test_who_owns_what(session, clock, people):
    lea, sam = people["leaving"], people["staying"]
    make_owned(session, clock, lea, "Alfa AB")
    make_owned(session, clock, lea, "Beta AB")
    make_owned(session, clock, sam, "Gamma AB")

    owners = handovers.owners_with_companies(session=session)

    assert [(o.user.full_name, o.companies) for o in owners] == [("Lea Lind", 2), ("Sam Sten", 1)]


# --- over HTTP --------------------------------------------------------------------------


def test_admin_hands_over_everything_after_a_preview(client, session, clock, people):
    lea, sam = people["leaving"], people["staying"]
    for name in ("Alfa AB", "Beta AB", "Gamma AB"):
        make_owned(session, clock, lea, name)
    client.login("admin", PASSWORD)

    assert "/admin/handover" in client.get("/admin/users").text
    form = client.get("/admin/handover").text
    assert "Lea Lind" in form and "3 företag" in form
    preview = client.get(f"/admin/handover?from_user_id={lea.id}&to_user_id={sam.id}")
    assert preview.status_code == 200
    assert "3 företag flyttas från Lea Lind till Sam Sten." in preview.text
    assert owned_by(session, sam) == []

    done = client.post_form(
        "/admin/handover",
        {"from_user_id": lea.id, "to_user_id": sam.id},
        token_from="/admin/handover",
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/companies?owner={sam.id}"
    page = client.get(done.headers["location"]).text
    assert "3 företag har lämnats över till Sam Sten." in page
    assert len(owned_by(session, sam)) == 3


def test_the_handover_form_refuses_in_place(client, session, clock, people):
    lea = people["leaving"]
    make_owned(session, clock, lea, "Alfa AB")
    client.login("admin", PASSWORD)

    same = client.get(f"/admin/handover?from_user_id={lea.id}&to_user_id={lea.id}")
    assert same.status_code == 422 and "en annan jobbmäklare" in same.text
    to_viewer = client.post_form(
        "/admin/handover",
        {"from_user_id": lea.id, "to_user_id": people["viewer"].id},
        token_from="/admin/handover",
    )
    assert to_viewer.status_code == 422 and "aktiv jobbmäklare" in to_viewer.text
    assert len(owned_by(session, lea)) == 1


def test_admin_hands_over_a_selection_from_the_list(client, session, clock, people):
    lea, sam = people["leaving"], people["staying"]
    chosen = [make_owned(session, clock, lea, name) for name in ("Alfa AB", "Beta AB")]
    make_owned(session, clock, lea, "Gamma AB")
    client.login("admin", PASSWORD)

    page = client.get("/companies").text
    assert 'action="/companies/handover"' in page
    assert 'aria-label="Välj Alfa AB"' in page and "Lämna över valda till" in page
    assert (
        'hx-trigger="input changed delay:250ms from:#q, search from:#q, change from:.filters'
        in (page)
    )
    fragment = client.get("/companies?q=alfa", headers={"HX-Request": "true"}).text
    assert 'name="company_ids"' in fragment and 'name="csrf_token"' in fragment

    done = client.post_form(
        "/companies/handover",
        {"company_ids": [str(c.id) for c in chosen], "to_owner_id": str(sam.id)},
        token_from="/companies",
    )
    assert done.status_code == 303, done.text
    assert "2 företag har lämnats över till Sam Sten." in client.get(done.headers["location"]).text
    assert {c.name for c in owned_by(session, sam)} == {"Alfa AB", "Beta AB"}
    assert [c.name for c in owned_by(session, lea)] == ["Gamma AB"]

    nothing = client.post_form(
        "/companies/handover", {"to_owner_id": str(sam.id)}, token_from="/companies"
    )
    assert nothing.status_code == 303
    assert "Välj minst ett företag" in client.get(nothing.headers["location"]).text


@pytest.mark.parametrize("role", ["broker", "viewer"])
def test_only_admins_hand_over(client, session, clock, people, role):
    lea, sam = people["leaving"], people["staying"]
    company = make_owned(session, clock, lea, "Alfa AB")
    user = make_user(session, clock, role=role, username="someone")
    client.login(user.username, PASSWORD)

    assert 'action="/companies/handover"' not in client.get("/companies").text
    assert client.get("/admin/handover").status_code == 403
    for path, data in (
        ("/admin/handover", {"from_user_id": lea.id, "to_user_id": sam.id}),
        ("/companies/handover", {"company_ids": str(company.id), "to_owner_id": sam.id}),
    ):
        assert client.post_form(path, data, token_from="/account").status_code == 403
    assert [c.id for c in owned_by(session, lea)] == [company.id]
