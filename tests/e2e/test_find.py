"""The header search and logging a call from a list, in the browser: "/" and Ctrl+K reach
the field from any page, suggestions come grouped as the user types, the arrow keys and
Enter open one, Escape closes the list; the company list's "Logga samtal" opens the form
under its row, Ctrl+Enter saves it in place, Escape puts it away with focus back on the
button. Each state passes axe-core, at a desk's and a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import LiveServer, check_accessibility, log_in, make_company_in

pytestmark = pytest.mark.e2e


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)


@pytest.mark.parametrize("width", [1280, 390])
def test_find_a_company_from_any_page_with_the_keyboard(
    page: Page, server: LiveServer, width: int
) -> None:
    user = f"sok.{width}"
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, user, server.create_user(user))
    found = make_company_in(server, by=user, name=f"Sökbara Snickeriet {width} AB", city="Boden")
    page.goto("/reports")
    page.keyboard.press("/")
    assert focused(page, "#site-search")
    page.keyboard.type(f"snickeriet {width}")
    combobox = page.locator("#site-search")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox", name="Sökförslag")
    option = listbox.get_by_role("option", name=f"Sökbara Snickeriet {width} AB")
    expect(option).to_be_visible()
    expect(page.locator("#site-search-status")).to_contain_text("förslag")
    check_accessibility(page)
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", f"site-search-company-{found}")
    assert focused(page, "#site-search")  # focus stays in the field
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/companies/{found}")
    # Ctrl+K from a field as well; Escape closes the list, then empties the field.
    page.get_by_label("Anteckning").first.focus()
    page.keyboard.press("Control+k")
    assert focused(page, "#site-search")
    page.keyboard.type("boden")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")
    expect(combobox).to_have_value("")
    # Enter without choosing opens the results page.
    page.keyboard.type("snickeriet")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/search?q=snickeriet")
    expect(page.get_by_role("heading", name="Företag")).to_be_visible()
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_log_a_call_from_a_row_of_the_company_list(
    page: Page, server: LiveServer, width: int
) -> None:
    user = f"rad.{width}"
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, user, server.create_user(user))
    name = f"Radens Rör {width} AB"
    company = make_company_in(server, by=user, name=name)
    page.goto(f"/companies?q={name}")
    opener = page.locator(f"#company-{company}-log-open")
    opener.click()
    form = page.get_by_role("form", name=f"Logga kontakt med {name}")
    expect(form).to_be_visible()
    assert focused(page, f"#company-{company}-log-notes")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # Escape puts it away, focus back on the row's button; open it again and save.
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    assert focused(page, f"#company-{company}-log-open")
    page.keyboard.press("Enter")
    expect(form).to_be_visible()
    page.keyboard.type("Ringde om praktikplatser")
    page.keyboard.press("Control+Enter")
    link = page.locator(f"#company-{company}-log a")
    expect(link).to_contain_text("Visa på företagets sida")
    expect(link).to_be_focused()
    expect(page.locator("#flash")).to_contain_text(f"Kontakthändelsen med {name} är sparad.")
    expect(page.locator(f"#company-{company}-last-contact")).not_to_have_text("aldrig")
    check_accessibility(page)
    link.click()
    expect(page.locator("#activity-timeline")).to_contain_text("Ringde om praktikplatser")


def test_log_a_call_from_a_search_result(page: Page, server: LiveServer) -> None:
    user = "traff.tina"
    log_in(page, user, server.create_user(user))
    name = "Träffsäkra Tryckeriet AB"
    company = make_company_in(server, by=user, name=name)
    page.goto("/search?q=tryckeriet")
    page.locator(f"#company-{company}-log-open").click()
    form = page.get_by_role("form", name=f"Logga kontakt med {name}")
    expect(form).to_be_visible()
    assert focused(page, f"#company-{company}-log-notes")
    check_accessibility(page)
    page.keyboard.type("Besök på plats, två platser till hösten")
    page.keyboard.press("Control+Enter")
    link = page.locator(f"#company-{company}-log a")
    expect(link).to_be_focused()
    expect(page.locator("#flash")).to_contain_text(f"Kontakthändelsen med {name} är sparad.")
    check_accessibility(page)
