"""Receipt items and the failure budget of receipt codes, in the reports table (issue 14).

Items (`pk` / `sk`):

- `RECEIPT#<MAC of the code, hex>` / `RECEIPT`: holds `report_id`; written in the same
  transaction as the report (`ReportsTable.add`), whose case item carries the same MAC as
  `receipt_mac` so that retention and erasure can find and delete it. The code itself is
  never stored;
- `RECEIPT_FAILURES#<window start>` / `COUNT`: how many codes presented in that 10-minute
  window matched nothing (an atomic ADD), with `expires_at` (epoch seconds) for the table's
  TTL. Nothing about who presented them is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.storage.dynamo import calling, get, serialized, string_key

RECEIPT_PREFIX = "RECEIPT#"
RECEIPT_ITEM = "RECEIPT"
FAILURES_PREFIX = "RECEIPT_FAILURES#"
FAILURES_ITEM = "COUNT"
#: The reports table's TTL attribute (`chalicelib.resources.REPORTS_TABLE`).
EXPIRES_AT = "expires_at"
#: On the case item: the MAC of its receipt code, and that it asked for follow-up.
RECEIPT_MAC = "receipt_mac"
FOLLOW_UP = "follow_up"


def receipt_key(mac: str) -> dict[str, Any]:
    """The low-level key of the receipt item of a code's MAC."""
    return string_key({"pk": f"{RECEIPT_PREFIX}{mac}", "sk": RECEIPT_ITEM})


def receipt_put(table: str, mac: str, report_id: str) -> dict[str, Any]:
    """A transaction item adding a receipt (refused if that MAC is somehow taken)."""
    return {
        "Put": {
            "TableName": table,
            "Item": serialized(
                {"pk": f"{RECEIPT_PREFIX}{mac}", "sk": RECEIPT_ITEM, "report_id": report_id}
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def receipt_delete(table: str, mac: str) -> dict[str, Any]:
    """A transaction item deleting a receipt (a code retired)."""
    return {"Delete": {"TableName": table, "Key": receipt_key(mac)}}


@dataclass
class ReceiptsTable:
    """Looks up receipts and counts failed attempts. Takes its client and table name."""

    client: Any
    table: str

    def report_id_for(self, mac: str) -> str | None:
        """The report a receipt's MAC opens (one strongly consistent GetItem), or None."""
        item = get(self.client, self.table, {"pk": f"{RECEIPT_PREFIX}{mac}", "sk": RECEIPT_ITEM})
        return str(item["report_id"]) if item else None

    def failures(self, window: str) -> int:
        """How many failed attempts the window starting at `window` has counted."""
        item = get(self.client, self.table, _failures_key(window))
        return int(item["count"]) if item else 0

    def count_failure(self, window: str, expires_at: int) -> int:
        """Count one failed attempt in the window (atomic); the window's count after it."""
        with calling():
            response = self.client.update_item(
                TableName=self.table,
                Key=string_key(_failures_key(window)),
                UpdateExpression="ADD #count :one SET #expires = :expires",
                ExpressionAttributeNames={"#count": "count", "#expires": EXPIRES_AT},
                ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["count"]["N"])


def _failures_key(window: str) -> dict[str, str]:
    return {"pk": f"{FAILURES_PREFIX}{window}", "sk": FAILURES_ITEM}
