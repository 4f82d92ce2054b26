"""The notify worker: a queued notification id, claimed in the outbox under a short lease,
sent once to the staff it is for (an assigned member, or the team's screeners, the fallback
team's if it has none), marked sent. A duplicate delivery sends nothing; a failed send gives
the claim back and counts the attempt, so it is retried a bounded number of times; a staff
address that refuses to open is given up at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.clock import Clock
from chalicelib.directory import StaffDirectory, with_role
from chalicelib.errors import DomainError, NotFound, SealBroken
from chalicelib.notify.mailer import Mailer
from chalicelib.notify.rendering import EmailRenderer
from chalicelib.observability import SEAL_REFUSED, correlated, increment, logger
from chalicelib.queues import parse_message
from chalicelib.storage.notifications import Outbox


class NotifyMessage(BaseModel):
    """The body of a notify message: a notification id, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    notification_id: str = Field(pattern=r"^[0-9a-f]{32}(\.[a-z0-9_-]{1,64}){1,3}$")


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


def _ids(notification: dict[str, Any]) -> dict[str, str]:
    return {
        "notification_id": notification["notification_id"],
        "kind": notification["kind"],
        "reference": notification["reference"],
    }
