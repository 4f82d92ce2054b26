"""Retention: redaction and deletion on schedule, and the redaction an erasure asks for.

What happens when (windows per institution, `Institution.retention`):

- a named case closed or filed is **redacted** `redact_named_after_months` after that
  (reopening cancels it): every sealed field, the email's blind index and the
  repeat-concern links go, the clear multiple-choice answers stay, the status becomes
  `redacted`; it is then an anonymised record;
- an anonymised record (an anonymous report, or a redacted case) is **deleted**
  `delete_anonymised_after_years` after submission, with its demographics, timeline,
  audit trail, claims, receipt and notifications; a signed tombstone records that it was;
- a legal hold stops both until it is lifted; an anonymous report still open in screening
  when its deletion falls due is deferred (audited) until it is closed or filed.

A pending action lives on the case item: `retention_next` (the action) and
`retention_due_at`; `retention_action` repeats the action while nothing holds it back,
which puts the case in the sparse index `retention_due`. The daily sweep reads only that
index, up to the due time, in bounded batches — never the table.

Every step is idempotent and safe to crash in: a redaction is first claimed (status,
audit entry and the item's own sealed fields, in one transaction conditional on the
version and audit head), then the children are stripped, then the item is finished, which
moves it from "redact" to "delete" in the index; a deletion writes its tombstone and marks
the case first, deletes the children, and deletes the case item last. Until the last step
the case stays in the index, so the next run resumes where a crashed one stopped.

What the sweep (or an erasure) did is listed by month through a second sparse index,
`retention_log` (`retention_log_month` "yyyy-mm" in the institution's time zone,
`retention_log_at`): a redacted case carries it from its redaction, in the same transaction
as the audit entry; a tombstone carries it (signed with the rest) from the deletion, whose
claim removes it from the case in that same transaction. A redacted case deleted later
thus leaves its redaction month's list and appears, as a tombstone, in its deletion month's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditTrail, ChainHead
from chalicelib.cases import workflow
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.retention_schedule import ACTION, DUE_AT, NEXT, deletion_due
from chalicelib.clock import Clock, iso
from chalicelib.crypto import SealOnly
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import LegalHoldActive, NotFound, StaleVersion
from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.observability import correlated, logger
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import CommitConflict, batch_delete, batch_get, plain, serialized
from chalicelib.storage.receipts import RECEIPT_MAC, receipt_key
from chalicelib.storage.reports_table import (
    DELETE,
    HEAD_MAC,
    REDACT,
    CaseUpdate,
    ReportsTable,
    schedule,
)

if TYPE_CHECKING:
    from chalicelib.cursors import PageCursors

INDEX = "retention_due"
#: The sparse index listing, by month, the redactions and deletions done (see the docstring).
LOG_INDEX = "retention_log"
LOG_MONTH = "retention_log_month"
LOG_AT = "retention_log_at"
#: What an unscheduled redaction names as its rule, by its audit action.
_REQUESTED = {"erase": "erasure_request", "redact": "redaction_request"}
#: Who the sweep's audit entries name.
ACTOR = "system:retention"
#: Attributes that put a case in a work queue or a watch; a redacted case is in none.
_QUEUES = ("queue_team", "queue_order", "advisor_open", "sla_watch", "awaiting_triage")


# --- the sweep and the redaction -------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    """The tables retention reads and deletes from."""

    reports: str
    demographics: str
    notifications: str


@dataclass
class Retention:
    """Redacts and deletes cases when due (`sweep`), or when an erasure asks (`redact`,
    `erase`). Takes its client, tables, audit trail, sealer, clock and policy.

    The client is called directly (no paginators), so that a wrapper given instead sees
    and counts every call.
    """

    client: Any
    tables: Tables
    audit: AuditTrail
    identity: SealOnly
    clock: Clock
    policy: RetentionPolicy
    #: The institution's: a redaction or deletion is logged under its month there.
    time_zone: ZoneInfo
    #: Seals the log's paging cursors (its key is derived on first use: the sweep never is).
    cursors: PageCursors

    def __post_init__(self) -> None:
        self._cases = ReportsTable(
            self.client, self.tables.reports, self.tables.demographics, self.cursors
        )

    @property
    def _ledger(self) -> CaseLedger:
        """Writes a change and its audit entry in one transaction, as case work does."""
        return CaseLedger(self._cases, self.audit, self.identity, self.clock)

    # --- the contract with data-subject rights ---------------------------------------------

    def redact(self, report_id: str, *, actor: str, reason: str) -> bool:
        """Strip every sealed field of a case, audited. True if redacted now, False if it
        already was (an unfinished redaction is finished). `LegalHoldActive` under a hold."""
        with correlated(report_id):
            return self._redact_now(report_id, actor, reason, "redact")

    def erase(self, report_id: str, *, actor: str, reason: str) -> bool:
        """`redact`, and delete the report's demographics."""
        with correlated(report_id):
            redacted = self._redact_now(report_id, actor, reason, "erase")
            with unavailable_on_failure("dynamodb"):
                self.client.delete_item(
                    TableName=self.tables.demographics, Key={"report_id": {"S": report_id}}
                )
            return redacted

    # --- the daily sweep ---------------------------------------------------------------------

    def sweep(self) -> dict[str, int]:
        """Redact and delete what is due, at most `sweep_batch_size` cases per run."""
        now = self.clock.now()
        counts = {"redacted": 0, "deleted": 0, "deferred": 0, "skipped": 0}
        budget = self.policy.sweep_batch_size
        for action in (REDACT, DELETE):
            for report_id in self.due(action, now, budget):
                budget -= 1
                with correlated(report_id):
                    outcome = self._apply(action, report_id, now)
                counts[outcome] += 1
        logger.info("retention sweep", extra=counts)
        return counts

    def due(self, action: str, now: datetime, limit: int) -> Iterator[str]:
        """Ids of cases whose `action` is due by `now`, oldest first (the sparse index)."""
        start: dict[str, Any] | None = None
        found = 0
        while found < limit:
            request: dict[str, Any] = {
                "TableName": self.tables.reports,
                "IndexName": INDEX,
                "KeyConditionExpression": "#action = :action AND #due <= :now",
                "ExpressionAttributeNames": {"#action": ACTION, "#due": DUE_AT},
                "ExpressionAttributeValues": {":action": {"S": action}, ":now": {"S": iso(now)}},
                "Limit": min(limit - found, 100),
            }
            if start:
                request["ExclusiveStartKey"] = start
            with unavailable_on_failure("dynamodb"):
                page = self.client.query(**request)
            for item in page["Items"]:
                found += 1
                yield item["pk"]["S"].removeprefix("REPORT#")
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _apply(self, action: str, report_id: str, now: datetime) -> str:
        items = self._partition(report_id)
        case = next((item for item in items if item["sk"] == "REPORT"), None)
        # The index is eventually consistent: act only on what the case itself says now.
        if (
            case is None
            or case.get(ACTION) != action
            or str(case.get(DUE_AT)) > iso(now)
            or case.get("legal_hold")
        ):
            return "skipped"
        if action == REDACT:
            if str(case["status"]) in workflow.OPEN:
                logger.error("redaction due on an open case", extra={"report_id": report_id})
                return "skipped"
            try:
                self._redact(case, items, ACTOR, None, "redact", {"rule": self._rule(REDACT)})
            except CommitConflict:
                return "skipped"  # changed meanwhile (a hold, a reopening): look again next run
            return "redacted"
        if str(case["status"]) in (*workflow.OPEN, "awaiting_triage"):
            self._defer(case)
            return "deferred"
        self._delete(case, items)
        return "deleted"

    # --- redaction ---------------------------------------------------------------------------

    def _redact_now(self, report_id: str, actor: str, reason: str, action: str) -> bool:
        def attempt() -> bool:
            items = self._partition(report_id)
            case = next((item for item in items if item["sk"] == "REPORT"), None)
            if case is None or case.get("deletion_started_at"):
                raise NotFound(f"report {report_id} not found")
            if case.get("legal_hold"):
                raise LegalHoldActive([str(case["reference"])])
            return self._redact(case, items, actor, reason, action, {})

        def exhausted() -> StaleVersion:
            current = self._cases.case(report_id)
            return StaleVersion(int(current["version"]) if current else 0)

        return retry_on_conflict(attempt, exhausted)

    def _redact(
        self,
        case: dict[str, Any],
        items: list[dict[str, Any]],
        actor: str,
        reason: str | None,
        action: str,
        details: dict[str, Any],
    ) -> bool:
        """Claim (unless claimed already), strip the children, finish. True if claimed now.

        `CommitConflict` if the case changed since `items` were read (nothing written).
        """
        report_id = str(case["report_id"])
        claimed_now = bool(case["status"] != workflow.REDACTED)
        if claimed_now:
            self._claim_redaction(case, actor, reason, action, details)
            logger.info("case redacted", extra={"report_id": report_id, "actor": actor})
        elif case.get(NEXT) != REDACT:
            return False  # redacted and finished before
        redaction_seq = int(case.get("audit_seq", 0)) + 1 if claimed_now else _last_redaction(items)
        self._strip_children(report_id, items, redaction_seq)
        self._finish_redaction(case)
        return claimed_now

    def _claim_redaction(
        self,
        case: dict[str, Any],
        actor: str,
        reason: str | None,
        action: str,
        details: dict[str, Any],
    ) -> None:
        now = self.clock.now()
        update = CaseUpdate(
            changes={
                "status": workflow.REDACTED,
                "redacted_at": iso(now),
                # For the retention log: who, under which rule, and the audit entry saying so.
                **self._logged(now),
                "redacted_by": actor,
                "redaction_rule": str(details.get("rule") or _REQUESTED.get(action, action)),
                "redaction_seq": int(case.get("audit_seq", 0)) + 1,
                # Due now: until it is finished the case stays in the index, so a crashed
                # redaction (even one an erasure started) is resumed by the next sweep.
                **schedule(REDACT, now, held=False),
            },
            # The contact method and advisor preferences (a woman, trained in sexual violence
            # support) were kept in clear to reach and assign the reporter; no statistic
            # needs them once the reporter's details are gone.
            remove=[
                name for name in ("sealed", "email_mac", "preferences", *_QUEUES) if name in case
            ],
        )
        details = {"from": str(case["status"]), **details}
        self._ledger.commit(actor, case, update, [], action, details, reason)

    def _strip_children(
        self, report_id: str, items: list[dict[str, Any]], redaction_seq: int
    ) -> None:
        """Remove every timeline text and every audit reason written before the redaction,
        and the repeat-concern links (each write idempotent)."""
        for item in items:
            sk = str(item["sk"])
            if sk.startswith("TIMELINE#") and "sealed_text" in item:
                self._remove_attribute(item, "sealed_text")
            elif (
                sk.startswith("AUDIT#")
                and "sealed_reason" in item
                and int(item["seq"]) < redaction_seq
            ):
                self._remove_attribute(item, "sealed_reason")
        case = next(item for item in items if item["sk"] == "REPORT")
        self._batch_delete(
            self.tables.reports,
            [
                {"pk": {"S": f"CONCERN#{mac}"}, "sk": {"S": f"REPORT#{report_id}"}}
                for mac in case.get("concern_macs", [])
            ]
            # An erased or redacted report's receipt code opens nothing from now on.
            + _receipt(case),
        )

    def _finish_redaction(self, case: dict[str, Any]) -> None:
        """Leave the "redact" part of the index for the "delete" part (it may be due)."""
        report_id = str(case["report_id"])
        submitted = datetime.fromisoformat(str(case["submitted_at"]))
        held = bool(case.get("legal_hold"))
        update = CaseUpdate(
            changes=schedule(DELETE, deletion_due(submitted, self.policy), held=held),
            remove=["concern_macs", *([ACTION] if held else [])],
        )
        condition = {"status": workflow.REDACTED, NEXT: REDACT}
        with suppress(CommitConflict):  # finished by a concurrent run
            self._cases.commit([update.request(self.tables.reports, report_id, condition)])

    # --- deletion ----------------------------------------------------------------------------

    def _defer(self, case: dict[str, Any]) -> None:
        """An anonymous report still open: out of the index until it is closed or filed."""
        update = CaseUpdate(
            changes={"retention_deferred_at": iso(self.clock.now())}, remove=[ACTION]
        )
        details = {"deferred": DELETE, "status": str(case["status"])}
        try:
            self._ledger.commit(ACTOR, case, update, [], "retention_deferred", details, None)
        except CommitConflict:
            return  # changed meanwhile: the next run looks again
        logger.info("deletion deferred: report still open", extra={"report_id": case["report_id"]})

    def _delete(self, case: dict[str, Any], items: list[dict[str, Any]]) -> None:
        report_id = str(case["report_id"])
        if not case.get("deletion_started_at"):
            try:
                self._claim_deletion(case)
            except CommitConflict:
                return  # changed meanwhile (a hold, a reopening): the next run looks again
        # Children first, the case item last: a crash leaves the case in the index.
        self._batch_delete(
            self.tables.notifications,
            [{"notification_id": {"S": nid}} for nid in self._notifications(report_id)],
        )
        self._batch_delete(self.tables.demographics, [{"report_id": {"S": report_id}}])
        claims = [
            {"pk": {"S": f"SUBMISSION#{case['submission_id']}"}, "sk": {"S": "SUBMISSION"}},
            {"pk": {"S": f"REFERENCE#{case['reference']}"}, "sk": {"S": "REFERENCE"}},
        ]
        concerns = [
            {"pk": {"S": f"CONCERN#{mac}"}, "sk": {"S": f"REPORT#{report_id}"}}
            for mac in case.get("concern_macs", [])
        ]
        children = [
            {"pk": {"S": f"REPORT#{report_id}"}, "sk": {"S": str(item["sk"])}}
            for item in items
            if item["sk"] != "REPORT"
        ]
        self._batch_delete(self.tables.reports, claims + _receipt(case) + concerns + children)
        with unavailable_on_failure("dynamodb"):
            self.client.delete_item(TableName=self.tables.reports, Key=_case_key(report_id))
        logger.info("record deleted", extra={"report_id": report_id})

    def _claim_deletion(self, case: dict[str, Any]) -> None:
        """The tombstone and the case's mark, in one transaction conditional on the version."""
        report_id = str(case["report_id"])
        moment = self.clock.now()
        now = iso(moment)
        head = ChainHead.of(case)
        tombstone: dict[str, Any] = {
            "pk": f"TOMBSTONE#{case['reference']}",
            "sk": "TOMBSTONE",
            "report_id": report_id,
            "reference": str(case["reference"]),
            "mode": str(case["mode"]),
            "deleted_at": now,
            "due_at": str(case[DUE_AT]),
            "rule": self._rule(DELETE),
            "actor": ACTOR,
            "audit_seq": head.seq,
            "audit_hash": head.hash,
            **self._logged(moment),
        }
        # Signed like an audit entry: whoever can write the table cannot forge one.
        tombstone["mac"] = self.audit.signer.sign(tombstone_digest(tombstone))
        update = CaseUpdate(
            changes={"deletion_started_at": now, "version": int(case["version"]) + 1},
            # From now on the log lists the tombstone, not the redaction.
            remove=[name for name in (LOG_MONTH, LOG_AT) if name in case],
        )
        update.changes[HEAD_MAC] = self.audit.resigned(case, update.changes, update.remove)
        condition = {"version": case["version"], "audit_seq": case.get("audit_seq")}
        self._cases.commit(
            [
                {
                    "Put": {
                        "TableName": self.tables.reports,
                        "Item": serialized(tombstone),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                update.request(self.tables.reports, report_id, condition),
            ]
        )

    def tombstone(self, reference: str) -> dict[str, Any] | None:
        """The record of a deleted report, by its reference (for a data protection officer),
        with whether its signature checks."""
        with unavailable_on_failure("dynamodb"):
            item = self.client.get_item(
                TableName=self.tables.reports,
                Key={"pk": {"S": f"TOMBSTONE#{reference}"}, "sk": {"S": "TOMBSTONE"}},
                ConsistentRead=True,
            ).get("Item")
        return None if item is None else self._checked(plain(item))

    def _checked(self, tombstone: dict[str, Any]) -> dict[str, Any]:
        """The tombstone with `signed`: whether its MAC checks with the audit key."""
        # An item edited to drop its MAC is simply not signed (not a failure to read it).
        tombstone["signed"] = "mac" in tombstone and self.audit.signer.check(
            tombstone_digest(tombstone), str(tombstone["mac"])
        )
        return tombstone

    # --- the log: what was done in a month -----------------------------------------------------

    def log(
        self, month: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
        """(redacted cases, checked tombstones, next cursor) logged in `month` ("yyyy-mm"),
        oldest first: one key query of the sparse `retention_log` index, then the items
        themselves read consistently (an item that has since left the month is left out)."""
        keys, following = self._cases.queue(LOG_INDEX, LOG_MONTH, month, limit, cursor)
        redacted: list[dict[str, Any]] = []
        deleted: list[dict[str, Any]] = []
        for item in self._items([{"pk": key["pk"], "sk": key["sk"]} for key in keys]):
            if item.get(LOG_MONTH) != month:
                continue
            if str(item["pk"]).startswith("TOMBSTONE#"):
                deleted.append(self._checked(item))
            else:
                redacted.append(item)
        return redacted, deleted, following

    def _items(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items under `keys` (plain), in their `retention_log_at` order."""
        found = batch_get(
            self.client,
            self.tables.reports,
            [{name: str(value) for name, value in key.items()} for key in keys],
            consistent=True,
        )
        return sorted(found, key=lambda item: (str(item.get(LOG_AT)), str(item["pk"])))

    def _logged(self, moment: datetime) -> dict[str, str]:
        """The attributes that list a redaction or deletion done at `moment` in its month."""
        return {LOG_MONTH: month_of(moment, self.time_zone), LOG_AT: iso(moment)}

    # --- reading and writing -----------------------------------------------------------------

    def _partition(self, report_id: str) -> list[dict[str, Any]]:
        """Every item under the case's key: the case, its timeline and audit entries."""
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self.tables.reports,
                "KeyConditionExpression": "pk = :case",
                "ExpressionAttributeValues": {":case": {"S": f"REPORT#{report_id}"}},
                "ConsistentRead": True,
            }
            if start:
                request["ExclusiveStartKey"] = start
            with unavailable_on_failure("dynamodb"):
                page = self.client.query(**request)
            items += [plain(item) for item in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def _notifications(self, report_id: str) -> list[str]:
        ids: list[str] = []
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {
                "TableName": self.tables.notifications,
                "IndexName": "by_report",
                "KeyConditionExpression": "report_id = :report",
                "ExpressionAttributeValues": {":report": {"S": report_id}},
            }
            if start:
                request["ExclusiveStartKey"] = start
            with unavailable_on_failure("dynamodb"):
                page = self.client.query(**request)
            ids += [item["notification_id"]["S"] for item in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return ids

    def _remove_attribute(self, item: Mapping[str, Any], attribute: str) -> None:
        gone = self.client.exceptions.ConditionalCheckFailedException
        with unavailable_on_failure("dynamodb"), suppress(gone):
            self.client.update_item(
                TableName=self.tables.reports,
                Key={"pk": {"S": str(item["pk"])}, "sk": {"S": str(item["sk"])}},
                UpdateExpression="REMOVE #attribute",
                # Never create an item an update would otherwise make from nothing.
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#attribute": attribute},
            )

    def _batch_delete(self, table: str, keys: list[dict[str, Any]]) -> None:
        batch_delete(self.client, table, keys)

    def _rule(self, action: str) -> str:
        if action == REDACT:
            return f"redact_named_after_months={self.policy.redact_named_after_months}"
        return f"delete_anonymised_after_years={self.policy.delete_anonymised_after_years}"


def month_of(moment: datetime, time_zone: ZoneInfo) -> str:
    """The "yyyy-mm" `moment` falls in, in `time_zone`."""
    return moment.astimezone(time_zone).strftime("%Y-%m")


def tombstone_digest(tombstone: Mapping[str, Any]) -> str:
    """SHA-256 over a canonical form of a tombstone's content (what its `mac` signs)."""
    content = {
        name: str(value) for name, value in tombstone.items() if name not in ("mac", "signed")
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _last_redaction(items: list[dict[str, Any]]) -> int:
    return max(
        (
            int(item["seq"])
            for item in items
            if str(item["sk"]).startswith("AUDIT#") and item.get("action") in ("redact", "erase")
        ),
        default=0,
    )


def _receipt(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The key of the case's receipt item, if it has one (issue 14)."""
    mac = case.get(RECEIPT_MAC)
    return [receipt_key(str(mac))] if mac else []


def _case_key(report_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REPORT#{report_id}"}, "sk": {"S": "REPORT"}}
