"""The company list as dense as a spreadsheet, in the browser at 1280×800: at least 20 rows
on the first screen and no sideways scroll (long names, many tags), the header row in view
while the list scrolls, a column header that sorts, the count of what was found, and the
filters' disclosure as the user left it. Each state passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in, make_company_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    # Its own database: the count of the list is this test's companies only.
    return fresh_server


def test_a_screen_of_companies_sorted_counted_and_filtered(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    user = "tat.tova"
    log_in(page, user, server.create_user(user, role="admin"))
    for number in range(30):
        make_company_in(
            server,
            by=user,
            name=f"Tätlistans Byggnads- och Anläggningsentreprenad {number:02d} Aktiebolag",
            city="Upplands Väsby",
            tags="Sommarjobb, Språkpraktik, Truckkort, Kvällsarbete",
        )
    page.goto("/companies")
    expect(page.locator("#found-count")).to_have_text("30 företag")
    rows = page.locator("#results tbody tr:not([hidden])")
    expect(rows).to_have_count(25)
    on_screen = page.evaluate(
        "() => [...document.querySelectorAll('#results tbody tr:not([hidden])')]"
        ".filter((row) => row.getBoundingClientRect().bottom <= innerHeight).length"
    )
    assert on_screen >= 20, f"{on_screen} rows on the first screen"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    check_accessibility(page)
    # The header row stays in view while the list scrolls.
    page.mouse.wheel(0, 500)
    expect(rows.nth(20)).to_be_in_viewport()
    top = page.evaluate("document.querySelector('#results thead th').getBoundingClientRect().top")
    assert 0 <= top < 2, f"the header row is at {top} px"
    # Its name's header sorts Ö–A, and says so; the count stays.
    page.get_by_role("link", name="Namn").click()
    expect(page).to_have_url(f"{server.url}/companies?sort=-name")
    expect(page.get_by_role("columnheader", name="Namn")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(rows.first).to_contain_text("29 Aktiebolag")
    expect(page.locator("#found-count")).to_have_text("30 företag")
    # The filters stay open when the user left them open (a sort in use opens them anyway).
    page.goto("/companies")
    filters = page.locator("details.filters")
    expect(filters).not_to_have_attribute("open", "")
    filters.locator("summary").click()
    page.reload()
    expect(filters).to_have_attribute("open", "")
    filters.locator("summary").click()
    page.reload()
    expect(filters).not_to_have_attribute("open", "")
