"""Re-sending reports that never reached triage (the queue was down when they arrived)."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.clock import Clock
from chalicelib.errors import DependencyUnavailable
from chalicelib.observability import logger
from chalicelib.queues import WorkQueue
from chalicelib.storage.reports_table import ReportsTable

#: One run's bound, so a backlog drains over several runs instead of timing one out.
MAX_PER_RUN = 500


def resend_awaiting_triage(
    store: ReportsTable, queue: WorkQueue, clock: Clock, grace_seconds: int
) -> dict[str, int]:
    """Send every report still awaiting triage after the grace period to the queue again.

    Duplicates are harmless: triage moves a report on once and ignores the rest.
    """
    cutoff = clock.now() - timedelta(seconds=grace_seconds)
    resent = failed = 0
    for report_id in store.awaiting_triage(submitted_before=cutoff, limit=MAX_PER_RUN):
        try:
            queue.send(report_id)
            resent += 1
        except DependencyUnavailable:
            failed += 1
    if resent or failed:
        logger.info("triage redrive", extra={"resent": resent, "failed": failed})
    return {"resent": resent, "failed": failed}
