"""Paging cursors are opaque and good only for the list they came from.

A cursor made up, cut short, changed, or taken from another team's queue or from another
list is refused with a 400 naming `cursor` (never a 503, never another team's page); the
cursor the API itself handed out for page 1 brings page 2.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.shared_stack import Stack
from tests.factories import named_submission

SCREENER, OTHER_TEAMS_SCREENER, ADMIN = "ss-screener", "hr-screener", "dpo-admin"


@pytest.fixture(autouse=True)
def _fresh_tables_clock_and_mailbox(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def _queue(stack: Stack, user: str, cursor: str) -> Any:
    return stack.call("get", f"/staff/queue?cursor={cursor}", user)


def _b64(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


def _refused_naming_cursor(response: Any) -> bool:
    return response.status_code == 400 and [
        error["field"] for error in response.json_body["errors"]
    ] == ["cursor"]


def test_only_the_api_s_own_cursor_for_this_queue_opens_the_next_page(stack: Stack) -> None:
    # Given 26 cases in student support's queue (a page is 25)
    references = {stack.submit(named_submission()) for _ in range(26)}
    first = stack.call("get", "/staff/queue", SCREENER)
    assert first.status_code == 200
    assert len(first.json_body["cases"]) == 25
    cursor = first.json_body["next_cursor"]
    assert isinstance(cursor, str)

    # Then the cursor from page 1 brings page 2: the one case left, and no more pages
    second = _queue(stack, SCREENER, cursor)
    assert second.status_code == 200
    assert len(second.json_body["cases"]) == 1
    assert second.json_body["next_cursor"] is None
    shown = [row["reference"] for row in first.json_body["cases"] + second.json_body["cases"]]
    assert sorted(shown) == sorted(references)

    # And every other cursor is refused naming it
    last_case = first.json_body["cases"][-1]
    forged_key = _b64(
        {
            "pk": {"S": "REPORT#00000000-0000-0000-0000-000000000000"},
            "sk": {"S": "REPORT"},
            "queue_team": {"S": "human_resources"},
            "queue_order": {"S": "0"},
        }
    )
    flipped = "A" if cursor[-5] != "A" else "B"
    crafted = {
        "a forged key of another team": forged_key,
        "base64 JSON naming a listed case": _b64({"reference": last_case["reference"]}),
        "page 1's cursor cut short": cursor[: len(cursor) // 2],
        "page 1's cursor with its tag changed": cursor[:-5] + flipped + cursor[-4:],
        "page 1's cursor with a byte more": cursor + "AA",
        "not base64 at all": "%25%00%ff",
        "far too long": "A" * 5000,
    }
    for why, bad in crafted.items():
        assert _refused_naming_cursor(_queue(stack, SCREENER, bad)), why

    # A cursor of student support's queue opens nothing in human resources' queue
    assert _refused_naming_cursor(_queue(stack, OTHER_TEAMS_SCREENER, cursor))
    assert stack.call("get", "/staff/queue", OTHER_TEAMS_SCREENER).status_code == 200
    # nor in another list altogether (the retention log)
    log = stack.call("get", f"/staff/records?month=2026-11&cursor={cursor}", ADMIN)
    assert _refused_naming_cursor(log)
    assert stack.call("get", "/staff/records?month=2026-11", ADMIN).status_code == 200
