"""What is held about a reference (`GET /staff/records/{reference}`): the data protection
officer's proof of what retention did — the case while it is held, the signed tombstone
once it was deleted (verified with the audit key, so an edited one shows as not verified),
nothing for a reference never used, and nothing at all for anyone but an admin.

All tests share one mocked stack; before each the case tables are emptied and the clock
set back to START. Time moves by setting the stack's clock; the sweep runs as the daily
schedule would (`tests/api/test_retention.py` has the helpers).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.clock import iso
from chalicelib.storage.dynamo import plain
from tests.api.shared_stack import Stack
from tests.api.test_retention import (
    DELETE_AT,
    REDACT_AT,
    anonymous_filed,
    run_crashing,
    sweep_at,
    worked_case,
)

ADMIN = "dpo-admin"
OTHERS = ("ss-screener", "ss-advisor-1", "di-analyst")


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def record(stack: Stack, reference: str, user: str = ADMIN) -> Any:
    return stack.call("get", f"/staff/records/{reference}", user)


def held(stack: Stack, reference: str) -> dict[str, Any]:
    response = record(stack, reference)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def tombstone_key(reference: str) -> dict[str, Any]:
    return {"pk": {"S": f"TOMBSTONE#{reference}"}, "sk": {"S": "TOMBSTONE"}}


def edit_tombstone(stack: Stack, reference: str, **changes: Any) -> None:
    """Rewrite the stored tombstone as someone with table access but not the audit key."""
    dynamodb = services.dynamodb()
    table = stack.settings.reports_table
    item = dynamodb.get_item(TableName=table, Key=tombstone_key(reference))["Item"]
    for name, value in changes.items():
        if value is None:
            item.pop(name)
        else:
            item[name] = value
    dynamodb.put_item(TableName=table, Item=item)


# --- a case still held -----------------------------------------------------------------------


def test_a_held_case_is_shown_as_the_admins_case_view(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    case_view = stack.call("get", f"/staff/cases/{reference}", ADMIN).json_body

    answer = held(stack, reference)

    assert answer == {"reference": reference, "held": "case", "case": case_view, "tombstone": None}
    assert answer["case"]["retention_action"] == "redact"
    assert answer["case"]["retention_due_at"] == iso(REDACT_AT)


def test_a_redacted_case_is_still_held_and_says_when_it_will_be_deleted(stack: Stack) -> None:
    reference, sentinels = worked_case(stack)
    sweep_at(stack, REDACT_AT)

    response = record(stack, reference)

    case = response.json_body["case"]
    assert (case["status"], case["redacted_at"]) == ("redacted", iso(REDACT_AT))
    assert (case["retention_action"], case["retention_due_at"]) == ("delete", iso(DELETE_AT))
    assert [value for value in sentinels if value in response.body.decode()] == []


# --- a deleted case: its tombstone -------------------------------------------------------------


def test_a_deleted_case_shows_its_tombstone_with_a_verified_signature(stack: Stack) -> None:
    reference, sentinels = worked_case(stack)
    sweep_at(stack, REDACT_AT)
    last_head = plain(stack.case_item(reference))
    assert sweep_at(stack, DELETE_AT)["deleted"] == 1
    assert stack.call("get", f"/staff/cases/{reference}", ADMIN).status_code == 404

    response = record(stack, reference)

    assert response.status_code == 200, response.json_body
    assert response.json_body == {
        "reference": reference,
        "held": "tombstone",
        "case": None,
        "tombstone": {
            "reference": reference,
            "mode": "named",
            "due_at": iso(DELETE_AT),
            "deleted_at": iso(DELETE_AT),
            "rule": "delete_anonymised_after_years=3",
            "actor": "system:retention",
            "audit_seq": int(last_head["audit_seq"]),
            "audit_hash": last_head["audit_hash"],
            "signature_verified": True,
        },
    }
    assert [value for value in sentinels if value in response.body.decode()] == []


def test_a_case_whose_deletion_crashed_midway_already_shows_its_tombstone(stack: Stack) -> None:
    reference = anonymous_filed(stack)

    run_crashing(stack, DELETE_AT, allowed=1, lands=False)  # claimed, children not deleted

    assert plain(stack.case_item(reference))["deletion_started_at"] == iso(DELETE_AT)
    answer = held(stack, reference)
    assert answer["held"] == "tombstone"
    assert answer["tombstone"]["signature_verified"] is True
    assert answer["tombstone"]["mode"] == "anonymous"


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"deleted_at": {"S": iso(DELETE_AT + timedelta(days=400))}}, "deleted_at"),
        ({"rule": {"S": "delete_anonymised_after_years=1"}}, "rule"),
        ({"audit_seq": {"N": "7"}}, "audit_seq"),  # it was 1 (the triage entry)
        ({"mac": None}, None),
    ],
    ids=["deleted_at", "rule", "audit_seq", "mac_removed"],
)
def test_an_edited_tombstone_is_shown_as_not_verified(
    stack: Stack, changes: dict[str, Any], shown: str | None
) -> None:
    reference = anonymous_filed(stack)
    sweep_at(stack, DELETE_AT)
    assert held(stack, reference)["tombstone"]["signature_verified"] is True
    edit_tombstone(stack, reference, **changes)

    tombstone = held(stack, reference)["tombstone"]

    assert tombstone["signature_verified"] is False
    if shown is not None:  # the edited value is what is shown: the flag is what warns
        assert str(tombstone[shown]) == str(plain(changes)[shown])


def test_a_tombstone_copied_onto_another_reference_is_not_verified(stack: Stack) -> None:
    gone = anonymous_filed(stack)
    stack.clock.moment += timedelta(days=1)
    kept = anonymous_filed(stack)
    sweep_at(stack, DELETE_AT)
    item = services.dynamodb().get_item(
        TableName=stack.settings.reports_table, Key=tombstone_key(gone)
    )["Item"]
    # Someone wants `kept` to look deleted: a copy of a genuine tombstone under its key.
    services.dynamodb().put_item(
        TableName=stack.settings.reports_table,
        Item={**item, **tombstone_key(kept), "reference": {"S": kept}},
    )
    services.dynamodb().delete_item(
        TableName=stack.settings.reports_table,
        Key={"pk": {"S": f"REFERENCE#{kept}"}, "sk": {"S": "REFERENCE"}},
    )

    tombstone = held(stack, kept)["tombstone"]

    assert (tombstone["reference"], tombstone["signature_verified"]) == (kept, False)


# --- nothing held, bad input, other roles -------------------------------------------------------


def test_a_reference_never_used_is_not_found(stack: Stack) -> None:
    response = record(stack, "RS-ZZZZ-ZZ99")

    assert (response.status_code, response.json_body["error"]) == (404, "not_found")


def test_a_malformed_reference_is_refused_naming_it(stack: Stack) -> None:
    response = record(stack, "not-a-reference")

    assert response.status_code == 400
    assert [error["field"] for error in response.json_body["errors"]] == ["reference"]


@pytest.mark.parametrize("user", OTHERS)
def test_only_an_admin_may_see_a_tombstone(stack: Stack, user: str) -> None:
    reference = anonymous_filed(stack)
    sweep_at(stack, DELETE_AT)

    response = record(stack, reference, user)

    assert (response.status_code, response.json_body["error"]) == (403, "forbidden")
    assert reference not in response.body.decode()
    assert "TOMBSTONE" not in response.body.decode().upper()
