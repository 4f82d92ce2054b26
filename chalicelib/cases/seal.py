"""Opening a case's sealed fields only as the case's signed head last covered them.

A table writer without the KMS keys cannot forge a ciphertext, but could put back an older
one (the contact details before a rectification) or the whole case item as it was before
some change. Every writer of the case item signs its head and sealed fields together
(`chalicelib.audit.head_message`), so before anything of a case is unsealed `CaseSeal`
checks that signature against the item as read (one KMS VerifyMac) and that no audit entry
lies beyond the item's head (one query of one key), which finds an item put back whole.
Reading a case's personal data goes through here, so no caller can forget the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from chalicelib.audit import AuditTrail
from chalicelib.crypto import JsonValue
from chalicelib.errors import SealBroken, StaleVersion
from chalicelib.storage.case_item import CaseItem

#: How often a case that keeps moving while it is checked is read again before giving up.
_REREADS = 3


class Unsealer(Protocol):
    """What opens a sealed value (a `chalicelib.crypto.Sealer`)."""

    def unseal(self, record_id: str, field: str, ciphertext: bytes) -> JsonValue:
        """Decrypt a sealed value bound to `record_id` and `field`."""
        ...


@dataclass(frozen=True)
class CheckedSeal:
    """A case's sealed fields, checked against its signed head; opened one by one."""

    report_id: str
    sealed: Mapping[str, bytes]
    identity: Unsealer

    def open(self, name: str) -> JsonValue:
        """The plain value of one checked field (`KeyError` if the case has none)."""
        return self.identity.unseal(self.report_id, name, self.sealed[name])

    def open_beside(self, name: str, ciphertext: bytes) -> JsonValue:
        """A value sealed beside the case item (a message of its thread) under `name`, bound
        to this case: opened only once the case's head was checked, so a case put back whole
        cannot hide that its thread moved on."""
        return self.identity.unseal(self.report_id, name, ciphertext)


@dataclass
class CaseSeal:
    """Checks a case item against its signed head, then opens its sealed fields."""

    audit: AuditTrail
    identity: Unsealer

    def check(self, case: CaseItem, field: str) -> CheckedSeal:
        """The case's sealed fields, if its head signs them as read and nothing was written
        after that head. `field` is what the caller is about to read (named if refused).

        `SealBroken` (reason "unsigned", "stale" or "rolled_back") otherwise.

        An entry beyond the head as read is also what a change committed since the read
        looks like (triage finishing while a retry is answered, a colleague's note during a
        reveal): the item is read again, and only an item whose own head is behind its chain
        was put back. The fields returned are then those of the item as it is now.
        """
        report_id = case.report_id
        for _reread in range(_REREADS):
            if not case.head_mac:
                raise SealBroken(f"{field} of {report_id} is not under a signed head", "unsigned")
            if not self.audit.head_signed(case.item):
                raise SealBroken(f"{field} of {report_id} is not the value last signed", "stale")
            seen = case.audit_seq or 0
            if not self.audit.entries_beyond(report_id, seen):
                return CheckedSeal(report_id, case.sealed, self.identity)
            item = self.audit.case_item(report_id)
            now = CaseItem.from_item(item) if item is not None else None
            if now is None or (now.audit_seq or 0) <= seen:
                raise SealBroken(
                    f"{field} of {report_id} is from before its last change", "rolled_back"
                )
            case = now
        raise StaleVersion(case.version)

    def open(self, case: CaseItem, field: str) -> JsonValue:
        """One sealed field of a case, checked and opened."""
        return self.check(case, field).open(field)
