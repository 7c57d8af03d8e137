"""An attacker's attempt at a suppressed table: given what is printed (counts, '<5'
and the totals), try to compute a hidden count back.

Independent of monitoring/suppression.py on purpose: it writes the printed figures
as linear equations (each printed total is the sum of its parts) and asks, for each
hidden count, (1) whether the equations fix it (exact Gaussian elimination over the
rationals), and (2) whether the equations and "no count is negative" still allow
another whole value (a search over small integer combinations of the null space).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

HIDDEN = "<5"


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(row) for row in rows]
    count, column_count = 0, len(matrix[0]) if matrix else 0
    for column in range(column_count):
        pivot = next((r for r in range(count, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[count], matrix[pivot] = matrix[pivot], matrix[count]
        for r in range(len(matrix)):
            if r != count and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[count][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[count], strict=True)]
        count += 1
    return count


def null_space(rows: list[list[Fraction]], size: int) -> list[list[Fraction]]:
    """A basis of {v : rows . v = 0}, by reduced row echelon form."""
    matrix = [list(row) for row in rows]
    pivots: list[int] = []
    r = 0
    for column in range(size):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][column] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][column]
        matrix[r] = [a / lead for a in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][column] != 0:
                factor = matrix[i][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(column)
        r += 1
    basis = []
    for free in (c for c in range(size) if c not in pivots):
        vector = [Fraction(0)] * size
        vector[free] = Fraction(1)
        for row, column in enumerate(pivots):
            vector[column] = -matrix[row][free]
        basis.append(vector)
    return basis


def recoverable(equations: list[dict[str, int]], values: dict[str, int]) -> set[str]:
    """The hidden figures an attacker gets back.

    ``equations``: each a linear relation between printed figures, as coefficients
    by figure name, summing to 0 (e.g. ``{"a": 1, "b": 1, "total": -1}``).
    ``values``: the true value of every hidden figure (names not in it are printed).
    """
    names = sorted(values)
    index = {name: i for i, name in enumerate(names)}
    rows = []
    for equation in equations:
        row = [Fraction(0)] * len(names)
        for name, coefficient in equation.items():
            if name in index:
                row[index[name]] += coefficient
        if any(row):
            rows.append(row)
    if not names:
        return set()
    basis = (
        null_space(rows, len(names))
        if rows
        else [[Fraction(int(i == j)) for j in range(len(names))] for i in range(len(names))]
    )
    found = set()
    for name in names:
        i = index[name]
        if not any(vector[i] for vector in basis):
            found.add(name)  # fixed by the equations alone
            continue
        if not _moves(basis, names, values, i):
            found.add(name)  # fixed once no count may be negative
    return found


def _moves(basis, names, values, i) -> bool:
    """Whether some small whole combination of the null space changes figure ``i``
    and keeps every hidden count at 0 or more."""
    current = [values[name] for name in names]
    scaled = []
    for vector in basis:
        denominator = 1
        for a in vector:
            denominator = denominator * a.denominator // _gcd(denominator, a.denominator)
        scaled.append([int(a * denominator) for a in vector])
    relevant = scaled
    for size in (1, 2, 3):
        for combo in itertools.combinations(range(len(relevant)), size):
            for factors in itertools.product((-2, -1, 1, 2), repeat=size):
                change = [
                    sum(f * relevant[c][k] for f, c in zip(factors, combo, strict=True))
                    for k in range(len(names))
                ]
                if change[i] and all(v + d >= 0 for v, d in zip(current, change, strict=True)):
                    return True
    return False


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def table_equations(
    rows: int, columns: int, *, row_totals: bool, column_totals: bool
) -> list[dict[str, int]]:
    """The equations of a table whose cells are named 'r,c', row totals 'r,T', column
    totals 'T,c' and the grand total 'T,T'. A total that is not printed is left out
    of the equations (it is an unknown with nothing else in its equation)."""
    equations: list[dict[str, int]] = []
    if row_totals:
        equations.extend(
            {**{f"{r},{c}": 1 for c in range(columns)}, f"{r},T": -1} for r in range(rows)
        )
    if column_totals:
        equations.extend(
            {**{f"{r},{c}": 1 for r in range(rows)}, f"T,{c}": -1} for c in range(columns)
        )
    if row_totals and column_totals:
        equations.append({**{f"{r},T": 1 for r in range(rows)}, "T,T": -1})
        equations.append({**{f"T,{c}": 1 for c in range(columns)}, "T,T": -1})
    return equations
