"""Suppression of small counts in the monitors, for a whole table at once
(docs/rules.md R-MON-4).

A count of cases from 1 to 4 in a breakdown (per kernpartner, regisseur, region or
exit ground) could point at a person, so it is printed as ``<5`` (primary
suppression). A 0 is not a person and is printed as 0. Hiding the small cells
alone does not hold: a row total minus the visible cells of its row gives the
hidden cell back. So a table is suppressed as a whole: complementary cells are
hidden until no hidden cell can be computed from what is printed (the cells, the
row and column totals, and totals printed elsewhere).

The test is exact for tables with totals. Write the row totals as minus their
value and every row and column sums to 0; a change to the hidden cells that keeps
every printed figure is then a circulation in the bipartite graph of rows and
columns whose edges are the hidden cells. A hidden cell is determined exactly when
no such circulation of one unit passes through it without making a count negative,
which is a path search in the residual graph (a count may go up without bound and
down to 0; a total that is not printed at all may do both). Complementary cells are
added along the cheapest path that closes such a cycle: small counts before large
ones, a cell before a total, never a total that is published elsewhere.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Sequence
from typing import Any

from .figures import caseload

SUPPRESSED = "<5"
THRESHOLD = 5
UNBOUNDED = 10**12
# The price of hiding a visible total as a complement, so a cell is hidden before a total.
TOTAL_COST = 10_000

Position = tuple[int, int]


def is_small(count: int) -> bool:
    """A count that is printed as '<5' on its own (primary suppression): 1 to 4."""
    return 0 < count < THRESHOLD


def shown(count: int) -> int | str:
    """One count with no table around it (nothing adds up to it) as it may be printed."""
    return SUPPRESSED if is_small(count) else count


@dataclasses.dataclass(frozen=True)
class Table:
    """Counts in rows and columns, with the totals that are printed beside them.

    ``row_totals`` / ``column_totals``: whether the table prints its row (column)
    totals; a total that is not printed anywhere is an unknown for a reader.
    ``published_rows`` / ``published_columns`` / ``published_grand``: totals that are
    printed elsewhere exactly (figures of the whole approach): they are known to a
    reader even when this table leaves them out, and they are never hidden here.
    ``hidden_rows`` / ``hidden_columns``: totals that another table already hides
    (so hidden here too, and known to a reader in neither).
    """

    cells: Sequence[Sequence[int]]
    row_totals: bool = True
    column_totals: bool = True
    published_rows: frozenset[int] = frozenset()
    published_columns: frozenset[int] = frozenset()
    published_grand: bool = False
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    # The totals, summed once: the search asks for them at every step.
    row_sums: tuple[int, ...] = dataclasses.field(init=False, repr=False, compare=False)
    column_sums: tuple[int, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = self.shape[1]
        object.__setattr__(self, "row_sums", tuple(sum(row) for row in self.cells))
        object.__setattr__(
            self,
            "column_sums",
            tuple(sum(row[c] for row in self.cells) for c in range(columns)),
        )

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0]) if self.cells else 0


@dataclasses.dataclass(frozen=True)
class Suppressed:
    """A suppressed table: ``cell``, ``row_total``, ``column_total`` and ``grand_total``
    give each figure as it may be printed (a count or '<5')."""

    table: Table
    hidden: frozenset[Position]

    def cell(self, row: int, column: int) -> int | str:
        return self._show(row, column)

    def row_total(self, row: int) -> int | str:
        return self._show(row, self.table.shape[1])

    def column_total(self, column: int) -> int | str:
        return self._show(self.table.shape[0], column)

    def grand_total(self) -> int | str:
        rows, columns = self.table.shape
        return self._show(rows, columns)

    def is_hidden(self, row: int, column: int) -> bool:
        return (row, column) in self.hidden

    def _show(self, row: int, column: int) -> int | str:
        if (row, column) in self.hidden:
            return SUPPRESSED
        return _value(self.table, row, column)


def _value(table: Table, row: int, column: int) -> int:
    rows, columns = table.shape
    if row < rows and column < columns:
        return table.cells[row][column]
    if row < rows:
        return table.row_sums[row]
    if column < columns:
        return table.column_sums[column]
    return sum(table.row_sums)


def _printed(table: Table, row: int, column: int) -> bool:
    """Whether a reader knows this figure when it is not hidden."""
    rows, columns = table.shape
    if row < rows and column < columns:
        return True
    if row < rows:
        return table.row_totals or row in table.published_rows
    if column < columns:
        return table.column_totals or column in table.published_columns
    # The grand total is printed with both kinds of totals; with one kind it is only
    # their sum, which a reader computes while they are all shown.
    return table.published_grand or (table.row_totals and table.column_totals)


def _published(table: Table, row: int, column: int) -> bool:
    rows, columns = table.shape
    if row < rows and column < columns:
        return False
    if row < rows:
        return row in table.published_rows
    if column < columns:
        return column in table.published_columns
    return table.published_grand


def suppress_table(table: Table) -> Suppressed:
    """The table with its small counts hidden and as few others as it takes to keep
    them hidden. Totals published elsewhere are figures of the whole approach and
    are printed as they are; every other figure from 1 to 4 is hidden."""
    rows, columns = table.shape
    positions = [(r, c) for r in range(rows + 1) for c in range(columns + 1)]
    hidden = {
        p
        for p in positions
        if _printed(table, *p) and not _published(table, *p) and is_small(_value(table, *p))
    }
    hidden |= {(r, columns) for r in table.hidden_rows}
    hidden |= {(rows, c) for c in table.hidden_columns}
    if not hidden or rows == 0 or columns == 0:
        return Suppressed(table, frozenset(hidden))
    # Unprinted totals are unknowns to the reader: they behave like hidden figures
    # without a lower bound, and they can never be shown.
    free = {p for p in positions if not _printed(table, *p)}
    # A figure the published totals give away on their own cannot be covered; it stays
    # hidden here (that tells nothing new) and the search goes on with the others.
    uncoverable: set[Position] = set()
    # Hiding more only adds cycles, so a figure once found safe stays safe.
    safe: set[Position] = set()
    while True:
        graph = _graph(table, hidden, free, lambda _p: None)
        exposed = None
        for position in sorted(hidden - uncoverable - free - safe):
            if _cycles(table, graph, position):
                safe.add(position)
            else:
                exposed = position
                break
        if exposed is None:
            break
        added = _complement(table, exposed, hidden, free)
        if added:
            hidden |= added
        else:
            uncoverable.add(exposed)
    return Suppressed(table, frozenset(hidden))


def _capacity(table: Table, position: Position, forward: bool) -> int:
    """How far the figure at ``position`` may move in the written-as-zero-sum form:
    ``forward`` raises a cell (lowers a total), backward the other way round."""
    rows, columns = table.shape
    row, column = position
    value = _value(table, row, column)
    is_total = (row == rows) != (column == columns)
    if forward:
        return value if is_total else UNBOUNDED
    return UNBOUNDED if is_total else value


Node = tuple[str, int]
Graph = dict[Node, list[tuple[Node, Position, int]]]


def _graph(
    table: Table,
    hidden: set[Position],
    free: set[Position],
    cost: Callable[[Position], int | None],
) -> Graph:
    """The residual graph: row node ('r', i), column node ('c', j); an edge per
    figure that may move one unit in that direction, with the cost of using it
    (0 for a hidden figure, ``cost`` for a visible one; None: not to be hidden)."""
    rows, columns = table.shape
    graph: Graph = {}
    for row in range(rows + 1):
        for column in range(columns + 1):
            position = (row, column)
            price = 0
            if position in free:
                forward = backward = True
            else:
                if position not in hidden:
                    found = cost(position)
                    if found is None:
                        continue
                    price = found
                forward = _capacity(table, position, True) >= 1
                backward = _capacity(table, position, False) >= 1
            r, c = ("r", row), ("c", column)
            if forward:
                graph.setdefault(r, []).append((c, position, price))
            if backward:
                graph.setdefault(c, []).append((r, position, price))
    return graph


def _cheapest_path(
    graph: Graph, start: Node, goal: Node, skip: Position
) -> tuple[int, list[Position]] | None:
    """Dijkstra from ``start`` to ``goal`` not using the figure ``skip``."""
    best = {start: 0}
    came_from: dict[Node, tuple[Node, Position]] = {}
    queue: list[tuple[int, Node]] = [(0, start)]
    while queue:
        spent, node = heapq.heappop(queue)
        if node == goal:
            path = []
            while node != start:
                node, position = came_from[node]
                path.append(position)
            return spent, path
        if spent > best.get(node, UNBOUNDED):
            continue
        for target, position, price in graph.get(node, ()):
            total = spent + price
            if position != skip and total < best.get(target, UNBOUNDED):
                best[target] = total
                came_from[target] = (node, position)
                heapq.heappush(queue, (total, target))
    return None


def _cycles(table: Table, graph: Graph, position: Position) -> list[tuple[int, list[Position]]]:
    """The cheapest cycle through ``position`` in each direction it may move; none when
    the printed figures leave it one possible value."""
    row, column = ("r", position[0]), ("c", position[1])
    found = []
    if _capacity(table, position, True) >= 1:
        path = _cheapest_path(graph, column, row, position)
        if path is not None:
            found.append(path)
    if _capacity(table, position, False) >= 1:
        path = _cheapest_path(graph, row, column, position)
        if path is not None:
            found.append(path)
    return found


def _complement(
    table: Table, position: Position, hidden: set[Position], free: set[Position]
) -> set[Position]:
    """The visible figures to hide so that ``position`` lies on a cycle: the cheapest."""

    def cost(candidate: Position) -> int | None:
        if _published(table, *candidate):
            return None
        rows, columns = table.shape
        value = _value(table, *candidate)
        is_total = candidate[0] == rows or candidate[1] == columns
        return 1 + value + (TOTAL_COST if is_total else 0)

    cycles = _cycles(table, _graph(table, hidden, free, cost), position)
    if not cycles:
        return set()
    _spent, path = min(cycles, key=lambda found: found[0])
    return {p for p in path if p not in hidden and p not in free}


# --- the kwartaalmonitor's tables ------------------------------------------------------

OTHER_KERNPARTNERS = "Overige kernpartners"
PHASE_KEYS = ("1", "2", "3")
# How the work on a kernpartner's cases keeps its rhythm, and the summary's figure for all.
WORK_COLUMNS = (
    ("uvo_on_time", ("uvo", "on_time")),
    ("plans_running", ("plans", "running")),
    ("plans_evaluated_on_time", ("plans", "evaluated_on_time")),
    ("interventions_overdue", ("interventions_overdue",)),
    ("uvo_actions_overdue", ("uvo_actions_overdue",)),
)
FLOW_COLUMNS = ("inflow", "outflow")
# The counts of a kernpartner's section; most of them below 5 folds it (R-MON-4).
SECTION_COUNTS = ("cases", *FLOW_COLUMNS, *(key for key, _path in WORK_COLUMNS), "partner_cases")


def _section_counts(section: dict) -> list[int]:
    return [*(section["per_phase"][p] for p in PHASE_KEYS), *(section[k] for k in SECTION_COUNTS)]


def folds(section: dict) -> bool:
    """A kernpartner's page that would be mostly '<5': more than half of its counts
    that are not 0 are below 5 (a page with nothing but zeros says nothing either).
    It goes into the shared section "Overige kernpartners"."""
    counts = [n for n in _section_counts(section) if n]
    return 2 * sum(1 for n in counts if is_small(n)) > len(counts) or not counts


def _merged(sections: list[dict], name: str) -> dict:
    merged: dict = {
        "organisation": name,
        "members": [s["organisation"] for s in sections],
        "regisseurs": sum(s["regisseurs"] for s in sections),
        "fte": f"{sum(float(s['fte']) for s in sections):.1f}",
        "capacity": sum(s["capacity"] for s in sections),
        "caseload": sum(s["caseload"] for s in sections),
        "over_capacity": [n for s in sections for n in s["over_capacity"]],
        "bands": [sum(band) for band in zip(*(s.get("bands", ()) for s in sections), strict=True)],
        "per_phase": {p: sum(s["per_phase"][p] for s in sections) for p in PHASE_KEYS},
    }
    for key in ("cases", "phase2_cases", *SECTION_COUNTS):
        merged[key] = sum(s[key] for s in sections)
    # A case has several partners, so the partners' counts do not add up: each is shown.
    merged["partner_cases_by_member"] = [
        {"organisation": s["organisation"], "count": s["partner_cases"]} for s in sections
    ]
    return merged


def _at(summary: dict, path: tuple[str, ...]) -> int:
    value = summary
    for key in path:
        value = value[key]
    return int(value)  # type: ignore[call-overload]


def columns_published(cells: list[list[int]], totals: list[int]) -> frozenset[int]:
    """The columns whose sum is a figure printed for the whole approach."""
    return frozenset(c for c, total in enumerate(totals) if sum(row[c] for row in cells) == total)


def publish_kwartaal(figures: dict, *, grounds: Sequence[str] = ()) -> dict:
    """The kwartaalmonitor's figures as they may be printed (docs/rules.md R-MON-4):
    the kernpartners whose page would be mostly '<5' folded into one section, and
    every breakdown (per kernpartner, regisseur, region, exit ground) suppressed as a
    table against the figures of the whole approach, which are printed as they are.
    ``grounds`` are the labels of every exit ground, so a ground without exits can
    take a complement. Pure: the same figures give the same publication."""
    if figures.get("published"):
        return figures
    summary = figures["summary"]
    kept = [s for s in figures["kernpartners"] if not folds(s)]
    folded = [s for s in figures["kernpartners"] if folds(s)]
    groups = [{**s, "members": [s["organisation"]]} for s in kept]
    if folded:
        groups.append(_merged(folded, OTHER_KERNPARTNERS))
    sections = [dict(g) for g in groups]

    if groups:
        # Open cases per kernpartner and phase, with the kernpartner's total.
        phase_cells = [[g["per_phase"][p] for p in PHASE_KEYS] for g in groups]
        phase_totals = [int(summary["per_phase"][p]) for p in PHASE_KEYS]
        published = columns_published(phase_cells, phase_totals)
        phases = suppress_table(
            Table(
                phase_cells,
                column_totals=len(published) == len(PHASE_KEYS),
                published_columns=published,
                published_grand=len(published) == len(PHASE_KEYS),
            )
        )
        flow_cells = [[g[k] for k in FLOW_COLUMNS] for g in groups]
        flows = suppress_table(
            Table(
                flow_cells,
                row_totals=False,
                column_totals=False,
                published_columns=columns_published(
                    flow_cells, [int(summary[k]) for k in FLOW_COLUMNS]
                ),
            )
        )
        work_cells = [[g[k] for k, _path in WORK_COLUMNS] for g in groups]
        work = suppress_table(
            Table(
                work_cells,
                row_totals=False,
                column_totals=False,
                published_columns=columns_published(
                    work_cells, [_at(summary, path) for _key, path in WORK_COLUMNS]
                ),
            )
        )
        for row, section in enumerate(sections):
            section["per_phase"] = {p: phases.cell(row, c) for c, p in enumerate(PHASE_KEYS)}
            section["cases"] = phases.row_total(row)
            section["phase2_cases"] = phases.cell(row, PHASE_KEYS.index("2"))
            for c, key in enumerate(FLOW_COLUMNS):
                section[key] = flows.cell(row, c)
            for c, (key, _path) in enumerate(WORK_COLUMNS):
                section[key] = work.cell(row, c)
            # A case has several partners: these counts add up to nothing printed.
            if "partner_cases_by_member" in section:
                section["partner_cases"] = None
                section["partner_cases_by_member"] = [
                    {**member, "count": shown(member["count"])}
                    for member in section["partner_cases_by_member"]
                ]
            else:
                section["partner_cases"] = shown(section["partner_cases"])
            section["caseload"] = section["cases"]
        regisseurs = _publish_roster(figures["regisseurs"], groups, phases)
    else:
        regisseurs = _publish_roster(figures["regisseurs"], [], None)

    return {
        **figures,
        "published": True,
        "summary": {**summary, "outflow_by_ground": _publish_grounds(summary, grounds)},
        "kernpartners": sections,
        "regions": _publish_regions(figures["regions"], summary),
        "regisseurs": regisseurs,
        # Old runs hold no bands: they printed their roster.
        "caseload_bands": None
        if figures.get("roster_printed", True)
        else publish_bands(
            [(g["organisation"], g["bands"]) for g in groups], totals_printed_elsewhere=True
        ),
    }


def _publish_roster(rows: list[dict], groups: list[dict], phases: Suppressed | None) -> list[dict]:
    """The caseload per regisseur: per kernpartner section a one-column table whose
    total is that section's open cases (hidden there or printed there), so the
    regisseurs' lines cannot undo the section's '<5'. The buddy counts add up to
    nothing printed. Free places follow a hidden caseload (they would give it back)."""
    group_of = {member: index for index, g in enumerate(groups) for member in g["members"]}
    published = [dict(row) for row in rows]
    by_group: dict[int | None, list[int]] = {}
    for index, row in enumerate(rows):
        by_group.setdefault(group_of.get(row["organisation"]), []).append(index)
    for group, indexes in by_group.items():
        cells = [[rows[i]["cases"]] for i in indexes]
        hidden_total = (
            phases is not None and group is not None and phases.is_hidden(group, len(PHASE_KEYS))
        )
        table = suppress_table(
            Table(
                cells,
                row_totals=False,
                column_totals=group is not None,
                published_columns=frozenset() if hidden_total else frozenset({0}),
                hidden_columns=frozenset({0}) if hidden_total else frozenset(),
            )
        )
        for position, i in enumerate(indexes):
            row = published[i]
            row["cases"] = table.cell(position, 0)
            row["buddy_cases"] = shown(rows[i]["buddy_cases"])
            if table.is_hidden(position, 0):
                row["free_places"] = "–"
    return published


def _publish_regions(regions: list[dict], summary: dict) -> list[dict]:
    if not regions:
        return []
    cells = [[r["per_phase"][p] for p in PHASE_KEYS] for r in regions]
    totals = [int(summary["per_phase"][p]) for p in PHASE_KEYS]
    published = columns_published(cells, totals)
    complete = len(published) == len(PHASE_KEYS)
    table = suppress_table(
        Table(
            cells,
            column_totals=complete,
            published_columns=published,
            published_grand=complete,
        )
    )
    return [
        {
            "region": region["region"],
            "cases": table.row_total(row),
            "per_phase": {p: table.cell(row, c) for c, p in enumerate(PHASE_KEYS)},
        }
        for row, region in enumerate(regions)
    ]


def _publish_grounds(summary: dict, grounds: Sequence[str]) -> list[dict]:
    """Exits of the quarter per ground, every ground listed (a ground without exits
    can hide a complement), against the quarter's outflow printed beside it."""
    counts = {row["ground"]: int(row["count"]) for row in summary["outflow_by_ground"]}
    if not any(counts.values()):
        return []
    labels = [*grounds, *(g for g in counts if g not in grounds)]
    if not labels:
        return []
    shown_counts = suppress_column(
        [counts.get(label, 0) for label in labels], total=int(summary["outflow"])
    )
    return [{"ground": label, "count": n} for label, n in zip(labels, shown_counts, strict=True)]


