"""The employer register in the browser: create a company (org.nr check, duplicate warning),
search with å/ä/ö, contacts inline, an edit conflict between two brokers, merge, and
"Radera person". Every page visited passes axe-core.

All tests share the module's server; each makes its own users and companies, under names
no other test uses, so that they depend neither on each other nor on order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Response, expect

from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_company_in,
    make_contact_in,
)

pytestmark = pytest.mark.e2e

NewContext = Callable[..., BrowserContext]


# --- helpers ----------------------------------------------------------------------------


def broker(page: Page, server: LiveServer, username: str, full_name: str) -> None:
    """A broker of this test's own, logged in on `page`."""
    log_in(page, username, server.create_user(username, full_name=full_name))


def main_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Huvudmeny")


def flash(page: Page) -> Locator:
    return page.locator("#flash")


def fact(scope: Page | Locator, term: str) -> Locator:
    """The value shown for `term` in a list of facts; on a page, the company's own."""
    if isinstance(scope, Page):
        scope = scope.get_by_role("region", name="Uppgifter")
    return scope.locator(
        f"dl.facts > dt:text-is('{term}') + dd, dl.compact-facts > div > dt:text-is('{term}') + dd"
    )


def history(page: Page) -> Locator:
    return page.get_by_role("region", name="Historik")


def contacts_section(page: Page) -> Locator:
    return page.get_by_role("region", name="Kontaktpersoner")


def with_query(q: str) -> re.Pattern[str]:
    """A URL whose query string holds q=<q>, encoded as browsers and htmx encode it."""
    return re.compile(r"[?&]" + re.escape(urlencode({"q": q})) + r"(&|$)")


def mark_document(page: Page) -> None:
    """A full page load forgets this mark; an htmx swap keeps it (see same_document)."""
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def is_post(response: Response) -> bool:
    return response.request.method == "POST"


def company_id_of(page: Page) -> int:
    match = re.search(r"/companies/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


# --- 1. create a company ----------------------------------------------------------------

FIRST_NAME = "Östra Göinge Målericentral AB"
# The same name once case, punctuation and the company form are folded away.
LOOKALIKE_NAME = "ÖSTRA GÖINGE MÅLERICENTRAL, AKTIEBOLAG"
WRONG_CHECK_DIGIT = "556036-0794"
ORG_NUMBER = "556036-0793"


def test_create_a_company_with_an_org_number_and_a_duplicate_warning(
    page: Page, server: LiveServer
) -> None:
    broker(page, server, "ny.nina", "Nina Nyström")
    main_menu(page).get_by_role("link", name="Företag").click()
    expect(page).to_have_url("/companies")
    check_accessibility(page)
    page.get_by_role("button", name="Nytt företag").click()
    expect(page).to_have_url("/companies/new")
    expect(page.get_by_role("heading", name="Nytt företag")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Namn", exact=True).fill(FIRST_NAME)
    page.get_by_label("Organisationsnummer").fill(WRONG_CHECK_DIGIT)
    page.get_by_label("Ort", exact=True).fill("Broby")
    mark_document(page)
    with page.expect_response(is_post) as answer:
        page.get_by_role("button", name="Spara").click()
    assert answer.value.status == 422
    assert answer.value.request.all_headers().get("hx-request") == "true"

    org_number = page.get_by_label("Organisationsnummer")
    expect(org_number).to_have_attribute("aria-invalid", "true")
    expect(org_number).to_have_accessible_description(
        "Organisationsnumret stämmer inte (fel kontrollsiffra)."
    )
    expect(org_number).to_be_focused()
    expect(org_number).to_have_value(WRONG_CHECK_DIGIT)
    expect(page.get_by_label("Namn", exact=True)).to_have_value(FIRST_NAME)
    expect(page).to_have_url("/companies/new")
    assert same_document(page)
    check_accessibility(page)

    # Typed without the dash, shown and stored with it.
    org_number.fill(ORG_NUMBER.replace("-", ""))
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(r"/companies/\d+$"))
    first_id = company_id_of(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_NAME)
    expect(flash(page)).to_have_text(f"Företaget {FIRST_NAME} är sparat.")
    expect(fact(page, "Organisationsnummer")).to_have_text(ORG_NUMBER)
    check_accessibility(page)

    # A second company by (nearly) the same name, without an org.nr.
    page.goto("/companies/new")
    page.get_by_label("Namn", exact=True).fill(LOOKALIKE_NAME)
    with page.expect_response(is_post) as answer:
        page.get_by_role("button", name="Spara").click()
    assert answer.value.status == 409
    assert answer.value.request.all_headers().get("hx-request") == "true"
    warning = page.get_by_role("alert").filter(has_text="liknande namn")
    expect(warning).to_contain_text(
        "Det finns redan ett företag med liknande namn. Kontrollera innan du sparar."
    )
    first_link = warning.get_by_role("link", name=FIRST_NAME)
    expect(first_link).to_have_attribute("href", f"/companies/{first_id}")
    expect(warning).to_contain_text(f"{FIRST_NAME} ({ORG_NUMBER}), Broby")
    expect(page.get_by_label("Namn", exact=True)).to_be_focused()
    expect(page.get_by_label("Namn", exact=True)).to_have_value(LOOKALIKE_NAME)
    check_accessibility(page)

    page.get_by_label("Det är ett annat företag – spara ändå").check()
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(r"/companies/\d+$"))
    assert company_id_of(page) != first_id
    expect(page.get_by_role("heading", level=1)).to_have_text(LOOKALIKE_NAME)
    expect(flash(page)).to_have_text(f"Företaget {LOOKALIKE_NAME} är sparat.")
    expect(fact(page, "Organisationsnummer")).to_have_text("–")
    check_accessibility(page)


