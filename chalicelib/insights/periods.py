"""Reporting periods: the fixed, disjoint spans of months demographic tables are published for.

Why fixed periods. Suppression protects one table at a time. If tables were cut for any
range an analyst asks for, and from counts that keep growing, two tables could be
subtracted — January to December minus January to November, or "this year so far" read on
Monday minus the same read on Tuesday — and the difference could show a cell that each
table alone suppresses, even one person's answers. So a demographic table only ever covers
a whole reporting period that has ended; the periods tile the calendar without overlapping
(`insights.demographic_period_months` of 3, 4, 6 or 12 months, from
`insights.reporting_year_start_month`); and each period's table is frozen when it is
released (`chalicelib/insights/publishing.py`), so two reads, whatever their ranges and
moments, give for each period the same table or none at all.

Why a grace month. A report submitted on a period's last day is counted by the next
`build_insights` run (every 15 minutes), but only once triage has marked it, and triage can
be late: a stuck queue is re-driven by `redrive_outbox`, a failing job catches up at 2,000
reports a run. A period is therefore released only from the first day of the second month
after it ends (`GRACE_MONTHS`), and only by a run that found nothing left to count. It is a
constant, not a setting: it protects the people in the table, and shortening it would only
let a late report miss its period's table for good (a frozen table never changes).

Months are `yyyy-mm` in the institution's time zone, compared as strings.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from chalicelib.institution.models import Insights

#: Whole months between a period's end and its release (see the module's docstring).
GRACE_MONTHS = 1
_MONTH_NAMES = calendar.month_name[1:]


def month_parts(month: str) -> tuple[int, int]:
    """`yyyy-mm` as (year, month)."""
    year, number = month.split("-")
    return int(year), int(number)


def shift_month(month: str, by: int) -> str:
    """The month `by` months after `month` (before, if negative)."""
    year, number = month_parts(month)
    index = year * 12 + number - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_label(month: str) -> str:
    """`2026-01` as "January 2026"."""
    year, number = month_parts(month)
    return f"{_MONTH_NAMES[number - 1]} {year}"


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """One reporting period: whole months, `start` to `end` inclusive (`yyyy-mm`)."""

    start: str
    end: str

    @property
    def label(self) -> str:
        """How people name it: "August 2025 to July 2026" (or one month's name)."""
        if self.start == self.end:
            return month_label(self.start)
        return f"{month_label(self.start)} to {month_label(self.end)}"

    @property
    def key(self) -> str:
        """Its name in keys and CSV: `2025-08/2026-07`."""
        return f"{self.start}/{self.end}"

    @property
    def published_from(self) -> str:
        """The first month in which it may be released (a grace after its end)."""
        return shift_month(self.end, 1 + GRACE_MONTHS)

    def months(self) -> list[str]:
        """Every month of the period, in order."""
        found = [self.start]
        while found[-1] < self.end:
            found.append(shift_month(found[-1], 1))
        return found

    def is_published(self, this_month: str) -> bool:
        """Whether its grace has passed by `this_month`."""
        return this_month >= self.published_from


def period_of(month: str, rules: Insights) -> ReportingPeriod:
    """The reporting period a month belongs to."""
    length = rules.demographic_period_months
    year, number = month_parts(month)
    # Months counted from the first period that starts in year 0: integer division then
    # handles every year boundary (a period from November to January, say) alike.
    offset = year * 12 + number - 1 - (rules.reporting_year_start_month - 1)
    first = (offset // length) * length + rules.reporting_year_start_month - 1
    start = f"{first // 12:04d}-{first % 12 + 1:02d}"
    return ReportingPeriod(start, shift_month(start, length - 1))


def periods_overlapping(start: str, end: str, rules: Insights) -> list[ReportingPeriod]:
    """Every reporting period with at least one month in `start`..`end`, in order."""
    found = [period_of(start, rules)]
    while found[-1].end < end:
        found.append(period_of(shift_month(found[-1].end, 1), rules))
    return found


def periods_released_by(this_month: str, rules: Insights, lookback: int) -> list[ReportingPeriod]:
    """The periods whose grace has passed by `this_month` and that ended at most `lookback`
    months before it, in order (the ones a release run makes sure exist)."""
    last = period_of(shift_month(this_month, -(1 + GRACE_MONTHS)), rules)
    return [
        period
        for period in periods_overlapping(shift_month(this_month, -lookback), last.end, rules)
        if period.is_published(this_month)
    ]
