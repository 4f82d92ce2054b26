"""What is held about a case reference: for the data protection officer to prove what
retention did.

A reference answers one of three ways:

- the case is still held: its summary, exactly as the admin's case view shows it (no
  personal data; redacted or not, with its pending retention action);
- the case was deleted: its tombstone (`Retention.tombstone`) — when it was due and
  deleted, the rule applied, who deleted it, the final head of its audit chain — and
  whether the tombstone's MAC checks with the audit key, so an edited tombstone shows as
  not verified rather than as proof;
- nothing at all: `NotFound`, as for a case the caller may not see.

Admins only. Reading a tombstone opens nothing personal (a tombstone holds none), and the
case's own audit chain went with the case, so the look is logged, not audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.cases.access import Principal
from chalicelib.errors import FieldProblem, InvalidInput, NotFound
from chalicelib.observability import logger

REFERENCE = r"^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$"
#: The tombstone's content shown as written (each `None` if the item lacks it).
_TOMBSTONE_TEXT = ("mode", "due_at", "deleted_at", "rule", "actor", "audit_hash")


class CaseViewer(Protocol):
    """The case work use case that shows a case without its personal data."""

    def view(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The case as `principal` may see it; `NotFound` if they may not or it is gone."""
        ...


@dataclass(frozen=True)
class RecordsOffice:
    """Answers what is held about a reference. Collaborators are given, never built here."""

    cases: CaseViewer
    tombstones: Callable[[str], dict[str, Any] | None]

    def held(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The case, or its tombstone with whether the signature verifies; else `NotFound`."""
        principal.require("admin")
        reference = parse_reference(reference)
        try:
            case = self.cases.view(principal, reference)
        except NotFound:
            # Deleted (or being deleted: staff no longer see a case once its deletion has
            # begun, and its tombstone is written in that same step).
            tombstone = self.tombstones(reference)
            if tombstone is None:
                raise NotFound(f"nothing is held about {reference}") from None
            shown = shown_tombstone(reference, tombstone)
            logger.info(
                "tombstone read",
                extra={"actor": principal.member_id, "verified": shown["signature_verified"]},
            )
            return {"reference": reference, "held": "tombstone", "case": None, "tombstone": shown}
        return {"reference": reference, "held": "case", "case": case, "tombstone": None}


def shown_tombstone(reference: str, tombstone: Mapping[str, Any]) -> dict[str, Any]:
    """A tombstone as the officer sees it. An edited item may lack a field or hold a wrong
    type; it is shown as far as it can be, and never as verified unless its MAC checks."""
    shown: dict[str, Any] = {
        name: None if tombstone.get(name) is None else str(tombstone[name])
        for name in _TOMBSTONE_TEXT
    }
    seq = tombstone.get("audit_seq")
    try:
        shown["audit_seq"] = None if seq is None else int(seq)
    except (TypeError, ValueError):
        shown["audit_seq"] = None
    shown["reference"] = reference
    shown["signature_verified"] = tombstone.get("signed") is True
    return shown


def parse_reference(reference: str) -> str:
    """A case reference from a path, or `InvalidInput` naming it."""
    if not re.fullmatch(REFERENCE, reference):
        raise InvalidInput([FieldProblem("reference", "is not a case reference (RS-XXXX-XXXX)")])
    return reference
