"""Reading a JSON request body defensively.

Refuses what `json.loads` would quietly accept: duplicate keys (which copy would we keep?),
NaN and Infinity, and nesting deep enough to exhaust the parser.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import MalformedRequest, PayloadTooLarge

#: Far above any real report (a 20,000-character narrative is ~80 KiB in the worst case).
MAX_BODY_BYTES = 256 * 1024


def read_json_object(raw: bytes | str | None, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Parse a request body that must be one JSON object."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not raw:
        raise MalformedRequest("the body is empty; send a JSON object")
    if len(raw) > limit:
        raise PayloadTooLarge(limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not valid UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        reason = str(error) if isinstance(error, _Refused) else "the body is not valid JSON"
        raise MalformedRequest(reason) from None
    if not isinstance(value, dict):
        raise MalformedRequest("the body must be a JSON object")
    return value


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Refused("the body repeats a key within one object")
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise _Refused(f"the body contains {name}, which is not JSON")
