"""Staff sign-in: verifying Cognito access tokens, and who the caller is.

The API checks each token itself (PyJWT, RS256 against the pool's published keys): the
signature, the issuer, the app client, that it is an access token, and its expiry. Keys
are fetched once and kept; an unknown key id triggers one refetch (Cognito rotates keys),
at most once a minute so a stream of forged key ids cannot make us hammer the endpoint.

A bad token answers 401 (API Gateway's rule: an authorizer that fails with "Unauthorized");
a good token without the role a route needs answers 403; a case the caller may not see
answers 404, as if it did not exist.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.errors import DependencyUnavailable, Unauthenticated
from chalicelib.roles import GROUP_ROLES, Role

_REFETCH_INTERVAL_SECONDS = 60.0
_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class StaffIdentity:
    """Who a valid token says the caller is."""

    username: str
    roles: frozenset[Role]


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON document (the pool's key set)."""
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise DependencyUnavailable("jwks")
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - scheme checked
            document: dict[str, Any] = json.load(response)
    except (OSError, ValueError):
        raise DependencyUnavailable("jwks") from None
    return document


class TokenVerifier:
    """Verifies the pool's access tokens."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
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
        groups = claims.get("cognito:groups") or []
        roles = frozenset(GROUP_ROLES[g] for g in groups if g in GROUP_ROLES)
        return StaffIdentity(username=str(claims["username"]), roles=roles)

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
