"""Signed checkpoints of every case's audit head: what anchors a chain against truncation.

A case's head (`audit_seq`, `audit_hash`) and sealed fields are signed on the case item,
but a table writer can put the whole item back as it was, or delete the last entries with
their head and `head_mac` reverted to an older (validly signed) state. The hourly job
(`Checkpoints.run`) therefore records each case's head, signed with the audit key, under
one partition (`chalicelib.storage.checkpoints`): once checkpointed, a head may only move
forward, and verification (`chalicelib.audit.AuditTrail.verify`) reports a chain that no
longer reaches its checkpointed head as "truncated or rolled back since" that checkpoint.

The job reads the heads through the sparse `case_heads` index (every report and case item,
keys only; never a Scan) and the items themselves in batches. It checkpoints a head only
if it moved forward, its old checkpoint's signature checks and the item's own signature
checks, so it never signs a rolled-back or forged head; an unchanged head costs no KMS
call. A checkpointed case that is gone is fine if its signed tombstone says
retention deleted it (the checkpoint is then dropped); otherwise the job reports it as
vanished. Nothing it writes or logs names anyone: report ids, references and hashes only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from chalicelib.admin_trail import TRAIL_ID
from chalicelib.admin_trail import head_message as trail_head_message
from chalicelib.audit import Anchor, AuditSigner, ChainHead, head_signed
from chalicelib.clock import Clock, iso
from chalicelib.observability import AUDIT_CHAIN_BROKEN, increment, logger
from chalicelib.retention.tombstones import tombstone_digest
from chalicelib.storage.admin_trail import AdminTrailItems
from chalicelib.storage.checkpoints import CheckpointStore, StoredCheckpoint

#: The reference the administration trail's checkpoint carries (it has no case reference).
TRAIL_REFERENCE = "admin-trail"


def checkpoint_message(report_id: str, reference: str, seq: int, head_hash: str, at: str) -> str:
    """What a checkpoint item's `mac` signs (its own prefix: the key signs heads too)."""
    canonical = json.dumps(
        {"report_id": report_id, "reference": reference, "seq": seq, "hash": head_hash, "at": at},
        sort_keys=True,
        separators=(",", ":"),
    )
    return "checkpoint:" + canonical


