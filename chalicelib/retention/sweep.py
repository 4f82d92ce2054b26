"""The retention service: the daily sweep, and the redaction an erasure asks for.

The sweep reads only the sparse index `retention_due`, up to now, redactions first, in
bounded batches (`sweep_batch_size` cases a run; the rest wait for the next) — never the
table. Each case is re-read (its partition, consistently) and acted on only if the case
itself still says the action is due and nothing holds it; an anonymous report still open in
screening has its deletion deferred. `Retention` also answers for the deletions done (a
tombstone by reference, the month's log), and wires the steps (`redaction`, `deletion`) to
the tables it is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.audit import AuditTrail
from chalicelib.cases import workflow
from chalicelib.cases.ledger import CaseLedger
from chalicelib.clock import Clock, iso
from chalicelib.crypto import SealOnly
from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.observability import correlated, logger
from chalicelib.retention.deletion import Deletion
from chalicelib.retention.log import LogPage, RetentionLog
from chalicelib.retention.redaction import Redaction, redaction_rule
from chalicelib.retention.tombstones import checked
from chalicelib.storage.demographics import Demographics
from chalicelib.storage.dynamo import CommitConflict
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import DELETE, REDACT, ReportsTable
from chalicelib.storage.retention_items import RetentionItems, case_in
from chalicelib.storage.tombstones import Tombstones

if TYPE_CHECKING:
    from chalicelib.cursors import PageCursors

#: Who the sweep's audit entries (and tombstones) name.
ACTOR = "system:retention"


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

    Its steps are built on the client it holds when called, so a wrapper given instead (to
    count calls, or to fail at one) sees every call.
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

    # --- the contract with data-subject rights ---------------------------------------------

    def redact(self, report_id: str, *, actor: str, reason: str) -> bool:
        """Strip every sealed field of a case, audited. True if redacted now, False if it
        already was (an unfinished redaction is finished). `LegalHoldActive` under a hold."""
        with correlated(report_id):
            return self._redaction.requested(report_id, actor, reason, "redact")

    def erase(self, report_id: str, *, actor: str, reason: str) -> bool:
        """`redact`, and delete the report's demographics."""
        with correlated(report_id):
            redacted = self._redaction.requested(report_id, actor, reason, "erase")
            self._demographics.delete(report_id)
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
        return self._items.due(action, now, limit)

    def _apply(self, action: str, report_id: str, now: datetime) -> str:
        partition = self._items.partition(report_id)
        case = case_in(partition)
        # The index is eventually consistent: act only on what the case itself says now.
        if (
            case is None
            or case.retention_action != action
            or str(case.retention_due_at) > iso(now)
            or case.legal_hold
        ):
            return "skipped"
        if action == REDACT:
            if case.status in workflow.OPEN:
                logger.error("redaction due on an open case", extra={"report_id": report_id})
                return "skipped"
            details = {"rule": redaction_rule(self.policy)}
            try:
                self._redaction.run(case, partition, ACTOR, None, "redact", details)
            except CommitConflict:
                return "skipped"  # changed meanwhile (a hold, a reopening): look again next run
            return "redacted"
        if case.status in (*workflow.OPEN, "awaiting_triage"):
            self._deletion.defer(case)
            return "deferred"
        self._deletion.run(case, partition)
        return "deleted"

    # --- what was done ---------------------------------------------------------------------

    def tombstone(self, reference: str) -> dict[str, Any] | None:
        """The record of a deleted report, by its reference (for a data protection officer),
        with whether its signature checks."""
        item = self._tombstones.get(reference)
        return None if item is None else checked(item, self.audit.signer)

    def log(self, month: str, cursor: str | None, limit: int) -> LogPage:
        """(redacted cases, (reference, checked tombstone) of each deletion, next cursor)
        logged in `month` ("yyyy-mm"), oldest first."""
        return self._log.page(month, cursor, limit)

    # --- the steps, on the client held now ---------------------------------------------------

    @property
    def _cases(self) -> ReportsTable:
        return ReportsTable(
            self.client, self.tables.reports, self.tables.demographics, self.cursors
        )

    @property
    def _items(self) -> RetentionItems:
        return RetentionItems(self._cases)

    @property
    def _tombstones(self) -> Tombstones:
        return Tombstones(self.client, self.tables.reports)

    @property
    def _demographics(self) -> Demographics:
        return Demographics(self.client, self.tables.demographics)

    @property
    def _ledger(self) -> CaseLedger:
        """Writes a change and its audit entry in one transaction, as case work does."""
        return CaseLedger(self._cases, self.audit, self.identity, self.clock)

    @property
    def _log(self) -> RetentionLog:
        return RetentionLog(self._items, self.audit.signer, self.time_zone)

    @property
    def _redaction(self) -> Redaction:
        cases = self._cases
        return Redaction(
            cases=cases,
            items=RetentionItems(cases),
            ledger=CaseLedger(cases, self.audit, self.identity, self.clock),
            log=self._log,
            clock=self.clock,
            policy=self.policy,
        )

    @property
    def _deletion(self) -> Deletion:
        return Deletion(
            items=self._items,
            tombstones=self._tombstones,
            demographics=self._demographics,
            outbox=Outbox(self.client, self.tables.notifications),
            ledger=self._ledger,
            signer=self.audit.signer,
            log=self._log,
            clock=self.clock,
            policy=self.policy,
            actor=ACTOR,
        )
