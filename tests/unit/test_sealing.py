"""Sealing personal data under KMS, and blind indexes, against moto's KMS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws

from chalicelib.crypto import BlindIndex, Sealer, WriteOnlySealer
from chalicelib.errors import DependencyUnavailable, SealBroken
from tests.sentinels import Blob, occurrences

REGION = "eu-west-2"
MISSING_KEY_ARN = f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000"


@dataclass
class KmsCalls:
    """Records the name of every KMS operation made through one botocore session."""

    names: list[str] = field(default_factory=list)

    def __call__(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)

    def clear(self) -> None:
        self.names.clear()


@dataclass
class Keys:
    session: Any
    kms: Any
    calls: KmsCalls
    identity: str
    insight: str
    blind_index: str

    def sealer(
        self,
        key_arn: str | None = None,
        purpose: str = "identity",
        *,
        session: Any = None,
        **cache: Any,
    ) -> Sealer:
        return Sealer(
            key_arn=key_arn or self.identity,
            purpose=purpose,
            app_name="report-support",
            botocore_session=session or self.session,
            cache_max_age_seconds=cache.get("cache_max_age_seconds", 300.0),
            cache_max_messages=cache.get("cache_max_messages", 1000),
        )


@pytest.fixture(scope="module")
def kms_account() -> Iterator[Keys]:
    """Moto's KMS with the identity, insight and blind-index keys, made once per module."""
    with pytest.MonkeyPatch.context() as environment:
        environment.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            session = botocore.session.Session()
            calls = KmsCalls()
            session.register("before-call.kms", calls)
            kms = boto3.Session(botocore_session=session, region_name=REGION).client("kms")
            identity = kms.create_key(Description="identity")["KeyMetadata"]["Arn"]
            insight = kms.create_key(Description="insight")["KeyMetadata"]["Arn"]
            blind_index = kms.create_key(
                Description="blind index", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"
            )["KeyMetadata"]["Arn"]
            yield Keys(session, kms, calls, identity, insight, blind_index)


@pytest.fixture
def keys(kms_account: Keys) -> Keys:
    """The module's keys, with the count of KMS calls starting from zero.

    Every test builds its own Sealer, so no data key is shared between tests.
    """
    kms_account.calls.clear()
    return kms_account


