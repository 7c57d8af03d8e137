"""The periods monitors report on: a month, a quarter, a half-year and a year (the
quarter is also the period of the in- and outflow figures, kernel/quarters.py). Each has
two spellings, each with one job:

- ``code`` ("2026-11", "2026-Q3", "2026-H2", "2026"): the stored key (``Monitor.period``,
  form values, a scheduled run's id, file names). Never translated.
- ``label`` ("november 2026", "2026 K3", "2026 2e halfjaar", "2026"): what people read.

Every period answers ``start`` and ``end`` (its first and last day), ``next()``,
``previous()`` and ``last(n)``; ``of(day)`` gives the period holding ``day``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import TYPE_CHECKING, ClassVar, Protocol, Self, TypeVar

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise = str | _StrPromise

__all__ = ["HalfYear", "Month", "Period", "Quarter", "Year", "periods_between"]


class Period(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def start(self) -> datetime.date: ...

    @property
    def end(self) -> datetime.date: ...


class _Period:
    """What every period derives from its ``start`` and ``next()``."""

    PATTERN: ClassVar[re.Pattern[str]]
    INVALID: ClassVar[StrOrPromise]
    INVALID_CODE: ClassVar[str] = "period_invalid"

    @classmethod
    def _from_match(cls, match: re.Match[str]) -> Self:
        raise NotImplementedError

    @classmethod
    def parse(cls, code: str) -> Self:
        match = cls.PATTERN.match(code.strip())
        if match is None:
            raise ValidationError(cls.INVALID, code=cls.INVALID_CODE)
        return cls._from_match(match)

    @property
    def start(self) -> datetime.date:
        raise NotImplementedError

    def next(self) -> Self:
        raise NotImplementedError

    def previous(self) -> Self:
        raise NotImplementedError

    @property
    def end(self) -> datetime.date:
        """The period's last day."""
        return self.next().start - datetime.timedelta(days=1)

    def last(self, count: int) -> list[Self]:
        """``count`` periods ending with this one, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    @property
    def label(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.label


@dataclasses.dataclass(frozen=True, order=True)
class Month(_Period):
    year: int
    number: int  # 1..12

    PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<number>0[1-9]|1[0-2])$")
    INVALID = _("Geef de maand op als jaar-mm, bijvoorbeeld 2026-11.")

    @classmethod
    def _from_match(cls, match: re.Match[str]) -> Month:
        return cls(int(match["year"]), int(match["number"]))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        # "november 2026" in the active language's month names.
        return formats.date_format(self.start, "F Y")

    @property
    def short_label(self) -> str:
        # "nov 2026": a column heading.
        return formats.date_format(self.start, "M Y")

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.number, 1)

    def next(self) -> Month:
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.number == 1), (self.number - 2) % 12 + 1)


QUARTER_INVALID = _("Geef het kwartaal op als jaar-Qn, bijvoorbeeld 2026-Q3.")


@dataclasses.dataclass(frozen=True, order=True)
class Quarter(_Period):
    year: int
    number: int  # 1..4

    PATTERN = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")
    INVALID = QUARTER_INVALID
    INVALID_CODE = "quarter_invalid"

    @classmethod
    def _from_match(cls, match: re.Match[str]) -> Quarter:
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

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)


@dataclasses.dataclass(frozen=True, order=True)
class HalfYear(_Period):
    year: int
    number: int  # 1 or 2

    PATTERN = re.compile(r"^(?P<year>\d{4})-H(?P<number>[12])$")
    INVALID = _("Geef het halfjaar op als jaar-Hn, bijvoorbeeld 2026-H2.")

    @classmethod
    def _from_match(cls, match: re.Match[str]) -> HalfYear:
        return cls(int(match["year"]), int(match["number"]))

    @classmethod
    def of(cls, day: datetime.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.number}"

    @property
    def label(self) -> str:
        if self.number == 1:
            # Translators: the first half of a year, "2026 1e halfjaar"; in English "2026 H1".
            return gettext("%(year)s 1e halfjaar") % {"year": self.year}
        # Translators: the second half of a year, "2026 2e halfjaar"; in English "2026 H2".
        return gettext("%(year)s 2e halfjaar") % {"year": self.year}

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.number == 1 else 7, 1)

    def next(self) -> HalfYear:
        return HalfYear(self.year + (self.number == 2), 3 - self.number)

    def previous(self) -> HalfYear:
        return HalfYear(self.year - (self.number == 1), 3 - self.number)

    def months(self) -> list[Month]:
        return Month.of(self.end).last(6)


@dataclasses.dataclass(frozen=True, order=True)
class Year(_Period):
    year: int

    PATTERN = re.compile(r"^(?P<year>\d{4})$")
    INVALID = _("Geef het jaar op met vier cijfers, bijvoorbeeld 2026.")

    @classmethod
    def _from_match(cls, match: re.Match[str]) -> Year:
        return cls(int(match["year"]))

    @classmethod
    def of(cls, day: datetime.date) -> Year:
        return cls(day.year)

    @property
    def code(self) -> str:
        return str(self.year)

    @property
    def label(self) -> str:
        return str(self.year)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    def next(self) -> Year:
        return Year(self.year + 1)

    def previous(self) -> Year:
        return Year(self.year - 1)


_P = TypeVar("_P", Month, Quarter, HalfYear, Year)


def periods_between(kind: type[_P], start: datetime.date, end: datetime.date) -> list[_P]:
    """Every period of ``kind`` from the one holding ``start`` to the one holding ``end``."""
    periods, current, last = [], kind.of(start), kind.of(end)
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods
