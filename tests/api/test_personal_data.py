"""Personal data never exists in clear outside a sealed field.

Reports are submitted with unique sentinel values for every identifying field; then every
raw DynamoDB item, every queued message and every log line is searched for them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.errors import SealBroken
from chalicelib.reports.intake import CONTACT
from chalicelib.settings import Settings
from tests.api.conftest import drain, post_json, report_items, sent_emails
from tests.factories import sentinel_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences


@pytest.mark.usefixtures("staff")
def test_no_sentinel_is_in_clear_in_any_table_queue_email_or_log(
    client: Client, aws: Settings, logs: list[str]
) -> None:
    sentinels: list[str] = []
    for _ in range(3):
        body, values = sentinel_submission()
        sentinels += values
        assert post_json(client, "/reports", body).status_code == 201
        # a refused submission quoting the same values must not echo them into logs either
        body["contact"]["email"] = values[1] + "@@"
        assert post_json(client, "/reports", body).status_code == 400
    # one urgent report too, so that both kinds of email are sent
    body, values = sentinel_submission()
    body["answers"]["immediate_danger"] = "yes"
    sentinels += values
    assert post_json(client, "/reports", body).status_code == 201
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    drain(client, aws)

    stored = list(every_table_blob(services.dynamodb()))
    logged = [Blob(f"log line {number}", line) for number, line in enumerate(logs)]
    emailed = [
        Blob(f"email {n}", message.as_string()) for n, message in enumerate(sent_emails(aws))
    ]

    assert stored and queued and logged and len(emailed) == 4, "the scan must search something"
    assert occurrences(stored, sentinels) == []
    assert occurrences(queued, sentinels) == []
    assert occurrences(logged, sentinels) == []
    assert occurrences(emailed, sentinels) == []


def test_the_sealed_contact_opens_on_its_own_record(client: Client, aws: Settings) -> None:
    body, _values = sentinel_submission()
    post_json(client, "/reports", body)
    [item] = report_items(aws)
    report_id = item["report_id"]["S"]

    sealed = services.report_store().sealed_value(report_id, CONTACT)
    contact = services.identity_sealer().unseal(report_id, CONTACT, sealed)

    assert contact["name"] == body["contact"]["name"]
    assert contact["email"] == body["contact"]["email"]


def test_a_ciphertext_moved_onto_another_report_refuses_to_open(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", sentinel_submission()[0])
    post_json(client, "/reports", sentinel_submission()[0])
    first, second = (item["report_id"]["S"] for item in report_items(aws))
    dynamodb = services.dynamodb()
    stolen = services.report_store().sealed_value(first, CONTACT)
    dynamodb.update_item(
        TableName=aws.reports_table,
        Key={"pk": {"S": f"REPORT#{second}"}, "sk": {"S": "REPORT"}},
        UpdateExpression="SET sealed.#contact = :stolen",
        ExpressionAttributeNames={"#contact": CONTACT},
        ExpressionAttributeValues={":stolen": {"B": stolen}},
    )

    moved = services.report_store().sealed_value(second, CONTACT)
    with pytest.raises(SealBroken):
        services.identity_sealer().unseal(second, CONTACT, moved)


class KmsCalls:
    """Records every KMS operation made through the app's botocore session."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        body = params.get("body", b"")
        self.calls.append((model.name, body.decode() if isinstance(body, bytes) else str(body)))


def test_the_api_never_asks_kms_to_decrypt_with_the_insight_key(
    client: Client, aws: Settings
) -> None:
    recorder = KmsCalls()
    services.botocore_session().register("before-call.kms", recorder)
    body, _ = sentinel_submission()
    post_json(client, "/reports", body)
    post_json(client, "/reports", body)  # a replay unseals the submission digest
    [item] = report_items(aws)
    report_id = item["report_id"]["S"]
    services.identity_sealer().unseal(
        report_id, CONTACT, services.report_store().sealed_value(report_id, CONTACT)
    )

    operations = [name for name, _ in recorder.calls]
    assert "GenerateDataKey" in operations  # the recorder does see the SDK's calls
    insight_key_id = aws.insight_key_arn.rsplit("/", 1)[1]
    assert not [
        request
        for name, request in recorder.calls
        if name == "Decrypt" and insight_key_id in request
    ]


def test_no_api_module_can_reach_an_insight_unseal() -> None:
    """Static guard: API and intake code hold the insight sealer only as write-only."""
    root = Path(__file__).resolve().parents[2] / "chalicelib"
    offenders = []
    for path in [*root.joinpath("api").glob("*.py"), *root.joinpath("reports").glob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "unseal":
                source = ast.unparse(node.value)
                if "insight" in source:
                    offenders.append(f"{path.name}: {source}.unseal")
    assert offenders == []
    assert not hasattr(services.insight_sealer.__wrapped__, "unseal")  # type: ignore[attr-defined]
