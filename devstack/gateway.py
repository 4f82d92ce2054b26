"""Make chalice's local gateway answer a failed authorizer as API Gateway does.

In AWS, a Lambda authorizer that fails with the message "Unauthorized" makes API Gateway
answer 401. `chalice local` and chalice's test client let that exception escape instead
(a 500 or a crash), so without this the local stack and the tests could not show the 401
a deployment gives. Only the local gateway is changed; the app is not.
"""

from __future__ import annotations

from typing import Any

from chalice.local import LocalGatewayAuthorizer, NotAuthorizedError

_original = LocalGatewayAuthorizer.authorize


def _authorize(self: LocalGatewayAuthorizer, *args: Any, **kwargs: Any) -> Any:
    try:
        return _original(self, *args, **kwargs)
    except Exception as error:
        if str(error) != "Unauthorized":
            raise
        raise NotAuthorizedError(
            {"x-amzn-ErrorType": "UnauthorizedException"}, b'{"message":"Unauthorized"}'
        ) from None


def emulate_api_gateway_unauthorized() -> None:
    """Install the behaviour (idempotent)."""
    LocalGatewayAuthorizer.authorize = _authorize  # type: ignore[method-assign]
