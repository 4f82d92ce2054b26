"""What is told to staff: the notification a change writes to the outbox, in the same
transaction as the change, and the trend a trend alert is about. Imported by the case
workflow and the trend watch, so it holds no rendering, sending or worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chalicelib.clock import iso
from chalicelib.storage.notifications import PENDING, UNSENT, UNSENT_KEY

Kind = Literal[
    "new_report",
    "urgent_report",
    "sla_escalation",
    "assignment",
    "escalation",
    "repeat_concern",
    "trend_alert",
]


@dataclass(frozen=True)
class Trend:
    """What a trend alert is about: no report's content, only a place or department."""

    dimension: Literal["location", "department"]
    #: The option labels of the place or department, as the form shows them.
    label: str
    count: int
    window_days: int


@dataclass(frozen=True)
class Notification:
    """Something to tell staff. Ids are deterministic so that a cause notifies once."""

    notification_id: str
    kind: Kind
    report_id: str
    reference: str
    #: The case's priority; None for a trend alert, which is about many reports, not a case.
    priority: str | None
    team_id: str
    created_at: datetime
    stage: str | None = None
    due_at: str | None = None
    #: The one staff member to tell (an assignment), instead of the team's screeners.
    member_id: str | None = None
    trend: Trend | None = None

    def item(self) -> dict[str, Any]:
        """The outbox item."""
        values: dict[str, Any] = {
            "notification_id": self.notification_id,
            "kind": self.kind,
            "report_id": self.report_id,
            "reference": self.reference,
            "team_id": self.team_id,
            "created_at": iso(self.created_at),
            "status": PENDING,
            UNSENT: UNSENT_KEY,
            "attempts": 0,
        }
        if self.priority is not None:
            values["priority"] = self.priority
        if self.stage:
            values["stage"] = self.stage
        if self.due_at:
            values["due_at"] = self.due_at
        if self.member_id:
            values["member_id"] = self.member_id
        if self.trend:
            values |= {
                "trend_dimension": self.trend.dimension,
                "trend_label": self.trend.label,
                "trend_count": self.trend.count,
                "trend_window_days": self.trend.window_days,
            }
        return values
