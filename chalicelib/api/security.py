"""Headers every API answer carries: no sniffing, no referrer, no framing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def add_security_headers(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware adding `SECURITY_HEADERS` (without overriding a view's own)."""
    response = get_response(event)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
