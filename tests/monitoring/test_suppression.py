"""Suppression that holds (docs/rules.md R-MON-4): small counts read '<5', and no
hidden count can be computed back from the rest of the table and its totals."""

from __future__ import annotations

import random

from monitoring.suppression import (
    OTHER_KERNPARTNERS,
    SUPPRESSED,
    Table,
    folds,
    publish_kwartaal,
    shown,
    suppress_table,
)

from .recovery import recoverable, table_equations


def attack(table: Table) -> set[str]:
    """Suppress ``table`` and return the hidden figures an attacker recovers."""
    result = suppress_table(table)
    rows, columns = table.shape
    names = {}
    for r in range(rows + 1):
        for c in range(columns + 1):
            name = f"{'T' if r == rows else r},{'T' if c == columns else c}"
            names[(r, c)] = name
    row_totals = table.row_totals or bool(table.published_rows)
    column_totals = table.column_totals or bool(table.published_columns)
    equations = table_equations(rows, columns, row_totals=row_totals, column_totals=column_totals)
    if not (table.row_totals and table.column_totals) and not table.published_grand:
        equations = [e for e in equations if "T,T" not in e]
    unknown = {}
    for position, name in names.items():
        r, c = position
        printed = (
            (r < rows and c < columns)
            or (r < rows and (table.row_totals or r in table.published_rows))
            or (c < columns and r == rows and (table.column_totals or c in table.published_columns))
            or (
                r == rows
                and c == columns
                and (table.published_grand or (table.row_totals and table.column_totals))
            )
        )
        if not printed or result.is_hidden(r, c):
            unknown[name] = _value(table, r, c)
    hidden = {names[p] for p in result.hidden}
    return recoverable(equations, unknown) & hidden


def _value(table: Table, r: int, c: int) -> int:
    rows, columns = table.shape
    cells = table.cells
    if r < rows and c < columns:
        return cells[r][c]
    if r < rows:
        return sum(cells[r])
    if c < columns:
        return sum(row[c] for row in cells)
    return sum(map(sum, cells))


def test_a_count_from_one_to_four_reads_less_than_five_and_a_zero_stays_zero():
    assert [shown(n) for n in (0, 1, 4, 5, 17)] == [0, SUPPRESSED, SUPPRESSED, 5, 17]
    result = suppress_table(Table([[0, 3, 12]], row_totals=False, column_totals=False))
    assert [result.cell(0, c) for c in range(3)] == [0, SUPPRESSED, 12]


def test_one_small_cell_takes_the_cheapest_rectangle_of_complements_with_it():
    # Phases per kernpartner, the column totals and the grand total printed in the summary.
    table = Table(
        [[10, 2, 7], [8, 9, 6], [5, 5, 12]],
        published_columns=frozenset({0, 1, 2}),
        published_grand=True,
    )
    result = suppress_table(table)
    # Hiding 10, 5 and 5 costs less than any other cycle through the 2.
    assert result.hidden == {(0, 1), (0, 0), (2, 0), (2, 1)}
    assert [result.row_total(r) for r in range(3)] == [19, 23, 22]
    assert attack(table) == set()


def test_the_issues_leak_a_row_total_minus_the_visible_cells_is_closed():
    # GGD with 2 cases beside OOV with 20: hiding the 2 alone, 22 - 20 gives it back.
    table = Table([[20], [2]], row_totals=False, published_columns=frozenset({0}))
    result = suppress_table(table)
    assert result.cell(1, 0) == SUPPRESSED and result.cell(0, 0) == SUPPRESSED
    assert attack(table) == set()


def test_a_hidden_total_is_protected_like_a_cell():
    # Two regions: the small one's total would follow from the grand total minus the other's.
    table = Table(
        [[9, 29, 5], [1, 2, 0]], published_columns=frozenset({0, 1, 2}), published_grand=True
    )
    result = suppress_table(table)
    assert result.row_total(1) == SUPPRESSED and result.row_total(0) == SUPPRESSED
    assert attack(table) == set()


def test_counts_at_their_bound_are_not_given_away_by_non_negativity():
    # Hiding 0 and 3 in a column of total 3 leaves 0+3, 1+2, ...: undetermined. Hiding
    # the 3 with a 0 whose row says it is 0 would not be.
    table = Table([[3, 6], [0, 8]], published_columns=frozenset({0, 1}), published_grand=True)
    assert attack(table) == set()


def test_random_tables_never_give_a_hidden_count_back():
    rng = random.Random(20)
    checked = 0
    for _ in range(150):
        rows, columns = rng.randint(1, 4), rng.randint(1, 4)
        cells = [
            [rng.choice((0, 1, 2, 3, 4, 5, 7, 9, 12)) for _ in range(columns)] for _ in range(rows)
        ]
        kind = rng.choice(("both", "published", "rows", "none"))
        if kind == "both":
            table = Table(cells)
        elif kind == "published":
            table = Table(
                cells,
                published_columns=frozenset(range(columns)),
                published_grand=True,
            )
        elif kind == "rows":
            table = Table(cells, column_totals=False)
        else:
            table = Table(cells, row_totals=False, column_totals=False)
        result = suppress_table(table)
        for r in range(rows):
            for c in range(columns):
                if 0 < cells[r][c] < 5:
                    assert result.is_hidden(r, c)
        lost = attack(table)
        # What the published totals give away on their own cannot be helped, and is no
        # news: a one-row or one-column table whose total is published.
        if kind == "published" and (rows == 1 or columns == 1):
            continue
        assert lost == set(), (cells, kind, sorted(result.hidden), lost)
        checked += 1
    assert checked > 100


