"""The caseload of the pool's regisseurs in a monitor (docs/rules.md R-MON-6): each
regisseur on a line while the pool is small enough to read that way, and beyond that
the regisseurs of each organisation counted in three bands of their caseload against
their maximum (12 cases per fte, R-POOL-4).

A monitor is read by people: a roster of hundreds of regisseurs is a list, not a
monitor, and WeasyPrint lays it out at about a second a page. The roster up to
``ROSTER_MAX_REGISSEURS`` fits about two pages; the per-regisseur list of a larger pool
is the pool overview page (Regisseurspool), which the programme team reads today.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pool.selectors import PoolRow

# The largest pool whose monitor prints each regisseur on a line (about two pages).
ROSTER_MAX_REGISSEURS = 80
# The bands of a caseload against the maximum, in the order they are printed: fewer
# cases than half the maximum, from half up to the maximum, above the maximum.
UNDER_HALF, UP_TO_MAXIMUM, OVER_MAXIMUM = range(3)
BANDS = (UNDER_HALF, UP_TO_MAXIMUM, OVER_MAXIMUM)


def roster_printed(rows: Sequence[PoolRow]) -> bool:
    """Whether a monitor prints each regisseur of this pool on a line."""
    return len(rows) <= ROSTER_MAX_REGISSEURS


def band_of(row: PoolRow) -> int:
    if row.over_capacity:
        return OVER_MAXIMUM
    return UNDER_HALF if 2 * row.total_cases < row.capacity else UP_TO_MAXIMUM


def band_counts(rows: Iterable[PoolRow]) -> list[int]:
    """How many of these regisseurs are in each band."""
    counts = [0] * len(BANDS)
    for row in rows:
        counts[band_of(row)] += 1
    return counts


def band_counts_by_organisation(rows: Iterable[PoolRow]) -> dict[str, list[int]]:
    grouped: dict[str, list[PoolRow]] = defaultdict(list)
    for row in rows:
        grouped[row.organisation].append(row)
    return {organisation: band_counts(grouped[organisation]) for organisation in sorted(grouped)}
