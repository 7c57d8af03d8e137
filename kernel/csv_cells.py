"""Cells for CSV files that people open in a spreadsheet.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and some also after a leading tab or carriage return:
a name or a reason typed as ``=HYPERLINK("http://...")`` would run in the
programme team's spreadsheet (CSV or formula injection). Every export writes its
rows through ``csv_safe_row`` (``csv_safe_writer`` does it for each row), which
puts a single quote before such a cell, so the spreadsheet shows the text as it
was typed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_safe_cell(value: object) -> str:
    """The cell as text, quoted with ``'`` when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_safe_row(values: Iterable[object]) -> list[str]:
    """A row for ``csv.writer(...).writerow`` with every cell made safe."""
    return [csv_safe_cell(value) for value in values]


class CsvSafeWriter:
    """``csv.writer`` whose every row goes through ``csv_safe_row``: an export
    cannot forget a column."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow(csv_safe_row(values))


def csv_safe_writer(out: _Writable) -> CsvSafeWriter:
    return CsvSafeWriter(out)
