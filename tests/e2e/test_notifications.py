"""Notifications over the running stack: triage routes a report, the notify worker emails the
team's screeners through SES (moto's), and the clock job chases an overdue case.

Every report is submitted over HTTP up front and the tests then read the emails back from
moto (`devstack.emails`, which reads moto's `/moto-api/data.json`), so the whole module waits
for the pump once.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import iso
from chalicelib.resources import NOTIFY_QUEUE, Queue, dead_letter_queue_name, physical_name
from devstack.emails import SentEmail
from devstack.stack import StackOptions
from tests.e2e.reports import (
    EMAIL_POLL_SECONDS,
    REPORTS,
    about,
    emails,
    report_with_reference,
    submit,
    wait_for_emails,
    wait_for_screening,
    wait_until_drained,
)
from tests.e2e.running import SCHEDULE_SCALE, RunningStack
from tests.factories import anonymous_submission, named_submission
from tests.sentinels import queue_counts, wait_until

pytestmark = pytest.mark.e2e

SENDER = "report-support@example.ac.uk"
ESCALATION_SUBJECT = "[Report + Support] Action needed on "
STUDENT_SUPPORT = ("sam.okafor@example.ac.uk",)
HUMAN_RESOURCES = ("priya.nair@example.ac.uk",)
DIVERSITY_INCLUSION = ("alex.morgan@example.ac.uk",)
#: The pump's long-poll wait in `python -m devstack` (StackOptions.pump_wait_seconds).
PUMP_LONG_POLL_SECONDS = StackOptions().pump_wait_seconds
#: With --schedule-scale 60, sla_watch (every 15 minutes) runs every 15 s.
SLA_WATCH_SECONDS = 15 * 60 / SCHEDULE_SCALE

#: Case name -> the report body's factory.
CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "student": named_submission,
    "staff": lambda: named_submission(answers={"reporter_role": "staff"}),
    "discrimination": lambda: named_submission(
        answers={"what_happened": ["discrimination_or_hate"], "discrimination_grounds": ["race"]}
    ),
    "urgent_anonymous": lambda: anonymous_submission(answers={"immediate_danger": "yes"}),
    "urgent_named": lambda: named_submission(answers={"under_18": "yes"}),
    # Off campus: a vague place, which the repeat-location rule never counts. No risk, yet
    # screened like every report (`triage.screening: every_report`, the default).
    "quiet_anonymous": anonymous_submission,
    "duplicate": named_submission,
    "overdue": named_submission,
}


@dataclass(frozen=True)
class Submitted:
    """The module's reports (case name -> reference) and every email once all were sent."""

    references: dict[str, str]
    emails: list[SentEmail]

    def about(self, case: str) -> list[SentEmail]:
        """The emails about one case's arrival (not the clock's escalations of it)."""
        return [
            sent for sent in about(self.emails, self.references[case]) if not is_escalation(sent)
        ]


def is_escalation(sent: SentEmail) -> bool:
    """Whether an email chases a clock (sla_watch) rather than announcing a report."""
    return sent.subject.startswith(ESCALATION_SUBJECT)


@pytest.fixture(scope="module")
def submitted(stack: RunningStack) -> Submitted:
    """Submit every case (the duplicate twice), backdate one clock, wait for the emails."""
    references: dict[str, str] = {}
    for case, factory in CASES.items():
        body = factory()
        response = submit(stack, body)
        assert response.status_code == 201, response.text
        references[case] = response.json()["reference"]
        if case == "duplicate":
            again = submit(stack, body)
            assert again.status_code in (200, 201), again.text
            assert again.json()["reference"] == references[case]

    _backdate_first_contact(stack, wait_for_screening(stack, references["overdue"]))
    wait_for_emails(stack, list(references.values()))
    assert wait_until_drained(stack), "queues still hold messages"
    return Submitted(references, emails(stack))


def _backdate_first_contact(stack: RunningStack, item: dict[str, Any]) -> None:
    """Make a case's first-contact deadline an hour past, as if two working days had gone.

    The stack runs on the real clock, so time is moved on the case instead. sla_watch finds
    it through the same sparse index entry (`sla_next_at`) that triage wrote.
    """
    past = iso(datetime.now(UTC) - timedelta(hours=1))
    stack.client("dynamodb").update_item(
        TableName=REPORTS,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET first_contact_due = :past, sla_next_at = :past",
        ConditionExpression="sla_next_stage = :stage",
        ExpressionAttributeValues={
            ":past": {"S": past},
            ":stage": {"S": "first_contact_overdue"},
        },
    )


@pytest.mark.parametrize(
    ("case", "screeners"),
    [
        ("student", STUDENT_SUPPORT),
        ("staff", HUMAN_RESOURCES),
        ("discrimination", DIVERSITY_INCLUSION),
    ],
)
def test_a_named_report_emails_its_teams_screeners_once(
    stack: RunningStack, submitted: Submitted, case: str, screeners: tuple[str, ...]
) -> None:
    reference = submitted.references[case]

    [sent] = submitted.about(case)

    assert sent.to == screeners
    assert sent.sender == SENDER
    assert sent.subject.startswith(f"[Report + Support] New report {reference} (")
    # The link leads to the portal this stack serves: the stack set `portal_url`.
    assert f"{stack.web}/portal/#/cases/{reference}" in sent.text
    assert f"{stack.web}/portal/#/cases/{reference}" in sent.html


