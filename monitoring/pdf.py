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
        "caseload": charts.bar_chart_with_capacity(
            title="Caseload tegenover capaciteit per regisseur",
            bars=[
                charts.Bar(label=row["name"], value=row["cases"], capacity=row["capacity"])
                for row in figures["regisseurs"]
            ],
            value_label="Casussen",
            capacity_label="Maximum (12 per fte)",
            over_label="boven capaciteit",
        ),
        "phases": charts.grouped_bar_chart(
            title="Open casussen per fase",
            categories=["Fase 1", "Fase 2", "Fase 3"],
            series=[charts.Series("Casussen", [per_phase[p] for p in ("1", "2", "3")])],
        ),
    }
