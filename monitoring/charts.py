"""Charts rendered on the server as SVG markup: no JavaScript, the same picture in the
browser and in the kwartaalmonitor PDF (WeasyPrint).

Pure functions of their input. Each returns a ``SafeString`` holding one ``<svg>``
with ``role="img"``, a ``<title>`` and ``<desc>`` (its accessible name and
summary), and text labels with the numbers, so nothing is told by colour alone.
Every text that goes in is escaped. Colours are SVG attributes (not CSS), so they
survive where the site's stylesheet is absent; the site may still restyle them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The Amsterdam Design System's data colours, in series order (contrast >= 3:1 on white).
SERIES_COLOURS = ("#004699", "#a00078", "#00a03c", "#d48400", "#767676", "#e50082")
OVER_COLOUR = "#ec0000"
TEXT_COLOUR = "#000000"
GRID_COLOUR = "#cccccc"
FONT = "Amsterdam Sans, Arial, sans-serif"
FONT_SIZE = 12
# The widest label column a capacity chart gives its names; longer names are shortened.
MAX_LABEL_WIDTH = 240
# Advance widths in em, rounded up from DejaVu Sans Bold, the widest of the fonts a chart
# may end up in (the PDF has no Amsterdam Sans or Arial): so a label measured here fits.
_NARROW = frozenset("iIjl.,:;'!|()[] ")
_WIDE = frozenset("mwMW%@")


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """How wide ``text`` is drawn, at most, in pixels: for laying labels out so that
    none is clipped at the edge of the chart."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.42
        elif char in _WIDE:
            em += 1.05
        elif char.isupper() or char.isdigit():
            em += 0.8
        else:
            em += 0.72
    return em * size


