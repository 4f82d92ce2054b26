"""The administration trail (`GET /staff/admin/trail`): every change an administrator makes
to the directory or the content is one signed link of one chain, with its reason sealed;
admins read it verified, and no other role reads it at all.

All tests share one mocked stack; the admin table is emptied before each.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import services
from tests.api.shared_stack import Stack

ADMIN = "dpo-admin"
REASON = "Trailsentinel leaver from the welfare team"


@pytest.fixture(autouse=True)
def _fresh_tables(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def given_two_changes() -> None:
    trail = services.admin_trail()
    trail.record(ADMIN, "member_added", {"member_id": "new-advisor"}, REASON)
    trail.record(ADMIN, "content_published", {"version": 2}, None)


def read_trail(stack: Stack, user: str = ADMIN) -> Any:
    return stack.call("get", "/staff/admin/trail", user)


def admin_items(stack: Stack) -> list[dict[str, Any]]:
    dynamodb = services.dynamodb()
    return dynamodb.scan(TableName=stack.settings.admin_table, ConsistentRead=True)["Items"]


def entry_key(seq: int) -> dict[str, Any]:
    return {"pk": {"S": "TRAIL"}, "sk": {"S": f"AUDIT#{seq:010d}"}}


def test_an_admin_reads_every_change_in_order_with_its_reason_and_the_read_is_recorded(
    stack: Stack,
) -> None:
    given_two_changes()

    response = read_trail(stack)

    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["intact"] is True
    assert [
        (e["seq"], e["actor"], e["action"], e["details"], e["reason"]) for e in body["entries"]
    ] == [
        (1, ADMIN, "member_added", {"member_id": "new-advisor"}, REASON),
        (2, ADMIN, "content_published", {"version": 2}, None),
        (3, ADMIN, "admin_trail_read", {}, None),
    ]


@pytest.mark.parametrize("user", ["ss-screener", "ss-advisor-1", "di-analyst"])
def test_no_other_role_reads_the_trail(stack: Stack, user: str) -> None:
    given_two_changes()

    refused = read_trail(stack, user)

    assert refused.status_code == 403
    assert REASON not in str(refused.json_body)
    assert read_trail(stack).status_code == 200


def test_the_reason_is_sealed_in_the_table(stack: Stack) -> None:
    given_two_changes()

    raw = str(admin_items(stack))

    assert "Trailsentinel" not in raw
    assert "member_added" in raw


def test_an_entry_edited_without_the_audit_key_breaks_the_chain_there(stack: Stack) -> None:
    given_two_changes()
    dynamodb = services.dynamodb()
    dynamodb.update_item(
        TableName=stack.settings.admin_table,
        Key=entry_key(1),
        UpdateExpression="SET details = :d",
        ExpressionAttributeValues={":d": {"M": {"member_id": {"S": "someone-else"}}}},
    )

    body = read_trail(stack).json_body

    assert (body["intact"], body["broken_at"], body["problem"]) == (
        False,
        1,
        "entry 1 was altered",
    )


def test_a_change_removed_from_the_end_is_found(stack: Stack) -> None:
    given_two_changes()
    services.dynamodb().delete_item(TableName=stack.settings.admin_table, Key=entry_key(2))

    body = read_trail(stack).json_body

    assert (body["intact"], body["broken_at"], body["problem"]) == (
        False,
        2,
        "entry 2 is missing",
    )


def test_a_head_moved_back_without_the_audit_key_is_found_and_opens_no_reason(
    stack: Stack,
) -> None:
    given_two_changes()
    dynamodb = services.dynamodb()
    first = dynamodb.get_item(TableName=stack.settings.admin_table, Key=entry_key(1))["Item"]
    dynamodb.delete_item(TableName=stack.settings.admin_table, Key=entry_key(2))
    dynamodb.update_item(
        TableName=stack.settings.admin_table,
        Key={"pk": {"S": "TRAIL"}, "sk": {"S": "HEAD"}},
        UpdateExpression="SET audit_seq = :seq, audit_hash = :hash",
        ExpressionAttributeValues={":seq": {"N": "1"}, ":hash": first["hash"]},
    )

    response = read_trail(stack)

    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert (body["intact"], body["problem"]) == (False, "the trail's head is not the one signed")
    assert [(e["action"], e["reason"]) for e in body["entries"]] == [("member_added", None)]
    assert len(admin_items(stack)) == 2, "nothing was appended to a trail whose head is forged"


def test_the_last_change_hidden_with_its_signed_head_put_back_is_found_by_the_checkpoint(
    stack: Stack,
) -> None:
    # Given one change, and the head it left, signed, kept aside by someone with table access
    trail = services.admin_trail()
    trail.record(ADMIN, "member_added", {"member_id": "new-advisor"}, REASON)
    dynamodb = services.dynamodb()
    head_key = {"pk": {"S": "TRAIL"}, "sk": {"S": "HEAD"}}
    earlier = dynamodb.get_item(TableName=stack.settings.admin_table, Key=head_key)["Item"]
    # and a second change, checkpointed by the hourly job
    trail.record(ADMIN, "content_published", {"version": 2}, None)
    counts = services.audit_checkpoint()()
    assert counts["checkpointed"] == 1
    # When the second change is removed and the earlier signed head put back
    dynamodb.delete_item(TableName=stack.settings.admin_table, Key=entry_key(2))
    dynamodb.put_item(TableName=stack.settings.admin_table, Item=earlier)

    # Then the chain alone looks whole, but not against its checkpoint
    body = read_trail(stack).json_body
    assert body["intact"] is False
    assert body["problem"].startswith("the trail was truncated or rolled back since the checkpoint")
    # and the next hourly run reports the head behind its checkpoint
    assert services.audit_checkpoint()()["behind"] == 1


def test_an_untouched_trail_stays_intact_across_checkpoints(stack: Stack) -> None:
    given_two_changes()
    assert services.audit_checkpoint()()["checkpointed"] == 1

    body = read_trail(stack).json_body

    assert body["intact"] is True
    assert services.audit_checkpoint()()["checkpointed"] == 1  # the read moved the head
    assert services.audit_checkpoint()()["unchanged"] == 1
