"""The scanner itself: a sentinel scan that could not find a leak would prove nothing."""

from __future__ import annotations

import base64
import json

import pytest

from tests.sentinels import leaves, occurrences

SENTINEL = "Sentinel Name 3f9a1c77e0"


@pytest.mark.parametrize("offset", range(6))
def test_finds_a_sentinel_base64_encoded_inside_a_binary_value(offset: int) -> None:
    envelope = json.dumps({"pad": "x" * offset, "name": SENTINEL}).encode()
    item = {"sealed": {"M": {"contact": {"B": base64.b64encode(envelope)}}}}
    assert occurrences(leaves(item, "item"), [SENTINEL]) == [
        f"{SENTINEL!r} in item.sealed.M.contact.B"
    ]


def test_finds_a_sentinel_in_raw_bytes_lower_cased_and_in_attribute_names() -> None:
    assert occurrences(leaves({"B": b"\x00\xff" + SENTINEL.encode()}, "b"), [SENTINEL])
    assert occurrences(leaves({"S": SENTINEL.lower()}, "s"), [SENTINEL])
    assert occurrences(leaves({SENTINEL: {"N": "1"}}, "m"), [SENTINEL])


def test_does_not_find_what_is_not_there() -> None:
    item = {"sealed": {"B": bytes(range(256)) * 4}, "status": {"S": "awaiting_screening"}}
    assert occurrences(leaves(item, "item"), [SENTINEL]) == []
