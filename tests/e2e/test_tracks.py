"""A lokalt jobbspår in the browser, as a coordinator runs it on a phone (390 px): made in
planning with its checklist from the default (due items on Min dag), an employer and its
contact person, a samverkanspart's contact, the kompetensprofil and its printable page,
an insatspaket with a gap, the employer's jobbspår assignment attached (and the
assignment linking back), the phases one by one to avslut, the participants and outcomes
counted, and "Ny omgång" into a second round whose results page compares the rounds;
then the same pages in English. Every page passes axe-core and nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.companies.models import Company, CompanyKind
from app.tracks.models import Intervention, JobTrack, JobTrackTask
from tests.e2e.support import (
    LiveServer,
    check_accessibility,
    log_in,
    make_assignment_in,
    make_company_in,
    make_contact_in,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NAME = "Truckförare i Ängelholm"
EMPLOYER = "Ängelholms Lager & Logistik AB"
# The live server's day is 2026-03-02 (tests/conftest.py START).


def fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def looks_right(page: Page) -> None:
    check_accessibility(page)
    assert fits(page), page.url


def test_a_track_from_planning_to_its_second_round(page: Page, server: LiveServer) -> None:
    password = server.create_user("spar.samir", full_name="Samir Samordnare")
    employer_id = make_company_in(server, by="spar.samir", name=EMPLOYER, city="Ängelholm")
    make_contact_in(server, employer_id, by="spar.samir", name="Lena Lagerchef", title="VD")
    partner_id = make_company_in(server, by="spar.samir", name="Arbetsförmedlingen Ängelholm")
    with Session(server.engine) as session:
        partner = session.get_one(Company, partner_id)
        partner.kind = CompanyKind.partner
        session.add(partner)
        session.commit()
    make_contact_in(server, partner_id, by="spar.samir", name="Petra Handläggare")
    assignment_id = make_assignment_in(
        server,
        employer_id,
        by="spar.samir",
        occupation="Truckförare",
        positions="4",
        employment_type="job_track",
    )
    page.set_viewport_size(PHONE)
    log_in(page, "spar.samir", password)

    # --- a new track, planning from today; a date out of order is refused in place ---------
    page.goto("/tracks")
    looks_right(page)
    page.get_by_role("button", name="Nytt jobbspår").click()
    page.get_by_label("Namn").fill(NAME)
    page.get_by_label("Yrke eller bransch").fill("Truckförare")
    page.get_by_label("Planerade platser").fill("12")
    page.get_by_label("Planeringen börjar").fill("2026-03-02")
    page.get_by_label("Rekryteringen börjar").fill("2026-02-01")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("main")).to_contain_text("Rekryteringen börjar")
    expect(page.get_by_label("Namn")).to_have_value(NAME)
    looks_right(page)
    page.get_by_label("Rekryteringen börjar").fill("2026-04-01")
    page.get_by_label("Genomförandet börjar").fill("2026-05-04")
    page.get_by_label("Avslutet börjar").fill("2026-09-01")
    page.get_by_label("Jobbspåret slutar").fill("2026-09-30")
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(r"/tracks/\d+$"))
    track_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Samordna med Arbetsförmedlingen")
    looks_right(page)

    # The checklist's first item is due today: it is on the coordinator's Min dag.
    page.goto("/")
    expect(page.locator("#track-tasks")).to_contain_text("Samordna med Arbetsförmedlingen")
    looks_right(page)

    # --- the employer, its contact person and the samverkanspart's -----------------------
    page.goto(f"/tracks/{track_id}")
    page.get_by_label("Sök företag i registret på namn, org.nr eller ort").fill("ängelholms lager")
    page.locator("#employers").get_by_role("button", name="Sök").click()
    looks_right(page)
    page.get_by_role("button", name=f"Lägg till {EMPLOYER}").click()
    expect(page.locator("#employers")).to_contain_text(EMPLOYER)
    page.get_by_label("Lägg till kontaktperson").select_option(label="Lena Lagerchef (VD)")
    page.locator("#people").get_by_role("button", name="Lägg till").click()
    page.get_by_label("Lägg till kontaktperson").select_option(label="Petra Handläggare")
    page.locator("#people").get_by_role("button", name="Lägg till").click()
    expect(page.locator("#employers")).to_contain_text("Lena Lagerchef")
    expect(page.locator("#people")).to_contain_text("Petra Handläggare")
    expect(page.locator("#people")).to_contain_text("Arbetsförmedlingen Ängelholm")
    looks_right(page)

    # --- the kompetensprofil, and its page for the employer dialogue -----------------------
    page.goto(f"/tracks/{track_id}/profile/edit")
    page.get_by_label("Körkort och certifikat").fill("B-körkort, truckkort A och B")
    page.get_by_label("Arbetstider").fill("Tvåskift, vardagar")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#profile")).to_contain_text("truckkort A och B")
    page.goto(f"/tracks/{track_id}/profile/print")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kompetensprofil: {NAME}")
    expect(page.locator("main")).to_contain_text(EMPLOYER)
    looks_right(page)

    # --- the insatspaket: training, then praktik after a gap --------------------------------
    for kind, title, starts, ends in (
        ("Utbildning", "Truckutbildning", "2026-05-04", "2026-05-29"),
        ("Praktik", "Praktik på lagret", "2026-06-08", "2026-08-28"),
    ):
        page.goto(f"/tracks/{track_id}/interventions/new")
        page.get_by_label("Slag av insats").select_option(label=kind)
        page.get_by_label("Namn").fill(title)
        page.get_by_label("Börjar").fill(starts)
        page.get_by_label("Slutar").fill(ends)
        page.get_by_role("button", name="Spara").click()
        expect(page).to_have_url(re.compile(rf"/tracks/{track_id}(#[a-z-]*)?$"))
    timeline = page.locator("#interventions")
    expect(timeline).to_contain_text("Truckutbildning")
    expect(timeline).to_contain_text("Glapp: 9 dagar")
    looks_right(page)

    # --- the employer's jobbspår assignment belongs to the track, and links back ----------
    page.goto(f"/tracks/{track_id}/links")
    page.get_by_label("Uppdrag hos jobbspårets arbetsgivare").select_option(
        label=f"Truckförare, {EMPLOYER} (Lokalt jobbspår)"
    )
    page.locator("#attach-assignment").get_by_role("button", name="Koppla till jobbspåret").click()
    expect(page.locator("#track-links")).to_contain_text("Truckförare")
    looks_right(page)
    page.goto(f"/assignments/{assignment_id}")
    expect(page.get_by_role("link", name=NAME)).to_be_visible()
    looks_right(page)

    # --- tick the first item done, and go through the phases ---------------------------------
    page.goto(f"/tracks/{track_id}")
    first = page.get_by_role("button", name=re.compile("^Klar: Samordna med Arbetsförmedlingen"))
    first.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    for phase in ("rekrytering", "genomförande", "avslut"):
        page.get_by_role("button", name=f"Till nästa fas: {phase}").click()
        expect(page.locator("#status")).to_contain_text(phase.capitalize())
    looks_right(page)
    page.goto("/")
    expect(page.locator("main")).not_to_contain_text("Samordna med Arbetsförmedlingen")

    # --- participants and outcomes counted --------------------------------------------------
    page.goto(f"/tracks/{track_id}/results")
    for label, value in (
        ("Identifierade", "20"),
        ("Började", "12"),
        ("Fullföljde", "10"),
        ("Avbröt i förtid", "2"),
        ("Ordinarie anställning", "6"),
        ("Studier", "2"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Spara resultatet").click()
    expect(page.locator("#flash")).to_be_visible()
    main = page.locator("main")
    # 6 counted by hand + the assignment's none yet = 6 of 12 who started.
    expect(main).to_contain_text("50 %")
    expect(main).to_contain_text("< 5")
    looks_right(page)

    # --- Ny omgång: the second round, moved in time ----------------------------------------
    page.goto(f"/tracks/{track_id}")
    page.get_by_role("button", name="Ny omgång", exact=True).click()
    looks_right(page)
    page.get_by_label("Planeringen börjar").fill("2026-10-05")
    page.get_by_role("button", name="Skapa omgång 2").click()
    expect(page).to_have_url(re.compile(rf"/tracks/(?!{track_id}\b)\d+$"))
    second_id = int(page.url.rsplit("/", 1)[1].split("#")[0])
    expect(page.locator("#rounds")).to_contain_text("Omgång 1")
    expect(page.locator("#employers")).to_contain_text(EMPLOYER)
    expect(page.locator("#profile")).to_contain_text("truckkort A och B")
    looks_right(page)
    with Session(server.engine) as session:
        second = session.get_one(JobTrack, second_id)
        assert (second.round_number, second.previous_round_id) == (2, track_id)
        assert second.first_round_id == track_id
        moved = session.exec(
            select(Intervention.starts_on)
            .where(Intervention.track_id == second_id)
            .order_by(Intervention.starts_on)
        ).all()
        # Planning moved 2026-03-02 → 2026-10-05: 217 days later.
        assert [day.isoformat() for day in moved] == ["2026-12-07", "2027-01-11"]
        tasks = session.exec(select(JobTrackTask).where(JobTrackTask.track_id == second_id)).all()
        assert tasks and all(task.done_at is None for task in tasks)
    page.goto(f"/tracks/{second_id}/results")
    rounds = page.locator("main table").last
    expect(rounds).to_contain_text("50 %")
    looks_right(page)

    # --- and in English -----------------------------------------------------------------------
    page.goto("/account")
    page.get_by_label("Språk i Matcha").select_option(label="English")
    page.get_by_role("button", name="Spara språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path, text in (
        ("/tracks", "Job tracks"),
        (f"/tracks/{track_id}", "Checklist"),
        (f"/tracks/{track_id}/results", "Rounds"),
        (f"/tracks/{second_id}", "Round"),
        (f"/tracks/{track_id}/profile/print", "Competence profile"),
    ):
        page.goto(path)
        expect(page.locator("main")).to_contain_text(text)
        looks_right(page)