# --- 2. search with å/ä/ö ---------------------------------------------------------------

ANGELHOLM = "Ängelholms Bygg AB"
OREBRO = "Örebro Plåtslageri AB"
PERSSON = "Perssons Husbygg AB"


@pytest.fixture(scope="module")
def search_companies(live_server: LiveServer) -> None:
    """The companies the search tests look for (made once; the tests only read them)."""
    live_server.create_user("sok.sune", full_name="Sune Söker")
    make_company_in(live_server, by="sok.sune", name=ANGELHOLM, city="Ängelholm")
    make_company_in(live_server, by="sok.sune", name=OREBRO, city="Örebro")
    make_company_in(live_server, by="sok.sune", name=PERSSON, city="Kristianstad")


def results(page: Page) -> Locator:
    return page.locator("#results")


def found(page: Page, name: str) -> Locator:
    return results(page).get_by_role("link", name=name, exact=True)


def search_for(page: Page, q: str) -> None:
    """Types into the active search; returns when the results for `q` are in the page."""
    page.get_by_label("Sök på namn, org.nr eller ort").fill(q)
    expect(page).to_have_url(with_query(q))


@pytest.mark.usefixtures("search_companies")
def test_active_search_finds_swedish_names_however_they_are_typed(
    page: Page, server: LiveServer
) -> None:
    broker(page, server, "sok.selma", "Selma Sökare")
    page.goto("/companies")
    check_accessibility(page)
    mark_document(page)

    for q in ("ängel", "ÄNGEL", "angel"):
        search_for(page, q)
        expect(found(page, ANGELHOLM)).to_be_visible()
        expect(found(page, OREBRO)).to_have_count(0)
        expect(found(page, PERSSON)).to_have_count(0)
    check_accessibility(page)

    search_for(page, "orebro")
    expect(found(page, OREBRO)).to_be_visible()
    expect(found(page, ANGELHOLM)).to_have_count(0)

    # A substring inside a word, not only the start of one.
    search_for(page, "bygg")
    expect(found(page, PERSSON)).to_be_visible()
    expect(found(page, ANGELHOLM)).to_be_visible()
    expect(found(page, OREBRO)).to_have_count(0)
    assert same_document(page), "the active search loaded a whole page"
    check_accessibility(page)

    # Back restores the previous search: the URL, the field and the results.
    page.go_back()
    expect(page).to_have_url(with_query("orebro"))
    expect(page.get_by_label("Sök på namn, org.nr eller ort")).to_have_value("orebro")
    expect(found(page, OREBRO)).to_be_visible()
    expect(found(page, PERSSON)).to_have_count(0)
    check_accessibility(page)

    # The URL holds the state: opened anew it shows the same.
    page.goto(page.url)
    expect(page.get_by_label("Sök på namn, org.nr eller ort")).to_have_value("orebro")
    expect(found(page, OREBRO)).to_be_visible()
    expect(found(page, ANGELHOLM)).to_have_count(0)


