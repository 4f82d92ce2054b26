"""Small-cell suppression: examples, and properties checked against a linear program.

The properties are the promise made to the people in the table: (1) nothing below the
threshold is published; (2) no suppressed value can be worked out from what is published
and the fact that counts are never negative. (2) is checked independently of the
algorithm's own graph argument: for every suppressed entry a linear program finds its
smallest and largest value consistent with every published value, and the two must differ.
(The constraints form a network matrix, so those bounds are whole numbers: differing means
at least two possible counts.)
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from chalicelib.insights.suppression import SuppressedTable, suppress
from chalicelib.institution import load_institution

K = 5


def published_grid(table: SuppressedTable) -> list[list[int | None]]:
    """The published table as an (m+1) x (n+1) grid with its margins."""
    rows: list[list[int | None]] = [
        [*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)
    ]
    rows.append([*table.column_totals, table.total])
    return rows


def feasible_ranges(grid: list[list[int | None]]) -> dict[tuple[int, int], tuple[float, float]]:
    """(min, max) of every suppressed entry given the published ones, counts >= 0."""
    unknown = [(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v is None]
    if not unknown:
        return {}
    index = {entry: position for position, entry in enumerate(unknown)}
    rows, columns = len(grid), len(grid[0])
    lines = [[(i, j) for j in range(columns)] for i in range(rows)]
    lines += [[(i, j) for i in range(rows)] for j in range(columns)]
    equations: list[list[float]] = []
    constants: list[float] = []
    for line in lines:
        *parts, total = line
        coefficients = [0.0] * len(unknown)
        constant = 0.0
        for entry, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            value = grid[entry[0]][entry[1]]
            if value is None:
                coefficients[index[entry]] += sign
            else:
                constant -= sign * value
        equations.append(coefficients)
        constants.append(constant)
    ranges = {}
    for entry, position in index.items():
        objective = [0.0] * len(unknown)
        objective[position] = 1.0
        low = _solve(objective, equations, constants)
        high = _solve([-c for c in objective], equations, constants)
        ranges[entry] = (low, float("inf") if high is None else -high)
    return ranges


def _solve(objective: list[float], equations: Any, constants: Any) -> Any:
    result = linprog(objective, A_eq=equations, b_eq=constants, bounds=(0, None), method="highs")
    if result.status == 3:  # unbounded
        return None
    assert result.status == 0, result.message
    return float(result.fun)


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 40)),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(cells=tables, k=st.integers(2, 6))
def test_no_published_value_is_below_the_threshold_and_published_values_are_true(
    cells: list[list[int]], k: int
) -> None:
    table = suppress(cells, k)
    truth = [[*row, sum(row)] for row in cells]
    truth.append([sum(row[j] for row in truth) for j in range(len(truth[0]))])
    for published, true in zip(published_grid(table), truth, strict=True):
        for value, actual in zip(published, true, strict=True):
            assert value is None or (value == actual and value >= k)


@settings(max_examples=300, deadline=None)
@given(cells=tables, k=st.integers(2, 6))
def test_no_suppressed_value_can_be_worked_out_from_the_published_ones(
    cells: list[list[int]], k: int
) -> None:
    grid = published_grid(suppress(cells, k))
    for entry, (low, high) in feasible_ranges(grid).items():
        assert high - low >= 1 - 1e-6, f"{entry} is pinned to {low} in {grid}"


def test_a_table_of_large_counts_is_published_whole() -> None:
    table = suppress([[10, 20], [30, 40]], K)
    assert table == SuppressedTable([[10, 20], [30, 40]], [30, 70], [40, 60], 100)


def test_a_lone_small_cell_takes_others_with_it_in_its_row_and_column() -> None:
    table = suppress([[3, 20, 30], [12, 15, 40], [25, 35, 45]], K)
    assert table.cells[0][0] is None
    row = [*table.cells[0], table.row_totals[0]]
    column = [row_[0] for row_ in table.cells] + [table.column_totals[0]]
    assert sum(value is None for value in row) >= 2
    assert sum(value is None for value in column) >= 2
    assert table.total == 225


def test_a_zero_is_suppressed_and_cannot_be_confirmed_as_zero() -> None:
    table = suppress([[0, 50], [60, 70]], K)
    grid = published_grid(table)
    assert table.cells[0][0] is None
    assert all(high - low >= 1 for low, high in feasible_ranges(grid).values())


def test_the_textbook_attack_on_one_suppressed_cell_fails() -> None:
    # Without complementary suppression, 30 - 20 - 7... the row total would give it away.
    table = suppress([[2, 20], [20, 20]], K)
    assert table.cells[0][0] is None
    assert table.cells[0][1] is None or table.row_totals[0] is None


def test_a_table_whose_every_count_is_small_publishes_nothing_small() -> None:
    table = suppress([[1, 2], [0, 1]], K)
    assert table == SuppressedTable([[None, None], [None, None]], [None, None], [None, None], None)


def test_the_institution_suppresses_below_five() -> None:
    assert load_institution().insights.suppression_threshold == 5


_ = None
#: Tables at the threshold k = 5 and what is published: (cells, cells as published, row
#: totals, column totals, grand total). Only a count below k is hidden for itself; a count
#: of k or more is hidden only as a complement, to stop a hidden one being worked out.
AT_THRESHOLD = {
    "one cell at k-1 is hidden": ([[4]], [[_]], [_], [_], _),
    "one cell at k is shown": ([[5]], [[5]], [5], [5], 5),
    "one cell at k+1 is shown": ([[6]], [[6]], [6], [6], 6),
    # a small cell takes the three that close a rectangle with it; every total stays
    "k-1 among large counts": (
        [[4, 20], [20, 20]],
        [[_, _], [_, _]],
        [24, 40],
        [24, 40],
        64,
    ),
    "k among large counts": ([[5, 20], [20, 20]], [[5, 20], [20, 20]], [25, 40], [25, 40], 65),
    "k+1 among large counts": ([[6, 20], [20, 20]], [[6, 20], [20, 20]], [26, 40], [26, 40], 66),
    "a column of k and k": ([[5, 30], [5, 30]], [[5, 30], [5, 30]], [35, 35], [10, 60], 70),
    # a row total of exactly k is published although both its cells are hidden
    "a row total at k": ([[2, 3], [20, 20]], [[_, _], [_, _]], [5, 40], [22, 23], 45),
    # the k in the small cell's column is the cheapest complement; the rest of its
    # rectangle is the first column, and the column total of 9 is published
    "a cell at k hidden as a complement": (
        [[20, 4, 20], [20, 5, 20]],
        [[_, _, 20], [_, _, 20]],
        [44, 45],
        [40, 9, 40],
        89,
    ),
    # a row total below k is hidden, and the other row total with it; the cells go too
    "a row total at k-1": ([[2, 2], [20, 20]], [[_, _], [_, _]], [_, _], [22, 22], 44),
    # one small cell of a 3x3 takes a 2x2 rectangle: the smallest cells of its own lines
    # (12 and 20) and the one that closes it (15); the third row and column stay whole
    "a small cell in a 3x3": (
        [[3, 20, 30], [12, 15, 40], [25, 35, 45]],
        [[_, _, 30], [_, _, 40], [25, 35, 45]],
        [53, 67, 105],
        [40, 70, 115],
        225,
    ),
}


@pytest.mark.parametrize(
    ("cells", "shown", "row_totals", "column_totals", "total"),
    list(AT_THRESHOLD.values()),
    ids=list(AT_THRESHOLD),
)
def test_at_the_threshold_only_counts_below_k_are_hidden_for_themselves(
    cells: list[list[int]],
    shown: list[list[int | None]],
    row_totals: list[int | None],
    column_totals: list[int | None],
    total: int | None,
) -> None:
    assert suppress(cells, K) == SuppressedTable(shown, row_totals, column_totals, total)


@pytest.mark.parametrize("cells", [[], [[]], [[1, 2], [3]], [[-1]]])
def test_a_malformed_table_is_refused(cells: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        suppress(cells, K)
