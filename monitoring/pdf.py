"""The kwartaalmonitor as a PDF: a Django template rendered by WeasyPrint, with the
trend charts as inline SVG (monitoring/charts.py, shared with the dashboard).

Only the stored figures go in, and they are aggregates: no case is listed, and no
name, date of birth, address or BSN of a person in the approach appears.

At 10,000 cases the page count, not the data, decides the render time: WeasyPrint
takes about a second per page of table on a 2-core machine. So the monitor is
aggregated (PTO-R reads figures, not case lists) and its tables are plain and
fixed-layout; the one long table is the pool's roster of regisseurs.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, override

from kernel.quarters import Quarter

from . import charts
from .models import Monitor
from .reports import REPORTS

PDF_TEMPLATE = "monitoring/monitor_pdf.html"
# A bar per regisseur reads well for a pool of the size R-POOL-4 gives; for hundreds the
# roster carries it (a chart cannot split over pages).
MAX_BARS = 30
# The roster of regisseurs as preformatted lines in blocks of a page: WeasyPrint lays
# out a line of text about ten times faster than a row of table cells (at ~900
# regisseurs: 3 s instead of 30 s on a 2-core machine).
ROSTER_LINES_PER_BLOCK = 70
NAME_WIDTH = 36
ORGANISATION_WIDTH = 32


def monitor_pdf(*, monitor: Monitor, figures: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    if monitor.kind != Monitor.Kind.QUARTER:
        with override("nl"):
            html = render_to_string(
                REPORTS[monitor.kind].template,
                {
                    "monitor": monitor,
                    "figures": figures,
                    "period": monitor.period.label,
                    "start": monitor.period.start,
                    "end": monitor.period.end,
                    "reference": datetime.date.fromisoformat(figures["reference_date"]),
                    "generated_at": timezone.localtime(),
                },
            )
        return HTML(string=html).write_pdf()
    with override("nl"):
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "monitor": monitor,
                "figures": figures,
                "quarter": Quarter.parse(figures["quarter"]).label,
                "trend": trend_rows(figures),
                "generated_at": timezone.localtime(),
                "charts": monitor_charts(figures),
                "roster": roster_blocks(figures),
            },
        )
    return HTML(string=html).write_pdf()


def roster_blocks(figures: dict[str, Any]) -> list[SafeString]:
    """The caseload per regisseur as aligned lines in blocks of a page, the totals
    last; a regisseur over capacity is bold and says so in words. Texts are escaped."""
    regisseurs, summary = figures["regisseurs"], figures["summary"]
    name_width = min(max([len(r["name"]) for r in regisseurs] + [10]), NAME_WIDTH)
    org_width = min(max([len(r["organisation"]) for r in regisseurs] + [11]), ORGANISATION_WIDTH)

    def line(*values: Any, note: str = "") -> str:
        name, organisation, fte, capacity, cases, buddy, free = (str(v) for v in values)
        return escape(
            f"{_fit(name, name_width):<{name_width}}  {_fit(organisation, org_width):<{org_width}}"
            f" {fte:>5} {capacity:>5} {cases:>8} {buddy:>6} {free:>5}  {note}".rstrip()
        )

    over = gettext("boven capaciteit")
    lines = [
        format_html("<b>{}</b>", mark_safe(line(*_roster_values(r), note=over)))  # noqa: S308
        if r["over_capacity"]
        else line(*_roster_values(r))
        for r in regisseurs
    ]
    header = line(
        gettext("Regisseur"),
        gettext("Organisatie"),
        gettext("fte"),
        gettext("Max"),
        gettext("Casussen"),
        gettext("Buddy"),
        gettext("Vrij"),
    )
    total = line(
        gettext("Totaal"),
        "",
        summary["fte"],
        summary["capacity"],
        summary["caseload"],
        "",
        summary["free_places"],
    )
    lines.append(f'<b class="total">{total}</b>')
    return [
        mark_safe(  # noqa: S308  (every line is escaped above)
            "\n".join([f'<b class="head">{header}</b>', *lines[i : i + ROSTER_LINES_PER_BLOCK]])
        )
        for i in range(0, len(lines), ROSTER_LINES_PER_BLOCK)
    ]


def _roster_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["name"],
        row["organisation"],
        row["fte"],
        row["capacity"],
        row["cases"],
        row["buddy_cases"],
        row["free_places"],
    )


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def trend_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored trend (quarters by code) with each quarter's label."""
    return [{**row, "quarter": Quarter.parse(row["quarter"]).label} for row in figures["trend"]]


def monitor_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The monitor's SVG charts, as markup."""
    trend = trend_rows(figures)
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
