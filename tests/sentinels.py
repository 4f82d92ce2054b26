"""Reading everything the local stack holds, raw, to search it for personal values.

Tables are read with the low-level client so binary attributes arrive as bytes, and every
leaf is searched as text (binary decoded as latin-1, which maps each byte to one character
and so never fails or hides a match). A sentinel is also searched for base64-encoded at each
of the three alignments it could have inside a longer encoded value.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Blob:
    """One value read from a store, and where it came from (for a readable failure)."""

    where: str
    text: str


def encoded_forms(sentinel: str) -> set[str]:
    """The sentinel as it could appear: raw, lower-cased, and base64 at any alignment."""
    forms = {sentinel, sentinel.lower()}
    for plain in list(forms):
        raw = plain.encode("utf-8")
        for offset in range(3):
            # Encode behind `offset` filler bytes and keep only the characters that depend on
            # the sentinel alone: the first (offset*4+2)//3 and any touched by padding vary.
            encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii").rstrip("=")
            skip = (offset * 4 + 2) // 3 if offset else 0
            usable_end = len(encoded) - (len(encoded) % 4 and 1)
            core = encoded[skip:usable_end]
            if len(core) >= 8:
                forms.add(core)
                forms.add(core.replace("+", "-").replace("/", "_"))
    return forms


def occurrences(blobs: Iterable[Blob], sentinels: Iterable[str]) -> list[str]:
    """`sentinel in where` for every sentinel found in any of its forms."""
    searched = [(sentinel, encoded_forms(sentinel)) for sentinel in sentinels]
    hits = []
    for blob in blobs:
        for sentinel, forms in searched:
            if any(form in blob.text for form in forms):
                hits.append(f"{sentinel!r} in {blob.where}")
    return hits


def leaves(value: Any, where: str) -> Iterator[Blob]:
    """Every leaf of a low-level DynamoDB item or an SQS message, names included."""
    if isinstance(value, bytes | bytearray):
        yield Blob(where, bytes(value).decode("latin-1"))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield Blob(where, str(key))
            yield from leaves(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple | set):
        for index, inner in enumerate(value):
            yield from leaves(inner, f"{where}[{index}]")
    elif value is not None:
        yield Blob(where, str(value))


def binary_leaves(value: Any, where: str) -> Iterator[tuple[str, bytes]]:
    """Every binary leaf of a low-level DynamoDB item (where it is, its bytes)."""
    if isinstance(value, bytes | bytearray):
        yield where, bytes(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from binary_leaves(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from binary_leaves(inner, f"{where}[{index}]")


def every_opened_blob(
    dynamodb: Any, open_: Callable[[bytes], str | None]
) -> tuple[list[Blob], list[str]]:
    """Every binary value of every table opened by `open_` (decrypted, for a test holding
    the keys), and where the values are that did not open (`open_` answered None).

    A raw scan cannot see inside a ciphertext; this proves what the ciphertexts hold.
    """
    opened: list[Blob] = []
    closed: list[str] = []
    for table in dynamodb.list_tables()["TableNames"]:
        for number, item in enumerate(table_items(dynamodb, table)):
            for where, data in binary_leaves(item, f"table {table} item {number}"):
                text = open_(data)
                if text is None:
                    closed.append(where)
                else:
                    opened.append(Blob(where, text))
    return opened, closed


def table_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    """Every item of a table, in the low-level shape (`{"S": ...}`, `{"B": b"..."}`)."""
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def every_table_blob(dynamodb: Any) -> Iterator[Blob]:
    """Every leaf of every item of every table."""
    for table in dynamodb.list_tables()["TableNames"]:
        for number, item in enumerate(table_items(dynamodb, table)):
            yield from leaves(item, f"table {table} item {number}")


def queue_counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages on a queue, read without receiving anything."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def every_queue_blob(sqs: Any, hide_for_seconds: int = 60) -> Iterator[Blob]:
    """Every body and attribute of every message left on any queue or dead-letter queue.

    Receiving bumps a message's receive count, which could push it to a dead-letter queue,
    so this reads each queue once, after the pump has drained it, and hides what it read
    for a minute so the pump does not race it; messages then reappear unchanged. Without a
    pump (in-process tests), `hide_for_seconds=0` leaves them visible for the next step.
    """
    for url in sqs.list_queues().get("QueueUrls", []):
        seen: set[str] = set()
        while True:
            response = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=hide_for_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            fresh = [m for m in response.get("Messages", []) if m["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(message["MessageId"])
                yield from leaves(message, f"queue {url.rsplit('/', 1)[-1]}")


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.25) -> Any:
    """Poll `check` until it returns something truthy; that value, or the last on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)
