"""Committing a change to a case together with the audit entry that records it.

Shared by every use case that writes a case (case work, data-subject rights, retention): the
case item is updated conditional on the version and audit head that were read, and the audit entry
that extends the chain is written in the same transaction, so a change cannot happen
unrecorded and two writers cannot fork the chain. A look at personal data is recorded the
same way, without changing the case's version. The last change of a case, its deletion
begun, ends the chain instead: it is written with the tombstone that keeps the final head.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.audit import AuditTrail, ChainHead, next_entry
from chalicelib.clock import Clock
from chalicelib.crypto import SealOnly
from chalicelib.errors import NotFound, StaleVersion
from chalicelib.insight_marks import insight_mark
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.dynamo import CommitConflict
from chalicelib.storage.reports_table import HEAD_MAC, CaseUpdate, ReportsTable


@dataclass
class CaseLedger:
    """Writes a case's changes and their audit entries atomically."""

    cases: ReportsTable
    audit: AuditTrail
    identity: SealOnly
    clock: Clock

    def commit(
        self,
        actor: str,
        case: dict[str, Any],
        update: CaseUpdate,
        also: list[dict[str, Any]],
        action: str,
        details: dict[str, Any],
        reason: str | None,
        *,
        bump_version: bool = True,
    ) -> None:
        """Apply `update` to the case as read, append the audit entry, write `also`, and
        sign the case's new head and sealed fields (`chalicelib.audit.head_message`).

        Raises `CommitConflict` if the case changed since `case` was read, `SealBroken` if
        the case as read was not signed (nothing is written then).
        """
        report_id = str(case["report_id"])
        head = ChainHead.of(case)
        sealed_reason = (
            self.identity.seal(report_id, f"audit.{head.seq + 1}", reason) if reason else None
        )
        entry, entry_hash = next_entry(
            head,
            report_id=report_id,
            at=self.clock.now(),
            actor=actor,
            action=action,
            details={k: v for k, v in details.items() if v is not None},
            sealed_reason=sealed_reason,
        )
        update.changes["audit_seq"] = entry.seq
        update.changes["audit_hash"] = entry_hash
        if bump_version:
            update.changes["version"] = int(case["version"]) + 1
            update.changes.update(insight_mark(self.clock.now()))
        update.changes[HEAD_MAC] = self.audit.resigned(case, update.changes, update.remove)
        condition = {"version": case["version"], "audit_seq": case.get("audit_seq")}
        writes = [
            update.request(self.cases.table, report_id, condition),
            self.audit.put_request(entry, entry_hash),
            *also,
        ]
        self.cases.commit(writes)

    def record(
        self,
        actor: str,
        case: dict[str, Any],
        action: str,
        details: dict[str, Any],
        reason: str | None,
    ) -> None:
        """Append an audit entry without changing the case (a look, not an edit).

        A concurrent change only moves the chain's head, so the entry is retried on the case
        as it is now.
        """
        seen = [case]

        def attempt() -> None:
            try:
                self.commit(
                    actor, seen[-1], CaseUpdate(), [], action, details, reason, bump_version=False
                )
            except CommitConflict:
                fresh = self.cases.case(str(case["report_id"]))
                if fresh is None:
                    raise NotFound("case not found") from None
                seen.append(fresh)
                raise

        retry_on_conflict(attempt, lambda: StaleVersion(int(seen[-1]["version"])))

    def end_chain(self, case: dict[str, Any], update: CaseUpdate, record: dict[str, Any]) -> None:
        """Apply `update` to the case as read and write `record` (a transaction item) in one
        transaction, appending no audit entry: for the last change of a case, whose chain
        ends where it is and whose `record` keeps its final head (retention's tombstone).
        The version moves on and the head is re-signed, as `commit` does.

        Raises `CommitConflict` if the case changed since `case` was read (nothing written).
        """
        update.changes["version"] = int(case["version"]) + 1
        update.changes[HEAD_MAC] = self.audit.resigned(case, update.changes, update.remove)
        condition = {"version": case["version"], "audit_seq": case.get("audit_seq")}
        request = update.request(self.cases.table, str(case["report_id"]), condition)
        self.cases.commit([record, request])
