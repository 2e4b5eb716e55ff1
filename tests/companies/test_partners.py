"""Companies of the kind samverkanspart: chosen in the company form and recorded in
history, marked on their page, left out of the register's list and export unless asked
for, found by the header search with a mark, and never a likely duplicate of an
employer (nor the reverse)."""

import csv
import io

from sqlmodel import select

from app.companies import service as companies
from app.companies.models import Company, CompanyKind
from app.history.models import AuditEvent
from app.moves import merge
from tests.companies.test_routes import VALID, as_broker, results
from tests.factories import make_company, make_user

PARTNER = {**VALID, "name": "Arbetsförmedlingen Ängelholm", "org_number": "", "kind": "partner"}


def test_a_new_partner_from_its_own_link(client, session, clock):
    as_broker(client, session, clock)
    assert 'href="/companies/new?kind=partner"' in client.get("/companies").text
    form = client.get("/companies/new?kind=partner").text
    assert "<h1>Ny samverkanspart</h1>" in form
    assert 'name="kind" value="partner" checked' in form
    assert 'name="kind" value="employer">' in form
    # A partner is nobody's account: no owner proposed.
    assert 'id="owner_id" name="owner_id">\n      <option value="">' in form
    assert 'name="kind" value="employer" checked' in client.get("/companies/new").text

    response = client.post_form("/companies", PARTNER, token_from="/companies/new")
    assert response.status_code == 303, response.text
    partner = session.exec(select(Company)).one()
    assert partner.kind == CompanyKind.partner
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "company")).one()
    assert event.changes["company_kind"] == [None, "partner"]
    page = client.get(response.headers["location"]).text
    assert '<span class="badge-partner">Samverkanspart</span>' in page
    assert "<dt>Slag</dt><dd>Samverkanspart</dd>" in page
    assert "Slag: <del>–</del> → <ins>Samverkanspart</ins>" in " ".join(page.split())


def test_an_employer_page_has_no_partner_mark(client, session, clock):
    user = as_broker(client, session, clock)
    employer = make_company(session, clock, user=user, name="Bygg AB")
    page = client.get(f"/companies/{employer.id}").text
    assert "<dt>Slag</dt><dd>Arbetsgivare</dd>" in page
    assert "badge-partner" not in page


def test_an_unknown_kind_is_refused_in_place_with_what_was_typed(client, session, clock):
    as_broker(client, session, clock)
    response = client.post_form(
        "/companies",
        {**PARTNER, "kind": "supplier", "city": "Ängelholm"},
        token_from="/companies/new",
    )
    assert response.status_code == 422
    assert "Välj om företaget är arbetsgivare eller samverkanspart." in response.text
    assert 'id="kind-error"' in response.text
    assert 'value="Ängelholm"' in response.text
    assert session.exec(select(Company)).first() is None


def test_changing_the_kind_is_recorded(client, session, clock):
    user = as_broker(client, session, clock)
    company = make_company(session, clock, user=user, name="Lärcentrum")
    form = companies.CompanyForm.from_company(company, [])
    assert form.kind == "employer"
    data = {k: v for k, v in form.model_dump().items() if v is not None and v is not False}
    response = client.post_form(
        f"/companies/{company.id}",
        {**data, "kind": "partner"},
        token_from=f"/companies/{company.id}/edit",
    )
    assert response.status_code == 303, response.text
    session.refresh(company)
    assert company.kind == CompanyKind.partner
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "company", AuditEvent.action == "update")
    ).one()
    assert event.changes == {"company_kind": ["employer", "partner"]}
    history = " ".join(client.get(f"/companies/{company.id}").text.split())
    assert "Slag: <del>Arbetsgivare</del> → <ins>Samverkanspart</ins>" in history


def test_the_list_shows_employers_unless_asked(client, session, clock):
    user = as_broker(client, session, clock)
    employer = make_company(session, clock, user=user, name="Ängelholms Bygg AB")
    partner = make_company(session, clock, user=user, name="Ängelholms Lärcentrum", kind="partner")

    default = results(client, "q=ängelholms")
    assert f"/companies/{employer.id}" in default and f"/companies/{partner.id}" not in default
    partners = results(client, "q=ängelholms&kind=partner")
    assert f"/companies/{partner.id}" in partners and f"/companies/{employer.id}" not in partners
    both = results(client, "kind=all")
    assert f"/companies/{partner.id}" in both and f"/companies/{employer.id}" in both
    assert both.count('<span class="badge-partner">Samverkanspart</span>') == 1
    # An unknown kind is the default, never an error.
    assert f"/companies/{partner.id}" not in results(client, "kind=nope")
    page = client.get("/companies?kind=partner").text
    assert '<option value="partner" selected>Samverkanspart</option>' in page


