"""The shape of the records API's answer (validated before it leaves, `extra="forbid"`).

Nothing personal: a case as the admin's case view shows it, or a tombstone (dates, the
rule, the final audit head).
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
