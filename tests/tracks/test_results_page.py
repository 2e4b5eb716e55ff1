"""The results page: the counts saved from its form, shares of those who started, small
counts as "< 5" with their shares withheld, rounds compared, a refused form shown again
as typed, and the track page's section."""

from __future__ import annotations

import html as html_text
import re

from app.templating import env
from app.tracks import results
from tests.factories import PASSWORD, make_track, make_user


def cells(html: str, table_id: str) -> list[list[str]]:
    """The table's body rows as their cells' text."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [
        [
            html_text.unescape(re.sub(r"<[^>]+>|\s+", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def counts(**typed: str) -> dict[str, object]:
    by_kind = typed.pop("by_kind", {})
    from app.tracks.outcome import HAND_KINDS

    return {
        **typed,
        "kind": [kind.value for kind in HAND_KINDS],
        "count": [by_kind.get(kind.value, "") for kind in HAND_KINDS],
    }


def seen(html: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', html).group(1)


def test_the_counts_saved_show_with_their_shares(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo, name="Vårdspåret")
    url = f"/tracks/{track.id}/results"
    page = client.get(url).text
    typed = counts(
        identified="30",
        started="20",
        completed="16",
        left_early="4",
        to_studies="5",
        to_other="2",
        outcome_unknown="1",
        by_kind={"ordinary": "8", "fixed_term": "3"},
    )
    answer = client.post_form(url, {**typed, "seen": seen(page)})
    assert answer.status_code == 303
    page = client.get(url).text
    assert cells(page, "outcomes") == [
        ["I jobb", "11", "0", "11", "55 %"],
        ["varav Ordinarie anställning", "8", "0", "8", "40 %"],
        ["varav Visstidsanställning", "< 5", "0", "< 5", "–"],
        ["Studier", "–", "–", "5", "25 %"],
        ["Annat", "–", "–", "< 5", "–"],
        ["Okänt", "–", "–", "< 5", "–"],
    ]
    assert cells(page, "rounds")[0][1:] == ["20", "11", "55 %", "25 %", "–", "–"]


def test_a_refused_form_comes_back_as_typed(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo)
    url = f"/tracks/{track.id}/results"
    typed = counts(identified="3", started="4", by_kind={"ordinary": "2"})
    answer = client.post_form(url, {**typed, "seen": seen(client.get(url).text)})
    assert answer.status_code == 422
    assert 'id="started-error"' in answer.text
    assert 'name="started" type="text" value="4"' in answer.text
    assert 'name="count" inputmode="numeric" autocomplete="off" value="2"' in answer.text
    session.refresh(track)
    assert track.started is None


def test_rounds_of_the_series_side_by_side(client, session, clock, bo):
    first = make_track(session, clock, coordinator=bo, started=10, to_studies=5)
    second = make_track(
        session,
        clock,
        coordinator=bo,
        round_number=2,
        first_round_id=first.id,
        previous_round_id=first.id,
        started=8,
    )
    make_track(session, clock, coordinator=bo, started=40)  # another series
    rows = cells(client.get(f"/tracks/{second.id}/results").text, "rounds")
    assert [row[0].split()[0] for row in rows] == ["1", "2"]
    assert [row[1] for row in rows] == ["10", "8"]
    assert rows[0][4] == "50 %"


def test_a_viewer_reads_the_results_without_the_form(client, session, clock, bo):
    track = make_track(session, clock, coordinator=bo, started=6)
    make_user(session, clock, role="viewer", username="vera")
    client.login("vera", PASSWORD)
    page = client.get(f"/tracks/{track.id}/results")
    assert page.status_code == 200 and 'id="results-form"' not in page.text
    assert client.post_form(f"/tracks/{track.id}/results", counts(started="7")).status_code == 403


def test_the_track_pages_section_shows_the_key_figures(session, clock, bo):
    track = make_track(session, clock, coordinator=bo, identified=12, started=10, to_studies=3)
    context = results.section(track, session=session, clock=clock, user=bo)
    html = env.get_template("tracks/_results.html").render(track=track, **context)
    # 3 to studies: their share is withheld.
    assert "<dd>–</dd>" in html.split("Till studier", 1)[1]
    assert f'href="/tracks/{track.id}/results"' in html
    assert ">12<" in html and ">10<" in html
