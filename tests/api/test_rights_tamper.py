"""A report whose email blind index was copied from the subject's is not the subject's.

Someone able to write the reports table sets report B's `email_mac` to subject A's (a
direct table edit). The index only finds candidates: A's subject access export, erasure and
rectification must still act on A's reports alone, since B's sealed contact (which no table
writer can move between reports) holds B's address. The report left out is logged by id and
counted as `BlindIndexMismatch`, never with a personal value.

All tests of this module share one mocked stack (see `tests.api.shared_stack`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import services
from tests.api.emf import metrics
from tests.api.shared_stack import Stack
from tests.api.test_rights import DPO, REQUESTS, Reporter, audit_entries, log_request
from tests.sentinels import Blob, occurrences


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def copy_email_index(stack: Stack, source: str, target: str) -> None:
    """Give the target case the source case's email blind index, as a table writer could."""
    services.dynamodb().update_item(
        TableName=stack.settings.reports_table,
        Key={"pk": {"S": f"REPORT#{stack.report_id(target)}"}, "sk": {"S": "REPORT"}},
        UpdateExpression="SET email_mac = :mac",
        ExpressionAttributeValues={":mac": stack.case_item(source)["email_mac"]},
    )


def mismatch(count: int) -> list[dict[str, Any]]:
    one = {
        "namespace": "ReportSupport",
        "name": "BlindIndexMismatch",
        "dimensions": {"service": "report-support"},
        "value": [1.0],
    }
    return [one] * count


def test_an_export_leaves_out_a_report_that_only_carries_the_subjects_email_index(
    stack: Stack, logs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given subject A's report and B's report, B carrying A's email index
    subject, someone_else = Reporter.new(), Reporter.new()
    mine = stack.submit(subject.submission())
    theirs = stack.submit(someone_else.submission())
    copy_email_index(stack, mine, theirs)
    request = log_request(stack, "access", subject.email)
    their_audit = len(audit_entries(stack, theirs))
    capsys.readouterr()

    # When A's subject access export is made
    response = stack.call(
        "post", f"{REQUESTS}/{request['request_id']}/export", DPO, {"reason": "SAR received"}
    )

    # Then it holds A's report and not B's, and B's chain records no export
    assert response.status_code == 200, response.json_body
    assert [report["reference"] for report in response.json_body["reports"]] == [mine]
    assert response.json_body["reports"][0]["contact"]["email"] == subject.email
    text = json.dumps(response.json_body)
    assert theirs not in text
    assert occurrences([Blob("export", text)], someone_else.values()) == []
    assert len(audit_entries(stack, theirs)) == their_audit
    # And the mismatch is logged by id and counted once, with no personal value anywhere
    assert metrics(capsys.readouterr().out) == mismatch(1)
    flagged = [
        json.loads(line) for line in logs if "blind index does not match the sealed contact" in line
    ]
    assert {(line["request_id"], line["report_id"]) for line in flagged} == {
        (request["request_id"], stack.report_id(theirs))
    }
    logged = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    assert occurrences(logged, [*subject.values(), *someone_else.values()]) == []
    shown = stack.call("get", f"{REQUESTS}/{request['request_id']}", DPO).json_body
    assert [report["reference"] for report in shown["reports"]] == [mine]


def test_an_erasure_erases_the_subjects_report_and_leaves_the_other_in_place(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given A's report and B's report carrying A's email index
    subject, someone_else = Reporter.new(), Reporter.new()
    mine = stack.submit(subject.submission())
    theirs = stack.submit(someone_else.submission())
    copy_email_index(stack, mine, theirs)
    request_id = log_request(stack, "erasure", subject.email)["request_id"]
    their_partition = stack.partition(theirs)
    capsys.readouterr()

    # When A's erasure is carried out
    response = stack.call(
        "post", f"{REQUESTS}/{request_id}/erasure", DPO, {"reason": "Subject asked to be forgotten"}
    )

    # Then A's report is erased, B's is exactly as it was (not even an audit entry)
    assert response.status_code == 200, response.json_body
    assert response.json_body["history"][-1]["references"] == [mine]
    assert "sealed" not in stack.case_item(mine)
    assert stack.partition(theirs) == their_partition
    assert "contact" in stack.case_item(theirs)["sealed"]["M"]
    assert {m["name"] for m in metrics(capsys.readouterr().out)} == {"BlindIndexMismatch"}


def test_a_rectification_of_the_other_report_is_refused_and_its_contact_unchanged(
    stack: Stack,
) -> None:
    # Given A's report and B's report carrying A's email index, and A's rectification request
    subject, someone_else = Reporter.new(), Reporter.new()
    mine = stack.submit(subject.submission())
    theirs = stack.submit(someone_else.submission())
    copy_email_index(stack, mine, theirs)
    request_id = log_request(stack, "rectification", subject.email)["request_id"]
    their_partition = stack.partition(theirs)
    path = f"{REQUESTS}/{request_id}/rectification"
    correction = {"contact": {"phone": "+44 7700 900001"}, "reason": "Subject asked"}

    # When the request is used to correct B's report, and then A's
    refused = stack.call("post", path, DPO, {"reference": theirs, **correction})
    accepted = stack.call("post", path, DPO, {"reference": mine, **correction})

    # Then B's report is refused as not the subject's and left exactly as it was
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json_body["errors"]] == ["reference"]
    assert stack.partition(theirs) == their_partition
    # And A's own report is corrected
    assert accepted.status_code == 200, accepted.json_body
    assert accepted.json_body["history"][-1]["references"] == [mine]


def test_a_report_erased_by_another_request_leaves_quietly_without_an_alarm(
    stack: Stack, logs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an access request that found A's report, which a second request then erased
    subject = Reporter.new()
    mine = stack.submit(subject.submission())
    access = log_request(stack, "access", subject.email)
    erasure = log_request(stack, "erasure", subject.email)["request_id"]
    erased = stack.call(
        "post", f"{REQUESTS}/{erasure}/erasure", DPO, {"reason": "Subject asked to be forgotten"}
    )
    assert erased.status_code == 200, erased.json_body
    capsys.readouterr()

    # When the access request is viewed
    shown = stack.call("get", f"{REQUESTS}/{access['request_id']}", DPO)

    # Then it listed the report before, lists nothing now, and nothing is alarmed
    assert [report["reference"] for report in access["reports"]] == [mine]
    assert shown.status_code == 200, shown.json_body
    assert shown.json_body["reports"] == []
    assert metrics(capsys.readouterr().out) == []
    assert not [line for line in logs if "blind index does not match" in line]
