"""The triage worker: moves new reports on, once, and isolates bad messages."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib.settings import Settings
from tests.api.conftest import post_json, report_items
from tests.factories import anonymous_submission, named_submission


def _deliver(client: Client, *bodies: str) -> Any:
    event = client.events.generate_sqs_event(queue_name="triage", message_bodies=list(bodies))
    return client.lambda_.invoke("on_triage_message", event)


def test_a_triaged_report_awaits_screening_and_leaves_the_redrive_index(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)

    result = _deliver(client, json.dumps({"report_id": item["report_id"]["S"]}))

    assert result.payload == {"batchItemFailures": []}
    [after] = report_items(aws)
    assert after["status"]["S"] == "awaiting_screening"
    assert "awaiting_triage" not in after
    assert after["version"]["N"] == "2"


def test_a_duplicate_delivery_changes_nothing(client: Client, aws: Settings) -> None:
    post_json(client, "/reports", anonymous_submission())
    [item] = report_items(aws)
    message = json.dumps({"report_id": item["report_id"]["S"]})
    _deliver(client, message)
    [once] = report_items(aws)

    result = _deliver(client, message, message)

    assert result.payload == {"batchItemFailures": []}
    assert report_items(aws) == [once]


def test_bad_messages_fail_alone_and_the_rest_of_the_batch_is_processed(
    client: Client, aws: Settings
) -> None:
    post_json(client, "/reports", anonymous_submission())
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
