"""The administration audit trail's items in the admin table: its head and its entries.

Items (`pk` / `sk`, `chalicelib.resources.ADMIN_TABLE`):

- `TRAIL` / `HEAD`: where the chain ends (`audit_seq`, `audit_hash`) and the audit key's
  signature of it (`head_mac`), so a table writer without the key cannot move it back;
- `TRAIL` / `AUDIT#<seq>`: one entry, the sequence number zero-padded so that key order is
  chain order (the same item shape as a case's entries, `chalicelib.storage.audit_entries`).

One transaction moves the head (conditional on the head that was read) and adds the entry
(conditional on that link not existing yet), with whatever other writes of the admin table
the change makes (`also`): two administrators cannot fork the chain, and an entry is never
written without its head nor the head without its entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.audit_entries import (
    SEQ_DIGITS,
    StoredEntry,
    entry_attributes,
    stored_entry,
)
from chalicelib.storage.dynamo import get, query, serialized, transact

TRAIL = "TRAIL"
HEAD = "HEAD"
ENTRY_PREFIX = "AUDIT#"


@dataclass(frozen=True)
class TrailHead:
    """The head as stored: the last entry's number and hash, and the signature of both."""

    seq: int
    hash: str
    mac: str


@dataclass
class AdminTrailItems:
    """The trail's items. Takes the DynamoDB client and the admin table's name."""

    client: Any
    table: str

    def head(self) -> TrailHead | None:
        """The head as it is now (a consistent read); None before the first entry."""
        values = get(self.client, self.table, {"pk": TRAIL, "sk": HEAD})
        if values is None:
            return None
        return TrailHead(int(values["audit_seq"]), str(values["audit_hash"]), str(values["mac"]))

    def append(
        self,
        entry: StoredEntry,
        head: TrailHead,
        *,
        after_seq: int,
        also: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Add `entry` and move the head to `head`, if the head still ends at `after_seq`.

        `CommitConflict` if another entry was appended meanwhile (or `also` failed its own
        condition); nothing is written then.
        """
        condition = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if after_seq == 0
            else {
                "ConditionExpression": "audit_seq = :seq",
                "ExpressionAttributeValues": {":seq": {"N": str(after_seq)}},
            }
        )
        head_item = {
            "pk": TRAIL,
            "sk": HEAD,
            "audit_seq": head.seq,
            "audit_hash": head.hash,
            "mac": head.mac,
        }
        transact(
            self.client,
            [
                {"Put": {"TableName": self.table, "Item": serialized(head_item), **condition}},
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": serialized(_entry_item(entry)),
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                },
                *also,
            ],
        )

    def chain(self) -> list[StoredEntry]:
        """Every entry, in chain order (consistent reads)."""
        items = query(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :trail AND begins_with(sk, :audit)",
                "ExpressionAttributeValues": {
                    ":trail": {"S": TRAIL},
                    ":audit": {"S": ENTRY_PREFIX},
                },
                "ConsistentRead": True,
            },
        )
        return [stored_entry(item) for item in items]


def _entry_item(entry: StoredEntry) -> dict[str, Any]:
    return {
        "pk": TRAIL,
        "sk": f"{ENTRY_PREFIX}{entry.seq:0{SEQ_DIGITS}d}",
        **entry_attributes(entry),
    }
