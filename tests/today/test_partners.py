"""Min dag and samverkanspartner: the quiet companies are employers only, still read
in order from their index; a follow-up a broker set on a partner is still theirs to do."""

import pytest

from app.today import service as my_day
from tests import statements
from tests.factories import make_company
from tests.today.test_routes import follow_up, follow_ups_on, row, section


def partner_of(session, clock, user, name):
    return make_company(session, clock, user=user, name=name, owner_id=str(user.id), kind="partner")


def test_quiet_companies_leave_partners_out(client, session, clock, bo):
    employer = make_company(
        session, clock, user=bo, name="Tyst Arbetsgivare AB", owner_id=str(bo.id)
    )
    partner = partner_of(session, clock, bo, "Arbetsförmedlingen Ängelholm")
    html = section(client.get("/").text, "not-contacted")
    assert f'<a href="/companies/{employer.id}">' in html
    assert f"/companies/{partner.id}" not in html
    team = my_day.not_contacted(my_day.View(None, own=False), session=session, clock=clock)
    assert [quiet.company.id for quiet in team.rows] == [employer.id]


def test_a_follow_up_on_a_partner_is_still_due(client, session, clock, bo):
    partner = partner_of(session, clock, bo, "Lärcentrum Ängelholm")
    due = follow_up(session, clock, partner, bo, clock.now().date(), notes="Boka möte om spåret")
    assert "Boka möte om spåret" in row(follow_ups_on(client), due)


def test_quiet_companies_still_walk_their_index_on_sqlite(session, clock, bo):
    """The kind is filtered on the rows the owner's (owner_id, last_contact_at) index
    gives in order: no sort, no scan of the table."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL: test_routes.py checks its quiet-company indexes")
    view = my_day.View(user=bo, own=True)
    with statements.with_parameters(session.get_bind()) as seen:
        my_day.not_contacted(view, session=session, clock=clock)
    [(statement, params)] = [(sql, p) for sql, p in seen if "ORDER BY company.last" in sql]
    assert "company.kind" in statement
    plan = " | ".join(
        str(row[-1])
        for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
    )
    assert "ix_company_owner_last_contact" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
