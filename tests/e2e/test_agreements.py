"""An agreement in the browser: signed with a company from its page, seen ending on the
owner's Min dag, renewed with "Förnya", and found in the list of agreements; every page
passes axe-core, and the list and form fit a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_company_in,
    make_contact_in,
)

pytestmark = pytest.mark.e2e

COMPANY = "Öckerö Varv & Marin AB"
# The live server's day is 2026-03-02 (tests/conftest.py START).
SIGNED = "2026-02-20"
VALID_TO = "2026-03-20"


def fits(page: Page, width: int) -> bool:
    return page.evaluate("(w) => document.documentElement.scrollWidth <= w", width)


def test_an_agreement_signed_ending_on_min_dag_and_renewed(page: Page, server: LiveServer) -> None:
    password = server.create_user("avtal.anna", full_name="Anna Avtalsson")
    with Session(server.engine) as session:
        anna = session.exec(select(User).where(User.username == "avtal.anna")).one()
    # Anna owns the company: its agreements are on her Min dag.
    company_id = make_company_in(
        server, by="avtal.anna", name=COMPANY, city="Öckerö", owner_id=str(anna.id)
    )
    make_contact_in(server, company_id, by="avtal.anna", name="Vera Varvsdotter", title="VD")
    log_in(page, "avtal.anna", password)

    # --- the company page: "Nytt avtal" -----------------------------------------------
    page.goto(f"/companies/{company_id}")
    section = page.locator("#agreements")
    expect(section).to_contain_text("Inga avtal ännu.")
    section.get_by_role("button", name="Nytt avtal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nytt avtal med {COMPANY}")
    check_accessibility(page)

    # A signed agreement without its day is refused in place, what was typed kept.
    page.get_by_label("Slag av avtal").select_option(label="Samverkansavtal")
    page.get_by_label("Status").select_option(label="Undertecknat")
    page.get_by_label("Giltigt till").fill(VALID_TO)
    page.get_by_label("Vera Varvsdotter (VD)").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#agreement-form")).to_contain_text("Ange när avtalet undertecknades.")
    expect(page.get_by_label("Giltigt till")).to_have_value(VALID_TO)
    expect(page.get_by_label("Vera Varvsdotter (VD)")).to_be_checked()
    check_accessibility(page)

    page.get_by_label("Undertecknat", exact=True).fill(SIGNED)
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(rf"/companies/{company_id}"))
    expect(page.locator("#flash")).to_contain_text("Avtalet är sparat.")
    card = page.locator("#agreements article").first
    expect(card).to_contain_text("Samverkansavtal: Undertecknat")
    expect(card).to_contain_text("Upphör snart")
    expect(card).to_contain_text("Vera Varvsdotter")
    expect(card).to_contain_text("Anna Avtalsson")
    check_accessibility(page)

    # --- Min dag: the owner sees it ending, and renews it from there -------------------
    page.goto("/")
    ending = page.locator("#ending-agreements")
    expect(ending).to_contain_text(COMPANY)
    expect(ending).to_contain_text(f"giltigt till {VALID_TO}")
    check_accessibility(page)
    ending.get_by_role("link", name=re.compile("^Förnya")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Förnya avtal med {COMPANY}")
    expect(page.get_by_label("Status")).to_have_value("draft")
    expect(page.get_by_label("Giltigt från")).to_have_value("2026-03-21")
    expect(page.get_by_label("Vera Varvsdotter (VD)")).to_be_checked()
    check_accessibility(page)
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#flash")).to_contain_text("Avtalet är sparat.")
    expect(page.locator("#agreements")).to_contain_text("Samverkansavtal: Utkast")
    expect(page.locator("#agreements")).to_contain_text("Förnyat")
    expect(page.locator("#agreements")).not_to_contain_text("Upphör snart")
    page.goto("/")
    expect(page.locator("#ending-agreements")).to_contain_text(
        "Inga avtal löper ut de närmaste 30 dagarna."
    )

    # --- the list of agreements, on a phone too ---------------------------------------
    page.get_by_role("link", name="Avtal", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avtal")
    expect(page.locator("main")).to_contain_text(COMPANY)
    check_accessibility(page)
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    assert fits(page, 390), "the list of agreements scrolls sideways at 390 px"
    check_accessibility(page)
    page.goto(f"/companies/{company_id}/agreements/new")
    assert fits(page, 390), "the agreement form scrolls sideways at 390 px"


def test_the_agreement_pages_in_english(page: Page, server: LiveServer) -> None:
    password = server.create_user("avtal.eng", full_name="Ella English")
    with Session(server.engine) as session:
        ella = session.exec(select(User).where(User.username == "avtal.eng")).one()
    company_id = make_company_in(
        server, by="avtal.eng", name="Kalix Hamn AB", city="Kalix", owner_id=str(ella.id)
    )
    log_in(page, "avtal.eng", password)
    page.goto("/account")
    page.get_by_label("Språk i Matcha").select_option(label="English")
    page.get_by_role("button", name="Spara språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"/companies/{company_id}")
    page.locator("#agreements").get_by_role("button", name="New agreement").click()
    page.get_by_label("Status").select_option("signed")
    page.get_by_label("Signed", exact=True).fill(SIGNED)
    page.get_by_label("Valid to").fill(VALID_TO)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#agreements")).to_contain_text("Ending soon")
    check_accessibility(page)
    page.goto("/")
    expect(page.locator("#ending-agreements")).to_contain_text("My agreements ending soon")
    expect(page.locator("#ending-agreements")).to_contain_text("Kalix Hamn AB")
    check_accessibility(page)
    page.goto("/agreements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements")
    check_accessibility(page)
