"""The rows of "Nu aan de beurt" on the notifications page, written in Python: through
the template, with an address reversed and a plural translated per row, they took a
third of the page's rendering. The markup is what the template wrote."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from cases.selectors.deadlines import Deadline, DeadlineKind
from cases.templatetags.case_list import case_address
from kernel.dates import day_shown

register = template.Library()


@register.simple_tag
def due_rows(items: Iterable[Deadline]) -> SafeString:
    """One row per item: its date, what it is (linking to the case, except an exit
    proposal waiting for PTO-R, who decide it without seeing the case) and how late it
    is, or "binnenkort"."""
    head, tail = case_address()
    soon = str(conditional_escape(gettext("binnenkort")))
    html = []
    for item in items:
        label = str(conditional_escape(item.label))
        if item.case_id and item.kind != DeadlineKind.EXIT_DECISION:
            label = f'<a class="ams-link" href="{head}{item.case_id}{tail}">{label}</a>'
        if item.overdue:
            late = ngettext(
                "%(counter)s dag te laat", "%(counter)s dagen te laat", item.days_overdue
            ) % {"counter": item.days_overdue}
            state = f"<strong>{conditional_escape(late)}</strong>"
        else:
            state = soon
        html.append(
            '      <tr class="ams-table__row">\n'
            f'        <td class="ams-table__cell">{day_shown(item.due_on)}</td>\n'
            f'        <td class="ams-table__cell">{label}</td>\n'
            f'        <td class="ams-table__cell">{state}</td>\n'
            "      </tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 (every value in it is escaped)
