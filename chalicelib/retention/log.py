"""The retention log: what retention redacted and deleted in a month.

Listed by month through the sparse index `retention_log` (`chalicelib.storage.retention_items`;
"yyyy-mm" in the institution's time zone): a redacted case carries its month from its
redaction, in the same transaction as the audit entry; a tombstone carries it (signed with
the rest) from the deletion, whose claim removes it from the case in that same transaction.
A redacted case deleted later thus leaves its redaction month's list and appears, as a
tombstone, in its deletion month's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditSigner
from chalicelib.retention.tombstones import checked
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.retention_items import RetentionItems, log_marks
from chalicelib.storage.tombstones import is_tombstone, tombstone_reference

#: One page of the log: (redacted cases, (reference, checked tombstone) of each deletion,
#: next cursor).
LogPage = tuple[list[CaseItem], list[tuple[str, dict[str, Any]]], str | None]


def month_of(moment: datetime, time_zone: ZoneInfo) -> str:
    """The "yyyy-mm" `moment` falls in, in `time_zone`."""
    return moment.astimezone(time_zone).strftime("%Y-%m")


@dataclass
class RetentionLog:
    """Marks what retention does with its month, and reads a month back."""

    items: RetentionItems
    signer: AuditSigner
    #: The institution's: a redaction or deletion is logged under its month there.
    time_zone: ZoneInfo

    def marks(self, moment: datetime) -> dict[str, str]:
        """The attributes that list a redaction or deletion done at `moment` in its month."""
        return log_marks(month_of(moment, self.time_zone), moment)

    def page(self, month: str, cursor: str | None, limit: int) -> LogPage:
        """One page of what was logged in `month` ("yyyy-mm"), oldest first: redacted cases
        as they are, tombstones with their reference and whether their MAC checks."""
        items, following = self.items.logged(month, cursor, limit)
        redacted: list[CaseItem] = []
        deleted: list[tuple[str, dict[str, Any]]] = []
        for item in items:
            if is_tombstone(item):
                deleted.append((tombstone_reference(item), checked(item, self.signer)))
            else:
                redacted.append(CaseItem.from_item(item))
        return redacted, deleted, following
