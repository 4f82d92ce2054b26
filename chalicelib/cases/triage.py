"""Triage of new reports, fed by the triage queue.

Loads the report, routes it to a team, raises risk flags and a priority by the
institution's rules (and `repeat_concern` when it names someone another report names),
starts a named case's clocks, and — in the same transaction — writes the notifications
that tell the team's screeners (at once, when urgent; once more for a repeat concern).
Then it checks the trend alerts. A duplicate delivery finds the report already triaged and
changes nothing, but checks the trend alerts again: that check is idempotent, and a crash
after triage's commit would otherwise lose an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.cases import rules
from chalicelib.cases.ledger import CaseLedger
from chalicelib.cases.sla import clock_attributes, screening_attributes
from chalicelib.cases.workflow import queue_order
from chalicelib.clock import Clock, iso
from chalicelib.concerns import ConcernIndex
from chalicelib.errors import NotFound
from chalicelib.institution.models import Institution
from chalicelib.institution.working_time import WorkingCalendar
from chalicelib.notify.messages import Kind, Notification
from chalicelib.observability import correlated, logger
from chalicelib.queues import WorkQueue, parse_message, send_or_leave_for_redrive
from chalicelib.storage.case_item import AWAITING_TRIAGE, CaseItem
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import CaseUpdate, ReportsTable
from chalicelib.trends import TrendWatch


class TriageMessage(BaseModel):
    """The body of a triage message: a report id, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    report_id: str = Field(pattern=r"^[0-9a-f]{32}$")


@dataclass
class TriageService:
    """Moves reports from intake to a team's screening queue, or files them."""

    institution: Institution
    store: ReportsTable
    calendar: WorkingCalendar
    outbox: Outbox
    #: The one writer of a case change and its audit entry.
    ledger: CaseLedger
    notify_queue: WorkQueue
    clock: Clock
    concerns: ConcernIndex
    trends: TrendWatch

    def handle(self, record: SQSRecord) -> None:
        """Triage the report a message names."""
        message = parse_message(record, TriageMessage)
        with correlated(message.report_id):
            self.triage(message.report_id)

    def triage(self, report_id: str) -> None:
        """Decide and record where a report goes. Idempotent."""
        report = self.store.case_item(report_id)
        if report is None:
            logger.error("triage for unknown report", extra={"report_id": report_id})
            raise NotFound(f"report {report_id} does not exist")
        if report.triaged:
            logger.info("duplicate triage ignored", extra={"report_id": report_id})
            self.trends.check(report)
            return
        submitted_at = datetime.fromisoformat(report.submitted_at)
        macs = list(report.concern_macs)
        decision = rules.decide(
            self.institution.triage,
            report.mode,
            report.answers,
            lambda days: self._reports_at(report, submitted_at, days),
            repeat_concern=bool(macs) and bool(self.concerns.others_naming(report_id, macs)),
        )
        changes: dict[str, Any] = {
            "status": decision.status,
            "team_id": decision.team_id,
            "priority": decision.priority,
            "risk_flags": list(decision.flags),
            "triaged_at": iso(self.clock.now()),
        }
        if report.mode == "named":
            clocks = self.calendar.clocks_for(submitted_at)
            changes |= clock_attributes(clocks, self.institution.triage.escalation)
        elif decision.status == rules.AWAITING_SCREENING:
            changes |= screening_attributes(self.calendar.screening_due(submitted_at))
        if decision.status == rules.AWAITING_SCREENING:
            due = str(
                changes.get("first_contact_due")
                or changes.get("screening_due")
                or report.submitted_at
            )
            changes |= {
                "queue_team": decision.team_id,
                "queue_order": queue_order(decision.priority, due),
            }
        notifications = self._notifications(report, decision)
        committed = self.ledger.commit_unless_done(
            "system:triage",
            report,
            CaseUpdate(changes, remove=[AWAITING_TRIAGE]),
            [self.outbox.put_request(notification) for notification in notifications],
            "triage",
            {
                "status": decision.status,
                "team_id": decision.team_id,
                "priority": decision.priority,
                "risk_flags": list(decision.flags),
            },
            expect={"status": AWAITING_TRIAGE},
        )
        if not committed:
            logger.info("duplicate triage ignored", extra={"report_id": report_id})
            self.trends.check(report)
            return
        logger.info(
            "report triaged",
            extra={
                "report_id": report_id,
                "status": decision.status,
                "team_id": decision.team_id,
                "priority": decision.priority,
                "risk_flags": list(decision.flags),
            },
        )
        for notification in notifications:
            send_or_leave_for_redrive(self.notify_queue, notification.notification_id)
        self.trends.check(report)

    def _reports_at(self, report: CaseItem, submitted_at: datetime, days: int) -> int:
        place = report.location_key
        if not place:
            return 0
        return self.store.reports_at_location(
            place, submitted_at - timedelta(days=days), submitted_at
        )

    def _notifications(
        self, report: CaseItem, decision: rules.TriageDecision
    ) -> list[Notification]:
        if decision.status != rules.AWAITING_SCREENING:
            return []
        kinds: list[Kind] = ["urgent_report" if decision.urgent else "new_report"]
        if rules.REPEAT_CONCERN in decision.flags:
            kinds.append("repeat_concern")
        return [
            Notification(
                notification_id=f"{report.report_id}.{kind}",
                kind=kind,
                report_id=report.report_id,
                reference=report.reference,
                priority=decision.priority,
                team_id=decision.team_id,
                created_at=self.clock.now(),
            )
            for kind in kinds
        ]