@dataclass
class Checkpoints:
    """Writes the hourly checkpoint of all case heads, and answers a case's last one."""

    store: CheckpointStore
    signer: AuditSigner
    clock: Clock
    #: The administration trail, whose head is checkpointed with the cases' (under its id,
    #: `chalicelib.admin_trail.TRAIL_ID`). None: only cases are.
    trail: AdminTrailItems | None = None

    def anchor(self, report_id: str) -> Anchor | None:
        """The case's checkpointed head, or None if it has none. A checkpoint whose
        signature fails anchors nothing a chain can reach (it was forged or edited)."""
        checkpoint = self.store.checkpoint(report_id)
        if checkpoint is None:
            return None
        anchor = Anchor(checkpoint.seq, checkpoint.hash, str(checkpoint.at))
        return anchor if self._signed(report_id, checkpoint) else replace(anchor, signed=False)

    def run(self) -> dict[str, int]:
        """Checkpoint every head that moved forward since the last run; report heads that
        moved back, heads not signed, and checkpointed cases gone without a tombstone."""
        at = iso(self.clock.now())
        before = {checkpoint.report_id: checkpoint for checkpoint in self.store.checkpoints()}
        counts = dict.fromkeys(
            (
                "checkpointed",
                "unchanged",
                "behind",
                "unsigned",
                "checkpoint_unsigned",
                "deleted",
                "vanished",
            ),
            0,
        )
        seen: set[str] = set()
        for case in self.store.case_heads():
            report_id = str(case["report_id"])
            seen.add(report_id)
            head = ChainHead.of(case)
            previous = before.get(report_id)
            if previous is not None:
                if previous.seq == head.seq and previous.hash == head.hash:
                    # Unchanged: no KMS call (the hourly cost follows the cases that moved);
                    # verification checks this checkpoint's signature when it compares.
                    counts["unchanged"] += 1
                    continue
                if not self._signed(report_id, previous):
                    # Neither trusted as a lower bound nor replaced from the head: a person
                    # must look at a checkpoint someone edited.
                    counts["checkpoint_unsigned"] += 1
                    logger.error("checkpoint not signed", extra={"report_id": report_id})
                    increment(AUDIT_CHAIN_BROKEN)
                    continue
                if previous.seq >= head.seq:
                    counts["behind"] += 1
                    logger.error("audit head behind its checkpoint", extra={"report_id": report_id})
                    increment(AUDIT_CHAIN_BROKEN)
                    continue
            if not head_signed(self.signer, case):
                counts["unsigned"] += 1
                logger.error("audit head not signed", extra={"report_id": report_id})
                increment(AUDIT_CHAIN_BROKEN)
                continue
            self._put(report_id, str(case["reference"]), head, at)
            counts["checkpointed"] += 1
        if self.trail is not None:
            seen.add(TRAIL_ID)
            self._checkpoint_trail(self.trail, before.get(TRAIL_ID), at, counts)
        for report_id, previous in before.items():
            if report_id in seen:
                continue
            if self._tombstoned(str(previous.reference), report_id):
                self.store.forget(report_id)
                counts["deleted"] += 1
            else:
                counts["vanished"] += 1
                logger.error("checkpointed case vanished", extra={"report_id": report_id})
                increment(AUDIT_CHAIN_BROKEN)
        logger.info("audit checkpoint", extra=counts)
        return counts

    def _checkpoint_trail(
        self,
        trail: AdminTrailItems,
        previous: StoredCheckpoint | None,
        at: str,
        counts: dict[str, int],
    ) -> None:
        """The same rules for the administration trail's head as for a case's."""
        stored = trail.head()
        head = ChainHead() if stored is None else ChainHead(stored.seq, stored.hash)
        if previous is not None:
            if previous.seq == head.seq and previous.hash == head.hash:
                counts["unchanged"] += 1
                return
            if not self._signed(TRAIL_ID, previous):
                counts["checkpoint_unsigned"] += 1
                logger.error("checkpoint not signed", extra={"report_id": TRAIL_ID})
                increment(AUDIT_CHAIN_BROKEN)
                return
            if previous.seq >= head.seq:
                counts["behind"] += 1
                logger.error("audit head behind its checkpoint", extra={"report_id": TRAIL_ID})
                increment(AUDIT_CHAIN_BROKEN)
                return
        if stored is None:
            return
        if not self.signer.check(trail_head_message(head), stored.mac):
            counts["unsigned"] += 1
            logger.error("audit head not signed", extra={"report_id": TRAIL_ID})
            increment(AUDIT_CHAIN_BROKEN)
            return
        self._put(TRAIL_ID, TRAIL_REFERENCE, head, at)
        counts["checkpointed"] += 1

    # --- checking -------------------------------------------------------------------------

    def _tombstoned(self, reference: str, report_id: str) -> bool:
        """Whether retention deleted the case: its tombstone is there, signed, and its."""
        tombstone = self.store.tombstone(reference)
        if tombstone is None:
            return False
        return (
            tombstone.get("report_id") == report_id
            and "mac" in tombstone
            and self.signer.check(tombstone_digest(tombstone), str(tombstone["mac"]))
        )

    def _signed(self, report_id: str, checkpoint: StoredCheckpoint) -> bool:
        # An edited item may lack what was signed: its message then names "None".
        message = checkpoint_message(
            report_id,
            str(checkpoint.reference),
            checkpoint.seq,
            checkpoint.hash,
            str(checkpoint.at),
        )
        return checkpoint.mac is not None and self.signer.check(message, checkpoint.mac)

    # --- writing ---------------------------------------------------------------------------

    def _put(self, report_id: str, reference: str, head: ChainHead, at: str) -> None:
        mac = self.signer.sign(checkpoint_message(report_id, reference, head.seq, head.hash, at))
        self.store.put(StoredCheckpoint(report_id, head.seq, head.hash, reference, at, mac))
