"""The local stack under concurrent use, and its memory over a long session.

Measured against `python -m devstack` started as `scripts/dev` starts it (one process: moto,
chalice local, the SQS pump, the scheduler, the web server), on free ports, over real HTTP.

Concurrency: `CLIENTS` threads, released together, each POST one anonymous report with its
own submission id. Counted: the 201s, the 503s, anything else; then the reports table is read
back: each accepted submission id must be stored exactly once, and no report may exist that
was not accepted. Floor: the same number of reports sent one after another by one client
(all accepted). Ratio: the concurrent run's median latency ÷ the sequential one's.

Memory: the stack process's resident set (VmRSS of /proc/<pid>/status) once warm, then after
every 1,000 of `REQUESTS` further requests (reports, each one triaged and notified by the
pump, and GET /form between them), sent by `WORKERS` clients; the queues are let drain
before each reading. Growth per 1,000 requests is the median of those steps. Floor: the warm
RSS; ratio: final RSS ÷ warm RSS. moto and the API share the process, so this is their sum.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests

from bench.stats import Row, median
from chalicelib.resources import REPORTS_TABLE, physical_name
from devstack.aws import FAKE_CREDENTIAL, LOCAL_REGION
from tests.factories import anonymous_submission

PROJECT_DIR = Path(__file__).resolve().parent.parent
CLIENTS = 200
REQUESTS = 5_000
WORKERS = 8
STEP = 1_000
TIMEOUT_SECONDS = 300
REPORTS = physical_name("local", REPORTS_TABLE.logical_name)
#: moto's SES keeps every email; the pump's triage and notify workers run behind the API.
DRAIN_SECONDS = 120


@dataclass(frozen=True)
class Stack:
    """A `python -m devstack` process and where it listens."""

    process: subprocess.Popen[bytes]
    api: str
    moto: str
    web: str

    def rss_kib(self) -> int:
        """The process's resident set now, in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        [line] = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        return int(line.split()[1])

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's moto server."""
        return boto3.session.Session().client(
            service,
            endpoint_url=self.moto,
            region_name=LOCAL_REGION,
            aws_access_key_id=FAKE_CREDENTIAL,
            aws_secret_access_key=FAKE_CREDENTIAL,
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_stack(log: Path) -> Iterator[Stack]:
    """`python -m devstack` on free ports until the end of the block (then SIGTERM)."""
    port, moto_port, web_port, clock_port = _free_port(), _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "RS_"))}
    command = [
        sys.executable, "-m", "devstack",
        "--port", str(port), "--moto-port", str(moto_port), "--web-port", str(web_port),
        "--clock-port", str(clock_port),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    stack = Stack(
        process,
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{moto_port}",
        f"http://127.0.0.1:{web_port}",
    )
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            try:
                if requests.get(f"{stack.api}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"devstack did not start; see {log}")
            time.sleep(0.25)
        yield stack
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _submit(stack: Stack, body: dict[str, Any]) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        status = requests.post(f"{stack.api}/reports", json=body, timeout=TIMEOUT_SECONDS)
        code = status.status_code
    except requests.RequestException:
        code = 0
    return code, time.perf_counter() - start


def stored_submission_ids(stack: Stack) -> list[str]:
    """The submission id of every report item in the reports table (duplicates kept)."""
    pages = stack.client("dynamodb").get_paginator("scan").paginate(TableName=REPORTS)
    return [
        item["submission_id"]["S"]
        for page in pages
        for item in page["Items"]
        if item["sk"]["S"] == "REPORT"
    ]


def concurrent_submissions(stack: Stack, clients: int) -> dict[str, Any]:
    """`clients` threads released together, one report each; then what was stored."""
    bodies = [anonymous_submission() for _ in range(clients)]
    gate = threading.Barrier(clients)

    def one(body: dict[str, Any]) -> tuple[int, float]:
        gate.wait()
        return _submit(stack, body)

    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(one, bodies))
    statuses = Counter(code for code, _ in answers)
    accepted = {
        str(body["submission_id"])
        for body, (code, _) in zip(bodies, answers, strict=True)
        if code == 201
    }
    sent = {str(body["submission_id"]) for body in bodies}
    stored = Counter(sid for sid in stored_submission_ids(stack) if sid in sent)
    return {
        "clients": clients,
        "accepted": statuses[201],
        "unavailable_503": statuses[503],
        "other": clients - statuses[201] - statuses[503],
        "stored_once": sum(1 for sid in accepted if stored[sid] == 1),
        "stored_twice_or_more": sum(1 for count in stored.values() if count > 1),
        "stored_not_accepted": sum(1 for sid in stored if sid not in accepted),
        "median_latency_s": median([seconds for _, seconds in answers]),
    }


def sequential_submissions(stack: Stack, count: int) -> dict[str, Any]:
    """The floor: `count` reports, one after another, from one client."""
    answers = [_submit(stack, anonymous_submission()) for _ in range(count)]
    return {
        "accepted": sum(1 for code, _ in answers if code == 201),
        "median_latency_s": median([seconds for _, seconds in answers]),
    }


def _drained(stack: Stack) -> None:
    sqs = stack.client("sqs")
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        counts = [
            sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            for url in sqs.list_queues().get("QueueUrls", [])
        ]
        if all(int(c["ApproximateNumberOfMessages"]) == 0 for c in counts) and all(
            int(c["ApproximateNumberOfMessagesNotVisible"]) == 0 for c in counts
        ):
            return
        time.sleep(0.5)


def long_session(stack: Stack, total: int, workers: int) -> dict[str, Any]:
    """RSS once warm, then after every `STEP` requests (half reports, half GET /form)."""
    _drained(stack)
    readings = [stack.rss_kib()]
    statuses: Counter[int] = Counter()

    def one(number: int) -> int:
        if number % 2:
            return requests.get(f"{stack.api}/form", timeout=TIMEOUT_SECONDS).status_code
        return _submit(stack, anonymous_submission())[0]

    with ThreadPoolExecutor(workers) as pool:
        for start in range(0, total, STEP):
            statuses.update(pool.map(one, range(start, min(start + STEP, total))))
            _drained(stack)
            readings.append(stack.rss_kib())
            print(f"  {start + STEP} requests: RSS {readings[-1] / 1024:.0f} MiB", file=sys.stderr)
    steps = [later - earlier for earlier, later in itertools.pairwise(readings)]
    return {
        "requests": total,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "rss_kib": readings,
        "growth_kib_per_1000": median(steps) * 1000 / STEP,
    }


def run(
    clients: int = CLIENTS, total: int = REQUESTS, workers: int = WORKERS
) -> tuple[list[Row], dict[str, Any]]:
    """Both measurements on one fresh stack; the table rows and the raw figures."""
    with tempfile.TemporaryDirectory() as scratch, running_stack(Path(scratch) / "log") as stack:
        floor = sequential_submissions(stack, clients)
        burst = concurrent_submissions(stack, clients)
        session = long_session(stack, total, workers)
    ratio = burst["median_latency_s"] / floor["median_latency_s"]
    warm, final = session["rss_kib"][0], session["rss_kib"][-1]
    rows = [
        Row(
            f"concurrency: {clients} clients at once, accepted",
            f"{burst['accepted']} ({burst['unavailable_503']} x 503, {burst['other']} other)",
            f"{floor['accepted']} one at a time",
            f"{burst['accepted'] / clients:.2f}",
            f"all {clients}",
            burst["accepted"] == clients,
        ),
        Row(
            "concurrency: stored exactly once",
            f"{burst['stored_once']} ({burst['stored_twice_or_more']} twice+, "
            f"{burst['stored_not_accepted']} unanswered)",
            f"{burst['accepted']} accepted",
            f"{burst['stored_once'] / max(burst['accepted'], 1):.2f}",
            "every accepted one",
            burst["stored_once"] == burst["accepted"]
            and burst["stored_twice_or_more"] == burst["stored_not_accepted"] == 0,
        ),
        Row(
            "concurrency: median latency",
            f"{burst['median_latency_s'] * 1000:.0f} ms",
            f"{floor['median_latency_s'] * 1000:.0f} ms one at a time",
            f"{ratio:.1f}x",
            "-",
            None,
        ),
        Row(
            f"memory: stack RSS after {total} requests",
            f"{final / 1024:.0f} MiB",
            f"{warm / 1024:.0f} MiB warm",
            f"{final / warm:.2f}",
            "bounded",
            None,
        ),
        Row(
            "memory: growth per 1,000 requests",
            f"{session['growth_kib_per_1000'] / 1024:.1f} MiB",
            f"{warm / 1024:.0f} MiB warm",
            f"{session['growth_kib_per_1000'] / warm:.3f}",
            "< 5 MiB",
            session["growth_kib_per_1000"] < 5 * 1024,
        ),
    ]
    return rows, {"sequential": floor, "concurrent": burst, "session": session}


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.concurrency [--clients N] [--requests N]`: print the rows."""
    from bench.stats import format_table

    parser = argparse.ArgumentParser(prog="python -m bench.concurrency")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args(argv)
    rows, raw = run(args.clients, args.requests, args.workers)
    print(format_table(rows))
    print(raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
