"""One Quarter for the monitor and the dashboard: a stored code, a translated label."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from cases.selectors import figures
from kernel.quarters import QUARTER_INVALID, Quarter, quarters_between


def test_the_code_is_stored_and_the_label_is_read():
    quarter = Quarter(2026, 3)
    assert quarter.code == "2026-Q3"
    assert Quarter.parse("2026-Q3") == quarter
    with override("nl"):
        assert quarter.label == str(quarter) == "2026 K3"
    with override("en"):
        assert quarter.label == "2026 Q3"


@pytest.mark.parametrize("text", ["2026 K3", "2026-Q5", "26-Q1", ""])
def test_anything_but_a_code_is_refused_in_dutch(text):
    with pytest.raises(ValidationError, match=str(QUARTER_INVALID)):
        Quarter.parse(text)


def test_quarter_arithmetic():
    assert Quarter.of(datetime.date(2026, 11, 23)) == Quarter(2026, 4)
    assert (Quarter(2026, 1).start, Quarter(2026, 1).end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 2).last(3) == [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2)]
    assert quarters_between(datetime.date(2025, 12, 31), datetime.date(2026, 4, 1)) == [
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]


def test_the_dashboard_figures_use_the_same_quarter():
    assert figures.Quarter is Quarter
