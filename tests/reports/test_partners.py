"""The report's company counts are of employers: a samverkanspart contacted, new or with a
letter of intent in the period counts in none of them, whichever way each is counted
(a period that has ended, one reaching today, one broker, one municipality). The team
page's companies without an owner are employers too."""

from __future__ import annotations

from app.reports import team
from app.reports.service import ReportFilters
from app.reports.tables.companies import companies_table
from tests.reports.conftest import activity, at, company
from tests.reports.test_service import MARCH, report, table


def test_partners_count_in_no_company_figure(session, late, bo, cia):
    def created(when, owner, name, municipality, **fields):
        late.set(at(when))
        made = company(
            session,
            late,
            owner,
            name,
            municipality,
            agreement_status="signed",
            agreement_date="2026-03-10",
            **fields,
        )
        late.set(at("2027-02-01T09:00"))
        return made

    employer = created("2026-03-02T10:00", bo, "Alfa AB", "Lund")
    partner = created("2026-03-03T10:00", bo, "Arbetsförmedlingen Lund", "Lund", kind="partner")
    activity(session, late, employer, bo, "2026-03-12T10:00")
    activity(session, late, partner, bo, "2026-03-12T11:00")
    # Partners are asked for in every statement: no count is left with a stale figure.
    late_employer = created("2026-03-04T10:00", cia, "Beta AB", "Malmö")
    activity(session, late, late_employer, cia, "2026-03-20T10:00")
    activity(session, late, late_employer, cia, "2026-04-20T10:00")

    assert table(report(session, late), "companies") == {
        "Kontaktade företag": [2],
        "Nya företag": [2],
        "Undertecknade avsiktsförklaringar": [2],
    }
    lund = table(report(session, late, municipality="Lund"), "companies")
    assert lund == {
        "Kontaktade företag": [1],
        "Nya företag": [1],
        "Undertecknade avsiktsförklaringar": [1],
    }
    assert table(report(session, late, broker_id=bo.id), "companies")["Kontaktade företag"] == [1]

    def contacted(now, **filters):
        found = companies_table(ReportFilters(MARCH, **filters), session=session, now=now)
        return found.rows[0].values

    for now in (late.now(), at("2026-03-31T12:00")):
        assert contacted(now) == [2], now
        assert contacted(now, municipality="Lund") == [1], now
        assert contacted(now, broker_id=bo.id) == [1], now


def test_the_note_says_employers_only(session, late, bo):
    found = report(session, late)
    assert "Bara arbetsgivare räknas, inte samverkanspartner." in found.tables["companies"].note


def test_partners_are_not_among_the_companies_without_an_owner(session, late, bo):
    from tests.factories import make_company

    employer = make_company(session, late, user=bo, name="Utan Ägare AB")
    make_company(session, late, user=bo, name="Lärcentrum", kind="partner")
    unowned = team.unowned_companies(1, session=session)
    assert [c.id for c in unowned.rows] == [employer.id] and unowned.total == 1
