"""The local stack under concurrent use: many reporters at once, every report kept once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.e2e.reports import report_items
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission

pytestmark = pytest.mark.e2e

REPORTERS = 50
#: The stack takes the burst a few at a time (as Lambda's concurrency limit would), so the
#: last reporter waits for the others: this bounds that wait, not one report's latency.
PATIENCE_SECONDS = 120


def test_fifty_reports_sent_at_once_are_each_accepted_and_stored_once(
    stack: RunningStack,
) -> None:
    bodies = [anonymous_submission() for _ in range(REPORTERS)]
    sent = {str(body["submission_id"]) for body in bodies}
    together = threading.Barrier(REPORTERS)

    def send(body: dict[str, Any]) -> int:
        together.wait()
        return requests.post(
            f"{stack.api}/reports", json=body, timeout=PATIENCE_SECONDS
        ).status_code

    with ThreadPoolExecutor(REPORTERS) as reporters:
        statuses = list(reporters.map(send, bodies))

    assert statuses == [201] * REPORTERS
    stored = Counter(
        item["submission_id"]["S"]
        for item in report_items(stack)
        if item["submission_id"]["S"] in sent
    )
    assert stored == Counter({submission_id: 1 for submission_id in sent})