def kms_refusing(keys: Keys, operation: str, code: str) -> Any:
    """A botocore session whose KMS answers `operation` with error `code` (a fake KMS fault)."""

    def refuse(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        response = AWSResponse(f"https://kms.{REGION}.amazonaws.com/", 400, {}, None)
        return response, {
            "Error": {"Code": code, "Message": "refused by the test"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    session = botocore.session.Session()
    # Reuse the parsed service models: loading them again costs more than the test.
    session.register_component("data_loader", keys.session.get_component("data_loader"))
    session.register(f"before-call.kms.{operation}", refuse)
    return session


# --- Sealer -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Alex Example",
        "Zoë Ødegård — 東京 🙂",
        {"name": "Alex", "safe_times": ["mornings", "évenings"], "phone": None, "age": 20},
        ["a", 1, True],
        "",
    ],
    ids=["text", "unicode", "object", "list", "empty text"],
)
def test_a_sealed_value_opens_for_the_same_record_and_field(keys: Keys, value: Any) -> None:
    sealer = keys.sealer()

    sealed = sealer.seal("report-1", "contact.name", value)

    assert sealer.unseal("report-1", "contact.name", sealed) == value


def test_another_sealer_for_the_same_key_and_purpose_opens_the_value(keys: Keys) -> None:
    sealed = keys.sealer().seal("report-1", "narrative", "It happened after the seminar.")

    opened = keys.sealer().unseal("report-1", "narrative", sealed)

    assert opened == "It happened after the seminar."


def test_the_ciphertext_does_not_contain_the_plaintext(keys: Keys) -> None:
    secret = "Sentinel Sealed Name 4f2a"

    sealed = keys.sealer().seal("report-1", "contact.name", {"name": secret})

    assert (
        occurrences(
            [Blob("sealed", sealed.decode("latin-1"))], [secret, "report-1", "contact.name"]
        )
        == []
    )


def test_the_same_value_seals_differently_each_time(keys: Keys) -> None:
    sealer = keys.sealer()

    assert sealer.seal("report-1", "narrative", "x") != sealer.seal("report-1", "narrative", "x")


def test_a_ciphertext_moved_to_another_record_does_not_open(keys: Keys) -> None:
    sealer = keys.sealer()
    sealed = sealer.seal("report-1", "contact.email", "alex@example.ac.uk")

    with pytest.raises(SealBroken):
        sealer.unseal("report-2", "contact.email", sealed)


def test_a_ciphertext_moved_to_another_field_does_not_open(keys: Keys) -> None:
    sealer = keys.sealer()
    sealed = sealer.seal("report-1", "contact.email", "alex@example.ac.uk")

    with pytest.raises(SealBroken):
        sealer.unseal("report-1", "contact.name", sealed)


def test_a_ciphertext_with_any_one_byte_flipped_does_not_open(keys: Keys) -> None:
    sealer = keys.sealer()
    sealed = sealer.seal("report-1", "narrative", "It happened after the seminar.")

    not_refused = []
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        try:
            sealer.unseal("report-1", "narrative", bytes(tampered))
        except SealBroken:
            continue
        except Exception as error:  # which error escapes is the finding
            not_refused.append((position, type(error).__name__))
        else:
            not_refused.append((position, "opened"))

    assert not_refused == [], f"{len(not_refused)} of {len(sealed)} positions: {not_refused[:3]}"


@pytest.mark.parametrize(
    "garbage", [b"", b"not a ciphertext", bytes(64)], ids=["empty", "text", "zeros"]
)
def test_bytes_that_are_not_a_ciphertext_do_not_open(keys: Keys, garbage: bytes) -> None:
    with pytest.raises(SealBroken):
        keys.sealer().unseal("report-1", "narrative", garbage)


def test_a_value_sealed_for_insight_does_not_open_with_the_identity_sealer(keys: Keys) -> None:
    insight = keys.sealer(keys.insight, purpose="insight")
    sealed = insight.seal("report-1", "demographics", {"age_band": "18_24"})

    with pytest.raises(SealBroken):
        keys.sealer().unseal("report-1", "demographics", sealed)


def test_a_value_sealed_for_another_purpose_under_the_same_key_does_not_open(keys: Keys) -> None:
    sealed = keys.sealer(keys.identity, purpose="insight").seal("report-1", "field", "x")

    with pytest.raises(SealBroken):
        keys.sealer(keys.identity, purpose="identity").unseal("report-1", "field", sealed)


def test_two_hundred_seals_cost_one_data_key(keys: Keys) -> None:
    sealer = keys.sealer()

    for number in range(200):
        sealer.seal(f"report-{number}", "contact.name", f"Person {number}")

    assert keys.calls.names == ["GenerateDataKey"]


def test_two_hundred_unseals_cost_one_decrypt(keys: Keys) -> None:
    writer = keys.sealer()
    sealed = [writer.seal(f"report-{n}", "narrative", f"text {n}") for n in range(200)]
    reader = keys.sealer()
    keys.calls.clear()

    opened = [reader.unseal(f"report-{n}", "narrative", value) for n, value in enumerate(sealed)]

    assert opened == [f"text {n}" for n in range(200)]
    assert keys.calls.names == ["Decrypt"]


def test_a_data_key_is_retired_after_the_configured_number_of_messages(keys: Keys) -> None:
    sealer = keys.sealer(cache_max_messages=10)

    for number in range(25):
        sealer.seal(f"report-{number}", "narrative", "x")

    assert keys.calls.names.count("GenerateDataKey") == 3


def test_a_sealer_accepts_the_cache_age_as_whole_seconds(keys: Keys) -> None:
    sealer = keys.sealer(cache_max_age_seconds=300)

    sealed = sealer.seal("report-1", "narrative", "x")

    assert sealer.unseal("report-1", "narrative", sealed) == "x"


def test_sealing_under_a_key_that_does_not_exist_is_dependency_unavailable(keys: Keys) -> None:
    with pytest.raises(DependencyUnavailable) as failed:
        keys.sealer(MISSING_KEY_ARN).seal("report-1", "narrative", "x")

    assert failed.value.service == "kms"


def test_sealing_while_kms_refuses_is_dependency_unavailable(keys: Keys) -> None:
    refusing = kms_refusing(keys, "GenerateDataKey", "KMSInvalidStateException")

    with pytest.raises(DependencyUnavailable):
        keys.sealer(session=refusing).seal("report-1", "narrative", "x")


def test_unsealing_while_kms_refuses_is_dependency_unavailable_not_a_broken_seal(
    keys: Keys,
) -> None:
    sealed = keys.sealer().seal("report-1", "narrative", "x")
    refusing = kms_refusing(keys, "Decrypt", "KMSInvalidStateException")

    with pytest.raises(DependencyUnavailable):
        keys.sealer(session=refusing).unseal("report-1", "narrative", sealed)


def test_the_write_only_sealer_cannot_unseal(keys: Keys) -> None:
    write_only = WriteOnlySealer(keys.sealer(keys.insight, purpose="insight"))

    assert not hasattr(write_only, "unseal")
    assert write_only.key_arn == keys.insight


def test_what_the_write_only_sealer_seals_opens_with_the_full_sealer(keys: Keys) -> None:
    full = keys.sealer(keys.insight, purpose="insight")
    sealed = WriteOnlySealer(full).seal("report-1", "demographics", {"gender": "woman"})

    assert full.unseal("report-1", "demographics", sealed) == {"gender": "woman"}


# --- Blind indexes ------------------------------------------------------------------------------


def blind_index(keys: Keys, key_arn: str | None = None) -> BlindIndex:
    return BlindIndex(kms_client=keys.kms, key_arn=key_arn or keys.blind_index)


@pytest.mark.parametrize(
    "spelling",
    [
        "Alex@Example.ac.uk ",
        " ALEX@EXAMPLE.AC.UK",
        "alex@example.ac.uk\n",
        "\uff41lex@example.ac.uk",
    ],
    ids=["mixed case and trailing space", "upper case", "newline", "full-width letter"],
)
def test_spellings_of_one_address_share_a_blind_index(keys: Keys, spelling: str) -> None:
    index = blind_index(keys)

    assert index.email(spelling) == index.email("alex@example.ac.uk")


@pytest.mark.parametrize(
    "other", ["alex@example.ac.uk.evil", "alex.e@example.ac.uk", "sam@example.ac.uk"]
)
def test_different_addresses_have_different_blind_indexes(keys: Keys, other: str) -> None:
    index = blind_index(keys)

    assert index.email(other) != index.email("alex@example.ac.uk")


def test_a_blind_index_never_contains_the_address(keys: Keys) -> None:
    address = "sentinel.blind.7c1@example.ac.uk"

    value = blind_index(keys).email(address)

    assert (
        occurrences([Blob("index", value)], [address, "sentinel.blind.7c1", "example.ac.uk"]) == []
    )


def test_a_blind_index_depends_on_the_key_not_only_on_the_address(keys: Keys) -> None:
    other_key = keys.kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    other = blind_index(keys, other_key["KeyMetadata"]["Arn"])

    assert other.email("alex@example.ac.uk") != blind_index(keys).email("alex@example.ac.uk")


@dataclass
class FailingKms:
    """A KMS client whose GenerateMac always fails with the given error."""

    error: Exception

    def generate_mac(self, **_: Any) -> dict[str, Any]:
        raise self.error


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "refused"}}, "GenerateMac")


