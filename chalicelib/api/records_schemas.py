"""The shape of the records API's answer (validated before it leaves, `extra="forbid"`).

Nothing personal: a case as the admin's case view shows it, or a tombstone (dates, the
rule, the final audit head); the retention log lists only references, dates, actors, rules
and tombstones.
"""

from __future__ import annotations

from typing import Literal

from chalicelib.api.staff_schemas import Answer, CaseView


class Tombstone(Answer):
    """What a deleted case left: when and why it went, and its audit chain's last head."""

    reference: str
    mode: str | None
    due_at: str | None
    deleted_at: str | None
    rule: str | None
    actor: str | None
    audit_seq: int | None
    audit_hash: str | None
    #: Whether the tombstone's MAC checks with the audit key (False: edited or forged).
    signature_verified: bool


class HeldRecord(Answer):
    """What is held about a reference: the case, or the tombstone of its deletion."""

    reference: str
    held: Literal["case", "tombstone"]
    case: CaseView | None
    tombstone: Tombstone | None


class LoggedRedaction(Answer):
    """A case redacted in the month and still held: who redacted it and under which rule."""

    reference: str
    redacted_at: str
    #: `system:retention` for the sweep, else the admin who carried out an erasure.
    actor: str | None
    by: Literal["sweep", "admin"] | None
    #: The sweep's window (`redact_named_after_months=6`), or `erasure_request`.
    rule: str | None
    #: The case's audit entry recording the redaction (`GET /staff/cases/{ref}/audit`).
    audit_seq: int | None


class RetentionLog(Answer):
    """What retention did in a month, oldest first; pass `next_cursor` back as `cursor`."""

    month: str
    redactions: list[LoggedRedaction]
    deletions: list[Tombstone]
    next_cursor: str | None
