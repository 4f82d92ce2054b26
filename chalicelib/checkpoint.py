"""Signed checkpoints of every case's audit head: what anchors a chain against truncation.

A case's head (`audit_seq`, `audit_hash`) and sealed fields are signed on the case item,
but a table writer can put the whole item back as it was, or delete the last entries with
their head and `head_mac` reverted to an older (validly signed) state. The hourly job
(`Checkpoints.run`) therefore records each case's head, signed with the audit key, under
one partition (`CHECKPOINT` / `REPORT#<id>`): once checkpointed, a head may only move
forward, and verification (`chalicelib.audit.AuditTrail.verify`) reports a chain that no
longer reaches its checkpointed head as "truncated or rolled back since" that checkpoint.

The job reads the heads through the sparse `case_heads` index (every report and case item,
keys only; never a Scan) and the items themselves in batches. It checkpoints a head only
if it moved forward, its old checkpoint's signature checks and the item's own signature
checks, so it never signs a rolled-back or forged head; an unchanged head costs no KMS
call. A checkpointed case that is gone is fine if its signed tombstone says
retention deleted it (the checkpoint is then dropped); otherwise the job reports it as
vanished. Nothing it writes or logs names anyone: report ids, references and hashes only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.audit import Anchor, AuditSigner, ChainHead, head_signed
from chalicelib.clock import Clock, iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.observability import AUDIT_CHAIN_BROKEN, increment, logger
from chalicelib.retention.tombstones import tombstone_digest
from chalicelib.storage.dynamo import batch_get, plain, serialized
from chalicelib.storage.reports_table import CASE_HEADS, CASE_HEADS_KEY, HEAD_MAC

#: The partition holding one checkpoint item per case.
PARTITION = "CHECKPOINT"
#: What the job reads of a case item: enough to check its signature, and its reference.
_HEAD_ATTRIBUTES = ("report_id", "reference", "version", "audit_seq", "audit_hash", "sealed")
_BATCH_GET = 100


def checkpoint_message(report_id: str, reference: str, seq: int, head_hash: str, at: str) -> str:
    """What a checkpoint item's `mac` signs (its own prefix: the key signs heads too)."""
    canonical = json.dumps(
        {"report_id": report_id, "reference": reference, "seq": seq, "hash": head_hash, "at": at},
        sort_keys=True,
        separators=(",", ":"),
    )
    return "checkpoint:" + canonical


