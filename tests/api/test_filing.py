"""Filing a case: a named reporter who asked to talk to someone is not filed away unseen.

All tests of this module share one mocked stack (see `tests.api.shared_stack`). The default
institution's record-only answer is `desired_outcome: record_only`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.shared_stack import Stack
from tests.api.test_case_workflow import SCREENER, audit, view
from tests.factories import anonymous_submission, named_submission

TALK = {"desired_outcome": ["talk_to_someone", "know_my_options"]}
RECORD_ONLY = {"desired_outcome": ["record_only"]}


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def file_case(stack: Stack, reference: str, **extra: Any) -> Any:
    body = {
        "to": "filed",
        "reason": "Nothing to act on",
        "version": view(stack, reference)["version"],
        **extra,
    }
    return stack.call("post", f"/staff/cases/{reference}/transitions", SCREENER, body)


@pytest.mark.parametrize(
    "answers", [TALK, {"desired_outcome": None}], ids=["asked-to-talk", "outcome-unanswered"]
)
def test_a_named_report_whose_reporter_asked_for_contact_is_not_filed_with_a_reason_alone(
    stack: Stack, answers: dict[str, Any]
) -> None:
    reference = stack.submit(named_submission(answers=answers))
    before = stack.partition(reference)

    response = file_case(stack, reference)

    assert response.status_code == 400, response.json_body
    assert response.json_body["error"] == "invalid_input"
    assert response.json_body["errors"] == [
        {
            "field": "override_reason",
            "message": "is required: the reporter asked to talk to someone; record why they "
            "will not be contacted, or assign the case to an advisor",
        }
    ]
    assert stack.partition(reference) == before
    assert view(stack, reference)["status"] == "awaiting_screening"


def test_the_screener_files_it_by_recording_why_and_the_audit_keeps_both_reasons(
    stack: Stack,
) -> None:
    reference = stack.submit(named_submission(answers=TALK))
    closing = {
        "to": "closed",
        "outcome": "no_further_action",
        "reason": "Nothing more to do",
        "override_reason": "Not needed",
        "version": view(stack, reference)["version"],
    }
    # an override belongs to filing alone
    refused = stack.call("post", f"/staff/cases/{reference}/transitions", SCREENER, closing)
    assert refused.status_code == 400, refused.json_body
    assert [problem["field"] for problem in refused.json_body["errors"]] == ["override_reason"]

    response = file_case(
        stack, reference, override_reason="Reporter phoned to say they want no contact"
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["status"] == "filed"
    entry = audit(stack, reference)["entries"][-1]
    assert entry["action"] == "transition"
    assert entry["details"] == {
        "from": "awaiting_screening",
        "to": "filed",
        "override": True,
    }
    assert entry["reason"] == (
        "Nothing to act on\nOverride: Reporter phoned to say they want no contact"
    )


def test_a_report_whose_reporter_wants_no_contact_is_filed_with_a_reason_alone(
    stack: Stack,
) -> None:
    # given a named reporter who asked for a record only, and an anonymous reporter
    references = [
        stack.submit(named_submission(answers=RECORD_ONLY)),
        stack.submit(anonymous_submission()),
    ]

    for reference in references:
        response = file_case(stack, reference)

        assert response.status_code == 200, response.json_body
        assert response.json_body["status"] == "filed"
        entry = audit(stack, reference)["entries"][-1]
        assert entry["details"] == {"from": "awaiting_screening", "to": "filed"}
        assert entry["reason"] == "Nothing to act on"
