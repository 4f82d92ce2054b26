"""Fakes at the AWS boundary: botocore event hooks on the app's own clients.

A hook on `before-call` sees every operation a client makes, in order; a hook that returns
a response stands in for AWS, and no request is sent. Hooks go on a client's own emitter
(`client.meta.events`), so they reach exactly that client and whatever shares it (the
sealers use `services.kms()`), and come off again when the `with` block ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse


class Calls:
    """Every operation made through the clients it is attached to: (operation, request body)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        body = params.get("body", b"")
        self.calls.append((model.name, body.decode() if isinstance(body, bytes) else str(body)))

    def names(self) -> list[str]:
        """The operations, in the order they were made."""
        return [name for name, _ in self.calls]


class CancelledTransactions:
    """Answers every TransactWriteItems as DynamoDB does when it cancels one, for `reason`.

    `ConditionalCheckFailed` is a lost race (the app retries, then reports a stale case);
    anything else (`TransactionConflict`, `ThrottlingError`) means DynamoDB cannot take it.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.cancelled = 0

    def __call__(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        self.cancelled += 1
        error = {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": self.reason}],
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("https://dynamodb.invalid", 400, {}, None), error


@contextmanager
def hooked(client: Any, event: str, handler: Any) -> Iterator[Any]:
    """`handler` registered for `event` on `client` inside the block; the handler."""
    client.meta.events.register(event, handler)
    try:
        yield handler
    finally:
        client.meta.events.unregister(event, handler)
