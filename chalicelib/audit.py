"""The per-case audit trail: a hash chain a data protection officer can verify.

Every look at personal data, state change, assignment, note, export and redaction appends
an entry — who, what, when, why — whose hash covers the previous entry's hash. The case
item holds the chain's head (`audit_seq`, `audit_hash`) and each entry is written in the
same transaction as the change it records, conditional on the head it extends, so entries
cannot be lost, interleaved or added twice. `verify` recomputes the chain and names the
first broken link: an edited entry, a missing one, entries out of order, or a head that
does not match (an entry removed from the end).

Free text (a reason, a purpose in the staff member's words) may name people, so it is
sealed. The hash covers a SHA-256 of the ciphertext (`reason_sha256`), not the ciphertext
itself, so that redaction can remove the sealed reason without breaking the chain: the
verifier checks a reason still present against its SHA-256, and accepts a missing one
only in an entry followed by a redaction (which the chain itself records and signs).

Every entry names its case (`report_id`, in its hash), so entries copied from another
case do not verify; a case past triage must have a chain. The case item's head and its
sealed fields are signed together (`head_mac`, see `head_message`), by every writer that
moves them, so that a table writer without the audit key cannot move the head back, put
back an older ciphertext, or copy another case's head. A periodic signed checkpoint of
every head (`chalicelib.checkpoint`) anchors the rest: a head behind its checkpoint is a
chain truncated or rolled back since then.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.clock import iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable, SealBroken
from chalicelib.storage.audit_entries import AuditEntries, StoredEntry
from chalicelib.storage.dynamo import Binary
from chalicelib.storage.reports_table import HEAD_MAC

GENESIS = "0" * 64
#: Actions that remove sealed reasons from the entries before them (see `verify`).
REDACTIONS = frozenset({"redact", "erase"})
#: The one status in which a case has no chain yet: triage writes its first entry.
UNTRIAGED = "awaiting_triage"


@dataclass(frozen=True)
class AuditEntry:
    """One link of the chain."""

    report_id: str
    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any] = field(default_factory=dict)
    sealed_reason: bytes | None = None
    prev_hash: str = GENESIS
    #: KMS HMAC of the entry's hash (not part of the hash itself).
    mac: str | None = None
    #: SHA-256 of `sealed_reason` as sealed; it stays when a redaction removes the reason.
    reason_sha256: str | None = None

    def digest(self) -> str:
        """SHA-256 over a canonical form of every field but the hash, the signature and the
        sealed reason (whose SHA-256 it covers instead)."""
        canonical = json.dumps(
            {
                "report_id": self.report_id,
                "seq": self.seq,
                "at": self.at,
                "actor": self.actor,
                "action": self.action,
                "details": self.details,
                "reason_sha256": self.reason_sha256,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """Where a case's chain ends: the last entry's number and hash (0 and GENESIS if none)."""

    seq: int = 0
    hash: str = GENESIS

    @classmethod
    def of(cls, case: Mapping[str, Any]) -> ChainHead:
        """The head recorded on a case item."""
        return cls(int(case.get("audit_seq", 0)), str(case.get("audit_hash", GENESIS)))


@dataclass(frozen=True)
class Anchor:
    """A case's head as a signed checkpoint recorded it, and when."""

    seq: int
    hash: str
    at: str
    #: Whether the checkpoint's own signature checks (one that does not anchors nothing).
    signed: bool = True


class Anchors(Protocol):
    """Where verification finds a case's last checkpointed head (`chalicelib.checkpoint`)."""

    def anchor(self, report_id: str) -> Anchor | None:
        """The case's checkpointed head, or None if it was never checkpointed."""
        ...


@dataclass(frozen=True)
class Verification:
    """The verifier's finding: intact, or the first broken link and what is wrong with it."""

    intact: bool
    entries: int
    broken_at: int | None = None
    problem: str | None = None


def next_entry(
    head: ChainHead,
    *,
    report_id: str,
    at: datetime,
    actor: str,
    action: str,
    details: dict[str, Any] | None = None,
    sealed_reason: bytes | None = None,
) -> tuple[AuditEntry, str]:
    """The entry that extends `head`, and its hash."""
    entry = AuditEntry(
        report_id=report_id,
        seq=head.seq + 1,
        at=iso(at),
        actor=actor,
        action=action,
        details=details or {},
        sealed_reason=sealed_reason,
        prev_hash=head.hash,
        reason_sha256=reason_digest(sealed_reason) if sealed_reason is not None else None,
    )
    return entry, entry.digest()