@pytest.mark.usefixtures("search_companies")
def test_company_search_works_without_javascript(no_js_page: Page, server: LiveServer) -> None:
    page = no_js_page
    broker(page, server, "utan.ulf", "Ulf Utan")
    page.goto("/companies")
    check_accessibility(page)

    page.get_by_label("Sök på namn, org.nr eller ort").fill("ÄNGEL")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sök", exact=True).click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert "hx-request" not in response.request.all_headers()
    expect(page).to_have_url(with_query("ÄNGEL"))
    expect(page.get_by_role("heading", name="Företag", exact=True)).to_be_visible()
    expect(page.get_by_label("Sök på namn, org.nr eller ort")).to_have_value("ÄNGEL")
    expect(found(page, ANGELHOLM)).to_be_visible()
    expect(found(page, PERSSON)).to_have_count(0)
    check_accessibility(page)


# --- 3. contacts ------------------------------------------------------------------------


def test_add_a_contact_inline_and_find_it_in_the_contact_list(
    page: Page, server: LiveServer
) -> None:
    broker(page, server, "kontakt.klara", "Klara Kontakt")
    company_name = "Åkessons Trädgård AB"
    company_id = make_company_in(server, by="kontakt.klara", name=company_name)
    page.goto(f"/companies/{company_id}")
    contacts = contacts_section(page)
    expect(contacts).to_contain_text("Inga kontaktpersoner ännu.")
    check_accessibility(page)

    contacts.locator("summary", has_text="Lägg till kontaktperson").click()
    add_form = page.locator("#contact-add-form")
    add_form.get_by_label("Namn").fill("Åsa Öberg")
    add_form.get_by_label("Roll/titel").fill("Trädgårdsmästare")
    # The browser's type=email check lets this through (no dot needed); the server does not.
    add_form.get_by_label("E-post").fill("asa@akessons")
    mark_document(page)
    with page.expect_response(is_post) as answer:
        add_form.get_by_role("button", name="Lägg till kontaktperson").click()
    assert answer.value.status == 422
    assert answer.value.request.all_headers().get("hx-request") == "true"

    email = add_form.get_by_label("E-post")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("E-postadressen ser inte rätt ut.")
    expect(email).to_be_focused()
    expect(add_form.get_by_label("Namn")).to_have_value("Åsa Öberg")
    expect(add_form.get_by_label("Roll/titel")).to_have_value("Trädgårdsmästare")
    check_accessibility(page)

    email.fill("asa.oberg@akessons.example")
    add_form.get_by_label("Handledare").check()
    add_form.get_by_role("button", name="Lägg till kontaktperson").click()
    expect(flash(page)).to_have_text("Åsa Öberg är tillagd.")
    contact = contacts.get_by_role("article", name="Åsa Öberg")
    expect(contact).to_contain_text("Handledare")
    expect(contact).to_contain_text("Trädgårdsmästare")
    expect(contact.get_by_role("link", name="asa.oberg@akessons.example")).to_be_visible()
    assert same_document(page)
    check_accessibility(page)
    # The inline answer swaps the contacts only; the history shows the addition on reload.
    page.reload()
    expect(history(page)).to_contain_text("skapade kontakten Åsa Öberg")

    main_menu(page).get_by_role("link", name="Kontakter").click()
    expect(page).to_have_url("/contacts")
    check_accessibility(page)
    page.get_by_label("Sök på namn, roll, e-post eller telefon").fill("ÅSA")
    expect(page).to_have_url(with_query("ÅSA"))
    row = results(page).get_by_role("row").filter(has=page.get_by_role("link", name="Åsa Öberg"))
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=company_name)).to_have_attribute(
        "href", f"/companies/{company_id}"
    )
    expect(row).to_contain_text("Trädgårdsmästare")
    check_accessibility(page)


# --- 4. edit conflict -------------------------------------------------------------------


