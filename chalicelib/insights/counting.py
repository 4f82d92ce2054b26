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

After counting, the run refreshes what the dashboard reads (`publishing`): a packed snapshot
of every counter item it changed (and of any a crashed run left marked), and, if it counted
everything, the demographic release of any reporting period whose grace has passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from chalicelib.clock import Clock, iso
from chalicelib.crypto import Sealer
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import SealBroken
from chalicelib.insight_marks import INSIGHT_CHANGED_AT, INSIGHT_PENDING, PENDING
from chalicelib.insights.contributions import (
    counter_item,
    counter_keys,
    counts_key,
    demographic_cell,
    demographic_rows,
    month_of,
    split_key,
)
from chalicelib.insights.publishing import JOB_KEY, Publisher
from chalicelib.institution.models import Institution
from chalicelib.observability import SEAL_REFUSED, correlated, increment, logger
from chalicelib.storage.dynamo import CommitConflict, transact

#: The attribute on a report item listing the counter keys it was last counted under.
INSIGHT_COUNTED = "insight_counted"
#: Reports per run; the rest wait for the next run, 15 minutes later.
BATCH_SIZE = 2000
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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

    @property
    def publisher(self) -> Publisher:
        """Writes the snapshots and releases the dashboard reads."""
        return Publisher(self.client, self.insights_table, self.institution, self.clock)

    def run(self) -> dict[str, int]:
        """Count every marked report (up to the batch size), then refresh the snapshots and
        releases; what was done (reports counted, unchanged, skipped; demographics counted;
        snapshots written; periods released)."""
        started = self.clock.now()
        self._stats = {"counted": 0, "unchanged": 0, "skipped": 0, "demographics": 0}
        publisher = self.publisher
        self._touched = set()
        left_over = publisher.left_to_snapshot()
        pending = self._pending(started)
        for report_id in pending:
            with correlated(report_id):
                self._count(report_id)
        self._stats["snapshots"] = publisher.snapshot(left_over | self._touched)
        self._stats["released"] = 0
        if len(pending) < self.batch_size and self._stats["skipped"] == 0:
            # Every change made before the run started is counted now.
            self._put_job_record(started)
            self._stats["released"] = publisher.release_due(started)
        if pending or self._stats["snapshots"] or self._stats["released"]:
            logger.info("insights counted", extra=dict(self._stats))
        return dict(self._stats)

    def _pending(self, until: datetime) -> list[str]:
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.reports_table,
                IndexName=INSIGHT_PENDING,
                KeyConditionExpression="#pending = :pending AND #changed <= :until",
                ExpressionAttributeNames={
                    "#pending": INSIGHT_PENDING,
                    "#changed": INSIGHT_CHANGED_AT,
                },
                ExpressionAttributeValues={
                    ":pending": {"S": PENDING},
                    ":until": {"S": iso(until)},
                },
                PaginationConfig={
                    "MaxItems": self.batch_size,
                    "PageSize": min(self.batch_size, 500),
                },
            )
            return [
                item["pk"]["S"].removeprefix("REPORT#")
                for page in pages
                for item in page["Items"]
                if item["sk"]["S"] == "REPORT"
            ]

    def _count(self, report_id: str) -> None:
        report = self._get(self.reports_table, {"pk": f"REPORT#{report_id}", "sk": "REPORT"})
        if report is None or report.get(INSIGHT_PENDING) != PENDING:
            return  # deleted, or counted by another run since the index was read
        time_zone = self.institution.time_zone
        try:
            if report.get("has_demographics"):
                self._count_demographics(report_id, report, time_zone)
            now = counter_keys(report, time_zone)
            before = frozenset(str(key) for key in report.get(INSIGHT_COUNTED) or [])
            self._commit(report_id, report, now, before)
        except CommitConflict:
            # Changed meanwhile: still marked, so the next run counts its new state.
            self._stats["skipped"] += 1
            return
        self._stats["counted" if now != before else "unchanged"] += 1

    def _count_demographics(
        self, report_id: str, report: Mapping[str, Any], time_zone: str
    ) -> None:
        item = self._get(self.demographics_table, {"report_id": report_id})
        if item is None or item.get(INSIGHT_COUNTED):
            return
        sealed = item.get("sealed")
        if not isinstance(sealed, Binary):
            return
        try:
            answers = self.reader.unseal(report_id, "demographics", bytes(sealed.value))
        except SealBroken:
            # Never counted and never retried: a broken seal is for the audit, not the stats.
            logger.error("demographics do not open", extra={"report_id": report_id})
            increment(SEAL_REFUSED)
            answers = {}
        rows = demographic_rows(
            answers if isinstance(answers, dict) else {},
            report.get("answers") or {},
            self.institution.form,
        )
        month = counter_item(counts_key(month_of(str(report["submitted_at"]), time_zone)))
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.demographics_table,
                    "Key": {"report_id": {"S": report_id}},
                    "UpdateExpression": "SET #counted = :yes",
                    "ConditionExpression": "attribute_exists(report_id) "
                    "AND attribute_not_exists(#counted)",
                    "ExpressionAttributeNames": {"#counted": INSIGHT_COUNTED},
                    "ExpressionAttributeValues": {":yes": {"BOOL": True}},
                }
            }
        ]
        cells = {
            demographic_cell(row, behaviour): 1
            for row, behaviours in rows.items()
            for behaviour in behaviours
        }
        if cells:
            writes.append(self._add(month, cells))
            self._touch([month["pk"]])
        transact(self.client, writes)
        self._stats["demographics"] += 1

    def _commit(
        self,
        report_id: str,
        report: Mapping[str, Any],
        now: frozenset[str],
        before: frozenset[str],
    ) -> None:
        names = {
            "#counted": INSIGHT_COUNTED,
            "#pending": INSIGHT_PENDING,
            "#changed": INSIGHT_CHANGED_AT,
        }
        values: dict[str, Any] = {
            ":counted": _serializer.serialize(sorted(now)),
            ":changed": _serializer.serialize(report[INSIGHT_CHANGED_AT]),
        }
        condition = "#changed = :changed AND #pending = :pending"
        values[":pending"] = {"S": PENDING}
        if "version" in report:
            names["#version"] = "version"
            values[":version"] = _serializer.serialize(report["version"])
            condition += " AND #version = :version"
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.reports_table,
                    "Key": {"pk": {"S": f"REPORT#{report_id}"}, "sk": {"S": "REPORT"}},
                    "UpdateExpression": "SET #counted = :counted REMOVE #pending",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        # One update per counter item (the month's, the caseload's): a transaction may not
        # touch an item twice, and so it holds the report and at most two counter items.
        by_item: dict[str, dict[str, int]] = {}
        for key, delta in _deltas(now, before).items():
            partition, counter = split_key(key)
            by_item.setdefault(partition, {})[counter] = delta
        writes += [
            self._add(counter_item(partition), deltas)
            for partition, deltas in sorted(by_item.items())
        ]
        self._touch(by_item)
        transact(self.client, writes)

    def _touch(self, partitions: Iterable[str]) -> None:
        """Mark counter partitions before a commit changes them, so that a crash before
        their snapshot leaves them for the next run to re-snapshot."""
        new = set(partitions) - self._touched
        if new:
            self.publisher.mark(new)
            self._touched |= new

    def _add(self, key: Mapping[str, str], deltas: Mapping[str, int]) -> dict[str, Any]:
        """A transaction's update ADDing each delta to its counter (a top-level number
        attribute, named through placeholders) of one counter item."""
        counters = sorted(deltas)
        # One value placeholder per distinct delta: DynamoDB refuses unused ones.
        placeholders = {delta: f":v{i}" for i, delta in enumerate(sorted(set(deltas.values())))}
        return {
            "Update": {
                "TableName": self.insights_table,
                "Key": {name: {"S": value} for name, value in key.items()},
                "UpdateExpression": "ADD "
                + ", ".join(f"#c{i} {placeholders[deltas[c]]}" for i, c in enumerate(counters)),
                "ExpressionAttributeNames": {f"#c{i}": c for i, c in enumerate(counters)},
                "ExpressionAttributeValues": {
                    placeholder: {"N": str(delta)} for delta, placeholder in placeholders.items()
                },
            }
        }

    def _put_job_record(self, started: datetime) -> None:
        # An update, not a put: the record also holds the partitions left to snapshot.
        with unavailable_on_failure("dynamodb"):
            self.client.update_item(
                TableName=self.insights_table,
                Key={name: {"S": value} for name, value in JOB_KEY.items()},
                UpdateExpression="SET counted_until = :until",
                ExpressionAttributeValues={":until": {"S": iso(started)}},
            )

    def _get(self, table: str, key: Mapping[str, str]) -> dict[str, Any] | None:
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=table,
                Key={name: {"S": value} for name, value in key.items()},
                ConsistentRead=True,
            ).get("Item")
        if item is None:
            return None
        return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _deltas(now: frozenset[str], before: frozenset[str]) -> dict[str, int]:
    """+1 for every counter the report now adds to, -1 for every one it no longer does."""
    return {**{key: 1 for key in now - before}, **{key: -1 for key in before - now}}
