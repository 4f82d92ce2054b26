"""The message thread between a reporter who kept a receipt code and staff: its one owner.

`REPORT#<id>` / `MESSAGE#<at>#<message_id>`: one message, beside the case it belongs to (so
a case's deletion, which removes its whole partition, removes its thread, and one
transaction writes a message with the case change and the audit entry recording it). It
holds who wrote it (`from`: `reporter` or `staff`), when (`at`), the staff member
(`author_id`, staff messages only) and the text sealed under the identity key
(`sealed_text`, field `message.<message_id>`), never the text in clear. The sort key starts
with the time, so a query reads the thread in the order it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from chalicelib.storage.case_item import report_key
from chalicelib.storage.dynamo import Binary, serialized
from chalicelib.storage.reports_table import ReportsTable, items_of_case

MESSAGE_PREFIX = "MESSAGE#"
Sender = Literal["reporter", "staff"]


def is_message(item: Mapping[str, Any]) -> bool:
    """Whether an item of a case's partition is one of its thread's messages."""
    return str(item["sk"]).startswith(MESSAGE_PREFIX)


def sealed_field(message_id: str) -> str:
    """The field a message's text is sealed under (bound to the report id too)."""
    return f"message.{message_id}"


@dataclass
class MessageStore:
    """The messages of the reports table. Takes its client and table name."""

    client: Any
    table: str

    @classmethod
    def beside(cls, cases: ReportsTable) -> MessageStore:
        """The messages kept in the same table as these cases (their partitions)."""
        return cls(cases.client, cases.table)

    def put_request(
        self,
        report_id: str,
        message_id: str,
        at: str,
        sender: Sender,
        sealed_text: bytes,
        author_id: str | None = None,
    ) -> dict[str, Any]:
        """A transaction item writing one new message (never over an existing one)."""
        item: dict[str, Any] = {
            "pk": report_key(report_id),
            "sk": f"{MESSAGE_PREFIX}{at}#{message_id}",
            "message_id": message_id,
            "from": sender,
            "at": at,
            "sealed_text": Binary(sealed_text),
        }
        if author_id is not None:
            item["author_id"] = author_id
        return {
            "Put": {
                "TableName": self.table,
                "Item": serialized(item),
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def thread(self, report_id: str) -> list[dict[str, Any]]:
        """Every message of a case, oldest first, as plain values (read consistently)."""
        return items_of_case(self.client, self.table, report_id, MESSAGE_PREFIX)
