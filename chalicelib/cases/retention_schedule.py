"""A case's retention schedule: when its redaction or deletion falls due, and what a change
of state does to it. Pure rules over the case item's attributes; the sweep that carries them
out is `chalicelib.retention`.

A pending action lives on the case item: `retention_next` (the action) and
`retention_due_at`; `retention_action` repeats the action while nothing (a legal hold) holds it
back, which puts the case in the sparse index the sweep reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.institution.models import Retention as RetentionPolicy
from chalicelib.months import add_months
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.reports_table import (
    DELETE,
    REDACT,
    RETENTION_ACTION,
    RETENTION_DUE_AT,
    RETENTION_NEXT,
    schedule,
)

#: The attributes that schedule an action (see the module docstring).
ACTION = RETENTION_ACTION
NEXT = RETENTION_NEXT
DUE_AT = RETENTION_DUE_AT
SCHEDULE = (ACTION, NEXT, DUE_AT)


def add_years(moment: datetime, years: int) -> datetime:
    """`years` years later; 29 February becomes 28 February in a common year."""
    return add_months(moment, 12 * years)


def redaction_due(closed_at: datetime, policy: RetentionPolicy) -> datetime:
    """When a named case closed (or filed) at `closed_at` is to be redacted."""
    return add_months(closed_at, policy.redact_named_after_months)


def deletion_due(submitted_at: datetime, policy: RetentionPolicy) -> datetime:
    """When an anonymised record submitted at `submitted_at` is to be deleted."""
    return add_years(submitted_at, policy.delete_anonymised_after_years)


def on_finish(case: CaseItem, finished_at: datetime, policy: RetentionPolicy) -> dict[str, Any]:
    """What to SET when a case is closed or filed: a named case's redaction; an anonymous
    report's deletion again (it may have been deferred while the report was open)."""
    held = case.legal_hold
    if case.mode == "named":
        return schedule(REDACT, redaction_due(finished_at, policy), held=held)
    submitted = datetime.fromisoformat(case.submitted_at)
    return schedule(DELETE, deletion_due(submitted, policy), held=held)


def on_reopen(case: CaseItem) -> list[str]:
    """What to REMOVE when a case is reopened: a named case's pending redaction. (An
    anonymous report's deletion stays; it is deferred if the report is open when due.)"""
    return list(SCHEDULE) if case.mode == "named" and case.retention_next == REDACT else []


def on_legal_hold(case: CaseItem, held: bool) -> tuple[dict[str, Any], list[str]]:
    """(SET, REMOVE) for a legal hold set or lifted: out of the index, or back in it."""
    if held:
        return {}, case.holding(ACTION)
    if case.retention_next and case.retention_due_at:
        return {ACTION: case.retention_next}, []
    return {}, []


def pending(case: CaseItem) -> dict[str, Any]:
    """A case's pending retention action and when it is due (held or not), for staff."""
    return {"retention_action": case.retention_next, "retention_due_at": case.retention_due_at}
