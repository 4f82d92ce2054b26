"""Revealing a reporter's contact: the audit entry is written first, or nothing is opened.

A staff member who reveals a case's personal data must leave a record of who looked and
why before anything is unsealed. These tests watch the app's own AWS clients (see
`tests.api.recorders`): the DynamoDB transaction that writes the audit entry, and every
KMS call. A sealed field can only be opened through a KMS `Decrypt`, so "no Decrypt" means
"nothing was unsealed", provided the sealer's cache of data keys is empty: each test makes
the app build its clients afresh before the reveal (`cold_app`).

All tests of this module share one mocked stack (see `tests.api.shared_stack`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import services
from tests.api.recorders import Calls, CancelledTransactions, hooked
from tests.api.shared_stack import Stack
from tests.factories import sentinel_submission

SCREENER = "ss-screener"
PURPOSE = "To arrange a first call"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def new_case(stack: Stack) -> tuple[str, str]:
    """A named case awaiting screening in the screener's team; its reference and the
    reporter's email (a sentinel)."""
    body, _sentinels = sentinel_submission()
    return stack.submit(body), body["contact"]["email"]


def cold_app(stack: Stack) -> None:
    """Forget every built client and sealer: the first unseal after this must ask KMS."""
    services.reset(clock=stack.clock)


def audit_entries(stack: Stack, reference: str) -> int:
    """How many audit items the case's partition holds, read raw from the table."""
    return sum(1 for item in stack.partition(reference) if item["sk"]["S"].startswith("AUDIT#"))


def reveal(stack: Stack, reference: str, body: dict[str, Any]) -> Any:
    return stack.call("post", f"/staff/cases/{reference}/reveal", SCREENER, body)


def test_the_audit_entry_is_written_before_the_first_decrypt(stack: Stack) -> None:
    reference, email = new_case(stack)
    before = audit_entries(stack, reference)
    cold_app(stack)
    calls = Calls()

    with (
        hooked(services.dynamodb(), "before-call", calls),
        hooked(services.kms(), "before-call", calls),
    ):
        response = reveal(stack, reference, {"purpose": PURPOSE})

    assert response.status_code == 200, response.json_body
    assert response.json_body["contact"]["email"] == email
    assert audit_entries(stack, reference) == before + 1
    order = [name for name in calls.names() if name in ("TransactWriteItems", "Decrypt")]
    assert order[0] == "TransactWriteItems"
    assert "Decrypt" in order


@pytest.mark.parametrize(
    ("reason", "status", "error"),
    [
        ("ConditionalCheckFailed", 409, "stale_version"),
        ("TransactionConflict", 503, "unavailable"),
    ],
    ids=["conflict", "unavailable"],
)
def test_when_the_audit_entry_cannot_be_written_nothing_is_unsealed(
    stack: Stack, reason: str, status: int, error: str
) -> None:
    reference, email = new_case(stack)
    before = audit_entries(stack, reference)
    cold_app(stack)
    kms_calls = Calls()
    refusing = CancelledTransactions(reason)

    with (
        hooked(services.kms(), "before-call", kms_calls),
        hooked(services.dynamodb(), "before-call.dynamodb.TransactWriteItems", refusing),
    ):
        response = reveal(stack, reference, {"purpose": PURPOSE})

    assert refusing.cancelled > 0, "the audit entry's transaction was attempted"
    assert response.status_code == status, response.json_body
    assert response.json_body["error"] == error
    assert "contact" not in response.json_body
    assert email not in json.dumps(response.json_body)
    assert "Decrypt" not in kms_calls.names()
    assert audit_entries(stack, reference) == before
    # once the table takes the entry, the same reveal opens the contact
    again = reveal(stack, reference, {"purpose": PURPOSE})
    assert again.status_code == 200, again.json_body
    assert again.json_body["contact"]["email"] == email


#: Bodies whose purpose is missing or too thin to justify a look at personal data.
NO_PURPOSE = {
    "missing": {},
    "empty": {"purpose": ""},
    "blank": {"purpose": "   "},
    "whitespace": {"purpose": "\t\n "},
    "too_short": {"purpose": "ok"},
    "too_short_once_trimmed": {"purpose": "  ok  "},
    "null": {"purpose": None},
}


@pytest.mark.parametrize("route", ["reveal", "timeline/read"])
@pytest.mark.parametrize("body", list(NO_PURPOSE.values()), ids=list(NO_PURPOSE))
def test_a_look_without_a_purpose_is_refused_naming_purpose_and_leaves_no_entry(
    stack: Stack, route: str, body: dict[str, Any]
) -> None:
    reference, email = new_case(stack)
    before = audit_entries(stack, reference)

    response = stack.call("post", f"/staff/cases/{reference}/{route}", SCREENER, body)

    assert response.status_code == 400, response.json_body
    assert response.json_body["error"] == "invalid_input"
    assert [problem["field"] for problem in response.json_body["errors"]] == ["purpose"]
    assert email not in json.dumps(response.json_body)
    assert audit_entries(stack, reference) == before


@pytest.mark.parametrize("route", ["reveal", "timeline/read"])
def test_a_look_with_a_purpose_is_answered_and_leaves_one_entry(stack: Stack, route: str) -> None:
    reference, _email = new_case(stack)
    before = audit_entries(stack, reference)

    response = stack.call("post", f"/staff/cases/{reference}/{route}", SCREENER, {"purpose": "Why"})

    assert response.status_code == 200, response.json_body
    assert audit_entries(stack, reference) == before + 1
