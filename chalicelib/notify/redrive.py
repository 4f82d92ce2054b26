"""The redrive of the outbox: a notification still unsent after a grace period (its queue
message lost, or its worker crashed before sending) is queued again."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.clock import Clock
from chalicelib.queues import WorkQueue
from chalicelib.storage.notifications import Outbox


def resend_unsent(
    outbox: Outbox, queue: WorkQueue, clock: Clock, grace_seconds: int, limit: int = 500
) -> int:
    """Queue again every notification still unsent after the grace period; how many."""
    resent = 0
    for notification_id in outbox.unsent(clock.now() - timedelta(seconds=grace_seconds), limit):
        queue.send(notification_id)
        resent += 1
    return resent
