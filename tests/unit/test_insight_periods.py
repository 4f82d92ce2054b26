"""Reporting periods: the fixed, disjoint spans demographic tables are published for."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.insights.periods import (
    ReportingPeriod,
    period_of,
    periods_overlapping,
    periods_released_by,
    shift_month,
)
from chalicelib.institution import load_institution
from chalicelib.institution.models import Insights

LENGTHS = (3, 4, 6, 12)


def rules(length: int = 12, start: int = 8) -> Insights:
    return Insights(demographic_period_months=length, reporting_year_start_month=start)  # type: ignore[arg-type]


def test_the_default_is_the_uk_academic_year() -> None:
    default = load_institution().insights
    assert (default.demographic_period_months, default.reporting_year_start_month) == (12, 8)
    assert period_of("2026-03", default) == ReportingPeriod("2025-08", "2026-07")
    assert period_of("2026-08", default) == ReportingPeriod("2026-08", "2027-07")
    assert period_of("2026-07", default).label == "August 2025 to July 2026"


@pytest.mark.parametrize(
    ("length", "start", "month", "expected"),
    [
        (12, 1, "2026-01", ("2026-01", "2026-12")),
        (12, 1, "2026-12", ("2026-01", "2026-12")),
        (12, 8, "2026-07", ("2025-08", "2026-07")),
        (6, 8, "2026-01", ("2025-08", "2026-01")),
        (6, 8, "2026-02", ("2026-02", "2026-07")),
        (4, 8, "2025-12", ("2025-12", "2026-03")),  # across a year boundary
        (4, 8, "2026-03", ("2025-12", "2026-03")),
        (4, 8, "2026-04", ("2026-04", "2026-07")),
        (3, 11, "2026-01", ("2025-11", "2026-01")),
        (3, 11, "2025-11", ("2025-11", "2026-01")),
        (3, 1, "2026-06", ("2026-04", "2026-06")),
        (3, 12, "2000-01", ("1999-12", "2000-02")),
    ],
)
def test_the_period_of_a_month(
    length: int, start: int, month: str, expected: tuple[str, str]
) -> None:
    assert period_of(month, rules(length, start)) == ReportingPeriod(*expected)


@given(
    length=st.sampled_from(LENGTHS),
    start=st.integers(1, 12),
    first=st.integers(0, 12 * 50),
    span=st.integers(1, 60),
)
def test_periods_tile_the_calendar_without_overlapping(
    length: int, start: int, first: int, span: int
) -> None:
    chosen = rules(length, start)
    begin = shift_month("2000-01", first)
    end = shift_month(begin, span - 1)
    periods = periods_overlapping(begin, end, chosen)
    months = [m for p in periods for m in p.months()]
    # Whole periods of the set length, one after the other, covering the range.
    assert all(len(p.months()) == length for p in periods)
    assert months == sorted(set(months))
    assert all(shift_month(a, 1) == b for a, b in pairwise(months))
    assert months[0] <= begin and end <= months[-1]
    assert all(p.start[5:] in _starts(length, start) for p in periods)
    # Every month's period is the one listed for it.
    assert all(period_of(m, chosen) == p for p in periods for m in p.months())


def _starts(length: int, start: int) -> set[str]:
    return {f"{(start - 1 + length * i) % 12 + 1:02d}" for i in range(12 // length)}


def test_a_period_is_published_from_the_second_month_after_it_ends() -> None:
    year = ReportingPeriod("2025-08", "2026-07")
    assert year.published_from == "2026-09"
    assert not year.is_published("2026-07")
    assert not year.is_published("2026-08")  # the grace month
    assert year.is_published("2026-09")
    assert ReportingPeriod("2025-11", "2026-01").published_from == "2026-03"
    assert ReportingPeriod("2026-10", "2026-12").published_from == "2027-02"


def test_periods_released_by_a_month_are_those_past_their_grace_within_the_lookback() -> None:
    quarters = rules(3, 8)
    released = periods_released_by("2026-09", quarters, lookback=12)
    assert [p.key for p in released] == [
        "2025-08/2025-10",
        "2025-11/2026-01",
        "2026-02/2026-04",
        "2026-05/2026-07",
    ]
    # In September the quarter ending in July is out; in October the one ending in October
    # is not (it has not ended), nor in November (its grace month).
    assert periods_released_by("2026-11", quarters, lookback=6)[-1].key == "2026-05/2026-07"
    assert periods_released_by("2026-12", quarters, lookback=6)[-1].key == "2026-08/2026-10"


@pytest.mark.parametrize(
    ("field", "value"),
    [("demographic_period_months", 5), ("demographic_period_months", 24),
     ("reporting_year_start_month", 0), ("reporting_year_start_month", 13)],
)  # fmt: skip
def test_period_settings_outside_their_values_are_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        Insights.model_validate({field: value})
