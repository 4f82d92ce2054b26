"""What the dashboard reads: packed snapshots of the counters, and frozen demographic releases.

The counters (a month's item, the caseload's) stay what the job ADDs to atomically. After
each run the job copies every counter item it changed into a snapshot next to it (same
partition): one string attribute, `counters`, holding the counters as compact JSON, read
consistently from the counter item just before. The dashboard reads only snapshots, so a
read parses one string per month instead of deserialising every counter attribute — its cost
no longer follows how many counters exist (precomputed, not scanned on request). Month
snapshots leave out the demographic cells: those reach a reader only through a release.

A crash between a counter commit and its snapshot must not leave the snapshot stale for
good: before its first commit to an item, a run adds the item's partition to the job
record's `to_snapshot` set, and removes it only after writing the snapshot. The next run
starts by re-snapshotting whatever is left in that set.

A release is one reporting period's demographic cells, summed over its months from
consistent reads of the counters, written once (conditional on not existing) by a complete
run once the period's grace has passed (`chalicelib/insights/periods.py`), and never
rewritten. A report counted later still adds to its month's counters, but never to a
released table: that is what makes every table an analyst can see the same whenever it is
read.

The items and their keys are `chalicelib.storage.insights_table`'s; this module decides what
is copied, released and when.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.clock import Clock, iso
from chalicelib.insights.contributions import DEMOGRAPHIC, month_of
from chalicelib.insights.periods import ReportingPeriod, periods_released_by
from chalicelib.institution.models import Institution
from chalicelib.storage.insights_table import InsightsTable, is_month

#: Periods that ended up to this many months ago are released if missing (the longest
#: range the dashboard answers for).
RELEASE_LOOKBACK_MONTHS = 36


@dataclass
class Publisher:
    """Writes snapshots and releases. Takes its table, institution and clock."""

    table: InsightsTable
    institution: Institution
    clock: Clock

    # --- snapshots -----------------------------------------------------------------------

    def left_to_snapshot(self) -> set[str]:
        """Partitions a run marked and did not snapshot (it crashed, or is still running)."""
        return self.table.left_to_snapshot()

    def mark(self, partitions: Iterable[str]) -> None:
        """Note partitions about to change, before the change is committed."""
        names = sorted(set(partitions))
        if names:
            self.table.mark_to_snapshot(names)

    def snapshot(self, partitions: Iterable[str]) -> int:
        """Copy each partition's counters into its snapshot, then unmark them; how many."""
        names = sorted(set(partitions))
        for partition in names:
            counters = self.table.counters(partition)
            if is_month(partition):
                counters = {
                    name: n for name, n in counters.items() if not name.startswith(DEMOGRAPHIC)
                }
            self.table.put_snapshot(partition, counters, iso(self.clock.now()))
        if names:
            self.table.unmark_to_snapshot(names)
        return len(names)

    # --- releases -------------------------------------------------------------------------

    def release_due(self, as_of: datetime) -> int:
        """Release every period whose grace has passed by `as_of` and that has no release
        yet; how many were released now. Call only after a run that counted everything."""
        this_month = month_of(iso(as_of), self.institution.time_zone)
        periods = periods_released_by(
            this_month, self.institution.insights, RELEASE_LOOKBACK_MONTHS
        )
        existing = self.table.released([p.key for p in periods])
        released = 0
        for period in periods:
            if period.key in existing:
                continue
            released += self._release(period, as_of)
        return released

    def _release(self, period: ReportingPeriod, as_of: datetime) -> int:
        cells: Counter[str] = Counter()
        for counters in self.table.month_counters(period.months()):
            cells.update({name: n for name, n in counters.items() if name.startswith(DEMOGRAPHIC)})
        # Another run may have released it first: it stays as that run wrote it.
        return 1 if self.table.put_release(period.key, cells, iso(as_of)) else 0