def test_an_edit_conflict_shows_the_other_change_and_keeps_what_was_typed(
    page: Page, new_context: NewContext, server: LiveServer
) -> None:
    name = "Båstads Bageri AB"
    broker(page, server, "andra.bo", "Bo Andersson")
    company_id = make_company_in(server, by="andra.bo", name=name, city="Ängelholm")
    other = new_context(base_url=server.url).new_page()
    broker(other, server, "forsta.karin", "Karin Lundén")

    # Both open the edit form.
    for each in (page, other):
        each.goto(f"/companies/{company_id}")
        each.get_by_role("link", name="Redigera uppgifterna").click()
        expect(each).to_have_url(f"/companies/{company_id}/edit")
        expect(each.get_by_role("heading", name=f"Redigera {name}")).to_be_visible()
    check_accessibility(page)

    # Karin saves first.
    other.get_by_label("Ort", exact=True).fill("Höganäs")
    other.get_by_role("button", name="Spara").click()
    expect(other).to_have_url(f"/companies/{company_id}")
    expect(flash(other)).to_have_text("Ändringarna är sparade.")
    expect(fact(other, "Adress")).to_contain_text("Höganäs")
    check_accessibility(other)

    # Bo, on the form he opened before, changes the same field and another.
    page.get_by_label("Ort", exact=True).fill("Båstad")
    page.get_by_label("Telefon").fill("0431-123 45")
    with page.expect_response(is_post) as answer:
        page.get_by_role("button", name="Spara").click()
    assert answer.value.status == 409

    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text(
        "Någon annan har ändrat företaget medan du redigerade. Se ändringarna nedan, "
        "jämför med det du skrev och spara igen."
    )
    expect(conflict).to_contain_text("Karin Lundén")
    expect(conflict.get_by_role("listitem")).to_have_text(["Ort: Ängelholm → Höganäs"])
    expect(conflict).to_be_focused()
    expect(page.get_by_label("Ort", exact=True)).to_have_value("Båstad")
    expect(page.get_by_label("Telefon")).to_have_value("0431-123 45")
    expect(page).to_have_url(f"/companies/{company_id}/edit")
    check_accessibility(page)

    # Having seen Karin's change, Bo saves his own again.
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(f"/companies/{company_id}")
    expect(flash(page)).to_have_text("Ändringarna är sparade.")
    expect(fact(page, "Adress")).to_contain_text("Båstad")
    expect(fact(page, "Telefon")).to_have_text("0431-123 45")
    entries = history(page).get_by_role("listitem").filter(has_text="ändrade företaget")
    expect(entries.first).to_contain_text("Bo Andersson")
    expect(entries.first).to_contain_text("Ort: Höganäs → Båstad")
    expect(entries.nth(1)).to_contain_text("Karin Lundén")
    expect(entries.nth(1)).to_contain_text("Ort: Ängelholm → Höganäs")
    check_accessibility(page)


# --- 5. merge ---------------------------------------------------------------------------


