"""Notifications: an outbox in DynamoDB, rendering, and delivery through SES.

A notification is written to the outbox in the same transaction as the change that causes
it, then its id is queued. The notify worker claims it with a short lease, sends one email,
and marks it sent, so a duplicate delivery sends nothing and a crash before sending leaves
it for the redrive job. Emails carry a reference, the case's priority and a portal link (a
trend alert instead the place or department, a count and a window, and no priority: it is
about many reports): never a name, an email address of a reporter, a narrative or what
happened.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import cache
from importlib import resources
from string import Template
from typing import Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.clock import Clock, iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.directory import StaffDirectory, with_role
from chalicelib.errors import DomainError, NotFound, SealBroken
from chalicelib.observability import SEAL_REFUSED, correlated, increment, logger
from chalicelib.queues import WorkQueue, parse_message
from chalicelib.storage.notifications import PENDING, UNSENT, UNSENT_KEY, Outbox

Kind = Literal[
    "new_report",
    "urgent_report",
    "sla_escalation",
    "assignment",
    "escalation",
    "repeat_concern",
    "trend_alert",
]

STAGE_SUBJECT = {
    "first_contact_overdue": "first contact is overdue",
    "acknowledge_due_soon": "acknowledgement due soon",
    "feedback_due_soon": "feedback due soon",
    "screening_overdue": "screening is overdue",
}
STAGE_TEXT = {
    "first_contact_overdue": "First contact is overdue: nobody has reached the reporter yet.",
    "acknowledge_due_soon": "The statutory acknowledgement of this report is due soon.",
    "feedback_due_soon": "The statutory feedback on this report is due soon.",
    "screening_overdue": "Screening is overdue: nobody has filed this anonymous report or "
    "taken it on yet.",
}


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


@dataclass(frozen=True)
class Email:
    """A rendered email: subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass
class EmailRenderer:
    """Renders notifications from the templates beside this module."""

    institution_name: str
    portal_url: str
    time_zone: str = "Europe/London"

    def render(self, notification: dict[str, Any]) -> Email:
        """The email for a stored notification."""
        kind = notification["kind"]
        reference = notification["reference"]
        priority = str(notification.get("priority", ""))
        stage_text = STAGE_TEXT.get(notification.get("stage") or "", "")
        trend = {
            "dimension": str(notification.get("trend_dimension", "")),
            "label": str(notification.get("trend_label", "")),
            "count": str(notification.get("trend_count", "")),
            "window_days": str(notification.get("trend_window_days", "")),
        }
        subject = {
            "new_report": f"New report {reference} ({priority} priority)",
            "urgent_report": f"URGENT report {reference}: screen it now",
            "sla_escalation": f"Action needed on {reference}: "
            + STAGE_SUBJECT.get(notification.get("stage") or "", "a deadline is near"),
            "assignment": f"Case {reference} has been assigned to you",
            "escalation": f"ESCALATED case {reference}: urgent attention needed",
            "repeat_concern": f"Report {reference} names someone named in another report",
            "trend_alert": f"Trend alert: {trend['count']} reports about {trend['label']} "
            f"within {trend['window_days']} days (latest {reference})",
        }[kind]
        fields = {
            "reference": reference,
            "priority": priority,
            "link": f"{self.portal_url}#/cases/{quote(reference)}",
            "institution": self.institution_name,
            "stage_text": stage_text,
            "due": self._local(notification.get("due_at")),
            **trend,
        }
        text = _template(f"{kind}.txt").substitute(fields)
        escaped = {name: html.escape(value) for name, value in fields.items()}
        # A trend alert is about a pattern across reports: it has no priority of its own, and
        # the latest report's would mislead; it says what it is instead.
        rows = [] if kind == "trend_alert" else [("Priority", escaped["priority"])]
        rows += [("Due", escaped["due"])] if fields["due"] else []
        if kind == "trend_alert":
            rows += [
                ("Alert", "Trend: many reports about one place or department"),
                ("Department" if trend["dimension"] == "department" else "Where", escaped["label"]),
                ("Reports", escaped["count"]),
                ("Within", f"{escaped['window_days']} days"),
            ]
        body = _template("email.html").substitute(
            escaped,
            subject=html.escape(subject),
            heading=html.escape(stage_text or text.splitlines()[0]),
            detail_rows="".join(
                '<tr><th scope="row" style="text-align: left; padding-right: 16px;">'
                f"{name}</th><td>{value}</td></tr>"
                for name, value in rows
            ),
        )
        return Email(subject=f"[Report + Support] {subject}", text=text, html=body)

    def _local(self, moment: str | None) -> str:
        # Staff read deadlines in the institution's time, not in UTC.
        if not moment:
            return ""
        try:
            local = datetime.fromisoformat(moment).astimezone(ZoneInfo(self.time_zone))
        except ValueError:
            return moment
        return f"{local:%a %d %b %Y, %H:%M} ({self.time_zone})"


