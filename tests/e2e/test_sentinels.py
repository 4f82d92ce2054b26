"""No personal value ever reaches a table, a queue, an email or a log in clear.

Reports are submitted over HTTP with unique sentinel values in every identifying field;
then every item of every table, every message left on any queue or dead-letter queue, every
email the stack has sent (this module's and every earlier test's) and everything the stack
printed are searched for them, raw and base64-encoded.
"""

from __future__ import annotations

import pytest

from chalicelib.resources import DEMOGRAPHICS_TABLE, physical_name
from tests.e2e.reports import (
    email_blobs,
    emails,
    log_blob,
    submit,
    wait_for_emails,
    wait_for_screening,
    wait_until_drained,
)
from tests.e2e.running import RunningStack
from tests.factories import sentinel_submission
from tests.sentinels import (
    every_queue_blob,
    every_table_blob,
    occurrences,
    table_items,
)

pytestmark = pytest.mark.e2e


#: Demographic option ids: sealed under their own key, so never in clear anywhere.
@pytest.fixture(scope="module")
def sentinels(stack: RunningStack) -> list[str]:
    """Submit sentinel reports (and a rejected one), wait for the pump; return the values."""
    found: list[str] = []
    references: list[str] = []
    for _ in range(3):
        body, values = sentinel_submission()
        response = submit(stack, body)
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])
        wait_for_screening(stack, references[-1])
        found += values

    # A rejected submission must not leak into the logs either.
    bad, values = sentinel_submission()
    bad["contact"]["email"] = values[1].replace("@", "@@")
    bad["unexpected"] = values[0]
    response = submit(stack, bad)
    assert 400 <= response.status_code < 500, response.text
    found += values

    # Each named report notifies its team: wait for those emails, so the scan covers them.
    wait_for_emails(stack, references)
    assert wait_until_drained(stack), "queues still hold messages"
    return found


def test_no_table_holds_a_sentinel(stack: RunningStack, sentinels: list[str]) -> None:
    assert occurrences(every_table_blob(stack.client("dynamodb")), sentinels) == []


def test_no_queue_holds_a_sentinel(stack: RunningStack, sentinels: list[str]) -> None:
    assert occurrences(every_queue_blob(stack.client("sqs")), sentinels) == []


def test_no_email_holds_a_sentinel(stack: RunningStack, sentinels: list[str]) -> None:
    sent = emails(stack)
    # The sentinel reports' own emails at least; every other test's too.
    assert len(sent) >= 3
    assert occurrences(email_blobs(sent), sentinels) == []


def test_no_log_line_holds_a_sentinel(stack: RunningStack, sentinels: list[str]) -> None:
    assert occurrences([log_blob(stack)], sentinels) == []


def test_demographic_answers_are_never_in_clear(stack: RunningStack, sentinels: list[str]) -> None:
    dynamodb = stack.client("dynamodb")
    demographics = physical_name("local", DEMOGRAPHICS_TABLE.logical_name)
    assert table_items(dynamodb, demographics)
    blobs = [
        blob
        for blob in every_table_blob(dynamodb)
        if blob.where.startswith(f"table {demographics} ")
    ]
    # Option ids are common words, so search the demographics table only, for each
    # answer and each question id.
    assert occurrences(blobs, ["bisexual", "sikh", "sexual_orientation", "religion"]) == []
