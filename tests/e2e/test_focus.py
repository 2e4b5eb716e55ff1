"""Where focus goes when an htmx swap takes away the element that had it, for a keyboard
user (static/matcha.js): into what was swapped in, never onto <body>. Every browser test
is also watched for that after each swap (the focus watch of tests/e2e/conftest.py); these
say where, for the swaps that used to drop focus.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_activity_in,
    make_company_in,
    make_contact_in,
)


def press(control: Locator, key: str = "Enter") -> None:
    """Focuses the control and presses `key` on it, as a keyboard user does."""
    control.focus()
    control.press(key)


def edit_contact(contacts: Locator, name: str) -> None:
    """Opens the contact's "Åtgärder" menu and presses its "Redigera", as a keyboard user."""
    press(contacts.locator("summary", has_text=f"Åtgärder för {name}"))
    press(contacts.get_by_role("link", name=f"Redigera {name}"))


def test_an_inline_contact_edit_keeps_focus_on_the_contact(page: Page, server: LiveServer) -> None:
    password = server.create_user("fokus.frida", full_name="Frida Fokus")
    company_id = make_company_in(server, by="fokus.frida", name="Fokusgården AB")
    make_contact_in(server, company_id, by="fokus.frida", name="Signe Svensson", title="VD")
    log_in(page, "fokus.frida", password)
    page.goto(f"/companies/{company_id}")
    contacts = page.get_by_role("region", name="Kontaktpersoner")

    # "Redigera" swaps the contact for its form: focus goes to the form's first field.
    edit_contact(contacts, "Signe Svensson")
    form = contacts.get_by_role("form", name="Redigera Signe Svensson")
    name = form.get_by_label("Namn", exact=True)
    expect(name).to_be_focused()
    form.get_by_label("Roll/titel").fill("Platschef")

    # "Spara" swaps the form for the contact: focus goes to the contact's name.
    press(form.get_by_role("button", name="Spara"))
    expect(page.locator("#flash")).to_contain_text("sparade")
    contact = contacts.get_by_role("article", name="Signe Svensson")
    expect(contact).to_contain_text("Platschef")
    expect(contact.get_by_role("heading", name="Signe Svensson")).to_be_focused()
    check_accessibility(page)

    # "Avbryt" does the same.
    edit_contact(contacts, "Signe Svensson")
    expect(name).to_be_focused()
    press(form.get_by_role("link", name="Avbryt"))
    expect(contact.get_by_role("heading", name="Signe Svensson")).to_be_focused()


def test_a_follow_up_marked_done_on_the_company_page_keeps_focus_on_its_activity(
    page: Page, server: LiveServer
) -> None:
    password = server.create_user("fokus.filip", full_name="Filip Fokus")
    company_id = make_company_in(server, by="fokus.filip", name="Fokusverkstaden AB")
    activity_id = make_activity_in(
        server, company_id, by="fokus.filip", notes="Ring om lärlingar", follow_up="tomorrow"
    )
    log_in(page, "fokus.filip", password)
    page.goto(f"/companies/{company_id}")
    activity = page.locator(f"#activity-{activity_id}")

    # The whole timeline is swapped; the button is gone from the activity, whose heading
    # takes focus (not another activity's button, nor <body>).
    press(activity.get_by_role("button", name="Markera återkopplingen klar"))
    expect(page.locator("#flash")).to_contain_text("Återkopplingen är markerad som klar.")
    expect(activity.get_by_role("button", name="Markera återkopplingen klar")).to_have_count(0)
    expect(activity.get_by_role("heading")).to_be_focused()
    check_accessibility(page)
