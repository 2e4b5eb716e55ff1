"""The follow-up of an extratjänst in the browser: an admin sets what a month of income
support is worth, the broker finds the follow-up due on Min dag, records that both placed
went on to an ordinary job and off income support, and the report shows the conversion and
the estimate with its formula, in Swedish and in English. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from tests.e2e.support import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    LiveServer,
    check_accessibility,
    log_in,
    log_out,
    make_assignment_in,
    make_company_in,
)

pytestmark = pytest.mark.e2e

COMPANY = "Luleå Förskolor AB"
# The live server's day is 2026-03-02: the employments ended on 27 February, last month.
ENDED = "2026-02-27"


def rows_of(page: Page, table_key: str) -> list[list[str]]:
    return page.locator(f"#table-{table_key}").evaluate(
        """t => [...t.querySelectorAll('tbody tr, tfoot tr')]
                 .map(r => [...r.cells].map(c => c.textContent.trim()))"""
    )


def test_an_extratjanst_followed_up_into_the_report(page: Page, server: LiveServer) -> None:
    password = server.create_user("uppfoljning.ulf", full_name="Ulf Uppföljare")
    with Session(server.engine) as session:
        ulf = session.exec(select(User).where(User.username == "uppfoljning.ulf")).one()
    company_id = make_company_in(server, by="uppfoljning.ulf", name=COMPANY, owner_id=str(ulf.id))
    assignment_id = make_assignment_in(
        server,
        company_id,
        by="uppfoljning.ulf",
        occupation="Barnskötare",
        positions=2,
        employment_type="extra_job",
        owner_id=str(ulf.id),
        ends_on=ENDED,
        status="filled",
        filled_count=2,
    )

    # --- the admin sets the amount and the months --------------------------------------
    log_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto("/admin/income-support")
    check_accessibility(page)
    page.get_by_label("Belopp per person och månad, kronor").fill("9 500")
    page.get_by_label("Antal månader som räknas").fill("6")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Senast ändrat")
    log_out(page)

    # --- the broker: Min dag, the assignment's follow-up ------------------------------
    log_in(page, "uppfoljning.ulf", password)
    due = page.locator("#due-follow-ups")
    expect(due).to_contain_text("Barnskötare")
    check_accessibility(page)
    due.get_by_role("link", name="Barnskötare").click()
    expect(page).to_have_url(re.compile(rf"/assignments/{assignment_id}#follow-up-\d+"))
    point = page.locator("article[id^=follow-up-]").first
    expect(point).to_contain_text("Dags att följa upp")
    check_accessibility(page)
    point.get_by_label("Ordinarie jobb").fill("3")
    point.get_by_role("button", name="Spara uppföljningen").click()
    point = page.locator("article[id^=follow-up-]").first
    expect(point).to_contain_text("utfallen kan inte vara fler än så (nu 3)")
    expect(point.get_by_label("Ordinarie jobb")).to_be_focused()
    check_accessibility(page)
    point.get_by_label("Ordinarie jobb").fill("2")
    point.get_by_label("Gått från försörjningsstöd till lön").fill("2")
    point.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.locator("#flash")).to_contain_text("Uppföljningen är sparad.")
    expect(page.locator("#follow-ups")).to_contain_text("Uppföljt 1 av 2")
    expect(page.locator("#follow-ups")).to_contain_text("2 av 2 i ordinarie jobb")
    page.goto("/assignments?state=all")
    expect(page.locator(f"tr:has(a[href='/assignments/{assignment_id}']) .results")).to_have_text(
        "1/2 uppföljda"
    )

    # --- the report: the conversion and the estimate ----------------------------------
    page.goto("/reports?period=last_month")
    extra = [row for row in rows_of(page, "placements") if row[0] == "Extratjänst"]
    assert extra == [["Extratjänst", "2", "2", "0", "0", "0", "100"]], extra
    expect(page.locator("#report-income-support")).to_contain_text(
        "2 personer × 9 500 kr × 6 månader = 114 000 kr"
    )
    check_accessibility(page)

    # --- and in English ----------------------------------------------------------------
    page.goto("/account")
    page.get_by_label("Språk i Matcha").select_option(label="English")
    page.get_by_role("button", name="Spara språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/reports?period=last_month")
    expect(page.locator("#report-placements")).to_contain_text("Follow-up of placements")
    expect(page.locator("#report-income-support")).to_contain_text("2 people")
    check_accessibility(page)
    page.goto(f"/assignments/{assignment_id}")
    expect(page.locator("#follow-ups")).to_contain_text("Followed up 1 of 2")
    check_accessibility(page)
