"""The administration audit trail: who changed the staff directory or the institution's
content, what, when and why, in one chain a data protection officer can verify.

It is kept as a case's trail is (`chalicelib.audit`): each entry's hash covers the entry
before it, each entry is signed with the audit key, and the head the chain ends at is
signed too, so an entry edited, removed, reordered or added without the key is found by
`verify`. The reason an administrator gives may name people (a leaver, a colleague), so it
is sealed under the identity key, bound to its place in the chain.

An entry is written BEFORE the change it records where the change is outside the admin
table (the staff table, Cognito): the trail then holds every instruction given, including
one whose change failed (the administrator is told, and sends it again). A change inside
the admin table (a content version published) is written in the same transaction as its
entry (`also`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.audit import (
    GENESIS,
    Anchors,
    AuditEntry,
    AuditSigner,
    ChainHead,
    Verification,
    entry_of,
    next_entry,
    reaches,
    signed_entry,
)
from chalicelib.audit import verify as verify_chain
from chalicelib.clock import Clock
from chalicelib.crypto import Sealer
from chalicelib.errors import DependencyUnavailable, SealBroken
from chalicelib.storage.admin_trail import AdminTrailItems, TrailHead
from chalicelib.storage.conflicts import retry_on_conflict

#: The id every entry of the trail names (in its hash), as a case's entries name the case.
TRAIL_ID = "admin"


def head_message(head: ChainHead) -> str:
    """What the head's signature signs: its own prefix keeps it apart from entry hashes and
    a case's head (the same key signs all three)."""
    return f"admin-head:{head.seq}:{head.hash}"


@dataclass(frozen=True)
class TrailEntry:
    """An entry as an administrator reads it: the reason opened."""

    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]
    reason: str | None


@dataclass
class AdminTrail:
    """Appends to and reads the trail. Takes its items, the audit key's signer, the sealer
    of reasons and a clock."""

    items: AdminTrailItems
    signer: AuditSigner
    sealer: Sealer
    clock: Clock
    #: The signed checkpoints (`chalicelib.checkpoint`): the hourly job checkpoints this
    #: trail's head as it does a case's, so a head put back with its last entries removed
    #: is found. None: not compared.
    anchors: Anchors | None = None

    def record(
        self,
        actor: str,
        action: str,
        details: Mapping[str, Any],
        reason: str | None,
        *,
        also: Sequence[Mapping[str, Any]] = (),
    ) -> AuditEntry:
        """Append one entry (with `also`, other writes of the admin table, atomically).

        `details` must hold no personal data (ids, counts, versions); `reason` is sealed.
        `SealBroken` if the stored head is not the one signed (nothing is written then).
        """

        def attempt() -> AuditEntry:
            head = self._head()
            sealed = self.sealer.seal(TRAIL_ID, f"audit.{head.seq + 1}", reason) if reason else None
            entry, entry_hash = next_entry(
                head,
                report_id=TRAIL_ID,
                at=self.clock.now(),
                actor=actor,
                action=action,
                details={key: value for key, value in details.items() if value is not None},
                sealed_reason=sealed,
            )
            new_head = ChainHead(entry.seq, entry_hash)
            self.items.append(
                signed_entry(entry, entry_hash, self.signer),
                TrailHead(new_head.seq, new_head.hash, self.signer.sign(head_message(new_head))),
                after_seq=head.seq,
                also=also,
            )
            return entry

        return retry_on_conflict(attempt, lambda: DependencyUnavailable("dynamodb"))

    def verify(self) -> tuple[list[tuple[AuditEntry, str]], Verification]:
        """Every entry, and the verification of the chain: each link and signature, that
        the head is signed and is where the chain ends, and that the chain still reaches
        the head last checkpointed."""
        stored = self.items.head()
        chain = [(entry_of(entry), entry.hash) for entry in self.items.chain()]
        head = ChainHead() if stored is None else ChainHead(stored.seq, stored.hash)
        found = verify_chain(chain, head, self.signer.check, report_id=TRAIL_ID)
        if not found.intact:
            return chain, found
        if stored is not None and not self.signer.check(head_message(head), stored.mac):
            return chain, Verification(
                False, len(chain), None, "the trail's head is not the one signed"
            )
        anchor = self.anchors.anchor(TRAIL_ID) if self.anchors is not None else None
        if anchor is not None and not (anchor.signed and reaches(chain, anchor)):
            problem = (
                f"the checkpoint of {anchor.at} is not signed by the audit key"
                if not anchor.signed
                else f"the trail was truncated or rolled back since the checkpoint of {anchor.at}"
            )
            return chain, Verification(False, len(chain), None, problem)
        return chain, found

    def read(self, actor: str) -> tuple[list[TrailEntry], Verification]:
        """The entries with their reasons opened, and the verification; the read itself is
        recorded first (reasons are sealed, and unsealing is audited). On a trail whose
        head is not the one signed, nothing is recorded and no reason is opened."""
        try:
            self.record(actor, "admin_trail_read", {}, None)
        except SealBroken:
            # The head was moved without the key: nothing more is added, no reason opened,
            # and the verification says what is wrong.
            chain, verification = self.verify()
            return [_view(entry, None) for entry, _ in chain], verification
        chain, verification = self.verify()
        return [_view(entry, self._reason(entry)) for entry, _ in chain], verification

    def _head(self) -> ChainHead:
        stored = self.items.head()
        if stored is None:
            return ChainHead(0, GENESIS)
        head = ChainHead(stored.seq, stored.hash)
        if not self.signer.check(head_message(head), stored.mac):
            raise SealBroken("the administration trail's head is not the one signed", "stale")
        return head

    def _reason(self, entry: AuditEntry) -> str | None:
        if entry.sealed_reason is None:
            return None
        return str(self.sealer.unseal(TRAIL_ID, f"audit.{entry.seq}", entry.sealed_reason))


def _view(entry: AuditEntry, reason: str | None) -> TrailEntry:
    return TrailEntry(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        details=entry.details,
        reason=reason,
    )
