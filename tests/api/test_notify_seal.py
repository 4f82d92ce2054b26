"""A staff address whose seal is refused does not crash-loop the notify worker.

A retry cannot open a ciphertext that was moved onto another member's record, so the
notification is given up at once (the outbox says failed, the given-up alarm's log line is
written, `SealRefused` counted) and the message is dropped, not failed back to the queue.
"""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from chalicelib import services
from chalicelib.directory import with_role
from chalicelib.settings import Settings
from tests.api.conftest import deliver, post_json, report_items, sent_emails
from tests.api.emf import metrics
from tests.factories import named_submission

pytestmark = pytest.mark.usefixtures("staff")
TEAM = "student_support"


def test_a_screeners_address_that_does_not_open_gives_the_notification_up_at_once(
    client: Client, aws: Settings, logs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the team's screener whose sealed contact was replaced by a colleague's
    members = services.staff_directory().members(TEAM)
    [screener] = with_role(members, "screener")
    colleague = next(member for member in members if member.member_id != screener.member_id)
    dynamodb = services.dynamodb()

    def key(member_id: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"TEAM#{TEAM}"}, "sk": {"S": f"MEMBER#{member_id}"}}

    moved = dynamodb.get_item(TableName=aws.staff_table, Key=key(colleague.member_id))["Item"]
    dynamodb.update_item(
        TableName=aws.staff_table,
        Key=key(screener.member_id),
        UpdateExpression="SET sealed = :moved",
        ExpressionAttributeValues={":moved": moved["sealed"]},
    )
    post_json(client, "/reports", named_submission())
    [item] = report_items(aws)
    deliver(client, "on_triage_message", json.dumps({"report_id": item["report_id"]["S"]}))
    notification_id = f"{item['report_id']['S']}.new_report"
    capsys.readouterr()

    # When the notify worker receives the new-report message
    result = deliver(client, "on_notify_message", json.dumps({"notification_id": notification_id}))

    # Then the message is not failed back (no retry), nothing is sent, and it is given up
    assert result.payload == {"batchItemFailures": []}
    assert sent_emails(aws) == []
    stored = services.outbox().get(notification_id)
    assert stored is not None
    assert (stored["status"], stored["attempts"]) == ("failed", 1)
    assert "unsent" not in stored
    assert [m["name"] for m in metrics(capsys.readouterr().out)] == ["SealRefused"]
    given_up = {
        (line["level"], line["notification_id"])
        for line in map(json.loads, logs)
        if line.get("message") == "notification not sent and given up"
    }
    assert given_up == {("ERROR", notification_id)}
