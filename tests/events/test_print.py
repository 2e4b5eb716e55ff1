"""The printable participant list: the companies that come, who comes from each with phone
and e-mail, and the assignments presented; a page without navigation or buttons that
Chromium prints on A4."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.contacts import service as contacts
from app.events import participants
from app.events.models import Participation
from tests.assignments.factories import make_assignment
from tests.e2e.support import CHROMIUM
from tests.events.factories import invite, make_event
from tests.factories import PASSWORD, make_company, make_user
from tests.tools import require_tool


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return client


def company_with_contact(session, clock, user, company_name, **contact):
    company = make_company(session, clock, user=user, name=company_name, phone="08-123 00 00")
    if contact:
        contacts.create(
            company,
            contacts.ContactForm(is_primary=True, **contact),
            user=user,
            session=session,
            clock=clock,
        )
        session.commit()
    return company


def set_status(session, clock, event, company, user, status: Participation):
    link = participants.get_participant(event.id, company.id, session=session)
    participants.update_participant(
        link,
        participants.ParticipantForm(status=status.value, contact_id=str(link.contact_id or "")),
        user=user,
        session=session,
        clock=clock,
    )
    session.commit()


@pytest.fixture
def event(session, clock, bo):
    event = make_event(session, clock, bo, title="Träff i Stadshuset", place="Stadshuset")
    bageri = company_with_contact(
        session,
        clock,
        bo,
        "Bageriet AB",
        name="Anna Ek",
        title="Platschef",
        phone="070-111 22 33",
        email="anna@bageriet.example",
    )
    cykel = company_with_contact(session, clock, bo, "Cykelverkstan AB")
    avboj = company_with_contact(session, clock, bo, "Avböjaren AB", name="Nils Nej")
    for company in (bageri, cykel, avboj):
        invite(session, clock, event, company, bo)
    set_status(session, clock, event, bageri, bo, Participation.confirmed)
    set_status(session, clock, event, avboj, bo, Participation.declined)
    bagare = make_assignment(session, clock, bageri, bo, occupation="Bagare")
    participants.link_assignment(event, str(bagare.id), user=bo, session=session, clock=clock)
    session.commit()
    return event


def test_the_list_shows_who_comes_with_phone_email_and_assignments(signed_in, event):
    response = signed_in.get(f"/events/{event.id}/print")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Träff i Stadshuset</h1>" in html
    assert "2026-03-16 09:00" in html and "Stadshuset" in html
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", html, re.S)
    assert len(rows) == 2  # the declined company is left out
    bageri, cykel = rows
    assert "Bageriet AB" in bageri and "Bekräftad" in bageri
    assert "Anna Ek" in bageri and "Platschef" in bageri
    assert "070-111 22 33" in bageri and "anna@bageriet.example" in bageri
    assert "Bagare" in bageri
    # No one named to come: the company's switchboard, said as such.
    assert "Cykelverkstan AB" in cykel and "Inbjuden" in cykel
    assert "08-123 00 00" in cykel and "(växel)" in cykel
    assert "Avböjaren AB" not in html and "Nils Nej" not in html
    assert "Deltagande företag (2)" in html


def test_the_page_has_no_navigation_forms_or_buttons_and_an_a4_print_stylesheet(signed_in, event):
    html = signed_in.get(f"/events/{event.id}/print").text
    for tag in ("<nav", "<button", "<form", "<footer", "<script", 'role="button"'):
        assert tag not in html, tag
    assert '<link rel="stylesheet" href="/static/print.css">' in html
    assert "pico" not in html
    css = (PROJECT_ROOT / "static" / "print.css").read_text()
    assert "size: A4" in css
    assert re.search(r"tr, td, th \{[^}]*break-inside: avoid", css)
    assert re.search(r"\.screen-only \{ display: none; \}", css)


def test_a_viewer_may_print_and_an_unknown_event_is_404(client, session, clock, event):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    assert client.get(f"/events/{event.id}/print").status_code == 200
    assert client.get(f"/events/{event.id + 1000}/print").status_code == 404


def test_chromium_prints_it_on_a4(signed_in, session, clock, bo, event, tmp_path: Path):
    require_tool(CHROMIUM, "Chromium", "install it with `apt-get install chromium`")
    for number in range(40):  # enough companies for more than one page
        company = company_with_contact(
            session, clock, bo, f"Företag {number:02d} AB", name=f"Person {number}", phone="070"
        )
        invite(session, clock, event, company, bo)
    html = signed_in.get(f"/events/{event.id}/print").text
    css = (PROJECT_ROOT / "static" / "print.css").as_uri()
    page = tmp_path / "print.html"
    page.write_text(html.replace('href="/static/print.css"', f'href="{css}"'), encoding="utf-8")
    pdf = tmp_path / "print.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no page sizes in the PDF"
    # A4 is 210 x 297 mm: 595 x 842 points.
    for width, height in boxes:
        assert abs(float(width) - 595) < 2 and abs(float(height) - 842) < 2
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 2


def test_the_event_page_links_to_print_ics_and_participants_csv(signed_in, event):
    html = signed_in.get(f"/events/{event.id}").text
    for path in (f"/events/{event.id}/print", f"/events/{event.id}.ics"):
        assert f'href="{path}"' in html
    assert f'href="/events/{event.id}/participants.csv" download' in html
