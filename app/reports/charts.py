"""Bar charts for the reports, drawn on the server as accessible SVG: they print, need no
JavaScript, and say in words (title, a text alternative) what the bars show; the numbers
themselves stand in a table beside the chart.

Series are told apart by pattern as well as colour, so a black-and-white print still
reads; every colour has at least 3:1 contrast against the white the chart is drawn on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.i18n import gettext as _

MAX_SERIES = 8

# The drawing's own coordinates; CSS scales it to the width it is given (static/reports.css).
WIDTH = 640
HEIGHT = 320
FONT_SIZE = 13
VALUE_FONT_SIZE = 12
# A generous estimate of one character's width: labels are spaced by it, and overestimating
# only thins them more, whereas underestimating would let them overlap.
CHAR_WIDTH = 0.62
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#595959"
GRID_COLOUR = "#d9d9d9"
GAP_COLOUR = "#ffffff"

# Dark enough for 3:1 against white (4.8:1 at the least), distinct in hue, and each with its
# own pattern of white marks: the first is solid, the others hatched, dotted or ruled.
PALETTE = (
    "#1f5fa8",  # blue, solid
    "#b35900",  # orange, diagonal stripes
    "#2e7d32",  # green, dots
    "#7b3294",  # purple, horizontal stripes
    "#c62828",  # red, opposite diagonal stripes
    "#00796b",  # teal, cross-hatch
    "#5d4037",  # brown, vertical stripes
    "#455a64",  # slate, grid
)
PATTERNS = (
    "solid",
    "diagonal",
    "dots",
    "horizontal",
    "antidiagonal",
    "crosshatch",
    "vertical",
    "grid",
)

VERTICAL_LABEL_CHARS = 16
HORIZONTAL_LABEL_SHARE = 0.4
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Series:
    label: str  # already translated, e.g. "Samtal"
    values: list[int]  # one value per category


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    table_id: str | None = None,
    horizontal: bool = False,
    stacked: bool = True,
) -> Markup:
    """A `<figure class="chart">`: caption, SVG bars and, for several series, a legend.

    `description` begins the SVG's text alternative; the rest (total, largest category,
    totals per series) is composed from the data. With nothing to show, the figure says so
    in words instead of drawing empty axes.
    """
    _check(chart_id, categories, series)
    # No categories or no series leave no values at all, which is all zero too.
    if all(v == 0 for s in series for v in s.values):
        return _trusted(
            '<figure class="chart chart-empty">'
            f"{_caption(title, None)}"
            f'<p class="chart-empty-text">{escape(_("Inga uppgifter för perioden."))}</p>'
            "</figure>"
        )
    layout = _Horizontal if horizontal else _Vertical
    drawing = layout(chart_id, categories, series, stacked=stacked or len(series) == 1).draw()
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"'
        f' viewBox="0 0 {_n(drawing.width)} {_n(drawing.height)}"'
        f' role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"'
        f' focusable="false" font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial,'
        f' sans-serif" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">'
        f"{escape(_text_alternative(description, categories, series))}</desc>"
        f'<defs aria-hidden="true">'
        f"{''.join(_pattern(f'{chart_id}-fill-{i}', i) for i in range(len(series)))}</defs>"
        f"{drawing.body}"
        "</svg>"
    )
    caption = _caption(title, table_id)
    return _trusted(f'<figure class="chart">{caption}{svg}{_legend(chart_id, series)}</figure>')


def _trusted(html: str) -> Markup:
    # Built here from fixed markup and numbers; every outside text went through escape().
    return Markup(html)  # noqa: S704


def _check(chart_id: str, categories: list[str], series: list[Series]) -> None:
    # The id goes into other ids and url() references: a stray character would break them.
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id {chart_id!r} is not a plain HTML id")
    if len(series) > MAX_SERIES:
        raise ValueError(f"at most {MAX_SERIES} series can be told apart, got {len(series)}")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values for {len(categories)} categories"
            )
        if any(v < 0 for v in s.values):
            raise ValueError(f"series {s.label!r} has a negative value: bars count things")


def _caption(title: str, table_id: str | None) -> str:
    link = (
        f' <a class="chart-table-link" href="#{escape(table_id)}">'
        f"{escape(_('Siffrorna i tabellform'))}</a>"
        if table_id
        else ""
    )
    return f'<figcaption><span class="chart-title">{escape(title)}</span>{link}</figcaption>'


def _text_alternative(description: str, categories: list[str], series: list[Series]) -> str:
    totals = _totals(categories, series)
    peak = max(range(len(categories)), key=lambda i: totals[i])  # the first of equals
    sentences = [description.strip()] if description.strip() else []
    if sentences and sentences[0][-1] not in ".!?:":
        sentences[0] += "."
    sentences.append(
        _(
            "Totalt %(total)s, flest %(category)s med %(value)s.",
            total=sum(totals),
            category=categories[peak],
            value=totals[peak],
        )
    )
    if len(series) > 1:
        parts = ", ".join(f"{s.label} {sum(s.values)}" for s in series)
        sentences.append(_("Per serie: %(parts)s.", parts=parts))
    return " ".join(sentences)


def _totals(categories: list[str], series: list[Series]) -> list[int]:
    return [sum(s.values[i] for s in series) for i in range(len(categories))]


def nice_ticks(peak: int) -> list[int]:
    """Round axis steps (1, 2, 5 times a power of ten) from 0 to at least `peak`, at most
    five steps, so the gridlines fall on numbers a reader can count with."""
    if peak <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(peak / step) <= 5:
                return list(range(0, step * math.ceil(peak / step) + 1, step))
        magnitude *= 10


def _n(x: float) -> str:
    """A coordinate, short and the same on every run."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text_width(text: str, font_size: float = FONT_SIZE) -> float:
    return len(text) * font_size * CHAR_WIDTH


