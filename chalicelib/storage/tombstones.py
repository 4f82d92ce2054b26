"""Tombstones: what a deletion leaves in the reports table, one item per deleted report.

`TOMBSTONE#<reference>` / `TOMBSTONE`: the report id, reference, mode, when it was due and
deleted, the rule applied, the actor, the final head of its audit chain and its month in the
retention log — nothing personal — and the audit key's MAC over all of it, keys included
(`chalicelib.retention.tombstones`). Written once, in the transaction that marks the case's
deletion begun; never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.dynamo import get, serialized

TOMBSTONE_PREFIX = "TOMBSTONE#"
TOMBSTONE_ITEM = "TOMBSTONE"


def tombstone_key(reference: str) -> dict[str, str]:
    """The key of the tombstone of the report with this reference."""
    return {"pk": f"{TOMBSTONE_PREFIX}{reference}", "sk": TOMBSTONE_ITEM}


def is_tombstone(item: Mapping[str, Any]) -> bool:
    """Whether an item of the reports table is a tombstone."""
    return str(item["pk"]).startswith(TOMBSTONE_PREFIX)


def tombstone_reference(item: Mapping[str, Any]) -> str:
    """The reference a tombstone is filed under (its key, not its possibly edited content)."""
    return str(item["pk"]).removeprefix(TOMBSTONE_PREFIX)


@dataclass
class Tombstones:
    """The tombstones of the reports table. Takes its client and table name."""

    client: Any
    table: str

    def item(self, content: Mapping[str, Any]) -> dict[str, Any]:
        """The tombstone item holding `content` (which names the `reference`), keys first:
        what its MAC signs."""
        return {**tombstone_key(str(content["reference"])), **content}

    def put_request(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """A transaction item writing a new tombstone (never over an existing one)."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(item),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def get(self, reference: str) -> dict[str, Any] | None:
        """The tombstone of a reference as plain values (strongly consistent), or None."""
        found: dict[str, Any] | None = get(self.client, self.table, tombstone_key(reference))
        return found
