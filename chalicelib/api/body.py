"""Reading a JSON request body defensively.

A body must be declared as JSON: Chalice reads a request without a Content-Type as JSON,
and a form post or a text/plain one is how another site's page sends a body without asking
first (no CORS preflight). Refuses what `json.loads` would quietly accept: duplicate keys
(which copy would we keep?), NaN and Infinity, and nesting deep enough to exhaust the parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.api.errors import error_response
from chalicelib.errors import MalformedRequest, PayloadTooLarge, UnsupportedMediaType

#: Far above any real report (a 20,000-character narrative is ~80 KiB in the worst case).
MAX_BODY_BYTES = 256 * 1024
JSON_MEDIA_TYPE = "application/json"
_SEND_JSON = "send the body as JSON, with Content-Type: application/json"


def read_json_object(
    raw: bytes | str | None, content_type: str | None, limit: int = MAX_BODY_BYTES
) -> dict[str, Any]:
    """Parse a request body that must be one JSON object, declared as `application/json`."""
    if not is_json(content_type):
        raise UnsupportedMediaType(_SEND_JSON)
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


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type header declares JSON: `application/json`, UTF-8 if it says."""
    if content_type is None:
        return False
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def media_type_refusals(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware: Chalice's own 415 answered as the views answer theirs.

    A route's `content_types` lets Chalice refuse a declared non-JSON body before the view
    runs, with a body of its own shape that quotes the header back.
    """
    response = get_response(event)
    body = response.body
    if (
        response.status_code == 415
        and isinstance(body, dict)
        and body.get("Code") == "UnsupportedMediaType"
    ):
        return error_response(UnsupportedMediaType(_SEND_JSON))
    return response
