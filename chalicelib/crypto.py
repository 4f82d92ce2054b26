"""Sealing personal data with KMS envelope encryption, and blind indexes.

`Sealer` wraps aws-encryption-sdk with a caching materials manager, so KMS is called once
per data key rather than once per field. The cache is keyed by the encryption context, so
the context is constant per purpose; the record id and field name travel *inside* the
envelope and are checked on every unseal, so a ciphertext copied onto another record (or
into another field) refuses to open. Messages use a key-committing algorithm suite.

`BlindIndex` turns a normalised value into a keyed MAC with KMS `GenerateMac`: the HMAC
key never leaves KMS, and the plain value is never stored. Each kind of value (an email, a
reported person) is MACed under its own prefix, so indexes of different kinds never match.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import unicodedata
from typing import Any, Protocol

import aws_encryption_sdk
from aws_encryption_sdk import Algorithm, CommitmentPolicy
from aws_encryption_sdk.caches.local import LocalCryptoMaterialsCache
from aws_encryption_sdk.exceptions import AWSEncryptionSDKClientError
from aws_encryption_sdk.materials_managers.caching import CachingCryptoMaterialsManager
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable, SealBroken

ALGORITHM = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
_CACHE_CAPACITY = 16

JsonValue = Any


class Sealer:
    """Seals and unseals values for one purpose (one KMS key, one constant context)."""

    def __init__(
        self,
        *,
        key_arn: str,
        purpose: str,
        app_name: str,
        botocore_session: Any,
        cache_max_age_seconds: float,
        cache_max_messages: int,
        kms_client: Any = None,
    ) -> None:
        self.key_arn = key_arn
        self.purpose = purpose
        self._context = {"app": app_name, "purpose": purpose}
        # The SDK turns a KMS error during decrypt into its own DecryptKeyError and drops
        # the original, so KMS's answer is noted here to tell an outage from a bad seal.
        # (On the session, registered before the provider builds its client, since clients
        # copy the session's handlers; or on the shared client itself.)
        self._kms_answers = threading.local()
        events = botocore_session if kms_client is None else kms_client.meta.events
        events.register(
            "after-call.kms.Decrypt", self._note_kms_answer, unique_id=f"sealer-{id(self)}"
        )
        provider = _key_provider(key_arn, botocore_session, kms_client)
        self._materials = CachingCryptoMaterialsManager(
            master_key_provider=provider,
            cache=LocalCryptoMaterialsCache(_CACHE_CAPACITY),
            max_age=float(cache_max_age_seconds),
            max_messages_encrypted=cache_max_messages,
        )
        self._client = aws_encryption_sdk.EncryptionSDKClient(
            commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        )

    def seal(self, record_id: str, field: str, value: JsonValue) -> bytes:
        """Encrypt `value` bound to `record_id` and `field`."""
        envelope = json.dumps(
            {"record": record_id, "field": field, "value": value},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        try:
            ciphertext, _header = self._client.encrypt(
                source=envelope,
                materials_manager=self._materials,
                encryption_context=self._context,
                algorithm=ALGORITHM,
            )
        except (AWSEncryptionSDKClientError, BotoCoreError, ClientError):
            raise DependencyUnavailable("kms") from None
        return bytes(ciphertext)

    def unseal(self, record_id: str, field: str, ciphertext: bytes) -> JsonValue:
        """Decrypt a sealed value, refusing one sealed for another record or field.

        Callers outside the store go through an audited path; this is the primitive.
        """
        self._kms_answers.error_code = None
        try:
            plaintext, header = self._client.decrypt(
                source=ciphertext, materials_manager=self._materials
            )
        except Exception as error:
            if _kms_was_unavailable(error, self._kms_answers.error_code):
                raise DependencyUnavailable("kms") from None
            raise SealBroken(f"{field} of {record_id} does not open") from None
        if any(header.encryption_context.get(k) != v for k, v in self._context.items()):
            raise SealBroken(f"{field} of {record_id} was sealed for another purpose")
        envelope = json.loads(plaintext)
        if envelope.get("record") != record_id or envelope.get("field") != field:
            raise SealBroken(f"{field} of {record_id} was sealed for another record or field")
        return envelope["value"]

    def _note_kms_answer(self, parsed: Any = None, **_: Any) -> None:
        if isinstance(parsed, dict) and "Error" in parsed:
            self._kms_answers.error_code = parsed["Error"].get("Code")


def _key_provider(key_arn: str, botocore_session: Any, kms_client: Any) -> Any:
    """A strict KMS master key provider for one key.

    Left to itself the provider builds a KMS client of its own for its region (each client
    costs a cold start tens of milliseconds, and there is one sealer per purpose); given
    `kms_client`, it uses that one for the client's region instead.
    """
    if kms_client is None:
        return aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
            key_ids=[key_arn], botocore_session=botocore_session
        )
    shared_region = kms_client.meta.region_name

    class SharedClientKeyProvider(aws_encryption_sdk.StrictAwsKmsMasterKeyProvider):  # type: ignore[misc]
        def add_regional_client(self, region_name: str) -> None:
            if region_name == shared_region:
                self._regional_clients.setdefault(region_name, kms_client)
            else:
                super().add_regional_client(region_name)

    return SharedClientKeyProvider(key_ids=[key_arn], botocore_session=botocore_session)


#: KMS answers that mean KMS cannot serve now (an outage, throttling, a disabled key), as
#: opposed to "this ciphertext does not open here" (InvalidCiphertext, IncorrectKey, and
#: AccessDenied: a refusal is deliberate, retrying will not help, and it is how KMS keeps
#: the API away from the insight key).
_KMS_UNAVAILABLE = frozenset(
    {
        "DependencyTimeoutException",
        "DisabledException",
        "KMSInternalException",
        "KMSInvalidStateException",
        "KeyUnavailableException",
        "LimitExceededException",
        "NotFoundException",
        "ThrottlingException",
        "ServiceUnavailable",
        "InternalFailure",
    }
)


def _kms_was_unavailable(error: BaseException, kms_error_code: str | None) -> bool:
    """Whether a failed decrypt was KMS being unable to serve, rather than a bad seal.

    KMS's error code, if it answered with one, decides; otherwise a botocore error (no
    connection, timeout) is looked for on the cause chain.
    """
    if kms_error_code is not None:
        return kms_error_code in _KMS_UNAVAILABLE
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, BotoCoreError):
            return True
        if isinstance(seen, ClientError):
            return seen.response.get("Error", {}).get("Code") in _KMS_UNAVAILABLE
        seen = seen.__cause__ or seen.__context__
    return False


class SealOnly(Protocol):
    """What code that may only write a purpose's data gets: no way to unseal."""

    def seal(self, record_id: str, field: str, value: JsonValue) -> bytes:
        """Encrypt `value` bound to `record_id` and `field`."""
        ...


