"""Quarters: the period of the kwartaalmonitor and of the in- and outflow figures.

A quarter has two spellings, each with one job:

- ``code`` ("2026-Q3"): the stored key (``Monitor.period_code``, its database check,
  the scheduled run's id, form values, file names). Never translated.
- ``label`` ("2026 K3" in Dutch, "2026 Q3" in English): what people read, in the
  UI, the PDF and messages. ``str(quarter)`` is the label.

``Quarter`` is one of the monitors' periods (kernel/periods.py), defined there with the
others.
"""

from __future__ import annotations

import datetime

from .periods import QUARTER_INVALID, Quarter, periods_between

__all__ = ["QUARTER_INVALID", "Quarter", "quarters_between"]


def quarters_between(start: datetime.date, end: datetime.date) -> list[Quarter]:
    """Every quarter from the one holding ``start`` to the one holding ``end``."""
    return periods_between(Quarter, start, end)
