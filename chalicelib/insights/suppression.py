"""Small-cell suppression of a two-way table of counts with additive margins. Pure.

A table (rows: a demographic question's options; columns: behaviour types) is published
with its row totals, column totals and grand total, where each total is the sum of its
line. A count below the threshold `k` could single someone out, so it is suppressed
(primary suppression). Because the totals add up, one suppressed entry in a line could be
worked out from the others; more entries are suppressed until none can be (complementary
suppression).

"Cannot be worked out" is exact here, not a rule of thumb. Think of the table with its
margins as an (m+1) x (n+1) grid in which every row line and every column line sums to
zero once the totals are given a minus sign (and the grand total a plus). Someone who
knows every published value and that counts are never negative knows a suppressed entry
exactly if and only if no feasible change of the suppressed entries moves it. Feasible
changes are made of alternating +/- cycles through suppressed entries (the constraint
matrix is a network matrix), and a cycle may only take from an entry that is above zero.
So an entry is safe if and only if a directed cycle runs through it in the graph whose
vertices are the lines and whose arcs are the suppressed entries, each arc allowed in the
direction(s) that keep its count non-negative. `is_safe` checks that with a graph search;
the property tests check the same claim independently with a linear program.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

Entry = tuple[int, int]


@dataclass(frozen=True)
class SuppressedTable:
    """A table as published: `None` wherever a value is suppressed."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


def suppress(cells: Sequence[Sequence[int]], k: int) -> SuppressedTable:
    """Publish `cells` (m rows x n columns, counts >= 0) with margins, suppressing to `k`.

    Every published value is at least `k`; no suppressed value can be derived from the
    published ones. Deterministic: the same table always gives the same pattern.
    """
    grid = _augmented(cells)
    rows, columns = len(grid), len(grid[0])
    hidden = {(i, j) for i in range(rows) for j in range(columns) if grid[i][j] < k}
    # Suppressing more only adds ways to move, so an entry once safe stays safe: each entry
    # is checked until it is, and each complement is checked in its turn.
    todo = sorted(hidden, reverse=True)
    while todo:
        entry = todo.pop()
        if not is_safe(grid, hidden, entry):
            complement = _complement(grid, hidden, entry)
            hidden.add(complement)
            todo += [complement, entry]
    m, n = rows - 1, columns - 1

    def shown(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else grid[i][j]

    return SuppressedTable(
        cells=[[shown(i, j) for j in range(n)] for i in range(m)],
        row_totals=[shown(i, n) for i in range(m)],
        column_totals=[shown(m, j) for j in range(n)],
        total=shown(m, n),
    )


def is_safe(grid: Sequence[Sequence[int]], hidden: set[Entry], entry: Entry) -> bool:
    """Whether a suppressed entry of the augmented grid could take more than one value.

    `grid` is the (m+1) x (n+1) table with row totals in the last column and column totals
    (and the grand total) in the last row; `hidden` is the set of suppressed entries.
    """
    i, j = entry
    up, down = _directions(grid, entry)
    row, column = ("R", i), ("C", j)
    # Raising the entry's signed value goes row -> column; the cycle must come back.
    if up and _reaches(grid, hidden, column, row, avoid=entry):
        return True
    return down and _reaches(grid, hidden, row, column, avoid=entry)


def _augmented(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    if not cells or not cells[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(cells[0])
    if any(len(row) != width for row in cells):
        raise ValueError("every row needs the same number of columns")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("counts are never negative")
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def _sign(grid: Sequence[Sequence[int]], entry: Entry) -> int:
    # Margins carry a minus so every line sums to zero; the grand total is in two margins.
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    return -1 if (entry[0] == last_row) != (entry[1] == last_column) else 1


def _directions(grid: Sequence[Sequence[int]], entry: Entry) -> tuple[bool, bool]:
    """May the entry's signed value go up, and down, without its count going below zero?"""
    positive = grid[entry[0]][entry[1]] > 0
    sign = _sign(grid, entry)
    return (sign > 0 or positive), (sign < 0 or positive)


def _reaches(
    grid: Sequence[Sequence[int]],
    hidden: set[Entry],
    start: tuple[str, int],
    goal: tuple[str, int],
    avoid: Entry,
) -> bool:
    arcs: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for entry in hidden:
        if entry == avoid:
            continue
        up, down = _directions(grid, entry)
        row, column = ("R", entry[0]), ("C", entry[1])
        if up:
            arcs.setdefault(row, []).append(column)
        if down:
            arcs.setdefault(column, []).append(row)
    seen = {start}
    todo = deque([start])
    while todo:
        vertex = todo.popleft()
        if vertex == goal:
            return True
        for following in arcs.get(vertex, ()):
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return False


def _complement(grid: Sequence[Sequence[int]], hidden: set[Entry], pinned: Entry) -> Entry:
    """The published entry to suppress next so that `pinned` stops being derivable.

    An entry anywhere that makes it safe at once comes first (interior cells before totals,
    then the smallest count): the corner that closes a rectangle of suppressed cells is
    rarely in the pinned entry's own lines, and looking only there suppressed whole lines
    and their totals where four cells would do. Failing that, an entry in the pinned
    entry's own lines (or, when they are all suppressed, any), interior cells first.
    """
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    published = [
        (i, j) for i in range(len(grid)) for j in range(len(grid[0])) if (i, j) not in hidden
    ]
    nearby = [e for e in published if e[0] == pinned[0] or e[1] == pinned[1]] or published

    def cost(entry: Entry) -> tuple[bool, int, Entry]:
        # Totals are what readers of a table look at first; a cell is the cheaper loss.
        margin = entry[0] == last_row or entry[1] == last_column
        return margin, grid[entry[0]][entry[1]], entry

    closing = (e for e in sorted(published, key=cost) if is_safe(grid, hidden | {e}, pinned))
    return next(closing, min(nearby, key=cost))
