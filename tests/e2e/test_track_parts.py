"""A track's kompetensprofil and insatspaket in the browser, at 390 px: the profile's form
refuses an empty first save in place (focus on the field) and saves, the
printable page for the employer, and an insats's form offering to move the insatser
after it; every page passes axe-core and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.auth.models import User
from app.clock import SettableClock
from app.tracks import interventions
from app.tracks.models import CompetenceProfile
from tests.e2e.support import START, LiveServer, check_accessibility, log_in
from tests.factories import make_track

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_profile_and_an_insats_on_a_phone(page: Page, server: LiveServer) -> None:
    password = server.create_user("spar.sara", full_name="Sara Spår")
    clock = SettableClock(START)
    with Session(server.engine) as session:
        sara = session.exec(select(User).where(User.username == "spar.sara")).one()
        track = make_track(session, clock, coordinator=sara, name="Lager i Umeå")
        by_sara = {"user": sara, "session": session, "clock": clock}
        first = interventions.create(
            track,
            interventions.InterventionForm(
                title="Truckutbildning", starts_on="2026-04-06", ends_on="2026-05-08"
            ),
            **by_sara,
        )
        interventions.create(
            track,
            interventions.InterventionForm(
                kind="internship", title="Praktik", starts_on="2026-05-18", ends_on="2026-06-30"
            ),
            **by_sara,
        )
        session.commit()
        track_id, first_id = track.id, first.id
    page.set_viewport_size(PHONE)
    log_in(page, "spar.sara", password)

    page.goto(f"/tracks/{track_id}/profile/edit")
    expect(page.get_by_label("Yrke", exact=True)).to_have_value("Undersköterska")
    check_accessibility(page)
    assert fits(page)
    # A field's length is capped as it is typed; an empty first save is refused in place.
    page.get_by_label("Arbetstider").fill("x" * 201)
    expect(page.get_by_label("Arbetstider")).to_have_value("x" * 200)
    page.get_by_label("Arbetstider").fill("")
    page.get_by_label("Yrke", exact=True).fill("")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Fyll i något i kompetensprofilen innan du sparar.")).to_be_visible()
    expect(page.get_by_label("Yrke", exact=True)).to_be_focused()
    check_accessibility(page)
    page.get_by_label("Yrke", exact=True).fill("Truckförare")
    page.get_by_label("Körkort och certifikat").fill("B-körkort, truckkort")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**/tracks/{track_id}*")
    with Session(server.engine) as session:
        profile = session.get(CompetenceProfile, track_id)
        assert profile is not None and profile.licences == "B-körkort, truckkort"

    page.goto(f"/tracks/{track_id}/profile/print")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kompetensprofil: Lager i Umeå")
    expect(page.get_by_text("B-körkort, truckkort")).to_be_visible()
    check_accessibility(page)
    assert fits(page)

    page.goto(f"/tracks/{track_id}/interventions/{first_id}/edit")
    move = page.get_by_label("Flytta även den insats som kommer efter, lika många dagar")
    expect(move).not_to_be_checked()
    check_accessibility(page)
    assert fits(page)
    page.goto(f"/tracks/{track_id}/interventions/new")
    expect(page.get_by_label("Anordnare")).to_be_visible()
    check_accessibility(page)
    assert fits(page)
