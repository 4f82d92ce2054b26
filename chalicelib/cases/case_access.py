"""Reaching a case as a staff member may, and changing it through the ledger: the seam the
case use cases share (case work, `chalicelib.cases.casework`, and the message thread,
`chalicelib.cases.thread`), so none of them reaches into another's internals.

`visible` reads a case for an action by the rules of the policy table
(`chalicelib.cases.policy`): a member holding none of the action's roles is refused (403)
before the case is read; one without the relation their role needs, like anyone asking for a
case whose deletion has begun, is answered exactly as for a case that does not exist (404).

`change` applies a change to a case so read: one transaction of the case update (conditional
on the version the caller read, when they give it, and on the audit head), the audit entry
and whatever else the change writes; a conflict with a concurrent writer reads the case again
and plans the change again (`chalicelib.storage.conflicts.retry_on_conflict`). Notifications
are sent only once the transaction is written (their outbox items are in it).

`ledger` and `seal` are the case's writer (`chalicelib.cases.ledger.CaseLedger`) and the check
before anything is unsealed (`chalicelib.cases.seal.CaseSeal`), on the same tables and keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.audit import AuditTrail
from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.seal import CaseSeal
from chalicelib.clock import Clock
from chalicelib.crypto import Sealer
from chalicelib.errors import NotFound, StaleVersion
from chalicelib.notify.messages import Notification
from chalicelib.observability import correlated, logger
from chalicelib.queues import WorkQueue, send_or_leave_for_redrive
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.conflicts import retry_on_conflict
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import CaseUpdate, ReportsTable


@dataclass
class Change:
    """What an operation does to a case: the update, what the audit records, and more."""

    update: CaseUpdate
    details: dict[str, Any]
    writes: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


@dataclass(frozen=True)
class CaseAccess:
    """Reads a case under the policy table and changes it through the ledger."""

    cases: ReportsTable
    audit: AuditTrail
    identity: Sealer
    outbox: Outbox
    notify_queue: WorkQueue
    clock: Clock

    @property
    def ledger(self) -> CaseLedger:
        """The one writer of the case and its audit chain."""
        return CaseLedger(self.cases, self.audit, self.identity, self.clock)

    @property
    def seal(self) -> CaseSeal:
        """What checks the case's signed head before any sealed field is opened."""
        return CaseSeal(self.audit, self.identity)

    def visible(
        self, principal: Principal, reference: str, permission: policy.CaseAction
    ) -> CaseItem:
        """The case, if the member may do `permission` on it: 403 without a role for it,
        404 (as for a case that does not exist) without the relation the role needs."""
        policy.require(principal, permission)
        report_id = self.cases.report_id_for(reference)
        case = self.cases.case_item(report_id) if report_id else None
        # A case whose deletion has begun is gone: nothing more may be done to it.
        if (
            case is None
            or case.deletion_started_at
            or not policy.reaches(principal, case, permission)
        ):
            raise NotFound(f"case {reference} not found")
        return case

    def change(
        self,
        principal: Principal,
        reference: str,
        permission: policy.CaseAction,
        action: str,
        reason: str | None,
        version: int | None,
        plan: Callable[[CaseItem], Change],
    ) -> CaseItem:
        """Apply what `plan` makes of the case (read as `visible` for `permission`), audited
        as `action` with `reason`, and answer the case as it now is.

        `StaleVersion` if `version` is given and the case is at another, or if concurrent
        writers keep winning; `NotFound` if the case was deleted just after the change.
        """

        def attempt() -> tuple[CaseItem, Change]:
            case = self.visible(principal, reference, permission)
            with correlated(case.report_id):
                if version is not None and case.version != version:
                    raise StaleVersion(case.version)
                planned = plan(case)
                also = planned.writes + [self.outbox.put_request(n) for n in planned.notifications]
                self.ledger.commit(
                    principal.member_id,
                    case,
                    planned.update,
                    also,
                    action,
                    planned.details,
                    reason,
                )
            return case, planned

        def exhausted() -> StaleVersion:
            return StaleVersion(self.visible(principal, reference, permission).version)

        case, planned = retry_on_conflict(attempt, exhausted)
        with correlated(case.report_id):
            logger.info("case changed", extra={"action": action, "reference": reference})
            for notification in planned.notifications:
                send_or_leave_for_redrive(self.notify_queue, notification.notification_id)
            fresh = self.cases.case_item(case.report_id)
            if fresh is None:
                # Deleted between the commit and this read (a retention sweep): gone.
                raise NotFound(f"case {reference} not found")
            return fresh
