"""The local stack's moto server: one request at a time but long polls, a bounded registry."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto.core.model_instances import model_data
from moto.ses.models import RawMessage  # noqa: F401 - registers SES's models
from moto.sqs.models import Message  # noqa: F401 - registers SQS's models

from devstack.moto_server import SerialisedApp, journal_transactions, trim_registry


class OverlapRecorder:
    """A WSGI app that records how many requests it is serving at once, the first held open."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.first_entered = threading.Event()
        self.release_first = threading.Event()
        self._count = threading.Lock()
        self._calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        with self._count:
            self._calls += 1
            first = self._calls == 1
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        if first:
            self.first_entered.set()
            self.release_first.wait()
        with self._count:
            self.inside -= 1
        start_response("200 OK", [])
        return iter([b"ok"])


def _serve_in_thread(app: SerialisedApp, environ: dict[str, Any]) -> threading.Thread:
    thread = threading.Thread(target=app, args=(environ, lambda *_: None))
    thread.start()
    return thread


def test_a_second_request_waits_until_the_first_is_answered() -> None:
    recorder = OverlapRecorder()
    app = SerialisedApp(recorder)
    first = _serve_in_thread(app, {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"})
    recorder.first_entered.wait()
    second = _serve_in_thread(app, {"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Scan"})

    recorder.release_first.set()
    first.join()
    second.join()

    assert recorder.most_inside == 1


def test_a_long_polling_receive_does_not_hold_up_other_requests() -> None:
    recorder = OverlapRecorder()
    app = SerialisedApp(recorder)
    receive = _serve_in_thread(app, {"HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage"})
    recorder.first_entered.wait()

    answer = app({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, lambda *_: None)

    assert answer == [b"ok"]
    assert recorder.inside == 1  # the receive is still being served
    recorder.release_first.set()
    receive.join()
    assert recorder.most_inside == 2


@pytest.fixture
def tracked() -> Iterator[tuple[list[Any], list[Any]]]:
    """moto's registered emails and SQS messages, restored after the test."""
    emails = model_data["ses"]["RawMessage"].instances_tracked  # type: ignore[attr-defined]
    messages = model_data["sqs"]["Message"].instances_tracked  # type: ignore[attr-defined]
    saved = list(emails), list(messages)
    yield emails, messages
    emails[:], messages[:] = saved


def test_trimming_keeps_the_latest_emails_and_forgets_other_objects(
    tracked: tuple[list[Any], list[Any]],
) -> None:
    emails, messages = tracked
    emails[:] = ["email 1", "email 2", "email 3"]
    messages[:] = ["message 1", "message 2"]

    trim_registry(keep_emails=2)

    assert emails == ["email 2", "email 3"]
    assert messages == []


def test_a_cancelled_transaction_puts_back_every_item_it_named() -> None:
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    journal_transactions()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName="things",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for pk in ("taken", "counted", "doomed"):
            dynamodb.put_item(
                TableName="things", Item={"pk": {"S": pk}, "sk": {"S": "A"}, "n": {"N": "1"}}
            )

        def key(pk: str) -> dict[str, Any]:
            return {"pk": {"S": pk}, "sk": {"S": "A"}}

        def put(pk: str, *, only_if_new: bool = False) -> dict[str, Any]:
            put: dict[str, Any] = {"TableName": "things", "Item": {**key(pk), "n": {"N": "2"}}}
            if only_if_new:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            return {"Put": put}

        increment = {
            "Update": {
                "TableName": "things",
                "Key": key("counted"),
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }
        delete = {"Delete": {"TableName": "things", "Key": key("doomed")}}
        with pytest.raises(ClientError, match="TransactionCanceled"):
            dynamodb.transact_write_items(
                TransactItems=[put("first"), increment, delete, put("taken", only_if_new=True)]
            )
        dynamodb.transact_write_items(TransactItems=[put("second"), put("third")])

        items = {
            item["pk"]["S"]: item["n"]["N"] for item in dynamodb.scan(TableName="things")["Items"]
        }
    assert items == {"taken": "1", "counted": "1", "doomed": "1", "second": "2", "third": "2"}


def test_a_transaction_copies_no_table() -> None:
    import boto3
    from moto import mock_aws
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    journal_transactions()
    copied: list[Any] = []
    deepcopy = models.copy.deepcopy  # type: ignore[attr-defined]

    def watched(value: Any, memo: dict[int, Any] | None = None) -> Any:
        result = deepcopy(value, memo)
        if isinstance(value, Table) and result is not value:
            copied.append(value)
        return result

    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(models.copy, "deepcopy", watched)  # type: ignore[attr-defined]
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName="things",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "things", "Item": {"pk": {"S": str(n)}}}} for n in range(5)
            ]
        )
        count = dynamodb.scan(TableName="things")["Count"]
    assert (count, copied) == (5, [])


def test_a_cancelled_transaction_still_writes_nothing() -> None:
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    journal_transactions()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName="things",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.put_item(TableName="things", Item={"pk": {"S": "taken"}})

        def put(key: str, *, only_if_new: bool = False) -> dict[str, Any]:
            put: dict[str, Any] = {"TableName": "things", "Item": {"pk": {"S": key}}}
            if only_if_new:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            return {"Put": put}

        with pytest.raises(ClientError, match="TransactionCanceled"):
            dynamodb.transact_write_items(
                TransactItems=[put("first"), put("second"), put("taken", only_if_new=True)]
            )
        dynamodb.transact_write_items(TransactItems=[put("third"), put("fourth")])

        keys = {item["pk"]["S"] for item in dynamodb.scan(TableName="things")["Items"]}
    assert keys == {"taken", "third", "fourth"}
