"""Searching raw stores for personal values that should only ever exist sealed."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from typing import Any


def variants(sentinel: str) -> list[bytes]:
    """The sentinel as it could appear: raw, lower-cased, and base64-encoded."""
    raw = sentinel.encode("utf-8")
    forms = {raw, sentinel.lower().encode("utf-8")}
    for form in list(forms):
        forms.add(base64.b64encode(form))
        forms.add(base64.urlsafe_b64encode(form).rstrip(b"="))
    return sorted(forms)


def found_in(blobs: Iterable[bytes], sentinels: Iterable[str]) -> list[str]:
    """The sentinels (by their raw text) that occur in any blob, in any of their forms."""
    data = list(blobs)
    hits = []
    for sentinel in sentinels:
        if any(form in blob for blob in data for form in variants(sentinel)):
            hits.append(sentinel)
    return hits


def raw_values(attribute: Any) -> Iterator[bytes]:
    """Every leaf of a low-level DynamoDB attribute value (or item), as bytes."""
    if isinstance(attribute, bytes | bytearray):
        yield bytes(attribute)
    elif isinstance(attribute, str):
        yield attribute.encode("utf-8")
    elif isinstance(attribute, dict):
        for key, value in attribute.items():
            yield str(key).encode("utf-8")
            yield from raw_values(value)
    elif isinstance(attribute, list | tuple | set):
        for value in attribute:
            yield from raw_values(value)
    elif attribute is not None:
        yield str(attribute).encode("utf-8")


def every_table_item(dynamodb: Any) -> Iterator[bytes]:
    """Every leaf of every item of every table, read with the low-level client."""
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                yield from raw_values(item)


def every_queue_message(sqs: Any) -> Iterator[bytes]:
    """Every body and attribute of every message in every queue (made visible again at once)."""
    for url in sqs.list_queues().get("QueueUrls", []):
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            MessageAttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            yield from raw_values(message)
