"""One mocked stack shared by every test of a module, for the staff API tests.

The `aws` fixture provisions tables, queues, a user pool and the demo staff for every test
(about a second each). The staff API tests need many cases but no fresh account per test,
so each of their modules builds this stack once (a module-scoped fixture over
`shared_stack`). A module whose tests need no cases from each other calls
`forget_cases()` (empty queues and case tables; the staff stay) and `reset()` (clock back
at the start, no emails sent) before each test; a module that shares cases between tests
puts a case back with `partition()` / `restore()` instead.

It runs inside the package's `mocked_account` like `aws` does, wipes the account the same
way first, and leaves the app's cached clients reset when the module ends (the next `aws`
fixture wipes the account again).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.settings import Settings
from devstack.demo import create_demo_users, seed_directory
from devstack.provision import provision
from tests.api.conftest import (
    REGION,
    FixedClock,
    _remove_tables_queues_and_emails,
    as_staff,
    drain,
    post_json,
    sign_in,
)

START = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@dataclass
class Stack:
    """The shared stack: settings, the test client, the clock and signed-in staff."""

    settings: Settings
    client: Client
    clock: FixedClock
    _tokens: dict[str, str] = field(default_factory=dict)
    _report_ids: dict[str, str] = field(default_factory=dict)

    def reset(self) -> None:
        """The clock back at the start; no emails sent yet."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        self.clock.moment = START
        ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages.clear()

    def forget_cases(self) -> None:
        """Empty the queues and every table but the staff directory (the staff stay).

        moto copies every table on each transaction, so a table that grows test after test
        makes every later change slower; emptying them keeps each test as fast as the first.
        """
        sqs = services.sqs()
        for url in sqs.list_queues().get("QueueUrls", []):
            # (PurgeQueue may run once a minute per queue, in moto too)
            while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            ):
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        dynamodb = services.dynamodb()
        for table in (
            self.settings.reports_table,
            self.settings.demographics_table,
            self.settings.notifications_table,
            self.settings.insights_table,
            self.settings.rights_table,
            self.settings.admin_table,
        ):
            keys = [
                key["AttributeName"]
                for key in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
            ]
            items = [
                {name: item[name] for name in keys}
                for page in dynamodb.get_paginator("scan").paginate(TableName=table)
                for item in page["Items"]
            ]
            for start in range(0, len(items), 25):
                dynamodb.batch_write_item(
                    RequestItems={
                        table: [
                            {"DeleteRequest": {"Key": key}} for key in items[start : start + 25]
                        ]
                    }
                )

    def token(self, username: str) -> str:
        """A (cached) access token of a demo member."""
        if username not in self._tokens:
            self._tokens[username] = sign_in(self.settings, username)
        return self._tokens[username]

    def call(self, method: str, path: str, username: str, body: Any = None) -> Any:
        """Call the staff API as a demo member; chalice's test response."""
        request = getattr(self.client.http, method)
        headers = as_staff(self.token(username))
        if body is None:
            return request(path, headers=headers)
        return request(path, headers=headers, body=json.dumps(body))

    def submit(self, body: dict[str, Any]) -> str:
        """Submit a report and let triage run; its reference."""
        response = post_json(self.client, "/reports", body)
        assert response.status_code == 201, response.json_body
        self.drain()
        return str(response.json_body["reference"])

    def drain(self) -> None:
        """Deliver every queued triage and notify message."""
        drain(self.client, self.settings)

    def report_id(self, reference: str) -> str:
        """The report id behind a reference (a reference never moves)."""
        if reference in self._report_ids:
            return self._report_ids[reference]
        item = services.dynamodb().get_item(
            TableName=self.settings.reports_table,
            Key={"pk": {"S": f"REFERENCE#{reference}"}, "sk": {"S": "REFERENCE"}},
            ConsistentRead=True,
        )["Item"]
        self._report_ids[reference] = str(item["report_id"]["S"])
        return self._report_ids[reference]

    def partition(self, reference: str) -> list[dict[str, Any]]:
        """Every item of a case's partition (case, timeline, audit), low-level, in key order."""
        pages = (
            services.dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=self.settings.reports_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"REPORT#{self.report_id(reference)}"}},
                ConsistentRead=True,
            )
        )
        return [item for page in pages for item in page["Items"]]

    def case_item(self, reference: str) -> dict[str, Any]:
        """The case item, low-level."""
        return next(item for item in self.partition(reference) if item["sk"]["S"] == "REPORT")

    def restore(self, reference: str, baseline: list[dict[str, Any]]) -> None:
        """Put a case's partition back exactly as `baseline` (from `partition`) holds it."""
        dynamodb = services.dynamodb()
        wanted = {item["sk"]["S"]: item for item in baseline}
        for item in self.partition(reference):
            if item["sk"]["S"] not in wanted:
                dynamodb.delete_item(
                    TableName=self.settings.reports_table,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                )
            elif wanted[item["sk"]["S"]] == item:
                del wanted[item["sk"]["S"]]
        for item in wanted.values():
            dynamodb.put_item(TableName=self.settings.reports_table, Item=item)


@contextmanager
def shared_stack(jwks_url: str) -> Iterator[Stack]:
    """Provision once: tables, queues, keys, the user pool, the demo staff; the test client."""
    from app import app

    clock = FixedClock(START)
    with pytest.MonkeyPatch.context() as environment:
        services.reset(clock=clock)
        session = boto3.Session(botocore_session=services.botocore_session(), region_name=REGION)
        _remove_tables_queues_and_emails(session)
        # A content publish is seen by the next request (`content_cache_seconds`).
        settings = provision(session, "test").model_copy(
            update={"staff_jwks_url": jwks_url, "content_cache_seconds": 0}
        )
        for name, value in settings.environment().items():
            environment.setenv(name, value)
        seed_directory(services.staff_directory())
        create_demo_users(services.cognito(), settings.staff_pool_id)
        try:
            with Client(app) as client:
                yield Stack(settings=settings, client=client, clock=clock)
        finally:
            services.reset()
