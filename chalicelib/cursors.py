"""Paging cursors: opaque to the caller, and good only for the list they came from.

A cursor holds the DynamoDB key where the next page starts. Handed out as it is, anyone
could write a key of another team's queue, or bytes DynamoDB chokes on. So a cursor is
the key encrypted and authenticated (AES-256-GCM) with the list it belongs to as associated
data (its index and the value it is read under: a team, an advisor, a month): a cursor
changed in any bit, cut short, made up, or taken from another list fails to open and is
refused naming `cursor` (400), before anything is read.

The key must be the same in every Lambda instance (a cursor from one page may be used on
another instance for the next), so it is not random per process: it is derived once per
process from the audit key in KMS (`GenerateMac` of a fixed label) and kept in memory. The
label is no entry hash nor head message, so it is not something the audit chain signs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import FieldProblem, InvalidInput

#: What the audit key MACs to give the cursor key (change the version to retire every cursor).
KEY_LABEL = b"report-support paging cursors v1"
_VERSION = b"\x01"
_NONCE_BYTES = 12
#: A cursor is a key of a few short attributes; anything much longer is not one of ours.
_MAX_CURSOR_CHARS = 2048
_REFUSED = "is not a cursor from this list"


def key_from_kms(kms: Any, key_arn: str) -> Callable[[], bytes]:
    """A function giving the cursor key: the KMS HMAC key's MAC of `KEY_LABEL` (32 bytes)."""

    def derive() -> bytes:
        with unavailable_on_failure("kms"):
            response = kms.generate_mac(
                KeyId=key_arn, Message=KEY_LABEL, MacAlgorithm="HMAC_SHA_256"
            )
        return bytes(response["Mac"])

    return derive


class PageCursors:
    """Seals a page's start key into a cursor for one list, and opens it again."""

    def __init__(self, derive_key: Callable[[], bytes]) -> None:
        self._derive_key = derive_key
        self._cipher: AESGCM | None = None
        self._lock = threading.Lock()

    def seal(self, position: Mapping[str, Any], *, scope: str) -> str:
        """The cursor for `position` (a DynamoDB key) in the list named by `scope`."""
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        sealed = self._aead().encrypt(nonce, plain, _associated(scope))
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode().rstrip("=")

    def open(self, cursor: str, *, scope: str) -> dict[str, Any]:
        """The key a cursor of this list holds; `InvalidInput` naming `cursor` otherwise."""
        if len(cursor) > _MAX_CURSOR_CHARS:
            raise _refused()
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, binascii.Error):
            raise _refused() from None
        if len(raw) <= 1 + _NONCE_BYTES or raw[:1] != _VERSION:
            raise _refused()
        nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            position = json.loads(self._aead().decrypt(nonce, sealed, _associated(scope)))
        except (InvalidTag, ValueError):
            raise _refused() from None
        if not isinstance(position, dict):
            raise _refused()
        return position

    def _aead(self) -> AESGCM:
        with self._lock:
            if self._cipher is None:
                self._cipher = AESGCM(self._derive_key())
            return self._cipher


def _associated(scope: str) -> bytes:
    return b"cursor\x00" + scope.encode()


def _refused() -> InvalidInput:
    return InvalidInput([FieldProblem("cursor", _REFUSED)])
