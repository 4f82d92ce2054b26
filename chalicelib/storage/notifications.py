"""The notifications table: the outbox of what to tell staff, one item per notification
(`notification_id`, deterministic so that a cause notifies once).

A notification is written once (in the transaction of the change that caused it), claimed
under a lease, marked sent or released, and given up after its last attempt. Until sent or
given up it carries `unsent`, which puts it in the sparse index `unsent` that the redrive
job reads; `by_report` finds a report's notifications when the report is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.clock import iso
from chalicelib.storage.dynamo import (
    batch_delete,
    calling,
    conditional_write,
    plain,
    query_pages,
    serialized,
    unavailable,
)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
#: The sparse attribute of a notification still to send, and its one value (the index key).
UNSENT = "unsent"
UNSENT_KEY = "pending"


class Entry(Protocol):
    """What the outbox stores: a notification as its item."""

    def item(self) -> dict[str, Any]:
        """The outbox item."""
        ...


@dataclass
class Outbox:
    """The notifications table (the outbox). Takes its client and table name."""

    client: Any
    table: str

    def put_request(self, notification: Entry) -> dict[str, Any]:
        """A transaction item that adds the notification unless it already exists."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(notification.item()),
                "ConditionExpression": "attribute_not_exists(notification_id)",
            }
        }

    def get(self, notification_id: str) -> dict[str, Any] | None:
        """The stored notification, or None."""
        with calling():
            item = self.client.get_item(
                TableName=self.table,
                Key={"notification_id": {"S": notification_id}},
                ConsistentRead=True,
            ).get("Item")
        return plain(item) if item else None

    def claim(self, notification_id: str, now: datetime, lease: timedelta) -> bool:
        """Take the right to send it; False if it is sent, given up, or leased to another."""
        return self._update(
            notification_id,
            "SET #status = :sending, lease_until = :until",
            "#status = :pending OR (#status = :sending AND lease_until < :now)",
            {
                ":sending": SENDING,
                ":pending": PENDING,
                ":until": iso(now + lease),
                ":now": iso(now),
            },
        )

    def mark_sent(self, notification_id: str, message_id: str, now: datetime) -> None:
        """Record delivery; the notification leaves the unsent index."""
        self._update(
            notification_id,
            "SET #status = :sent, sent_at = :now, ses_message_id = :message "
            "REMOVE unsent, lease_until",
            "#status = :sending",
            {":sent": SENT, ":now": iso(now), ":message": message_id, ":sending": SENDING},
        )

    def release(self, notification_id: str, max_attempts: int) -> bool:
        """Give the claim back after a failed send; True if that was the last attempt."""
        try:
            response = self.client.update_item(
                TableName=self.table,
                Key={"notification_id": {"S": notification_id}},
                UpdateExpression="SET #status = :pending ADD attempts :one REMOVE lease_until",
                ConditionExpression="#status = :sending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":pending": {"S": PENDING},
                    ":sending": {"S": SENDING},
                    ":one": {"N": "1"},
                },
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise unavailable() from None
        except BotoCoreError:
            raise unavailable() from None
        if int(response["Attributes"]["attempts"]["N"]) < max_attempts:
            return False
        return self._update(
            notification_id,
            "SET #status = :failed REMOVE unsent",
            "#status = :pending",
            {":failed": FAILED, ":pending": PENDING},
        )

    def unsent(self, created_before: datetime, limit: int) -> list[str]:
        """Ids of notifications still to send, created before a moment (sparse index)."""
        with calling():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName="unsent",
                KeyConditionExpression="unsent = :pending AND created_at < :before",
                ExpressionAttributeValues={
                    ":pending": {"S": UNSENT_KEY},
                    ":before": {"S": iso(created_before)},
                },
                PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
            )
            return [item["notification_id"]["S"] for page in pages for item in page["Items"]]

    def _update(
        self, notification_id: str, expression: str, condition: str, values: dict[str, Any]
    ) -> bool:
        return conditional_write(
            lambda: self.client.update_item(
                TableName=self.table,
                Key={"notification_id": {"S": notification_id}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=serialized(values),
            )
        )

    def for_report(self, report_id: str) -> list[str]:
        """Ids of every notification a report caused, sent or not (index `by_report`)."""
        request = {
            "TableName": self.table,
            "IndexName": "by_report",
            "KeyConditionExpression": "report_id = :report",
            "ExpressionAttributeValues": {":report": {"S": report_id}},
        }
        return [
            item["notification_id"]["S"]
            for page in query_pages(self.client, request)
            for item in page["Items"]
        ]

    def delete(self, notification_ids: list[str]) -> None:
        """Delete these notifications (batched; nothing happens for an id not stored)."""
        batch_delete(
            self.client,
            self.table,
            [{"notification_id": {"S": notification_id}} for notification_id in notification_ids],
        )