def head_message(report_id: str, version: int, head: ChainHead, sealed: Mapping[str, bytes]) -> str:
    """What `head_mac` signs: the case, its version, its chain's head and a SHA-256 of each
    sealed field's ciphertext, in a canonical form.

    Its own prefix keeps it apart from entry hashes (which the same key signs); the JSON
    is hashed first because KMS signs at most 4 KiB and a form may have many text fields.
    """
    canonical = json.dumps(
        {
            "report_id": report_id,
            "version": int(version),
            "audit_seq": head.seq,
            "audit_hash": head.hash,
            "sealed": {name: hashlib.sha256(value).hexdigest() for name, value in sealed.items()},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return "case-head:" + hashlib.sha256(canonical.encode()).hexdigest()


def head_signed(signer: AuditSigner, case: Mapping[str, Any]) -> bool:
    """Whether a case item's `head_mac` is the audit key's signature of its report id,
    version, head and sealed fields exactly as the item holds them."""
    mac = case.get(HEAD_MAC)
    if not mac:
        return False
    message = head_message(
        str(case["report_id"]), int(case["version"]), ChainHead.of(case), sealed_fields(case)
    )
    return signer.check(message, str(mac))


def sealed_fields(case: Mapping[str, Any]) -> dict[str, bytes]:
    """A case item's sealed fields as ciphertext bytes (the item holds them as Binary)."""
    return {
        str(name): bytes(value.value) if isinstance(value, Binary) else bytes(value)
        for name, value in case.get("sealed", {}).items()
    }


def reason_digest(sealed_reason: bytes) -> str:
    """The SHA-256 (hex) of a sealed reason, which the entry's hash covers."""
    return hashlib.sha256(sealed_reason).hexdigest()


@dataclass
class AuditSigner:
    """Signs entry hashes with a KMS HMAC key, so a chain recomputed without it fails.

    The key never leaves KMS: whoever can write the table but not use the key cannot
    forge or edit an entry, nor move a case's head (it is signed too, see `head_message`).
    """

    kms: Any
    key_arn: str

    def sign(self, entry_hash: str) -> str:
        """The MAC of an entry hash (or of a head, checkpoint or tombstone message: each
        has its own form, so one never passes for another)."""
        with unavailable_on_failure("kms"):
            response = self.kms.generate_mac(
                KeyId=self.key_arn, Message=entry_hash.encode(), MacAlgorithm="HMAC_SHA_256"
            )
        return base64.b64encode(response["Mac"]).decode()

    def check(self, entry_hash: str, mac: str) -> bool:
        """Whether `mac` is this key's MAC of `entry_hash`."""
        try:
            response = self.kms.verify_mac(
                KeyId=self.key_arn,
                Message=entry_hash.encode(),
                MacAlgorithm="HMAC_SHA_256",
                Mac=base64.b64decode(mac),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("KMSInvalidMacException", "ValidationException"):
                return False
            raise DependencyUnavailable("kms") from None
        except (BotoCoreError, ValueError):
            return False
        return bool(response.get("MacValid"))


@dataclass
class AuditTrail:
    """Reads and writes audit entries (through their table, `AuditEntries`); signs each
    with the audit key, and the case item's head (`head_mac`) with it."""

    store: AuditEntries
    signer: AuditSigner
    #: The signed checkpoints a verification compares heads with (none: not compared).
    anchors: Anchors | None = None

    def head_mac(
        self, report_id: str, version: int, head: ChainHead, sealed: Mapping[str, bytes]
    ) -> str:
        """The signature of a case item that is to hold these values."""
        return self.signer.sign(head_message(report_id, version, head, sealed))

    def head_signed(self, case: Mapping[str, Any]) -> bool:
        """Whether a case item's `head_mac` signs its report id, version, head and sealed
        fields exactly as the item holds them."""
        return head_signed(self.signer, case)

    def resigned(
        self, case: Mapping[str, Any], changes: Mapping[str, Any], remove: list[str]
    ) -> str:
        """The signature of the case item as it will be once `changes` are SET and `remove`
        REMOVEd, after checking the item as read was signed: a writer re-signs only what
        was signed before, so it never launders a value put back by someone else.

        `SealBroken` if the item as read is not signed.
        """
        report_id = str(case["report_id"])
        if not self.head_signed(case):
            raise SealBroken(
                f"the head of {report_id} is not the one signed",
                "unsigned" if not case.get(HEAD_MAC) else "stale",
            )
        after = {**case, **changes}
        for name in remove:
            after.pop(name, None)
        return self.head_mac(
            report_id, int(after["version"]), ChainHead.of(after), sealed_fields(after)
        )

    def case_item(self, report_id: str) -> dict[str, Any] | None:
        """The case item as it is now (a consistent read), as plain values."""
        return self.store.case_item(report_id)

    def entries_beyond(self, report_id: str, seq: int) -> bool:
        """Whether any audit entry exists after entry `seq` (the item's head was put back)."""
        return self.store.any_beyond(report_id, seq)

    def put_request(self, entry: AuditEntry, entry_hash: str) -> dict[str, Any]:
        """A transaction item adding the entry, signed; fails if that link already exists."""
        return self.store.put_request(signed_entry(entry, entry_hash, self.signer))

    def entries(self, report_id: str) -> list[tuple[AuditEntry, str]]:
        """Every stored entry of a case, in key order, with the hash stored beside it."""
        return [(entry_of(stored), stored.hash) for stored in self.store.chain(report_id)]

    def verify(self, case: Mapping[str, Any]) -> tuple[list[tuple[AuditEntry, str]], Verification]:
        """A case's entries, and the verification of its chain: every link and signature,
        that the entries are this case's, that a triaged case has a chain, that the item's
        head and sealed fields are signed, and that the head is not behind its checkpoint."""
        report_id = str(case["report_id"])
        head = ChainHead.of(case)
        chain = self.entries(report_id)
        found = verify(chain, head, self.signer.check, report_id=report_id)
        if not found.intact:
            return chain, found
        if not chain and case.get("status", UNTRIAGED) != UNTRIAGED:
            return chain, Verification(False, 0, 1, "the case was triaged but has no entries")
        if not case.get(HEAD_MAC):
            return chain, Verification(False, len(chain), None, "the case's head is not signed")
        if not self.head_signed(case):
            return chain, Verification(
                False, len(chain), None, "the case's head or sealed fields are not the ones signed"
            )
        anchor = self.anchors.anchor(report_id) if self.anchors is not None else None
        if anchor is not None and not anchor.signed:
            return chain, Verification(
                False,
                len(chain),
                None,
                f"the checkpoint of {anchor.at} is not signed by the audit key",
            )
        if anchor is not None and not reaches(chain, anchor):
            return chain, Verification(
                False,
                len(chain),
                min(anchor.seq, len(chain) + 1),
                f"the chain was truncated or rolled back since the checkpoint of {anchor.at}",
            )
        return chain, found


def signed_entry(entry: AuditEntry, entry_hash: str, signer: AuditSigner) -> StoredEntry:
    """The entry as it is stored: its hash beside it, signed with the audit key."""
    return StoredEntry(
        report_id=entry.report_id,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        details=entry.details,
        prev_hash=entry.prev_hash,
        hash=entry_hash,
        mac=signer.sign(entry_hash),
        sealed_reason=entry.sealed_reason,
        reason_sha256=entry.reason_sha256,
    )


def verify(
    entries: list[tuple[AuditEntry, str]],
    head: ChainHead,
    check_mac: Callable[[str, str], bool] | None = None,
    *,
    report_id: str | None = None,
) -> Verification:
    """Recompute a chain against the head recorded on its case; the first broken link.

    With `check_mac`, each entry's signature is checked too (see `AuditSigner`); with
    `report_id`, that each entry is that case's (its hash covers the case it was written
    for, so an entry copied from another case is found even with its hash and MAC). A
    sealed reason must match the SHA-256 its entry's hash covers; it may be missing only
    where a later entry records a redaction, which is what removes reasons.
    """
    redaction_at = max((entry.seq for entry, _ in entries if entry.action in REDACTIONS), default=0)
    previous = GENESIS
    for position, (entry, stored_hash) in enumerate(entries, start=1):
        if report_id is not None and entry.report_id != report_id:
            return Verification(
                False, len(entries), position, f"entry {position} belongs to another case"
            )
        if entry.seq != position:
            later = any(other.seq == position for other, _ in entries[position:])
            problem = "out of order" if later or entry.seq < position else "missing"
            return Verification(False, len(entries), position, f"entry {position} is {problem}")
        if entry.prev_hash != previous:
            return Verification(
                False,
                len(entries),
                position,
                f"entry {position} does not follow entry {position - 1}",
            )
        if entry.digest() != stored_hash or not _reason_intact(entry, redaction_at):
            return Verification(False, len(entries), position, f"entry {position} was altered")
        if check_mac is not None and not (entry.mac and check_mac(stored_hash, entry.mac)):
            return Verification(
                False, len(entries), position, f"entry {position} is not signed by the audit key"
            )
        previous = stored_hash
    if head.seq != len(entries):
        return Verification(
            False,
            len(entries),
            min(head.seq, len(entries)) + 1,
            f"the case records {head.seq} entries; {len(entries)} remain",
        )
    if head.hash != previous:
        return Verification(
            False, len(entries), len(entries), f"entry {len(entries)} is not the recorded last"
        )
    return Verification(True, len(entries))


def reaches(chain: list[tuple[AuditEntry, str]], anchor: Anchor) -> bool:
    """Whether an intact chain still holds the checkpointed head as one of its links."""
    return len(chain) >= anchor.seq and (anchor.seq == 0 or chain[anchor.seq - 1][1] == anchor.hash)


def _reason_intact(entry: AuditEntry, redaction_at: int) -> bool:
    if entry.sealed_reason is not None:
        return reason_digest(entry.sealed_reason) == entry.reason_sha256
    return entry.reason_sha256 is None or entry.seq < redaction_at


def entry_of(stored: StoredEntry) -> AuditEntry:
    """A stored entry as the chain's `AuditEntry` (its stored hash kept apart)."""
    return AuditEntry(
        report_id=stored.report_id,
        seq=stored.seq,
        at=stored.at,
        actor=stored.actor,
        action=stored.action,
        details=stored.details,
        sealed_reason=stored.sealed_reason,
        prev_hash=stored.prev_hash,
        mac=stored.mac,
        reason_sha256=stored.reason_sha256,
    )
