"""Calendar-month arithmetic, retention's schedules, and a redacted audit chain's verification."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.audit import AuditEntry, ChainHead, next_entry, verify
from chalicelib.cases import retention_schedule as retention
from chalicelib.institution.models import Retention as Policy
from chalicelib.months import add_months
from chalicelib.storage.case_item import CaseItem

AT = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def stored(attributes: dict[str, Any]) -> CaseItem:
    """A case item holding `attributes`, and what every case item holds besides."""
    every = {
        "report_id": "c" * 32,
        "reference": "RS-AB12-CD34",
        "mode": "named",
        "status": "closed",
        "version": 3,
        "submitted_at": "2026-01-01T00:00:00.000Z",
    }
    return CaseItem.from_item({**every, **attributes})


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 11, 20, 10, 30, tzinfo=UTC), 6, datetime(2027, 5, 20, 10, 30, tzinfo=UTC)),
        (datetime(2026, 8, 31, 23, 59, tzinfo=UTC), 6, datetime(2027, 2, 28, 23, 59, tzinfo=UTC)),
        (datetime(2027, 8, 31, tzinfo=UTC), 6, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 12, 31, tzinfo=UTC), 1, datetime(2027, 1, 31, tzinfo=UTC)),
        (datetime(2026, 7, 31, tzinfo=UTC), 2, datetime(2026, 9, 30, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 120, datetime(2036, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_month_end(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


def test_a_date_stays_a_date_and_months_can_count_back() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 3, 31), -1) == date(2027, 2, 28)
    assert add_months(date(2027, 1, 15), -13) == date(2025, 12, 15)


def test_years_from_a_leap_day_end_on_the_28th_of_february() -> None:
    assert retention.add_years(datetime(2028, 2, 29, 9, tzinfo=UTC), 3) == datetime(
        2031, 2, 28, 9, tzinfo=UTC
    )
    assert retention.add_years(datetime(2028, 2, 29, tzinfo=UTC), 4) == datetime(
        2032, 2, 29, tzinfo=UTC
    )


def test_the_windows_come_from_the_policy() -> None:
    policy = Policy(redact_named_after_months=2, delete_anonymised_after_years=7)
    assert retention.redaction_due(AT, policy) == datetime(2027, 1, 20, 10, 30, tzinfo=UTC)
    assert retention.deletion_due(AT, policy) == datetime(2033, 11, 20, 10, 30, tzinfo=UTC)


def test_closing_a_named_case_schedules_its_redaction_in_the_index() -> None:
    case = {"mode": "named", "submitted_at": "2026-01-01T00:00:00.000Z"}
    assert retention.on_finish(stored(case), AT, Policy()) == {
        "retention_action": "redact",
        "retention_next": "redact",
        "retention_due_at": "2027-05-20T10:30:00.000Z",
    }


def test_closing_an_anonymous_report_schedules_its_deletion_from_submission() -> None:
    case = {"mode": "anonymous", "submitted_at": "2026-01-01T00:00:00.000Z"}
    assert retention.on_finish(stored(case), AT, Policy()) == {
        "retention_action": "delete",
        "retention_next": "delete",
        "retention_due_at": "2029-01-01T00:00:00.000Z",
    }


def test_a_case_closed_under_a_legal_hold_is_scheduled_but_kept_out_of_the_index() -> None:
    case = {"mode": "named", "submitted_at": "2026-01-01T00:00:00.000Z", "legal_hold": True}
    assert "retention_action" not in retention.on_finish(stored(case), AT, Policy())


def test_reopening_cancels_a_named_case_s_redaction_only() -> None:
    named = {"mode": "named", "retention_next": "redact", "retention_action": "redact"}
    anonymous = {"mode": "anonymous", "retention_next": "delete", "retention_action": "delete"}
    cancelled = ["retention_action", "retention_next", "retention_due_at"]
    assert retention.on_reopen(stored(named)) == cancelled
    assert retention.on_reopen(stored(anonymous)) == []


def test_a_hold_takes_the_action_out_and_lifting_it_puts_it_back() -> None:
    scheduled = {
        "retention_action": "redact",
        "retention_next": "redact",
        "retention_due_at": "2027-05-20T10:30:00.000Z",
    }
    assert retention.on_legal_hold(stored(scheduled), True) == ({}, ["retention_action"])
    held = {name: value for name, value in scheduled.items() if name != "retention_action"}
    assert retention.on_legal_hold(stored(held), False) == ({"retention_action": "redact"}, [])
    assert retention.on_legal_hold(stored({}), False) == ({}, [])


# --- the audit chain after a redaction -------------------------------------------------------


Chain = list[tuple[AuditEntry, str]]


def _chain(actions: list[tuple[str, bytes | None]]) -> tuple[Chain, ChainHead]:
    head = ChainHead()
    chain = []
    for action, reason in actions:
        entry, entry_hash = next_entry(
            head, report_id="r1", at=AT, actor="someone", action=action, sealed_reason=reason
        )
        chain.append((entry, entry_hash))
        head = ChainHead(entry.seq, entry_hash)
    return chain, head


def _with_reason(chain: Chain, seq: int, reason: bytes | None) -> Chain:
    return [
        (replace(entry, sealed_reason=reason) if entry.seq == seq else entry, entry_hash)
        for entry, entry_hash in chain
    ]


def test_reasons_removed_by_a_redaction_leave_the_chain_intact() -> None:
    chain, head = _chain([("assign", b"sealed-1"), ("transition", b"sealed-2"), ("redact", None)])
    redacted = _with_reason(_with_reason(chain, 1, None), 2, None)
    assert verify(redacted, head).intact
    assert verify(chain, head).intact


def test_a_reason_removed_without_a_later_redaction_is_an_alteration() -> None:
    chain, head = _chain([("assign", b"sealed-1"), ("transition", b"sealed-2")])
    finding = verify(_with_reason(chain, 1, None), head)
    assert (finding.intact, finding.broken_at, finding.problem) == (
        False,
        1,
        "entry 1 was altered",
    )


def test_a_reason_removed_after_the_redaction_is_an_alteration() -> None:
    chain, head = _chain([("assign", b"sealed-1"), ("redact", b"sealed-2")])
    finding = verify(_with_reason(chain, 2, None), head)
    assert (finding.intact, finding.broken_at) == (False, 2)


def test_a_replaced_reason_is_an_alteration_even_after_a_redaction() -> None:
    chain, head = _chain([("assign", b"sealed-1"), ("redact", None)])
    assert verify(_with_reason(chain, 1, b"other"), head).broken_at == 1
