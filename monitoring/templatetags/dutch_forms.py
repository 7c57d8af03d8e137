"""Dates, numbers and percentages in the monitor and on the dashboard in one form:
dd-mm-jjjj, 0,5 fte, 97,4% (docs/monitor/README.md). Numbers follow the active
language (Dutch in the PDF, which is rendered in Dutch); a figure that is not a
number ('<5', '–') passes through untouched."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone

register = template.Library()

DATE_FORM = "d-m-Y"


@register.filter
def datum(value: object) -> str:
    """A date (or an ISO date string, as stored with a monitor's figures) as dd-mm-jjjj."""
    day = value
    if isinstance(value, str):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(day, datetime.datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    if isinstance(day, datetime.datetime | datetime.date):
        return formats.date_format(day, DATE_FORM)
    return "" if value is None else str(value)


@register.filter
def getal(value: object, decimals: int | str = 0) -> str:
    """A number with ``decimals`` places and the active language's decimal sign."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    return formats.number_format(number, int(decimals), use_l10n=True)


@register.filter
def procent(value: object) -> str:
    """A percentage with one decimal place (97,4%); none as '–'."""
    number = _number(value)
    if number is None:
        return "–"
    return f"{formats.number_format(number, 1, use_l10n=True)}%"


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None
