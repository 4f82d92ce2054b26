"""What binds a chain to its case, and what the case item's head signature covers.

Pure: no table and no KMS. The chain's entries are built with `next_entry`; the head
message is compared between cases that differ in exactly one thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.audit import (
    GENESIS,
    AuditEntry,
    ChainHead,
    Verification,
    head_message,
    next_entry,
    verify,
)

AT = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
CASE, OTHER = "a" * 32, "b" * 32


def chain_of(report_id: str, length: int) -> list[tuple[AuditEntry, str]]:
    entries = []
    head = ChainHead()
    for _ in range(length):
        entry, entry_hash = next_entry(
            head, report_id=report_id, at=AT, actor="system:triage", action="triage"
        )
        entries.append((entry, entry_hash))
        head = ChainHead(entry.seq, entry_hash)
    return entries


def test_a_chain_verified_for_its_own_case_is_intact_and_for_another_is_not() -> None:
    chain = chain_of(OTHER, 2)
    head = ChainHead(2, chain[-1][1])

    assert verify(chain, head, report_id=OTHER) == Verification(True, 2)
    assert verify(chain, head, report_id=CASE) == Verification(
        False, 2, 1, "entry 1 belongs to another case"
    )


def message(
    report_id: str = CASE,
    version: int = 3,
    seq: int = 2,
    head_hash: str = "1" * 64,
    sealed: dict[str, bytes] | None = None,
) -> str:
    fields = {"contact": b"x"} if sealed is None else sealed
    return head_message(report_id, version, ChainHead(seq, head_hash), fields)


@pytest.mark.parametrize(
    "changed",
    [
        {"report_id": OTHER},
        {"version": 2},
        {"seq": 1},
        {"head_hash": GENESIS},
        {"sealed": {"contact": b"y"}},
        {"sealed": {}},
        {"sealed": {"contact": b"x", "narrative": b"z"}},
    ],
    ids=["report_id", "version", "seq", "hash", "ciphertext", "field_removed", "field_added"],
)
def test_the_head_signature_covers_each_part_of_the_head(changed: dict[str, Any]) -> None:
    assert message(**changed) != message()


def test_the_head_message_is_kept_apart_from_entry_hashes() -> None:
    """The audit key signs entry hashes (64 hex digits) too: a head is never one of them."""
    assert message().startswith("case-head:")
    assert len(message()) == len("case-head:") + 64
