"""The insights table: its one owner. Aggregates, their published copies and trend alerts;
never a record of one report, never personal data.

Items (`pk` / `sk`):

- `COUNTS#<yyyy-mm>` / `MONTH`: every counter of one submission month, each a top-level
  number attribute the `build_insights` job ADDs to atomically; `CURRENT` / `CASELOAD`: the
  counters of the current caseload. What is counted is `chalicelib.insights`' business;
  where a counter lives is this module's (`counter_item`);
- `<partition>` / `SNAPSHOT`: a counter item's packed copy (`counters`, compact JSON, and
  `taken_at`): what the dashboard reads;
- `DEMOGRAPHICS#<from>/<to>` / `RELEASE`: one reporting period's demographic cells
  (`cells`, compact JSON, and `released_at`), written once and never rewritten;
- `JOB` / `build_insights`: the job's record: `counted_until`, and `to_snapshot`, the
  partitions a run is changing and has not snapshotted yet;
- `ALERT#<dimension>#<key>` / `ALERT`: the trend alert about one place or department
  (`chalicelib.trends`).

A counter key names one counter as `<partition>|<counter>` (`counter_key`); the job keeps
on each report the keys it last counted it under.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.storage.dynamo import (
    CommitConflict,
    batch_get,
    calling,
    conditional_write,
    get,
    serialized,
    string_key,
    transact,
)

#: The partition of the current caseload's counters (and of its snapshot).
CURRENT = "CURRENT"
_COUNTS_PREFIX = "COUNTS#"
#: The sort keys of the item holding every counter of a month, and of the caseload's.
MONTH_ITEM = "MONTH"
CASELOAD_ITEM = "CASELOAD"
#: The sort key of a counter item's packed copy.
SNAPSHOT_ITEM = "SNAPSHOT"
#: The sort key of a reporting period's frozen demographic cells, and its partition's start.
RELEASE_ITEM = "RELEASE"
_RELEASE_PREFIX = "DEMOGRAPHICS#"
#: Where the job records its last complete run and the partitions still to re-snapshot.
JOB_KEY = {"pk": "JOB", "sk": "build_insights"}
TO_SNAPSHOT = "to_snapshot"
_ALERT_PREFIX = "ALERT#"
_ALERT_ITEM = "ALERT"
_KEY = ("pk", "sk")


def counts_key(month: str) -> str:
    """The partition of one month's counters (`yyyy-mm`)."""
    return f"{_COUNTS_PREFIX}{month}"


def is_month(partition: str) -> bool:
    """Whether a counter partition is a month's (the other is the caseload's)."""
    return partition.startswith(_COUNTS_PREFIX)


def counter_item(partition: str) -> dict[str, str]:
    """The key (`pk`, `sk`) of the one item holding every counter of a partition."""
    return {"pk": partition, "sk": CASELOAD_ITEM if partition == CURRENT else MONTH_ITEM}


def counter_key(partition: str, counter: str) -> str:
    """The key naming one counter: its partition and its attribute of the partition's item."""
    return f"{partition}|{counter}"


def split_key(key: str) -> tuple[str, str]:
    """A counter key's partition and counter (the attribute of `counter_item(partition)`)."""
    partition, counter = key.split("|", 1)
    return partition, counter


