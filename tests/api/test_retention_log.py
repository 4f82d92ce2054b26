"""The retention log (`GET /staff/records?month=YYYY-MM`): the data protection officer's
proof of what retention did in a month, without knowing references in advance — each
redaction (by the sweep or an admin's erasure, under which rule) while the case is held,
each deletion as its verified tombstone, in the month (the institution's) it happened.

All tests share one mocked stack; before each the case tables are emptied and the clock
set back to START (2026-11-20). With the default windows a case closed at START is redacted
at REDACT_AT (2027-05-20) and deleted at DELETE_AT (2029-11-20).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import records
from chalicelib.clock import iso
from chalicelib.storage.dynamo import plain
from tests.api.shared_stack import START, Stack
from tests.api.test_records import edit_tombstone
from tests.api.test_retention import (
    DELETE_AT,
    REDACT_AT,
    anonymous_filed,
    run_crashing,
    sweep_at,
    worked_case,
)
from tests.api.test_rights import DPO, REQUESTS, Reporter, audit_entries, log_request

ADMIN = "dpo-admin"
OTHERS = ("ss-screener", "ss-advisor-1", "di-analyst")
REDACTED_IN, DELETED_IN = "2027-05", "2029-11"
NOTHING_LOGGED = {"redactions": [], "deletions": [], "next_cursor": None}


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


def log_call(stack: Stack, query: str = "", user: str = ADMIN) -> Any:
    return stack.call("get", f"/staff/records{query}", user)


def logged(stack: Stack, month: str, cursor: str | None = None) -> dict[str, Any]:
    query = f"?month={month}" + (f"&cursor={cursor}" if cursor else "")
    response = log_call(stack, query)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def references(page: dict[str, Any], kind: str) -> list[str]:
    return [entry["reference"] for entry in page[kind]]


# --- redactions -------------------------------------------------------------------------------


def test_a_redaction_by_the_sweep_is_listed_in_its_month_with_its_rule(stack: Stack) -> None:
    reference, sentinels = worked_case(stack)
    sweep_at(stack, REDACT_AT)

    response = log_call(stack, f"?month={REDACTED_IN}")

    assert response.status_code == 200, response.json_body
    redact_entry = [e for e in audit_entries(stack, reference) if e["action"] == "redact"]
    assert response.json_body == {
        "month": REDACTED_IN,
        "redactions": [
            {
                "reference": reference,
                "redacted_at": iso(REDACT_AT),
                "actor": "system:retention",
                "by": "sweep",
                "rule": "redact_named_after_months=6",
                "audit_seq": redact_entry[0]["seq"],
            }
        ],
        "deletions": [],
        "next_cursor": None,
    }
    assert [value for value in sentinels if value in response.body.decode()] == []


@pytest.mark.parametrize("month", ["2027-04", "2027-06", "2026-05"])
def test_a_redaction_is_not_listed_in_another_month(stack: Stack, month: str) -> None:
    worked_case(stack)
    sweep_at(stack, REDACT_AT)

    assert logged(stack, month) == {"month": month, **NOTHING_LOGGED}


def test_a_redaction_by_an_admins_erasure_names_the_admin(stack: Stack) -> None:
    subject = Reporter.new()
    reference = stack.submit(subject.submission())
    request_id = log_request(stack, "erasure", subject.email)["request_id"]
    stack.clock.moment = START + timedelta(days=3)
    reason = f"Subject asked to be forgotten {subject.tag}"

    erased = stack.call("post", f"{REQUESTS}/{request_id}/erasure", DPO, {"reason": reason})

    assert erased.status_code == 200, erased.json_body
    response = log_call(stack, "?month=2026-11")
    erase_entry = [e for e in audit_entries(stack, reference) if e["action"] == "erase"]
    assert response.json_body["redactions"] == [
        {
            "reference": reference,
            "redacted_at": iso(START + timedelta(days=3)),
            "actor": DPO,
            "by": "admin",
            "rule": "erasure_request",
            "audit_seq": erase_entry[0]["seq"],
        }
    ]
    leaked = [value for value in (*subject.values(), reason) if value in response.body.decode()]
    assert leaked == []


def test_a_month_is_the_institutions_month_not_utcs(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    sweep_at(stack, datetime(2027, 5, 31, 23, 30, tzinfo=UTC))

    assert references(logged(stack, "2027-06"), "redactions") == [reference]
    assert logged(stack, "2027-05")["redactions"] == []


# --- deletions --------------------------------------------------------------------------------


def test_a_deletion_is_listed_in_its_month_with_its_verified_tombstone(stack: Stack) -> None:
    reference = anonymous_filed(stack)
    last_head = plain(stack.case_item(reference))
    sweep_at(stack, DELETE_AT)

    page = logged(stack, DELETED_IN)

    assert page == {
        "month": DELETED_IN,
        "redactions": [],
        "deletions": [
            {
                "reference": reference,
                "mode": "anonymous",
                "due_at": iso(DELETE_AT),
                "deleted_at": iso(DELETE_AT),
                "rule": "delete_anonymised_after_years=3",
                "actor": "system:retention",
                "audit_seq": int(last_head["audit_seq"]),
                "audit_hash": last_head["audit_hash"],
                "signature_verified": True,
            }
        ],
        "next_cursor": None,
    }
    assert logged(stack, "2029-10") == {"month": "2029-10", **NOTHING_LOGGED}
    assert logged(stack, "2029-12") == {"month": "2029-12", **NOTHING_LOGGED}


def test_a_later_deletion_moves_a_case_from_its_redaction_month_to_its_deletion_month(
    stack: Stack,
) -> None:
    reference, sentinels = worked_case(stack)
    sweep_at(stack, REDACT_AT)
    assert references(logged(stack, REDACTED_IN), "redactions") == [reference]

    sweep_at(stack, DELETE_AT)

    assert logged(stack, REDACTED_IN) == {"month": REDACTED_IN, **NOTHING_LOGGED}
    response = log_call(stack, f"?month={DELETED_IN}")
    assert response.json_body["redactions"] == []
    [tombstone] = response.json_body["deletions"]
    assert (tombstone["reference"], tombstone["mode"]) == (reference, "named")
    assert tombstone["signature_verified"] is True
    assert [value for value in sentinels if value in response.body.decode()] == []


def test_a_deletion_that_crashed_midway_is_listed_once_as_a_deletion(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)

    run_crashing(stack, DELETE_AT, allowed=1, lands=False)  # tombstone written, case remains

    assert "deletion_started_at" in plain(stack.case_item(reference))
    assert logged(stack, REDACTED_IN)["redactions"] == []
    assert references(logged(stack, DELETED_IN), "deletions") == [reference]


def test_an_edited_tombstone_is_listed_as_not_verified(stack: Stack) -> None:
    reference = anonymous_filed(stack)
    sweep_at(stack, DELETE_AT)
    edit_tombstone(stack, reference, rule={"S": "delete_anonymised_after_years=1"})

    [tombstone] = logged(stack, DELETED_IN)["deletions"]

    assert (tombstone["rule"], tombstone["signature_verified"]) == (
        "delete_anonymised_after_years=1",
        False,
    )


# --- order, pages, the default month ----------------------------------------------------------


def test_a_month_is_listed_oldest_first_a_page_at_a_time(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "LOG_PAGE_SIZE", 2)
    filed = []
    for day in range(3):
        stack.clock.moment = START + timedelta(days=day)
        filed.append(anonymous_filed(stack))
    for day in range(3):  # each deleted on its own day, as its deletion falls due
        assert sweep_at(stack, DELETE_AT + timedelta(days=day))["deleted"] == 1

    first = logged(stack, DELETED_IN)
    second = logged(stack, DELETED_IN, first["next_cursor"])

    assert references(first, "deletions") == filed[:2]
    assert first["next_cursor"] is not None
    assert references(second, "deletions") == filed[2:]
    assert second["next_cursor"] is None


def test_without_a_month_the_current_month_is_listed(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)

    response = log_call(stack)

    assert response.status_code == 200, response.json_body
    assert response.json_body["month"] == REDACTED_IN
    assert references(response.json_body, "redactions") == [reference]


# --- bad input, other roles -------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2027-13", "2027-5", "May", "2027-05-01", "2027-00"])
def test_a_bad_month_is_refused_naming_it(stack: Stack, month: str) -> None:
    response = log_call(stack, f"?month={month}")

    assert response.status_code == 400
    assert [error["field"] for error in response.json_body["errors"]] == ["month"]


def test_an_unknown_query_or_a_bad_cursor_is_refused_naming_it(stack: Stack) -> None:
    unknown = log_call(stack, "?month=2027-05&reference=RS-AAAA-AAAA")
    bad_cursor = log_call(stack, "?month=2027-05&cursor=not-a-cursor")

    assert [error["field"] for error in unknown.json_body["errors"]] == ["reference"]
    assert [error["field"] for error in bad_cursor.json_body["errors"]] == ["cursor"]
    assert (unknown.status_code, bad_cursor.status_code) == (400, 400)


@pytest.mark.parametrize("user", OTHERS)
def test_only_an_admin_may_read_the_log(stack: Stack, user: str) -> None:
    reference = anonymous_filed(stack)
    sweep_at(stack, DELETE_AT)

    response = log_call(stack, f"?month={DELETED_IN}", user)

    assert (response.status_code, response.json_body["error"]) == (403, "forbidden")
    assert reference not in response.body.decode()
