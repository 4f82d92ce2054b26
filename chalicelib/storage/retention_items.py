"""The reports table as retention reads and removes it (`chalicelib.retention`).

Two sparse indexes are retention's own: `retention_due` (`retention_action`,
`retention_due_at`), the sweep's only way in, and `retention_log` (`retention_log_month`
"yyyy-mm", `retention_log_at`, keys only), what was redacted or deleted in a month — a
redacted case carries its marks from its redaction, a tombstone from its deletion.

A case is redacted or deleted item by item: its whole partition (the case, its timeline and
audit entries) is read at once, consistently; each write here is idempotent, so a sweep that
crashed is resumed by the next. The case item itself goes last (`delete_case`): until then
the case stays in `retention_due`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.storage.case_item import REPORT_ITEM, REPORT_PREFIX, CaseItem, report_key
from chalicelib.storage.concern_links import link_key
from chalicelib.storage.dynamo import (
    batch_delete,
    batch_get,
    calling,
    conditional_write,
    query,
    query_page,
    string_key,
)
from chalicelib.storage.receipts import receipt_key
from chalicelib.storage.reports_table import (
    AUDIT_PREFIX,
    REFERENCE_PREFIX,
    RETENTION_ACTION,
    RETENTION_DUE_AT,
    SUBMISSION_PREFIX,
    TIMELINE_PREFIX,
    ReportsTable,
    report_item_key,
)

#: The sparse index of cases with an action due (see the module docstring).
DUE_INDEX = "retention_due"
#: The sparse index listing, by month, the redactions and deletions done.
LOG_INDEX = "retention_log"
LOG_MONTH = "retention_log_month"
LOG_AT = "retention_log_at"
#: The attributes that list an item in the retention log.
LOG_MARKS = (LOG_MONTH, LOG_AT)
#: Index reads per page when finding what is due.
_DUE_PAGE = 100


def log_marks(month: str, at: datetime) -> dict[str, str]:
    """The attributes that list a redaction or deletion done `at` under `month`."""
    return {LOG_MONTH: month, LOG_AT: iso(at)}


def case_in(partition: Sequence[dict[str, Any]]) -> CaseItem | None:
    """The case item among a case's partition, typed, if it is still there."""
    item = next((item for item in partition if item["sk"] == REPORT_ITEM), None)
    return None if item is None else CaseItem.from_item(item)


def is_timeline_entry(item: Mapping[str, Any]) -> bool:
    """Whether an item of a case's partition is one of its timeline entries."""
    return str(item["sk"]).startswith(TIMELINE_PREFIX)


def is_audit_entry(item: Mapping[str, Any]) -> bool:
    """Whether an item of a case's partition is one of its audit entries."""
    return str(item["sk"]).startswith(AUDIT_PREFIX)


@dataclass
class RetentionItems:
    """What retention reads and removes in the reports table. Takes the reports table (its
    client, name and paging cursors); builds nothing.

    The client is called directly (no paginators), so that a wrapper given instead sees
    and counts every call.
    """

    cases: ReportsTable

    # --- finding what is due -------------------------------------------------------------------

    def due(self, action: str, now: datetime, limit: int) -> Iterator[str]:
        """Ids of cases whose `action` is due by `now`, oldest first, at most `limit` (the
        sparse index `retention_due`, never the table)."""
        start: dict[str, Any] | None = None
        found = 0
        while found < limit:
            request: dict[str, Any] = {
                "TableName": self.cases.table,
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": "#action = :action AND #due <= :now",
                "ExpressionAttributeNames": {"#action": RETENTION_ACTION, "#due": RETENTION_DUE_AT},
                "ExpressionAttributeValues": {":action": {"S": action}, ":now": {"S": iso(now)}},
                "Limit": min(limit - found, _DUE_PAGE),
            }
            if start:
                request["ExclusiveStartKey"] = start
            items, start = query_page(self.cases.client, request)
            for item in items:
                found += 1
                yield str(item["pk"]).removeprefix(REPORT_PREFIX)
            if not start:
                return

    def partition(self, report_id: str) -> list[dict[str, Any]]:
        """Every item under the case's key (the case, its timeline and audit entries), as
        plain values, read consistently."""
        request = {
            "TableName": self.cases.table,
            "KeyConditionExpression": "pk = :case",
            "ExpressionAttributeValues": {":case": {"S": report_key(report_id)}},
            "ConsistentRead": True,
        }
        return list(query(self.cases.client, request))

    # --- redaction -------------------------------------------------------------------------------

    def remove_attribute(self, item: Mapping[str, Any], attribute: str) -> None:
        """Remove one attribute of an item of the table (nothing happens if the item is gone)."""
        conditional_write(
            lambda: self.cases.client.update_item(
                TableName=self.cases.table,
                Key=string_key({"pk": str(item["pk"]), "sk": str(item["sk"])}),
                UpdateExpression="REMOVE #attribute",
                # Never create an item an update would otherwise make from nothing.
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#attribute": attribute},
            )
        )

    def delete_concern_links(self, report_id: str, macs: Sequence[str]) -> None:
        """Delete the links from the people a report names to it (`chalicelib.concerns`)."""
        batch_delete(self.cases.client, self.cases.table, _concern_links(report_id, macs))

    def delete_receipt(self, case: CaseItem) -> None:
        """Delete the case's receipt item, if it has one: its code opens nothing from now on."""
        batch_delete(self.cases.client, self.cases.table, _receipt(case))

    # --- deletion --------------------------------------------------------------------------------

    def delete_remains(self, case: CaseItem, partition: Sequence[Mapping[str, Any]]) -> None:
        """Delete everything of a case but the case item: its submission and reference
        claims, its receipt, the links to it, and its partition's timeline and audit entries."""
        report_id = case.report_id
        claims = [
            string_key({"pk": f"{SUBMISSION_PREFIX}{case.submission_id}", "sk": "SUBMISSION"}),
            string_key({"pk": f"{REFERENCE_PREFIX}{case.reference}", "sk": "REFERENCE"}),
        ]
        children = [
            string_key({"pk": report_key(report_id), "sk": str(item["sk"])})
            for item in partition
            if item["sk"] != REPORT_ITEM
        ]
        batch_delete(
            self.cases.client,
            self.cases.table,
            claims + _receipt(case) + _concern_links(report_id, case.concern_macs) + children,
        )

    def delete_case(self, report_id: str) -> None:
        """Delete the case item itself: the last step of a deletion."""
        with calling():
            self.cases.client.delete_item(
                TableName=self.cases.table, Key=report_item_key(report_id)
            )

    # --- the log ---------------------------------------------------------------------------------

    def logged(
        self, month: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """(items, next cursor): one page of the items logged in `month`, oldest first — one
        key query of the sparse `retention_log` index, then the items themselves read
        consistently (an item that has since left the month is left out)."""
        keys, following = self.cases.queue(LOG_INDEX, LOG_MONTH, month, limit, cursor)
        found = batch_get(
            self.cases.client,
            self.cases.table,
            [{"pk": str(key["pk"]), "sk": str(key["sk"])} for key in keys],
            consistent=True,
        )
        in_order = sorted(found, key=lambda item: (str(item.get(LOG_AT)), str(item["pk"])))
        return [item for item in in_order if item.get(LOG_MONTH) == month], following


def _concern_links(report_id: str, macs: Sequence[str]) -> list[dict[str, Any]]:
    return [link_key(mac, report_id) for mac in macs]


def _receipt(case: CaseItem) -> list[dict[str, Any]]:
    return [receipt_key(case.receipt_mac)] if case.receipt_mac else []
