"""What the dashboard reads: packed snapshots of the counters, and frozen demographic releases.

The counters (`COUNTS#<yyyy-mm>`/`MONTH`, `CURRENT`/`CASELOAD`) stay what the job ADDs to
atomically. After each run the job copies every counter item it changed into a snapshot
next to it (same `pk`, `sk="SNAPSHOT"`): one string attribute, `counters`, holding the
counters as compact JSON, read consistently from the counter item just before. The dashboard
reads only snapshots, so a read parses one string per month instead of deserialising every
counter attribute — its cost no longer follows how many counters exist (precomputed, not
scanned on request). Month snapshots leave out the demographic cells: those reach a reader
only through a release.

A crash between a counter commit and its snapshot must not leave the snapshot stale for
good: before its first commit to an item, a run adds the item's partition to the job
record's `to_snapshot` set, and removes it only after writing the snapshot. The next run
starts by re-snapshotting whatever is left in that set.

A release (`pk="DEMOGRAPHICS#<start>/<end>"`, `sk="RELEASE"`) is one reporting period's
demographic cells, summed over its months from consistent reads of the counters, written
once (conditional on not existing) by a complete run once the period's grace has passed
(`chalicelib/insights/periods.py`), and never rewritten. A report counted later still adds
to its month's counters, but never to a released table: that is what makes every table an
analyst can see the same whenever it is read.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from chalicelib.clock import Clock, iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.insights.contributions import DEMOGRAPHIC, counter_item, counts_key, month_of
from chalicelib.insights.periods import ReportingPeriod, periods_released_by
from chalicelib.institution.models import Institution
from chalicelib.storage import dynamo

#: The sort key of a counter item's packed copy.
SNAPSHOT_ITEM = "SNAPSHOT"
#: The sort key of a reporting period's frozen demographic cells.
RELEASE_ITEM = "RELEASE"
RELEASE_PREFIX = "DEMOGRAPHICS#"
#: Where the job records its last complete run and the partitions still to re-snapshot.
JOB_KEY = {"pk": "JOB", "sk": "build_insights"}
TO_SNAPSHOT = "to_snapshot"
#: Periods that ended up to this many months ago are released if missing (the longest
#: range the dashboard answers for).
RELEASE_LOOKBACK_MONTHS = 36
_deserializer = TypeDeserializer()


def snapshot_key(partition: str) -> dict[str, str]:
    """The key of a counter partition's snapshot (`COUNTS#2026-11`, `CURRENT`)."""
    return {"pk": partition, "sk": SNAPSHOT_ITEM}


def release_key(period: ReportingPeriod) -> dict[str, str]:
    """The key of a reporting period's release."""
    return {"pk": f"{RELEASE_PREFIX}{period.key}", "sk": RELEASE_ITEM}


def packed(counters: Mapping[str, int]) -> str:
    """Counters as the compact JSON a snapshot or release holds (sorted: stable bytes)."""
    return json.dumps(dict(sorted(counters.items())), separators=(",", ":"))


def unpacked(item: Mapping[str, Any], attribute: str) -> dict[str, int]:
    """The counters packed in an item's attribute (none if the item or attribute is absent)."""
    text = item.get(attribute)
    if not isinstance(text, str):
        return {}
    return {str(name): int(count) for name, count in json.loads(text).items()}


