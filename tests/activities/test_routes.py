"""The call log over HTTP: log from the company page with htmx and with a plain form,
errors and edit conflicts in place, who may edit, the paged timeline, and the company
list's last contact and next follow-up (columns, sorts, the "not contacted" filter)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from app.activities import service as activities
from app.activities.models import Activity
from app.companies import service as companies
from app.companies.models import Company
from app.contacts import service as contacts
from tests import statements
from tests.activities.factories import make_activity
from tests.contacts.factories import make_contact
from tests.factories import PASSWORD, make_company, make_user

HTMX = {"HX-Request": "true"}


def page_of(company):
    return f"/companies/{company.id}"


def log(client, company, data, **kwargs):
    return client.post_form(
        f"/companies/{company.id}/activities", data, token_from=page_of(company), **kwargs
    )


def only_activity(session):
    session.expire_all()
    return session.exec(select(Activity)).one()


def test_the_company_page_has_the_call_log(client, company, broker):
    html = client.get(page_of(company)).text
    form = html[html.index('<section id="activity-log"') : html.index('id="activity-add-form"')]
    assert "Ny kontakthändelse" in form
    timeline = html[html.index('<section id="activities"') :]
    assert "Kontakthändelser" in timeline and "Inga kontakthändelser ännu." in timeline
    assert 'name="kind" value="call" checked' in html
    assert '<form id="activity-add-form"' in html and "data-submit-on-ctrl-enter>" in html
    assert 'aria-keyshortcuts="Control+Enter Meta+Enter"' in html
    # On a page load focus stays where it is: the page says where the user is first.
    assert "autofocus" not in html
    # The follow-up date takes "1 dec" as well as 2026-12-01: a text field with a hint.
    assert 'name="follow_up_on" type="text" autocomplete="off"' in html
    assert "T.ex. 1/12, 1 dec eller i morgon." in html


def test_the_log_form_comes_first_then_facts_and_contacts_then_the_timeline(
    client, session, clock, company, broker
):
    make_contact(session, clock, company, broker, name="Åsa Öberg")
    html = client.get(page_of(company)).text
    order = [
        'href="#activity-new-notes"',  # the skip link to the form's notes
        "<h1>",
        'id="activity-add-form"',
        'id="facts-heading"',
        'id="contacts"',
        'id="activities"',
        'id="assignments"',
        'id="history"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions), dict(zip(order, positions, strict=True))
    assert 'id="activity-new-notes"' in html


def test_a_viewer_sees_no_log_form_and_no_skip_link_to_it(client, session, clock, company):
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    html = client.get(page_of(company)).text
    assert "activity-add-form" not in html and "#activity-new-notes" not in html
    assert 'id="activities"' in html


def test_the_follow_up_choices_show_the_working_day_each_means(client, clock, company, broker):
    # Thursday 2 April 2026, Maundy Thursday: Good Friday and Easter Monday are days off.
    clock.set(dt.datetime(2026, 4, 2, 7, 0, tzinfo=dt.UTC))
    client.login("bo", PASSWORD)  # the session of a month ago has run out
    html = client.get(page_of(company)).text
    group = html[html.index("<legend>Återkoppling</legend>") :]
    group = group[: group.index("</fieldset>")]
    values = re.findall(r'name="follow_up" value="([^"]*)"', group)
    assert values == ["", "tomorrow", "next_week", "two_weeks", "month", "date"]
    assert 'value="" checked' in group
    days = dict(re.findall(r'value="(\w+)"> [^<]+<span class="choice-day">([^<]+)</span>', group))
    assert days == {
        "tomorrow": "tis 7 april",
        "next_week": "tis 7 april",
        "two_weeks": "tors 16 april",
        "month": "mån 4 maj",
    }
    assert 'name="follow_up_on" type="text"' in group


def test_log_a_call_with_a_plain_form(client, session, company, broker):
    response = log(
        client, company, {"notes": "Ringde Åsa", "outcome": "Två platser", "follow_up": "tomorrow"}
    )
    assert response.status_code == 303, response.text
    activity = only_activity(session)
    # Post/redirect/get: back to the company page, at the new entry.
    assert response.headers["location"] == f"/companies/{company.id}#activity-{activity.id}"
    assert (activity.kind, activity.notes, activity.outcome) == (
        "call",
        "Ringde Åsa",
        "Två platser",
    )
    assert activity.follow_up_on == dt.date(2026, 3, 3)
    page = client.get(response.headers["location"]).text
    assert "Kontakthändelsen är sparad. Återkoppling tis 3 mars." in page
    assert "Ringde Åsa" in page and "Återkoppling" in page and "2026-03-03" in page
    assert "en kontakthändelse" in page  # the company's history shows it
    # The entry the address points at can take focus, named by its heading.
    assert (
        f'<li id="activity-{activity.id}" class="activity" tabindex="-1" '
        f'aria-labelledby="activity-{activity.id}-title">'
    ) in page


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("tomorrow", dt.date(2026, 3, 3)),
        ("next_week", dt.date(2026, 3, 9)),
        ("two_weeks", dt.date(2026, 3, 16)),
        ("month", dt.date(2026, 4, 2)),
        # Links and forms made before "Nästa vecka" send "week": a week from today.
        ("week", dt.date(2026, 3, 9)),
    ],
)
def test_each_quick_choice_is_saved_as_its_day(client, session, company, broker, choice, expected):
    # A date typed as well loses to the quick choice.
    response = log(
        client, company, {"notes": "Ringde", "follow_up": choice, "follow_up_on": "2026-05-01"}
    )
    assert response.status_code == 303, response.text
    assert only_activity(session).follow_up_on == expected


def test_a_typed_date_is_saved_with_annat_datum_or_with_no_choice(client, session, company):
    for choice in ("date", ""):
        response = log(
            client, company, {"notes": choice, "follow_up": choice, "follow_up_on": "2026-05-04"}
        )
        assert response.status_code == 303, response.text
    session.expire_all()
    saved = session.exec(select(Activity.follow_up_on)).all()
    assert saved == [dt.date(2026, 5, 4), dt.date(2026, 5, 4)]


def test_annat_datum_without_a_date_is_refused_with_what_was_typed(client, session, company):
    response = log(
        client,
        company,
        {"kind": "meeting", "notes": "Möte om lärlingar", "follow_up": "date", "follow_up_on": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.text
    assert html.lstrip().startswith('<form id="activity-add-form"')
    assert "Skriv datumet för återkoppling, eller välj Ingen." in html
    date = re.search(r'<input id="activity-new-follow_up_on"[^>]*>', html)
    assert date is not None
    assert 'aria-invalid="true"' in date.group() and "autofocus" in date.group()
    assert 'aria-describedby="activity-new-follow_up_on-error ' in date.group()
    assert 'name="kind" value="meeting" checked' in html
    assert ">Möte om lärlingar</textarea>" in html
    assert 'name="follow_up" value="date" checked' in html
    assert session.exec(select(Activity)).first() is None


def test_log_with_htmx_answers_with_a_fresh_form_the_timeline_and_a_notice(
    client, session, clock, company, broker
):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    older = make_activity(session, clock, company, broker, notes="Förra veckan")
    clock.advance(dt.timedelta(minutes=5))
    response = log(
        client,
        company,
        {
            "kind": "visit",
            "contact_id": str(contact.id),
            "notes": "Besökte verkstaden",
            "follow_up": "next_week",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    # The form was the target: it is swapped for a fresh one, the rest comes out of band.
    assert "HX-Retarget" not in response.headers
    html = response.text
    assert "<html" not in html and html.lstrip().startswith('<form id="activity-add-form"')
    form = html[: html.index("</form>")]
    assert 'name="kind" value="call" checked' in form and "></textarea>" in form
    assert 'name="follow_up" value="" checked' in form
    assert "autofocus" not in form
    timeline = html[html.index('<section id="activities"') :]
    assert timeline.startswith(
        '<section id="activities" aria-labelledby="activities-heading" hx-swap-oob="true">'
    )
    added = session.exec(select(Activity).where(Activity.id != older.id)).one()
    # The new entry is first, and takes focus (htmx focuses [autofocus] once swapped).
    entries = re.findall(r'<li id="activity-(\d+)" class="activity"[^>]*>', timeline)
    assert entries[0] == str(added.id) and entries[1] == str(older.id)
    first = re.search(r'<li id="activity-\d+" class="activity"[^>]*>', timeline).group(0)
    assert first.endswith(" autofocus>") and 'tabindex="-1"' in first
    assert "Besök," in timeline and "med Åsa Öberg" in timeline and "Bo Ek" in timeline
    # The confirmation goes to the live region, with the day the follow-up landed on.
    assert 'hx-swap-oob="innerHTML:#flash"' in html
    assert "Kontakthändelsen är sparad. Återkoppling mån 9 mars." in html
    assert added.contact_id == contact.id and added.follow_up_on == dt.date(2026, 3, 9)


def test_invalid_input_is_shown_in_place_and_nothing_is_written(client, session, company):
    response = log(
        client,
        company,
        {"kind": "note", "notes": "", "outcome": "", "follow_up_on": "2026-03-05"},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.text
    assert html.lstrip().startswith('<form id="activity-add-form"')
    assert "Skriv något i anteckningen." in html
    assert 'aria-invalid="true" aria-describedby="activity-new-notes-error"' in html
    assert 'name="kind" value="note" checked' in html and 'value="2026-03-05"' in html
    # The date typed reads as "Annat datum" when the form comes back.
    assert 'name="follow_up" value="date" checked' in html
    assert session.exec(select(Activity)).first() is None

    # Without JavaScript the same form comes back on a page of its own.
    response = log(client, company, {"notes": "Ringde", "follow_up_on": "2026-02-01"})
    assert response.status_code == 422
    assert (
        "<html" in response.text and "Datumet för återkoppling har redan passerat." in response.text
    )
    assert ">Ringde</textarea>" in response.text
    assert 'id="activity-log-heading"' in response.text  # what the form is labelled by
    assert session.exec(select(Activity)).first() is None


def test_an_archived_company_takes_no_new_activities(client, session, clock, company, broker):
    token = client.csrf_token(page_of(company))
    companies.archive(company, user=broker, session=session, clock=clock)
    session.commit()
    response = client.post(
        f"/companies/{company.id}/activities", data={"csrf_token": token, "notes": "Ringde"}
    )
    assert response.status_code == 409
    assert "Företaget är arkiverat." in response.text
    assert "activity-add-form" not in client.get(page_of(company)).text


def test_inline_edit_and_cancel(client, session, clock, company, broker):
    activity = make_activity(session, clock, company, broker, outcome="Före")
    fragment = client.get(f"/activities/{activity.id}/edit", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<li id="activity-{activity.id}"')
    assert 'name="version" value="1"' in fragment.text
    assert 'value="2026-03-02 09:00"' in fragment.text
    assert "Tolkas som måndag 2 mars 2026 kl. 09:00" in fragment.text
    assert "<html" in client.get(f"/activities/{activity.id}/edit").text
    shown = client.get(f"/activities/{activity.id}", headers=HTMX)
    assert shown.text.lstrip().startswith(f'<li id="activity-{activity.id}"')
    assert client.get(f"/activities/{activity.id}").headers["location"] == (
        f"/companies/{company.id}#activity-{activity.id}"
    )

    form = {**activities.ActivityForm.from_activity(activity).model_dump(), "outcome": "Efter"}
    response = client.post_form(
        f"/activities/{activity.id}", form, token_from=page_of(company), headers=HTMX
    )
    assert response.status_code == 200
    assert (
        "Efter" in response.text and "Ändringarna i kontakthändelsen är sparade." in response.text
    )
    assert only_activity(session).outcome == "Efter"


def test_an_edit_conflict_shows_the_other_change_and_keeps_the_input(
    client, session, clock, company, broker
):
    activity = make_activity(session, clock, company, broker)
    stale = activities.ActivityForm.from_activity(activity).model_dump()
    theirs = activities.ActivityForm.from_activity(activity)
    theirs.outcome = "Kollegans utfall"
    admin = make_user(session, clock, role="admin", full_name="Ada Admin")
    activities.update(activity, theirs, user=admin, session=session, clock=clock)
    session.commit()

    mine = {**stale, "outcome": "Mitt utfall"}
    response = client.post_form(
        f"/activities/{activity.id}", mine, token_from=page_of(company), headers=HTMX
    )
    assert response.status_code == 409
    html = response.text
    assert "Någon annan har ändrat kontakthändelsen" in html
    assert "Ada Admin" in html and "<ins>Kollegans utfall</ins>" in html
    assert 'value="Mitt utfall"' in html and 'name="version" value="2"' in html
    assert only_activity(session).outcome == "Kollegans utfall"


def test_only_the_author_or_an_admin_edits_and_deletes(client, session, clock, company, broker):
    colleague = make_user(session, clock, role="broker", username="kollega")
    theirs = make_activity(session, clock, company, colleague, notes="Kollegans samtal")
    mine = make_activity(session, clock, company, broker, notes="Mitt samtal")
    html = client.get(page_of(company)).text
    assert f"/activities/{mine.id}/edit" in html and f"/activities/{theirs.id}/edit" not in html

    token = client.csrf_token(page_of(company))
    form = {**activities.ActivityForm.from_activity(theirs).model_dump(), "notes": "Ändrat"}
    assert client.get(f"/activities/{theirs.id}/edit").status_code == 403
    assert (
        client.post(f"/activities/{theirs.id}", data={**form, "csrf_token": token}).status_code
        == 403
    )
    assert (
        client.post(f"/activities/{theirs.id}/delete", data={"csrf_token": token}).status_code
        == 403
    )
    session.expire_all()
    assert session.get(Activity, theirs.id).notes == "Kollegans samtal"

    admin = make_user(session, clock, role="admin", username="ada")
    client.post_form("/logout", token_from="/account")
    client.login(admin.username, PASSWORD)
    token = client.csrf_token(page_of(company))
    response = client.post(f"/activities/{theirs.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert session.get(Activity, theirs.id) is None


def test_delete_and_mark_done_with_htmx(client, session, clock, company, broker):
    activity = make_activity(session, clock, company, broker, follow_up="tomorrow")
    token = client.csrf_token(page_of(company))
    response = client.post(
        f"/activities/{activity.id}/done", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200
    assert (
        "klar</mark>" in response.text and "Återkopplingen är markerad som klar." in response.text
    )
    assert session.get(Company, company.id).next_follow_up_on is None

    response = client.post(
        f"/activities/{activity.id}/delete", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Kontakthändelsen är borttagen." in response.text
    assert "Inga kontakthändelser ännu." in response.text
    assert session.exec(select(Activity)).first() is None


def test_an_erased_contact_reads_as_removed_on_the_page(client, session, clock, company, broker):
    contact = make_contact(session, clock, company, broker, name="Åsa Öberg")
    make_activity(session, clock, company, broker, contact_id=str(contact.id))
    contacts.erase(contact, user=broker, session=session, clock=clock)
    session.commit()
    html = client.get(page_of(company)).text
    timeline = html[html.index('id="activities"') : html.index('id="history"')]
    assert "med borttagen kontakt" in timeline and "Åsa" not in timeline


def test_the_timeline_pages_back_at_a_constant_cost(
    client, session, clock, company, broker, engine
):
    people = [make_contact(session, clock, company, broker, name=f"Person {n}") for n in range(3)]

    def add(count):
        for n in range(count):
            make_activity(
                session,
                clock,
                company,
                broker,
                contact_id=str(people[n % 3].id),
                notes=f"Samtal nr {n}",
            )

    def page():
        assert client.get(page_of(company)).status_code == 200

    add(3)
    few = statements.count(engine, page)
    add(30)
    assert statements.count(engine, page) == few

    html = client.get(page_of(company)).text
    older = f"/companies/{company.id}/activities?page=2"
    assert html.count('class="activity"') == 20 and f'href="{older}"' in html
    fragment = client.get(older, headers=HTMX).text
    assert fragment.lstrip().startswith("<li") and fragment.count('class="activity"') == 13
    assert "Visa äldre" not in fragment
    assert "<html" in client.get(older).text


# --- the company list ---------------------------------------------------------------------


def names_in(html):
    return re.findall(
        r'<td class="cut"><a href="/companies/\d+" title="[^"]*">([^<]+)</a></td>', html
    )


@pytest.fixture
def contacted(session, clock, broker):
    """Four companies: never contacted, 100 days ago, 40 days ago, today (a note only earlier)."""
    never = make_company(session, clock, user=broker, name="Aldrig AB")
    old = make_company(session, clock, user=broker, name="Gammal AB")
    recent = make_company(session, clock, user=broker, name="Nyligen AB")
    today = make_company(session, clock, user=broker, name="Idag AB")
    make_activity(
        session, clock, old, broker, occurred_at="2025-11-22T10:00", follow_up_on="2026-03-20"
    )
    make_activity(
        session, clock, recent, broker, occurred_at="2026-01-21T10:00", follow_up="tomorrow"
    )
    make_activity(session, clock, today, broker)
    # A note is no contact: "Aldrig AB" stays never contacted.
    make_activity(session, clock, never, broker, kind="note", notes="Hittade dem på mässan")
    return never, old, recent, today


def test_the_list_shows_last_contact_and_next_follow_up(client, contacted):
    html = client.get("/companies").text
    assert "Senaste kontakt" in html and "Återkoppling" in html
    assert "2025-11-22" in html and "2026-03-20" in html and "aldrig" in html
    assert '<select name="not_contacted">' in html


def test_the_list_sorts_by_last_contact_and_next_follow_up(client, contacted):
    assert names_in(client.get("/companies?sort=last_contact").text) == [
        "Aldrig AB",
        "Gammal AB",
        "Nyligen AB",
        "Idag AB",
    ]
    assert names_in(client.get("/companies?sort=-last_contact").text) == [
        "Idag AB",
        "Nyligen AB",
        "Gammal AB",
        "Aldrig AB",
    ]
    assert names_in(client.get("/companies?sort=follow_up").text)[:2] == ["Nyligen AB", "Gammal AB"]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, ["Aldrig AB", "Gammal AB", "Nyligen AB"]),
        (60, ["Aldrig AB", "Gammal AB"]),
        (90, ["Aldrig AB", "Gammal AB"]),
        (180, ["Aldrig AB"]),
        (7, ["Aldrig AB", "Gammal AB", "Idag AB", "Nyligen AB"]),  # not a choice: no filter
    ],
)
def test_the_not_contacted_filter_counts_days_from_today(client, contacted, days, expected):
    html = client.get(f"/companies?not_contacted={days}").text
    assert names_in(html) == expected


def test_not_contacted_counts_from_the_start_of_the_day_in_stockholm(client, clock, contacted):
    # "Nyligen AB" was last contacted on 21 January. 60 days before 22 March is 21 January:
    # contacted within 60 days. Late on 22 March UTC it is already 23 March in Stockholm.
    def not_contacted_in_60_days():
        client.login("bo", PASSWORD)  # a session does not survive the clock jumping weeks
        return names_in(client.get("/companies?not_contacted=60").text)

    clock.set(dt.datetime(2026, 3, 22, 0, 30, tzinfo=dt.UTC))  # 01:30 on 22 March in Stockholm
    assert not_contacted_in_60_days() == ["Aldrig AB", "Gammal AB"]
    clock.set(dt.datetime(2026, 3, 22, 23, 30, tzinfo=dt.UTC))  # 00:30 on 23 March in Stockholm
    assert not_contacted_in_60_days() == ["Aldrig AB", "Gammal AB", "Nyligen AB"]


def test_the_list_costs_the_same_statements_with_more_companies(
    client, session, clock, broker, engine, contacted
):
    def page():
        assert client.get("/companies?not_contacted=30&sort=last_contact").status_code == 200

    few = statements.count(engine, page)
    for n in range(30):
        company = make_company(session, clock, user=broker, name=f"Fler {n:02d} AB")
        make_activity(session, clock, company, broker, occurred_at="2025-12-01T10:00")
    # One more once there is more than a page: how many it found (a last page tells itself).
    assert statements.count(engine, page) == few + 1
    html = client.get("/companies?not_contacted=30&sort=last_contact").text
    assert len(names_in(html)) == 25 and "page=2" in html


def test_a_due_follow_up_links_to_min_dag_for_whose_day_it_is_on(
    client, session, clock, company, broker
):
    activity = make_activity(session, clock, company, broker, follow_up="tomorrow")
    link = '· <a href="/">Finns på Min dag</a>'
    assert link not in client.get(page_of(company)).text  # due tomorrow: not on Min dag yet
    clock.advance(dt.timedelta(days=1))
    client.login("bo", PASSWORD)  # the session of yesterday has ended
    assert link in client.get(page_of(company)).text
    # A colleague's Min dag does not have it (neither author nor the company's broker).
    make_user(session, clock, role="broker", username="kim")
    client.login("kim", PASSWORD)
    assert link not in client.get(page_of(company)).text
    client.login("bo", PASSWORD)
    activities.complete_follow_up(activity, user=broker, session=session, clock=clock)
    session.commit()
    assert link not in client.get(page_of(company)).text
