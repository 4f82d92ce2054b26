"""The concern links of the reports table, and what a screener is shown of a linked report.

Items (`pk` / `sk`): `CONCERN#<blind index>` / `REPORT#<id>`, one per person a report names,
written with the report (`ReportsTable.add` puts `link_put_request` in its transaction) and
holding only the report's id, reference and submission time; the reports naming one person
are one key query away, never a scan. This module owns their key and shape.

Which names are indexed, and what counts as the same person, is `chalicelib.concerns`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.case_item import REPORT_ITEM, report_key
from chalicelib.storage.dynamo import batch_get, query, serialized, string_key

CONCERN_PREFIX = "CONCERN#"

#: What is read of a linked report's item: what a screener is shown, and no more.
SUMMARY_ATTRIBUTES = ("report_id", "reference", "submitted_at", "team_id")


def concern_key(mac: str) -> str:
    """The partition key of the reports naming one person."""
    return f"{CONCERN_PREFIX}{mac}"


def link_key(mac: str, report_id: str) -> dict[str, dict[str, str]]:
    """The low-level key of the link from one person named to one report naming them."""
    return string_key({"pk": concern_key(mac), "sk": report_key(report_id)})


def link_put_request(
    table: str, mac: str, report_id: str, reference: str, submitted_at: str
) -> dict[str, Any]:
    """The put of one link, for the transaction that writes the report.

    The link holds what a screener is shown of the report, and nothing else; like every item
    of that transaction it must be new.
    """
    item = {
        "pk": concern_key(mac),
        "sk": report_key(report_id),
        "report_id": report_id,
        "reference": reference,
        "submitted_at": submitted_at,
    }
    return {
        "Put": {
            "TableName": table,
            "Item": serialized(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


@dataclass(frozen=True)
class ConcernLink:
    """A report naming a person: its id, and when it was submitted."""

    report_id: str
    submitted_at: str


@dataclass(frozen=True)
class LinkedReport:
    """What a screener is shown of another report naming the same person."""

    report_id: str
    reference: str
    submitted_at: str
    #: None until the report is triaged.
    team_id: str | None


@dataclass
class ConcernLinks:
    """The concern links of the reports table. Takes its client and table name."""

    client: Any
    table: str

    def naming(self, mac: str) -> list[ConcernLink]:
        """The reports linked to one person's blind index, in key order."""
        items = query(
            self.client,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :person",
                "ExpressionAttributeValues": {":person": {"S": concern_key(mac)}},
                # Strongly consistent: a report written a moment ago must already count.
                "ConsistentRead": True,
                "ProjectionExpression": "#id, #at",
                "ExpressionAttributeNames": {"#id": "report_id", "#at": "submitted_at"},
            },
        )
        return [ConcernLink(str(item["report_id"]), str(item["submitted_at"])) for item in items]

    def summaries(self, report_ids: Sequence[str]) -> list[LinkedReport]:
        """What a screener is shown of these reports, those that exist, in no particular
        order (batched reads, asked again with backoff when DynamoDB throttles)."""
        found = batch_get(
            self.client,
            self.table,
            [{"pk": report_key(report_id), "sk": REPORT_ITEM} for report_id in report_ids],
            consistent=True,
            attributes=SUMMARY_ATTRIBUTES,
        )
        return [
            LinkedReport(
                report_id=str(values["report_id"]),
                reference=str(values["reference"]),
                submitted_at=str(values["submitted_at"]),
                team_id=values.get("team_id"),
            )
            for values in found
        ]
