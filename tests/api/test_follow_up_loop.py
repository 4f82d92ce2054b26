"""The whole anonymous follow-up loop over HTTP: a report with a receipt code, a question
from staff, the reporter's answer through the code, and staff reading it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import post_json
from tests.api.shared_stack import START, Stack
from tests.api.test_follow_up import NOT_FOUND, one_changed, report_with_follow_up

SCREENER = "ss-screener"
MESSAGES = "/reports/follow-up/messages"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def send(stack: Stack, code: str, text: str, **extra: object) -> object:
    return post_json(stack.client, MESSAGES, {"receipt_code": code, "text": text, **extra})


def test_staff_ask_the_reporter_answers_with_the_code_and_staff_read_it(stack: Stack) -> None:
    # Given an anonymous report whose reporter kept a receipt code
    reference, code = report_with_follow_up(stack)

    # When staff ask a question in the thread
    asked = stack.call(
        "post", f"/staff/cases/{reference}/messages", SCREENER, {"text": "Was anyone with you?"}
    )
    assert asked.status_code == 201, asked.json_body

    # Then the reporter sees it with their code, and that an answer is hoped for
    stack.clock.moment = START + timedelta(hours=2)
    opened = post_json(stack.client, "/reports/follow-up", {"receipt_code": code}).json_body
    assert [(m["from"], m["text"]) for m in opened["messages"]] == [
        ("staff", "Was anyone with you?")
    ]
    assert opened["reply_expected"] is True

    # When the reporter answers through the code
    answered = send(stack, code, "  A friend was with me.  ")
    assert answered.status_code == 201, answered.json_body
    assert set(answered.json_body) == {"message_id", "at"}

    # Then staff read both messages, oldest first, and owe a reply two working days on
    # (sent on a Friday at 12:30: due the Tuesday at 12:30, London time = UTC in November)
    thread = stack.call("get", f"/staff/cases/{reference}/messages", SCREENER).json_body
    assert [(m["from"], m["text"]) for m in thread["messages"]] == [
        ("staff", "Was anyone with you?"),
        ("reporter", "A friend was with me."),
    ]
    assert thread["reply_due"] == "2026-11-24T12:30:00.000Z"
    # and the reporter's copy now shows their own answer last, no answer hoped for
    again = post_json(stack.client, "/reports/follow-up", {"receipt_code": code}).json_body
    assert [m["from"] for m in again["messages"]] == ["staff", "reporter"]
    assert again["reply_expected"] is False


def test_a_message_with_a_wrong_code_is_refused_as_an_unknown_code_and_nothing_written(
    stack: Stack,
) -> None:
    reference, code = report_with_follow_up(stack)

    refused = send(stack, one_changed(code), "Hello")

    assert refused.status_code == 404
    assert refused.json_body == NOT_FOUND
    thread = stack.call("get", f"/staff/cases/{reference}/messages", SCREENER).json_body
    assert thread["messages"] == []
    assert thread["reply_due"] is None
    # the right code writes
    assert send(stack, code, "Hello").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "Hello", "name": "Sam"}, "name"),
        ({"text": "Hello", "receipt_code": "not-a-code"}, "receipt_code"),
    ],
)
def test_a_bad_message_is_refused_naming_the_field(
    stack: Stack, body: dict[str, object], field: str
) -> None:
    reference, code = report_with_follow_up(stack)

    refused = post_json(stack.client, MESSAGES, {"receipt_code": code, **body})

    assert refused.status_code == 400
    assert [problem["field"] for problem in refused.json_body["errors"]] == [field]
    thread = stack.call("get", f"/staff/cases/{reference}/messages", SCREENER).json_body
    assert thread["messages"] == []


def test_a_message_at_the_limit_is_taken(stack: Stack) -> None:
    _reference, code = report_with_follow_up(stack)

    assert send(stack, code, "é" * 5000).status_code == 201
    assert send(stack, code, "é" * 5001).status_code == 400
