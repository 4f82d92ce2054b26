"""A case as the reports table holds it: the typed view of the `REPORT#<id>` / `REPORT` item.

The item's key is here too, below every module of the reports table, so that the modules of
the items kept beside it or pointing to it (`concern_links`, `audit_entries`, `timeline`,
...) and the table itself (`reports_table`) all take it from one place.

The case work reads these attributes rather than string keys of a `dict[str, Any]`. Times
stay ISO 8601 strings, as stored: they are compared with each other as strings (the clocks,
the queue order) and parsed only where arithmetic is done on them. `item` keeps the plain
item as read, for what signs or re-signs the whole item (`chalicelib.audit`), for the
conditions and removals that name stored attributes (`holding`), and for the trend alerts,
which read the report's answers as a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import Binary

from chalicelib.reports.models import Mode

REPORT_PREFIX = "REPORT#"
#: The sort key of the report (case) item itself, beside its timeline and audit entries.
REPORT_ITEM = "REPORT"
#: The status of a report no triage has seen yet (it has no audit chain).
AWAITING_TRIAGE = "awaiting_triage"
#: Answers and preferences: option ids (one, or a list), by question.
Answers = Mapping[str, str | list[str]]


def report_key(report_id: str) -> str:
    """The partition key of a report, its case and everything kept beside it."""
    return f"{REPORT_PREFIX}{report_id}"


@dataclass(frozen=True)
class CaseItem:
    """A report and the case it becomes, as stored (see `chalicelib.storage.reports_table`)."""

    report_id: str
    reference: str
    mode: Mode
    status: str
    #: The optimistic-concurrency version every writer conditions on and moves on.
    version: int
    submitted_at: str
    #: The claim on the submission id (`SUBMISSION#<id>`), deleted with the report.
    submission_id: str | None = None
    answers: Answers = field(default_factory=dict)
    #: Option ids in clear: the contact method, and the advisor preferences.
    preferences: Answers = field(default_factory=dict)
    form_version: str | None = None
    #: The blind index of the reporter's email (named reports; gone once redacted or erased).
    email_mac: str | None = None
    #: Whether demographics were stored apart with the report (`chalicelib.storage.demographics`).
    has_demographics: bool = False
    # --- triage and routing
    team_id: str | None = None
    priority: str | None = None
    risk_flags: tuple[str, ...] = ()
    triaged_at: str | None = None
    location_key: str | None = None
    #: The department a named person belongs to, for the trend alerts (`chalicelib.concerns`).
    department_key: str | None = None
    #: Blind indexes of the people the report names (`chalicelib.concerns`).
    concern_macs: tuple[str, ...] = ()
    # --- the case work
    advisor_id: str | None = None
    #: The team whose queue holds the case while it is open (`team_queue` index).
    queue_team: str | None = None
    assigned_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    malicious_or_vexatious: bool = False
    # --- the clocks, and the SLA watch's bookkeeping
    first_contact_due: str | None = None
    first_contact_at: str | None = None
    first_contact_met: bool | None = None
    acknowledge_due: str | None = None
    feedback_due: str | None = None
    screening_due: str | None = None
    #: Set while a clock stage is watched (the sparse `sla_watch` index's key).
    sla_watch: str | None = None
    sla_next_stage: str | None = None
    sla_next_at: str | None = None
    sla_escalated: frozenset[str] = frozenset()
    # --- retention
    #: The reporter kept a receipt code (`chalicelib.cases.follow_up`), and when staff owe
    #: a reply to their message (`chalicelib.cases.thread`).
    follow_up: bool = False
    receipt_mac: str | None = None
    reply_due: str | None = None
    legal_hold: bool = False
    #: The pending retention action while nothing holds it back (`retention_due` index), the
    #: action itself (held or not), and when it is due (`chalicelib.cases.retention_schedule`).
    retention_action: str | None = None
    retention_next: str | None = None
    retention_due_at: str | None = None
    redacted_at: str | None = None
    #: The retention log's record of a redaction: who, under which rule, its audit entry.
    redacted_by: str | None = None
    redaction_rule: str | None = None
    redaction_seq: int | None = None
    retention_log_at: str | None = None
    deletion_started_at: str | None = None
    # --- the audit chain's head (`chalicelib.audit`), and its signature with the sealed fields
    #: The last audit entry's number; None while the case has no chain (before triage).
    audit_seq: int | None = None
    audit_hash: str | None = None
    head_mac: str | None = None
    #: The sealed fields, as ciphertext.
    sealed: Mapping[str, bytes] = field(default_factory=dict)
    #: The plain item as read (see the module docstring).
    item: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> CaseItem:
        """The typed view of a case item as plain values (`chalicelib.storage.dynamo.plain`)."""
        audit_seq = item.get("audit_seq")
        redaction_seq = item.get("redaction_seq")
        met = item.get("first_contact_met")
        return cls(
            report_id=str(item["report_id"]),
            reference=str(item["reference"]),
            mode=item["mode"],
            status=str(item["status"]),
            version=int(item["version"]),
            submitted_at=str(item["submitted_at"]),
            submission_id=_text(item.get("submission_id")),
            answers=dict(item.get("answers") or {}),
            preferences=dict(item.get("preferences") or {}),
            form_version=_text(item.get("form_version")),
            email_mac=_text(item.get("email_mac")),
            has_demographics=bool(item.get("has_demographics", False)),
            team_id=_text(item.get("team_id")),
            priority=_text(item.get("priority")),
            risk_flags=tuple(str(flag) for flag in item.get("risk_flags", [])),
            triaged_at=_text(item.get("triaged_at")),
            location_key=_text(item.get("location_key")),
            department_key=_text(item.get("department_key")),
            concern_macs=tuple(str(mac) for mac in item.get("concern_macs", [])),
            advisor_id=_text(item.get("advisor_id")),
            queue_team=_text(item.get("queue_team")),
            assigned_at=_text(item.get("assigned_at")),
            closed_at=_text(item.get("closed_at")),
            outcome=_text(item.get("outcome")),
            malicious_or_vexatious=bool(item.get("malicious_or_vexatious", False)),
            first_contact_due=_text(item.get("first_contact_due")),
            first_contact_at=_text(item.get("first_contact_at")),
            first_contact_met=None if met is None else bool(met),
            acknowledge_due=_text(item.get("acknowledge_due")),
            feedback_due=_text(item.get("feedback_due")),
            screening_due=_text(item.get("screening_due")),
            sla_watch=_text(item.get("sla_watch")),
            sla_next_stage=_text(item.get("sla_next_stage")),
            sla_next_at=_text(item.get("sla_next_at")),
            sla_escalated=frozenset(str(stage) for stage in item.get("sla_escalated", set())),
            follow_up=bool(item.get("follow_up", False)),
            receipt_mac=_text(item.get("receipt_mac")),
            reply_due=_text(item.get("reply_due")),
            legal_hold=bool(item.get("legal_hold", False)),
            retention_action=_text(item.get("retention_action")),
            retention_next=_text(item.get("retention_next")),
            retention_due_at=_text(item.get("retention_due_at")),
            redacted_at=_text(item.get("redacted_at")),
            redacted_by=_text(item.get("redacted_by")),
            redaction_rule=_text(item.get("redaction_rule")),
            redaction_seq=None if redaction_seq is None else int(redaction_seq),
            retention_log_at=_text(item.get("retention_log_at")),
            deletion_started_at=_text(item.get("deletion_started_at")),
            audit_seq=None if audit_seq is None else int(audit_seq),
            audit_hash=_text(item.get("audit_hash")),
            head_mac=_text(item.get("head_mac")),
            sealed={
                str(name): bytes(value.value) if isinstance(value, Binary) else bytes(value)
                for name, value in (item.get("sealed") or {}).items()
            },
            item=dict(item),
        )

    @property
    def triaged(self) -> bool:
        """Whether triage has seen the report (it then has an audit chain)."""
        return self.status != AWAITING_TRIAGE

    def holding(self, *names: str) -> list[str]:
        """Those of the stored attributes `names` the item holds, in the order given: what a
        REMOVE of them removes (a write removes only what is there, as read)."""
        return [name for name in names if name in self.item]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
