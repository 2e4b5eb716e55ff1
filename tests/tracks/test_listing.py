"""The job track list: its filters (text, status, coordinator incl. "mina", employer,
municipality), the counts per status, sort and pages, and a page's statements constant
however many tracks and employers."""

from __future__ import annotations

import datetime as dt
import re

from app.tracks import people as track_people
from tests.factories import make_company, make_track, make_user
from tests.lists import found_count
from tests.statements import recorded


def names(html):
    """The tracks the list shows, in order."""
    return re.findall(r'<td class="cut" title="([^"]+)">', html)


def test_filters_and_counts_per_status(client, session, clock, bo):
    other = make_user(session, clock, role="broker", full_name="Åsa Öberg")
    company = make_company(session, clock, user=bo, name="Vården AB")
    vård = make_track(session, clock, coordinator=bo, name="Vård Norr", municipality="Umeå")
    make_track(session, clock, coordinator=bo, name="Lager", occupation="Truckförare")
    make_track(session, clock, coordinator=other, name="Bygg", status="recruitment")
    make_track(session, clock, coordinator=other, name="Kök", status="cancelled")
    track_people.add_employer(vård, str(company.id), user=bo, session=session, clock=clock)
    session.commit()

    page = client.get("/tracks").text
    assert found_count(page) == "4 jobbspår"
    assert "Planering: 2" in page and "Rekrytering: 1" in page and "Avbrutet: 1" in page
    assert "Vården AB" in page  # the employers column

    assert names(client.get("/tracks", params={"q": "truck"}).text) == ["Lager"]
    assert names(client.get("/tracks", params={"coordinator": "me", "sort": "name"}).text) == [
        "Lager",
        "Vård Norr",
    ]
    assert names(client.get("/tracks", params={"company_id": company.id}).text) == ["Vård Norr"]
    assert names(client.get("/tracks", params={"municipality": "Umeå"}).text) == ["Vård Norr"]
    mine_recruiting = client.get("/tracks", params={"coordinator": "me", "status": "recruitment"})
    assert names(mine_recruiting.text) == []
    # The counts are of the other filters: the status filter leaves them as they are.
    only = client.get("/tracks", params={"coordinator": str(other.id), "status": "cancelled"})
    assert names(only.text) == ["Kök"]
    assert "Rekrytering: 1" in only.text and "Planering: 0" in only.text


def test_sorted_by_planning_and_paged(client, session, clock, bo):
    for number in range(27):
        make_track(
            session,
            clock,
            coordinator=bo,
            name=f"Spår {number:02}",
            planning_starts_on=dt.date(2026, 1, 1) + dt.timedelta(days=number),
        )
    first = client.get("/tracks").text
    assert names(first)[:2] == ["Spår 26", "Spår 25"]  # planned latest first
    assert len(names(first)) == 25 and 'rel="next"' in first
    second = client.get("/tracks", params={"page": 2}).text
    assert names(second) == ["Spår 01", "Spår 00"]
    assert names(client.get("/tracks", params={"sort": "planning"}).text)[0] == "Spår 00"


def test_a_page_costs_the_same_statements_however_many_tracks(client, session, clock, bo, engine):
    def add(number):
        for _ in range(number):
            track = make_track(session, clock, coordinator=bo)
            company = make_company(session, clock, user=bo)
            track_people.add_employer(track, str(company.id), user=bo, session=session, clock=clock)
        session.commit()

    def statements():
        with recorded(engine) as seen:
            assert client.get("/tracks").status_code == 200
        return len(seen)

    add(2)
    few = statements()
    add(10)
    assert statements() == few


def test_the_main_menu_leads_to_the_list(client, bo):
    assert '<a href="/tracks"' in client.get("/").text
