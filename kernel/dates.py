"""Days and moments written out as the pages show them, for long lists.

The template's date filter ("d-m-Y", "d-m-Y H:i") costs tens of microseconds a value,
more than the rest of a table row; these write the same text in a fraction of that,
so a list's selector can hand its rows over already written.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def day_shown(day: datetime.date) -> str:
    """As ``{{ day|date:"d-m-Y" }}``: 07-12-2026."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def moment_shown(moment: datetime.datetime) -> str:
    """As ``{{ moment|date:"d-m-Y H:i" }}``, in the current time zone: 07-12-2026 09:05."""
    local = timezone.localtime(moment)
    return f"{day_shown(local)} {local.hour:02d}:{local.minute:02d}"
