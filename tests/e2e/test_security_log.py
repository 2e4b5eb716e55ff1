"""The security log in the browser: an admin reads who signed in (and who failed), filters
it, and it reads on a phone; a broker never reaches it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in, log_out

pytestmark = pytest.mark.e2e


def fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_an_admin_reads_and_filters_the_security_log(page: Page, server: LiveServer) -> None:
    password = server.create_user("sigrid", full_name="Sigrid Säker", role="admin")
    server.create_user("bengt", full_name="Bengt Broker")

    # A failed and a successful sign-in, as anyone would make them.
    page.goto("/login")
    page.get_by_label("Användarnamn").fill("bengt")
    page.get_by_label("Lösenord", exact=True).fill("inte-hans-lösenord")
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Fel användarnamn eller lösenord.")
    log_in(page, "sigrid", password)

    page.goto("/admin/users")
    page.get_by_role("link", name="Säkerhetslogg").click()
    expect(page).to_have_url("/admin/security-log")
    expect(page.get_by_role("heading", name="Säkerhetslogg")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("sigrid")
    expect(table).to_contain_text("bengt")
    expect(table).to_contain_text("fel användarnamn eller lösenord")
    check_accessibility(page)

    # Only the failures: Sigrid's own sign-in leaves the list.
    page.get_by_label("Utfall").select_option(label="Misslyckades")
    expect(page).to_have_url(re.compile(r"outcome=failed"))
    expect(table).to_contain_text("bengt")
    expect(table).not_to_contain_text("sigrid")
    check_accessibility(page)

    # On a phone the table stacks and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("table")).to_contain_text("bengt")
    assert fits(page)
    check_accessibility(page)


def test_a_broker_is_kept_out(page: Page, server: LiveServer) -> None:
    password = server.create_user("berit", full_name="Berit Broker")
    log_in(page, "berit", password)
    response = page.goto("/admin/security-log")
    assert response is not None and response.status == 403
    check_accessibility(page)
    log_out(page)
