"""Notification emails: who gets them, what they say (and do not), once each."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from chalicelib import services
from chalicelib.errors import DependencyUnavailable
from chalicelib.notify.mailer import Mailer
from chalicelib.notify.worker import NotifyService
from chalicelib.settings import Settings
from tests.api.conftest import (
    FixedClock,
    deliver,
    drain,
    file_quiet_anonymous_reports,
    post_json,
    report_items,
    sent_emails,
)
from tests.factories import anonymous_submission, named_submission

pytestmark = pytest.mark.usefixtures("staff")


def _text(message: Any) -> str:
    return "\n".join(
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    )


def _scheduled(client: Client, name: str) -> Any:
    event = client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return client.lambda_.invoke(name, event).payload


def _notification(notification_id: str) -> dict[str, Any]:
    stored = services.outbox().get(notification_id)
    assert stored is not None
    return stored


class TestANewNamedReport:
    def test_emails_the_teams_screeners_with_reference_priority_and_link_only(
        self, client: Client, aws: Settings
    ) -> None:
        reference = post_json(client, "/reports", named_submission()).json_body["reference"]

        drain(client, aws)

        [email] = sent_emails(aws)
        assert email["To"] == "sam.okafor@example.ac.uk"
        assert email["From"] == aws.sender_email
        assert reference in email["Subject"]
        assert email.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in email.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
        body = _text(email)
        assert f"{aws.portal_url}#/cases/{reference}" in body
        assert "Priority: normal" in body
        for detail in ("Alex", "alex.example", "seminar", "verbal", "harassment", "student"):
            assert detail not in body
            assert detail not in email["Subject"]

    def test_is_marked_sent_and_leaves_the_unsent_index(
        self, client: Client, aws: Settings
    ) -> None:
        post_json(client, "/reports", named_submission())

        drain(client, aws)

        [item] = report_items(aws)
        notification = _notification(f"{item['report_id']['S']}.new_report")
        assert notification["status"] == "sent"
        assert "unsent" not in notification
        assert notification["ses_message_id"]


def test_an_urgent_report_is_flagged_as_urgent_in_the_subject(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", anonymous_submission(answers={"immediate_danger": "yes"}))

    drain(client, aws)

    [email] = sent_emails(aws)
    assert email["Subject"].startswith("[Report + Support] URGENT")


def test_an_anonymous_report_with_no_risk_alerts_the_routed_team_by_default(
    client: Client, aws: Settings
) -> None:
    # given the default institution (`triage.screening: every_report`)
    post_json(client, "/reports", anonymous_submission())

    drain(client, aws)

    [email] = sent_emails(aws)
    assert email["To"] == "sam.okafor@example.ac.uk"
    assert email["Subject"].startswith("[Report + Support] New report")
    assert "URGENT" not in email["Subject"]


def test_a_filed_anonymous_report_sends_no_email(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_quiet_anonymous_reports(monkeypatch)
    post_json(client, "/reports", anonymous_submission())

    drain(client, aws)

    assert [item["status"]["S"] for item in report_items(aws)] == ["filed"]
    assert sent_emails(aws) == []


def test_a_staff_report_goes_to_human_resources(client: Client, aws: Settings) -> None:
    post_json(client, "/reports", named_submission(answers={"reporter_role": "staff"}))

    drain(client, aws)

    [email] = sent_emails(aws)
    assert email["To"] == "priya.nair@example.ac.uk"


def test_a_duplicate_delivery_sends_one_email(client: Client, aws: Settings) -> None:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    deliver(client, "on_triage_message", json.dumps({"report_id": item["report_id"]["S"]}))
    message = json.dumps({"notification_id": f"{item['report_id']['S']}.new_report"})

    deliver(client, "on_notify_message", message, message)
    deliver(client, "on_notify_message", message)

    assert len(sent_emails(aws)) == 1


def test_a_malformed_or_unknown_notify_message_fails_alone(client: Client, aws: Settings) -> None:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    deliver(client, "on_triage_message", json.dumps({"report_id": item["report_id"]["S"]}))
    good = json.dumps({"notification_id": f"{item['report_id']['S']}.new_report"})
    event = client.events.generate_sqs_event(
        queue_name="notify",
        message_bodies=["{}", good, json.dumps({"notification_id": "0" * 32 + ".new_report"})],
    )

    result = client.lambda_.invoke("on_notify_message", event).payload

    ids = [record["messageId"] for record in event["Records"]]
    assert {f["itemIdentifier"] for f in result["batchItemFailures"]} == {ids[0], ids[2]}
    assert len(sent_emails(aws)) == 1


class FlakySes:
    """An SES client that fails the first `failures` sends the way a throttled SES does."""

    def __init__(self, real: Any, failures: int) -> None:
        self._real = real
        self.failures = failures
        self.calls = 0

    def send_email(self, **request: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail"
            )
        return self._real.send_email(**request)


def _notify_with(ses: Any, max_attempts: int = 15) -> NotifyService:
    real = services.notify_service()
    return NotifyService(
        outbox=real.outbox,
        directory=real.directory,
        renderer=real.renderer,
        mailer=Mailer(ses, services.settings().sender_email),
        clock=real.clock,
        fallback_team=real.fallback_team,
        max_attempts=max_attempts,
    )


def _triaged_notification(client: Client, aws: Settings) -> str:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    deliver(client, "on_triage_message", json.dumps({"report_id": item["report_id"]["S"]}))
    return f"{item['report_id']['S']}.new_report"


def test_a_transient_ses_failure_is_retried_and_delivered_once(
    client: Client, aws: Settings
) -> None:
    notification_id = _triaged_notification(client, aws)
    notify = _notify_with(FlakySes(services.sesv2(), failures=2))

    for _ in range(2):
        with pytest.raises(DependencyUnavailable):
            notify.deliver(notification_id)
        assert _notification(notification_id)["status"] == "pending"
    notify.deliver(notification_id)
    notify.deliver(notification_id)

    assert len(sent_emails(aws)) == 1
    assert _notification(notification_id)["attempts"] == 2
    assert _notification(notification_id)["status"] == "sent"


def test_ses_failing_always_gives_up_after_the_limit_and_leaves_the_case_alone(
    client: Client, aws: Settings
) -> None:
    notification_id = _triaged_notification(client, aws)
    notify = _notify_with(FlakySes(services.sesv2(), failures=99), max_attempts=3)

    for _ in range(3):
        with pytest.raises(DependencyUnavailable):
            notify.deliver(notification_id)
    notify.deliver(notification_id)  # given up: nothing more is tried

    given_up = _notification(notification_id)
    assert given_up["status"] == "failed"
    assert "unsent" not in given_up
    assert sent_emails(aws) == []
    [item] = report_items(aws)
    assert item["status"]["S"] == "awaiting_screening"


def test_a_team_without_screeners_is_covered_by_the_fallback_team(
    client: Client, aws: Settings
) -> None:
    directory = services.staff_directory()
    for member in directory.members("student_support"):
        services.dynamodb().delete_item(
            TableName=aws.staff_table,
            Key={"pk": {"S": "TEAM#student_support"}, "sk": {"S": f"MEMBER#{member.member_id}"}},
        )
    post_json(client, "/reports", named_submission())

    drain(client, aws)

    [email] = sent_emails(aws)
    assert email["To"] == "alex.morgan@example.ac.uk"


def test_a_notification_stuck_by_a_queue_outage_is_redriven(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    monkeypatch.setenv("RS_NOTIFY_QUEUE_URL", aws.notify_queue_url + "-gone")
    services.reset(clock=clock)
    post_json(client, "/reports", named_submission())
    drain(client, aws)
    assert sent_emails(aws) == []

    monkeypatch.setenv("RS_NOTIFY_QUEUE_URL", aws.notify_queue_url)
    services.reset(clock=clock)
    clock.moment += timedelta(seconds=aws.triage_redrive_after_seconds + 1)
    assert _scheduled(client, "redrive_outbox")["notifications_resent"] == 1
    drain(client, aws)

    assert len(sent_emails(aws)) == 1


class TestTheClocks:
    def test_each_stage_is_escalated_once_in_order_then_watching_stops(
        self, client: Client, aws: Settings, clock: FixedClock
    ) -> None:
        reference = post_json(client, "/reports", named_submission()).json_body["reference"]
        drain(client, aws)
        [item] = report_items(aws)
        report_id = item["report_id"]["S"]

        assert _scheduled(client, "sla_watch") == {"escalated": 0}

        # Tuesday 24 Nov 10:30 is first contact's deadline
        clock.moment += timedelta(days=4, minutes=1)
        assert _scheduled(client, "sla_watch") == {"escalated": 1}
        assert _scheduled(client, "sla_watch") == {"escalated": 0}
        drain(client, aws)
        overdue = sent_emails(aws)[-1]
        assert reference in overdue["Subject"]
        assert "First contact is overdue" in _text(overdue)

        clock.moment += timedelta(days=3)  # a day before the 7-day acknowledgement
        assert _scheduled(client, "sla_watch") == {"escalated": 1}
        clock.moment += timedelta(days=90)  # past the feedback warning
        assert _scheduled(client, "sla_watch") == {"escalated": 1}
        assert _scheduled(client, "sla_watch") == {"escalated": 0}
        drain(client, aws)

        case = services.report_store().case(report_id)
        assert case is not None
        assert case["sla_escalated"] == {
            "first_contact_overdue",
            "acknowledge_due_soon",
            "feedback_due_soon",
        }
        assert "sla_watch" not in case
        assert len(sent_emails(aws)) == 4
        assert {
            _notification(f"{report_id}.{stage}")["status"] for stage in case["sla_escalated"]
        } == {"sent"}

    def test_an_anonymous_report_has_only_its_screening_clock_to_watch(
        self, client: Client, aws: Settings, clock: FixedClock
    ) -> None:
        # nobody can be contacted: no first-contact, acknowledgement or feedback clock
        post_json(client, "/reports", anonymous_submission(answers={"ongoing": "yes"}))
        drain(client, aws)
        clock.moment += timedelta(days=200)

        assert _scheduled(client, "sla_watch") == {"escalated": 1}
        assert _scheduled(client, "sla_watch") == {"escalated": 0}
        drain(client, aws)
        assert "Screening is overdue" in _text(sent_emails(aws)[-1])

    def test_an_anonymous_report_filed_unseen_has_no_clock_to_watch(
        self,
        client: Client,
        aws: Settings,
        clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        file_quiet_anonymous_reports(monkeypatch)
        post_json(client, "/reports", anonymous_submission())
        drain(client, aws)
        clock.moment += timedelta(days=200)

        assert _scheduled(client, "sla_watch") == {"escalated": 0}