def section(name: str, phases: tuple[int, int, int], **counts: int) -> dict:
    base = dict.fromkeys(
        (
            "inflow",
            "outflow",
            "uvo_on_time",
            "plans_running",
            "plans_evaluated_on_time",
            "interventions_overdue",
            "uvo_actions_overdue",
            "partner_cases",
        ),
        0,
    )
    base.update(counts)
    return {
        "organisation": name,
        "regisseurs": 1,
        "fte": "1.0",
        "capacity": 12,
        "caseload": sum(phases),
        "over_capacity": [],
        "cases": sum(phases),
        "per_phase": dict(zip(("1", "2", "3"), phases, strict=True)),
        "phase2_cases": phases[1],
        **base,
    }


def figures_of(sections: list[dict], regisseurs: list[dict]) -> dict:
    per_phase = {p: sum(s["per_phase"][p] for s in sections) for p in ("1", "2", "3")}
    return {
        "summary": {
            "per_phase": per_phase,
            "inflow": sum(s["inflow"] for s in sections),
            "outflow": sum(s["outflow"] for s in sections),
            "uvo": {"on_time": sum(s["uvo_on_time"] for s in sections)},
            "plans": {
                "running": sum(s["plans_running"] for s in sections),
                "evaluated_on_time": sum(s["plans_evaluated_on_time"] for s in sections),
            },
            "interventions_overdue": 0,
            "uvo_actions_overdue": 0,
            "outflow_by_ground": [],
        },
        "kernpartners": sections,
        "regisseurs": regisseurs,
        "regions": [],
    }


def regisseur(name: str, organisation: str, cases: int) -> dict:
    return {
        "name": name,
        "organisation": organisation,
        "cases": cases,
        "buddy_cases": 6,
        "capacity": 12,
        "free_places": 12 - cases,
        "over_capacity": False,
    }


def test_a_page_of_mostly_less_than_five_is_folded_and_partners_are_counted_apart():
    big = section("OOV", (6, 14, 5), inflow=6, outflow=5, uvo_on_time=12, partner_cases=9)
    small = section("GGD", (0, 2, 1), partner_cases=3, uvo_on_time=2)
    empty = section("NCTV", (0, 0, 0))
    assert not folds(big) and folds(small) and folds(empty)
    published = publish_kwartaal(
        figures_of([big, small, empty], [regisseur("A", "OOV", 25), regisseur("B", "GGD", 3)])
    )
    names = [s["organisation"] for s in published["kernpartners"]]
    assert names == ["OOV", OTHER_KERNPARTNERS]
    other = published["kernpartners"][1]
    # The partner counts do not add up (a case has several partners): shown per member.
    assert other["partner_cases"] is None
    assert other["partner_cases_by_member"] == [
        {"organisation": "GGD", "count": SUPPRESSED},
        {"organisation": "NCTV", "count": 0},
    ]


def test_the_roster_cannot_undo_a_kernpartners_less_than_five():
    """The issue's leak: GGD's '<5' in its section, and its regisseur's 2 cases on the
    roster. Per kernpartner the roster's cases add up to the section's total, so the
    roster hides with it, and a regisseur among others takes a complement."""
    sections = [
        section("OOV", (5, 12, 6), inflow=6, uvo_on_time=12, plans_running=6),
        section("OM", (0, 10, 0), uvo_on_time=10, plans_running=7, partner_cases=8),
        section("RN", (0, 7, 0), uvo_on_time=7, plans_running=6, partner_cases=7),
    ]
    roster = [
        regisseur("A", "OOV", 20),
        regisseur("B", "OOV", 3),
        regisseur("C", "OM", 7),
        regisseur("D", "OM", 3),
        regisseur("E", "RN", 7),
    ]
    published = publish_kwartaal(figures_of(sections, roster))
    cases = {r["name"]: r["cases"] for r in published["regisseurs"]}
    assert cases == {"A": SUPPRESSED, "B": SUPPRESSED, "C": SUPPRESSED, "D": SUPPRESSED, "E": 7}
    # Free places would give a hidden caseload back.
    assert all(r["free_places"] == "–" for r in published["regisseurs"] if r["cases"] == SUPPRESSED)
    totals = {s["organisation"]: s["cases"] for s in published["kernpartners"]}
    assert totals == {"OOV": 23, "OM": 10, "RN": 7}
    # The attacker's equations: per kernpartner its regisseurs add up to its total.
    equations = [{"A": 1, "B": 1, "OOV": -1}, {"C": 1, "D": 1, "OM": -1}]
    assert recoverable(equations, {"A": 20, "B": 3, "C": 7, "D": 3}) == set()
