"""The pipeline board: open statuses as columns, newest first, with their counts under
the filters, "visa fler" per column, moving cards with plain forms and with htmx (focus
follows the card), refusals shown on the card, and a constant number of statements as
data grows."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from app.assignments import listing
from app.assignments.models import AssignmentStatus
from tests.assignments.factories import make_assignment, set_deadline
from tests.factories import PASSWORD, make_company, make_user

HTMX = {"HX-Request": "true"}


def column(html, status):
    start = html.index(f'aria-labelledby="column-{status}"')
    end = html.find("</section>", start)
    return html[start:end]


def cards(html):
    return re.findall(r'<li id="assignment-(\d+)"', html)


def test_columns_are_the_open_statuses_newest_first(client, session, clock, bo, company):
    late = make_assignment(session, clock, company, bo, occupation="Kock")
    set_deadline(session, late, dt.date(2026, 2, 20))
    clock.advance(dt.timedelta(minutes=5))
    soon = make_assignment(session, clock, company, bo, occupation="Målare", deadline="2026-03-09")
    clock.advance(dt.timedelta(minutes=5))
    none = make_assignment(session, clock, company, bo, occupation="Bagare")
    moving = make_assignment(session, clock, company, bo, occupation="Snickare", status="presented")
    make_assignment(session, clock, company, bo, occupation="Städare", status="closed_unfilled")
    html = client.get("/assignments/board").text
    assert [c.split('"')[0] for c in re.findall(r'aria-labelledby="column-([a-z_]+)', html)] == [
        "new",
        "searching",
        "presented",
    ]
    assert cards(column(html, "new")) == [str(none.id), str(soon.id), str(late.id)]
    assert "Ny <small>(3)</small>" in html
    assert cards(column(html, "presented")) == [str(moving.id)]
    assert "Städare" not in html  # closed ones live in the list
    card = html[html.index(f'id="assignment-{late.id}"') :]
    card = card[: card.index("</li>")]
    assert 'class="card overdue"' in card and "Försenad" in card
    assert "Ängelholms Bygg AB" in card and "0 av 1 tillsatta" in card
    assert "Sista dag 2026-02-20" in card


@pytest.mark.parametrize("role", ["broker", "admin"])
def test_a_new_assignment_is_at_the_top_of_ny_for_its_creator(client, session, clock, role):
    """However many assignments "Ny" holds, and however urgent: the one just registered
    comes first, on the whole board and (a broker owns what they register) under "Mina
    uppdrag"; the counts include it."""
    cia = make_user(session, clock, role=role, username="cia", full_name="Cia Lind")
    company = make_company(session, clock, user=cia, name="Ängelholms Bygg AB")
    for day in range(1, listing.COLUMN_SIZE + 3):
        make_assignment(
            session, clock, company, cia, owner_id=str(cia.id), deadline=f"2026-03-{day:02d}"
        )
    clock.advance(dt.timedelta(hours=1))
    client.login("cia", PASSWORD)
    page = client.get(f"/assignments/new?company_id={company.id}").text
    owner = re.search(r'<option value="(\d*)" selected', page)
    data = {"occupation": "Svetsare", "positions": "1", "employment_type": "ordinary"}
    data |= {"source_kind": "broker", "source_user_id": str(cia.id)}
    data |= {"owner_id": owner.group(1) if owner else ""}
    response = client.post_form(f"/companies/{company.id}/assignments", data, token_from="/")
    assert response.status_code == 303, response.text
    new_id = response.headers["location"].rsplit("/", 1)[1]
    total = listing.COLUMN_SIZE + 3
    queries = ["", "owner=me"] if role == "broker" else [""]
    for query in queries:
        html = client.get("/assignments/board?" + query).text
        assert cards(column(html, "new"))[0] == new_id, query
        assert f"Ny <small>({total})</small>" in html, query