def _truncate(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)].rstrip() + "…"


def _pattern(pattern_id: str, index: int) -> str:
    """A tile of the series colour with white marks; the first series is plain colour."""
    colour = PALETTE[index]
    kind = PATTERNS[index]
    marks = {
        "solid": "",
        "diagonal": '<rect width="2.5" height="8" fill="#fff"/>',
        "antidiagonal": '<rect width="2.5" height="8" fill="#fff"/>',
        "vertical": '<rect width="2.5" height="8" fill="#fff"/>',
        "horizontal": '<rect width="8" height="2.5" fill="#fff"/>',
        "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
        "crosshatch": '<rect width="1.5" height="8" fill="#fff"/><rect width="8" height="1.5"'
        ' fill="#fff"/>',
        "grid": '<rect width="1.5" height="8" fill="#fff"/><rect width="8" height="1.5"'
        ' fill="#fff"/>',
    }[kind]
    rotation = {"diagonal": 45, "antidiagonal": -45, "crosshatch": 45}.get(kind)
    transform = f' patternTransform="rotate({rotation})"' if rotation else ""
    return (
        f'<pattern id="{escape(pattern_id)}" width="8" height="8" patternUnits="userSpaceOnUse"'
        f'{transform}><rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
    )


def _legend(chart_id: str, series: list[Series]) -> str:
    if len(series) < 2:
        return ""
    items = []
    for i, s in enumerate(series):
        swatch_id = f"{chart_id}-swatch-{i}"
        items.append(
            '<li><svg xmlns="http://www.w3.org/2000/svg" class="chart-swatch" viewBox="0 0 16 16"'
            ' width="16" height="16" aria-hidden="true" focusable="false">'
            f"<defs>{_pattern(swatch_id, i)}</defs>"
            f'<rect width="16" height="16" fill="url(#{escape(swatch_id)})"/></svg>'
            f" {escape(s.label)}</li>"
        )
    return f'<ul class="chart-legend">{"".join(items)}</ul>'


@dataclass(frozen=True)
class _Drawing:
    width: float
    height: float
    body: str


class _Layout:
    """What both orientations share: the scale, and one rect per non-zero value."""

    def __init__(
        self, chart_id: str, categories: list[str], series: list[Series], *, stacked: bool
    ) -> None:
        self.chart_id = chart_id
        self.categories = categories
        self.series = series
        self.stacked = stacked
        self.totals = _totals(categories, series)
        peak = max(self.totals) if stacked else max(max(s.values) for s in series)
        self.ticks = nice_ticks(peak)
        self.axis_max = self.ticks[-1]

    def _rect(self, x: float, y: float, w: float, h: float, i: int, j: int, value: int) -> str:
        s = self.series[j]
        # White edges part the segments of a stack and neighbouring bars of a group, so
        # they never rest on colour against colour alone.
        edge = f' stroke="{GAP_COLOUR}" stroke-width="1"' if len(self.series) > 1 else ""
        tooltip = escape(f"{self.categories[i]}, {s.label}: {value}")
        return (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
            f' fill="url(#{escape(self.chart_id)}-fill-{j})"{edge}><title>{tooltip}</title></rect>'
        )


def _text(x: float, y: float, text: str, *, anchor: str, extra: str = "") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


