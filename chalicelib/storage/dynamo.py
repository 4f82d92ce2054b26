"""DynamoDB plumbing, written once for every table.

Items cross this boundary as plain Python values (`plain`, `serialized`). Every AWS failure
becomes a domain error here: a failed condition is an answer (`False`, `CommitConflict`),
anything else `DependencyUnavailable("dynamodb")`, without botocore's text (it can quote
request parameters).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable

__all__ = ["Binary", "CommitConflict"]

SERVICE = "dynamodb"
#: DynamoDB's limit of keys in one BatchGetItem.
BATCH_GET_KEYS = 100
#: Calls for one batch of keys before giving up (DynamoDB returns unprocessed keys when it
#: throttles), and the first pause between them (doubling each time).
BATCH_GET_ATTEMPTS = 4
BATCH_GET_BACKOFF_SECONDS = 0.1
#: DynamoDB's limit of requests in one BatchWriteItem.
BATCH_WRITE_REQUESTS = 25

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A low-level DynamoDB item as plain Python values."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def serialized(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python values as low-level DynamoDB attribute values."""
    return {name: _serializer.serialize(value) for name, value in values.items()}


def attribute_value(value: Any) -> dict[str, Any]:
    """One plain value as a low-level DynamoDB attribute value."""
    return dict(_serializer.serialize(value))


def string_key(key: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """A key of string attributes as a low-level DynamoDB key."""
    return {name: {"S": str(value)} for name, value in key.items()}


class CommitConflict(Exception):
    """The item changed between reading and writing it (a condition failed)."""


def unavailable() -> DependencyUnavailable:
    """The domain error for any DynamoDB failure that is not an answer."""
    return DependencyUnavailable(SERVICE)


def calling() -> AbstractContextManager[None]:
    """A context in which any AWS failure is `DependencyUnavailable("dynamodb")`."""
    return unavailable_on_failure(SERVICE)


def conditional_write(write: Callable[[], Any]) -> bool:
    """Run a conditional DynamoDB write: True if it was made, False if its condition failed.

    Any other failure is `DependencyUnavailable("dynamodb")`, as `unavailable_on_failure`.
    """
    try:
        write()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise unavailable() from None
    except BotoCoreError:
        raise unavailable() from None
    return True


def cancellation_codes(error: ClientError) -> list[str]:
    """The code per transaction item of a cancelled transaction ("None" where it passed).

    Any failure other than a cancellation is `DependencyUnavailable`.
    """
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        raise unavailable() from None
    return [str(reason.get("Code", "None")) for reason in cancellation_reasons(error)]


def cancellation_reasons(error: ClientError) -> list[dict[str, Any]]:
    """The reason per transaction item of a cancelled transaction, as DynamoDB gave them."""
    return list(error.response.get("CancellationReasons", []))


def transact(client: Any, writes: Sequence[Mapping[str, Any]]) -> None:
    """Write every item or none (TransactWriteItems). `CommitConflict` if a condition failed;
    `DependencyUnavailable` for anything else."""
    try:
        client.transact_write_items(TransactItems=list(writes))
    except ClientError as error:
        if "ConditionalCheckFailed" in cancellation_codes(error):
            raise CommitConflict() from None
        raise unavailable() from None
    except BotoCoreError:
        raise unavailable() from None


def transact_unless_first_fails(client: Any, writes: Sequence[Mapping[str, Any]]) -> bool:
    """Write every item or none: False if the first item's condition failed (the write was
    already made, e.g. by a duplicate delivery); `DependencyUnavailable` for anything else."""
    try:
        client.transact_write_items(TransactItems=list(writes))
    except ClientError as error:
        codes = cancellation_codes(error)
        if codes and codes[0] == "ConditionalCheckFailed":
            return False
        raise unavailable() from None
    except BotoCoreError:
        raise unavailable() from None
    return True


def query(client: Any, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a query finds, page after page, as plain values."""
    for page in query_pages(client, request):
        yield from (plain(item) for item in page["Items"])


def query_pages(client: Any, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of a query (low-level items), following `LastEvaluatedKey`."""
    start: dict[str, Any] | None = None
    while True:
        call = dict(request)
        if start:
            call["ExclusiveStartKey"] = start
        with calling():
            page = client.query(**call)
        yield page
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def query_page(client: Any, request: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """One page of a query as plain items, and its `LastEvaluatedKey` (None at the end)."""
    with calling():
        page = client.query(**request)
    return [plain(item) for item in page["Items"]], page.get("LastEvaluatedKey")


def count(client: Any, request: Mapping[str, Any]) -> int:
    """How many items a query matches (`Select=COUNT`), over every page."""
    return sum(int(page["Count"]) for page in query_pages(client, {**request, "Select": "COUNT"}))


def get(client: Any, table: str, key: Mapping[str, str], *, consistent: bool = True) -> Any:
    """The item under a key of string attributes as plain values, or None."""
    with calling():
        item = client.get_item(TableName=table, Key=string_key(key), ConsistentRead=consistent).get(
            "Item"
        )
    return plain(item) if item else None


def batch_get(
    client: Any,
    table: str,
    keys: Sequence[Mapping[str, str]],
    *,
    consistent: bool,
    attributes: Sequence[str] = (),
    pause: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """The items of `table` under these (string) keys that exist, as plain values, in no
    particular order; only `attributes` of each if given. Keys DynamoDB leaves unprocessed
    (throttling) are asked again after a growing pause; still unprocessed after
    `BATCH_GET_ATTEMPTS` calls: `DependencyUnavailable`, since a partial answer would be a
    wrong one."""
    found: list[dict[str, Any]] = []
    projection: dict[str, Any] = {}
    if attributes:
        # (names, not words: some attribute names are DynamoDB reserved words)
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    for start in range(0, len(keys), BATCH_GET_KEYS):
        request: dict[str, Any] = {
            table: {
                "Keys": [string_key(key) for key in keys[start : start + BATCH_GET_KEYS]],
                "ConsistentRead": consistent,
                **projection,
            }
        }
        for attempt in range(BATCH_GET_ATTEMPTS):
            if attempt:
                pause(BATCH_GET_BACKOFF_SECONDS * 2 ** (attempt - 1))
            with calling():
                response = client.batch_get_item(RequestItems=request)
            found += [plain(item) for item in response.get("Responses", {}).get(table, [])]
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise unavailable()
    return found


def batch_delete(client: Any, table: str, keys: Sequence[Mapping[str, Any]]) -> None:
    """Delete the items under these (low-level) keys, asking again for any left unprocessed."""
    for start in range(0, len(keys), BATCH_WRITE_REQUESTS):
        requests = [
            {"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_WRITE_REQUESTS]
        ]
        while requests:
            with calling():
                response = client.batch_write_item(RequestItems={table: requests})
            requests = response.get("UnprocessedItems", {}).get(table, [])