def test_the_counts_follow_the_filters(client, session, clock, bo, company):
    cia = make_user(session, clock, role="broker", username="cia", full_name="Cia Lind")
    other = make_company(session, clock, user=bo, name="Zeta Städ AB")
    for _ in range(listing.COLUMN_SIZE + 2):
        make_assignment(session, clock, company, bo, owner_id=str(bo.id))
    make_assignment(session, clock, company, bo, owner_id=str(cia.id), status="searching")
    make_assignment(session, clock, other, bo, employment_type="internship", status="searching")
    make_assignment(session, clock, other, bo, status="presented")
    make_assignment(session, clock, other, bo, status="filled", filled_count=1)

    def counts(query):
        html = client.get("/assignments/board?" + query, headers=HTMX).text
        return [int(n) for n in re.findall(r"<small>\((\d+)\)</small>", html)]

    assert counts("") == [listing.COLUMN_SIZE + 2, 2, 1]
    assert counts("owner=me") == [listing.COLUMN_SIZE + 2, 0, 0]
    assert counts(f"owner={cia.id}") == [0, 1, 0]
    assert counts("owner=none") == [0, 1, 1]
    assert counts("employment_type=internship") == [0, 1, 0]
    assert counts("company=zeta") == [0, 1, 1]
    assert counts(f"company_id={company.id}&owner=me") == [listing.COLUMN_SIZE + 2, 0, 0]
    assert counts("company=zeta&employment_type=ordinary") == [0, 0, 1]


def test_filters_owner_employment_type_and_company(client, session, clock, bo, company):
    other = make_company(session, clock, user=bo, name="Zeta Städ AB")
    mine = make_assignment(session, clock, company, bo, owner_id=str(bo.id))
    practice = make_assignment(session, clock, other, bo, employment_type="internship")

    def shown(query):
        return cards(client.get("/assignments/board?" + query, headers=HTMX).text)

    assert shown("owner=me") == [str(mine.id)]
    assert shown("employment_type=internship") == [str(practice.id)]
    assert shown("company=zeta") == [str(practice.id)]
    assert shown(f"company_id={company.id}") == [str(mine.id)]


def test_the_filters_take_one_row_and_name_the_one_company(client, session, clock, bo, company):
    html = client.get(f"/assignments/board?company_id={company.id}&owner=me").text
    form = html[html.index('<form method="get" action="/assignments/board"') :]
    form = form[: form.index("</form>")]
    # Three fields and the button side by side, no box or disclosure around them.
    assert 'class="list-search filter-row"' in form
    assert "<fieldset" not in form and "<details" not in form
    fields = ["company_id", "company", "owner", "employment_type"]
    assert re.findall(r'name="(\w+)"', form) == fields
    assert '<option value="me" selected>' in form
    assert "Visar uppdrag hos Ängelholms Bygg AB." in form
    assert '<button type="submit" class="secondary">Visa</button>' in form


def test_each_column_pages_with_visa_fler(client, session, clock, bo, company):
    made = [
        make_assignment(session, clock, company, bo, deadline=f"2026-04-{day:02d}")
        for day in range(1, listing.COLUMN_SIZE + 3)
    ][::-1]  # newest first
    make_assignment(session, clock, company, bo, status="searching")
    html = client.get("/assignments/board?owner=").text
    first = column(html, "new")
    assert cards(first) == [str(a.id) for a in made[: listing.COLUMN_SIZE]]
    more = re.search(r'<li class="more">\s*<a href="([^"]+)"', first).group(1)
    assert parse_qs(urlsplit(more.replace("&amp;", "&")).query) == {
        "status": ["new"],
        "page": ["2"],
    }
    assert '<li class="more">' not in column(html, "searching")
    fragment = client.get(more.replace("&amp;", "&"), headers=HTMX)
    assert cards(fragment.text) == [str(a.id) for a in made[listing.COLUMN_SIZE :]]
    assert "<html" not in fragment.text and '<li class="more">' not in fragment.text
    assert "autofocus" in fragment.text  # keyboard users land on the first new card
    page = client.get(more.replace("&amp;", "&"))
    assert "<html" in page.text and "Ny, sida 2" in page.text
    assert "hx-post" not in page.text  # no board to swap: plain forms
    assert client.get("/assignments/board/column?status=filled").status_code == 404


