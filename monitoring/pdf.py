"""The kwartaalmonitor as a PDF: a Django template rendered by WeasyPrint, with the
trend charts as inline SVG (monitoring/charts.py, shared with the dashboard).

Only the stored figures go in, and they are aggregates: no case is listed, and no
name, date of birth, address or BSN of a person in the approach appears. They are
printed as ``publish_kwartaal`` publishes them: small counts suppressed table by
table, so no '<5' can be computed back from the rest (docs/rules.md R-MON-4).

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
from django.utils.translation import override

from cases.selectors.figures import exit_ground_labels
from kernel.quarters import Quarter

from . import charts
from .models import Monitor
from .reports import REPORTS
from .suppression import publish_kwartaal

PDF_TEMPLATE = "monitoring/monitor_pdf.html"
# A bar per regisseur reads well for a pool of the size R-POOL-4 gives; for hundreds the
# roster carries it (a chart cannot split over pages).
MAX_BARS = 30


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
                    "footer": f"{monitor.get_kind_display()} {monitor.period.label} "
                    f"v{monitor.version} · vertrouwelijk",
                    "start": monitor.period.start,
                    "end": monitor.period.end,
                    "reference": datetime.date.fromisoformat(figures["reference_date"]),
                    "generated_at": timezone.localtime(),
                },
            )
        return HTML(string=html).write_pdf()
    with override("nl"):
        published = publish_kwartaal(figures, grounds=list(exit_ground_labels().values()))
        quarter = Quarter.parse(published["quarter"]).label
        html = render_to_string(
            PDF_TEMPLATE,
            {
                "monitor": monitor,
                "figures": published,
                "quarter": quarter,
                "footer": f"Kwartaalmonitor {quarter} v{monitor.version} · vertrouwelijk",
                "trend": trend_rows(published),
                "generated_at": timezone.localtime(),
                "charts": monitor_charts(published),
            },
        )
    return HTML(string=html).write_pdf()


def trend_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored trend (quarters by code) with each quarter's label."""
    return [{**row, "quarter": Quarter.parse(row["quarter"]).label} for row in figures["trend"]]


def monitor_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The monitor's SVG charts, as markup, from the published (suppressed) figures."""
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
                charts.Bar(label=kp["organisation"], value=kp["cases"], capacity=kp["capacity"])
                for kp in figures["kernpartners"]
                if kp["capacity"]
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
        if 0 < len(figures["regisseurs"]) <= MAX_BARS
        else "",
        "phases": charts.grouped_bar_chart(
            title="Open casussen per fase",
            categories=["Fase 1", "Fase 2", "Fase 3"],
            series=[charts.Series("Casussen", [per_phase[p] for p in ("1", "2", "3")])],
        ),
    }