class BlindIndex:
    """Keyed MACs of normalised values, computed inside KMS."""

    def __init__(self, *, kms_client: Any, key_arn: str) -> None:
        self._kms = kms_client
        self._key_arn = key_arn

    def email(self, address: str) -> str:
        """The blind index of an email address (case- and Unicode-form-insensitive)."""
        return self._mac("email", normalise_email(address))

    def person(self, name: str, department: str) -> str:
        """The blind index of a reported person: their normalised name and department.

        The department is part of the value so that two people of the same name in
        different parts of the university are not linked; "" stands for "not known".
        """
        return self._mac("person", f"{normalise_person_name(name)}\x00{department}")

    def receipt(self, code: str) -> str:
        """The MAC (hex) of a normalised receipt code (`chalicelib.reports.receipt_code`):
        the only form in which a code is kept, and how one presented is looked up."""
        return self._raw_mac("receipt", code).hex()

    def _mac(self, kind: str, normalised: str) -> str:
        return base64.urlsafe_b64encode(self._raw_mac(kind, normalised)).decode("ascii").rstrip("=")

    def _raw_mac(self, kind: str, normalised: str) -> bytes:
        # The kind prefix separates domains: an email and a name that normalise to the
        # same text still get different indexes.
        message = f"{kind}\x00{normalised}".encode()
        with unavailable_on_failure("kms"):
            response = self._kms.generate_mac(
                KeyId=self._key_arn, Message=message, MacAlgorithm="HMAC_SHA_256"
            )
        return bytes(response["Mac"])


def normalise_email(address: str) -> str:
    """One spelling per mailbox as far as we can tell: NFKC, trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", address).strip().lower()


#: Titles dropped from the start of a name: "Dr. Jane Smith" is "jane smith".
PERSON_TITLES = frozenset(
    {"dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "rev"}
)
#: Apostrophes join (O'Brien is obrien, as many people type it); other punctuation separates.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")


def normalise_person_name(name: str) -> str:
    """One spelling per name as far as we can tell, or "" if nothing name-like is left.

    NFKC, case-folded, punctuation and symbols turned into spaces, leading titles dropped,
    spaces collapsed. A single letter is not a name (initials alone would link strangers).
    """
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", name).casefold())
    spaced = "".join(" " if unicodedata.category(char)[0] in "PSZC" else char for char in folded)
    words = spaced.split()
    while words and words[0] in PERSON_TITLES:
        words = words[1:]
    normalised = " ".join(words)
    return normalised if len(normalised) > 1 else ""


class WriteOnlySealer:
    """A sealer with no unseal: what the API holds for the `insight` purpose.

    KMS policy is the real barrier (the API role may only encrypt with the insight key);
    this makes the same rule visible in the code and in its types.
    """

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer
        self.key_arn = sealer.key_arn

    def seal(self, record_id: str, field: str, value: JsonValue) -> bytes:
        """Encrypt `value` bound to `record_id` and `field`."""
        return self._sealer.seal(record_id, field, value)