@dataclass
class Publisher:
    """Writes snapshots and releases. Takes its client, table, institution and clock."""

    client: Any
    insights_table: str
    institution: Institution
    clock: Clock

    # --- snapshots -----------------------------------------------------------------------

    def left_to_snapshot(self) -> set[str]:
        """Partitions a run marked and did not snapshot (it crashed, or is still running)."""
        job = self._get(JOB_KEY)
        return {str(partition) for partition in (job or {}).get(TO_SNAPSHOT, set())}

    def mark(self, partitions: Iterable[str]) -> None:
        """Note partitions about to change, before the change is committed."""
        names = sorted(set(partitions))
        if names:
            self._update_job("ADD #stale :names", names)

    def snapshot(self, partitions: Iterable[str]) -> int:
        """Copy each partition's counters into its snapshot, then unmark them; how many."""
        names = sorted(set(partitions))
        for partition in names:
            counters = _numbers(self._get(counter_item(partition)) or {})
            if partition.startswith("COUNTS#"):
                counters = {
                    name: n for name, n in counters.items() if not name.startswith(DEMOGRAPHIC)
                }
            self._put(
                {
                    **snapshot_key(partition),
                    "counters": packed(counters),
                    "taken_at": iso(self.clock.now()),
                }
            )
        if names:
            self._update_job("DELETE #stale :names", names)
        return len(names)

    # --- releases -------------------------------------------------------------------------

    def release_due(self, as_of: datetime) -> int:
        """Release every period whose grace has passed by `as_of` and that has no release
        yet; how many were released now. Call only after a run that counted everything."""
        this_month = month_of(iso(as_of), self.institution.time_zone)
        periods = periods_released_by(
            this_month, self.institution.insights, RELEASE_LOOKBACK_MONTHS
        )
        existing = self._batch_get([release_key(p) for p in periods])
        released = 0
        for period in periods:
            key = release_key(period)
            if (key["pk"], key["sk"]) in existing:
                continue
            released += self._release(period, as_of)
        return released

    def _release(self, period: ReportingPeriod, as_of: datetime) -> int:
        months = self._batch_get([counter_item(counts_key(m)) for m in period.months()])
        cells: Counter[str] = Counter()
        for item in months.values():
            cells.update(
                {name: n for name, n in _numbers(item).items() if name.startswith(DEMOGRAPHIC)}
            )
        with unavailable_on_failure("dynamodb"):
            try:
                self.client.put_item(
                    TableName=self.insights_table,
                    Item=_attributes(
                        {**release_key(period), "cells": packed(cells), "released_at": iso(as_of)}
                    ),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return 0  # another run released it first: it stays as that run wrote it
        return 1

    # --- DynamoDB ---------------------------------------------------------------------------

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.insights_table,
                Key=_attributes(key),
                ConsistentRead=True,
            ).get("Item")
        if item is None:
            return None
        return {name: _deserializer.deserialize(value) for name, value in item.items()}

    def _batch_get(self, keys: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The items (consistent reads) with these keys that exist, by (`pk`, `sk`)."""
        return batch_get(self.client, self.insights_table, keys, consistent=True)

    def _put(self, item: Mapping[str, str]) -> None:
        with unavailable_on_failure("dynamodb"):
            self.client.put_item(TableName=self.insights_table, Item=_attributes(item))

    def _update_job(self, expression: str, partitions: list[str]) -> None:
        with unavailable_on_failure("dynamodb"):
            self.client.update_item(
                TableName=self.insights_table,
                Key=_attributes(JOB_KEY),
                UpdateExpression=expression,
                ExpressionAttributeNames={"#stale": TO_SNAPSHOT},
                ExpressionAttributeValues={":names": {"SS": partitions}},
            )


def _attributes(item: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in item.items()}


def _numbers(item: Mapping[str, Any]) -> dict[str, int]:
    """A counter item's counters (its number attributes), without its key."""
    return {name: int(value) for name, value in item.items() if name not in ("pk", "sk")}


def batch_get(
    client: Any,
    table: str,
    keys: list[dict[str, str]],
    *,
    consistent: bool,
    pause: Callable[[float], None] = time.sleep,
) -> dict[tuple[str, str], dict[str, Any]]:
    """The items of `table` with these (string) keys that exist, by (`pk`, `sk`), as plain
    values (`chalicelib.storage.dynamo.batch_get`: unprocessed keys asked again after a
    growing pause, then `DependencyUnavailable`)."""
    found = dynamo.batch_get(client, table, keys, consistent=consistent, pause=pause)
    return {(str(item["pk"]), str(item["sk"])): item for item in found}