def test_merge_two_companies_after_a_preview(page: Page, server: LiveServer) -> None:
    kept_name = "Lindqvists Måleri AB"
    other_name = "Lindqvist Måleri & Fasad i Åhus"
    broker(page, server, "samman.siv", "Siv Samuelsson")
    kept_id = make_company_in(server, by="samman.siv", name=kept_name, city="Åhus")
    other_id = make_company_in(
        server, by="samman.siv", name=other_name, phone="044-24 00 00", tags="jobbspår"
    )
    make_contact_in(server, kept_id, by="samman.siv", name="Göran Lindqvist")
    for contact in ("Ylva Ekström", "Per Åberg"):
        make_contact_in(server, other_id, by="samman.siv", name=contact)

    page.goto(f"/companies/{kept_id}")
    check_accessibility(page)
    page.get_by_role("link", name="Slå samman med…").click()
    expect(page).to_have_url(f"/companies/{kept_id}/merge")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Slå samman {kept_name} med ett annat företag"
    )
    check_accessibility(page)

    page.get_by_label("Sök företaget att slå samman med").fill("lindqvist")
    candidates = page.locator("#candidates")
    preview_link = candidates.get_by_role(
        "link", name=f"Förhandsgranska sammanslagning med {other_name}"
    )
    expect(preview_link).to_be_visible()
    # Never the company itself.
    expect(candidates.get_by_role("cell", name=kept_name, exact=True)).to_have_count(0)
    check_accessibility(page)

    preview_link.click()
    expect(page).to_have_url(f"/companies/{kept_id}/merge?other_id={other_id}")
    preview = page.get_by_role("region", name="Förhandsgranskning")
    expect(fact(preview, "Behålls")).to_have_text(kept_name)
    expect(fact(preview, "Arkiveras")).to_have_text(other_name)
    moving = preview.locator(f"h3:text-is('Flyttas till {kept_name}') + ul > li")
    # Later features add their own lines (activities, ...); these two are the register's.
    for kind, line in (
        ("Kontaktpersoner (", "Kontaktpersoner (2): Per Åberg, Ylva Ekström"),
        ("Taggar (", "Taggar (1): jobbspår"),
    ):
        expect(moving.filter(has_text=kind)).to_have_text(line)
    expect(preview).to_contain_text("Telefon: 044-24 00 00")
    check_accessibility(page)

    page.get_by_role("button", name="Slå samman", exact=True).click()
    expect(page).to_have_url(f"/companies/{kept_id}")
    expect(flash(page)).to_have_text(f"{other_name} är sammanslaget med {kept_name} och arkiverat.")
    expect(contacts_section(page).get_by_role("heading", level=3)).to_have_text(
        ["Göran Lindqvist", "Per Åberg", "Ylva Ekström"]
    )
    expect(fact(page, "Taggar")).to_have_text("jobbspår")
    expect(fact(page, "Telefon")).to_have_text("044-24 00 00")
    merged = history(page).get_by_role("listitem").filter(has_text="slog samman företaget")
    expect(merged).to_have_count(1)
    expect(merged).to_contain_text("Siv Samuelsson")
    expect(merged).to_contain_text(f"Sammanslaget från: – → {other_name}")
    check_accessibility(page)

    page.goto(f"/companies/{other_id}")
    notice = page.get_by_role("status").filter(has_text="Arkiverat")
    expect(notice).to_contain_text(f"Sammanslaget med {kept_name}.")
    expect(notice.get_by_role("link", name=kept_name)).to_have_attribute(
        "href", f"/companies/{kept_id}"
    )
    expect(contacts_section(page)).to_contain_text("Inga kontaktpersoner ännu.")
    expect(page.get_by_role("link", name="Slå samman med…")).to_have_count(0)
    merged = history(page).get_by_role("listitem").filter(has_text="slog samman företaget")
    expect(merged).to_contain_text(f"Sammanslaget med: – → {kept_name}")
    check_accessibility(page)


# --- 6. Radera person -------------------------------------------------------------------


def test_erasing_a_person_leaves_no_trace_of_them(page: Page, server: LiveServer) -> None:
    broker(page, server, "radera.rut", "Rut Raderare")
    company_id = make_company_in(server, by="radera.rut", name="Café Åkerö")
    personal = {
        "name": "Märta Ödmark",
        "title": "Föreståndare",
        "phone": "070-765 43 21",
        "email": "marta.odmark@akero.example",
        "notes": "Vill bli kontaktad på förmiddagar.",
    }
    make_contact_in(server, company_id, by="radera.rut", **personal)
    make_contact_in(server, company_id, by="radera.rut", name="Sixten Berg")

    page.goto(f"/companies/{company_id}")
    expect(history(page)).to_contain_text("skapade kontakten Märta Ödmark")
    check_accessibility(page)
    # Her actions are in one menu: open it, then the erase link.
    page.locator("summary", has_text="Åtgärder för Märta Ödmark").click()
    page.get_by_role("link", name="Radera person (GDPR) Märta Ödmark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Radera Märta Ödmark")
    expect(page.get_by_role("main")).to_contain_text("Det går inte att ångra.")
    check_accessibility(page)

    page.get_by_role("button", name="Radera personuppgifterna").click()
    expect(page).to_have_url(f"/companies/{company_id}#contacts")
    expect(flash(page)).to_have_text("Personuppgifterna är raderade, även i historiken.")
    expect(history(page)).to_contain_text("borttagen kontakt")
    expect(contacts_section(page).get_by_role("article")).to_have_count(1)
    expect(contacts_section(page).get_by_role("article", name="Sixten Berg")).to_be_visible()
    html = page.content()
    for value in (*personal.values(), "Märta", "Ödmark", "070-7654321"):
        assert value not in html, f"{value!r} is still on the company page"
    check_accessibility(page)

    main_menu(page).get_by_role("link", name="Kontakter").click()
    page.get_by_label("Sök på namn, roll, e-post eller telefon").fill("ödmark")
    expect(page).to_have_url(with_query("ödmark"))
    expect(results(page)).to_contain_text("Inga kontaktpersoner matchar sökningen.")
    check_accessibility(page)
