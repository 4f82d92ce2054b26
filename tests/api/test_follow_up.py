"""An anonymous reporter comes back with their receipt code (issue 14): the code is issued
with the report, opens a copy of it, and nothing else; unknown, wrong and deleted codes are
one answer; a flood of guesses spends a global budget and then waits.

All tests share one mocked stack (`tests.api.shared_stack`); before each the case tables are
emptied and the clock set back to START (Friday 2026-11-20 10:30 UTC).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.reports.receipt_code import normalised
from tests.api.conftest import post_json
from tests.api.shared_stack import START, Stack
from tests.api.test_case_workflow import audit, move
from tests.factories import anonymous_submission, named_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences

FOLLOW_UP = "/reports/follow-up"
NOT_FOUND = {
    "error": "receipt_not_found",
    "message": "No report matches this code. Check it, or the report may no longer exist.",
}
#: The default windows: an anonymous report is deleted three years after submission.
DELETE_AT = datetime(2029, 11, 20, 10, 30, tzinfo=START.tzinfo)
ALPHABET = "23456789BCDFGHJKMNPQRSTWXZ"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def report_with_follow_up(stack: Stack, **overrides: Any) -> tuple[str, str]:
    """Submit an anonymous report asking for follow-up, triage it; (reference, code)."""
    response = post_json(
        stack.client, "/reports", anonymous_submission(follow_up=True, **overrides)
    )
    assert response.status_code == 201, response.json_body
    stack.drain()
    return response.json_body["reference"], response.json_body["follow_up"]["receipt_code"]


def open_with(stack: Stack, code: str, **extra: Any) -> Any:
    return post_json(stack.client, FOLLOW_UP, {"receipt_code": code, **extra})


def one_changed(code: str) -> str:
    """The code with its last character changed to another of the alphabet."""
    last = code[-1]
    return code[:-1] + (ALPHABET[0] if last != ALPHABET[0] else ALPHABET[1])


def raw(response: Any) -> tuple[int, bytes, dict[str, str]]:
    return response.status_code, response.body, dict(response.headers)


# --- the loop --------------------------------------------------------------------------------


def test_a_follow_up_report_gets_a_code_that_opens_a_copy_of_it(stack: Stack) -> None:
    body = anonymous_submission(
        follow_up=True,
        answers={
            "reporting_for": "witness",
            "affected_role": "staff",
            "under_18": "no",
            "involved_names": [{"name": "Sam Example"}, {"name_unknown": True}],
        },
        narrative="It happened in the corridor after the lecture.",
    )
    accepted = post_json(stack.client, "/reports", body)
    stack.drain()

    assert accepted.status_code == 201
    issued = accepted.json_body["follow_up"]
    assert set(issued) == {"receipt_code", "look_again_on"}
    # Two working days after a Friday morning: the Tuesday.
    assert issued["look_again_on"] == "2026-11-24"
    code = issued["receipt_code"]
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4, 4, 4]
    assert set("".join(groups)) <= set(ALPHABET)

    # typed back in lower case, with spaces for hyphens: the same code
    opened = open_with(stack, code.lower().replace("-", " "))

    assert opened.status_code == 200, opened.json_body
    copy = opened.json_body
    assert copy["reference"] == accepted.json_body["reference"]
    assert copy["submitted_at"] == "2026-11-20T10:30:00.000Z"
    assert copy["status"] == "received"
    assert copy["narrative"] == "It happened in the corridor after the lecture."
    assert copy["messages"] == []
    assert copy["reply_expected"] is False
    answers = {json.dumps(a["question"], sort_keys=True): a["answer"] for a in copy["answers"]}
    assert answers[
        json.dumps({"en": "What happened?", "cy": "Beth ddigwyddodd?"}, sort_keys=True)
    ] == {
        "en": "Verbal harassment",
        "cy": "Aflonyddu geiriol",
    }
    names_question = {
        "en": "If you want to, tell us who was involved.",
        "cy": "Os hoffech chi, dywedwch wrthon ni pwy oedd dan sylw.",
    }
    assert answers[json.dumps(names_question, sort_keys=True)] == {
        "en": "Sam Example, name not known",
        "cy": "Sam Example, enw ddim yn hysbys",
    }
    # asked of a witness in a witness's words, with the option as they were offered it
    witness_question = {
        "en": "Is the person it happened to under 18?",
        "cy": "Ydy'r person a gafodd ei effeithio o dan 18 oed?",
    }
    assert answers[json.dumps(witness_question, sort_keys=True)] == {"en": "No", "cy": "Nac ydy"}
    under_18 = {"en": "Are you under 18?", "cy": "Ydych chi o dan 18 oed?"}
    assert json.dumps(under_18, sort_keys=True) not in answers
    assert copy["answers"][0] == {
        "question": {
            "en": "Which best describes you?",
            "cy": "Pa un sy'n eich disgrifio chi orau?",
        },
        "answer": {"en": "Student", "cy": "Myfyriwr"},
    }
    # The opening is in the case's audit chain, by the reporter.
    trail = audit(stack, copy["reference"], "dpo-admin")
    assert trail["verification"]["intact"] is True
    assert trail["entries"][-1]["action"] == "follow_up_opened"
    assert trail["entries"][-1]["actor"] == "reporter"


def test_the_status_is_told_in_plain_words_as_the_case_moves(stack: Stack) -> None:
    reference, code = report_with_follow_up(stack)
    assert open_with(stack, code).json_body["status"] == "received"

    assert move(stack, reference, "filed", reason="Nothing to act on").status_code == 200

    assert open_with(stack, code).json_body["status"] == "recorded"


def test_a_report_without_follow_up_gets_no_code(stack: Stack) -> None:
    accepted = post_json(stack.client, "/reports", anonymous_submission())

    assert accepted.status_code == 201
    assert "follow_up" not in accepted.json_body
    assert "reference" in accepted.json_body


def test_follow_up_is_refused_on_a_named_report_and_nothing_is_written(stack: Stack) -> None:
    refused = post_json(stack.client, "/reports", named_submission(follow_up=True))

    assert refused.status_code == 400
    assert refused.json_body["errors"] == [
        {"field": "follow_up", "message": "is only for anonymous reports"}
    ]
    items = services.dynamodb().scan(TableName=stack.settings.reports_table)["Items"]
    assert items == []
    # the same report without follow_up is accepted
    assert post_json(stack.client, "/reports", named_submission()).status_code == 201


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "BCDF-2345-GHJK-MNPQ-RST",  # 19 characters
        "BCDF-2345-GHJK-MNPQ-RSTWX",  # 21
        "ABCD-2345-GHJK-MNPQ-RSTW",  # a vowel
        "BCDF-2345-GHJK-MNPQ-RST0",  # a zero
        "BCDF_2345_GHJK_MNPQ_RSTW",  # other separators
        "B" * 65,
        "",
    ],
)
def test_a_malformed_code_is_refused_naming_the_field_and_nothing_else(
    stack: Stack, typed: str
) -> None:
    refused = open_with(stack, typed)

    assert refused.status_code == 400
    assert refused.json_body["errors"] == [
        {"field": "receipt_code", "message": "is not a receipt code"}
    ]
    # a well-formed code is looked up instead
    assert open_with(stack, "BCDF-2345-GHJK-MNPQ-RSTW").status_code == 404


def test_an_extra_field_or_a_missing_code_is_refused_naming_it(stack: Stack) -> None:
    extra = open_with(stack, "BCDF-2345-GHJK-MNPQ-RSTW", reference="RS-7K3M-Q2PD")
    missing = post_json(stack.client, FOLLOW_UP, {})

    assert extra.status_code == 400
    assert extra.json_body["errors"] == [
        {"field": "reference", "message": "is not a field of this request"}
    ]
    assert missing.status_code == 400
    assert missing.json_body["errors"] == [{"field": "receipt_code", "message": "is required"}]


def test_unknown_wrong_and_deleted_codes_get_the_same_answer_byte_for_byte(stack: Stack) -> None:
    reference, code = report_with_follow_up(stack)
    deleted_reference, deleted_code = report_with_follow_up(stack)
    assert move(stack, deleted_reference, "filed", reason="Nothing to act on").status_code == 200
    assert open_with(stack, deleted_code).status_code == 200
    stack.clock.moment = DELETE_AT + timedelta(days=1)
    assert services.retention().sweep()["deleted"] == 1

    unknown = open_with(stack, "BCDF-2345-GHJK-MNPQ-RSTW")
    wrong = open_with(stack, one_changed(code))
    deleted = open_with(stack, deleted_code)

    assert unknown.status_code == 404
    assert unknown.json_body == NOT_FOUND
    assert raw(wrong) == raw(unknown)
    assert raw(deleted) == raw(unknown)
    # the right code of the report still kept opens it
    assert open_with(stack, code).json_body["reference"] == reference


def test_a_replayed_submission_gets_a_new_code_and_the_old_one_stops_working(
    stack: Stack,
) -> None:
    body = anonymous_submission(follow_up=True)
    first = post_json(stack.client, "/reports", body)
    stack.drain()

    again = post_json(stack.client, "/reports", body)

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json_body["reference"] == first.json_body["reference"]
    old, new = first.json_body["follow_up"], again.json_body["follow_up"]
    assert new["receipt_code"] != old["receipt_code"]
    assert new["look_again_on"] == old["look_again_on"] == "2026-11-24"
    assert open_with(stack, old["receipt_code"]).json_body == NOT_FOUND
    assert (
        open_with(stack, new["receipt_code"]).json_body["reference"]
        == (first.json_body["reference"])
    )
    receipts = [
        item
        for item in services.dynamodb().scan(TableName=stack.settings.reports_table)["Items"]
        if item["pk"]["S"].startswith("RECEIPT#")
    ]
    assert len(receipts) == 1


# --- the budget ------------------------------------------------------------------------------


def test_a_flood_of_wrong_codes_is_refused_and_spends_the_budget_then_waits(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.follow_up_desk().budget, "limit", 50)
    _reference, code = report_with_follow_up(stack)
    stack.clock.moment = START + timedelta(minutes=3)  # 10:33, in the window 10:30-10:40
    guesses = [one_changed(code)] + [
        "-".join(
            f"{n:04d}".translate(str.maketrans("0123456789", "23456789BC"))
            for n in (i, i + 1, i + 2, i + 3, i + 4)
        )
        for i in range(1_999)
    ]

    answers = [open_with(stack, guess) for guess in guesses]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [404] * 50 + [429] * 1_950
    refused = answers[-1]
    assert refused.json_body["error"] == "too_many_attempts"
    assert refused.headers["Retry-After"] == "420"
    # the right code waits too while the budget is spent, and so does a malformed one
    right = open_with(stack, code)
    assert right.status_code == 429
    assert open_with(stack, "nonsense").status_code == 429
    # after the window, the right code opens the report
    stack.clock.moment = START + timedelta(minutes=10)
    assert open_with(stack, code).status_code == 200


# --- nothing in clear --------------------------------------------------------------------------


def test_a_receipt_code_is_nowhere_in_clear(stack: Stack, logs: list[str]) -> None:
    codes: list[str] = []
    for _ in range(3):
        _reference, code = report_with_follow_up(stack)
        codes.append(code)
        assert open_with(stack, code).status_code == 200
        assert open_with(stack, one_changed(code)).status_code == 404
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    stored = list(every_table_blob(services.dynamodb()))
    logged = [Blob(f"log line {number}", line) for number, line in enumerate(logs)]
    sentinels = [*codes, *(str(normalised(code)) for code in codes)]

    assert stored and logged, "the scan must search something"
    assert occurrences(stored, sentinels) == []
    assert occurrences(queued, sentinels) == []
    assert occurrences(logged, sentinels) == []
