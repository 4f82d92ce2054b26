"""When a dependency fails: an accepted report is never lost, a refused one leaves nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from chalicelib import services
from chalicelib.cases.intake import ReportIntake
from chalicelib.errors import DependencyUnavailable
from chalicelib.reports.models import Submission
from chalicelib.settings import Settings
from chalicelib.storage.reports_table import ReportsTable
from tests.api.conftest import FixedClock, post_json, queued_bodies, report_items
from tests.factories import anonymous_submission, named_submission


def _scheduled_event(client: Client) -> dict[str, Any]:
    return client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )


def _point_app_at(monkeypatch: pytest.MonkeyPatch, clock: FixedClock, **settings: str) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(f"RS_{name.upper()}", value)
    services.reset(clock=clock)


def test_with_the_queue_down_the_report_is_accepted_and_redriven_later(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    missing_queue = aws.triage_queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    _point_app_at(monkeypatch, clock, triage_queue_url=missing_queue)

    response = post_json(client, "/reports", named_submission())

    assert response.status_code == 201
    [item] = report_items(aws)
    assert item["awaiting_triage"]["S"] == "pending"
    assert queued_bodies(aws) == []

    # when the queue is back and the grace period has passed, the redrive sends it
    _point_app_at(monkeypatch, clock, triage_queue_url=aws.triage_queue_url)
    clock.moment += timedelta(seconds=aws.triage_redrive_after_seconds + 1)
    result = client.lambda_.invoke("redrive_outbox", _scheduled_event(client))

    assert result.payload == {"resent": 1, "failed": 0, "notifications_resent": 0}
    assert queued_bodies(aws) == [{"report_id": item["report_id"]["S"]}]


def test_the_redrive_leaves_reports_inside_their_grace_period_alone(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    missing_queue = aws.triage_queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    _point_app_at(monkeypatch, clock, triage_queue_url=missing_queue)
    post_json(client, "/reports", anonymous_submission())
    _point_app_at(monkeypatch, clock, triage_queue_url=aws.triage_queue_url)

    result = client.lambda_.invoke("redrive_outbox", _scheduled_event(client))

    assert result.payload == {"resent": 0, "failed": 0, "notifications_resent": 0}
    assert queued_bodies(aws) == []


def test_with_dynamodb_failing_the_answer_is_503_and_nothing_is_queued(
    client: Client, aws: Settings
) -> None:
    services.dynamodb().delete_table(TableName=aws.demographics_table)

    response = post_json(client, "/reports", named_submission())

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert report_items(aws) == []
    assert queued_bodies(aws) == []


@pytest.mark.parametrize("key", ["identity_key_arn", "insight_key_arn", "blind_index_key_arn"])
def test_with_kms_refusing_the_answer_is_503_and_nothing_is_written(
    client: Client, aws: Settings, monkeypatch: pytest.MonkeyPatch, clock: FixedClock, key: str
) -> None:
    # moto ignores a disabled key's state, so the key is made to not exist instead.
    gone = getattr(aws, key).rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    _point_app_at(monkeypatch, clock, **{key: gone})

    response = post_json(client, "/reports", named_submission())

    assert response.status_code == 503
    assert report_items(aws) == []
    assert queued_bodies(aws) == []


class CancellingDynamoDB:
    """A DynamoDB client whose transactions are cancelled the way a conflict cancels them."""

    def __init__(self, real: Any, reason: str) -> None:
        self._real = real
        self._reason = reason

    def transact_write_items(self, **request: Any) -> None:
        reasons = [{"Code": self._reason}] + [{"Code": "None"}] * (
            len(request["TransactItems"]) - 1
        )
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                "CancellationReasons": reasons,
            },
            "TransactWriteItems",
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _intake_with(store: ReportsTable, **overrides: Any) -> ReportIntake:
    return ReportIntake(
        institution=services.institution(),
        store=store,
        identity=services.identity_sealer(),
        insight=services.insight_sealer(),
        blind_index=services.blind_index(),
        triage_queue=services.triage_queue(),
        clock=services.clock(),
        audit=services.audit_trail(),
        calendar=services.working_calendar(),
        **overrides,
    )


@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_a_cancelled_transaction_is_unavailable_and_writes_nothing(
    aws: Settings, reason: str
) -> None:
    store = ReportsTable(
        CancellingDynamoDB(services.dynamodb(), reason),
        aws.reports_table,
        aws.demographics_table,
        services.page_cursors(),
    )
    intake = _intake_with(store)

    with pytest.raises(DependencyUnavailable):
        intake.submit(Submission.model_validate(named_submission()))

    assert report_items(aws) == []
    assert queued_bodies(aws) == []


def test_a_reference_already_taken_is_drawn_again(aws: Settings) -> None:
    draws = iter(["RS-AAAA-AAAA", "RS-AAAA-AAAA", "RS-BBBB-BBBB"])
    intake = _intake_with(services.report_store(), new_reference=lambda: next(draws))
    intake.submit(Submission.model_validate(anonymous_submission()))

    receipt = intake.submit(Submission.model_validate(anonymous_submission()))

    assert receipt.reference == "RS-BBBB-BBBB"
    assert len(report_items(aws)) == 2
