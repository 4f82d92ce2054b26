"""The rights table: one item per data-subject request (`request_id`), its history a list
on the item; open requests carry `open`, which puts them in the sparse index `open_by_due`
by their statutory due date (`chalicelib.rights`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import RequestConflict
from chalicelib.storage.dynamo import calling, plain, serialized, unavailable

#: The partition of the sparse index of open requests, and the status of an open request.
OPEN = "open"


@dataclass
class RightsTable:
    """The rights table: data-subject requests, open ones by due date."""

    client: Any
    table: str

    def add(self, item: dict[str, Any]) -> None:
        """Store a new request, open: in the index of open requests until it is closed."""
        with calling():
            self.client.put_item(
                TableName=self.table,
                Item=serialized({**item, "open": OPEN}),
                ConditionExpression="attribute_not_exists(request_id)",
            )

    def get(self, request_id: str) -> dict[str, Any] | None:
        """A request as plain values."""
        with calling():
            item = self.client.get_item(
                TableName=self.table, Key={"request_id": {"S": request_id}}, ConsistentRead=True
            ).get("Item")
        return plain(item) if item else None

    def open_requests(self) -> list[dict[str, Any]]:
        """Every open request, soonest due first (sparse index, never a scan)."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="open_by_due",
                KeyConditionExpression="#open = :open",
                ExpressionAttributeNames={"#open": "open"},
                ExpressionAttributeValues={":open": {"S": OPEN}},
            )
            return [plain(item) for page in pages for item in page["Items"]]

    def remember_reports(self, request_id: str, report_ids: set[str]) -> None:
        """Add reports to those the request has found (a set: adding twice changes nothing)."""
        with calling():
            self.client.update_item(
                TableName=self.table,
                Key={"request_id": {"S": request_id}},
                UpdateExpression="ADD report_ids :ids",
                ExpressionAttributeValues={":ids": {"SS": sorted(report_ids)}},
            )

    def update_open(
        self,
        request_id: str,
        changes: dict[str, Any],
        history: dict[str, Any],
        *,
        close: bool = False,
    ) -> None:
        """Change a request that is still open and add to its history.

        `RequestConflict` if it was closed meanwhile.
        """
        names = {"#status": "status", "#history": "history"}
        values: dict[str, Any] = {
            ":open": {"S": OPEN},
            ":entry": serialized({"e": [history]})["e"],
            ":none": {"L": []},
        }
        sets = ["#history = list_append(if_not_exists(#history, :none), :entry)"]
        for index, (name, value) in enumerate(changes.items()):
            names[f"#c{index}"] = name
            values[f":c{index}"] = serialized({"v": value})["v"]
            sets.append(f"#c{index} = :c{index}")
        expression = "SET " + ", ".join(sets)
        if close:
            names["#open"] = "open"
            expression += " REMOVE #open"
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"request_id": {"S": request_id}},
                UpdateExpression=expression,
                ConditionExpression="#status = :open",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RequestConflict(
                    "this request is closed; nothing more is done on it"
                ) from None
            raise unavailable() from None
        except BotoCoreError:
            raise unavailable() from None
