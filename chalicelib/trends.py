"""Trend alerts: many reports about one place or one department within a window.

The institution configures the rules (`insights.trend_alerts`: a dimension, a threshold,
a window in days). When triage sees a report, each rule counts the reports about the same
place (index `by_location`) or department (index `by_department`) submitted within the
window before it, this one included. At or above the threshold the alert is raised once:
one transaction puts an alert item in the insights table, conditional on no alert for that
place being active, and the notification to the fallback team's screeners (diversity and
inclusion). The alert stays active for one window; a new one can be raised only after it.

Raising is idempotent — the alert item refuses a second alert and the notification id is
fixed by the report and dimension — so triage runs the check again whenever a message is
delivered again, and a crash between triage's commit and the alert loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.clock import Clock, iso
from chalicelib.concerns import INVOLVED_DEPARTMENT
from chalicelib.institution.models import Form, TrendAlert
from chalicelib.notify.messages import Notification, Trend
from chalicelib.observability import logger
from chalicelib.queues import WorkQueue, send_or_leave_for_redrive
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.insights_table import Alert, InsightsTable
from chalicelib.storage.notifications import Outbox
from chalicelib.storage.reports_table import ReportsTable

#: The form questions whose option labels name a place (`where/detail`) or a department.
_PLACE_DETAILS = ("campus_area", "online_platform")


@dataclass
class TrendWatch:
    """Counts reports per configured rule and raises each alert once per window."""

    rules: Sequence[TrendAlert]
    #: The form as published now, read only when an alert is raised: it names the place or
    #: department, an option added without a deploy included.
    form: Callable[[], Form]
    store: ReportsTable
    #: Where the alerts are kept (the insights table).
    alerts: InsightsTable
    outbox: Outbox
    notify_queue: WorkQueue
    #: Whose screeners are told: the institution's fallback team (diversity and inclusion).
    team_id: str
    clock: Clock

    def check(self, report: CaseItem) -> list[str]:
        """Raise every alert this report completes; the ids of the notifications written."""
        submitted_at = datetime.fromisoformat(report.submitted_at)
        raised = []
        for rule in self.rules:
            key = report.location_key if rule.dimension == "location" else report.department_key
            if not key:
                continue
            since = submitted_at - timedelta(days=rule.window_days)
            count = (
                self.store.reports_at_location(key, since, submitted_at)
                if rule.dimension == "location"
                else self.store.reports_in_department(key, since, submitted_at)
            )
            if count < rule.threshold:
                continue
            notification = Notification(
                notification_id=f"{report.report_id}.trend_alert.{rule.dimension}",
                kind="trend_alert",
                report_id=report.report_id,
                reference=report.reference,
                # A pattern across reports, not a case: it has no priority to give.
                priority=None,
                team_id=self.team_id,
                created_at=self.clock.now(),
                trend=Trend(
                    rule.dimension, self._label(rule.dimension, key), count, rule.window_days
                ),
            )
            if self._raise(rule, key, count, submitted_at, notification):
                logger.info(
                    "trend alert raised",
                    extra={
                        "dimension": rule.dimension,
                        "key": key,
                        "count": count,
                        "notification_id": notification.notification_id,
                    },
                )
                send_or_leave_for_redrive(self.notify_queue, notification.notification_id)
                raised.append(notification.notification_id)
        return raised

    def _raise(
        self,
        rule: TrendAlert,
        key: str,
        count: int,
        submitted_at: datetime,
        notification: Notification,
    ) -> bool:
        alert = Alert(
            dimension=rule.dimension,
            key=key,
            count=count,
            threshold=rule.threshold,
            window_days=rule.window_days,
            raised_at=iso(self.clock.now()),
            active_until=iso(submitted_at + timedelta(days=rule.window_days)),
            notification_id=notification.notification_id,
        )
        # Active or not is measured against the report's own time, so a late redelivery of
        # an older report cannot raise a second alert inside the window of a newer one.
        return self.alerts.raise_alert(
            alert, iso(submitted_at), self.outbox.put_request(notification)
        )

    def _label(self, dimension: str, key: str) -> str:
        """How the form names a place ("On campus: Library") or a department."""
        form = self.form()
        if dimension == "department":
            return _option_label(form, INVOLVED_DEPARTMENT, key) or key
        where, _, detail = key.partition("/")
        where_label = _option_label(form, "where", where) or where
        detail_label = next(
            (
                label
                for question in _PLACE_DETAILS
                if (label := _option_label(form, question, detail))
            ),
            detail,
        )
        return f"{where_label}: {detail_label}"


def _option_label(form: Form, question_id: str, option_id: str) -> str | None:
    question = form.question(question_id)
    if question is None:
        return None
    return next((o.label["en"] for o in question.options if o.id == option_id), None)
