"""Erasure through the retention service: nothing sealed is left, and every case says who.

Erasure goes through `services.retention().erase`; the refusal under legal hold is tested in
`test_rights.py`.
"""

from __future__ import annotations

import pytest

from chalicelib import services
from tests.api.shared_stack import Stack
from tests.api.test_rights import DPO, REQUESTS, Reporter, audit_entries, log_request
from tests.sentinels import every_table_blob, occurrences


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def test_erasure_leaves_nothing_sealed_and_is_audited_on_every_report(stack: Stack) -> None:
    subject, someone_else = Reporter.new(), Reporter.new()
    mine = [stack.submit(subject.submission()), stack.submit(subject.submission())]
    theirs = stack.submit(someone_else.submission())
    request_id = log_request(stack, "erasure", subject.email)["request_id"]
    before = {ref: len(audit_entries(stack, ref)) for ref in [*mine, theirs]}
    their_partition = stack.partition(theirs)

    response = stack.call(
        "post", f"{REQUESTS}/{request_id}/erasure", DPO, {"reason": "Subject asked to be forgotten"}
    )

    assert response.status_code == 200, response.json_body
    assert (response.json_body["status"], response.json_body["outcome"]) == ("completed", "erased")
    for reference in mine:
        case = stack.case_item(reference)
        assert "sealed" not in case and "email_mac" not in case
        assert not any("sealed_text" in item for item in stack.partition(reference))
        entries = audit_entries(stack, reference)
        assert len(entries) > before[reference]
        assert DPO in [entry["actor"] for entry in entries[before[reference] :]]
    assert stack.partition(theirs) == their_partition
    assert occurrences(every_table_blob(services.dynamodb()), subject.values()) == []
    assert log_request(stack, "access", subject.email)["reports"] == []