@pytest.mark.parametrize("case", ["urgent_anonymous", "urgent_named"])
def test_an_urgent_report_sends_one_urgent_email(submitted: Submitted, case: str) -> None:
    [sent] = submitted.about(case)

    assert sent.subject.startswith("[Report + Support] URGENT report")
    assert sent.to == STUDENT_SUPPORT
    assert "Priority: urgent" in sent.text


def test_an_anonymous_report_with_no_risk_waits_for_screening_and_alerts_its_team(
    stack: RunningStack, submitted: Submitted
) -> None:
    item = report_with_reference(stack, submitted.references["quiet_anonymous"])

    assert item is not None and item["status"]["S"] == "awaiting_screening"
    [sent] = submitted.about("quiet_anonymous")
    assert sent.subject.startswith("[Report + Support] New report")
    assert sent.to == STUDENT_SUPPORT


def test_a_duplicate_submission_sends_one_email(submitted: Submitted) -> None:
    assert len(submitted.about("duplicate")) == 1


def test_every_email_goes_to_demo_screeners_and_is_accounted_for(submitted: Submitted) -> None:
    ours = [sent for case in submitted.references for sent in submitted.about(case)]
    # One per case (every report alerts its team), and none twice.
    assert len(ours) == len(submitted.references)
    assert len({sent.message_id for sent in ours}) == len(ours)
    assert {sent.to for sent in submitted.emails} <= {
        STUDENT_SUPPORT,
        HUMAN_RESOURCES,
        DIVERSITY_INCLUSION,
    }


def test_every_queue_and_dead_letter_queue_is_drained(stack: RunningStack) -> None:
    sqs = stack.client("sqs")
    urls = sqs.list_queues()["QueueUrls"]

    assert len(urls) == 4  # triage and notify, each with its dead-letter queue
    assert {url: queue_counts(sqs, url) for url in urls} == {url: (0, 0) for url in urls}


def _url(sqs: Any, queue: Queue, dead: bool = False) -> str:
    name = (
        dead_letter_queue_name("local", queue)
        if dead
        else physical_name("local", queue.logical_name)
    )
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


def test_a_malformed_notify_message_is_dead_lettered_and_the_rest_delivered(
    stack: RunningStack, submitted: Submitted
) -> None:
    sqs = stack.client("sqs")
    notify, dlq = _url(sqs, NOTIFY_QUEUE), _url(sqs, NOTIFY_QUEUE, dead=True)
    malformed = json.dumps({"notification_id": f"bogus-{uuid.uuid4().hex}"})
    # A failed message comes back after the visibility timeout (60 s): shorten it for this
    # test so that maxReceiveCount receives take seconds. A receive reads the timeout when it
    # starts, so let the pump's current long poll (1 s) end before sending anything.
    sqs.set_queue_attributes(QueueUrl=notify, Attributes={"VisibilityTimeout": "1"})
    time.sleep(PUMP_LONG_POLL_SECONDS + 0.5)
    try:
        before = submit(stack, named_submission())
        sqs.send_message(QueueUrl=notify, MessageBody=malformed)
        after = submit(stack, named_submission())
        assert before.status_code == after.status_code == 201
        references = [before.json()["reference"], after.json()["reference"]]
        found = wait_for_emails(stack, references)
        dead_lettered = wait_until(lambda: queue_counts(sqs, dlq)[0] == 1, 20)
    finally:
        sqs.set_queue_attributes(
            QueueUrl=notify,
            Attributes={"VisibilityTimeout": str(NOTIFY_QUEUE.visibility_timeout_seconds)},
        )

    assert dead_lettered, "the malformed message never reached the dead-letter queue"
    [dead] = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert dead["Body"] == malformed
    assert [len(about(found, reference)) for reference in references] == [1, 1]
    log = stack.log_text()
    tried = [
        line
        for line in log.splitlines()
        if "malformed queue message" in line and dead["MessageId"] in line
    ]
    assert len(tried) == NOTIFY_QUEUE.max_receive_count
    assert malformed not in log
    # Leave the stack clean for the scans that follow.
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=dead["ReceiptHandle"])
    assert wait_until_drained(stack)


def test_sla_watch_chases_an_overdue_first_contact(
    stack: RunningStack, submitted: Submitted
) -> None:
    reference = submitted.references["overdue"]

    def chased() -> list[SentEmail]:
        return [sent for sent in about(emails(stack), reference) if is_escalation(sent)]

    found = wait_until(chased, SLA_WATCH_SECONDS + 10, interval=EMAIL_POLL_SECONDS)

    assert len(found) == 1, "sla_watch sent no escalation (or more than one)"
    [sent] = found
    assert sent.to == STUDENT_SUPPORT
    assert (
        sent.subject == f"[Report + Support] Action needed on {reference}: first contact is overdue"
    )
    assert "First contact is overdue" in sent.text
    item = report_with_reference(stack, reference)
    assert item is not None
    assert item["sla_escalated"]["SS"] == ["first_contact_overdue"]
    assert item["sla_next_stage"]["S"] == "acknowledge_due_soon"
    assert "scheduler sla_watch: ran" in stack.log_text()
    assert "scheduler sla_watch: handler raised" not in stack.log_text()
