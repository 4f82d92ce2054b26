"""The audit checkpoints of the reports table, and the read of every case's head.

Items (`pk` / `sk`): `CHECKPOINT` / `REPORT#<id>`, one per case, all under one partition so
that one query reads them all: the case's head (`seq`, `hash`) as the hourly job last
recorded it, with its reference, when (`at`) and the audit key's signature (`mac`).

The heads themselves are read through the sparse `case_heads` index (every report and case
item, keys only; never a Scan), then the items' head attributes in batches. A checkpointed
case that is gone may have left a tombstone, `TOMBSTONE#<reference>` / `TOMBSTONE`
(retention's, `chalicelib.retention`), which the job reads by its reference.

What a checkpoint proves, and when one is written, is `chalicelib.checkpoint`'s; here a
checkpoint is a `StoredCheckpoint`, its values exactly as stored (an item someone edited may
lack some of them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.case_item import report_key
from chalicelib.storage.dynamo import batch_get, calling, get, query, query_pages, serialized
from chalicelib.storage.reports_table import CASE_HEADS, CASE_HEADS_KEY, HEAD_MAC
from chalicelib.storage.tombstones import tombstone_key

#: The partition holding one checkpoint item per case.
PARTITION = "CHECKPOINT"
#: What is read of a case item: enough to check its signature, and its reference.
HEAD_ATTRIBUTES = ("report_id", "reference", "version", "audit_seq", "audit_hash", "sealed")
#: The key of a deleted report's tombstone (retention writes it).
#: Keys read per batch of case items (DynamoDB's limit of one BatchGetItem).
_BATCH_GET = 100


@dataclass(frozen=True)
class StoredCheckpoint:
    """A case's head as a checkpoint item holds it."""

    report_id: str
    seq: int
    hash: str
    reference: str | None = None
    at: str | None = None
    mac: str | None = None


@dataclass
class CheckpointStore:
    """The checkpoint items of the reports table, and the heads of its cases. Takes its
    client and table name."""

    client: Any
    table: str

    def checkpoint(self, report_id: str) -> StoredCheckpoint | None:
        """The case's checkpoint item, or None (a consistent read)."""
        values = get(self.client, self.table, _key(report_id))
        return None if values is None else stored_checkpoint(values)

    def checkpoints(self) -> Iterator[StoredCheckpoint]:
        """Every checkpoint item, page after page (consistent reads)."""
        items = query(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :checkpoint",
                "ExpressionAttributeValues": {":checkpoint": {"S": PARTITION}},
                "ConsistentRead": True,
            },
        )
        return (stored_checkpoint(values) for values in items)

    def put(self, checkpoint: StoredCheckpoint) -> None:
        """Record a case's checkpoint (replacing the one before)."""
        item = {
            "pk": PARTITION,
            "sk": report_key(checkpoint.report_id),
            "report_id": checkpoint.report_id,
            "reference": checkpoint.reference,
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "at": checkpoint.at,
            "mac": checkpoint.mac,
        }
        with calling():
            self.client.put_item(TableName=self.table, Item=serialized(item))

    def forget(self, report_id: str) -> None:
        """Delete a case's checkpoint."""
        key = {name: {"S": value} for name, value in _key(report_id).items()}
        with calling():
            self.client.delete_item(TableName=self.table, Key=key)

    def case_heads(self) -> Iterator[dict[str, Any]]:
        """Every report and case item's head attributes (`HEAD_ATTRIBUTES` and the head's
        signature) as plain values: the keys through the sparse index, the items in batches
        as the keys come."""
        keys: list[dict[str, str]] = []
        request = {
            "TableName": self.table,
            "IndexName": CASE_HEADS,
            "KeyConditionExpression": "#heads = :case",
            "ExpressionAttributeNames": {"#heads": CASE_HEADS},
            "ExpressionAttributeValues": {":case": {"S": CASE_HEADS_KEY}},
        }
        for page in query_pages(self.client, request):
            keys += [{"pk": item["pk"]["S"], "sk": item["sk"]["S"]} for item in page["Items"]]
            while len(keys) >= _BATCH_GET:
                yield from self._heads(keys[:_BATCH_GET])
                keys = keys[_BATCH_GET:]
        if keys:
            yield from self._heads(keys)

    def tombstone(self, reference: str) -> dict[str, Any] | None:
        """The tombstone a deleted report left under its reference, as plain values (its
        signature not checked), or None (a consistent read)."""
        found: dict[str, Any] | None = get(self.client, self.table, tombstone_key(reference))
        return found

    def _heads(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        return batch_get(
            self.client,
            self.table,
            keys,
            consistent=True,
            attributes=(*HEAD_ATTRIBUTES, HEAD_MAC),
        )


def stored_checkpoint(values: Mapping[str, Any]) -> StoredCheckpoint:
    """A checkpoint item (plain values) as a `StoredCheckpoint`."""
    return StoredCheckpoint(
        report_id=str(values["report_id"]),
        seq=int(values["seq"]),
        hash=str(values["hash"]),
        reference=_text(values, "reference"),
        at=_text(values, "at"),
        mac=_text(values, "mac"),
    )


def _text(values: Mapping[str, Any], name: str) -> str | None:
    return str(values[name]) if name in values else None


def _key(report_id: str) -> dict[str, str]:
    return {"pk": PARTITION, "sk": report_key(report_id)}
