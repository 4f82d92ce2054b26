"""The demographics table: one item per report that has demographic answers (`report_id`),
sealed under the `insight` key, apart from the case.

Written with the report, in its transaction (`chalicelib.storage.reports_table`); read only by
the insights job; deleted by an erasure or with the report (`chalicelib.retention`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.storage.dynamo import calling


@dataclass
class Demographics:
    """The demographics table. Takes its client and table name."""

    client: Any
    table: str

    def delete(self, report_id: str) -> None:
        """Delete a report's demographics (nothing happens if it has none)."""
        with calling():
            self.client.delete_item(TableName=self.table, Key={"report_id": {"S": report_id}})
