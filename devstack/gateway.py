"""Make chalice's local gateway answer as the deployed API Gateway does.

In AWS, a Lambda authorizer that fails with the message "Unauthorized" makes API Gateway
answer 401. `chalice local` and chalice's test client let that exception escape instead
(a 500 or a crash), so without this the local stack and the tests could not show the 401
a deployment gives.

The deployment also replaces API Gateway's own answers (a refused token, no such route or
method, its faults) with problems carrying the app's security headers
(`chalicelib.api.gateway_answers`, configured in `infra/service.py`); the local gateway
answers the same, where chalice's would answer `{"message": ...}` without those headers (and,
for an unknown route, quote the Authorization header back). An OPTIONS request is one of
those: no route allows cross-origin calls (one origin, behind CloudFront), so API Gateway has
no OPTIONS method to run, where chalice local would invent a 200.

Only the local gateway is changed; the app is not.
"""

from __future__ import annotations

from typing import Any

from chalice.local import (
    ForbiddenError,
    InvalidAuthorizerError,
    LocalGateway,
    LocalGatewayAuthorizer,
    LocalGatewayException,
    NotAuthorizedError,
)

from chalicelib.api.gateway_answers import (
    DEFAULT_4XX,
    DEFAULT_5XX,
    GATEWAY_HEADERS,
    NO_ROUTE,
    UNAUTHORIZED,
    GatewayAnswer,
)

_original_authorize = LocalGatewayAuthorizer.authorize
_original_handle_request = LocalGateway.handle_request
#: What chalice local answers to an OPTIONS request no view allows cross-origin.
_INVENTED_PREFLIGHT = {"Access-Control-Allow-Methods": "OPTIONS"}


class GatewayAnswered(LocalGatewayException):
    """A gateway answer, as chalice's local server and test client send one."""

    def __init__(self, answer: GatewayAnswer, status: int) -> None:
        super().__init__(dict(GATEWAY_HEADERS), answer.body().encode())
        self.CODE = answer.status or status


def _authorize(self: LocalGatewayAuthorizer, *args: Any, **kwargs: Any) -> Any:
    try:
        return _original_authorize(self, *args, **kwargs)
    except Exception as error:
        if str(error) != "Unauthorized":
            raise
        raise NotAuthorizedError({}, b"") from None


def _handle_request(self: LocalGateway, *args: Any, **kwargs: Any) -> Any:
    try:
        response = _original_handle_request(self, *args, **kwargs)
    except NotAuthorizedError:
        raise GatewayAnswered(UNAUTHORIZED, 401) from None
    except ForbiddenError:
        # chalice local's only 403s are for a path it has no route for.
        raise GatewayAnswered(NO_ROUTE, 404) from None
    except InvalidAuthorizerError:
        raise GatewayAnswered(DEFAULT_5XX, 500) from None
    except GatewayAnswered:
        raise
    except LocalGatewayException as error:
        answer = DEFAULT_5XX if error.CODE >= 500 else DEFAULT_4XX
        raise GatewayAnswered(answer, error.CODE) from None
    if response.get("statusCode") == 200 and response.get("headers") == _INVENTED_PREFLIGHT:
        raise GatewayAnswered(NO_ROUTE, 404)
    return response


def emulate_api_gateway_unauthorized() -> None:
    """Install the behaviour (idempotent): a refused token and every gateway answer."""
    LocalGatewayAuthorizer.authorize = _authorize  # type: ignore[method-assign]
    LocalGateway.handle_request = _handle_request  # type: ignore[method-assign]