@cache
def _template(name: str) -> Template:
    return Template(resources.files("chalicelib").joinpath("templates", name).read_text("utf-8"))


@dataclass
class Mailer:
    """Sends email through SES (v2, raw MIME with plain-text and HTML parts)."""

    client: Any
    sender: str

    def send(self, recipients: list[str], email: Email) -> str:
        """Send one message to these recipients; the SES message id."""
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = ", ".join(recipients)
            message["Subject"] = email.subject
        except ValueError:
            # e.g. a line break in an address: no header can carry it, and no retry will.
            raise InvalidRecipient("a sender or recipient address cannot be used") from None
        message["Auto-Submitted"] = "auto-generated"
        # Quoted-printable keeps non-ASCII text (an em dash, a Welsh name) 7-bit safe.
        message.set_content(email.text, cte="quoted-printable")
        message.add_alternative(email.html, subtype="html", cte="quoted-printable")
        with unavailable_on_failure("ses"):
            response = self.client.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": recipients},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        return str(response["MessageId"])


class NotifyMessage(BaseModel):
    """The body of a notify message: a notification id, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    notification_id: str = Field(pattern=r"^[0-9a-f]{32}(\.[a-z0-9_-]{1,64}){1,3}$")


class InvalidRecipient(DomainError):
    """An address that cannot be put in an email header."""


class NoRecipients(DomainError):
    """Nobody could be found to receive a notification."""


@dataclass
class NotifyService:
    """Delivers notifications from the outbox."""

    outbox: Outbox
    directory: StaffDirectory
    renderer: EmailRenderer
    mailer: Mailer
    clock: Clock
    fallback_team: str
    max_attempts: int
    lease: timedelta = timedelta(minutes=2)

    def handle(self, record: SQSRecord) -> None:
        """Deliver the notification a message names."""
        message = parse_message(record, NotifyMessage)
        self.deliver(message.notification_id)

    def deliver(self, notification_id: str) -> None:
        """Send a notification once. Raises (for a retry) if SES fails."""
        notification = self.outbox.get(notification_id)
        if notification is None:
            raise NotFound(f"notification {notification_id} does not exist")
        with correlated(notification["report_id"]):
            if not self.outbox.claim(notification_id, self.clock.now(), self.lease):
                logger.info("notification already sent or in hand", extra=_ids(notification))
                return
            try:
                recipients = self._recipients(notification)
                message_id = self.mailer.send(recipients, self.renderer.render(notification))
            except SealBroken as refused:
                # A staff address that will not open will not open on a retry either: given
                # up at once (alarmed as any given up, and counted), and the message dropped
                # rather than retried into the dead-letter queue; the outbox keeps the record.
                self.outbox.release(notification_id, max_attempts=1)
                logger.error(
                    "notification not sent and given up",
                    extra={**_ids(notification), "seal": refused.reason},
                )
                increment(SEAL_REFUSED)
                return
            except Exception:
                # Whatever went wrong, the claim is given back and the attempt counted, so
                # a notification is retried a bounded number of times, never leased forever.
                gave_up = self.outbox.release(notification_id, self.max_attempts)
                logger.error(
                    "notification not sent" + (" and given up" if gave_up else ""),
                    extra=_ids(notification),
                )
                raise
            self.outbox.mark_sent(notification_id, message_id, self.clock.now())
            logger.info(
                "notification sent", extra={**_ids(notification), "recipients": len(recipients)}
            )

    def _recipients(self, notification: dict[str, Any]) -> list[str]:
        if notification.get("member_id"):
            member = self.directory.member(str(notification["member_id"]))
            if member is None:
                raise NoRecipients(f"member of notification {notification['notification_id']}")
            return self.directory.addresses([member])
        screeners = with_role(self.directory.members(notification["team_id"]), "screener")
        if notification["kind"] == "escalation":
            fallback = with_role(self.directory.members(self.fallback_team), "screener")
            known = {member.member_id for member in screeners}
            screeners += [member for member in fallback if member.member_id not in known]
        if not screeners:
            logger.warning("team has no screeners; using fallback team", extra=_ids(notification))
            screeners = with_role(self.directory.members(self.fallback_team), "screener")
        if not screeners:
            raise NoRecipients(f"no screeners for notification {notification['notification_id']}")
        return self.directory.addresses(screeners)


def resend_unsent(
    outbox: Outbox, queue: WorkQueue, clock: Clock, grace_seconds: int, limit: int = 500
) -> int:
    """Queue again every notification still unsent after the grace period; how many."""
    resent = 0
    for notification_id in outbox.unsent(clock.now() - timedelta(seconds=grace_seconds), limit):
        queue.send(notification_id)
        resent += 1
    return resent


def _ids(notification: dict[str, Any]) -> dict[str, str]:
    return {
        "notification_id": notification["notification_id"],
        "kind": notification["kind"],
        "reference": notification["reference"],
    }