@dataclass
class Checkpoints:
    """Writes the hourly checkpoint of all case heads, and answers a case's last one."""

    client: Any
    table: str
    signer: AuditSigner
    clock: Clock

    def anchor(self, report_id: str) -> Anchor | None:
        """The case's checkpointed head, or None if it has none. A checkpoint whose
        signature fails anchors nothing a chain can reach (it was forged or edited)."""
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.table,
                Key={"pk": {"S": PARTITION}, "sk": {"S": f"REPORT#{report_id}"}},
                ConsistentRead=True,
            ).get("Item")
        if item is None:
            return None
        values = plain(item)
        anchor = Anchor(int(values["seq"]), str(values["hash"]), str(values["at"]))
        return anchor if self._signed(report_id, values) else replace(anchor, signed=False)

    def run(self) -> dict[str, int]:
        """Checkpoint every head that moved forward since the last run; report heads that
        moved back, heads not signed, and checkpointed cases gone without a tombstone."""
        at = iso(self.clock.now())
        before = {str(item["report_id"]): item for item in self._checkpointed()}
        counts = dict.fromkeys(
            (
                "checkpointed",
                "unchanged",
                "behind",
                "unsigned",
                "checkpoint_unsigned",
                "deleted",
                "vanished",
            ),
            0,
        )
        seen: set[str] = set()
        for case in self._cases():
            report_id = str(case["report_id"])
            seen.add(report_id)
            head = ChainHead.of(case)
            previous = before.get(report_id)
            if previous is not None:
                if int(previous["seq"]) == head.seq and previous["hash"] == head.hash:
                    # Unchanged: no KMS call (the hourly cost follows the cases that moved);
                    # verification checks this checkpoint's signature when it compares.
                    counts["unchanged"] += 1
                    continue
                if not self._signed(report_id, previous):
                    # Neither trusted as a lower bound nor replaced from the head: a person
                    # must look at a checkpoint someone edited.
                    counts["checkpoint_unsigned"] += 1
                    logger.error("checkpoint not signed", extra={"report_id": report_id})
                    increment(AUDIT_CHAIN_BROKEN)
                    continue
                if int(previous["seq"]) >= head.seq:
                    counts["behind"] += 1
                    logger.error("audit head behind its checkpoint", extra={"report_id": report_id})
                    increment(AUDIT_CHAIN_BROKEN)
                    continue
            if not head_signed(self.signer, case):
                counts["unsigned"] += 1
                logger.error("audit head not signed", extra={"report_id": report_id})
                increment(AUDIT_CHAIN_BROKEN)
                continue
            self._put(report_id, str(case["reference"]), head, at)
            counts["checkpointed"] += 1
        for report_id, previous in before.items():
            if report_id in seen:
                continue
            if self._tombstoned(str(previous["reference"]), report_id):
                self._forget(report_id)
                counts["deleted"] += 1
            else:
                counts["vanished"] += 1
                logger.error("checkpointed case vanished", extra={"report_id": report_id})
                increment(AUDIT_CHAIN_BROKEN)
        logger.info("audit checkpoint", extra=counts)
        return counts

    # --- reading ---------------------------------------------------------------------------

    def _checkpointed(self) -> Iterator[dict[str, Any]]:
        """Every checkpoint item, its signature not yet checked."""
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :checkpoint",
                "ExpressionAttributeValues": {":checkpoint": {"S": PARTITION}},
                "ConsistentRead": True,
            }
            if start:
                request["ExclusiveStartKey"] = start
            with unavailable_on_failure("dynamodb"):
                page = self.client.query(**request)
            yield from (plain(item) for item in page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _cases(self) -> Iterator[dict[str, Any]]:
        """Every report and case item (its head attributes), through the sparse index."""
        keys: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": CASE_HEADS,
                "KeyConditionExpression": "#heads = :case",
                "ExpressionAttributeNames": {"#heads": CASE_HEADS},
                "ExpressionAttributeValues": {":case": {"S": CASE_HEADS_KEY}},
            }
            if start:
                request["ExclusiveStartKey"] = start
            with unavailable_on_failure("dynamodb"):
                page = self.client.query(**request)
            keys += [{"pk": item["pk"], "sk": item["sk"]} for item in page["Items"]]
            while len(keys) >= _BATCH_GET:
                yield from self._items(keys[:_BATCH_GET])
                keys = keys[_BATCH_GET:]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        if keys:
            yield from self._items(keys)

    def _items(self, keys: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield from batch_get(
            self.client,
            self.table,
            [{"pk": key["pk"]["S"], "sk": key["sk"]["S"]} for key in keys],
            consistent=True,
            attributes=(*_HEAD_ATTRIBUTES, HEAD_MAC),
        )

    def _tombstoned(self, reference: str, report_id: str) -> bool:
        """Whether retention deleted the case: its tombstone is there, signed, and its."""
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.table,
                Key={"pk": {"S": f"TOMBSTONE#{reference}"}, "sk": {"S": "TOMBSTONE"}},
                ConsistentRead=True,
            ).get("Item")
        if item is None:
            return False
        tombstone = plain(item)
        return (
            tombstone.get("report_id") == report_id
            and "mac" in tombstone
            and self.signer.check(tombstone_digest(tombstone), str(tombstone["mac"]))
        )

    def _signed(self, report_id: str, values: dict[str, Any]) -> bool:
        message = checkpoint_message(
            report_id,
            str(values.get("reference")),
            int(values.get("seq", -1)),
            str(values.get("hash")),
            str(values.get("at")),
        )
        return "mac" in values and self.signer.check(message, str(values["mac"]))

    # --- writing ---------------------------------------------------------------------------

    def _put(self, report_id: str, reference: str, head: ChainHead, at: str) -> None:
        item = {
            "pk": PARTITION,
            "sk": f"REPORT#{report_id}",
            "report_id": report_id,
            "reference": reference,
            "seq": head.seq,
            "hash": head.hash,
            "at": at,
            "mac": self.signer.sign(
                checkpoint_message(report_id, reference, head.seq, head.hash, at)
            ),
        }
        with unavailable_on_failure("dynamodb"):
            self.client.put_item(TableName=self.table, Item=serialized(item))

    def _forget(self, report_id: str) -> None:
        with unavailable_on_failure("dynamodb"):
            self.client.delete_item(
                TableName=self.table,
                Key={"pk": {"S": PARTITION}, "sk": {"S": f"REPORT#{report_id}"}},
            )
