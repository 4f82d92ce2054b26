"""The analysts' dashboard read: as fast with 50,000 reports as with 500 (goal <= 1.2x).

Runs against in-process moto (`mock_aws`). Synthetic report items (12 months, every
dimension varied, one in ten with sealed demographics) are seeded straight into the reports
table with the insights mark, as intake and triage would leave them.

- 500 reports go through the real `build_insights` job.
- 50,000 through the job would take most of an hour here: moto deep-copies every table a
  TransactWriteItems touches, so each commit costs time in proportion to the table. The
  50,000 are therefore counted with the job's own `counter_keys` and `demographic_rows`,
  summed, and written once per counter item. That this gives exactly the job's counters is
  checked in the same run: the 500 are counted both ways and the counter items compared.

The read is `InsightsDashboard.read` (what `GET /staff/insights` answers with) for the
whole year, timed `REPEATS` times; the median is compared. A read fetches by key the 12
months' packed snapshots, the caseload's, the job record and the one published reporting
period's demographic release (August 2025 to July 2026), each counter item's counters as
one JSON string that the job wrote after counting (here: after summing, with the job's own
`Publisher`). The 5,000 point (counted like the 50,000) shows where the counter space fills.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.stats import Row, median, summary_ms

SMALL, MEDIUM, LARGE = 500, 5_000, 50_000
REPEATS = 30
GOAL_RATIO = 1.2
START = datetime(2026, 1, 1, tzinfo=UTC)
REGION = "eu-west-2"


class _Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@contextmanager
def _mocked() -> Iterator[None]:
    """A fresh in-process moto account with every resource, and the app pointed at it."""
    from moto import mock_aws

    from chalicelib import services
    from devstack.provision import provision

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    try:
        with mock_aws():
            services.reset(clock=_Clock(datetime(2026, 12, 31, 12, tzinfo=UTC)))
            import boto3

            session = boto3.Session(botocore_session=services.botocore_session())
            settings = provision(session, "bench")
            os.environ.update(settings.environment())
            services.reset(clock=_Clock(datetime(2026, 12, 31, 12, tzinfo=UTC)))
            yield
    finally:
        services.reset()
        os.environ.clear()
        os.environ.update(saved)


def _report(number: int, rng: random.Random) -> dict[str, Any]:
    from chalicelib.clock import iso

    form_options = {
        "reporter_role": ["student", "staff", "visitor", "other"],
        "what_happened": [
            "bullying",
            "verbal_harassment",
            "sexual_harassment",
            "online_harassment",
            "discrimination_or_hate",
        ],
        "campus_area": ["library", "teaching_building", "student_accommodation"],
    }
    submitted = START + timedelta(minutes=rng.randrange(0, 364 * 24 * 60))
    mode = rng.choice(["anonymous", "named"])
    where = rng.choice(["on_campus", "off_campus", "online"])
    answers: dict[str, Any] = {
        "reporter_role": rng.choice(form_options["reporter_role"]),
        "what_happened": rng.sample(form_options["what_happened"], rng.randint(1, 2)),
        "where": where,
    }
    if where == "on_campus":
        answers["campus_area"] = rng.choice(form_options["campus_area"])
    if where == "online":
        answers["online_platform"] = "social_media"
    item: dict[str, Any] = {
        "pk": f"REPORT#{number:032x}",
        "sk": "REPORT",
        "report_id": f"{number:032x}",
        "reference": f"RS-BNCH-{number:04d}",
        "mode": mode,
        "submitted_at": iso(submitted),
        "answers": answers,
        "team_id": rng.choice(["student_support", "human_resources", "diversity_inclusion"]),
        "status": "filed",
        "version": 2,
        "has_demographics": number % 10 == 0,
        "insight_pending": "pending",
        "insight_changed_at": iso(submitted),
    }
    if mode == "named":
        item["status"] = rng.choice(["assigned", "contacted", "closed"])
        item["first_contact_due"] = iso(submitted + timedelta(days=2))
        if item["status"] != "assigned":
            item["first_contact_at"] = iso(submitted + timedelta(hours=rng.uniform(1, 80)))
        if item["status"] == "closed":
            item["outcome"] = rng.choice(["informal_resolution", "no_further_action"])
    return item


def _demographics(number: int, rng: random.Random) -> dict[str, str]:
    return {
        "gender": rng.choice(["woman", "man", "non_binary", "prefer_not_to_say"]),
        "age_band": rng.choice(["18_24", "25_34", "35_44"]),
        "disability": rng.choice(["yes", "no"]),
    }


def _seed(count: int, *, seed: int) -> list[tuple[dict[str, Any], dict[str, str] | None]]:
    """Write `count` marked report items (and sealed demographics); return them, plain."""
    from boto3.dynamodb.types import Binary, TypeSerializer

    from chalicelib import services

    rng = random.Random(seed)
    serializer = TypeSerializer()
    settings = services.settings()
    sealer = services.insight_sealer()
    seeded: list[tuple[dict[str, Any], dict[str, str] | None]] = []
    writes: dict[str, list[dict[str, Any]]] = {
        settings.reports_table: [],
        settings.demographics_table: [],
    }
    for number in range(count):
        item = _report(number, rng)
        answers = _demographics(number, rng) if item["has_demographics"] else None
        writes[settings.reports_table].append(item)
        if answers is not None:
            sealed = sealer.seal(item["report_id"], "demographics", answers)
            writes[settings.demographics_table].append(
                {"report_id": item["report_id"], "sealed": Binary(sealed)}
            )
        seeded.append((item, answers))
    client = services.dynamodb()
    for table, items in writes.items():
        for start in range(0, len(items), 25):
            client.batch_write_item(
                RequestItems={
                    table: [
                        {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in i.items()}}}
                        for i in items[start : start + 25]
                    ]
                }
            )
    return seeded


def _write_counters_as_the_job_would(
    seeded: list[tuple[dict[str, Any], dict[str, str] | None]],
) -> None:
    """The counters the job produces for these reports, summed and written once each."""
    from chalicelib import services
    from chalicelib.insights.contributions import (
        counter_keys,
        demographic_cell,
        demographic_rows,
        month_of,
    )
    from chalicelib.storage.case_item import CaseItem
    from chalicelib.storage.insights_table import counter_item, counts_key, split_key

    institution = services.institution()
    zone = institution.time_zone
    counters: Counter[tuple[str, str]] = Counter()
    for item, answers in seeded:
        for key in counter_keys(CaseItem.from_item(item), zone):
            counters[split_key(key)] += 1
        if answers:
            month = counts_key(month_of(item["submitted_at"], zone))
            for row, behaviours in demographic_rows(
                answers, item["answers"], institution.form
            ).items():
                for behaviour in behaviours:
                    counters[(month, demographic_cell(row, behaviour))] += 1
    items: dict[str, dict[str, Any]] = {}
    for (partition, counter), n in counters.items():
        entry = items.setdefault(
            partition, {name: {"S": value} for name, value in counter_item(partition).items()}
        )
        entry[counter] = {"N": str(n)}
    client = services.dynamodb()
    table = services.settings().insights_table
    values = list(items.values())
    for start in range(0, len(values), 25):
        client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in values[start : start + 25]]}
        )
    # What the job does after counting: snapshot every counter item, release due periods.
    publisher = services.insights_job().publisher
    publisher.snapshot(items)
    publisher.release_due(services.clock().now())


def _counter_items() -> list[dict[str, Any]]:
    from chalicelib import services
    from tests.sentinels import table_items

    items = table_items(services.dynamodb(), services.settings().insights_table)
    return sorted(
        (i for i in items if i["pk"]["S"] != "JOB"), key=lambda i: (i["pk"]["S"], i["sk"]["S"])
    )


def _counters_held() -> int:
    """How many counters (number attributes) the month and caseload items hold: bounded by
    the counter space, not by the number of reports (the read gets them packed)."""
    return sum(
        len(item) - 2 for item in _counter_items() if item["sk"]["S"] in ("MONTH", "CASELOAD")
    )


def _bytes_read() -> int:
    """The size of the packed JSON the read parses (its snapshots and releases)."""
    return sum(
        len(item.get("counters", item.get("cells", {})).get("S", ""))
        for item in _counter_items()
        if item["sk"]["S"] in ("SNAPSHOT", "RELEASE")
    )


def _time_reads() -> list[float]:
    from chalicelib import services
    from chalicelib.insights.reading import Period

    dashboard = services.insights_dashboard()
    period = Period("2026-01", "2026-12")
    dashboard.read(period)  # warm: clients built, first connection made
    samples = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        dashboard.read(period)
        samples.append(time.perf_counter() - began)
    return samples


def run() -> tuple[list[Row], dict[str, Any]]:
    """Seed, count, time the read at 500, 5,000 and 50,000 reports; rows and raw figures."""
    from chalicelib import services

    raw: dict[str, Any] = {"repeats": REPEATS}
    with _mocked():
        print(f"  insights: {SMALL} reports through the job", file=sys.stderr, flush=True)
        seeded = _seed(SMALL, seed=1)
        began = time.perf_counter()
        outcome = services.insights_job().run()
        raw["job_seconds_for_500"] = round(time.perf_counter() - began, 2)
        raw["job_outcome"] = outcome
        by_job = _counter_items()
        small = _time_reads()
        total = services.insights_dashboard().read(_year())["total_reports"]
        raw["small_counters"] = _counters_held()
        raw["small_packed_bytes"] = _bytes_read()
    with _mocked():
        _seed(SMALL, seed=1)
        _write_counters_as_the_job_would(seeded)
        raw["summed_counters_equal_the_jobs"] = _counter_items() == by_job
    with _mocked():
        print(f"  insights: {MEDIUM} reports counted", file=sys.stderr, flush=True)
        _write_counters_as_the_job_would(_seed(MEDIUM, seed=3))
        middle = _time_reads()
        middle_total = services.insights_dashboard().read(_year())["total_reports"]
        raw["medium_counters"] = _counters_held()
        raw["medium_packed_bytes"] = _bytes_read()
    with _mocked():
        print(f"  insights: {LARGE} reports counted", file=sys.stderr, flush=True)
        _write_counters_as_the_job_would(_seed(LARGE, seed=2))
        large = _time_reads()
        large_total = services.insights_dashboard().read(_year())["total_reports"]
        raw["large_counters"] = _counters_held()
        raw["large_packed_bytes"] = _bytes_read()
    raw["small"] = {"reports": total, **summary_ms(small)}
    raw["medium"] = {"reports": middle_total, **summary_ms(middle)}
    raw["large"] = {"reports": large_total, **summary_ms(large)}
    ratio = median(large) / median(small)
    raw["ratio"] = round(ratio, 3)
    saturated = median(large) / median(middle)
    raw["ratio_large_to_medium"] = round(saturated, 3)
    rows = [
        Row(
            benchmark="insights read, 50k vs 500 reports",
            measured=f"{median(large) * 1000:.1f} ms",
            floor=f"{median(small) * 1000:.1f} ms",
            ratio=f"{ratio:.2f}x",
            goal=f"<= {GOAL_RATIO}x",
            met=ratio <= GOAL_RATIO and raw["summed_counters_equal_the_jobs"],
        ),
        Row(
            benchmark="insights read, 50k vs 5k reports (counters filled at both)",
            measured=f"{median(large) * 1000:.1f} ms",
            floor=f"{median(middle) * 1000:.1f} ms",
            ratio=f"{saturated:.2f}x",
            goal="none",
            met=None,
        ),
    ]
    return rows, raw


def _year() -> Any:
    from chalicelib.insights.reading import Period

    return Period("2026-01", "2026-12")
