"""Submission to notification email: how long a named report takes to reach its screeners.

Measured: the wall time from sending `POST /reports` over real HTTP to the local stack until
the screeners' email about that report is in moto's SES. The stack is `devstack.stack.
LocalStack`, started in this process: chalice's local server, the SQS pump (long polling,
as Lambda's event source does), moto. The path covers the HTTP request and intake, the
triage message, triage (routing, clocks, the outbox write), the notify message, and the
notify worker (claim, recipients, rendering, SES, marking it sent). Reports are submitted
one at a time, sequentially: each report's email is awaited before the next is sent, so
the figures are those of an unloaded system and every queue batch holds one message. The
email is found by polling SES's list of accepted messages (every millisecond, in this
process) for the report's reference in a subject line.

Worker time per message: the `on_sqs_message` handlers are wrapped, before the stack starts,
to time each call; a batch's time divided by its size is the time per message (every batch
holds one message here, so it is simply the time of each call).

Floor: what the same path costs with no application code in it. A bare `GET /health` over
the same HTTP stack, plus the AWS requests the path makes, replayed with plain boto3 clients
on the same moto server one after another: the app's own requests captured from a real
warm submission (as `bench/intake.py` does, with fresh ids in each replay), and the pump's
receive after each queue message. The replay sends its queue messages to two spare queues,
so the running pump never sees them. The pump's deletes come after the handler and are off
the critical path, so they are left out. The ratio is measured ÷ floor, medians.

There is no goal for this benchmark: the issue asks for the median, the 95th percentile and
the worker time per message. Between batches of 20 reports the queues are allowed to drain
and the reports, demographics and notifications tables are recreated (never inside a
timing), for the reason given in `bench/local_aws.py`: moto copies a whole table on every
transaction, so without it both sides would slow down as the run goes on.
"""

from __future__ import annotations

import gc
import json
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter, sleep
from typing import Any

import boto3
import requests
from moto.core.model_instances import reset_model_data
from moto.ses.models import ses_backends

from bench.intake import Call, CallRecorder, report_item, substitute
from bench.local_aws import quiet_logs
from bench.stats import Row, median, median_p95_text, summary_ms
from chalicelib import services
from chalicelib.reports.reference import new_reference
from chalicelib.resources import RESOURCES, STAFF_TABLE, physical_name
from devstack.aws import LOCAL_ACCOUNT_ID
from devstack.provision import create_table
from devstack.stack import LocalStack, StackOptions
from tests.factories import named_submission

REPORTS = 200
WARMUP = 10
#: Reports between housekeeping passes (queues drained, tables recreated).
RESET_EVERY = 20
POLL_SECONDS = 0.001
TIMEOUT_SECONDS = 10.0
#: Not `bench`: moto's state outlives its server in this process, and the resources the
#: intake and KMS benchmarks leave (their last reports' queue messages included) must not be
#: reused here.
STAGE = "bench-latency"
HANDLERS = ("on_triage_message", "on_notify_message")
_JSON = {"Content-Type": "application/json"}
Prepared = list[tuple[Callable[..., Any], dict[str, Any]]]


