"""A deletion's tombstone: what it holds, where it is filed, and what its MAC signs.

Tombstones already written must keep verifying, so the digest of a tombstone's content
(keys included) is pinned here as a literal: a change to the shape or the canonical form
fails this test before it fails a data protection officer.
"""

from __future__ import annotations

from typing import Any

from chalicelib.retention.tombstones import tombstone_content, tombstone_digest
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.tombstones import Tombstones, is_tombstone, tombstone_reference

#: A deleted anonymous report's case item, as the deletion claim reads it (the parts used,
#: those every case item holds, and some the tombstone must not copy).
CASE: dict[str, Any] = {
    "pk": "REPORT#0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "sk": "REPORT",
    "report_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "reference": "RS-AB12-CD34",
    "mode": "anonymous",
    "status": "filed",
    "version": 5,
    "submitted_at": "2026-11-20T10:30:00.000Z",
    "retention_due_at": "2029-11-20T10:30:00.000Z",
    "audit_seq": 2,
    "audit_hash": "ab" * 32,
    "answers": {"where": "off_campus"},
}
LOGGED = {
    "retention_log_month": "2029-11",
    "retention_log_at": "2029-11-21T10:29:59.999Z",
}


def tombstone_of(case: dict[str, Any]) -> dict[str, Any]:
    content = tombstone_content(
        CaseItem.from_item(case),
        deleted_at="2029-11-21T10:29:59.999Z",
        rule="delete_anonymised_after_years=3",
        actor="system:retention",
        logged=LOGGED,
    )
    return Tombstones(client=None, table="reports").item(content)


def test_a_tombstone_holds_the_deletion_and_the_final_head_and_nothing_of_the_report() -> None:
    # When the tombstone of a deleted case is made
    tombstone = tombstone_of(CASE)

    # Then it is filed under the reference and holds the deletion and the chain's last head
    assert tombstone == {
        "pk": "TOMBSTONE#RS-AB12-CD34",
        "sk": "TOMBSTONE",
        "report_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "reference": "RS-AB12-CD34",
        "mode": "anonymous",
        "deleted_at": "2029-11-21T10:29:59.999Z",
        "due_at": "2029-11-20T10:30:00.000Z",
        "rule": "delete_anonymised_after_years=3",
        "actor": "system:retention",
        "audit_seq": 2,
        "audit_hash": "ab" * 32,
        "retention_log_month": "2029-11",
        "retention_log_at": "2029-11-21T10:29:59.999Z",
    }
    # and none of the report's answers nor its status
    assert "answers" not in tombstone and "status" not in tombstone


def test_the_mac_signs_the_same_digest_as_before_so_old_tombstones_still_verify() -> None:
    tombstone = tombstone_of(CASE)

    # The digest covers everything but the MAC itself and the `signed` verdict added on read
    digest = "3c498a2f94fb6dda63142e33301d0f0d446ae87751311b9f90c990762b6bd6ae"
    assert tombstone_digest(tombstone) == digest
    assert tombstone_digest({**tombstone, "mac": "m", "signed": True}) == digest
    # and any edit of the content changes it
    assert tombstone_digest({**tombstone, "rule": "delete_anonymised_after_years=1"}) != digest


def test_a_tombstone_is_known_by_its_key_not_by_its_possibly_edited_content() -> None:
    edited = {**tombstone_of(CASE), "reference": "RS-ZZZZ-ZZZZ"}

    assert is_tombstone(edited) is True
    assert tombstone_reference(edited) == "RS-AB12-CD34"
    assert is_tombstone(CASE) is False
