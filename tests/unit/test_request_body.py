"""Reading a request body: one JSON object, or a typed refusal, never a crash."""

from __future__ import annotations

import json

import pytest

from chalicelib.api.body import MAX_BODY_BYTES, read_json_object
from chalicelib.errors import MalformedRequest, PayloadTooLarge, UnsupportedMediaType

DEPTH = 100_000
JSON = "application/json"


def test_a_json_object_is_read_as_it_was_sent() -> None:
    sent = {
        "mode": "named",
        "answers": {"what_happened": ["bullying", "stalking"], "when": "last_week"},
        "narrative": "Zoë said “not again” 🙂",
        "count": 3,
        "ratio": 0.5,
        "flag": None,
    }

    assert read_json_object(json.dumps(sent).encode("utf-8"), JSON) == sent


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"],
)
def test_a_body_declared_as_json_is_read(content_type: str) -> None:
    assert read_json_object(b'{"mode": "anonymous"}', content_type) == {"mode": "anonymous"}


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonp",
        "text/plain, application/json",
    ],
)
def test_a_body_not_declared_as_json_is_refused_before_it_is_read(
    content_type: str | None,
) -> None:
    with pytest.raises(UnsupportedMediaType, match="Content-Type: application/json"):
        read_json_object(b'{"mode": "anonymous"}', content_type)


def test_an_object_sent_as_raw_utf8_is_read() -> None:
    raw = '{"narrative": "Zoë — 東京"}'.encode()

    assert read_json_object(raw, JSON) == {"narrative": "Zoë — 東京"}


@pytest.mark.parametrize("raw", [b"", None], ids=["empty", "absent"])
def test_an_empty_body_is_refused(raw: bytes | None) -> None:
    with pytest.raises(MalformedRequest, match="empty"):
        read_json_object(raw, JSON)


@pytest.mark.parametrize(
    "raw",
    [b'{"name": "Zo\xeb"}', b"\xff\xfe{\x00}\x00", b'{"a": "\xed\xa0\x80"}'],
    ids=["latin-1", "utf-16", "encoded surrogate"],
)
def test_a_body_that_is_not_utf8_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedRequest, match="UTF-8"):
        read_json_object(raw, JSON)


@pytest.mark.parametrize(
    "raw",
    [
        b"mode=anonymous",
        b"{mode: 'anonymous'}",
        b'{"mode": "anonymous",}',
        b'{"a": 1} {"b": 2}',
        b'{"a": 1',
        b"\xef\xbb\xbf{}",
    ],
    ids=[
        "form encoded",
        "javascript literal",
        "trailing comma",
        "two objects",
        "truncated",
        "byte order mark",
    ],
)
def test_a_body_that_is_not_json_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedRequest, match="not valid JSON"):
        read_json_object(raw, JSON)


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'[{"mode": "anonymous"}]', b'"anonymous"', b"42", b"true", b"null"],
    ids=["empty array", "array of an object", "string", "number", "boolean", "null"],
)
def test_json_that_is_not_an_object_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedRequest, match="JSON object"):
        read_json_object(raw, JSON)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"mode": "anonymous", "mode": "named"}',
        b'{"answers": {"when": "last_week", "when": "last_year"}}',
        b'{"answers": {"what_happened": [{"a": 1, "a": 2}]}}',
    ],
    ids=["top level", "nested object", "object inside an array"],
)
def test_a_repeated_key_is_refused(raw: bytes) -> None:
    with pytest.raises(MalformedRequest, match="repeats a key"):
        read_json_object(raw, JSON)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_refused(constant: str) -> None:
    raw = f'{{"answers": {{"score": {constant}}}}}'.encode()

    with pytest.raises(MalformedRequest, match=constant):
        read_json_object(raw, JSON)


def test_a_number_too_long_to_convert_is_refused() -> None:
    with pytest.raises(MalformedRequest):
        read_json_object(b'{"a": ' + b"9" * 5_000 + b"}", JSON)


def test_arrays_nested_a_hundred_thousand_deep_are_refused_not_a_recursion_error() -> None:
    raw = b'{"a": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"

    with pytest.raises(MalformedRequest):
        read_json_object(raw, JSON)


def test_objects_nested_a_hundred_thousand_deep_are_refused_not_a_recursion_error() -> None:
    raw = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH

    with pytest.raises(MalformedRequest):
        read_json_object(raw, JSON, limit=len(raw))


def test_a_body_over_the_limit_is_too_large() -> None:
    raw = b'{"narrative": "' + b"x" * MAX_BODY_BYTES + b'"}'

    with pytest.raises(PayloadTooLarge) as refused:
        read_json_object(raw, JSON)

    assert refused.value.limit_bytes == 262_144  # 256 KiB


def test_the_limit_is_checked_before_the_body_is_parsed() -> None:
    with pytest.raises(PayloadTooLarge):
        read_json_object(b"\xff" * (MAX_BODY_BYTES + 1), JSON)


def test_a_body_exactly_at_the_limit_is_read() -> None:
    raw = b'{"narrative": "' + b"x" * 100 + b'"}'

    assert read_json_object(raw, JSON, limit=len(raw)) == {"narrative": "x" * 100}
    with pytest.raises(PayloadTooLarge):
        read_json_object(raw, JSON, limit=len(raw) - 1)
