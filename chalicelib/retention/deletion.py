"""Deletion: an anonymised record removed with everything of it, leaving a signed tombstone.

(1) The claim: one transaction writes the tombstone and marks the case `deletion_started_at`
(from then on staff see it as gone), conditional on the version and audit head read; the
case leaves the retention log as its tombstone joins it. (2) The cascade: its notifications,
its demographics, its submission and reference claims, the links to it, and its timeline and
audit entries. (3) The case item, last: until then the case stays in the `retention_due`
index, so the next sweep resumes a deletion that crashed.

An anonymous report still open in screening when its deletion falls due is deferred instead
(audited) until it is closed or filed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.audit import AuditSigner
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.retention_schedule import ACTION
from chalicelib.clock import Clock, iso
from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.observability import logger
from chalicelib.retention.log import RetentionLog
from chalicelib.retention.tombstones import signed, tombstone_content
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.demographics import Demographics
from chalicelib.storage.dynamo import CommitConflict
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import DELETE, CaseUpdate
from chalicelib.storage.retention_items import LOG_MARKS, RetentionItems
from chalicelib.storage.tombstones import Tombstones


def deletion_rule(policy: RetentionPolicy) -> str:
    """The rule a deletion applies, as its tombstone names it."""
    return f"delete_anonymised_after_years={policy.delete_anonymised_after_years}"


@dataclass
class Deletion:
    """Deletes a case (claim with its tombstone, cascade, case item last), or defers it.
    Collaborators are given."""

    items: RetentionItems
    tombstones: Tombstones
    demographics: Demographics
    outbox: Outbox
    ledger: CaseLedger
    signer: AuditSigner
    log: RetentionLog
    clock: Clock
    policy: RetentionPolicy
    #: Who the audit entries and tombstones name.
    actor: str

    def defer(self, case: CaseItem) -> None:
        """An anonymous report still open: out of the index until it is closed or filed."""
        update = CaseUpdate(
            changes={"retention_deferred_at": iso(self.clock.now())}, remove=[ACTION]
        )
        details = {"deferred": DELETE, "status": case.status}
        try:
            self.ledger.commit(self.actor, case, update, [], "retention_deferred", details, None)
        except CommitConflict:
            return  # changed meanwhile: the next run looks again
        logger.info("deletion deferred: report still open", extra={"report_id": case.report_id})

    def run(self, case: CaseItem, partition: list[dict[str, Any]]) -> None:
        """Delete the case and everything of it (resuming a deletion already claimed)."""
        report_id = case.report_id
        if not case.deletion_started_at:
            try:
                self._claim(case)
            except CommitConflict:
                return  # changed meanwhile (a hold, a reopening): the next run looks again
        # Children first, the case item last: a crash leaves the case in the index.
        self.outbox.delete(self.outbox.for_report(report_id))
        self.demographics.delete(report_id)
        self.items.delete_remains(case, partition)
        self.items.delete_case(report_id)
        logger.info("record deleted", extra={"report_id": report_id})

    def _claim(self, case: CaseItem) -> None:
        """The tombstone and the case's mark, in one transaction conditional on the version."""
        moment = self.clock.now()
        now = iso(moment)
        content = tombstone_content(
            case,
            deleted_at=now,
            rule=deletion_rule(self.policy),
            actor=self.actor,
            logged=self.log.marks(moment),
        )
        # Signed like an audit entry: whoever can write the table cannot forge one.
        tombstone = signed(self.tombstones.item(content), self.signer)
        update = CaseUpdate(
            changes={"deletion_started_at": now},
            # From now on the log lists the tombstone, not the redaction.
            remove=case.holding(*LOG_MARKS),
        )
        self.ledger.end_chain(case, update, self.tombstones.put_request(tombstone))