def test_a_plain_form_moves_a_card_and_comes_back_to_the_filtered_board(
    client, session, clock, bo, company
):
    assignment = make_assignment(session, clock, company, bo, owner_id=str(bo.id))
    response = client.post_form(
        f"/assignments/{assignment.id}/status",
        {"status": "searching", "from_status": "new", "board": "owner=me&bogus=1", "view": "board"},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert parse_qs(urlsplit(location).query) == {
        "owner": ["me"],
        "moved": [str(assignment.id)],
        "direction": ["next"],
    }
    page = client.get(location).text
    card = page[page.index(f'id="assignment-{assignment.id}"') :]
    card = card[: card.index("</li>")]
    assert cards(column(page, "searching")) == [str(assignment.id)]
    # Focus stays on the button that moves it on, so Enter moves it again.
    assert re.search(r"autofocus>\s*<span[^>]*>[^<]*</span>Kandidater presenterade", card)
    assert "har nu status Sökning pågår" in page


def test_htmx_moves_swap_the_board_and_focus_follows_the_card(client, session, clock, bo, company):
    assignment = make_assignment(session, clock, company, bo, positions=2)
    url = f"/assignments/{assignment.id}/status"
    response = client.post_form(
        url,
        {"status": "searching", "from_status": "new", "board": "", "view": "board"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="board"')
    assert 'hx-swap-oob="innerHTML:#flash"' in response.text
    client.post_form(url, {"status": "presented", "board": "", "view": "board"}, headers=HTMX)
    # In the last open column "Avsluta…" is next: it gets the focus.
    html = client.get(f"/assignments/board?moved={assignment.id}&direction=next").text
    assert "<summary autofocus>" in html
    refused = client.post_form(
        url,
        {
            "status": "filled",
            "filled_count": "1",
            "from_status": "presented",
            "board": "",
            "view": "board",
        },
        headers=HTMX,
    )
    assert refused.status_code == 422
    assert "Tillsatt betyder att alla platser är tillsatta" in refused.text
    assert '<details class="close-assignment" open>' in refused.text
    closed = client.post_form(
        url,
        {
            "status": "filled",
            "filled_count": "2",
            "from_status": "presented",
            "board": "",
            "view": "board",
        },
        headers=HTMX,
    )
    assert closed.status_code == 200
    assert f'id="assignment-{assignment.id}"' not in closed.text
    session.refresh(assignment)
    assert (assignment.status, assignment.filled_count) == (AssignmentStatus.filled, 2)
    # The closed card took its button off the board: focus goes to the heading of the
    # column it left, with htmx and on the plain form's board alike.
    heading = '<h2 id="column-presented" tabindex="-1" autofocus>'
    assert heading in closed.text
    assert closed.text.count("autofocus") == 1
    assert heading in client.get(f"/assignments/board?moved={assignment.id}").text


def test_a_moved_card_beyond_its_column_s_first_page_gives_focus_to_the_column(
    client, session, clock, bo, company
):
    late = make_assignment(session, clock, company, bo, deadline="2026-12-31")
    for day in range(1, listing.COLUMN_SIZE + 1):
        make_assignment(
            session, clock, company, bo, status="searching", deadline=f"2026-04-{day:02d}"
        )
    response = client.post_form(
        f"/assignments/{late.id}/status",
        {"status": "searching", "from_status": "new", "board": "", "view": "board"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert f'id="assignment-{late.id}"' not in response.text
    assert '<h2 id="column-searching" tabindex="-1" autofocus>' in response.text
    assert response.text.count("autofocus") == 1


def test_a_card_someone_else_moved_says_so(client, session, clock, bo, company):
    assignment = make_assignment(session, clock, company, bo, status="searching")
    response = client.post_form(
        f"/assignments/{assignment.id}/status",
        {"status": "searching", "from_status": "new", "board": "", "view": "board"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "Någon annan har redan ändrat uppdragets status till Sökning pågår." in response.text


# --- cost -------------------------------------------------------------------------------


def count_statements(engine, action):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize(
    "path",
    [
        "/assignments/board",
        "/assignments/board?owner=me&company=bygg&employment_type=ordinary",
        "/assignments",
        "/assignments?sort=owner&state=all",
        "/assignments?sort=company&company=bygg",
    ],
)
def test_board_and_list_cost_the_same_statements_as_data_grows(
    client, session, clock, engine, bo, path
):
    cia = make_user(session, clock, role="broker")

    def add(count):
        for number in range(count):
            company = make_company(session, clock, user=bo, name=f"Bygg {number} AB")
            for status in ("new", "searching", "presented", "filled"):
                make_assignment(
                    session,
                    clock,
                    company,
                    bo,
                    status=status,
                    filled_count=1,
                    owner_id=str(bo.id if number % 2 else cia.id),
                    deadline=f"2026-04-{number % 28 + 1:02d}",
                )

    def page():
        assert client.get(path).status_code == 200

    add(2)
    few = count_statements(engine, page)
    add(12)
    many = count_statements(engine, page)
    # The list's last page says how many it found by itself; a longer one counts them once.
    counted = 0 if path.startswith("/assignments/board") else 1
    assert many == few + counted, (few, many)
    # Session and user, the owner choices, the totals, a query per column (the board) or
    # one for the page and one for its count (the list), and the company search's look at
    # its terms.
    assert many <= 8, many
