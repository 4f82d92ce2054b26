"""The `build_insights` job: incremental counters, never a scan.

Every change to a report marks it (`chalicelib.insight_marks`), which puts it in the sparse
index `insight_pending`. Each run reads that index (a bounded batch), and for each report:

1. works out the counter keys it contributes now (`contributions.counter_keys`) and
   compares them with `insight_counted`, the keys it was last counted under;
2. in ONE transaction: ADDs +1 / -1 to the counters that differ (one update of the
   report's month item, and one of the caseload item if its team's count moves: counters
   are top-level number attributes, see `contributions`), SETs `insight_counted` and
   REMOVEs the mark, on condition that the report's `insight_changed_at` and version
   are what was read. A crash before the commit changes nothing; a retry, a second run or
   a case change in between fails the condition and leaves the report marked for the next
   pass. So no change is counted twice or lost.

Demographics are the job's alone: it holds the only `Sealer` that can open the `insight`
key. A report's demographics are counted once, when first seen: the demographics item is
unsealed, its answers ADDed to the crosstab cells of the submission month's item, and the
demographics item marked counted, in one transaction conditional on it not being counted
yet. They are never retracted (nothing records which report gave which answer, so nothing
could retract them).

A report that is deleted leaves the index; what it contributed stays (aggregates are not
personal data).

The report's side of it (the index, the marks, the conditions) is
`chalicelib.storage.reports_table.ReportsToCount`'s, the counters'
`chalicelib.storage.insights_table`'s.

After counting, the run refreshes what the dashboard reads (`publishing`): a packed snapshot
of every counter item it changed (and of any a crashed run left marked), and, if it counted
everything, the demographic release of any reporting period whose grace has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.clock import Clock, iso
from chalicelib.crypto import Sealer
from chalicelib.errors import SealBroken
from chalicelib.insights.contributions import (
    counter_keys,
    demographic_cell,
    demographic_rows,
    month_of,
)
from chalicelib.insights.publishing import Publisher
from chalicelib.institution.models import Institution
from chalicelib.observability import SEAL_REFUSED, correlated, increment, logger
from chalicelib.storage.demographics import Demographics
from chalicelib.storage.dynamo import CommitConflict
from chalicelib.storage.insights_table import InsightsTable, by_counter_item, counts_key
from chalicelib.storage.reports_table import ReportsToCount, ReportToCount

#: Reports per run; the rest wait for the next run, 15 minutes later.
BATCH_SIZE = 2000


@dataclass
class InsightsJob:
    """Counts what changed since the last run. Takes its client, tables, sealer and clock."""

    client: Any
    reports_table: str
    demographics_table: str
    insights_table: str
    reader: Sealer
    institution: Institution
    clock: Clock
    batch_size: int = BATCH_SIZE
    _stats: dict[str, int] = field(default_factory=dict, init=False)
    #: Counter partitions this run changed (or is about to), marked on the job record.
    _touched: set[str] = field(default_factory=set, init=False)

    # (Built from `client` on use, so that a test can put a failing client in its place.)
    @property
    def reports(self) -> ReportsToCount:
        """The reports to count, and the writes that record what was counted."""
        return ReportsToCount(self.client, self.reports_table)

    @property
    def demographics(self) -> Demographics:
        """The sealed demographic answers, and the write that marks them counted."""
        return Demographics(self.client, self.demographics_table)

    @property
    def table(self) -> InsightsTable:
        """The counters, snapshots, releases and the job's record."""
        return InsightsTable(self.client, self.insights_table)

    @property
    def publisher(self) -> Publisher:
        """Writes the snapshots and releases the dashboard reads."""
        return Publisher(self.table, self.institution, self.clock)

    def run(self) -> dict[str, int]:
        """Count every marked report (up to the batch size), then refresh the snapshots and
        releases; what was done (reports counted, unchanged, skipped; demographics counted;
        snapshots written; periods released)."""
        started = self.clock.now()
        self._stats = {"counted": 0, "unchanged": 0, "skipped": 0, "demographics": 0}
        publisher = self.publisher
        self._touched = set()
        left_over = publisher.left_to_snapshot()
        pending = self.reports.marked(started, self.batch_size)
        for report_id in pending:
            with correlated(report_id):
                self._count(report_id)
        self._stats["snapshots"] = publisher.snapshot(left_over | self._touched)
        self._stats["released"] = 0
        if len(pending) < self.batch_size and self._stats["skipped"] == 0:
            # Every change made before the run started is counted now.
            self.table.record_counted_until(iso(started))
            self._stats["released"] = publisher.release_due(started)
        if pending or self._stats["snapshots"] or self._stats["released"]:
            logger.info("insights counted", extra=dict(self._stats))
        return dict(self._stats)

    def _count(self, report_id: str) -> None:
        report = self.reports.report(report_id)
        if report is None or not report.marked:
            return  # deleted, or counted by another run since the index was read
        time_zone = self.institution.time_zone
        try:
            if report.has_demographics:
                self._count_demographics(report, time_zone)
            now = counter_keys(report.case, time_zone)
            before = report.counted
            self._commit(report, now, before)
        except CommitConflict:
            # Changed meanwhile: still marked, so the next run counts its new state.
            self._stats["skipped"] += 1
            return
        self._stats["counted" if now != before else "unchanged"] += 1

    def _count_demographics(self, report: ReportToCount, time_zone: str) -> None:
        report_id = report.report_id
        sealed = self.demographics.to_count(report_id)
        if sealed is None:
            return
        try:
            answers = self.reader.unseal(report_id, "demographics", sealed)
        except SealBroken:
            # Never counted and never retried: a broken seal is for the audit, not the stats.
            logger.error("demographics do not open", extra={"report_id": report_id})
            increment(SEAL_REFUSED)
            answers = {}
        rows = demographic_rows(
            answers if isinstance(answers, dict) else {},
            report.case.answers,
            self.institution.form,
        )
        month = counts_key(month_of(report.case.submitted_at, time_zone))
        cells = {
            demographic_cell(row, behaviour): 1
            for row, behaviours in rows.items()
            for behaviour in behaviours
        }
        if cells:
            self._touch([month])
        self.table.add({month: cells} if cells else {}, also=[self.demographics.counted(report_id)])
        self._stats["demographics"] += 1

    def _commit(self, report: ReportToCount, now: frozenset[str], before: frozenset[str]) -> None:
        # The report, then one update per counter item (its month's, the caseload's): so a
        # transaction holds the report and at most two counter items, each once.
        deltas = by_counter_item(_deltas(now, before))
        self._touch(deltas)
        self.table.add(deltas, also=[self.reports.counted(report, now)])

    def _touch(self, partitions: Iterable[str]) -> None:
        """Mark counter partitions before a commit changes them, so that a crash before
        their snapshot leaves them for the next run to re-snapshot."""
        new = set(partitions) - self._touched
        if new:
            self.publisher.mark(new)
            self._touched |= new


def _deltas(now: frozenset[str], before: frozenset[str]) -> dict[str, int]:
    """+1 for every counter the report now adds to, -1 for every one it no longer does."""
    return {**{key: 1 for key in now - before}, **{key: -1 for key in before - now}}
