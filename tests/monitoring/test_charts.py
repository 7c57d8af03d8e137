"""The server-rendered SVG charts: accessible, escaped, and true to their numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from monitoring.charts import (
    OVER_COLOUR,
    Bar,
    Series,
    bar_chart_with_capacity,
    grouped_bar_chart,
    line_chart,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314  (our own output)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def capacity_chart() -> str:
    return bar_chart_with_capacity(
        title="Caseload tegen capaciteit",
        bars=[Bar("OOV", 10, 12), Bar("OM", 7, 6)],
        value_label="casussen",
        capacity_label="maximum",
        over_label="over capaciteit",
    )


def test_a_chart_is_an_image_with_a_name_and_a_summary_for_screen_readers():
    root = parse(capacity_chart())
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Caseload tegen capaciteit"
    assert desc is not None and desc.text == "OOV: 10 / 12; OM: 7 / 6 (over capaciteit)"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_a_bar_over_its_capacity_is_red_and_says_so_in_text():
    root = parse(capacity_chart())
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    assert [r.get("fill") == OVER_COLOUR for r in bars] == [False, True]
    assert "7 / 6 – over capaciteit" in texts(root)
    assert "10 / 12" in texts(root)
    # One dashed capacity mark per bar.
    assert len([li for li in root.iter(f"{SVG}line") if li.get("class") == "chart-capacity"]) == 2


def test_text_is_escaped_so_a_name_cannot_inject_markup():
    markup = bar_chart_with_capacity(
        title="<script>alert(1)</script>",
        bars=[Bar('Jan "&" <b>Piet</b>', 1, 6)],
        value_label="a",
        capacity_label="b",
        over_label="c",
    )
    assert "<script>" not in markup and "<b>" not in markup
    root = parse(markup)  # still well-formed XML
    assert 'Jan "&" <b>Piet</b>' in texts(root)


def test_grouped_bars_label_every_value_per_category():
    root = parse(
        grouped_bar_chart(
            title="Instroom en uitstroom",
            categories=["2026 K1", "2026 K2"],
            series=[Series("instroom", [4, 2]), Series("uitstroom", [1, 3])],
        )
    )
    labels = texts(root)
    assert {"2026 K1", "2026 K2", "instroom", "uitstroom"} <= set(labels)
    assert {"4", "2", "1", "3"} <= set(labels)  # each bar carries its value
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == "2026 K1: instroom 4, uitstroom 1; 2026 K2: instroom 2, uitstroom 3"


def test_stacked_bars_show_the_total_of_each_column():
    markup = stacked_bar_chart(
        title="Uitstroom naar grond",
        categories=["K1", "K2"],
        series=[Series("verhuisd", [2, 0]), Series("warme overdracht", [3, 1])],
    )
    root = parse(markup)
    columns = [r for r in root.iter(f"{SVG}rect") if (r.get("class") or "").startswith("chart")]
    assert len(columns) == 3  # an empty part draws nothing
    assert "5" in texts(root) and "1" in texts(root)


def test_a_line_chart_draws_one_path_per_series_through_every_point():
    root = parse(
        line_chart(
            title="Lopende casussen",
            categories=["K1", "K2", "K3"],
            series=[Series("fase 2", [10, 12, 9])],
        )
    )
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 1
    assert len(re.findall(r"[ML]", paths[0].get("d") or "")) == 3
    assert {"10", "12", "9"} <= set(texts(root))


def test_the_same_input_gives_the_same_markup_and_different_charts_different_ids():
    assert capacity_chart() == capacity_chart()
    other = grouped_bar_chart(title="Ander", categories=["a"], series=[Series("s", [1])])
    ids = {parse(markup).find(f"{SVG}title").get("id") for markup in (capacity_chart(), other)}  # type: ignore[union-attr]
    assert len(ids) == 2


# DejaVu Sans Bold: the widest font a chart's text can end up in (the PDF has no
# Amsterdam Sans or Arial), measured for real with its own metrics.
WIDEST_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def drawn_width(text: str, size: float) -> float:
    from PIL import ImageFont

    return ImageFont.truetype(WIDEST_FONT, size=round(size)).getlength(text)


def clipped_labels(markup: str) -> list[str]:
    """The texts of a chart that reach outside its drawing area."""
    root = parse(markup)
    width = float(root.get("width") or 0)
    outside = []
    for text in root.iter(f"{SVG}text"):
        label = text.text or ""
        drawn = drawn_width(label, float(root.get("font-size") or 12))
        x = float(text.get("x") or 0)
        left = {"start": x, "middle": x - drawn / 2, "end": x - drawn}[str(text.get("text-anchor"))]
        if left < 0 or left + drawn > width:
            outside.append(label)
    return outside


LONG_NAMES = [
    Bar("Regisseur AMSTELLAND (demo)", 3, 12),
    Bar("Gemeente Amsterdam – Werk, Participatie en Inkomen", 14, 12),
    Bar("Mr. W.M. Wilhelmina-Maximiliaan van Oranje-Nassau de Wijk", 12, 12),
    Bar("Overige kernpartners", "<5", 6),
]


def test_no_label_is_clipped_however_long_the_names_and_notes():
    markup = bar_chart_with_capacity(
        title="Caseload tegenover capaciteit per regisseur",
        bars=LONG_NAMES,
        value_label="Casussen",
        capacity_label="Maximum (12 per fte)",
        over_label="boven capaciteit",
    )
    assert clipped_labels(markup) == []
    # A name too long for the label column is shortened, never cut off at the edge.
    assert any(label.endswith("…") for label in texts(parse(markup)))
    columns = grouped_bar_chart(
        title="Open casussen per fase",
        categories=["Fase 1 – voorbereiding", "Fase 2 – uitvoering", "Fase 3 – uitstroomproces"],
        series=[Series("Casussen in de aanpak", [8, 39, 3]), Series("Nieuw", [1, 2, 0])],
    )
    assert clipped_labels(columns) == []
    lines = line_chart(
        title="Instroom en uitstroom per kwartaal",
        categories=["2025 K3", "2025 K4", "2026 K1", "2026 K2", "2026 K3", "2026 K4"],
        series=[Series("Instroom", [5, 8, 3, 2, 5, 3]), Series("Uitstroom", [0, 0, 0, 0, 0, 3])],
    )
    assert clipped_labels(lines) == []


def test_a_suppressed_bar_draws_nothing_and_reads_less_than_five():
    root = parse(
        bar_chart_with_capacity(
            title="Caseload per kernpartner",
            bars=[Bar("GGD", "<5", 6), Bar("OOV", 26, 30)],
            value_label="Casussen",
            capacity_label="Maximum",
            over_label="boven capaciteit",
        )
    )
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    assert float(bars[0].get("width") or 1) == 0 and float(bars[1].get("width") or 0) > 0
    assert "<5 / 6" in texts(root) and "26 / 30" in texts(root)
