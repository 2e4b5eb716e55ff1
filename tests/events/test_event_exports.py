"""CSV exports of the events list (with its filters and order) and of one event's
participants, in the register's CSV format."""

from __future__ import annotations

import datetime as dt

import pytest

from app.clock import STOCKHOLM
from app.contacts import service as contacts
from app.events import participants
from app.events import service as events
from app.events.exports import EVENT_HEADERS, PARTICIPANT_HEADERS
from app.events.models import EventStatus, Participation
from tests import statements
from tests.assignments.factories import make_assignment
from tests.events.factories import invite, make_event
from tests.exports.test_exports import rows_of
from tests.factories import PASSWORD, make_company, make_user


@pytest.fixture
def bo(session, clock):
    return make_user(session, clock, role="broker", username="bo", full_name="Bo Ek")


@pytest.fixture
def cia(session, clock):
    return make_user(session, clock, role="broker", username="cia", full_name="Cia Berg")


@pytest.fixture
def signed_in(client, bo):
    client.login("bo", PASSWORD)
    return client


def download(client, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    return rows_of(response.content)


# --- the events list --------------------------------------------------------------------


def test_the_events_export_in_the_lists_order_with_swedish_times(
    signed_in, session, clock, bo, cia
):
    soon = make_event(
        session,
        clock,
        bo,
        title="Snart",
        place="Stadshuset",
        online_url="https://meet.example.se/1",
        target_group="Unga vuxna",
        capacity="40",
        description="Ta med CV.",
    )
    # Summer time: 10:00 in Stockholm is 08:00 UTC.
    make_event(
        session,
        clock,
        cia,
        title="Sommar",
        starts=dt.datetime(2026, 6, 10, 10, 0, tzinfo=STOCKHOLM),
    )
    # Over already: after the upcoming ones.
    clock.set(dt.datetime(2026, 2, 1, 9, 0, tzinfo=STOCKHOLM))
    make_event(
        session, clock, bo, title="Förbi", starts=dt.datetime(2026, 2, 2, 9, 0, tzinfo=STOCKHOLM)
    )
    clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM))
    company = make_company(session, clock, user=bo)
    declined = make_company(session, clock, user=bo)
    invite(session, clock, soon, company, bo)
    link = invite(session, clock, soon, declined, bo)
    participants.update_participant(
        link,
        participants.ParticipantForm(status=Participation.declined.value),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()

    response = signed_in.get("/events/export.csv")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="rekryteringstraffar-2026-03-02.csv"'
    )
    rows = rows_of(response.content)
    assert rows[0] == list(EVENT_HEADERS)
    assert [row[0] for row in rows[1:]] == ["Snart", "Sommar", "Förbi"]
    first = dict(zip(EVENT_HEADERS, rows[1], strict=True))
    assert first == {
        "Träff": "Snart",
        "Börjar": "2026-03-16 09:00",
        "Slutar": "2026-03-16 12:00",
        "Plats": "Stadshuset",
        "Digital länk": "https://meet.example.se/1",
        "Status": "Planering",
        "Ansvarig": "Bo Ek",
        "Målgrupp": "Unga vuxna",
        "Max antal deltagare": "40",
        "Företag": "1",
        "Bekräftade företag": "0",
        "Inbjudna arbetssökande": "",
        "Deltagande arbetssökande": "",
        "Intervjuer": "",
        "Anställningar": "",
        "Beskrivning": "Ta med CV.",
    }
    assert rows[2][1] == "2026-06-10 10:00"
    # Sorted by start from the list's header: the export follows.
    by_start = download(signed_in, "/events/export.csv?sort=start")
    assert [row[0] for row in by_start[1:]] == ["Förbi", "Snart", "Sommar"]
    by_start = download(signed_in, "/events/export.csv?sort=-start")
    assert [row[0] for row in by_start[1:]] == ["Sommar", "Snart", "Förbi"]


