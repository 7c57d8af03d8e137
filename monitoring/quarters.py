"""Quarters ("2026-Q3"): the period a kwartaalmonitor reports on."""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.core.exceptions import ValidationError

QUARTER_PATTERN = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")
QUARTER_INVALID = "Geef het kwartaal op als jaar-Qn, bijvoorbeeld 2026-Q3."


@dataclasses.dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER_PATTERN.match(text.strip())
        if match is None:
            raise ValidationError(QUARTER_INVALID, code="quarter_invalid")
        return cls(int(match["year"]), int(match["number"]))

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

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
