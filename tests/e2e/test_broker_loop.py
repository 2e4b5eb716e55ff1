"""The broker's loop with the keyboard alone, counted: a broker with a backlog of 60
overdue follow-ups finds a company through the company list's search by a fragment of its
name with å, logs a call with a follow-up tomorrow, moves it to today, sees it on Min dag
and marks it done. Every key that is not typed text is counted (Tab, Shift+Tab, Enter,
arrows, Ctrl+Enter, Ctrl+A); the loop may take at most MAX_KEYS. Every page and state
visited passes axe-core, and the focus watch of every browser test checks each swap.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    START,
    LiveServer,
    check_accessibility,
    log_in,
    make_activity_in,
    make_company_in,
)

pytestmark = pytest.mark.e2e

# The issue that asked for this measured 313 keys (about 100 of them typed text) for the
# same loop before; the goal is at most 40 that are not typed text.
MAX_KEYS = 40
BACKLOG = 60
COMPANY = "Ådalens Trähus AB"
FRAGMENT = "ådal"
NOTE = "Vill ha två snickare till våren, ring tillbaka."
# The server's day for the loop: Monday 4 May 2026, nine weeks after START; the backlog's
# follow-ups fall on the 60 days after START, so all are overdue, by 3 to 62 days.
DAY = START + dt.timedelta(days=63)
TOMORROW = DAY.date() + dt.timedelta(days=1)
DESKTOP = {"width": 1280, "height": 800}
# On a phone the main menu is folded into its "Meny" button.
PHONE = {"width": 390, "height": 844}
# Presses allowed to reach one control, so a missing control fails instead of looping.
MAX_PRESSES = 60


@pytest.fixture
def server(fresh_server: LiveServer) -> LiveServer:
    return fresh_server


class Keys:
    """The keyboard of `page`, counting every key pressed that is not typed text."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0
        self.typed = 0
        self.steps: list[tuple[str, int]] = []
        self._step_start = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def focused(self, selector: str) -> bool:
        return bool(
            self.page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector)
        )

    def move_to(self, selector: str, key: str = "Tab") -> None:
        """Presses `key` (Tab or Shift+Tab) until the focused element matches `selector`."""
        for _ in range(MAX_PRESSES):
            if self.focused(selector):
                return
            self.press(key)
        active = self.page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
        pytest.fail(f"{MAX_PRESSES} presses of {key} did not reach {selector}; focus: {active}")

    def step(self, name: str) -> None:
        """Ends a step of the loop: how many keys it took goes into `steps`."""
        self.steps.append((name, self.count - self._step_start))
        self._step_start = self.count


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_brokers_loop_takes_at_most_40_keys(
    page: Page, server: LiveServer, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    password = server.create_user("loop.lina", full_name="Lina Loop")
    for number in range(1, BACKLOG + 1):
        company_id = make_company_in(server, by="loop.lina", name=f"Backlogg {number:02} AB")
        due = START.date() + dt.timedelta(days=number)
        make_activity_in(
            server,
            company_id,
            by="loop.lina",
            notes=f"Återkoppling nummer {number}",
            follow_up="date",
            follow_up_on=due.isoformat(),
        )
    for name in ("Älvdalens Café AB", "Öresunds Glas AB", "Dalarnas Bygg AB"):
        make_company_in(server, by="loop.lina", name=name)
    target_id = make_company_in(server, by="loop.lina", name=COMPANY)
    server.set_clock(DAY)
    log_in(page, "loop.lina", password)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Min dag", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="I dag (0)")).to_be_visible()
    check_accessibility(page)
    keys = Keys(page)

    # 1. The company list, from the main menu (on a phone, its "Meny" button first).
    if page.locator("details[data-site-menu]:not([open])").count():
        keys.move_to("details[data-site-menu] > summary")
        keys.press("Enter")
    keys.move_to('nav a[href="/companies"]')
    keys.press("Enter")
    expect(page).to_have_url("/companies")
    keys.step("to the company list")

    # 2. Its search (past the menu with the skip link), a fragment of the name with å, and
    # the one company found.
    keys.move_to("a.skip-link[href='#main']")
    keys.press("Enter")
    keys.move_to("#q")
    keys.type(FRAGMENT)
    results = page.locator("#results tbody tr:not([hidden])")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(COMPANY)
    expect(page.locator("#q")).to_be_focused()
    check_accessibility(page)
    keys.move_to(f'#results a[href="/companies/{target_id}"]')
    keys.press("Enter")
    expect(page).to_have_url(f"/companies/{target_id}")
    expect(page.get_by_role("heading", name=COMPANY, level=1)).to_be_visible()
    keys.step("search and open the company")

    # 3. The call, with a follow-up tomorrow, saved with Ctrl+Enter.
    keys.move_to("a.skip-link[href='#activity-new-notes']")
    keys.press("Enter")
    expect(page.locator("#activity-new-notes")).to_be_focused()
    keys.type(NOTE)
    keys.move_to("#activity-add-form input[name=follow_up]")
    keys.press("ArrowRight")
    tomorrow = page.get_by_role("group", name="Återkoppling").get_by_role("radio", name="I morgon")
    expect(tomorrow).to_be_checked()
    keys.press("Control+Enter")
    entry = page.locator("#activity-timeline > li.activity").first
    expect(entry).to_contain_text(NOTE)
    expect(entry).to_contain_text(f"Återkoppling: {TOMORROW.isoformat()}")
    expect(entry).to_be_focused()
    expect(page.locator("#flash")).to_contain_text("Kontakthändelsen är sparad.")
    check_accessibility(page)
    keys.step("log the call")

    # 4. The follow-up moved to today: the entry's "Redigera", the date typed as "i dag".
    entry_id = entry.get_attribute("id")
    keys.move_to(f'#{entry_id} a[href$="/edit"]')
    keys.press("Enter")
    edit = page.get_by_role("form", name="Redigera kontakthändelse")
    expect(edit.get_by_role("textbox", name="Anteckning")).to_be_focused()
    keys.move_to("form input[name=follow_up_on]")
    keys.press("Control+A")
    keys.type("i dag")
    keys.press("Enter")
    entry = page.locator(f"#{entry_id}")
    expect(entry).to_contain_text(f"Återkoppling: {DAY.date().isoformat()}")
    check_accessibility(page)
    keys.step("move the follow-up to today")

    # 5. Min dag, by the entry's link to it (the follow-up is due): the follow-up first,
    # under today.
    keys.move_to(f'#{entry_id} a[href="/"]')
    keys.press("Enter")
    expect(page).to_have_url("/")
    today = page.locator("#follow-ups-today")
    expect(today.get_by_role("heading", name="I dag (1)")).to_be_visible()
    row = today.locator("li.follow-up")
    expect(row).to_contain_text(COMPANY)
    expect(row).to_contain_text(NOTE[:40])
    check_accessibility(page)
    keys.step("to Min dag")

    # 6. Marked done (past the menu with the skip link).
    keys.move_to("a.skip-link[href='#main']")
    keys.press("Enter")
    keys.move_to("#follow-ups-today li.follow-up button[data-swap-focus]")
    keys.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Återkopplingen är markerad som klar.")
    expect(today.get_by_role("heading", name="I dag (0)")).to_be_visible()
    check_accessibility(page)
    keys.step("mark it done")

    report = ", ".join(f"{name}: {count}" for name, count in keys.steps)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{width} px wide at {viewport['width']} px"
    print(
        f"\nThe broker's loop at {viewport['width']} px: {keys.count} keys ({report}); "
        f"{keys.typed} characters typed"
    )
    assert keys.count <= MAX_KEYS, report
