"""The triage worker: routing, risk, priority, clocks, and the screeners' notification."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.cases.ledger import CaseLedger
from chalicelib.settings import Settings
from chalicelib.storage.reports_table import CaseUpdate
from tests.api.conftest import (
    FixedClock,
    deliver,
    file_quiet_anonymous_reports,
    post_json,
    report_items,
)
from tests.factories import anonymous_submission, named_submission


def _submit_and_triage(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a report, deliver its triage message; the report item afterwards (plain)."""
    reference = post_json(client, "/reports", body).json_body["reference"]
    [report_id] = [
        item["report_id"]["S"]
        for item in report_items(services.settings())
        if item["reference"]["S"] == reference
    ]
    result = deliver(client, "on_triage_message", json.dumps({"report_id": report_id}))
    assert result.payload == {"batchItemFailures": []}
    triaged = services.report_store().case(report_id)
    assert triaged is not None
    return triaged


def outbox_items() -> list[dict[str, Any]]:
    table = services.settings().notifications_table
    return services.dynamodb().scan(TableName=table)["Items"]


class TestRouting:
    @pytest.mark.parametrize(
        ("answers", "team"),
        [
            ({"reporter_role": "student"}, "student_support"),
            ({"reporter_role": "staff"}, "human_resources"),
            ({"reporter_role": "visitor"}, "human_resources"),
            ({"reporter_role": "other"}, "diversity_inclusion"),
            (
                {
                    "reporter_role": "student",
                    "what_happened": ["discrimination_or_hate"],
                    "discrimination_grounds": ["race"],
                },
                "diversity_inclusion",
            ),
        ],
    )
    def test_a_report_goes_to_the_team_its_rules_name(
        self, client: Client, aws: Settings, answers: dict[str, Any], team: str
    ) -> None:
        triaged = _submit_and_triage(client, named_submission(answers=answers))

        assert triaged["team_id"] == team


class TestRoutingByThePersonAffected:
    def test_a_staff_member_reporting_for_a_student_under_18_goes_urgently_to_the_student_team(
        self, client: Client, aws: Settings
    ) -> None:
        answers = {
            "reporter_role": "staff",
            "reporting_for": "someone_else",
            "affected_role": "student",
            "under_18": "yes",
        }

        triaged = _submit_and_triage(client, named_submission(answers=answers))

        assert triaged["team_id"] == "student_support"
        assert triaged["team_id"] != "human_resources"
        assert triaged["priority"] == "urgent"
        assert triaged["risk_flags"] == ["under_18"]
        [notification] = outbox_items()
        assert notification["kind"]["S"] == "urgent_report"
        assert notification["team_id"]["S"] == "student_support"

    @pytest.mark.parametrize(
        ("affected_role", "team"),
        [
            ("student", "student_support"),
            ("staff", "human_resources"),
            ("visitor", "human_resources"),
            ("other", "diversity_inclusion"),
            ("not_sure", "diversity_inclusion"),
        ],
    )
    def test_a_witness_report_goes_to_the_team_of_the_affected_persons_role(
        self, client: Client, aws: Settings, affected_role: str, team: str
    ) -> None:
        # given a student who saw it happen to someone else
        answers = {
            "reporter_role": "student",
            "reporting_for": "witness",
            "affected_role": affected_role,
        }

        triaged = _submit_and_triage(client, anonymous_submission(answers=answers))

        assert triaged["team_id"] == team

    def test_a_student_witness_to_staff_harassing_staff_raises_no_position_of_trust(
        self, client: Client, aws: Settings
    ) -> None:
        answers = {
            "reporter_role": "student",
            "reporting_for": "witness",
            "affected_role": "staff",
            "involved_role": ["staff_member"],
        }

        triaged = _submit_and_triage(client, anonymous_submission(answers=answers))

        assert triaged["risk_flags"] == []
        assert triaged["priority"] == "normal"
        assert triaged["team_id"] == "human_resources"

    def test_a_staff_member_reporting_staff_harassing_a_student_raises_a_position_of_trust(
        self, client: Client, aws: Settings
    ) -> None:
        answers = {
            "reporter_role": "staff",
            "reporting_for": "someone_else",
            "affected_role": "student",
            "involved_role": ["staff_member"],
        }

        triaged = _submit_and_triage(client, named_submission(answers=answers))

        assert triaged["risk_flags"] == ["position_of_trust"]
        assert triaged["priority"] == "high"
        assert triaged["team_id"] == "student_support"

    @pytest.mark.parametrize(
        ("reporter_role", "team", "flags"),
        [
            ("student", "student_support", ["position_of_trust"]),
            ("staff", "human_resources", []),
        ],
    )
    def test_reporting_for_myself_routes_and_rates_by_my_own_role_as_before(
        self, client: Client, aws: Settings, reporter_role: str, team: str, flags: list[str]
    ) -> None:
        answers = {
            "reporter_role": reporter_role,
            "reporting_for": "myself",
            "involved_role": ["staff_member"],
        }

        triaged = _submit_and_triage(client, named_submission(answers=answers))

        assert triaged["team_id"] == team
        assert triaged["risk_flags"] == flags
        assert "affected_role" not in triaged["answers"]


