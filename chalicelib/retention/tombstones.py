"""A deletion's tombstone: what it holds, what its MAC signs, and whether that checks.

A deleted report's audit chain goes with it, so its deletion is recorded in a tombstone
(stored by `chalicelib.storage.tombstones`): the report id, reference and mode, when it was
due and deleted, the rule applied, the actor, the chain's final head and its month in the
retention log — nothing personal, no answers. The audit key signs a SHA-256 of its whole
content, keys included, so whoever can write the table cannot forge or edit one unnoticed
(the audit checkpoint and the records office both check it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from chalicelib.audit import GENESIS, AuditSigner
from chalicelib.storage.case_item import CaseItem


def tombstone_content(
    case: CaseItem,
    *,
    deleted_at: str,
    rule: str,
    actor: str,
    logged: Mapping[str, str],
) -> dict[str, Any]:
    """What the tombstone of `case` says (its keys aside), deleted at `deleted_at` under
    `rule` by `actor`, with the attributes that list it in the retention log."""
    return {
        "report_id": case.report_id,
        "reference": case.reference,
        "mode": str(case.mode),
        "deleted_at": deleted_at,
        "due_at": str(case.retention_due_at),
        "rule": rule,
        "actor": actor,
        # The chain's head as the case item records it (0 and GENESIS if it has none).
        "audit_seq": case.audit_seq or 0,
        "audit_hash": case.audit_hash or GENESIS,
        **logged,
    }


def tombstone_digest(tombstone: Mapping[str, Any]) -> str:
    """SHA-256 over a canonical form of a tombstone's content (what its `mac` signs)."""
    content = {
        name: str(value) for name, value in tombstone.items() if name not in ("mac", "signed")
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def signed(tombstone: Mapping[str, Any], signer: AuditSigner) -> dict[str, Any]:
    """The tombstone item with its `mac`, the audit key's signature of its digest."""
    return {**tombstone, "mac": signer.sign(tombstone_digest(tombstone))}


def checked(tombstone: dict[str, Any], signer: AuditSigner) -> dict[str, Any]:
    """The tombstone with `signed`: whether its MAC checks with the audit key."""
    # An item edited to drop its MAC is simply not signed (not a failure to read it).
    tombstone["signed"] = "mac" in tombstone and signer.check(
        tombstone_digest(tombstone), str(tombstone["mac"])
    )
    return tombstone
