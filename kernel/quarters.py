"""Quarters: the period of the kwartaalmonitor and of the in- and outflow figures.

A quarter has two spellings, each with one job:

- ``code`` ("2026-Q3"): the stored key (``Monitor.quarter``, its database check,
  the scheduled run's id, form values, file names). Never translated.
- ``label`` ("2026 K3" in Dutch, "2026 Q3" in English): what people read, in the
  UI, the PDF and messages. ``str(quarter)`` is the label.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")
QUARTER_INVALID = _("Geef het kwartaal op als jaar-Qn, bijvoorbeeld 2026-Q3.")


@dataclasses.dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, code: str) -> Quarter:
        """The quarter of a ``code`` such as "2026-Q3"; ValidationError otherwise."""
        match = CODE_PATTERN.match(code.strip())
        if match is None:
            raise ValidationError(QUARTER_INVALID, code="quarter_invalid")
        return cls(int(match["year"]), int(match["number"]))

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        # Translators: a quarter of a year, "2026 K3" (K for kwartaal); in English "2026 Q3".
        return gettext("%(year)s K%(number)s") % {"year": self.year, "number": self.number}

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the quarter."""
        return self.next().start - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def last(self, count: int) -> list[Quarter]:
        """``count`` quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    def __str__(self) -> str:
        return self.label


def quarters_between(start: datetime.date, end: datetime.date) -> list[Quarter]:
    """Every quarter from the one holding ``start`` to the one holding ``end``."""
    quarters, current, last = [], Quarter.of(start), Quarter.of(end)
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters
