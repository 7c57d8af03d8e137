"""The kwartaalmonitor as a PDF: a Django template rendered by WeasyPrint, with the
trend charts as inline SVG (monitoring/charts.py, shared with the dashboard).

Only the stored figures go in: case rows carry the pseudonymous number, never a
name, date of birth, address or BSN.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from . import charts
from .models import Monitor

PDF_TEMPLATE = "monitoring/monitor_pdf.html"
# Case rows as preformatted lines, several cases side by side: WeasyPrint lays out
# a line of text far faster than a row of table cells, which decides the render
# time at ten thousand cases.
ROW_CASES = 3
MAX_BARS = 30
LINES_PER_BLOCK = 40
YES_NO = {True: "ja", False: "nee", None: "–"}


def case_lines(rows: list[dict[str, Any]], width: int = ROW_CASES) -> list[str]:
    """The case rows as blocks of preformatted lines, each block short enough for one
    page: WeasyPrint re-reads a long text block on every page it continues on."""
    cells = [
        f"{row['number']:<14} {row['phase']:<4} {YES_NO[row['uvo_on_time']]:<4} "
        f"{YES_NO[row['evaluation_on_time']]:<4}"
        for row in rows
    ]
    header = "   ".join([f"{'Casus':<14} {'Fase':<4} {'UVO':<4} {'Eval':<4}"] * width)
    lines = ["   ".join(cells[i : i + width]) for i in range(0, len(cells), width)]
    return [
        "\n".join([header, *lines[i : i + LINES_PER_BLOCK]])
        for i in range(0, len(lines), LINES_PER_BLOCK)
    ]


def monitor_pdf(*, monitor: Monitor, figures: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    with override("nl"):
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "monitor": monitor,
                "figures": figures,
                "generated_at": timezone.localtime(),
                "charts": monitor_charts(figures),
                "kernpartners": [
                    {**section, "case_lines": case_lines(section["case_rows"])}
                    for section in figures["kernpartners"]
                ],
            },
        )
    return HTML(string=html).write_pdf()


def monitor_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The monitor's SVG charts, as markup."""
    trend = figures["trend"]
    quarters = [row["quarter"] for row in trend]
    per_phase = figures["summary"]["per_phase"]
    return {
        "flow": charts.line_chart(
            title="Instroom en uitstroom per kwartaal",
            categories=quarters,
            series=[
                charts.Series("Instroom", [row["inflow"] for row in trend]),
                charts.Series("Uitstroom", [row["outflow"] for row in trend]),
            ],
        ),
        "caseload_per_kernpartner": charts.bar_chart_with_capacity(
            title="Caseload tegenover capaciteit per kernpartner",
            bars=[
                charts.Bar(label=kp["organisation"], value=kp["caseload"], capacity=kp["capacity"])
                for kp in figures["kernpartners"]
            ],
            value_label="Casussen",
            capacity_label="Maximum (12 per fte)",
            over_label="boven capaciteit",
        ),
        # A bar per regisseur reads well for a pool of seed 000's size; for hundreds
        # the table carries it (a chart cannot split over pages).
        "caseload": charts.bar_chart_with_capacity(
            title="Caseload tegenover capaciteit per regisseur",
            bars=[
                charts.Bar(label=row["name"], value=row["cases"], capacity=row["capacity"])
                for row in figures["regisseurs"]
            ],
            value_label="Casussen",
            capacity_label="Maximum (12 per fte)",
            over_label="boven capaciteit",
        )
        if len(figures["regisseurs"]) <= MAX_BARS
        else "",
        "phases": charts.grouped_bar_chart(
            title="Open casussen per fase",
            categories=["Fase 1", "Fase 2", "Fase 3"],
            series=[charts.Series("Casussen", [per_phase[p] for p in ("1", "2", "3")])],
        ),
    }