class TestANamedReport:
    def test_awaits_screening_with_its_clocks_started_and_the_screeners_told(
        self, client: Client, aws: Settings
    ) -> None:
        # Friday 20 November 2026, 10:30 UTC (10:30 in London)
        triaged = _submit_and_triage(client, named_submission())

        assert triaged["status"] == "awaiting_screening"
        assert triaged["priority"] == "normal"
        assert triaged["first_contact_due"] == "2026-11-24T10:30:00.000Z"
        assert triaged["acknowledge_due"] == "2026-11-27T10:30:00.000Z"
        assert triaged["feedback_due"] == "2027-02-20T10:30:00.000Z"
        assert triaged["sla_next_stage"] == "first_contact_overdue"
        assert triaged["sla_next_at"] == triaged["first_contact_due"]
        [notification] = outbox_items()
        assert notification["kind"]["S"] == "new_report"
        assert notification["team_id"]["S"] == "student_support"
        assert notification["status"]["S"] == "pending"

    def test_sends_the_notification_id_and_nothing_else_to_the_notify_queue(
        self, client: Client, aws: Settings
    ) -> None:
        triaged = _submit_and_triage(client, named_submission())

        messages = services.sqs().receive_message(
            QueueUrl=aws.notify_queue_url, MaxNumberOfMessages=10
        )["Messages"]
        assert [json.loads(m["Body"]) for m in messages] == [
            {"notification_id": f"{triaged['report_id']}.new_report"}
        ]


