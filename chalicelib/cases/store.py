"""DynamoDB access for case work: finding cases, the queues, the timeline, and commits.

A case is the report item (`REPORT#<id>` / `REPORT`); its timeline entries and audit
entries live beside it under the same partition key (`TIMELINE#...`, `AUDIT#...`), so one
query reads a case's history and one transaction changes a case and records why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable

if TYPE_CHECKING:
    from chalicelib.cursors import PageCursors

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A low-level DynamoDB item as plain Python values."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def serialized(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python values as low-level DynamoDB attribute values."""
    return {name: _serializer.serialize(value) for name, value in values.items()}


class CommitConflict(Exception):
    """The case changed between reading and writing it (its condition failed)."""


def transact(client: Any, writes: list[dict[str, Any]]) -> None:
    """Write every item or none (TransactWriteItems). `CommitConflict` if a condition failed;
    `DependencyUnavailable` for anything else."""
    try:
        client.transact_write_items(TransactItems=writes)
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            codes = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in codes:
                raise CommitConflict() from None
        raise DependencyUnavailable("dynamodb") from None
    except BotoCoreError:
        raise DependencyUnavailable("dynamodb") from None


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
            values[placeholder] = _serializer.serialize(content)
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
        with unavailable_on_failure("dynamodb"):
            response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        following = self.cursors.seal(last, scope=scope) if last else None
        return [plain(item) for item in response["Items"]], following

    def count(self, index: str, key: str, value: str) -> int:
        """How many items an index holds under one key."""
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName=index,
                KeyConditionExpression="#key = :value",
                ExpressionAttributeNames={"#key": key},
                ExpressionAttributeValues={":value": {"S": value}},
                Select="COUNT",
            )
            return sum(int(page["Count"]) for page in pages)

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
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.table,
                Key={name: {"S": value} for name, value in key.items()},
                ConsistentRead=True,
            ).get("Item")
        return plain(item) if item else None

    def _query_prefix(self, report_id: str, prefix: str) -> list[dict[str, Any]]:
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :case AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":case": {"S": f"REPORT#{report_id}"},
                    ":prefix": {"S": prefix},
                },
                ConsistentRead=True,
            )
            return [plain(item) for page in pages for item in page["Items"]]
