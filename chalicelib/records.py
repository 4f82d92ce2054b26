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

The retention log answers the other question, without knowing references in advance: what
was redacted and what was deleted in a month (`RecordsOffice.log`). A redaction is listed
in the month it was done while the case is held (with who did it, under which rule, and the
audit entry that records it); once the case is deleted it leaves that list, and its
tombstone, verified, is listed in the deletion's month.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.cases import policy
from chalicelib.cases.access import Principal
from chalicelib.clock import Clock
from chalicelib.errors import FieldProblem, InvalidInput, NotFound
from chalicelib.observability import logger

if TYPE_CHECKING:
    # Annotations only: the storage package imports boto3, and this module stays free of it.
    from chalicelib.storage.case_item import CaseItem

REFERENCE = r"^RS-[A-Z0-9]{4}-[A-Z0-9]{4}$"
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
#: Log entries (redactions and deletions together) read per page.
LOG_PAGE_SIZE = 50
#: The sweep's actor (`chalicelib.retention.sweep.ACTOR`; not imported: a sibling package,
#: and this module stays boto3-free).
_SWEEP = "system:retention"
#: The tombstone's content shown as written (each `None` if the item lacks it).
_TOMBSTONE_TEXT = ("mode", "due_at", "deleted_at", "rule", "actor", "audit_hash")


class CaseViewer(Protocol):
    """The case work use case that shows a case without its personal data."""

    def view(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The case as `principal` may see it; `NotFound` if they may not or it is gone."""
        ...


#: One page of the retention log: (redacted cases, (reference, checked tombstone) of each
#: deletion, next cursor).
LogPage = tuple[list["CaseItem"], list[tuple[str, dict[str, Any]]], str | None]


@dataclass(frozen=True)
class RecordsOffice:
    """Answers what is held about a reference, and what retention did in a month.
    Collaborators are given, never built here."""

    cases: CaseViewer
    tombstones: Callable[[str], dict[str, Any] | None]
    #: `Retention.log`: (month, cursor, limit) -> one page of the month's log.
    logged: Callable[[str, str | None, int], LogPage]
    clock: Clock
    #: The institution's: months are its months, and the default is its current one.
    time_zone: ZoneInfo

    def held(self, principal: Principal, reference: str) -> dict[str, Any]:
        """The case, or its tombstone with whether the signature verifies; else `NotFound`."""
        policy.require(principal, "read_records")
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

    def log(self, principal: Principal, month: str | None, cursor: str | None) -> dict[str, Any]:
        """What was redacted and what was deleted in `month` ("yyyy-mm"; by default the
        current one in the institution's time zone), oldest first, a page at a time."""
        policy.require(principal, "read_records")
        if month is None:
            month = self.clock.now().astimezone(self.time_zone).strftime("%Y-%m")
        elif not re.fullmatch(MONTH, month):
            raise InvalidInput([FieldProblem("month", "is not a month (YYYY-MM)")])
        redacted, deleted, following = self.logged(month, cursor, LOG_PAGE_SIZE)
        logger.info(
            "retention log read",
            extra={"actor": principal.member_id, "redactions": len(redacted)},
        )
        return {
            "month": month,
            "redactions": [shown_redaction(case) for case in redacted],
            "deletions": [
                shown_tombstone(reference, tombstone) for reference, tombstone in deleted
            ],
            "next_cursor": following,
        }


def shown_redaction(case: CaseItem) -> dict[str, Any]:
    """A redacted case as the log lists it: nothing but the reference, when, by whom, under
    which rule, and the sequence number of the audit entry that records it."""
    actor = case.redacted_by
    return {
        "reference": case.reference,
        "redacted_at": str(case.redacted_at or case.retention_log_at),
        "actor": actor,
        "by": None if actor is None else "sweep" if actor == _SWEEP else "admin",
        "rule": case.redaction_rule,
        "audit_seq": case.redaction_seq,
    }


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
