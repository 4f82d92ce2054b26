"""The typed view of a case item: what the case code reads, typed, from the item as stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary

from chalicelib.storage.case_item import CaseItem


def stored_case() -> dict[str, Any]:
    """A triaged named case as `plain` returns it: numbers as Decimal, sealed as Binary."""
    return {
        "pk": "REPORT#" + "a" * 32,
        "sk": "REPORT",
        "report_id": "a" * 32,
        "reference": "RS-7K4M-Q2XP",
        "mode": "named",
        "status": "assigned",
        "version": Decimal(4),
        "submitted_at": "2025-03-03T09:00:00Z",
        "answers": {"reporter_role": "student", "what_happened": ["bullying"]},
        "preferences": {"contact_method": "email"},
        "team_id": "student_support",
        "priority": "high",
        "risk_flags": ["repeat_location"],
        "advisor_id": "ss-advisor-1",
        "first_contact_due": "2025-03-05T17:00:00Z",
        "sla_next_stage": "first_contact_overdue",
        "sla_escalated": {"acknowledge_due_soon"},
        "legal_hold": True,
        "audit_seq": Decimal(3),
        "audit_hash": "f" * 64,
        "head_mac": "bWFj",
        "sealed": {"contact": Binary(b"\x01sealed")},
    }


def test_a_stored_case_reads_as_typed_attributes() -> None:
    # Given a case item as stored
    item = stored_case()

    # When it is read as a case
    case = CaseItem.from_item(item)

    # Then every attribute the case code reads has its type, and the item is kept as read
    assert (case.report_id, case.reference, case.mode, case.status) == (
        "a" * 32,
        "RS-7K4M-Q2XP",
        "named",
        "assigned",
    )
    assert case.version == 4
    assert isinstance(case.version, int)
    assert case.audit_seq == 3
    assert case.audit_hash == "f" * 64
    assert case.sealed == {"contact": b"\x01sealed"}
    assert case.risk_flags == ("repeat_location",)
    assert case.sla_escalated == frozenset({"acknowledge_due_soon"})
    assert case.answers == {"reporter_role": "student", "what_happened": ["bullying"]}
    assert case.legal_hold is True
    assert case.triaged is True
    assert case.item == item


def test_a_report_awaiting_triage_has_no_chain_and_no_case_fields_yet() -> None:
    # Given a report as intake stores it: no routing, no clocks, no audit head
    item = {
        "report_id": "b" * 32,
        "reference": "RS-2B9C-HH4T",
        "mode": "anonymous",
        "status": "awaiting_triage",
        "awaiting_triage": "pending",
        "version": Decimal(1),
        "submitted_at": "2025-03-03T09:00:00Z",
        "answers": {"reporter_role": "visitor"},
        "sealed": {},
    }

    # When it is read as a case
    case = CaseItem.from_item(item)

    # Then what triage has not set is absent, not made up
    assert case.triaged is False
    assert case.audit_seq is None
    assert case.team_id is None
    assert case.priority is None
    assert case.risk_flags == ()
    assert case.legal_hold is False
    # ... and what intake set is there
    assert case.version == 1
    assert case.mode == "anonymous"


def test_a_redacted_case_reads_its_retention_record_typed() -> None:
    # Given a case redacted by the sweep, its deletion scheduled and held back by a hold
    item = {
        **stored_case(),
        "status": "redacted",
        "submission_id": "d" * 32,
        "has_demographics": True,
        "retention_next": "delete",
        "retention_due_at": "2031-03-03T09:00:00.000Z",
        "redacted_at": "2025-09-03T02:00:00.000Z",
        "redacted_by": "system:retention",
        "redaction_rule": "redact_named_after_months=6",
        "redaction_seq": Decimal(5),
        "retention_log_month": "2025-09",
        "retention_log_at": "2025-09-03T02:00:00.000Z",
    }

    # When it is read as a case
    case = CaseItem.from_item(item)

    # Then the retention schedule and the log's record read typed
    assert (case.retention_action, case.retention_next) == (None, "delete")
    assert case.retention_due_at == "2031-03-03T09:00:00.000Z"
    assert (case.redacted_by, case.redaction_rule) == (
        "system:retention",
        "redact_named_after_months=6",
    )
    assert case.redaction_seq == 5
    assert isinstance(case.redaction_seq, int)
    assert case.retention_log_at == "2025-09-03T02:00:00.000Z"
    assert (case.submission_id, case.has_demographics) == ("d" * 32, True)


def test_a_case_names_the_stored_attributes_it_holds_for_a_removal() -> None:
    # Given a queued case with a blind index and no retention action
    case = CaseItem.from_item({**stored_case(), "queue_team": "student_support", "email_mac": "m"})

    # When asked which of some attributes it holds
    held = case.holding("sealed", "email_mac", "retention_action", "queue_team")

    # Then exactly those it holds are named, in the order asked
    assert held == ["sealed", "email_mac", "queue_team"]
    assert "retention_action" not in held
    assert (case.queue_team, case.email_mac) == ("student_support", "m")