class TestAnAnonymousReport:
    def test_with_no_risk_by_default_awaits_screening_and_the_routed_team_is_told(
        self, client: Client, aws: Settings
    ) -> None:
        # given the default institution (`triage.screening: every_report`)
        # Friday 20 November 2026, 10:30 UTC (10:30 in London)
        triaged = _submit_and_triage(client, anonymous_submission())

        assert triaged["status"] == "awaiting_screening"
        assert triaged["status"] != "filed"
        assert triaged["risk_flags"] == []
        assert triaged["priority"] == "normal"
        assert triaged["queue_team"] == "student_support"
        assert "first_contact_due" not in triaged, "nobody can be contacted"
        # then it must be screened within 2 working days, and the watch chases that alone
        assert triaged["screening_due"] == "2026-11-24T10:30:00.000Z"
        assert triaged["sla_next_stage"] == "screening_overdue"
        assert triaged["sla_next_at"] == "2026-11-24T10:30:00.000Z"
        [notification] = outbox_items()
        assert notification["kind"]["S"] == "new_report"
        assert notification["team_id"]["S"] == "student_support"

    def test_with_no_risk_is_filed_without_telling_anyone_when_the_institution_says_so(
        self, client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        file_quiet_anonymous_reports(monkeypatch)

        triaged = _submit_and_triage(client, anonymous_submission())

        assert triaged["status"] == "filed"
        assert triaged["risk_flags"] == []
        assert "queue_team" not in triaged
        assert "first_contact_due" not in triaged
        assert "screening_due" not in triaged, "nothing waits, so nothing is due"
        assert "sla_watch" not in triaged
        assert outbox_items() == []

    def test_with_a_risk_flag_goes_to_screening_even_when_quiet_ones_are_filed(
        self, client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        file_quiet_anonymous_reports(monkeypatch)

        triaged = _submit_and_triage(client, anonymous_submission(answers={"ongoing": "yes"}))

        assert triaged["status"] == "awaiting_screening"
        assert triaged["priority"] == "high"
        assert triaged["risk_flags"] == ["ongoing"]
        assert "first_contact_due" not in triaged


class TestAnUrgentReport:
    @pytest.mark.parametrize(
        "answers", [{"immediate_danger": "yes"}, {"under_18": "yes"}], ids=["danger", "under 18"]
    )
    def test_is_urgent_and_alerts_the_screeners_at_once(
        self, client: Client, aws: Settings, answers: dict[str, Any]
    ) -> None:
        triaged = _submit_and_triage(client, anonymous_submission(answers=answers))

        assert triaged["status"] == "awaiting_screening"
        assert triaged["priority"] == "urgent"
        [notification] = outbox_items()
        assert notification["kind"]["S"] == "urgent_report"


@pytest.mark.parametrize(
    ("answers", "flags", "priority"),
    [
        ({"what_happened": ["sexual_assault"]}, ["sexual_assault"], "high"),
        ({"what_happened": ["physical_violence"]}, ["physical_violence"], "high"),
        ({"ongoing": "yes"}, ["ongoing"], "high"),
        ({"involved_role": ["staff_member"]}, ["position_of_trust"], "high"),
        ({"reporter_role": "staff", "involved_role": ["staff_member"]}, [], "normal"),
        (
            {"immediate_danger": "yes", "what_happened": ["sexual_assault"], "ongoing": "yes"},
            ["immediate_danger", "sexual_assault", "ongoing"],
            "urgent",
        ),
    ],
)
def test_each_risk_rule_raises_its_flag_and_the_highest_priority_wins(
    client: Client, aws: Settings, answers: dict[str, Any], flags: list[str], priority: str
) -> None:
    triaged = _submit_and_triage(client, named_submission(answers=answers))

    assert triaged["risk_flags"] == flags
    assert triaged["priority"] == priority


def test_the_third_report_about_one_place_within_90_days_is_flagged(
    client: Client, aws: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an institution filing quiet anonymous reports, so the flag alone queues the third
    file_quiet_anonymous_reports(monkeypatch)
    library = {"where": "on_campus", "campus_area": "library"}
    first = _submit_and_triage(client, anonymous_submission(answers=library))
    _submit_and_triage(client, anonymous_submission(answers={"where": "off_campus"}))
    second = _submit_and_triage(client, anonymous_submission(answers=library))

    third = _submit_and_triage(client, anonymous_submission(answers=library))

    assert "repeat_location" not in first["risk_flags"]
    assert "repeat_location" not in second["risk_flags"]
    assert third["risk_flags"] == ["repeat_location"]
    assert third["status"] == "awaiting_screening"
    assert second["status"] == "filed"


def test_a_duplicate_delivery_changes_nothing_and_notifies_once(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    message = json.dumps({"report_id": item["report_id"]["S"]})
    deliver(client, "on_triage_message", message)
    [once] = report_items(aws)

    result = deliver(client, "on_triage_message", message, message)

    assert result.payload == {"batchItemFailures": []}
    assert report_items(aws) == [once]
    assert len(outbox_items()) == 1


def test_bad_messages_fail_alone_and_the_rest_of_the_batch_is_processed(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    event = client.events.generate_sqs_event(
        queue_name="triage",
        message_bodies=[
            "not json",
            json.dumps({"report_id": item["report_id"]["S"]}),
            json.dumps({"report_id": "0" * 32}),
            json.dumps({"report_id": item["report_id"]["S"], "name": "extra"}),
        ],
    )
    ids = [record["messageId"] for record in event["Records"]]

    result = client.lambda_.invoke("on_triage_message", event)

    failed = {failure["itemIdentifier"] for failure in result.payload["batchItemFailures"]}
    assert failed == {ids[0], ids[2], ids[3]}
    [after] = report_items(aws)
    assert after["status"]["S"] == "awaiting_screening"


def test_a_report_changed_while_triage_decides_is_triaged_on_redelivery_not_dropped(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report awaiting triage, and triage deciding on it as it was read...
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    report_id = item["report_id"]["S"]
    store = services.report_store()
    as_read = store.case_item(report_id)
    assert as_read is not None
    # ... while another writer changes it through the ledger (it stays awaiting triage)
    ledger = CaseLedger(store, services.audit_trail(), services.identity_sealer(), services.clock())
    ledger.commit("dpo-admin", as_read, CaseUpdate(), [], "rectify", {}, None)
    monkeypatch.setattr(store, "case_item", lambda _report_id: as_read)
    message = json.dumps({"report_id": report_id})

    # When the triage message is delivered
    first = deliver(client, "on_triage_message", message)

    # Then it is failed for delivery again, with nothing written...
    assert len(first.payload["batchItemFailures"]) == 1
    [after] = report_items(aws)
    assert after["status"]["S"] == "awaiting_triage"
    assert outbox_items() == []
    # ... and delivered again, it triages the report as it is now
    monkeypatch.undo()
    second = deliver(client, "on_triage_message", message)
    assert second.payload == {"batchItemFailures": []}
    [triaged] = report_items(aws)
    assert triaged["status"]["S"] == "awaiting_screening"
    assert len(outbox_items()) == 1
