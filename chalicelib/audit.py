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
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.clock import iso
from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable

GENESIS = "0" * 64
#: Actions that remove sealed reasons from the entries before them (see `verify`).
REDACTIONS = frozenset({"redact", "erase"})
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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
    def of(cls, case: dict[str, Any]) -> ChainHead:
        """The head recorded on a case item."""
        return cls(int(case.get("audit_seq", 0)), str(case.get("audit_hash", GENESIS)))


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


def reason_digest(sealed_reason: bytes) -> str:
    """The SHA-256 (hex) of a sealed reason, which the entry's hash covers."""
    return hashlib.sha256(sealed_reason).hexdigest()


@dataclass
class AuditSigner:
    """Signs entry hashes with a KMS HMAC key, so a chain recomputed without it fails.

    The key never leaves KMS: whoever can write the table but not use the key cannot
    forge or edit an entry. (Removing entries from the end *and* moving the case's head
    back stays possible for such a writer; the head is not signed separately.)
    """

    kms: Any
    key_arn: str

    def sign(self, entry_hash: str) -> str:
        """The MAC of an entry hash."""
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
    """Reads and writes audit entries in the reports table; signs each with the audit key."""

    client: Any
    table: str
    signer: AuditSigner

    def put_request(self, entry: AuditEntry, entry_hash: str) -> dict[str, Any]:
        """A transaction item adding the entry; fails if that link already exists."""
        item: dict[str, Any] = {
            "pk": f"REPORT#{entry.report_id}",
            "sk": f"AUDIT#{entry.seq:010d}",
            "report_id": entry.report_id,
            "seq": entry.seq,
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "details": entry.details,
            "prev_hash": entry.prev_hash,
            "hash": entry_hash,
            "mac": self.signer.sign(entry_hash),
        }
        if entry.sealed_reason is not None:
            item["sealed_reason"] = Binary(entry.sealed_reason)
        if entry.reason_sha256 is not None:
            item["reason_sha256"] = entry.reason_sha256
        return {
            "Put": {
                "TableName": self.table,
                "Item": {name: _serializer.serialize(value) for name, value in item.items()},
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def entries(self, report_id: str) -> list[tuple[AuditEntry, str]]:
        """Every stored entry of a case, in key order, with the hash stored beside it."""
        with unavailable_on_failure("dynamodb"):
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :case AND begins_with(sk, :audit)",
                ExpressionAttributeValues={
                    ":case": {"S": f"REPORT#{report_id}"},
                    ":audit": {"S": "AUDIT#"},
                },
                ConsistentRead=True,
            )
            items = [item for page in pages for item in page["Items"]]
        return [_entry(item) for item in items]

    def verify(
        self, report_id: str, head: ChainHead
    ) -> tuple[list[tuple[AuditEntry, str]], Verification]:
        """A case's entries, and the verification of their chain including signatures."""
        chain = self.entries(report_id)
        return chain, verify(chain, head, self.signer.check)


def verify(
    entries: list[tuple[AuditEntry, str]],
    head: ChainHead,
    check_mac: Callable[[str, str], bool] | None = None,
) -> Verification:
    """Recompute a chain against the head recorded on its case; the first broken link.

    With `check_mac`, each entry's signature is checked too (see `AuditSigner`). A sealed
    reason must match the SHA-256 its entry's hash covers; it may be missing only where a
    later entry records a redaction, which is what removes reasons.
    """
    redaction_at = max((entry.seq for entry, _ in entries if entry.action in REDACTIONS), default=0)
    previous = GENESIS
    for position, (entry, stored_hash) in enumerate(entries, start=1):
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


def _reason_intact(entry: AuditEntry, redaction_at: int) -> bool:
    if entry.sealed_reason is not None:
        return reason_digest(entry.sealed_reason) == entry.reason_sha256
    return entry.reason_sha256 is None or entry.seq < redaction_at


def _entry(item: dict[str, Any]) -> tuple[AuditEntry, str]:
    values = {name: _deserializer.deserialize(value) for name, value in item.items()}
    sealed = values.get("sealed_reason")
    entry = AuditEntry(
        report_id=str(values["report_id"]),
        seq=int(values["seq"]),
        at=str(values["at"]),
        actor=str(values["actor"]),
        action=str(values["action"]),
        details=_plain(values.get("details", {})),
        sealed_reason=bytes(sealed.value) if isinstance(sealed, Binary) else None,
        prev_hash=str(values["prev_hash"]),
        mac=str(values["mac"]) if values.get("mac") else None,
        reason_sha256=str(values["reason_sha256"]) if values.get("reason_sha256") else None,
    )
    return entry, str(values["hash"])


def _plain(value: Any) -> Any:
    # DynamoDB returns numbers as Decimal; the hash was computed over ints.
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int | float):
        return int(value) if value == int(value) else float(value)
    return value
