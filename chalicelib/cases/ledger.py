"""Committing a change to a case together with the audit entry that records it.

Shared by every use case that writes a case (triage, case work, data-subject rights,
retention): the case item is updated conditional on the version and audit head that were
read, and the audit entry that extends the chain is written in the same transaction, so a
change cannot happen unrecorded and two writers cannot fork the chain. A look at personal
data is recorded the same way, without changing the case's version. A change a redelivered
message asks for again (triage) is conditional also on what the case holds until it is
made, and is then a no-op. The last change of a case, its deletion begun, ends the chain
instead: it is written with the tombstone that keeps the final head.

A case is given as the typed `CaseItem` it was read as; what signs the case's head reads
the whole item as read (`CaseItem.item`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.audit import GENESIS, AuditTrail, ChainHead, next_entry
from chalicelib.clock import Clock
from chalicelib.crypto import SealOnly
from chalicelib.errors import NotFound, StaleVersion
from chalicelib.insight_marks import insight_mark
from chalicelib.storage.case_item import CaseItem
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
        case: CaseItem,
        update: CaseUpdate,
        also: list[dict[str, Any]],
        action: str,
        details: dict[str, Any],
        reason: str | None,
        *,
        bump_version: bool = True,
        expect: Mapping[str, Any] | None = None,
    ) -> None:
        """Apply `update` to the case as read, append the audit entry, write `also`, and
        sign the case's new head and sealed fields (`chalicelib.audit.head_message`).

        Raises `CommitConflict` if the case changed since `case` was read (or no longer
        holds the values `expect` names), `SealBroken` if the case as read was not signed
        (nothing is written then).
        """
        report_id = case.report_id
        head = ChainHead(case.audit_seq or 0, case.audit_hash or GENESIS)
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
            update.changes["version"] = case.version + 1
            update.changes.update(insight_mark(self.clock.now()))
        update.changes[HEAD_MAC] = self.audit.resigned(case.item, update.changes, update.remove)
        condition = {
            "version": case.version,
            "audit_seq": case.audit_seq,
            **(expect or {}),
        }
        writes = [
            update.request(self.cases.table, report_id, condition),
            self.audit.put_request(entry, entry_hash),
            *also,
        ]
        self.cases.commit(writes)

    def commit_unless_done(
        self,
        actor: str,
        case: CaseItem,
        update: CaseUpdate,
        also: list[dict[str, Any]],
        action: str,
        details: dict[str, Any],
        *,
        expect: Mapping[str, Any],
    ) -> bool:
        """`commit` a change that a redelivered message may ask for again: conditional also
        on `expect`, what the case holds until the change is made (e.g. its status).

        False, with nothing written, if the case no longer holds it (or is gone): the change
        was made already, so a duplicate is a no-op, not an error. Any other conflict (the case
        changed otherwise since it was read) is `CommitConflict`, for the message to be
        delivered again and decided on the case as it is then.
        """
        try:
            self.commit(actor, case, update, also, action, details, None, expect=expect)
        except CommitConflict:
            now = self.cases.case_item(case.report_id)
            # `expect` names stored attributes, as the write's condition does: read as stored.
            if now is None or any(now.item.get(name) != value for name, value in expect.items()):
                return False
            raise
        return True

    def record(
        self,
        actor: str,
        case: CaseItem,
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
                fresh = self.cases.case_item(seen[-1].report_id)
                if fresh is None:
                    raise NotFound("case not found") from None
                seen.append(fresh)
                raise

        retry_on_conflict(attempt, lambda: StaleVersion(seen[-1].version))

    def end_chain(self, case: CaseItem, update: CaseUpdate, record: dict[str, Any]) -> None:
        """Apply `update` to the case as read and write `record` (a transaction item) in one
        transaction, appending no audit entry: for the last change of a case, whose chain
        ends where it is and whose `record` keeps its final head (retention's tombstone).
        The version moves on and the head is re-signed, as `commit` does.

        Raises `CommitConflict` if the case changed since `case` was read (nothing written).
        """
        update.changes["version"] = case.version + 1
        update.changes[HEAD_MAC] = self.audit.resigned(case.item, update.changes, update.remove)
        condition = {"version": case.version, "audit_seq": case.audit_seq}
        request = update.request(self.cases.table, case.report_id, condition)
        self.cases.commit([record, request])
