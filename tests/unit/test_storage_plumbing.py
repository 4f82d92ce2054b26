"""The DynamoDB plumbing every table module uses: marshalling, conditional writes,
transactions, paginated queries, batch reads with backoff, and failures as domain errors.
Runs against moto's DynamoDB, one table provisioned for the module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary

from chalicelib.errors import DependencyUnavailable
from chalicelib.storage import dynamo
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import CommitConflict
from tests.mocked_aws import pk_sk_table

TABLE = "plumbing"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with pk_sk_table(TABLE) as dynamodb:
        yield dynamodb


@pytest.fixture
def partition() -> str:
    return f"P#{uuid.uuid4()}"


def put(client: Any, pk: str, sk: str, **values: Any) -> None:
    client.put_item(TableName=TABLE, Item=dynamo.serialized({"pk": pk, "sk": sk, **values}))


def put_request(pk: str, sk: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": TABLE,
            "Item": dynamo.serialized({"pk": pk, "sk": sk}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


class Failing:
    """A client whose every call fails as botocore does when DynamoDB is unreachable."""

    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> Any:
            raise dynamo.ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "secret=hunter2"}}, name
            )

        return call


class Throttled:
    """Leaves every key but the first unprocessed, `times` times."""

    def __init__(self, client: Any, times: int) -> None:
        self._client = client
        self.left = times
        self.calls = 0

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        if not self.left:
            return dict(self._client.batch_get_item(RequestItems=RequestItems))
        self.left -= 1
        ((table, request),) = RequestItems.items()
        first, rest = request["Keys"][:1], request["Keys"][1:]
        answer = dict(self._client.batch_get_item(RequestItems={table: {**request, "Keys": first}}))
        answer["UnprocessedKeys"] = {table: {**request, "Keys": rest}} if rest else {}
        return answer


def test_values_round_trip_through_the_low_level_form() -> None:
    values = {"name": "x", "count": 3, "tags": {"a"}, "sealed": Binary(b"\x01"), "gone": None}

    low = dynamo.serialized(values)

    assert low == {
        "name": {"S": "x"},
        "count": {"N": "3"},
        "tags": {"SS": ["a"]},
        "sealed": {"B": b"\x01"},
        "gone": {"NULL": True},
    }
    assert dynamo.plain(low) == {
        "name": "x",
        "count": Decimal(3),
        "tags": {"a"},
        "sealed": Binary(b"\x01"),
        "gone": None,
    }


def test_a_conditional_write_says_whether_its_condition_held(client: Any, partition: str) -> None:
    def write() -> None:
        client.put_item(
            TableName=TABLE,
            Item=dynamo.serialized({"pk": partition, "sk": "ONE"}),
            ConditionExpression="attribute_not_exists(pk)",
        )

    assert dynamo.conditional_write(write) is True
    assert dynamo.conditional_write(write) is False


def test_a_failed_call_is_a_dependency_unavailable_without_its_text() -> None:
    with pytest.raises(DependencyUnavailable) as raised:
        dynamo.conditional_write(lambda: Failing().put_item())
    assert raised.value.__cause__ is None
    assert "hunter2" not in str(raised.value)

    with pytest.raises(DependencyUnavailable):
        dynamo.get(Failing(), TABLE, {"pk": "a", "sk": "b"})
    with pytest.raises(DependencyUnavailable):
        dynamo.transact(Failing(), [put_request("a", "b")])


def test_a_transaction_writes_all_or_nothing(client: Any, partition: str) -> None:
    put(client, partition, "TAKEN")

    with pytest.raises(CommitConflict):
        dynamo.transact(client, [put_request(partition, "NEW"), put_request(partition, "TAKEN")])
    assert dynamo.get(client, TABLE, {"pk": partition, "sk": "NEW"}) is None

    dynamo.transact(client, [put_request(partition, "NEW")])
    assert dynamo.get(client, TABLE, {"pk": partition, "sk": "NEW"}) == {
        "pk": partition,
        "sk": "NEW",
    }


def test_a_transaction_whose_first_write_is_already_made_answers_false(
    client: Any, partition: str
) -> None:
    put(client, partition, "DONE")

    assert dynamo.transact_unless_first_fails(client, [put_request(partition, "DONE")]) is False
    assert dynamo.transact_unless_first_fails(client, [put_request(partition, "NEXT")]) is True


def test_a_query_reads_every_page_and_counts_every_match(client: Any, partition: str) -> None:
    for n in range(7):
        put(client, partition, f"ITEM#{n}", n=n)
    request = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": partition}},
        "Limit": 3,  # three pages
    }

    items = list(dynamo.query(client, request))

    assert [item["sk"] for item in items] == [f"ITEM#{n}" for n in range(7)]
    assert dynamo.count(client, request) == 7
    first, last = dynamo.query_page(client, request)
    assert [item["sk"] for item in first] == ["ITEM#0", "ITEM#1", "ITEM#2"]
    assert last == {"pk": {"S": partition}, "sk": {"S": "ITEM#2"}}


def test_a_batch_read_returns_the_items_that_exist_in_chunks_of_100(
    client: Any, partition: str
) -> None:
    for n in range(150):
        put(client, partition, f"ITEM#{n:03}", n=n, secret="s")
    keys = [{"pk": partition, "sk": f"ITEM#{n:03}"} for n in range(150)]

    found = dynamo.batch_get(
        client,
        TABLE,
        [*keys, {"pk": partition, "sk": "MISSING"}],
        consistent=True,
        attributes=("sk", "n"),
    )

    assert sorted(item["sk"] for item in found) == [f"ITEM#{n:03}" for n in range(150)]
    assert {frozenset(item) for item in found} == {frozenset({"sk", "n"})}


def test_unprocessed_keys_are_asked_again_after_growing_pauses_then_refused(
    client: Any, partition: str
) -> None:
    for n in range(5):
        put(client, partition, f"ITEM#{n}")
    keys = [{"pk": partition, "sk": f"ITEM#{n}"} for n in range(5)]
    pauses: list[float] = []

    throttled = Throttled(client, times=2)
    found = dynamo.batch_get(throttled, TABLE, keys, consistent=True, pause=pauses.append)
    assert sorted(item["sk"] for item in found) == [f"ITEM#{n}" for n in range(5)]
    assert pauses == [0.1, 0.2]

    pauses.clear()
    with pytest.raises(DependencyUnavailable):
        dynamo.batch_get(
            Throttled(client, times=10), TABLE, keys, consistent=True, pause=pauses.append
        )
    assert pauses == [0.1, 0.2, 0.4]


def test_a_batch_delete_removes_every_key(client: Any, partition: str) -> None:
    for n in range(30):
        put(client, partition, f"ITEM#{n:02}")
    put(client, partition, "KEPT")

    dynamo.batch_delete(
        client,
        TABLE,
        [dynamo.string_key({"pk": partition, "sk": f"ITEM#{n:02}"}) for n in range(30)],
    )

    request = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": partition}},
    }
    assert [item["sk"] for item in dynamo.query(client, request)] == ["KEPT"]


def test_a_change_meeting_a_conflict_is_tried_again_a_bounded_number_of_times() -> None:
    attempts: list[int] = []

    def conflicting_twice() -> str:
        attempts.append(len(attempts))
        if len(attempts) < 3:
            raise CommitConflict()
        return "committed"

    assert retry_on_conflict(conflicting_twice, lambda: LookupError("stale")) == "committed"
    assert attempts == [0, 1, 2]

    def always_conflicting() -> str:
        raise CommitConflict()

    with pytest.raises(LookupError, match="stale"):
        retry_on_conflict(always_conflicting, lambda: LookupError("stale"))
