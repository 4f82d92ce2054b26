"""The demographics table: one item per report that has demographic answers (`report_id`),
sealed under the `insight` key, apart from the case.

Written with the report, in its transaction (`chalicelib.storage.reports_table`); read only by
the insights job, which marks it counted (`insight_counted`) in the transaction that adds it
to the counters; deleted by an erasure or with the report (`chalicelib.retention`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.insight_marks import INSIGHT_COUNTED
from chalicelib.storage.dynamo import Binary, calling, get


@dataclass
class Demographics:
    """The demographics table. Takes its client and table name."""

    client: Any
    table: str

    def delete(self, report_id: str) -> None:
        """Delete a report's demographics (nothing happens if it has none)."""
        with calling():
            self.client.delete_item(TableName=self.table, Key={"report_id": {"S": report_id}})

    def to_count(self, report_id: str) -> bytes | None:
        """A report's sealed demographics if they are stored and not counted yet."""
        item = get(self.client, self.table, {"report_id": report_id})
        if item is None or item.get(INSIGHT_COUNTED):
            return None
        sealed = item.get("sealed")
        return bytes(sealed.value) if isinstance(sealed, Binary) else None

    def counted(self, report_id: str) -> dict[str, Any]:
        """A transaction item marking a report's demographics counted, on condition that
        they still exist and were not counted meanwhile."""
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"report_id": {"S": report_id}},
                "UpdateExpression": "SET #counted = :yes",
                "ConditionExpression": "attribute_exists(report_id) "
                "AND attribute_not_exists(#counted)",
                "ExpressionAttributeNames": {"#counted": INSIGHT_COUNTED},
                "ExpressionAttributeValues": {":yes": {"BOOL": True}},
            }
        }