class _Vertical(_Layout):
    """Columns over categories along the bottom, e.g. weeks or months."""

    def draw(self) -> _Drawing:
        labels = [_truncate(c, VERTICAL_LABEL_CHARS) for c in self.categories]
        label_width = max(_text_width(label) for label in labels)
        left = math.ceil(_text_width(str(self.axis_max))) + 12
        right = max(8, math.ceil(label_width / 2))
        top, bottom = 22, 30
        plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
        base = top + plot_h
        slot = plot_w / len(self.categories)
        scale = plot_h / self.axis_max
        # Show every n-th category's name so that none overlaps; every bar stays.
        every = max(1, math.ceil((label_width + 8) / slot))

        grid = []
        for tick in self.ticks:
            y = base - tick * scale
            if tick:
                grid.append(
                    f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(WIDTH - right)}" y2="{_n(y)}"'
                    f' stroke="{GRID_COLOUR}" stroke-width="1"/>'
                )
            grid.append(_text(left - 6, y, str(tick), anchor="end", extra=' dy="0.35em"'))

        bars, values, names = [], [], []
        for i in range(len(self.categories)):
            x0 = left + i * slot
            if self.stacked:
                bar_w = slot * 0.7
                x = x0 + (slot - bar_w) / 2
                stacked_h = 0.0
                for j, s in enumerate(self.series):
                    value = s.values[i]
                    if value:
                        h = value * scale
                        bars.append(self._rect(x, base - stacked_h - h, bar_w, h, i, j, value))
                        stacked_h += h
                total = self.totals[i]
                if total and _text_width(str(total), VALUE_FONT_SIZE) <= slot - 2:
                    values.append(
                        _text(x0 + slot / 2, base - total * scale - 4, str(total), anchor="middle")
                    )
            else:
                group_w = slot * 0.8
                bar_w = group_w / len(self.series)
                for j, s in enumerate(self.series):
                    value = s.values[i]
                    if not value:
                        continue
                    x = x0 + (slot - group_w) / 2 + j * bar_w
                    h = value * scale
                    bars.append(self._rect(x, base - h, bar_w, h, i, j, value))
                    if _text_width(str(value), VALUE_FONT_SIZE) <= bar_w + 2:
                        values.append(
                            _text(x + bar_w / 2, base - h - 4, str(value), anchor="middle")
                        )
            if i % every == 0:
                names.append(_text(x0 + slot / 2, base + 18, labels[i], anchor="middle"))

        axis = (
            f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(WIDTH - right)}" y2="{_n(base)}"'
            f' stroke="{AXIS_COLOUR}" stroke-width="1.5"/>'
        )
        return _Drawing(WIDTH, HEIGHT, _groups(grid, bars, values, names, axis))


class _Horizontal(_Layout):
    """Bars from a left-hand column of names: for long names such as statuses."""

    def draw(self) -> _Drawing:
        max_left = WIDTH * HORIZONTAL_LABEL_SHARE
        chars = int((max_left - 12) // (FONT_SIZE * CHAR_WIDTH))
        labels = [_truncate(c, chars) for c in self.categories]
        left = math.ceil(max(_text_width(label) for label in labels)) + 12
        right = math.ceil(_text_width(str(self.axis_max), VALUE_FONT_SIZE)) + 12
        multiple = not self.stacked
        row = max(30, 8 + 10 * len(self.series)) if multiple else 30
        thickness = (row - 8) / len(self.series) if multiple else 20
        top, bottom = 8, 28
        plot_w = WIDTH - left - right
        plot_h = row * len(self.categories)
        height = top + plot_h + bottom
        scale = plot_w / self.axis_max

        grid = []
        for tick in self.ticks:
            x = left + tick * scale
            if tick:
                grid.append(
                    f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(top + plot_h)}"'
                    f' stroke="{GRID_COLOUR}" stroke-width="1"/>'
                )
            grid.append(_text(x, top + plot_h + 18, str(tick), anchor="middle"))

        bars, values, names = [], [], []
        for i in range(len(self.categories)):
            y0 = top + i * row
            names.append(
                _text(left - 8, y0 + row / 2, labels[i], anchor="end", extra=' dy="0.35em"')
            )
            if self.stacked:
                y = y0 + (row - thickness) / 2
                stacked_w = 0.0
                for j, s in enumerate(self.series):
                    value = s.values[i]
                    if value:
                        w = value * scale
                        bars.append(self._rect(left + stacked_w, y, w, thickness, i, j, value))
                        stacked_w += w
                # Even a zero: a status with none in it is still worth reading off.
                total = str(self.totals[i])
                end = left + stacked_w + 4
                values.append(_text(end, y0 + row / 2, total, anchor="start", extra=' dy="0.35em"'))
            else:
                for j, s in enumerate(self.series):
                    value = s.values[i]
                    if not value:
                        continue
                    y = y0 + (row - thickness * len(self.series)) / 2 + j * thickness
                    w = value * scale
                    bars.append(self._rect(left, y, w, thickness, i, j, value))
                    if thickness + 4 >= VALUE_FONT_SIZE:
                        values.append(
                            _text(
                                left + w + 4,
                                y + thickness / 2,
                                str(value),
                                anchor="start",
                                extra=' dy="0.35em"',
                            )
                        )

        axis = (
            f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(top + plot_h)}"'
            f' stroke="{AXIS_COLOUR}" stroke-width="1.5"/>'
        )
        return _Drawing(WIDTH, height, _groups(grid, bars, values, names, axis))


def _groups(
    grid: Iterable[str], bars: Iterable[str], values: Iterable[str], names: Iterable[str], axis: str
) -> str:
    # Everything drawn is hidden from assistive technology: the title and desc speak for it.
    return (
        f'<g class="chart-grid" aria-hidden="true">{"".join(grid)}</g>'
        f'<g class="chart-bars" aria-hidden="true" shape-rendering="crispEdges">{"".join(bars)}</g>'
        f'<g class="chart-values" aria-hidden="true" font-size="{VALUE_FONT_SIZE}">'
        f"{''.join(values)}</g>"
        f'<g class="chart-categories" aria-hidden="true">{"".join(names)}</g>'
        f'<g class="chart-axis" aria-hidden="true">{axis}</g>'
    )
