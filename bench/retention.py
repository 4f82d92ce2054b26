"""Retention sweep: items read to find what is due, per item due, in a table of 50,000.

Seeded (batch writes, straight into the reports table on the moto server): 50,000 report
items, 1 % of them due — 250 closed named cases whose redaction is due and 250 filed
anonymous reports whose deletion is due — and 49,500 that are not: 30,000 anonymous
reports and 10,000 closed cases scheduled for later (so they *are* in the sparse index,
after the due time) and 9,500 open cases (not in the index at all).

Measured: the sweep (`services.retention()`, the same object the schedule runs, its client
wrapped to count) is run until a run finds nothing, and every item DynamoDB reads for it is
counted: `ScannedCount` of each Query and each GetItem's item. Index reads (the finding of
what is due) are reported against the items due, the goal being ≤ 1.1 — a scan would read
all 50,000 for 500. All reads, including each case's own partition (the case item and its
children, read once to redact or delete it), are reported beside it without a goal.

moto's TransactWriteItems deep-copies the whole table before every transaction (to roll
back a cancelled one); at 50,000 items that is most of a second per transaction. The
benchmark replaces that copy with none while it runs — reads are unaffected — and checks
that no transaction was cancelled (the sweep reports any as `skipped`).

moto also evaluates every Query (index or key) against every item of the table, so at
50,000 items each of the sweep's reads takes seconds and the full run takes a long time;
`python -m bench.retention --items N` runs it at another size. What is counted does not
depend on moto's speed: a key condition reads only what matches it.
"""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from botocore.config import Config

from bench.local_aws import LocalAws
from bench.stats import Row
from chalicelib import services
from chalicelib.audit import AuditTrail, ChainHead, sealed_fields
from chalicelib.clock import FixedClock, iso
from chalicelib.storage.dynamo import plain
from chalicelib.storage.reports_table import DELETE, HEAD_MAC, REDACT, schedule

TOTAL = 50_000
DUE_SHARE = 0.01
GOAL_RATIO = 1.1
NOW = datetime(2030, 1, 15, 3, 0, tzinfo=UTC)


class CountingClient:
    """The DynamoDB client, counting the items each read returns or scans."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.index_items = 0
        self.other_items = 0
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in ("query", "get_item", "scan"):
            return attribute

        def read(**kwargs: Any) -> Any:
            response = attribute(**kwargs)
            self.calls += 1
            items = int(response.get("ScannedCount", 1 if response.get("Item") else 0))
            if kwargs.get("IndexName") == "retention_due":
                self.index_items += items
            else:
                self.other_items += items
            return response

        return read


def _report(number: int, kind: str) -> dict[str, Any]:
    report_id = uuid.uuid4().hex
    submitted = NOW - timedelta(days=30 + number % 700)
    item: dict[str, Any] = {
        "pk": {"S": f"REPORT#{report_id}"},
        "sk": {"S": "REPORT"},
        "report_id": {"S": report_id},
        "reference": {"S": f"RS-B{number:07d}"},
        "submission_id": {"S": str(uuid.uuid4())},
        "submitted_at": {"S": iso(submitted)},
        "answers": {"M": {"where": {"S": "off_campus"}}},
        "version": {"N": "3"},
    }
    plan: dict[str, Any] = {}
    if kind == "redact_due":
        item |= {"mode": {"S": "named"}, "status": {"S": "closed"}}
        item["sealed"] = {"M": {"contact": {"B": b"sealed contact"}}}
        plan = schedule(REDACT, NOW - timedelta(days=1 + number % 20), held=False)
    elif kind == "delete_due":
        item |= {"mode": {"S": "anonymous"}, "status": {"S": "filed"}}
        item["submitted_at"] = {"S": iso(NOW - timedelta(days=3 * 366 + number % 20))}
        plan = schedule(DELETE, NOW - timedelta(days=1 + number % 20), held=False)
    elif kind == "delete_later":
        item |= {"mode": {"S": "anonymous"}, "status": {"S": "filed"}}
        plan = schedule(DELETE, submitted + timedelta(days=3 * 365), held=False)
    elif kind == "redact_later":
        item |= {"mode": {"S": "named"}, "status": {"S": "closed"}}
        plan = schedule(REDACT, NOW + timedelta(days=1 + number % 180), held=False)
    else:
        item |= {"mode": {"S": "named"}, "status": {"S": "in_support"}}
    item |= {name: {"S": value} for name, value in plan.items()}
    return item


def _kinds(total: int) -> Iterator[str]:
    due = int(total * DUE_SHARE)
    rest = total - due
    yield from ["redact_due"] * (due // 2) + ["delete_due"] * (due - due // 2)
    yield from ["delete_later"] * (rest * 60 // 99)
    yield from ["redact_later"] * (rest * 20 // 99)
    yield from ["open"] * (rest - rest * 60 // 99 - rest * 20 // 99)


def _signed(item: dict[str, Any], audit: AuditTrail) -> dict[str, Any]:
    """The item with its head signed, as intake and triage sign it: the sweep re-signs only
    a head that was signed as read (it refuses the item otherwise)."""
    case = plain(item)
    head = audit.head_mac(
        str(case["report_id"]), int(case["version"]), ChainHead.of(case), sealed_fields(case)
    )
    return {**item, HEAD_MAC: {"S": head}}


def seed(local: LocalAws, total: int) -> int:
    """Write `total` report items; how many are due."""
    assert local.settings is not None
    table = local.settings.reports_table
    audit = services.audit_trail()
    batch: list[dict[str, Any]] = []
    due = 0
    for number, kind in enumerate(_kinds(total)):
        due += kind.endswith("_due")
        item = _report(number, kind)
        # Only the due are written to (one KMS call each); the rest are only read.
        batch.append(
            {"PutRequest": {"Item": _signed(item, audit) if kind.endswith("_due") else item}}
        )
        if len(batch) == 25:
            local.dynamodb.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        local.dynamodb.batch_write_item(RequestItems={table: batch})
    return due


@contextmanager
def no_transaction_backup() -> Iterator[None]:
    """moto's per-transaction copy of the whole table, skipped (see the module docstring)."""
    import moto.dynamodb.models as models

    class _Copy:
        @staticmethod
        def deepcopy(value: Any) -> Any:
            return value

    namespace = vars(models)
    original = namespace["copy"]
    namespace["copy"] = _Copy
    try:
        yield
    finally:
        namespace["copy"] = original


