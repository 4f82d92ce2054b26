"""What API Gateway answers by itself, before or instead of the app.

A refused token, an unknown route or method, throttling, a body too large for the gateway
and its own faults never reach the app, so neither its error mapping nor its security
headers apply to them. The deployment configures these answers as gateway responses
(`infra/service.py`) and the local gateway answers the same (`devstack/gateway.py`), so
whoever answers, the body is the documented problem shape and the headers are the app's.

The messages are fixed: API Gateway's own message for an unknown route quotes the request's
Authorization header back, and a token has no business in an answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from chalicelib.api.security import SECURITY_HEADERS

#: The headers of every gateway answer: the app's security headers, JSON, never cached.
GATEWAY_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class GatewayAnswer:
    """One of API Gateway's response types, answered as a problem."""

    response_type: str
    #: None keeps the status API Gateway chose (the DEFAULT_ types cover several).
    status: int | None
    error: str
    message: str

    def body(self) -> str:
        """The JSON body: the app's problem shape."""
        return json.dumps({"error": self.error, "message": self.message}, separators=(",", ":"))


UNAUTHORIZED = GatewayAnswer("UNAUTHORIZED", 401, "unauthenticated", "Sign in again.")
#: API Gateway's answer to a path or method it has no route for (its name is historical).
NO_ROUTE = GatewayAnswer("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "not found")
DEFAULT_4XX = GatewayAnswer("DEFAULT_4XX", None, "refused", "The request was refused.")
DEFAULT_5XX = GatewayAnswer(
    "DEFAULT_5XX", None, "unavailable", "The service is unavailable. Please try again shortly."
)

GATEWAY_ANSWERS = (
    UNAUTHORIZED,
    NO_ROUTE,
    GatewayAnswer("ACCESS_DENIED", 403, "forbidden", "You may not do this."),
    GatewayAnswer("THROTTLED", 429, "throttled", "Too many requests. Please try again shortly."),
    GatewayAnswer("REQUEST_TOO_LARGE", 413, "payload_too_large", "The request is too large."),
    DEFAULT_4XX,
    DEFAULT_5XX,
)
