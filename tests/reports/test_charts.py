"""The report charts: accessible SVG whose bars, ticks and words match the numbers given.

The output is read back with the standard library's XML parser, so a chart that is not
well-formed, or whose geometry drifts from its data, fails here rather than in a browser.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from app.reports.charts import Series, bar_chart, nice_ticks

SVG_NS = "{http://www.w3.org/2000/svg}"
WEEKS = [f"v. {week}" for week in range(1, 54)]


def parse(markup: str) -> ET.Element:
    """The whole figure as one element tree, the SVG namespace taken off the tags."""
    root = ET.fromstring(str(markup))  # noqa: S314 (our own output, not outside input)
    for element in root.iter():
        element.tag = element.tag.removeprefix(SVG_NS)
    return root


def chart_svg(figure: ET.Element) -> ET.Element:
    svg = figure.find("svg")
    assert svg is not None, "no chart drawn"
    return svg


def group(svg: ET.Element, name: str) -> ET.Element:
    found = svg.find(f"g[@class='chart-{name}']")
    assert found is not None, f"no {name} group"
    return found


def bars(figure: ET.Element) -> list[ET.Element]:
    return group(chart_svg(figure), "bars").findall("rect")


def box(rect: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(rect.get(name)) for name in ("x", "y", "width", "height"))


def bar_name(rect: ET.Element) -> str:
    return rect.findtext("title")


def texts(svg: ET.Element, name: str) -> list[str]:
    return [t.text for t in group(svg, name).findall("text")]


def simple(values: list[int], **overrides) -> ET.Element:
    options = {
        "chart_id": "hires",
        "title": "Tillsatta per månad",
        "description": "Tillsatta genom uppdrag per månad 2025",
        "categories": [f"m{i}" for i in range(1, len(values) + 1)],
        "series": [Series("Tillsatta", values)],
    }
    return parse(bar_chart(**{**options, **overrides}))


ACTIVITY = {
    "chart_id": "activity",
    "title": "Kontakthändelser per vecka",
    "description": "Kontakthändelser per vecka",
    "categories": ["v. 1", "v. 2", "v. 3"],
    "series": [Series("Samtal", [3, 0, 5]), Series("Möte", [1, 2, 0]), Series("Besök", [2, 0, 0])],
}


def test_the_svg_is_an_image_named_by_its_title_and_desc():
    figure = simple([4, 2])
    svg = chart_svg(figure)

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "hires-title hires-desc"
    title, desc = svg.find("title"), svg.find("desc")
    assert title.get("id") == "hires-title"
    assert title.text == "Tillsatta per månad"
    assert desc.get("id") == "hires-desc"
    assert desc.text.startswith("Tillsatta genom uppdrag per månad 2025.")
    assert figure.get("class") == "chart"
    assert figure.find("figcaption/span").text == "Tillsatta per månad"


def test_the_desc_states_the_total_and_the_largest_category():
    desc = chart_svg(parse(bar_chart(**ACTIVITY))).findtext("desc")

    assert "Totalt 13" in desc
    assert "flest v. 1 med 6" in desc
    assert "Samtal 8, Möte 3, Besök 2" in desc


def test_nothing_inside_the_svg_is_focusable_and_the_drawing_is_hidden():
    svg = chart_svg(parse(bar_chart(**ACTIVITY)))

    assert not [e for e in svg.iter() if e.tag == "a" or e.get("tabindex") is not None]
    assert svg.get("focusable") == "false"
    drawn = svg.findall("g")
    assert {g.get("class") for g in drawn} >= {"chart-grid", "chart-bars", "chart-categories"}
    assert all(g.get("aria-hidden") == "true" for g in drawn)


def test_one_rect_per_value_that_is_not_zero():
    rects = bars(parse(bar_chart(**ACTIVITY)))

    assert sorted(bar_name(r) for r in rects) == sorted(
        ["v. 1, Samtal: 3", "v. 3, Samtal: 5", "v. 1, Möte: 1", "v. 2, Möte: 2", "v. 1, Besök: 2"]
    )


def test_bar_heights_are_proportional_to_the_values():
    figure = simple([4, 1, 10, 7])
    rects = bars(figure)

    heights = [box(r)[3] for r in rects]
    assert len(heights) == 4
    unit = heights[1]
    assert unit > 0
    assert heights == pytest.approx([4 * unit, unit, 10 * unit, 7 * unit], abs=0.02)
    # Measured against the axis: the bar of 10 reaches the gridline labelled 10.
    grid = group(chart_svg(figure), "grid").findall("text")
    tick_y = {int(t.text): float(t.get("y")) for t in grid}
    assert box(rects[2])[1] == pytest.approx(tick_y[10], abs=0.02)
    assert box(rects[2])[1] + heights[2] == pytest.approx(tick_y[0], abs=0.02)
    # On one baseline: each bar ends where the axis is.
    assert {round(box(r)[1] + box(r)[3], 1) for r in rects} == {
        round(box(rects[0])[1] + heights[0], 1)
    }


def test_stacked_bars_pile_up_to_the_category_total():
    figure = parse(bar_chart(**ACTIVITY))
    rects = bars(figure)
    first_week = [r for r in rects if bar_name(r).startswith("v. 1,")]
    third_week = [r for r in rects if bar_name(r).startswith("v. 3,")]

    # Samtal at the bottom, then Möte, then Besök, each resting on the one below.
    segments = [box(r) for r in first_week]
    for lower, upper in pairwise(segments):
        assert upper[1] + upper[3] == pytest.approx(lower[1], abs=0.02)
        assert upper[0] == lower[0]
    stack_height = sum(h for _, _, _, h in segments)
    assert stack_height == pytest.approx(6 / 5 * box(third_week[0])[3], abs=0.05)
    assert texts(chart_svg(figure), "values") == ["6", "2", "5"]


def test_grouped_bars_stand_side_by_side_on_the_axis():
    rects = bars(parse(bar_chart(**ACTIVITY, stacked=False)))
    first_week = [box(r) for r in rects if bar_name(r).startswith("v. 1,")]

    assert len(first_week) == 3
    bottoms = {round(y + h, 1) for _, y, _, h in first_week}
    assert len(bottoms) == 1
    xs = [x for x, _, _, _ in first_week]
    assert xs == sorted(xs)
    assert len(set(xs)) == 3
    # Grouped, the tallest single bar sets the scale: Samtal's 5 in week 3.
    heights = {bar_name(r): box(r)[3] for r in rects}
    assert heights["v. 1, Samtal: 3"] == pytest.approx(3 / 5 * heights["v. 3, Samtal: 5"], abs=0.02)


@pytest.mark.parametrize(
    ("peak", "expected"),
    [
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (23, [0, 5, 10, 15, 20, 25]),
        (100, [0, 20, 40, 60, 80, 100]),
        (101, [0, 50, 100, 150]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_ticks_are_round_steps_that_reach_the_largest_value(peak, expected):
    assert nice_ticks(peak) == expected


def test_the_axis_labels_reach_above_the_tallest_bar():
    figure = parse(bar_chart(**ACTIVITY))
    svg = chart_svg(figure)
    ticks = [int(t) for t in texts(svg, "grid")]

    assert ticks[0] == 0
    assert ticks[-1] >= 6
    steps = {b - a for a, b in pairwise(ticks)}
    assert len(steps) == 1
    assert steps.pop() in (1, 2, 5, 10, 20, 50)
    top_tick_y = float(group(svg, "grid").findall("text")[-1].get("y"))
    tallest_top = min(box(r)[1] for r in bars(figure))
    assert tallest_top >= top_tick_y


def test_fifty_three_weeks_keep_every_bar_but_thin_out_their_labels():
    values = [(week * 7) % 11 + 1 for week in range(53)]
    figure = simple(values, categories=WEEKS)
    svg = chart_svg(figure)

    assert len(bars(figure)) == 53
    labels = group(svg, "categories").findall("text")
    assert 5 <= len(labels) < 53
    assert labels[0].text == "v. 1"
    shown = [int(label.text.removeprefix("v. ")) for label in labels]
    step = shown[1] - shown[0]
    assert shown == list(range(1, 54, step))
    # Centres further apart than the widest label is long (at 0.6 em a character), so none
    # overlaps its neighbour.
    font_size = float(svg.get("font-size"))
    widest = max(len(label.text) for label in labels) * font_size * 0.6
    centres = [float(label.get("x")) for label in labels]
    assert min(b - a for a, b in pairwise(centres)) > widest


def test_a_few_categories_are_all_labelled():
    labels = texts(chart_svg(simple([1, 2, 3])), "categories")

    assert labels == ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("categories", "series"),
    [
        (["v. 1", "v. 2"], [Series("Samtal", [0, 0]), Series("Möte", [0, 0])]),
        ([], [Series("Samtal", [])]),
        (["v. 1"], []),
    ],
)
def test_no_data_says_so_in_words_and_draws_no_bars(categories, series):
    figure = parse(
        bar_chart(
            chart_id="empty",
            title="Kontakthändelser per vecka",
            description="Kontakthändelser",
            categories=categories,
            series=series,
            table_id="empty-table",
        )
    )

    assert "chart-empty" in figure.get("class")
    assert figure.findtext("figcaption/span") == "Kontakthändelser per vecka"
    assert figure.findtext("p") == "Inga uppgifter för perioden."
    assert figure.find("svg") is None
    assert not [e for e in figure.iter() if e.tag == "rect"]


def test_every_text_is_escaped():
    nasty = '<script>alert("x")</script> & "quotes" \'too\''
    markup = bar_chart(
        chart_id="nasty",
        title=nasty,
        description=nasty,
        categories=[nasty, "b"],
        series=[Series(nasty, [1, 2]), Series("Möte", [1, 0])],
        table_id="nasty-table",
    )

    assert "<script" not in markup
    figure = parse(markup)  # well-formed, so nothing broke out of its attribute or element
    svg = chart_svg(figure)
    assert svg.findtext("title") == nasty
    assert svg.findtext("desc").startswith(nasty)
    assert bar_name(bars(figure)[0]) == f"{nasty}, {nasty}: 1"
    legend = [li.itertext() for li in figure.find("ul").findall("li")]
    assert "".join(legend[0]).strip() == nasty


def test_a_chart_id_that_would_break_the_references_is_refused():
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart(
            chart_id='x" onload="alert(1)',
            title="t",
            description="d",
            categories=["a"],
            series=[Series("s", [1])],
        )


def test_values_must_match_the_categories_and_count_things():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        simple([1, 2], categories=["a", "b", "c"])
    with pytest.raises(ValueError, match="negative"):
        simple([1, -2])
    with pytest.raises(ValueError, match="at most 8"):
        simple([1], series=[Series(f"s{i}", [1]) for i in range(9)], categories=["a"])


def test_horizontal_bars_start_at_one_axis_with_their_names_on_the_left():
    statuses = ["Ny förfrågan", "Pågående rekrytering", "Avslutat utan tillsättning", "Pausad"]
    figure = simple([12, 34, 3, 0], categories=statuses, horizontal=True)
    svg = chart_svg(figure)
    rects = bars(figure)

    assert [bar_name(r) for r in rects] == [
        "Ny förfrågan, Tillsatta: 12",
        "Pågående rekrytering, Tillsatta: 34",
        "Avslutat utan tillsättning, Tillsatta: 3",
    ]
    boxes = [box(r) for r in rects]
    assert len({x for x, _, _, _ in boxes}) == 1
    assert len({h for _, _, _, h in boxes}) == 1
    assert [y for _, y, _, _ in boxes] == sorted(y for _, y, _, _ in boxes)
    widths = [w for _, _, w, _ in boxes]
    assert widths[0] == pytest.approx(12 / 34 * widths[1], abs=0.02)
    assert widths[2] == pytest.approx(3 / 34 * widths[1], abs=0.02)
    # Measured against the axis: 34 of 40 of the way from the tick 0 to the tick 40.
    tick_x = {int(t.text): float(t.get("x")) for t in group(svg, "grid").findall("text")}
    assert max(tick_x) == 40
    assert boxes[0][0] == pytest.approx(tick_x[0], abs=0.02)
    assert widths[1] == pytest.approx(34 / 40 * (tick_x[40] - tick_x[0]), abs=0.02)
    names = group(svg, "categories").findall("text")
    assert [n.text for n in names] == statuses
    assert all(n.get("text-anchor") == "end" and float(n.get("x")) <= boxes[0][0] for n in names)
    # Taller with more categories, always as wide: the rows keep their height.
    _, _, width, height = (float(v) for v in svg.get("viewBox").split())
    _, _, width2, height2 = (
        float(v) for v in chart_svg(simple([1] * 8, horizontal=True)).get("viewBox").split()
    )
    assert width == width2
    assert height2 > height
    # The value read off at each bar's end, a zero too.
    assert texts(svg, "values") == ["12", "34", "3", "0"]


def test_several_series_get_a_legend_with_the_same_fills_as_the_bars():
    series = [Series(f"Form {i}", [i + 1, 1]) for i in range(8)]
    figure = simple([], categories=["jan", "feb"], series=series)
    svg = chart_svg(figure)
    patterns = {p.get("id"): p for p in svg.find("defs").findall("pattern")}

    def look(pattern: ET.Element) -> str:
        return ET.tostring(pattern, encoding="unicode").replace(pattern.get("id"), "")

    bar_fills = {bar_name(r).split(": ")[0].split(", ")[1]: r.get("fill") for r in bars(figure)}
    legend = figure.find("ul")
    assert legend.get("class") == "chart-legend"
    items = legend.findall("li")
    assert ["".join(li.itertext()).strip() for li in items] == [s.label for s in series]
    looks = []
    for item, s in zip(items, series, strict=True):
        swatch = item.find("svg")
        assert swatch.get("aria-hidden") == "true"
        bar_pattern = patterns[bar_fills[s.label].removeprefix("url(#").removesuffix(")")]
        assert look(swatch.find("defs/pattern")) == look(bar_pattern)
        looks.append(look(bar_pattern))
    # Eight different fills, and different apart from their colour too (for a grey print).
    assert len(set(looks)) == 8
    colourless = {
        "".join(ET.tostring(child, encoding="unicode") for child in list(patterns[p])[1:])
        + (patterns[p].get("patternTransform") or "")
        for p in patterns
    }
    assert len(colourless) == 8


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_bars_and_text_have_enough_contrast_against_white():
    series = [Series(f"Form {i}", [1]) for i in range(8)]
    svg = chart_svg(simple([], categories=["jan"], series=series))

    bar_colours = [p.find("rect").get("fill") for p in svg.find("defs").findall("pattern")]
    assert len(bar_colours) == 8
    assert all(contrast_with_white(c) >= 3 for c in bar_colours), bar_colours
    assert contrast_with_white(svg.get("fill")) >= 4.5
    texts_filled = [t.get("fill") for t in svg.iter("text") if t.get("fill")]
    assert all(contrast_with_white(c) >= 4.5 for c in texts_filled)


def test_one_series_needs_no_legend():
    assert simple([1, 2]).find("ul") is None


def test_the_table_link_points_at_the_table_when_there_is_one():
    with_table = simple([1, 2], table_id="hires-table")
    without = simple([1, 2])

    link = with_table.find("figcaption/a")
    assert link.get("href") == "#hires-table"
    assert link.text == "Siffrorna i tabellform"
    assert without.find("figcaption/a") is None


def test_the_same_data_draws_the_same_chart():
    assert bar_chart(**ACTIVITY) == bar_chart(**ACTIVITY)


def test_value_labels_are_left_out_where_they_do_not_fit():
    # Four-digit totals in 53 narrow columns: wider than a column, so no labels at all.
    values = [1000 + week for week in range(53)]
    figure = simple(values, categories=WEEKS)

    assert len(bars(figure)) == 53
    assert texts(chart_svg(figure), "values") == []
    assert texts(chart_svg(simple([1000, 2000])), "values") == ["1000", "2000"]


def test_a_name_too_long_for_the_left_column_is_cut_short_but_kept_in_the_bar_title():
    long_name = "Avslutat utan tillsättning eftersom arbetsgivaren drog tillbaka sin förfrågan"
    figure = simple([2, 5], categories=[long_name, "Tillsatt"], horizontal=True)

    shown = texts(chart_svg(figure), "categories")
    assert shown[0].endswith("…")
    assert long_name.startswith(shown[0].removesuffix("…"))
    assert len(shown[0]) < len(long_name)
    assert shown[1] == "Tillsatt"
    assert bar_name(bars(figure)[0]) == f"{long_name}, Tillsatta: 2"