def suppress_column(counts: Sequence[int], *, total: int) -> list[int | str]:
    """One column of counts as it may be printed, beside a ``total`` printed elsewhere
    (known to a reader when the counts add up to it)."""
    cells = [[n] for n in counts]
    table = suppress_table(
        Table(
            cells,
            row_totals=False,
            column_totals=False,
            published_columns=columns_published(cells, [total]),
        )
    )
    return [table.cell(row, 0) for row in range(len(cells))]


def publish_bands(
    rows: Sequence[tuple[str, Sequence[int]]], *, totals_printed_elsewhere: bool
) -> dict[str, Any]:
    """The regisseurs per organisation (row) and band (column) as they may be printed:
    suppressed as one table (R-MON-4) with its band totals and, as its grand total,
    the pool's number of regisseurs printed on the monitor's first page. Each row's
    total is printed in the table, or, with ``totals_printed_elsewhere``, it is the
    organisation's number of regisseurs that another table of the monitor prints."""
    cells = [list(counts) for _organisation, counts in rows]
    table = suppress_table(
        Table(
            cells,
            published_rows=frozenset(range(len(cells)))
            if totals_printed_elsewhere
            else frozenset(),
            published_grand=True,
        )
    )
    return {
        "rows": [
            {
                "organisation": organisation,
                "bands": [table.cell(r, c) for c in caseload.BANDS],
                "total": table.row_total(r),
            }
            for r, (organisation, _counts) in enumerate(rows)
        ],
        "totals": [table.column_total(c) for c in caseload.BANDS],
        "total": table.grand_total(),
        "roster_max": caseload.ROSTER_MAX_REGISSEURS,
    }