FAILURES: list[tuple[str, Callable[[Keys], BlindIndex]]] = [
    ("key does not exist", lambda keys: blind_index(keys, MISSING_KEY_ARN)),
    ("key is not an HMAC key", lambda keys: blind_index(keys, keys.identity)),
    (
        "key disabled",
        lambda keys: BlindIndex(
            kms_client=FailingKms(_client_error("DisabledException")), key_arn=keys.blind_index
        ),
    ),
    (
        "key pending deletion",
        lambda keys: BlindIndex(
            kms_client=FailingKms(_client_error("KMSInvalidStateException")),
            key_arn=keys.blind_index,
        ),
    ),
    (
        "kms unreachable",
        lambda keys: BlindIndex(
            kms_client=FailingKms(EndpointConnectionError(endpoint_url="https://kms")),
            key_arn=keys.blind_index,
        ),
    ),
]


@pytest.mark.parametrize("make_index", [pytest.param(make, id=what) for what, make in FAILURES])
def test_a_kms_failure_while_indexing_is_dependency_unavailable(
    keys: Keys, make_index: Callable[[Keys], BlindIndex]
) -> None:
    with pytest.raises(DependencyUnavailable) as failed:
        make_index(keys).email("alex@example.ac.uk")

    assert failed.value.service == "kms"


# --- Blind indexes of people named ------------------------------------------------------------


@dataclass
class RecordingKms:
    """Moto's KMS, remembering every message it was asked to MAC."""

    kms: Any
    messages: list[bytes] = field(default_factory=list)

    def generate_mac(self, **request: Any) -> dict[str, Any]:
        self.messages.append(request["Message"])
        return dict(self.kms.generate_mac(**request))


def test_spellings_of_one_person_share_a_blind_index(keys: Keys) -> None:
    index = blind_index(keys)

    assert index.person("Dr. Jane  SMITH", "social_sciences") == index.person(
        "jane smith", "social_sciences"
    )


def test_one_name_in_another_department_is_another_person(keys: Keys) -> None:
    index = blind_index(keys)

    assert index.person("Jane Smith", "social_sciences") != index.person(
        "Jane Smith", "business_law"
    )
    assert index.person("Jane Smith", "social_sciences") != index.person("Jane Smith", "")


def test_a_person_index_is_domain_separated_from_an_email_index(keys: Keys) -> None:
    recording = RecordingKms(keys.kms)
    index = BlindIndex(kms_client=recording, key_arn=keys.blind_index)

    person = index.person("Jane Smith", "")
    email = index.email("jane smith\0")

    # the same normalised text under each kind: only the kind prefix tells them apart
    assert recording.messages == [b"person\x00jane smith\x00", b"email\x00jane smith\x00"]
    assert person != email


def test_a_person_index_never_contains_the_name(keys: Keys) -> None:
    value = blind_index(keys).person("Sentinelperson Abc123", "social_sciences")

    assert occurrences([Blob("index", value)], ["Sentinelperson", "sentinelperson abc123"]) == []
