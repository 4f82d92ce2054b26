"""Redaction: a case's personal data stripped, in three idempotent steps.

(1) The claim: one transaction through the case ledger sets the status `redacted`, removes
the item's own sealed fields, the email's blind index and the clear preferences, takes the
case out of every work queue, lists it in the retention log and appends the audit entry —
conditional on the version and audit head read. (2) The children: every timeline text, every
message text of the reporter's thread and every audit reason written before the redaction,
and the repeat-concern links, each removed by its own idempotent write. (3) The finish: the
case leaves the "redact" part of the `retention_due` index for the "delete" part (its
deletion may already be due).

Until it is finished the case stays due, so a crashed redaction — even one an erasure
started — is resumed by the next sweep. The sweep redacts on schedule; an erasure or a
redaction request asks for one now.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.cases import workflow
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.retention_schedule import ACTION, NEXT, deletion_due
from chalicelib.clock import Clock, iso
from chalicelib.errors import LegalHoldActive, NotFound, StaleVersion
from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.observability import logger
from chalicelib.retention.log import RetentionLog
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import CommitConflict
from chalicelib.storage.messages import is_message
from chalicelib.storage.reports_table import DELETE, REDACT, CaseUpdate, ReportsTable, schedule
from chalicelib.storage.retention_items import (
    RetentionItems,
    case_in,
    is_audit_entry,
    is_timeline_entry,
)

#: What an unscheduled redaction names as its rule, by its audit action.
_REQUESTED = {"erase": "erasure_request", "redact": "redaction_request"}
#: Attributes that put a case in a work queue or a watch; a redacted case is in none.
_QUEUES = ("queue_team", "queue_order", "advisor_open", "sla_watch", "awaiting_triage")


def redaction_rule(policy: RetentionPolicy) -> str:
    """The rule a scheduled redaction applies, as its audit entry and the log name it."""
    return f"redact_named_after_months={policy.redact_named_after_months}"


@dataclass
class Redaction:
    """Redacts a case: claim, strip the children, finish. Collaborators are given."""

    cases: ReportsTable
    items: RetentionItems
    ledger: CaseLedger
    log: RetentionLog
    clock: Clock
    policy: RetentionPolicy

    def requested(self, report_id: str, actor: str, reason: str, action: str) -> bool:
        """Redact a case now, as `actor` asks (`action` "redact" or "erase"). True if
        redacted now, False if it already was (an unfinished redaction is finished).
        `NotFound` for a case gone or being deleted, `LegalHoldActive` under a hold."""

        def attempt() -> bool:
            partition = self.items.partition(report_id)
            case = case_in(partition)
            if case is None or case.deletion_started_at:
                raise NotFound(f"report {report_id} not found")
            if case.legal_hold:
                raise LegalHoldActive([case.reference])
            return self.run(case, partition, actor, reason, action, {})

        def exhausted() -> StaleVersion:
            current = self.cases.case_item(report_id)
            return StaleVersion(current.version if current else 0)

        return retry_on_conflict(attempt, exhausted)

    def run(
        self,
        case: CaseItem,
        partition: list[dict[str, Any]],
        actor: str,
        reason: str | None,
        action: str,
        details: dict[str, Any],
    ) -> bool:
        """Claim (unless claimed already), strip the children, finish. True if claimed now.

        `CommitConflict` if the case changed since `partition` was read (nothing written).
        """
        report_id = case.report_id
        claimed_now = case.status != workflow.REDACTED
        if claimed_now:
            self._claim(case, actor, reason, action, details)
            logger.info("case redacted", extra={"report_id": report_id, "actor": actor})
        elif case.retention_next != REDACT:
            return False  # redacted and finished before
        redaction_seq = (case.audit_seq or 0) + 1 if claimed_now else _last_redaction(partition)
        self._strip_children(case, partition, redaction_seq)
        self._finish(case)
        return claimed_now

    def _claim(
        self,
        case: CaseItem,
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
                **self.log.marks(now),
                "redacted_by": actor,
                "redaction_rule": str(details.get("rule") or _REQUESTED.get(action, action)),
                "redaction_seq": (case.audit_seq or 0) + 1,
                # Due now: until it is finished the case stays in the index, so a crashed
                # redaction (even one an erasure started) is resumed by the next sweep.
                **schedule(REDACT, now, held=False),
            },
            # The contact method and advisor preferences (a woman, trained in sexual violence
            # support) were kept in clear to reach and assign the reporter; no statistic
            # needs them once the reporter's details are gone.
            remove=case.holding("sealed", "email_mac", "preferences", *_QUEUES),
        )
        details = {"from": case.status, **details}
        self.ledger.commit(actor, case, update, [], action, details, reason)

    def _strip_children(
        self, case: CaseItem, partition: list[dict[str, Any]], redaction_seq: int
    ) -> None:
        """Remove every timeline and message text and every audit reason written before the
        redaction, the repeat-concern links and the receipt (each write idempotent): an erased
        or redacted report's receipt code opens nothing from now on."""
        for item in partition:
            if (is_timeline_entry(item) or is_message(item)) and "sealed_text" in item:
                self.items.remove_attribute(item, "sealed_text")
            elif (
                is_audit_entry(item)
                and "sealed_reason" in item
                and int(item["seq"]) < redaction_seq
            ):
                self.items.remove_attribute(item, "sealed_reason")
        self.items.delete_concern_links(case.report_id, case.concern_macs)
        self.items.delete_receipt(case)

    def _finish(self, case: CaseItem) -> None:
        """Leave the "redact" part of the index for the "delete" part (it may be due)."""
        report_id = case.report_id
        submitted = datetime.fromisoformat(case.submitted_at)
        held = case.legal_hold
        update = CaseUpdate(
            changes=schedule(DELETE, deletion_due(submitted, self.policy), held=held),
            remove=["concern_macs", *([ACTION] if held else [])],
        )
        condition = {"status": workflow.REDACTED, NEXT: REDACT}
        with suppress(CommitConflict):  # finished by a concurrent run
            self.cases.commit([update.request(self.cases.table, report_id, condition)])


def _last_redaction(partition: list[dict[str, Any]]) -> int:
    """The sequence number of the case's redaction entry (0 if there is none)."""
    return max(
        (
            int(item["seq"])
            for item in partition
            if is_audit_entry(item) and item.get("action") in ("redact", "erase")
        ),
        default=0,
    )