def test_the_events_export_honours_the_lists_filters(signed_in, session, clock, bo, cia):
    make_event(session, clock, bo, title="Bos")
    theirs = make_event(session, clock, cia, title="Cias")
    make_event(session, clock, cia, title="Cias andra")
    events.change_status(
        theirs,
        events.StatusForm(status=EventStatus.recruiting.value),
        user=cia,
        session=session,
        clock=clock,
    )
    session.commit()
    titles = lambda path: sorted(row[0] for row in download(signed_in, path)[1:])  # noqa: E731
    assert titles("/events/export.csv?owner=me") == ["Bos"]
    assert titles(f"/events/export.csv?owner={cia.id}") == ["Cias", "Cias andra"]
    assert titles("/events/export.csv?status=recruiting") == ["Cias"]
    assert titles("/events/export.csv?status=nonsense&owner=x") == ["Bos", "Cias", "Cias andra"]


def test_a_title_that_looks_like_a_formula_is_neutralised(signed_in, session, clock, bo):
    make_event(session, clock, bo, title='=HYPERLINK("http://x")')
    body = signed_in.get("/events/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_the_events_export_costs_the_same_statements_as_data_grows(
    signed_in, session, clock, engine, bo
):
    def export():
        assert signed_in.get("/events/export.csv").status_code == 200

    make_event(session, clock, bo)
    export()
    few = statements.count(engine, export)
    for number in range(12):
        make_event(session, clock, bo, title=f"Träff {number}")
    export()
    assert statements.count(engine, export) == few


# --- one event's participants -----------------------------------------------------------


def test_the_participants_export(signed_in, session, clock, bo):
    event = make_event(session, clock, bo, title="Träff på Åkeriet")
    akeri = make_company(
        session, clock, user=bo, name="Öst Åkeri AB", org_number="556036-0793", phone="08-1"
    )
    contacts.create(
        akeri,
        contacts.ContactForm(
            name="Anna Ek",
            title="VD",
            phone="+46 70 111 22 33",
            email="anna@akeri.example",
            is_primary=True,
        ),
        user=bo,
        session=session,
        clock=clock,
    )
    session.commit()
    bageri = make_company(session, clock, user=bo, name="Bageriet AB")
    invite(session, clock, event, akeri, bo)
    link = invite(session, clock, event, bageri, bo)
    participants.update_participant(
        link,
        participants.ParticipantForm(status=Participation.declined.value),
        user=bo,
        session=session,
        clock=clock,
    )
    for occupation in ("Lastbilschaufför", "Lagerarbetare"):
        assignment = make_assignment(session, clock, akeri, bo, occupation=occupation)
        participants.link_assignment(
            event, str(assignment.id), user=bo, session=session, clock=clock
        )
    session.commit()

    response = signed_in.get(f"/events/{event.id}/participants.csv")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="deltagare-traff-pa-akeriet-2026-03-02.csv"'
    )
    rows = rows_of(response.content)
    assert rows[0] == list(PARTICIPANT_HEADERS)
    # Swedish order: B before Ö; the declined company is listed, with its status.
    assert rows[1:] == [
        ["Bageriet AB", "", "Avböjd", "", "", "", "", "", ""],
        [
            "Öst Åkeri AB",
            "556036-0793",
            "Inbjuden",
            "Anna Ek",
            "VD",
            "+46 70 111 22 33",  # neutralised in the file, read back as it was
            "anna@akeri.example",
            "08-1",
            "Lagerarbetare, Lastbilschaufför",
        ],
    ]
    raw = response.content.decode("utf-8-sig")
    assert ";'+46 70 111 22 33;" in raw


def test_participants_of_an_unknown_event_is_404(signed_in):
    assert signed_in.get("/events/999999/participants.csv").status_code == 404


def test_the_lists_export_link_keeps_its_filters(signed_in, session, clock, bo):
    make_event(session, clock, bo)
    html = signed_in.get("/events?status=planning&owner=me&page=1").text
    assert 'href="/events/export.csv?status=planning&amp;owner=me" download' in html