@dataclass
class HandlerTimes:
    """Times each call of the wrapped SQS handlers: handler name -> (batch size, seconds)."""

    samples: dict[str, list[tuple[int, float]]] = field(
        default_factory=lambda: {name: [] for name in HANDLERS}
    )

    def wrap(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler`, timed."""

        def timed(event: dict[str, Any], context: Any) -> Any:
            start = perf_counter()
            try:
                return handler(event, context)
            finally:
                self.samples[name].append((len(event["Records"]), perf_counter() - start))

        return timed

    def clear(self) -> None:
        """Forget the samples so far."""
        for samples in self.samples.values():
            samples.clear()

    def per_message(self, name: str) -> list[float]:
        """Seconds per message of each batch."""
        return [seconds / size for size, seconds in self.samples[name]]


@contextmanager
def timed_handlers(times: HandlerTimes) -> Iterator[None]:
    """Wrap the app's SQS handlers while inside (the stack binds them when it starts)."""
    from app import app

    originals = {name: app.handler_map[name] for name in HANDLERS}
    for name, handler in originals.items():
        app.handler_map[name] = times.wrap(name, handler)
    try:
        yield
    finally:
        app.handler_map.update(originals)


class Mailbox:
    """moto's SES, read in this process: finds the email about a reference."""

    def __init__(self, region: str) -> None:
        self._backend = ses_backends[LOCAL_ACCOUNT_ID][region]

    def count(self) -> int:
        """How many messages SES has accepted."""
        return len(self._backend.sent_messages)

    def wait_for(self, reference: str, since: int) -> float:
        """perf_counter() when the new-report email about `reference` was first seen."""
        needle = f"New report {reference} "
        deadline = perf_counter() + TIMEOUT_SECONDS
        while True:
            messages = self._backend.sent_messages
            if any(needle in getattr(m, "raw_data", "") for m in messages[since:]):
                return perf_counter()
            if perf_counter() > deadline:
                raise RuntimeError(f"no email about {reference} in {TIMEOUT_SECONDS:g} s")
            sleep(POLL_SECONDS)


def until_email(calls: list[Call]) -> list[Call]:
    """The calls up to the email being accepted: what follows is off the measured path."""
    ends = [i for i, call in enumerate(calls) if call.name == "sesv2.SendEmail"]
    if len(ends) != 1:
        raise RuntimeError(f"expected one email on the path, found {len(ends)}")
    return calls[: ends[0] + 1]


@dataclass
class PathFloor:
    """Replays the path's AWS requests on plain clients, plus a bare `GET /health`."""

    steps: list[tuple[Callable[..., Any], Call]]
    replaced: dict[str, str]
    spare_queues: dict[str, str]
    sqs: Any
    http: requests.Session
    health_url: str

    @classmethod
    def build(cls, calls: list[Call], stack: LocalStack, http: requests.Session) -> PathFloor:
        """Bind each captured call to a plain client; make the spare queues."""
        assert stack.settings is not None and stack.urls is not None
        session = boto3.session.Session()
        clients: dict[str, Any] = {}
        steps: list[tuple[Callable[..., Any], Call]] = []
        for call in until_email(calls):
            client = clients.setdefault(call.service, session.client(call.service))
            methods = {api: method for method, api in client.meta.method_to_api_mapping.items()}
            steps.append((getattr(client, methods[call.operation]), call))
        sqs = clients.setdefault("sqs", session.client("sqs"))
        spare = {
            url: sqs.create_queue(QueueName=f"bench-floor-{index}")["QueueUrl"]
            for index, url in enumerate(
                (stack.settings.triage_queue_url, stack.settings.notify_queue_url)
            )
        }
        report = report_item(calls)
        replaced = {
            "report_id": report["report_id"]["S"],
            "submission_id": report["submission_id"]["S"],
            "reference": report["reference"]["S"],
        }
        return cls(steps, replaced, spare, sqs, http, f"{stack.urls.api}/health")

    def prepare(self) -> Prepared:
        """The calls with fresh ids and the spare queues, ready to run (built untimed)."""
        fresh = {
            self.replaced["report_id"]: uuid.uuid4().hex,
            self.replaced["submission_id"]: str(uuid.uuid4()),
            self.replaced["reference"]: new_reference(),
            **self.spare_queues,
        }
        return [(method, substitute(call.params, fresh)) for method, call in self.steps]

    def run(self, prepared: Prepared) -> float:
        """Seconds for the bare path: health check, then every request, one after another."""
        handles: list[tuple[str, str]] = []
        start = perf_counter()
        self.http.get(self.health_url, timeout=TIMEOUT_SECONDS).raise_for_status()
        for method, params in prepared:
            method(**params)
            if method.__name__ == "send_message":
                # The pump's receive, exactly as it asks (the message is already there).
                received = self.sqs.receive_message(
                    QueueUrl=params["QueueUrl"],
                    MaxNumberOfMessages=10,
                    WaitTimeSeconds=1,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
                handles += [(params["QueueUrl"], m["ReceiptHandle"]) for m in received["Messages"]]
        elapsed = perf_counter() - start
        for url, handle in handles:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        return elapsed


@dataclass
class Run:
    """One stack, one HTTP session, and what a report needs to be sent and awaited."""

    stack: LocalStack
    http: requests.Session
    mailbox: Mailbox

    def submit(self) -> tuple[float, float]:
        """(seconds to the email, seconds to the POST's answer) for one named report."""
        assert self.stack.urls is not None
        body = json.dumps(named_submission())
        since = self.mailbox.count()
        start = perf_counter()
        response = self.http.post(
            f"{self.stack.urls.api}/reports", data=body, headers=_JSON, timeout=TIMEOUT_SECONDS
        )
        answered = perf_counter()
        if response.status_code != 201:
            raise RuntimeError(f"submission refused: {response.status_code} {response.text}")
        emailed = self.mailbox.wait_for(response.json()["reference"], since)
        self.settle()
        return emailed - start, answered - start

    def settle(self) -> None:
        """Wait until the pump has finished with every message (deleted, not just handled)."""
        assert self.stack.settings is not None and self.stack.clients is not None
        sqs = self.stack.clients.sqs
        urls = (self.stack.settings.triage_queue_url, self.stack.settings.notify_queue_url)
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        deadline = perf_counter() + TIMEOUT_SECONDS
        while any(
            any(
                int(v)
                for v in sqs.get_queue_attributes(QueueUrl=u, AttributeNames=names)[
                    "Attributes"
                ].values()
            )
            for u in urls
        ):
            if perf_counter() > deadline:
                raise RuntimeError("the pump did not drain the queues")
            sleep(POLL_SECONDS)

    def housekeeping(self) -> None:
        """Recreate the tables the path writes (never inside a timing)."""
        assert self.stack.clients is not None
        self.settle()
        reset_model_data()
        dynamodb = self.stack.clients.dynamodb
        for table in RESOURCES.tables:
            if table is not STAFF_TABLE:  # the directory is read, never written, on the path
                dynamodb.delete_table(TableName=physical_name(STAGE, table.logical_name))
                create_table(dynamodb, table, STAGE)

    def capture(self) -> list[Call]:
        """The app's AWS requests for one warm report, from POST to email, in order."""
        services.reset()
        recorder = CallRecorder()
        recorder.attach(services.botocore_session())
        for _ in range(2):  # the first fills the new session's caches
            recorder.clear()
            self.submit()
        made = [call.name for call in recorder.calls]
        if made != recorder.operations:
            raise RuntimeError(f"parameters {made} do not match calls {recorder.operations}")
        if any(call.operation in ("GenerateDataKey", "Decrypt") for call in recorder.calls):
            raise RuntimeError("the data-key cache did not stay warm between two reports")
        # A fresh session without the recorder: timed reports must not pay for it.
        services.reset()
        return list(recorder.calls)


def run(reports: int = REPORTS) -> tuple[list[Row], dict[str, Any]]:
    """Run the latency benchmark; return table rows and raw figures."""
    options = StackOptions(port=0, moto_port=0, web_port=0, clock_port=0, resource_stage=STAGE)
    times = HandlerTimes()
    latencies: list[float] = []
    answers: list[float] = []
    floors: list[float] = []
    with (
        quiet_logs(),
        timed_handlers(times),
        LocalStack(options) as stack,
        requests.Session() as http,
    ):
        assert stack.settings is not None
        session = Run(stack, http, Mailbox(stack.settings.region))
        print(f"  latency: {WARMUP} warm-up reports, capture", file=sys.stderr, flush=True)
        for _ in range(WARMUP):
            session.submit()
        calls = session.capture()
        floor = PathFloor.build(calls, stack, http)
        for _ in range(WARMUP):
            session.submit()
            floor.run(floor.prepare())
        times.clear()
        # The stack, moto and every library live in this one process: hundreds of thousands
        # of long-lived objects that each full collection would scan (over 250 ms apiece,
        # landing inside one sample in ten). A Lambda's heap holds a fraction of that, so
        # they are frozen out of the collector for the timed part.
        gc.collect()
        gc.freeze()
        print(f"  latency: {reports} reports, each with its floor", file=sys.stderr, flush=True)
        try:
            for index in range(reports):
                if index % RESET_EVERY == 0:
                    session.housekeeping()
                prepared = floor.prepare()
                latency, answered = session.submit()
                floors.append(floor.run(prepared))
                latencies.append(latency)
                answers.append(answered)
        finally:
            gc.unfreeze()

    triage = times.per_message("on_triage_message")
    notify = times.per_message("on_notify_message")
    batch_sizes = Counter(size for name in HANDLERS for size, _ in times.samples[name])
    ratio = median(latencies) / median(floors)
    raw: dict[str, Any] = {
        "reports": reports,
        "warmup": WARMUP,
        "submission": "sequential: one report at a time, each email awaited",
        "pump": "long polling, as Lambda's event source",
        "operations": [call.name for call in calls],
        "floor_operations": ["GET /health"]
        + [
            name
            for call in until_email(calls)
            for name in (
                [call.name, "sqs.ReceiveMessage"] if call.name == "sqs.SendMessage" else [call.name]
            )
        ],
        "latency": summary_ms(latencies),
        "post_answered": summary_ms(answers),
        "floor": summary_ms(floors),
        "ratio": round(ratio, 3),
        "worker_ms_per_message": {
            "triage": summary_ms(triage),
            "notify": summary_ms(notify),
            "batch_sizes": {str(size): n for size, n in sorted(batch_sizes.items())},
        },
        "samples_ms": {
            "latency": [round(s * 1000, 3) for s in latencies],
            "floor": [round(s * 1000, 3) for s in floors],
            "triage": [round(s * 1000, 3) for s in triage],
            "notify": [round(s * 1000, 3) for s in notify],
        },
    }
    rows = [
        Row(
            benchmark="latency, submission -> email (median ms)",
            measured=median_p95_text(latencies, 1),
            floor=median_p95_text(floors, 1),
            ratio=f"{ratio:.2f}x",
            goal="none",
            met=None,
        ),
        Row(
            benchmark="worker, triage (median ms/message)",
            measured=median_p95_text(triage, 1),
            floor="-",
            ratio="-",
            goal="none",
            met=None,
        ),
        Row(
            benchmark="worker, notify (median ms/message)",
            measured=median_p95_text(notify, 1),
            floor="-",
            ratio="-",
            goal="none",
            met=None,
        ),
    ]
    return rows, raw
