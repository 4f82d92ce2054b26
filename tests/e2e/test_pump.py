"""The SQS pump against a real (in-process) moto server, with a small Chalice app.

These pin down the Lambda semantics the pump promises: partial batch failures stay on the
queue and reach the dead-letter queue after `maxReceiveCount` receives (moto moves them on
receive, as SQS does), and a handler that raises leaves its whole batch on the queue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from chalice.app import Chalice
from moto.server import ThreadedMotoServer

from chalicelib.resources import Queue, dead_letter_queue_name
from devstack.provision import create_queue
from devstack.pump import Pump, failed_message_ids, subscriptions
from tests.e2e.running import REGION, free_port
from tests.sentinels import queue_counts, wait_until

pytestmark = pytest.mark.e2e

#: Short timings so a failed message comes back, and dead-letters, within seconds.
WORK = Queue("work", "unused", visibility_timeout_seconds=1, max_receive_count=2)


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    """An SQS client for a moto server running in this process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield boto3.session.Session().client(
        "sqs",
        endpoint_url=f"http://{host}:{port}",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    server.stop()


class Recorder:
    """A Chalice app whose SQS handler fails or raises on request, recording every event."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.app = Chalice(app_name="pump-test")

        @self.app.on_sqs_message(queue="work", batch_size=10)
        def on_work(event: Any) -> dict[str, Any]:
            records = event.to_dict()["Records"]
            self.events.append(event.to_dict())
            if any(r["body"] == "raise" for r in records):
                raise RuntimeError("boom")
            return {
                "batchItemFailures": [
                    {"itemIdentifier": r["messageId"]} for r in records if r["body"] == "fail"
                ]
            }

    def bodies(self) -> list[str]:
        return [r["body"] for event in self.events for r in event["Records"]]


@pytest.fixture
def queue(sqs: Any, request: pytest.FixtureRequest) -> tuple[str, str]:
    """A fresh queue and its dead-letter queue (URLs), named after the test."""
    stage = request.node.name.replace("_", "-")[:40]
    url = create_queue(sqs, WORK, stage)
    dlq = sqs.get_queue_url(QueueName=dead_letter_queue_name(stage, WORK))["QueueUrl"]
    return url, dlq


def run_pump(sqs: Any, recorder: Recorder, url: str) -> Pump:
    pump = Pump(sqs, subscriptions(recorder.app, {"work": url}, sqs), REGION, wait_seconds=0)
    pump.start()
    return pump


def test_records_are_shaped_as_lambda_delivers_them(sqs: Any, queue: tuple[str, str]) -> None:
    url, _ = queue
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps({"report_id": "x"}),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "triage"}},
    )
    recorder = Recorder()
    pump = run_pump(sqs, recorder, url)
    try:
        assert wait_until(lambda: recorder.events, 10)
    finally:
        pump.stop()

    record = recorder.events[0]["Records"][0]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn["QueueArn"]
    assert record["awsRegion"] == REGION
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "triage"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert {"messageId", "receiptHandle", "body", "md5OfBody"} <= set(record)


def test_failed_items_stay_and_reach_the_dead_letter_queue(
    sqs: Any, queue: tuple[str, str]
) -> None:
    url, dlq = queue
    for body in ("ok-1", "fail", "ok-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    recorder = Recorder()
    pump = run_pump(sqs, recorder, url)
    try:
        # The failed message is delivered maxReceiveCount (2) times, then dead-lettered.
        moved = wait_until(lambda: queue_counts(sqs, dlq)[0] == 1, 15)
        assert pump.wait_until_idle(5)
    finally:
        pump.stop()

    assert moved, "the failed message never reached the dead-letter queue"
    assert sorted(recorder.bodies()) == ["fail", "fail", "ok-1", "ok-2"]
    assert queue_counts(sqs, url) == (0, 0)
    dead = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in dead] == ["fail"]


def test_a_raising_handler_deletes_nothing(sqs: Any, queue: tuple[str, str]) -> None:
    url, dlq = queue
    for body in ("ok", "raise"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    recorder = Recorder()
    pump = run_pump(sqs, recorder, url)
    try:
        moved = wait_until(lambda: queue_counts(sqs, dlq)[0] == 2, 60)
    finally:
        pump.stop()

    # Both messages failed with their batch every time, so both were dead-lettered,
    # "ok" included: the price of raising instead of reporting item failures.
    assert moved
    assert recorder.bodies().count("ok") == WORK.max_receive_count


def test_wait_until_idle_follows_the_queue(sqs: Any, queue: tuple[str, str]) -> None:
    url, _ = queue
    recorder = Recorder()
    pump = run_pump(sqs, recorder, url)
    try:
        assert pump.wait_until_idle(5)
        sqs.send_message(QueueUrl=url, MessageBody="ok")
        time.sleep(0.1)
        assert pump.wait_until_idle(5)
    finally:
        pump.stop()
    assert recorder.bodies() == ["ok"]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        # Lambda fails the whole batch when a response names an unknown or empty id.
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
        ({"statusCode": 200}, set()),
    ],
)
def test_failed_ids_follow_lambda(result: object, failed: set[str]) -> None:
    assert failed_message_ids(result, ["a", "b"]) == failed


def test_drain_delivers_what_is_queued_at_once_without_waiting_out_a_long_poll(
    sqs: Any, queue: tuple[str, str]
) -> None:
    url, _ = queue
    for number in range(25):
        sqs.send_message(QueueUrl=url, MessageBody=f"ok-{number}")
    recorder = Recorder()
    # Polling threads that long-poll for 5 s: drain must not wait for them to come back.
    pump = Pump(sqs, subscriptions(recorder.app, {"work": url}, sqs), REGION, wait_seconds=5)
    pump.start()
    try:
        started = time.monotonic()
        assert pump.drain(10) is True
        took = time.monotonic() - started
    finally:
        pump.stop()

    assert sorted(recorder.bodies()) == sorted(f"ok-{number}" for number in range(25))
    assert queue_counts(sqs, url) == (0, 0)
    assert took < 3


def test_drain_without_anything_queued_returns_at_once(sqs: Any, queue: tuple[str, str]) -> None:
    url, _ = queue
    recorder = Recorder()
    pump = Pump(sqs, subscriptions(recorder.app, {"work": url}, sqs), REGION, wait_seconds=5)

    started = time.monotonic()
    assert pump.drain(10) is True

    assert time.monotonic() - started < 1
    assert recorder.events == []
