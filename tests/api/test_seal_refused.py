"""A sealed value that refuses to open is answered 409 `seal_refused`, recorded and counted.

A ciphertext moved from case B onto case A (a direct table edit, or a writer's bug) must not
open on A; the staff member asking gets a clear problem without any value, the refusal is
logged by id and counted as `SealRefused` (alarmed), and where A's audit chain can take it,
an `unseal_refused` entry names the field. An untouched case still opens as before.

All tests of this module share one mocked stack (see `tests.api.shared_stack`).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.cases.ledger import CaseLedger
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.reports_table import CaseUpdate
from tests.api.emf import metrics
from tests.api.shared_stack import Stack
from tests.api.test_rights import Reporter, audit_entries
from tests.sentinels import Blob, occurrences

SCREENER = "ss-screener"
PURPOSE = {"purpose": "To arrange a first call"}
REFUSED = {
    "error": "seal_refused",
    "message": "Stored data did not pass its integrity check and was not opened. "
    "This has been recorded and the operations team alerted.",
}
SEAL_REFUSED_ONCE = [
    {
        "namespace": "ReportSupport",
        "name": "SealRefused",
        "dimensions": {"service": "report-support"},
        "value": [1.0],
    }
]


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def case_key(stack: Stack, reference: str) -> dict[str, Any]:
    return {"pk": {"S": f"REPORT#{stack.report_id(reference)}"}, "sk": {"S": "REPORT"}}


def actions(stack: Stack, reference: str) -> list[str]:
    return [entry["action"] for entry in audit_entries(stack, reference)]


def test_a_reveal_of_a_case_holding_another_cases_contact_is_refused_and_counted(
    stack: Stack, logs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given case A whose sealed contact was replaced in the table by case B's
    a, b = Reporter.new(), Reporter.new()
    mine, theirs = stack.submit(a.submission()), stack.submit(b.submission())
    services.dynamodb().update_item(
        TableName=stack.settings.reports_table,
        Key=case_key(stack, mine),
        UpdateExpression="SET sealed.contact = :moved",
        ExpressionAttributeValues={":moved": stack.case_item(theirs)["sealed"]["M"]["contact"]},
    )
    capsys.readouterr()

    # When a screener reveals A, then B (untouched)
    refused = stack.call("post", f"/staff/cases/{mine}/reveal", SCREENER, PURPOSE)
    printed = capsys.readouterr().out
    control = stack.call("post", f"/staff/cases/{theirs}/reveal", SCREENER, PURPOSE)

    # Then A's reveal is a clear 409 holding no value, logged by id and counted once
    assert refused.status_code == 409
    assert refused.json_body == REFUSED
    assert (
        occurrences([Blob("answer", json.dumps(refused.json_body))], a.values() + b.values()) == []
    )
    assert metrics(printed) == SEAL_REFUSED_ONCE
    warned = [json.loads(line) for line in logs if "sealed value refused" in line]
    assert {(line["level"], line["error_type"]) for line in warned} == {("WARNING", "SealBroken")}
    assert all(stack.report_id(mine) in line["seal"] for line in warned)
    logged = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    assert occurrences(logged, a.values() + b.values()) == []
    # And B, untouched, still opens
    assert control.status_code == 200, control.json_body
    assert control.json_body["contact"]["email"] == b.email


def test_a_refused_contact_under_a_sound_chain_is_recorded_on_the_case_after_the_reveal(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a writer that stored case B's sealed contact on case A (a bug, signed as any write)
    a, b = Reporter.new(), Reporter.new()
    mine, theirs = stack.submit(a.submission()), stack.submit(b.submission())
    store = services.casework().cases
    case = store.case(stack.report_id(mine))
    other = store.case(stack.report_id(theirs))
    assert case is not None and other is not None
    ledger = CaseLedger(store, services.audit_trail(), services.identity_sealer(), stack.clock)
    sealed = {**case["sealed"], "contact": other["sealed"]["contact"]}
    ledger.commit(
        "faulty-writer",
        CaseItem.from_item(case),
        CaseUpdate(changes={"sealed": sealed}),
        [],
        "edit",
        {},
        None,
    )
    capsys.readouterr()

    # When a screener reveals A
    response = stack.call("post", f"/staff/cases/{mine}/reveal", SCREENER, PURPOSE)

    # Then the reveal is refused, counted, and A's chain says who looked and what did not open
    assert response.status_code == 409
    assert response.json_body == REFUSED
    assert metrics(capsys.readouterr().out) == SEAL_REFUSED_ONCE
    entries = audit_entries(stack, mine)
    assert [entry["action"] for entry in entries[-3:]] == ["edit", "reveal", "unseal_refused"]
    assert (entries[-1]["actor"], entries[-1]["details"]) == (SCREENER, {"field": "contact"})
    assert actions(stack, theirs)[-1] != "unseal_refused"


def test_a_timeline_note_moved_from_another_case_is_withheld_and_recorded(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given case A with two notes, the first's text replaced in the table by a note of B's
    a, b = Reporter.new(), Reporter.new()
    mine, theirs = stack.submit(a.submission()), stack.submit(b.submission())
    for reference, text in ((mine, "Anote first"), (mine, "Anote second"), (theirs, "Bnote")):
        added = stack.call(
            "post",
            f"/staff/cases/{reference}/timeline",
            SCREENER,
            {"entry": {"type": "note", "text": text}},
        )
        assert added.status_code == 201, added.json_body
        stack.clock.moment += timedelta(minutes=1)  # the timeline is in time order
    notes = {
        reference: [i for i in stack.partition(reference) if i["sk"]["S"].startswith("TIMELINE#")]
        for reference in (mine, theirs)
    }
    first, second = notes[mine]
    services.dynamodb().update_item(
        TableName=stack.settings.reports_table,
        Key={"pk": first["pk"], "sk": first["sk"]},
        UpdateExpression="SET sealed_text = :moved",
        ExpressionAttributeValues={":moved": notes[theirs][0]["sealed_text"]},
    )
    capsys.readouterr()

    # When a screener reads A's timeline
    response = stack.call("post", f"/staff/cases/{mine}/timeline/read", SCREENER, PURPOSE)

    # Then the moved note is withheld, the other shown, and the refusal counted and recorded
    assert response.status_code == 200, response.json_body
    texts = {entry["entry_id"]: entry["text"] for entry in response.json_body["entries"]}
    assert texts == {first["entry_id"]["S"]: None, second["entry_id"]["S"]: "Anote second"}
    assert metrics(capsys.readouterr().out) == SEAL_REFUSED_ONCE
    entries = audit_entries(stack, mine)
    assert [entry["action"] for entry in entries[-2:]] == ["read_timeline", "unseal_refused"]
    assert (entries[-1]["actor"], entries[-1]["details"]) == (
        SCREENER,
        {"field": f"timeline.{first['entry_id']['S']}"},
    )
