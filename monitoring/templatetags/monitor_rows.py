"""The rows of the monitors table, and the options of its start forms, written in
Python: through a row template included per row, with two addresses reversed and four
phrases translated per row, the 24 rows of the list took about a third of the page's
time. The list, the status page and the status fragment htmx swaps in all write their
rows here; the markup is what the templates wrote."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from kernel.urls import around_id

from ..selectors import MonitorLine

register = template.Library()


def _status_html(line: MonitorLine) -> str:
    label = conditional_escape(line["status_label"])
    if line["failed"]:
        error = conditional_escape(line["error"])
        return (
            f'<span class="ams-badge ams-badge--red">{label}</span> '
            f'<span role="alert">{error}</span>'
        )
    colour = "lime" if line["ready"] else "azure"
    return f'<span class="ams-badge ams-badge--{colour}">{label}</span>'


@register.simple_tag
def monitor_rows(lines: Iterable[MonitorLine], poll_seconds: int) -> SafeString:
    """One row per run: title, version, status (with the error of a failed run), who
    started it and when, when it was made, and the PDF to download or, while it runs,
    its status page; a running row asks htmx for itself again every ``poll_seconds``."""
    status_head, status_tail = around_id("monitoring:monitor_status")
    pdf_head, pdf_tail = around_id("monitoring:monitor_download")
    by = conditional_escape(gettext("door"))
    scheduled = conditional_escape(gettext("(schema)"))
    download = conditional_escape(gettext("PDF downloaden"))
    see_status = conditional_escape(gettext("Status bekijken"))
    html = []
    for line in lines:
        pk = line["pk"]
        status_url = f"{status_head}{pk}{status_tail}"
        poll = (
            ""
            if line["finished"]
            else f' hx-get="{status_url}" hx-trigger="every {poll_seconds}s" hx-swap="outerHTML"'
        )
        starter = line["requested_by"]
        started = f"{by} {conditional_escape(starter)}" if starter else scheduled
        if line["ready"]:
            link = f'<a class="ams-link" href="{pdf_head}{pk}{pdf_tail}">{download}</a>'
        elif not line["finished"]:
            link = f'<a class="ams-link" href="{status_url}">{see_status}</a>'
        else:
            link = ""
        html.append(
            f'<tr class="ams-table__row" id="monitor-{pk}"{poll}>\n'
            f'  <th scope="row" class="ams-table__cell">{conditional_escape(line["title"])}</th>\n'
            f'  <td class="ams-table__cell ams-table__cell--align-end">'
            f"{conditional_escape(line['version'])}</td>\n"
            f'  <td class="ams-table__cell monitor-status '
            f'monitor-status--{conditional_escape(line["status"])}">{_status_html(line)}</td>\n'
            f'  <td class="ams-table__cell">'
            f"{conditional_escape(line['requested_at'])} {started}</td>\n"
            f'  <td class="ams-table__cell">{conditional_escape(line["generated_at"] or "")}</td>\n'
            f'  <td class="ams-table__cell">{link}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 (every value in it is escaped)


@register.simple_tag
def period_options(periods: Iterable[dict[str, Any]]) -> SafeString:
    """The options of a start form's period list, the chosen one selected: through the
    template's loop the four forms' 31 options cost more than the table's rows."""
    return mark_safe(  # noqa: S308 (every value in it is escaped)
        "".join(
            f'<option value="{conditional_escape(period["code"])}"'
            f"{' selected' if period['chosen'] else ''}>"
            f"{conditional_escape(period['label'])}</option>"
            for period in periods
        )
    )