def fit_text(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis until it is at most ``width`` pixels wide."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar against its own capacity (a regisseur's caseload and maximum)."""

    label: str
    value: int | str  # a suppressed count ('<5', docs/rules.md R-MON-4) draws no bar
    capacity: int

    @property
    def over(self) -> bool:
        return isinstance(self.value, int) and self.value > self.capacity

    @property
    def length(self) -> int:
        return self.value if isinstance(self.value, int) else 0


@dataclasses.dataclass(frozen=True)
class Series:
    """A named row of values, one per category."""

    name: str
    values: Sequence[int]


def _svg(
    *, width: int, height: int, title: str, desc: str, body: list[str], css_class: str
) -> SafeString:
    # Ids from the content: the same input gives the same markup, and charts differ on a page.
    uid = hashlib.sha256(f"{title}|{desc}|{len(body)}".encode()).hexdigest()[:10]
    return mark_safe(  # noqa: S308  (every text in body and here is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ipgar-chart {css_class}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc" font-family="{FONT}" '
        f'font-size="12">'
        f'<title id="chart-{uid}-title">{escape(title)}</title>'
        f'<desc id="chart-{uid}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {key.replace("_", "-")}="{escape(value)}"' for key, value in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{TEXT_COLOUR}"{extra}>'
        f"{escape(str(text))}</text>"
    )


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (at least 1)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value <= step * 5:
            return max(step * -(-value // step), step)
    return value


def bar_chart_with_capacity(
    *,
    title: str,
    bars: Sequence[Bar],
    value_label: str,
    capacity_label: str,
    over_label: str,
    desc: str = "",
) -> SafeString:
    """Horizontal bars (e.g. cases per regisseur) each with a dashed capacity mark;
    a bar above its capacity is drawn in red and labelled ``over_label``."""
    bar_height, gap, top, plot_width = 18, 10, 28, 360
    labels = [fit_text(bar.label, MAX_LABEL_WIDTH) for bar in bars]
    label_width = max([text_width(label) for label in labels] + [60]) + 12
    notes = [
        f"{bar.value} / {bar.capacity}" + (f" – {over_label}" if bar.over else "") for bar in bars
    ]
    right = max([text_width(note) for note in notes] + [0]) + 12
    legend_end = label_width + 164 + text_width(capacity_label) + 8
    height = top + len(bars) * (bar_height + gap) + 30
    width = round(max(label_width + plot_width + right, legend_end))
    scale_max = _nice_max(max([*(b.length for b in bars), *(b.capacity for b in bars), 1]))
    unit = plot_width / scale_max
    body = [
        f'<rect x="{label_width + 4:.1f}" y="6" width="12" height="12" '
        f'fill="{SERIES_COLOURS[0]}"/>',
        _text(label_width + 20, 16, value_label),
        f'<line x1="{label_width + 140:.1f}" y1="12" x2="{label_width + 160:.1f}" y2="12" '
        f'stroke="{TEXT_COLOUR}" stroke-width="2" stroke-dasharray="4 3"/>',
        _text(label_width + 164, 16, capacity_label),
    ]
    for tick in range(0, scale_max + 1, max(scale_max // 4, 1)):
        x = label_width + tick * unit
        body.append(
            f'<line class="chart-grid" x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
            f'y2="{height - 26}" stroke="{GRID_COLOUR}"/>'
        )
        body.append(_text(x, height - 10, tick, anchor="middle"))
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        colour = OVER_COLOUR if bar.over else SERIES_COLOURS[0]
        body.append(_text(label_width - 8, y + 13, labels[index], anchor="end"))
        body.append(
            f'<rect class="chart-bar{" chart-bar--over" if bar.over else ""}" '
            f'x="{label_width:.1f}" y="{y}" width="{bar.length * unit:.1f}" '
            f'height="{bar_height}" fill="{colour}"/>'
        )
        cap_x = label_width + bar.capacity * unit
        body.append(
            f'<line class="chart-capacity" x1="{cap_x:.1f}" y1="{y - 3}" x2="{cap_x:.1f}" '
            f'y2="{y + bar_height + 3}" stroke="{TEXT_COLOUR}" stroke-width="2" '
            f'stroke-dasharray="4 3"/>'
        )
        body.append(
            _text(
                label_width + max(bar.length, bar.capacity) * unit + 6,
                y + 13,
                notes[index],
                font_weight="bold" if bar.over else "normal",
            )
        )
    return _svg(
        width=width,
        height=height,
        title=title,
        desc=desc or _bars_desc(bars, over_label),
        body=body,
        css_class="ipgar-chart--capacity",
    )


def _bars_desc(bars: Sequence[Bar], over_label: str) -> str:
    return "; ".join(
        f"{b.label}: {b.value} / {b.capacity}" + (f" ({over_label})" if b.over else "")
        for b in bars
    )


def _series_desc(categories: Sequence[str], series: Sequence[Series]) -> str:
    return "; ".join(
        f"{category}: "
        + ", ".join(f"{s.name} {s.values[i] if i < len(s.values) else 0}" for s in series)
        for i, category in enumerate(categories)
    )


def _legend(series: Sequence[Series], *, x: int, y: int) -> list[str]:
    body: list[str] = []
    offset = 0
    for index, item in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        body.append(f'<rect x="{x + offset}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + offset + 16, y, item.name))
        offset += 28 + round(text_width(item.name))
    return body


def _legend_width(series: Sequence[Series]) -> float:
    return sum(28 + round(text_width(item.name)) for item in series)


def _columns(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool,
    desc: str,
    css_class: str,
) -> SafeString:
    left, top, bottom, plot_height = 40, 34, 40, 200
    group_width = max(
        48,
        26 * (1 if stacked else len(series)) + 20,
        round(max([text_width(category) for category in categories] + [0])) + 24,
    )
    width = round(
        max(left + group_width * len(categories) + 20, 320, left + _legend_width(series) + 10)
    )
    height = top + plot_height + bottom
    if stacked:
        peak = max([sum(s.values[i] for s in series) for i in range(len(categories))] or [0])
    else:
        peak = max([v for s in series for v in s.values] or [0])
    scale_max = _nice_max(peak)
    unit = plot_height / scale_max
    base = top + plot_height
    body = _legend(series, x=left, y=16)
    for tick in range(0, scale_max + 1, max(scale_max // 4, 1)):
        y = base - tick * unit
        body.append(
            f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{width - 10}" '
            f'y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
        )
        body.append(_text(left - 6, y + 4, tick, anchor="end"))
    bar_width = 22 if stacked else max(8, (group_width - 20) // max(len(series), 1))
    for i, category in enumerate(categories):
        x0 = left + i * group_width + 10
        stack = 0
        for j, item in enumerate(series):
            value = item.values[i] if i < len(item.values) else 0
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            h = value * unit
            if stacked:
                x, y = x0, base - (stack + value) * unit
                stack += value
            else:
                x, y = x0 + j * bar_width, base - h
            if value:
                body.append(
                    f'<rect class="chart-series-{j}" x="{x:.1f}" y="{y:.1f}" '
                    f'width="{bar_width - 2}" height="{h:.1f}" fill="{colour}"/>'
                )
                if not stacked:
                    body.append(_text(x + (bar_width - 2) / 2, y - 3, value, anchor="middle"))
        if stacked and stack:
            body.append(_text(x0 + 10, base - stack * unit - 3, stack, anchor="middle"))
        body.append(_text(x0 + (group_width - 20) / 2, base + 16, category, anchor="middle"))
    body.append(
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" '
        f'stroke="{TEXT_COLOUR}"/>'
    )
    return _svg(
        width=width,
        height=height,
        title=title,
        desc=desc or _series_desc(categories, series),
        body=body,
        css_class=css_class,
    )


def grouped_bar_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], desc: str = ""
) -> SafeString:
    """Bars side by side per category (e.g. inflow and outflow per quarter), each labelled."""
    return _columns(
        title=title,
        categories=categories,
        series=series,
        stacked=False,
        desc=desc,
        css_class="ipgar-chart--grouped",
    )


def stacked_bar_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], desc: str = ""
) -> SafeString:
    """One column per category made of the series' parts (e.g. outflow by exit ground);
    the total is written above each column, the parts are in ``desc`` and the legend."""
    return _columns(
        title=title,
        categories=categories,
        series=series,
        stacked=True,
        desc=desc,
        css_class="ipgar-chart--stacked",
    )


def line_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], desc: str = ""
) -> SafeString:
    """One line per series over the categories (e.g. open cases per quarter), points labelled."""
    left, top, bottom, plot_height = 40, 34, 40, 200
    step = max(70, round(max([text_width(category) for category in categories] + [0])) + 10)
    last_half = text_width(categories[-1]) / 2 if categories else 0
    width = round(
        max(
            left + 20 + step * max(len(categories) - 1, 1) + max(40, last_half + 10),
            320,
            left + _legend_width(series) + 10,
        )
    )
    height = top + plot_height + bottom
    scale_max = _nice_max(max([v for s in series for v in s.values] or [0]))
    unit = plot_height / scale_max
    base = top + plot_height
    body = _legend(series, x=left, y=16)
    for tick in range(0, scale_max + 1, max(scale_max // 4, 1)):
        y = base - tick * unit
        body.append(
            f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{width - 10}" '
            f'y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
        )
        body.append(_text(left - 6, y + 4, tick, anchor="end"))
    for i, category in enumerate(categories):
        body.append(_text(left + 20 + i * step, base + 16, category, anchor="middle"))
    for j, item in enumerate(series):
        colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
        points = [
            (left + 20 + i * step, base - value * unit) for i, value in enumerate(item.values)
        ]
        if points:
            path = " ".join(
                f"{'M' if k == 0 else 'L'}{x:.1f} {y:.1f}" for k, (x, y) in enumerate(points)
            )
            body.append(
                f'<path class="chart-line" d="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"/>'
            )
        for (x, y), value in zip(points, item.values, strict=False):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            body.append(_text(x, y - 7, value, anchor="middle"))
    body.append(
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" '
        f'stroke="{TEXT_COLOUR}"/>'
    )
    return _svg(
        width=width,
        height=height,
        title=title,
        desc=desc or _series_desc(categories, series),
        body=body,
        css_class="ipgar-chart--line",
    )