def by_counter_item(deltas: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """Deltas by counter key, grouped by partition: what one update of each item ADDs."""
    grouped: dict[str, dict[str, int]] = {}
    for key, delta in deltas.items():
        partition, counter = split_key(key)
        grouped.setdefault(partition, {})[counter] = delta
    return grouped


def snapshot_key(partition: str) -> dict[str, str]:
    """The key of a counter partition's snapshot (`COUNTS#2026-11`, `CURRENT`)."""
    return {"pk": partition, "sk": SNAPSHOT_ITEM}


def release_key(period: str) -> dict[str, str]:
    """The key of a reporting period's release (the period as `<from>/<to>`)."""
    return {"pk": f"{_RELEASE_PREFIX}{period}", "sk": RELEASE_ITEM}


def alert_key(dimension: str, key: str) -> dict[str, str]:
    """The key of the trend alert about one place or department."""
    return {"pk": f"{_ALERT_PREFIX}{dimension}#{key}", "sk": _ALERT_ITEM}


@dataclass(frozen=True)
class Published:
    """What the dashboard reads for a range: the months' counters (in order; none for a
    month without a snapshot), the caseload's, the job's last complete run, and the released
    demographic cells of the periods that have a release (by period, `<from>/<to>`)."""

    months: list[dict[str, int]]
    caseload: dict[str, int]
    counted_until: str | None
    releases: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Alert:
    """A trend alert as stored: the rule it met, what was counted, and until when it stands."""

    dimension: str
    key: str
    count: int
    threshold: int
    window_days: int
    raised_at: str
    active_until: str
    notification_id: str


@dataclass
class InsightsTable:
    """The insights table: counters, snapshots, releases, the job record and trend alerts.
    Takes its client and table name."""

    client: Any
    table: str

    # --- counters ---------------------------------------------------------------------------

    def add(
        self,
        deltas: Mapping[str, Mapping[str, int]],
        *,
        also: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """In one transaction: `also` first (the bookkeeping of what is counted), then one
        update per partition ADDing each delta to its counter. `CommitConflict` if a
        condition failed: nothing was written."""
        # One update per counter item: a transaction may not touch an item twice.
        updates = [self._adding(partition, deltas[partition]) for partition in sorted(deltas)]
        transact(self.client, [*also, *updates])

    def counters(self, partition: str) -> dict[str, int]:
        """The counters of a partition's item (a consistent read; none if it is absent)."""
        return _numbers(self._get(counter_item(partition)) or {})

    def month_counters(self, months: Sequence[str]) -> list[dict[str, int]]:
        """The counters of each of these months that has any (consistent reads)."""
        keys = [counter_item(counts_key(month)) for month in months]
        return [_numbers(item) for item in self._batch_get(keys, consistent=True)]

    def _adding(self, partition: str, deltas: Mapping[str, int]) -> dict[str, Any]:
        """A transaction's update ADDing each delta to its counter (a top-level number
        attribute, named through placeholders) of one counter item."""
        counters = sorted(deltas)
        # One value placeholder per distinct delta: DynamoDB refuses unused ones.
        placeholders = {delta: f":v{i}" for i, delta in enumerate(sorted(set(deltas.values())))}
        return {
            "Update": {
                "TableName": self.table,
                "Key": string_key(counter_item(partition)),
                "UpdateExpression": "ADD "
                + ", ".join(f"#c{i} {placeholders[deltas[c]]}" for i, c in enumerate(counters)),
                "ExpressionAttributeNames": {f"#c{i}": c for i, c in enumerate(counters)},
                "ExpressionAttributeValues": {
                    placeholder: {"N": str(delta)} for delta, placeholder in placeholders.items()
                },
            }
        }

    # --- snapshots and the job record -------------------------------------------------------

    def put_snapshot(self, partition: str, counters: Mapping[str, int], taken_at: str) -> None:
        """Write (or rewrite) a partition's packed copy of its counters."""
        item = {**snapshot_key(partition), "counters": _packed(counters), "taken_at": taken_at}
        with calling():
            self.client.put_item(TableName=self.table, Item=serialized(item))

    def left_to_snapshot(self) -> set[str]:
        """Partitions marked by a run and not snapshotted since."""
        job = self._get(JOB_KEY)
        return {str(partition) for partition in (job or {}).get(TO_SNAPSHOT, set())}

    def mark_to_snapshot(self, partitions: Sequence[str]) -> None:
        """Note partitions (at least one) as changing, to be snapshotted."""
        self._update_job("ADD #stale :names", partitions)

    def unmark_to_snapshot(self, partitions: Sequence[str]) -> None:
        """Note partitions (at least one) as snapshotted."""
        self._update_job("DELETE #stale :names", partitions)

    def record_counted_until(self, moment: str) -> None:
        """Note that every change made before `moment` is counted."""
        # An update, not a put: the record also holds the partitions left to snapshot.
        with calling():
            self.client.update_item(
                TableName=self.table,
                Key=string_key(JOB_KEY),
                UpdateExpression="SET counted_until = :until",
                ExpressionAttributeValues={":until": {"S": moment}},
            )

    def _update_job(self, expression: str, partitions: Sequence[str]) -> None:
        with calling():
            self.client.update_item(
                TableName=self.table,
                Key=string_key(JOB_KEY),
                UpdateExpression=expression,
                ExpressionAttributeNames={"#stale": TO_SNAPSHOT},
                ExpressionAttributeValues={":names": {"SS": list(partitions)}},
            )

    # --- releases ---------------------------------------------------------------------------

    def released(self, periods: Sequence[str]) -> set[str]:
        """Which of these periods (`<from>/<to>`) have a release (consistent reads)."""
        wanted = {_pair(release_key(period)): period for period in periods}
        found = self._batch_get([release_key(period) for period in periods], consistent=True)
        return {wanted[_pair(item)] for item in found}

    def put_release(self, period: str, cells: Mapping[str, int], released_at: str) -> bool:
        """Write a period's release unless it has one: False if another run wrote it first
        (it stays as that run wrote it)."""
        item = {**release_key(period), "cells": _packed(cells), "released_at": released_at}
        return conditional_write(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=serialized(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    # --- the dashboard ----------------------------------------------------------------------

    def published(
        self,
        months: Sequence[str],
        periods: Sequence[str],
        *,
        pause: Callable[[float], None] = time.sleep,
    ) -> Published:
        """The snapshots of these months and of the caseload, the job record and the releases
        of these periods, in one batch of key lookups (eventually consistent)."""
        month_keys = [snapshot_key(counts_key(month)) for month in months]
        caseload_key = snapshot_key(CURRENT)
        release_keys = [release_key(period) for period in periods]
        found = self._batch_get(
            [*month_keys, caseload_key, JOB_KEY, *release_keys], consistent=False, pause=pause
        )
        items = {_pair(item): item for item in found}
        job = items.get(_pair(JOB_KEY), {})
        return Published(
            months=[_unpacked(items.get(_pair(key), {}), "counters") for key in month_keys],
            caseload=_unpacked(items.get(_pair(caseload_key), {}), "counters"),
            counted_until=str(job["counted_until"]) if "counted_until" in job else None,
            releases={
                period: _unpacked(items[_pair(key)], "cells")
                for period, key in zip(periods, release_keys, strict=True)
                if _pair(key) in items
            },
        )

    # --- trend alerts -----------------------------------------------------------------------

    def raise_alert(self, alert: Alert, as_of: str, also: Mapping[str, Any]) -> bool:
        """Store an alert, and write `also` (its notification), in one transaction, unless an
        alert about the same place is still active at `as_of`: then False, nothing written."""
        put = {
            "Put": {
                "TableName": self.table,
                "Item": serialized({**alert_key(alert.dimension, alert.key), **asdict(alert)}),
                "ConditionExpression": "attribute_not_exists(pk) OR active_until <= :at",
                "ExpressionAttributeValues": {":at": {"S": as_of}},
            }
        }
        try:
            transact(self.client, [put, also])
        except CommitConflict:
            return False
        return True

    # --- reads ------------------------------------------------------------------------------

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = get(self.client, self.table, key)
        return item

    def _batch_get(
        self,
        keys: Sequence[Mapping[str, str]],
        *,
        consistent: bool,
        pause: Callable[[float], None] = time.sleep,
    ) -> list[dict[str, Any]]:
        return batch_get(self.client, self.table, keys, consistent=consistent, pause=pause)


def _pair(item: Mapping[str, Any]) -> tuple[str, str]:
    return str(item["pk"]), str(item["sk"])


def _numbers(item: Mapping[str, Any]) -> dict[str, int]:
    """A counter item's counters (its number attributes), without its key."""
    return {name: int(value) for name, value in item.items() if name not in _KEY}


def _packed(counters: Mapping[str, int]) -> str:
    """Counters as the compact JSON a snapshot or release holds (sorted: stable bytes)."""
    return json.dumps(dict(sorted(counters.items())), separators=(",", ":"))


def _unpacked(item: Mapping[str, Any], attribute: str) -> dict[str, int]:
    """The counters packed in an item's attribute (none if the item or attribute is absent)."""
    text = item.get(attribute)
    if not isinstance(text, str):
        return {}
    return {str(name): int(count) for name, count in json.loads(text).items()}
