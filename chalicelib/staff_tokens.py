"""Staff sign-in: verifying Cognito access tokens, and who the caller is.

The API checks each token itself (PyJWT, RS256 against the pool's published keys): the
signature, the issuer, the app client, that it is an access token, and its expiry. Keys
are fetched once and kept; an unknown key id triggers one refetch (Cognito rotates keys),
at most once a minute so a stream of forged key ids cannot make us hammer the endpoint.

The token proves WHO is calling, nothing more: its `cognito:groups` are ignored for
authorisation. What the caller may do comes from the staff directory on every request
(`chalicelib.api.staff_calls.principal`): whether the member is active, whether the token
was authenticated after their `not_before`, and their roles. So a member disabled, deleted,
signed out everywhere or given other roles loses access on their next request, not when
their token expires.

The keys are fetched only from the pool's own Cognito address for the configured region
(https), or from loopback (http, the local stack); any other URL is refused before a
connection is opened, and the connection goes to exactly the host that was checked.

A bad token answers 401 (API Gateway's rule: an authorizer that fails with "Unauthorized");
a good token without the role a route needs answers 403; a case the caller may not see
answers 404, as if it did not exist.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.errors import DependencyUnavailable, Unauthenticated

_REFETCH_INTERVAL_SECONDS = 60.0
_LEEWAY_SECONDS = 30
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
#: A key set is a few kilobytes; more than this is not one.
_MAX_JWKS_BYTES = 256 * 1024


@dataclass(frozen=True)
class StaffIdentity:
    """Who a valid token says the caller is, and when they signed in."""

    username: str
    #: When the session behind the token began (epoch seconds): the earlier of `auth_time`
    #: and `iat`, so a token refreshed after a revocation still dates from before it.
    authenticated_at: int


@dataclass(frozen=True)
class JwksEndpoint:
    """Where a key set may be fetched from: scheme, exact host, port and path."""

    scheme: str
    host: str
    port: int | None
    path: str


def jwks_endpoint(url: str, region: str) -> JwksEndpoint | None:
    """The endpoint of `url` if it is an allowed key-set address, else None.

    Allowed: https on `cognito-idp.<region>.amazonaws.com` (port 443), or http on exactly
    127.0.0.1 or localhost (the local stack). No user info, query or fragment.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        return None
    host = parts.hostname or ""
    if not parts.path.startswith("/"):
        return None
    if parts.scheme == "https" and host == f"cognito-idp.{region}.amazonaws.com":
        if port not in (None, 443):
            return None
    elif not (parts.scheme == "http" and host in _LOOPBACK_HOSTS):
        return None
    return JwksEndpoint(scheme=parts.scheme, host=host, port=port, path=parts.path)


def fetch_json(url: str, *, region: str) -> dict[str, Any]:
    """GET the pool's key set from an allowed address (`jwks_endpoint`); never follows redirects."""
    endpoint = jwks_endpoint(url, region)
    if endpoint is None:
        raise DependencyUnavailable("jwks")
    connection_type = (
        http.client.HTTPSConnection if endpoint.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(endpoint.host, endpoint.port, timeout=3)
    try:
        connection.request("GET", endpoint.path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            raise DependencyUnavailable("jwks")
        body = response.read(_MAX_JWKS_BYTES + 1)
        if len(body) > _MAX_JWKS_BYTES:
            raise DependencyUnavailable("jwks")
        document = json.loads(body)
    except (OSError, ValueError, http.client.HTTPException):
        raise DependencyUnavailable("jwks") from None
    finally:
        connection.close()
    if not isinstance(document, dict):
        raise DependencyUnavailable("jwks")
    return document


class TokenVerifier:
    """Verifies the pool's access tokens."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        fetch: Callable[[str], dict[str, Any]],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._monotonic = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def verify(self, authorization: str | None) -> StaffIdentity:
        """The identity in a `Bearer <token>` header value, or `Unauthenticated`."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a JWT") from None
        if header.get("alg") != "RS256":
            raise Unauthenticated("the token is not signed with RS256")
        key = self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "token_use", "client_id", "username"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not valid: {type(error).__name__}") from None
        if claims["token_use"] != "access":  # noqa: S105 - a claim value, not a secret
            raise Unauthenticated("the token is not an access token")
        if claims["client_id"] != self._client_id:
            raise Unauthenticated("the token was issued to another app client")
        issued_at = claims["iat"]
        auth_time = claims.get("auth_time", issued_at)
        if not isinstance(issued_at, int) or not isinstance(auth_time, int):
            raise Unauthenticated("the token's times are not whole seconds")
        return StaffIdentity(
            username=str(claims["username"]), authenticated_at=min(issued_at, auth_time)
        )

    def _key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys and self._may_refetch():
                self._refetch()
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("the token was signed with an unknown key")
        return key

    def _may_refetch(self) -> bool:
        return (
            self._fetched_at is None
            or self._monotonic() - self._fetched_at >= _REFETCH_INTERVAL_SECONDS
        )

    def _refetch(self) -> None:
        document = self._fetch(self._jwks_url)
        self._fetched_at = self._monotonic()
        keys = {}
        for entry in document.get("keys", []):
            try:
                keys[str(entry["kid"])] = jwt.PyJWK.from_dict(entry)
            except (KeyError, jwt.PyJWTError):
                continue
        self._keys = keys


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("no token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header is not 'Bearer <token>'")
    return token.strip()
