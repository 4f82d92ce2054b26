"""Summaries of samples and the rows of the printed table.

Medians and 95th percentiles only: on a shared machine a mean is dragged around by the odd
scheduler hiccup, and one slow sample should not move a figure that is compared to a goal.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def median(samples: Sequence[float]) -> float:
    """The median of the samples."""
    return float(statistics.median(samples))


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile of the samples (inclusive method: stays inside the data)."""
    if len(samples) < 2:
        return float(samples[0])
    return float(statistics.quantiles(samples, n=100, method="inclusive")[94])


def median_p95_text(samples_s: Sequence[float], decimals: int) -> str:
    """`median (p95 …)` of wall times given in seconds, in ms, for a table cell."""
    return f"{median(samples_s) * 1000:.{decimals}f} (p95 {p95(samples_s) * 1000:.{decimals}f})"


def summary_ms(samples_s: Sequence[float]) -> dict[str, float | int]:
    """Median, p95, minimum and count of wall times given in seconds, reported in ms."""
    return {
        "median_ms": round(median(samples_s) * 1000, 3),
        "p95_ms": round(p95(samples_s) * 1000, 3),
        "min_ms": round(min(samples_s) * 1000, 3),
        "count": len(samples_s),
    }


@dataclass(frozen=True)
class Row:
    """One line of the printed table: a figure, its floor and its goal."""

    benchmark: str
    measured: str
    floor: str
    ratio: str
    goal: str
    #: None when the figure has no goal (it is reported, not judged).
    met: bool | None


_HEADERS = ("benchmark", "measured", "floor", "ratio", "goal", "met?")


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a plain-text table with aligned columns."""
    cells = [_HEADERS] + [
        (r.benchmark, r.measured, r.floor, r.ratio, r.goal, _verdict(r.met)) for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _verdict(met: bool | None) -> str:
    return "-" if met is None else "yes" if met else "NO"
