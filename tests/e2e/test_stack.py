"""The local stack over real HTTP: API, static front ends, the pump and the scheduler."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from chalicelib.resources import (
    NOTIFY_QUEUE,
    TRIAGE_QUEUE,
    Queue,
    dead_letter_queue_name,
    physical_name,
)
from devstack.demo import DEMO_MEMBERS
from tests.e2e.reports import (
    DELIVERY_SECONDS,
    DEMOGRAPHICS,
    REFERENCE,
    report_items,
    submit,
    wait_for_screening,
    wait_for_triage,
)
from tests.e2e.running import RunningStack
from tests.factories import anonymous_submission, named_submission
from tests.sentinels import queue_counts, table_items, wait_until

pytestmark = pytest.mark.e2e


def test_health_answers(stack: RunningStack) -> None:
    response = requests.get(f"{stack.api}/health", timeout=5)
    assert response.status_code == 200


def test_form_is_served(stack: RunningStack) -> None:
    response = requests.get(f"{stack.api}/form", timeout=5)
    assert response.status_code == 200
    assert response.json()["form"]["questions"]


@pytest.mark.parametrize("page", ["report", "portal"])
def test_front_ends_are_served(stack: RunningStack, page: str) -> None:
    response = requests.get(f"{stack.web}/{page}/", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'lang="en"' in response.text


def test_web_root_leads_to_the_report_form(stack: RunningStack) -> None:
    response = requests.get(stack.web + "/", timeout=5)
    assert response.url == f"{stack.web}/report/"
    assert response.status_code == 200


def test_pages_learn_where_the_api_is(stack: RunningStack) -> None:
    response = requests.get(f"{stack.web}/config.json", timeout=5)
    # On the pages' own origin: the web server proxies it (see test_web_origin.py).
    assert response.json()["apiUrl"] == "/api"
    assert requests.get(f"{stack.web}/api/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("factory", "status"),
    # Every report waits for a screener (`triage.screening: every_report`, the default),
    # an anonymous one with no risk too.
    [(named_submission, "awaiting_screening"), (anonymous_submission, "awaiting_screening")],
)
def test_report_is_accepted_and_triaged(stack: RunningStack, factory: Any, status: str) -> None:
    response = submit(stack, factory())
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    assert REFERENCE.match(reference)

    item = wait_for_triage(stack, reference)
    assert item["status"]["S"] == status
    assert item["pk"]["S"].startswith("REPORT#")
    assert "awaiting_triage" not in item


def test_resubmission_returns_the_same_reference_and_stores_nothing_new(
    stack: RunningStack,
) -> None:
    body = named_submission()
    first = submit(stack, body)
    assert first.status_code == 201, first.text
    reference = first.json()["reference"]
    wait_for_screening(stack, reference)
    before = len(report_items(stack))

    again = submit(stack, body)

    assert again.status_code in (200, 201), again.text
    assert again.json()["reference"] == reference
    assert len(report_items(stack)) == before
    # A replay must not queue the report again either: the triage queue stays empty.
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=physical_name("local", TRIAGE_QUEUE.logical_name))
    assert wait_until(lambda: queue_counts(sqs, url["QueueUrl"]) == (0, 0), DELIVERY_SECONDS)


def test_pump_logs_each_batch_without_bodies(stack: RunningStack) -> None:
    response = submit(stack, anonymous_submission())
    assert response.status_code == 201
    wait_for_triage(stack, response.json()["reference"])

    batches = [line for line in stack.log_text().splitlines() if "pump on_triage_message" in line]
    assert batches
    assert all(re.search(r": \d+ received, \d+ deleted, \d+ failed", line) for line in batches)


def test_scheduler_runs_the_redrive_job(stack: RunningStack) -> None:
    # With --schedule-scale 60 the five-minute job runs every five seconds.
    ran = wait_until(lambda: "scheduler redrive_outbox: ran" in stack.log_text(), 15)
    assert ran, "redrive_outbox never ran"
    assert "scheduler redrive_outbox: handler raised" not in stack.log_text()


def test_scheduler_runs_the_clock_job(stack: RunningStack) -> None:
    # sla_watch runs every 15 minutes: every 15 s here. Its escalations are in
    # test_notifications.py.
    ran = wait_until(lambda: "scheduler sla_watch: ran" in stack.log_text(), 20)
    assert ran, "sla_watch never ran"
    assert "scheduler sla_watch: handler raised" not in stack.log_text()


@pytest.mark.parametrize("queue", [TRIAGE_QUEUE, NOTIFY_QUEUE], ids=lambda q: q.logical_name)
def test_nothing_reaches_the_dead_letter_queue(stack: RunningStack, queue: Queue) -> None:
    sqs = stack.client("sqs")
    dlq = sqs.get_queue_url(QueueName=dead_letter_queue_name("local", queue))
    assert queue_counts(sqs, dlq["QueueUrl"]) == (0, 0)


def test_demographics_are_stored_only_sealed(stack: RunningStack) -> None:
    response = submit(stack, named_submission())
    assert response.status_code == 201
    wait_for_screening(stack, response.json()["reference"])

    items = table_items(stack.client("dynamodb"), DEMOGRAPHICS)
    assert items
    for item in items:
        clear = {
            name: value for name, value in item.items() if name != "report_id" and "B" not in value
        }
        # Only the key, the submission time (which retention needs) and whether the insights
        # job has counted it may be in clear.
        assert set(clear) <= {"submitted_at", "insight_counted"}, clear
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|\+00:00)", clear["submitted_at"]["S"]), (
            clear
        )
        assert clear.get("insight_counted", {"BOOL": True}) == {"BOOL": True}, clear


def test_the_start_up_summary_prints_the_demo_directory_and_where_emails_are(
    stack: RunningStack,
) -> None:
    summary = stack.log_text().split("Stop with Ctrl-C.")[0]

    for member in DEMO_MEMBERS:
        row = next((line for line in summary.splitlines() if f" {member.member_id} " in line), "")
        assert member.name in row and member.email in row, member.member_id
        assert str(member.capacity) in row
    assert f"{stack.web}/portal/" in summary  # where the emails link to
    assert f"python -m devstack.emails --moto {stack.moto}" in summary