def run(local: LocalAws, total: int = TOTAL) -> tuple[list[Row], dict[str, Any]]:
    """Seed, sweep until nothing is due, count reads; the table rows and raw figures."""
    local.drain()
    print(f"  retention: seeding {total} report items", file=sys.stderr, flush=True)
    start = perf_counter()
    due = seed(local, total)
    seeded_s = perf_counter() - start
    services.reset(clock=FixedClock(NOW))
    sweep = services.retention()
    # moto evaluates every query against every item of the table (a second or more at
    # 50,000 items), beyond the app's 5 s read timeout: the bench's client waits longer.
    patient = services.botocore_session().create_client(
        "dynamodb",
        region_name=services.settings().region,
        config=Config(read_timeout=600, retries={"max_attempts": 1}),
    )
    counting = CountingClient(patient)
    sweep = dataclasses.replace(sweep, client=counting)
    runs: list[dict[str, int]] = []
    start = perf_counter()
    with no_transaction_backup():
        while True:
            counts = sweep.sweep()
            runs.append(counts)
            if not any(counts.values()) or len(runs) > 100:
                break
    swept_s = perf_counter() - start
    services.reset()
    handled = sum(run["redacted"] + run["deleted"] for run in runs)
    skipped = sum(run["skipped"] + run["deferred"] for run in runs)
    ratio = counting.index_items / due
    all_ratio = (counting.index_items + counting.other_items) / due
    raw = {
        "items": total,
        "due": due,
        "handled": handled,
        "skipped_or_deferred": skipped,
        "runs": runs,
        "batch_size": sweep.policy.sweep_batch_size,
        "index_items_read": counting.index_items,
        "other_items_read": counting.other_items,
        "read_calls": counting.calls,
        "index_read_per_due": round(ratio, 4),
        "all_read_per_due": round(all_ratio, 4),
        "seed_s": round(seeded_s, 1),
        "sweep_s": round(swept_s, 1),
        "goal": GOAL_RATIO,
        "met": ratio <= GOAL_RATIO and handled == due and skipped == 0,
    }
    rows = [
        Row(
            benchmark=f"retention sweep, index items read ÷ due ({total:,} items, 1 % due)",
            measured=f"{counting.index_items:,} read for {due:,} due ({handled:,} handled)",
            floor=f"{due:,}",
            ratio=f"{ratio:.3f}x",
            goal=f"≤ {GOAL_RATIO}x",
            met=bool(raw["met"]),
        ),
        Row(
            benchmark="retention sweep, all items read ÷ due (with each case's partition)",
            measured=f"{counting.index_items + counting.other_items:,}",
            floor=f"{due:,}",
            ratio=f"{all_ratio:.3f}x",
            goal="none",
            met=None,
        ),
    ]
    return rows, raw


def main() -> None:
    """`python -m bench.retention --items N`: this benchmark alone, at another table size."""
    import argparse

    from bench.stats import format_table

    parser = argparse.ArgumentParser(prog="python -m bench.retention")
    parser.add_argument("--items", type=int, default=TOTAL, help="report items to seed")
    args = parser.parse_args()
    with LocalAws() as local:
        rows, raw = run(local, args.items)
    print(format_table(rows))
    print({name: value for name, value in raw.items() if name != "runs"})
    print("runs:", raw["runs"])


if __name__ == "__main__":
    main()
