"""Agreement pages over HTTP: new, renew ("Förnya"), edit with conflicts and delete from the
company page's section, refusals shown in place, who may do what, and the list's filters,
counts, sort and pages."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.agreements import service as agreements
from app.agreements.models import Agreement, AgreementKind, AgreementState
from app.contacts import service as contacts
from tests.agreements.factories import make_agreement
from tests.assignments.factories import make_assignment
from tests.factories import PASSWORD, make_company, make_user
from tests.lists import found_count
from tests.statements import recorded

HTMX = {"HX-Request": "true"}


def make_contact(session, clock, company, user, name):
    contact = contacts.create(
        company, contacts.ContactForm(name=name), user=user, session=session, clock=clock
    )
    session.commit()
    return contact


def section(html):
    """The company page's agreement section."""
    start = html.index('<section id="agreements"')
    return html[start : html.index("</section>", start)]


def checked(html, contact):
    return re.search(rf'value="{contact.id}"[^>]* checked', html) is not None


def new_url(company):
    return f"/companies/{company.id}/agreements"


# --- new, edit, renew, delete -----------------------------------------------------------


def test_a_new_agreement_from_the_company_page_is_saved_and_shown_there(
    client, session, clock, bo, company
):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    per = make_contact(session, clock, company, bo, "Per Ek")
    kock = make_assignment(session, clock, company, bo, occupation="Kock")
    before = section(client.get(f"/companies/{company.id}").text)
    assert f'href="/companies/{company.id}/agreements/new"' in before
    assert "Inga avtal ännu." in before
    form = client.get(f"/companies/{company.id}/agreements/new")
    assert form.status_code == 200
    assert f'action="{new_url(company)}"' in form.text
    assert re.search(rf'<option value="{bo.id}" selected>Bo Ek</option>', form.text)
    assert f'<option value="{kock.id}">Kock</option>' in form.text
    assert f'name="signatory_ids" value="{anna.id}"' in form.text
    assert '<label for="valid_to">Giltigt till</label>' in form.text
    response = client.post_form(
        new_url(company),
        {
            "kind": "cooperation",
            "state": "signed",
            "signed_on": "2026-02-27",
            "valid_from": "2026-03-01",
            "valid_to": "2026-03-25",
            "assignment_id": str(kock.id),
            "unit_signatory_id": str(bo.id),
            "signatory_ids": [str(anna.id), str(per.id)],
            "notes": "Gäller köket",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}#agreements"
    agreement = session.exec(select(Agreement)).one()
    assert (agreement.kind, agreement.state, agreement.unit_signatory_id) == (
        AgreementKind.cooperation,
        AgreementState.signed,
        bo.id,
    )
    assert agreements.signatory_ids(agreement.id, session=session) == sorted([anna.id, per.id])
    page = client.get(f"/companies/{company.id}").text
    assert "Avtalet är sparat." in page
    shown = section(page)
    assert "Samverkansavtal: Undertecknat" in shown
    assert "Anna Berg, Per Ek" in shown and "Bo Ek" in shown
    assert f'<a href="/assignments/{kock.id}">Kock</a>' in shown
    assert "2026-03-01–2026-03-25" in shown
    assert "Upphör snart" in shown  # valid to within 30 days of 2 March
    assert f'href="/agreements/{agreement.id}/edit"' in shown
    assert f'href="/agreements/{agreement.id}/renew"' in shown
    history = page[page.index('id="history"') :]
    assert "ett avtal" in history


def test_a_refused_agreement_is_shown_again_with_what_was_typed(
    client, session, clock, bo, company
):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    per = make_contact(session, clock, company, bo, "Per Ek")
    typed = {
        "kind": "recruitment",
        "state": "signed",
        "valid_from": "2026-04-01",
        "signatory_ids": [str(anna.id)],
        "notes": "Tre lagerjobb",
    }
    response = client.post_form(new_url(company), typed, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="agreement-form"')  # the form alone
    assert re.search(r'<input id="signed_on"[^>]*aria-invalid="true"', response.text)
    assert '<small id="signed_on-error" class="field-error">' in response.text
    assert "Ange när avtalet undertecknades." in response.text
    assert '<option value="recruitment" selected>' in response.text
    assert '<option value="signed" selected>' in response.text
    assert 'value="2026-04-01"' in response.text
    assert ">Tre lagerjobb</textarea>" in response.text
    assert checked(response.text, anna) and not checked(response.text, per)
    # Without JavaScript: the whole page, the same refusal in it.
    plain = client.post_form(
        new_url(company), {**typed, "signed_on": "2026-02-27", "valid_to": "2026-03-20"}
    )
    assert plain.status_code == 422 and "<html" in plain.text
    assert "Giltigt till kan inte vara före Giltigt från." in plain.text
    assert session.exec(select(Agreement)).all() == []


def test_a_signatory_must_be_one_of_the_companys_contact_persons(
    client, session, clock, bo, company
):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    other = make_company(session, clock, user=bo, name="Zeta Städ AB")
    stranger = make_contact(session, clock, other, bo, "Sara Sund")
    response = client.post_form(
        new_url(company),
        {
            "kind": "cooperation",
            "state": "draft",
            "signatory_ids": [str(anna.id), str(stranger.id)],
        },
    )
    assert response.status_code == 422
    assert "Välj undertecknare bland företagets kontaktpersoner." in response.text
    assert 'aria-describedby="signatory_ids-error"' in response.text
    assert "Sara Sund" not in response.text  # only the company's own are offered
    assert checked(response.text, anna)
    assert session.exec(select(Agreement)).all() == []


def test_edit_saves_and_a_stale_form_shows_the_conflict(client, session, clock, bo, company):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    agreement = make_agreement(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        state="sent",
        sent_on="2026-02-20",
        signatory_ids=[str(anna.id)],
        notes="Första utkastet",
    )
    page = client.get(f"/agreements/{agreement.id}/edit")
    assert page.status_code == 200
    assert f'action="/agreements/{agreement.id}"' in page.text
    assert 'name="version" value="1"' in page.text
    assert checked(page.text, anna)
    fields = {
        "kind": "cooperation",
        "state": "signed",
        "sent_on": "2026-02-20",
        "signed_on": "2026-02-27",
        "signatory_ids": [str(anna.id)],
        "notes": "Första utkastet",
        "version": "1",
    }
    response = client.post_form(f"/agreements/{agreement.id}", fields)
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}#agreements"
    session.refresh(agreement)
    assert (agreement.state, agreement.version) == (AgreementState.signed, 2)
    assert "Ändringarna i avtalet är sparade." in client.get(f"/companies/{company.id}").text
    # Someone who opened version 1 changes the notes only.
    mine = {**fields, "state": "sent", "signed_on": "", "notes": "Mitt eget"}
    stale = client.post_form(f"/agreements/{agreement.id}", mine, headers=HTMX)
    assert stale.status_code == 409
    assert 'id="edit-conflict"' in stale.text
    assert "Någon annan har ändrat avtalet" in stale.text
    assert "<del>Skickat</del> → <ins>Undertecknat</ins>" in stale.text
    assert 'name="version" value="2"' in stale.text
    assert ">Mitt eget</textarea>" in stale.text  # what the user typed is kept
    assert '<option value="signed" selected>' in stale.text  # the other's change taken in
    session.refresh(agreement)
    assert (agreement.notes, agreement.version) == ("Första utkastet", 2)


def test_renew_fills_in_a_new_draft_that_replaces_the_ending_one(
    client, session, clock, bo, company
):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    old = make_agreement(
        session,
        clock,
        company,
        bo,
        kind="internship",
        state="signed",
        signed_on="2025-03-25",
        valid_from="2025-03-21",
        valid_to="2026-03-20",
        signatory_ids=[str(anna.id)],
        notes="Två praktikplatser",
    )
    shown = section(client.get(f"/companies/{company.id}").text)
    assert "Upphör snart" in shown
    form = client.get(f"/agreements/{old.id}/renew")
    assert form.status_code == 200
    assert "Förnya avtal med Ängelholms Bygg AB" in form.text
    assert f'action="{new_url(company)}"' in form.text  # it saves a new agreement
    assert f'name="renews_id" value="{old.id}"' in form.text
    assert '<option value="internship" selected>' in form.text
    assert '<option value="draft" selected>' in form.text
    assert 'value="2026-03-21"' in form.text and 'value="2027-03-20"' in form.text
    assert checked(form.text, anna)
    assert ">Två praktikplatser</textarea>" in form.text
    response = client.post_form(
        new_url(company),
        {
            "kind": "internship",
            "state": "draft",
            "valid_from": "2026-03-21",
            "valid_to": "2027-03-20",
            "signatory_ids": [str(anna.id)],
            "renews_id": str(old.id),
        },
    )
    assert response.status_code == 303
    new = session.exec(select(Agreement).where(Agreement.id != old.id)).one()
    assert new.renews_id == old.id
    shown = section(client.get(f"/companies/{company.id}").text)
    assert "Upphör snart" not in shown
    assert "Förnyat" in shown
    assert f'href="/agreements/{old.id}/renew"' not in shown


def test_delete_asks_again_and_removes_the_agreement(client, session, clock, bo, company):
    agreement = make_agreement(session, clock, company, bo, kind="other", state="draft")
    shown = section(client.get(f"/companies/{company.id}").text)
    confirm = shown[shown.index("<details>") : shown.index("</details>")]
    assert f'<form method="post" action="/agreements/{agreement.id}/delete">' in confirm
    assert "Ta bort avtalet" in confirm
    response = client.post_form(f"/agreements/{agreement.id}/delete")
    assert response.status_code == 303
    assert response.headers["location"] == f"/companies/{company.id}#agreements"
    session.expire_all()
    assert session.get(Agreement, agreement.id) is None
    page = client.get(f"/companies/{company.id}").text
    assert "Avtalet är borttaget." in page
    assert "Inga avtal ännu." in section(page)
    assert client.post_form(f"/agreements/{agreement.id}/delete").status_code == 404


def test_a_viewer_reads_the_agreements_but_changes_nothing(client, session, clock, bo, company):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    agreement = make_agreement(
        session,
        clock,
        company,
        bo,
        kind="cooperation",
        state="signed",
        signed_on="2026-02-01",
        valid_to="2026-03-20",
        signatory_ids=[str(anna.id)],
    )
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    shown = section(client.get(f"/companies/{company.id}").text)
    assert "Samverkansavtal: Undertecknat" in shown and "Anna Berg" in shown
    for button in ("Nytt avtal", "/edit", "/renew", "/delete", "<form"):
        assert button not in shown
    listed = client.get("/agreements")
    assert listed.status_code == 200
    assert found_count(listed.text) == "1 avtal"
    assert "/edit" not in listed.text
    for path in (
        f"/companies/{company.id}/agreements/new",
        f"/agreements/{agreement.id}/edit",
        f"/agreements/{agreement.id}/renew",
    ):
        assert client.get(path).status_code == 403, path
    for path, data in (
        (new_url(company), {"kind": "other", "state": "draft"}),
        (f"/agreements/{agreement.id}", {"kind": "other", "state": "draft", "version": "1"}),
        (f"/agreements/{agreement.id}/delete", {}),
    ):
        assert client.post_form(path, data).status_code == 403, path
    session.expire_all()
    [unchanged] = session.exec(select(Agreement)).all()
    assert (unchanged.kind, unchanged.version) == (AgreementKind.cooperation, 1)


def test_an_unknown_agreement_is_404(client, bo):
    assert client.get("/agreements/999999/edit").status_code == 404
    assert client.get("/agreements/999999/renew").status_code == 404
    assert client.get("/companies/999999/agreements/new").status_code == 404


# --- the list ---------------------------------------------------------------------------


@pytest.fixture
def register(session, clock, bo, company):
    """Three companies' agreements: {name: agreement}, and Cia, who owns one company.
    The clock says 2 March 2026."""
    cia = make_user(session, clock, role="broker", full_name="Cia Lind")
    bastad = make_company(
        session,
        clock,
        user=bo,
        name="Båstad Hotell AB",
        municipality="Båstad",
        owner_id=str(cia.id),
    )
    zeta = make_company(
        session, clock, user=bo, name="Zeta Städ AB", municipality="Ängelholm", owner_id=str(bo.id)
    )

    def made(on, **fields):
        return make_agreement(session, clock, on, bo, **fields)

    found = {
        "ending": made(
            company,
            kind="cooperation",
            state="signed",
            signed_on="2026-01-10",
            valid_to="2026-03-20",
        ),
        "sent": made(company, kind="letter_of_intent", state="sent", sent_on="2026-02-01"),
        "long": made(
            bastad, kind="internship", state="signed", signed_on="2025-06-01", valid_to="2026-12-31"
        ),
        "draft": made(zeta, kind="cooperation", state="draft"),
        "renewed": made(
            zeta, kind="recruitment", state="signed", signed_on="2026-02-15", valid_to="2026-03-10"
        ),
    }
    found["renewal"] = made(
        zeta,
        kind="recruitment",
        state="draft",
        valid_from="2026-03-11",
        renews_id=str(found["renewed"].id),
    )
    return {"agreements": found, "cia": cia, "company": company}


def listed(client, register, query=""):
    """The names of the agreements the list shows, in its order."""
    response = client.get("/agreements?" + query)
    assert response.status_code == 200
    names = {str(a.id): name for name, a in register["agreements"].items()}
    return [names[i] for i in re.findall(r'href="/companies/\d+#agreement-(\d+)"', response.text)]


def state_counts(html):
    match = re.search(r'<p class="state-counts">(.*?)</p>', html, re.S)
    assert match, "no counts per status"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def test_the_list_filters_by_kind_status_ending_owner_municipality_and_company(client, register):
    def names(query):
        return sorted(listed(client, register, query))

    every = sorted(register["agreements"])
    assert names("") == every
    assert names("kind=cooperation") == ["draft", "ending"]
    assert names("state=signed") == ["ending", "long", "renewed"]
    assert names("ending=true") == ["ending"]  # the renewed one no longer counts
    assert names("kind=cooperation&state=signed") == ["ending"]
    assert names("owner=me") == ["draft", "renewal", "renewed"]
    assert names(f"owner={register['cia'].id}") == ["long"]
    assert names("owner=none") == ["ending", "sent"]
    assert names("municipality=Båstad") == ["long"]
    assert names("q=zeta") == ["draft", "renewal", "renewed"]
    assert names("q=BÅSTAD") == ["long"]
    assert names(f"company_id={register['company'].id}") == ["ending", "sent"]
    assert names("kind=evil&state=nonsense&owner=x&sort=evil&page=-3") == every


def test_the_list_counts_what_it_found_and_each_status(client, register):
    page = client.get("/agreements").text
    assert found_count(page) == "6 avtal"
    assert state_counts(page) == "Utkast: 2 · Skickat: 1 · Undertecknat: 3 · Upphört: 0"
    # A status shows its own; the counts are of the other filters, each a link to its status.
    signed = client.get("/agreements?state=signed&owner=me").text
    assert found_count(signed) == "1 avtal"
    assert state_counts(signed) == "Utkast: 2 · Skickat: 0 · Undertecknat: 1 · Upphört: 0 · Alla"
    assert 'href="/agreements?owner=me&amp;state=draft"' in signed
    assert 'href="/agreements?owner=me">Alla</a>' in signed
    assert found_count(client.get("/agreements?kind=cooperation").text) == "2 avtal"
    nothing = client.get("/agreements?q=astronaut", headers=HTMX).text
    assert nothing.lstrip().startswith('<div id="results">')
    assert found_count(nothing) == "0 avtal" and "Inga avtal matchar sökningen." in nothing


def test_the_list_sorts_by_valid_to_signing_and_company(client, register):
    assert listed(client, register) == ["renewed", "ending", "long", "sent", "draft", "renewal"]
    assert listed(client, register, "sort=-valid_to") == [
        "long", "ending", "renewed", "sent", "draft", "renewal"
    ]  # fmt: skip
    assert listed(client, register, "sort=-signed") == [
        "renewed", "ending", "long", "sent", "draft", "renewal"
    ]  # fmt: skip
    # Båstad, Zeta, Ängelholms: the Swedish order; within a company by valid to.
    assert listed(client, register, "sort=company") == [
        "long", "renewed", "draft", "renewal", "ending", "sent"
    ]  # fmt: skip
    page = client.get("/agreements?kind=cooperation").text
    signed = 'href="/agreements?kind=cooperation&amp;sort=-signed" class="sort-link">Undertecknat'
    assert signed in page
    assert '<th scope="col" aria-sort="ascending">' in page  # valid to, the default


def test_the_list_pages_and_keeps_its_filters(client, session, clock, bo, company):
    for _number in range(26):
        make_agreement(session, clock, company, bo, kind="other", state="draft")
    first = client.get("/agreements?kind=other")
    assert first.text.count("#agreement-") == 25
    assert 'href="/agreements?kind=other&amp;page=2"' in first.text
    assert found_count(first.text) == "26 avtal"
    second = client.get("/agreements?kind=other&page=2", headers=HTMX)
    assert second.text.count("#agreement-") == 1
    assert "<html" not in second.text


def test_pages_cost_the_same_statements_however_many_agreements(
    client, session, clock, bo, company, engine
):
    anna = make_contact(session, clock, company, bo, "Anna Berg")
    kock = make_assignment(session, clock, company, bo, occupation="Kock")

    def add(number):
        for _ in range(number):
            make_agreement(
                session,
                clock,
                company,
                bo,
                kind="cooperation",
                state="signed",
                signed_on="2026-02-01",
                valid_to="2026-03-20",
                assignment_id=str(kock.id),
                unit_signatory_id=str(bo.id),
                signatory_ids=[str(anna.id)],
            )

    def statements():
        counts = []
        for path in ("/agreements", "/agreements?ending=true", f"/companies/{company.id}"):
            with recorded(engine) as seen:
                assert client.get(path).status_code == 200
            counts.append(len(seen))
        return counts

    add(2)
    few = statements()
    add(20)
    assert statements() == few


def test_the_main_menu_leads_to_the_list(client, bo):
    page = client.get("/agreements").text
    assert '<a href="/agreements" aria-current="page">Avtal</a>' in page
    assert '<label for="q">' in page and '<input type="search" id="q"' in page


def test_the_pages_in_english(client, session, clock, bo, company):
    make_agreement(session, clock, company, bo, kind="cooperation", state="draft")
    client.post_form("/account/locale", {"locale": "en"}, token_from="/account")
    listed = client.get("/agreements").text
    assert found_count(listed) == "1 agreement"
    assert "Agreements" in listed


# --- history from before the agreements ---------------------------------------------------


def test_a_companys_letter_of_intent_history_from_before_still_reads(
    client, session, clock, bo, company
):
    """Before agreements, the company form changed the letter of intent: those entries
    stay in the company's history and read as they did."""
    from app.history import service as history

    history.record(
        session=session,
        clock=clock,
        user=bo,
        entity="company",
        entity_id=company.id,
        action="update",
        changes={"agreement_status": ["none", "signed"], "agreement_date": [None, "2025-05-02"]},
        company_id=company.id,
        version=company.version,
    )
    session.commit()
    html = client.get(f"/companies/{company.id}").text
    entries = html[html.index('id="history"') :]
    assert "Avsiktsförklaring" in entries and "Undertecknad" in entries
    assert "Datum för avsiktsförklaring" in entries and "2025-05-02" in entries
    # An agreement saved now is a line of its own in the same history.
    make_agreement(session, clock, company, bo)
    html = client.get(f"/companies/{company.id}").text
    assert "ett avtal" in html[html.index('id="history"') :]


def test_the_company_page_shows_the_newest_agreement_first(client, session, clock, bo, company):
    signed = {"state": "signed", "signed_on": "2026-01-10"}
    make_agreement(session, clock, company, bo, **{**signed, "signed_on": "2024-08-09"})
    make_agreement(session, clock, company, bo, kind="cooperation", valid_to="2026-12-31", **signed)
    make_agreement(session, clock, company, bo, kind="recruitment", state="draft")
    shown = section(client.get(f"/companies/{company.id}").text)
    assert (
        shown.index("Rekryteringsavtal: Utkast")
        < shown.index("Samverkansavtal: Undertecknat")
        < shown.index("Avsiktsförklaring: Undertecknat")
    )