def export_rows(client, query):
    body = client.get(f"/companies/export.csv?{query}").content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_export_follows_the_kind_filter(client, session, clock):
    user = as_broker(client, session, clock)
    make_company(session, clock, user=user, name="Bygg AB")
    make_company(session, clock, user=user, name="Lärcentrum", kind="partner")
    assert [(r["Namn"], r["Slag"]) for r in export_rows(client, "")] == [
        ("Bygg AB", "Arbetsgivare")
    ]
    assert [r["Namn"] for r in export_rows(client, "kind=partner")] == ["Lärcentrum"]
    assert sorted((r["Namn"], r["Slag"]) for r in export_rows(client, "kind=all")) == [
        ("Bygg AB", "Arbetsgivare"),
        ("Lärcentrum", "Samverkanspart"),
    ]
    listed = results(client, "kind=partner")
    assert 'href="/companies/export.csv?kind=partner"' in listed


def test_the_header_search_finds_partners_and_marks_them(client, session, clock):
    user = as_broker(client, session, clock)
    make_company(session, clock, user=user, name="Ängelholms Bygg AB", city="Ängelholm")
    make_company(session, clock, user=user, name="Ängelholms Lärcentrum", kind="partner")
    page = client.get("/search?q=ängelholms").text
    assert "Ängelholms Bygg AB" in page and "Ängelholms Lärcentrum" in page
    assert page.count("Samverkanspart") == 1
    at = page.index("Ängelholms Lärcentrum")
    assert "Samverkanspart" in page[at : at + 400]


def test_no_duplicate_warning_across_kinds(client, session, clock):
    user = as_broker(client, session, clock)
    make_company(session, clock, user=user, name="Lärcentrum Ängelholm", kind="partner")
    # An employer of the same name is not the partner's duplicate ...
    response = client.post_form(
        "/companies", {**VALID, "name": "Lärcentrum Ängelholm AB"}, token_from="/companies/new"
    )
    assert response.status_code == 303, response.text
    # ... but a second partner of that name is.
    response = client.post_form(
        "/companies", {**PARTNER, "name": "Lärcentrum Ängelholm"}, token_from="/companies/new"
    )
    assert response.status_code == 409
    assert "Det finns redan ett företag med liknande namn" in response.text
    # An org.nr is one organisation's whatever its kind: the database keeps it unique.
    response = client.post_form(
        "/companies",
        {**PARTNER, "name": "Annat namn", "org_number": VALID["org_number"]},
        token_from="/companies/new",
    )
    assert response.status_code == 409
    assert "Det finns redan ett företag med det organisationsnumret." in response.text


def test_merge_candidates_are_of_the_same_kind(session, clock):
    broker = make_user(session, clock, role="broker")
    employer = make_company(session, clock, user=broker, name="Lärcentrum Ängelholm AB")
    twin = make_company(session, clock, user=broker, name="Lärcentrum Ängelholm HB")
    partner = make_company(session, clock, user=broker, name="Lärcentrum Ängelholm", kind="partner")

    def ids(company, q):
        return [
            row.company.id for row in merge.candidates(company, q, user=broker, session=session)
        ]

    # Likely duplicates (no search) and the search alike.
    assert ids(employer, "") == [twin.id]
    assert ids(employer, "lärcentrum") == [twin.id]
    assert ids(partner, "") == [] and ids(partner, "lärcentrum") == []


def test_the_partners_are_read_from_their_own_index(session, clock):
    """The reports leave the samverkanspartner out by their ids, and the list's
    "Samverkanspart" filter lists them: both from the partial index, never a scan of the
    whole register."""
    from sqlalchemy import text

    from app.companies.models import is_partner

    author = make_user(session, clock)
    for number in range(3):
        make_company(session, clock, user=author, name=f"Arbetsgivare {number} AB")
    statement = select(Company.id).where(is_partner())
    compiled = statement.compile(session.get_bind())
    connection = session.connection()
    if session.get_bind().dialect.name == "postgresql":
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN"
    else:
        explain = "EXPLAIN QUERY PLAN"
    plan = "\n".join(
        str(row[-1])
        for row in connection.exec_driver_sql(f"{explain} {compiled}", compiled.params).all()
    )
    assert "ix_company_partner" in plan, plan
