"""The audit entries of the reports table: their keys, their items, and the reads of a chain.

Items (`pk` / `sk`): `REPORT#<id>` / `AUDIT#<seq>`, the sequence number zero-padded to ten
digits so that key order is chain order, beside the case item under the same partition key:
one query reads a case's chain, and one transaction changes a case and adds the entry that
records why (`put_request`, conditional on that link not existing yet).

What an entry means — its hash, its signature, how a chain is verified — is
`chalicelib.audit`'s; here an entry is a `StoredEntry`, its values exactly as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.case_item import REPORT_ITEM, report_key
from chalicelib.storage.dynamo import Binary, calling, get, query, serialized
from chalicelib.storage.reports_table import AUDIT_PREFIX

#: Digits of an entry's sequence number in its key (key order is then chain order).
SEQ_DIGITS = 10
#: The last sequence number a key can hold.
LAST_SEQ = 10**SEQ_DIGITS - 1


def audit_key(seq: int) -> str:
    """The sort key of the entry numbered `seq`."""
    return f"{AUDIT_PREFIX}{seq:0{SEQ_DIGITS}d}"


@dataclass(frozen=True)
class StoredEntry:
    """One audit entry as stored: what its hash covers, the hash and its signature."""

    report_id: str
    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    mac: str | None = None
    #: None once a redaction removed it (its SHA-256 stays).
    sealed_reason: bytes | None = None
    reason_sha256: str | None = None


@dataclass
class AuditEntries:
    """The audit entries of the reports table. Takes its client and table name."""

    client: Any
    table: str

    def case_item(self, report_id: str) -> dict[str, Any] | None:
        """The case item whose head the chain ends at, as it is now (a consistent read)."""
        found: dict[str, Any] | None = get(
            self.client, self.table, {"pk": report_key(report_id), "sk": REPORT_ITEM}
        )
        return found

    def any_beyond(self, report_id: str, seq: int) -> bool:
        """Whether any entry of the case exists after entry `seq` (one key query)."""
        with calling():
            response = self.client.query(
                TableName=self.table,
                KeyConditionExpression="pk = :case AND sk BETWEEN :after AND :last",
                ExpressionAttributeValues={
                    ":case": {"S": report_key(report_id)},
                    ":after": {"S": audit_key(seq + 1)},
                    ":last": {"S": audit_key(LAST_SEQ)},
                },
                Limit=1,
                ConsistentRead=True,
            )
        return bool(response.get("Items"))

    def put_request(self, entry: StoredEntry) -> dict[str, Any]:
        """A transaction item adding the entry; fails if that link already exists."""
        item = {
            "pk": report_key(entry.report_id),
            "sk": audit_key(entry.seq),
            **entry_attributes(entry),
        }
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(item),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def chain(self, report_id: str) -> list[StoredEntry]:
        """Every stored entry of a case, in key order (consistent reads)."""
        items = query(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :case AND begins_with(sk, :audit)",
                "ExpressionAttributeValues": {
                    ":case": {"S": report_key(report_id)},
                    ":audit": {"S": AUDIT_PREFIX},
                },
                "ConsistentRead": True,
            },
        )
        return [stored_entry(item) for item in items]


def entry_attributes(entry: StoredEntry) -> dict[str, Any]:
    """An entry's attributes as an item holds them, keys aside (a case's chain and the
    administration trail store entries alike)."""
    item: dict[str, Any] = {
        "report_id": entry.report_id,
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
    if entry.mac is not None:
        item["mac"] = entry.mac
    if entry.sealed_reason is not None:
        item["sealed_reason"] = Binary(entry.sealed_reason)
    if entry.reason_sha256 is not None:
        item["reason_sha256"] = entry.reason_sha256
    return item


def stored_entry(values: Mapping[str, Any]) -> StoredEntry:
    """An audit entry item (plain values) as a `StoredEntry`."""
    sealed = values.get("sealed_reason")
    return StoredEntry(
        report_id=str(values["report_id"]),
        seq=int(values["seq"]),
        at=str(values["at"]),
        actor=str(values["actor"]),
        action=str(values["action"]),
        details=_numbers(values.get("details", {})),
        prev_hash=str(values["prev_hash"]),
        hash=str(values["hash"]),
        mac=str(values["mac"]) if values.get("mac") else None,
        sealed_reason=bytes(sealed.value) if isinstance(sealed, Binary) else None,
        reason_sha256=str(values["reason_sha256"]) if values.get("reason_sha256") else None,
    )


def _numbers(value: Any) -> Any:
    # DynamoDB returns numbers as Decimal; the hash was computed over ints.
    if isinstance(value, dict):
        return {key: _numbers(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_numbers(inner) for inner in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int | float):
        return int(value) if value == int(value) else float(value)
    return value
