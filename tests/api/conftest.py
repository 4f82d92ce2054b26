"""In-process API tests: chalice's test client against moto's `mock_aws`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import services
from chalicelib.observability import logger as app_logger
from chalicelib.settings import Settings
from devstack.provision import provision


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 10, 30, tzinfo=UTC))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> Iterator[Settings]:
    """A fresh mocked AWS account with every resource provisioned and the app pointed at it."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        services.reset(clock=clock)
        aws_session = boto3.Session(
            botocore_session=services.botocore_session(), region_name="eu-west-2"
        )
        settings = provision(aws_session, "test")
        for name, value in settings.environment().items():
            monkeypatch.setenv(name, value)
        yield settings
    services.reset()


@pytest.fixture
def client(aws: Settings) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def logs() -> Iterator[list[str]]:
    """Every log line the app writes while the test runs, formatted as it would be shipped."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(app_logger.registered_formatter)
    targets = [logging.getLogger(), app_logger._logger]
    previous = [target.level for target in targets]
    for target in targets:
        target.addHandler(handler)
        target.setLevel(logging.DEBUG)
    yield lines
    for target, level in zip(targets, previous, strict=True):
        target.removeHandler(handler)
        target.setLevel(level)


def post_json(client: Client, path: str, body: Any) -> Any:
    """POST a JSON body; returns chalice's test response."""
    return client.http.post(
        path, body=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def report_items(aws: Settings) -> list[dict[str, Any]]:
    """The report items (not claims) in the reports table, low-level form."""
    dynamodb = services.dynamodb()
    items = dynamodb.scan(TableName=aws.reports_table)["Items"]
    return [item for item in items if item["sk"]["S"] == "REPORT"]


def queued_bodies(aws: Settings) -> list[dict[str, Any]]:
    """Bodies of the messages waiting on the triage queue (left visible)."""
    sqs = services.sqs()
    messages = sqs.receive_message(
        QueueUrl=aws.triage_queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]
