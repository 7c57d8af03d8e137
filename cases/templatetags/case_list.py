"""The rows of the case lists and what is due next on a case, written in Python.

A list of a regisseur's cases or a page of the programme team's list renders tens of
rows; through a row template included per row (with the due item's template inside
it) the 20 rows of the busiest regisseur took about 7 ms of the page's 45. The markup
is the same: the rows of cases/templates/cases/_list_table.html and _case_rows.html, and the
due item of _deadline.html, which the case page shows too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.db.models import Choices
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from kernel.dates import day_shown
from kernel.labels import label_of
from kernel.urls import around_id

from ..models import CaseStatus, Phase
from ..selectors.cases import ListedCase, listed_person
from ..selectors.deadlines import Deadline

register = template.Library()

NO_VALUE = "–"


class _Labels(dict[Choices, str]):
    """Choice labels looked up once per list instead of once per row: a model's
    ``get_FOO_display`` rebuilds its choices and translates the label on every call,
    which was the costliest part of a row. The translation is ``label_of``'s, kept per
    language; the list keeps what it used at hand."""

    def __missing__(self, choice: Choices) -> str:
        label = self[choice] = label_of(choice)
        return label


def case_address() -> tuple[str, str]:
    """What comes before and after a case's id in the address of its page."""
    return around_id("cases:detail")


def _due_html(deadline: Deadline | None, kinds: _Labels) -> str:
    if not deadline:
        return NO_VALUE
    due = f"{conditional_escape(kinds[deadline.kind])}: {day_shown(deadline.due_on)}"
    if not deadline.overdue:
        return due
    late = ngettext("%(days)s dag te laat", "%(days)s dagen te laat", deadline.days_overdue) % {
        "days": deadline.days_overdue
    }
    return f'{due} <span class="ams-badge ipgar-badge--overdue">{conditional_escape(late)}</span>'


@register.simple_tag
def next_due(deadline: Deadline | None) -> SafeString:
    """What is due next on a case: the item and its date, and how many days late it is;
    a dash when nothing is due."""
    return mark_safe(_due_html(deadline, _Labels()))  # noqa: S308 (every value in it is escaped)


def _name(case: ListedCase, role: str) -> str:
    name = listed_person(case, role)
    return conditional_escape(name) if name else NO_VALUE


@register.simple_tag
def case_rows(rows: Iterable[tuple[ListedCase, Deadline | None]]) -> SafeString:
    """The table rows of the case lists, one per ``(case, next item due)``: the case
    number linking to its page (marked when reached through an emergency access),
    region, phase, status, regisseur, buddy and what is due next."""
    head, tail = case_address()
    marked = conditional_escape(gettext("noodtoegang"))
    emergency = f' <span class="ams-badge ams-badge--orange">{marked}</span>'
    phases, statuses, kinds = _Labels(), _Labels(), _Labels()
    html = []
    for case, deadline in rows:
        overdue = " ipgar-row--overdue" if deadline and deadline.overdue else ""
        badge = emergency if getattr(case, "under_emergency", False) else ""
        html.append(
            f'<tr class="ams-table__row{overdue}">\n'
            f'  <th class="ams-table__cell" scope="row">'
            f'<a class="ams-link" href="{head}{case.pk}{tail}">'
            f"{conditional_escape(case.number)}</a>{badge}</th>\n"
            f'  <td class="ams-table__cell">{conditional_escape(case.region_name)}</td>\n'
            f'  <td class="ams-table__cell">{conditional_escape(phases[Phase(case.phase)])}</td>\n'
            f'  <td class="ams-table__cell">'
            f"{conditional_escape(statuses[CaseStatus(case.status)])}</td>\n"
            f'  <td class="ams-table__cell">{_name(case, "regisseur")}</td>\n'
            f'  <td class="ams-table__cell">{_name(case, "buddy")}</td>\n'
            f'  <td class="ams-table__cell">{_due_html(deadline, kinds)}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 (every value in it is escaped)
