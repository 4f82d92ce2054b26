"""DynamoDB access for case work: finding cases, the queues, the timeline, and commits.

A case is the report item (`REPORT#<id>` / `REPORT`); its timeline entries and audit
entries live beside it under the same partition key (`TIMELINE#...`, `AUDIT#...`), so one
query reads a case's history and one transaction changes a case and records why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.storage.dynamo import (
    CommitConflict,
    attribute_value,
    count,
    get,
    query,
    query_page,
    serialized,
    transact,
)

if TYPE_CHECKING:
    from chalicelib.cursors import PageCursors

__all__ = ["CaseStore", "CaseUpdate", "CommitConflict"]


@dataclass
class CaseUpdate:
    """An update of the case item, built up by an operation."""

    changes: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    add_to_sets: dict[str, set[str]] = field(default_factory=dict)

    def request(self, table: str, report_id: str, condition: dict[str, Any]) -> dict[str, Any]:
        """The transaction item; `condition` maps attribute name to its expected value."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}

        def name(attribute: str) -> str:
            placeholder = f"#n{len(names)}"
            names[placeholder] = attribute
            return placeholder

        def value(content: Any) -> str:
            placeholder = f":v{len(values)}"
            values[placeholder] = attribute_value(content)
            return placeholder

        clauses = []
        if self.changes:
            clauses.append(
                "SET " + ", ".join(f"{name(k)} = {value(v)}" for k, v in self.changes.items())
            )
        if self.add_to_sets:
            clauses.append(
                "ADD " + ", ".join(f"{name(k)} {value(v)}" for k, v in self.add_to_sets.items())
            )
        if self.remove:
            clauses.append("REMOVE " + ", ".join(name(k) for k in self.remove))
        checks = ["attribute_exists(pk)"]
        for attribute, expected in condition.items():
            if expected is None:
                checks.append(f"attribute_not_exists({name(attribute)})")
            else:
                checks.append(f"{name(attribute)} = {value(expected)}")
        return {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": f"REPORT#{report_id}"}, "sk": {"S": "REPORT"}},
                "UpdateExpression": " ".join(clauses),
                "ConditionExpression": " AND ".join(checks),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }


@dataclass
class CaseStore:
    """Reads cases for staff and commits their changes. Takes its client, table and the
    sealer of paging cursors."""

    client: Any
    table: str
    cursors: PageCursors

    def report_id_for(self, reference: str) -> str | None:
        """The report a reference belongs to (the reference claim, strongly consistent)."""
        item = self._get({"pk": f"REFERENCE#{reference}", "sk": "REFERENCE"})
        return str(item["report_id"]) if item else None

    def case(self, report_id: str) -> dict[str, Any] | None:
        """The case item as plain values."""
        return self._get({"pk": f"REPORT#{report_id}", "sk": "REPORT"})

    def timeline(self, report_id: str) -> list[dict[str, Any]]:
        """Every timeline entry of a case, oldest first."""
        return self._query_prefix(report_id, "TIMELINE#")

    def queue(
        self, index: str, key: str, value: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a queue index, and the cursor of the next page (None at the end).

        A cursor is good only for the index and value it came from (a team's queue, an
        advisor's, a month of the retention log); any other is refused naming `cursor`.
        """
        scope = f"{self.table}\n{index}\n{key}\n{value}"
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#key = :value",
            "ExpressionAttributeNames": {"#key": key},
            "ExpressionAttributeValues": {":value": {"S": value}},
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = self.cursors.open(cursor, scope=scope)
        items, last = query_page(self.client, request)
        following = self.cursors.seal(last, scope=scope) if last else None
        return items, following

    def count(self, index: str, key: str, value: str) -> int:
        """How many items an index holds under one key."""
        return count(
            self.client,
            {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": "#key = :value",
                "ExpressionAttributeNames": {"#key": key},
                "ExpressionAttributeValues": {":value": {"S": value}},
            },
        )

    def put_request(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """A transaction item adding a new item beside a case."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(item),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def commit(self, writes: list[dict[str, Any]]) -> None:
        """Write atomically. `CommitConflict` if any condition failed."""
        transact(self.client, writes)

    def _get(self, key: Mapping[str, str]) -> dict[str, Any] | None:
        result: dict[str, Any] | None = get(self.client, self.table, key)
        return result

    def _query_prefix(self, report_id: str, prefix: str) -> list[dict[str, Any]]:
        return list(
            query(
                self.client,
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "pk = :case AND begins_with(sk, :prefix)",
                    "ExpressionAttributeValues": {
                        ":case": {"S": f"REPORT#{report_id}"},
                        ":prefix": {"S": prefix},
                    },
                    "ConsistentRead": True,
                },
            )
        )
