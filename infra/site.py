"""The deployed site's `/config.json`: where the API is and how staff sign in.

The pages read it at start (`web/portal/js/config.js`). A deployment serves the API on the
site's own origin at `/api` (CloudFront routes it to API Gateway), and staff sign in through
Cognito's hosted sign-in with the authorization code flow and PKCE (`web/portal/js/auth.js`):
`redirectUri` and `logoutUri` must be exactly the app client's callback and sign-out URLs
(`infra/staff_pool.py`: the portal's address), and `domain` is the hosted sign-in's base URL,
the one the portal's Content-Security-Policy allows in `connect-src` (`infra/web.py`).

Everything comes from the main stack's outputs, so nothing is typed twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The stack outputs the configuration is made from.
REQUIRED_OUTPUTS = ("SiteUrl", "HostedSignInUrl", "PortalClientId")


class MissingOutput(KeyError):
    """The stack has no output of this name (not deployed, or deployed by an older version)."""


def portal_url(outputs: Mapping[str, str]) -> str:
    """`https://<site>/portal/`: the portal's address, its sign-in callback and sign-out URL."""
    return _output(outputs, "SiteUrl").rstrip("/") + "/portal/"


def hosted_site_config(outputs: Mapping[str, str]) -> dict[str, Any]:
    """`/config.json` for a deployment: the API on this origin, the hosted sign-in."""
    portal = portal_url(outputs)
    return {
        "apiUrl": "/api",
        "auth": {
            "mode": "hosted",
            "domain": _output(outputs, "HostedSignInUrl").rstrip("/"),
            "clientId": _output(outputs, "PortalClientId"),
            "redirectUri": portal,
            "scopes": "openid",
            "logoutUri": portal,
        },
    }


def _output(outputs: Mapping[str, str], name: str) -> str:
    value = outputs.get(name, "")
    if not value:
        raise MissingOutput(f"the stack has no {name} output")
    return value
