"""Receipt codes that open nothing: does the time of the answer tell them apart? (issue 14)

An unknown code, a wrong one (one character changed from a real code) and the code of a
report retention has deleted must cost the server the same work — one MAC, one consistent
GetItem, one failure counted — and so take the same time. Each is posted `ROUNDS` times to
`POST /reports/follow-up` through chalice's test client over in-process moto (`mock_aws`),
interleaved (floor, unknown, wrong, deleted, floor, unknown, ...) so that drift in the
machine's speed falls on all alike, and the medians are compared.

Floor: a malformed code (400, refused on parsing, after the budget's read: no KMS, no
receipt GetItem, nothing counted), measured in the same run. The failure budget is set
out of reach for the run (`RS_RECEIPT_FAILURE_BUDGET`): this measures the lookups, not the
refusal after the budget is spent.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from bench.stats import Row, median, summary_ms

REGION = "eu-west-2"
ROUNDS = 500
START = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
#: Median of one kind over another's beyond which the difference would be worth a look.
SAME_WITHIN = 1.10
KINDS = ("floor", "unknown", "wrong", "deleted")


class _Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@contextmanager
def _mocked(clock: _Clock) -> Iterator[None]:
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
            services.reset(clock=clock)
            import boto3

            session = boto3.Session(botocore_session=services.botocore_session())
            settings = provision(session, "bench")
            os.environ.update(settings.environment())
            os.environ["RS_RECEIPT_FAILURE_BUDGET"] = "1000000"
            services.reset(clock=clock)
            yield
    finally:
        services.reset()
        os.environ.clear()
        os.environ.update(saved)


def _post(client: Any, path: str, body: Any) -> Any:
    return client.http.post(
        path, body=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def _codes(client: Any, clock: _Clock) -> dict[str, str]:
    """A kept report's code changed by one character, and a deleted report's code."""
    from chalicelib import services
    from tests.factories import anonymous_submission

    issued = []
    for _ in range(2):
        answer = _post(client, "/reports", anonymous_submission(follow_up=True))
        assert answer.status_code == 201, answer.json_body
        issued.append(answer.json_body)
    kept, gone = issued
    # The deleted one: filed (as a screener would), then past its three years.
    report_id = services.report_store().report_id_for(gone["reference"])
    services.dynamodb().update_item(
        TableName=services.settings().reports_table,
        Key={"pk": {"S": f"REPORT#{report_id}"}, "sk": {"S": "REPORT"}},
        UpdateExpression="SET #status = :filed REMOVE awaiting_triage",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":filed": {"S": "filed"}},
    )
    clock.moment = START + timedelta(days=3 * 366)
    assert services.retention().sweep()["deleted"] == 1
    clock.moment = START
    code = kept["follow_up"]["receipt_code"]
    wrong = code[:-1] + ("B" if code[-1] != "B" else "C")
    return {
        "floor": "BCDF-2345-GHJK-MNPQ-RST",
        "unknown": "BCDF-2345-GHJK-MNPQ-RSTW",
        "wrong": wrong,
        "deleted": gone["follow_up"]["receipt_code"],
    }


def measure(rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Seconds per answer of each kind, interleaved round by round."""
    from chalice.test import Client

    from app import app

    clock = _Clock(START)
    with _mocked(clock), Client(app) as client:
        codes = _codes(client, clock)
        expected = {"floor": 400, "unknown": 404, "wrong": 404, "deleted": 404}
        samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
        call: Callable[[str], Any] = lambda code: _post(  # noqa: E731
            client, "/reports/follow-up", {"receipt_code": code}
        )
        for kind in KINDS:  # warm: the first call of each builds clients and caches
            assert call(codes[kind]).status_code == expected[kind]
        bodies = {kind: call(codes[kind]).body for kind in KINDS}
        assert bodies["unknown"] == bodies["wrong"] == bodies["deleted"]
        for number in range(rounds):
            # Rotate the order each round too: no kind always follows the same other.
            order = KINDS[number % 4 :] + KINDS[: number % 4]
            for kind in order:
                started = perf_counter()
                answer = call(codes[kind])
                samples[kind].append(perf_counter() - started)
                assert answer.status_code == expected[kind], (kind, number, answer.body)
    return samples


def run(rounds: int = ROUNDS) -> tuple[list[Row], dict[str, Any]]:
    """The table rows and raw figures."""
    print(f"receipts: {rounds} rounds of {', '.join(KINDS)}", file=sys.stderr, flush=True)
    samples = measure(rounds)
    medians = {kind: median(values) for kind, values in samples.items()}
    floor = medians["floor"]
    rows = [
        Row(
            f"receipt code, {kind} (median)",
            f"{medians[kind] * 1000:.2f} ms",
            f"{floor * 1000:.2f} ms",
            f"{medians[kind] / floor:.2f}x",
            "",
            None,
        )
        for kind in ("unknown", "wrong", "deleted")
    ]
    for a, b in (("unknown", "deleted"), ("unknown", "wrong")):
        ratio = medians[a] / medians[b]
        rows.append(
            Row(
                f"receipt code, {a}:{b} (medians)",
                f"{ratio:.3f}",
                "1.000",
                f"{ratio:.3f}",
                f"within {SAME_WITHIN:.2f}",
                1 / SAME_WITHIN <= ratio <= SAME_WITHIN,
            )
        )
    raw = {
        "rounds": rounds,
        "ms": {kind: summary_ms(values) for kind, values in samples.items()},
        "unknown_to_deleted": medians["unknown"] / medians["deleted"],
        "unknown_to_wrong": medians["unknown"] / medians["wrong"],
    }
    return rows, raw
