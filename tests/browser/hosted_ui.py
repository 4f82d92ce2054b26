"""A stand-in for Cognito's hosted sign-in, for driving the portal's hosted mode in the browser.

It listens on 127.0.0.1 on a port of its own, so it is another origin than the portal, as
`https://<prefix>.auth.<region>.amazoncognito.com` is in a deployment, and it does what the
portal relies on:

- `GET /oauth2/authorize` checks `response_type=code`, `client_id`, `redirect_uri` (exactly
  the configured one), `code_challenge_method=S256` and a `code_challenge`, then asks for a
  username and password (checked by `authenticate`: the tests ask the local stack's Cognito),
  then for the authenticator code (TOTP, RFC 6238, for `totp_secret`: MFA is required), and
  redirects to `redirect_uri?code=...&state=<the state it was given>`;
- `POST /oauth2/token` (CORS for the portal's origin, as Cognito answers a browser) checks
  `grant_type`, `client_id`, `redirect_uri`, the code (once only, for five minutes) and
  PKCE (`base64url(sha256(code_verifier))` must be the challenge), and answers
  `{access_token, id_token, expires_in, token_type}` with the tokens `authenticate` gave;
- `GET /logout` checks `client_id` and `logout_uri`, and redirects there.

Not modelled: Cognito's own session cookie (signing in again always asks for everything),
scopes beyond echoing them, refresh tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

#: Tokens for a username and password, or None when they are not right.
Authenticate = Callable[[str, str], Mapping[str, Any] | None]

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
#: Codes a step either side of now are accepted too (clock drift, as Cognito allows).
TOTP_WINDOW = 1
CODE_LIFETIME_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024


def totp(secret: bytes, at: float | None = None, *, digits: int = TOTP_DIGITS) -> str:
    """The RFC 6238 time-based one-time password (HMAC-SHA1, 30-second steps) at `at`."""
    counter = int((time.time() if at is None else at) // TOTP_STEP_SECONDS)
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def accepted_codes(secret: bytes, at: float | None = None) -> set[str]:
    """The authenticator codes accepted at `at` (now, and a step either side)."""
    now = time.time() if at is None else at
    return {
        totp(secret, now + step * TOTP_STEP_SECONDS)
        for step in range(-TOTP_WINDOW, TOTP_WINDOW + 1)
    }


def wrong_code(secret: bytes) -> str:
    """A six-digit code the hosted sign-in refuses now."""
    accepted = accepted_codes(secret) | accepted_codes(secret, time.time() + TOTP_STEP_SECONDS)
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in accepted)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: base64url(sha256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class _Flow:
    """One sign-in on the hosted pages, from authorize to the redirect."""

    redirect_uri: str
    state: str
    challenge: str
    tokens: Mapping[str, Any] | None = None


@dataclass
class _Code:
    flow: _Flow
    tokens: Mapping[str, Any]
    issued_at: float
    used: bool = False


@dataclass
class HostedSignIn:
    """The stand-in server. `redirect_uri` and `logout_uri` may be set after it has bound
    (the portal's address may depend on its origin)."""

    client_id: str
    authenticate: Authenticate
    totp_secret: bytes
    redirect_uri: str = ""
    logout_uri: str = ""
    #: What happened, for tests: each token request's outcome, each logout, each refusal.
    token_requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    issued_codes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._flows: dict[str, _Flow] = {}
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.hosted = self
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:<port>`: the hosted sign-in's base URL (Cognito's "domain")."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="hosted-sign-in",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def code_used(self, code: str) -> bool:
        """Whether an issued code has been presented at the token endpoint."""
        with self._lock:
            return self._codes[code].used

    # --- the steps (called by the handler) ----------------------------------------------

    def _refuse(self, why: str) -> str:
        self.refusals.append(why)
        return why

    def _authorize(self, query: Mapping[str, str]) -> tuple[str | None, str]:
        """(flow id, "") for a valid authorize request, or (None, why not)."""
        checks = [
            (query.get("response_type") == "code", "response_type must be code"),
            (query.get("client_id") == self.client_id, "unknown client_id"),
            (
                bool(self.redirect_uri) and query.get("redirect_uri") == self.redirect_uri,
                "redirect_mismatch",
            ),
            (query.get("code_challenge_method") == "S256", "code_challenge_method must be S256"),
            (
                re.fullmatch(r"[A-Za-z0-9_-]{43}", query.get("code_challenge", "")) is not None,
                "code_challenge must be an S256 challenge",
            ),
            ("openid" in query.get("scope", "").split(), "scope must include openid"),
        ]
        for passed, why in checks:
            if not passed:
                return None, self._refuse(why)
        flow_id = secrets.token_urlsafe(16)
        with self._lock:
            self._flows[flow_id] = _Flow(
                redirect_uri=query["redirect_uri"],
                state=query.get("state", ""),
                challenge=query["code_challenge"],
            )
        return flow_id, ""

    def _flow(self, flow_id: str) -> _Flow | None:
        with self._lock:
            return self._flows.get(flow_id)

    def _sign_in(self, flow: _Flow, username: str, password: str) -> bool:
        tokens = self.authenticate(username, password) if username and password else None
        if tokens is None:
            self._refuse("password")
            return False
        flow.tokens = tokens
        return True

    def _second_factor(self, flow_id: str, flow: _Flow, code: str) -> str | None:
        """The redirect to the portal once the authenticator code is right, else None."""
        if flow.tokens is None or code.strip() not in accepted_codes(self.totp_secret):
            self._refuse("authenticator code")
            return None
        issued = secrets.token_urlsafe(24)
        with self._lock:
            self._flows.pop(flow_id, None)
            self._codes[issued] = _Code(flow, flow.tokens, time.time())
        self.issued_codes.append(issued)
        answer = {"code": issued}
        if flow.state:
            answer["state"] = flow.state
        return f"{flow.redirect_uri}?{urlencode(answer)}"

    def _token(self, form: Mapping[str, str], origin: str) -> tuple[int, dict[str, Any]]:
        code = form.get("code", "")
        with self._lock:
            issued = self._codes.get(code)
            first_use = issued is not None and not issued.used
            if issued is not None:
                issued.used = True  # once only, whatever the outcome
        error = None
        if form.get("grant_type") != "authorization_code":
            error = "unsupported_grant_type"
        elif form.get("client_id") != self.client_id:
            error = "invalid_client"
        elif (
            issued is None
            or not first_use  # already presented
            or time.time() - issued.issued_at > CODE_LIFETIME_SECONDS
            or form.get("redirect_uri") != issued.flow.redirect_uri
            or s256(form.get("code_verifier", "")) != issued.flow.challenge  # PKCE
        ):
            error = "invalid_grant"
        self.token_requests.append({"origin": origin, "outcome": error or "issued"})
        if error is not None or issued is None:
            return 400, {"error": error}
        tokens = issued.tokens
        return 200, {
            "access_token": tokens["AccessToken"],
            "id_token": tokens["IdToken"],
            "expires_in": tokens.get("ExpiresIn", 3600),
            "token_type": "Bearer",
        }

    def _logout(self, query: Mapping[str, str]) -> str | None:
        if query.get("client_id") != self.client_id or query.get("logout_uri") != self.logout_uri:
            self._refuse("logout")
            return None
        self.logouts.append(self.logout_uri)
        return self.logout_uri

    def allowed_origin(self) -> str:
        """The origin that may read the token endpoint's answers: the portal's."""
        parts = urlsplit(self.redirect_uri)
        return f"{parts.scheme}://{parts.netloc}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hosted: HostedSignIn


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Hosted sign-in (test stand-in)</title></head>
<body><main><h1>{title}</h1>{error}{body}</main></body></html>
"""


def _page(title: str, body: str, error: str = "") -> bytes:
    alert = f'<p role="alert" id="error">{html.escape(error)}</p>' if error else ""
    return _PAGE.format(title=html.escape(title), error=alert, body=body).encode()


def _password_form(flow_id: str) -> str:
    return (
        '<form method="post" action="/login">'
        f'<input type="hidden" name="flow" value="{html.escape(flow_id)}">'
        '<p><label for="username">Username</label><br>'
        '<input id="username" name="username" autocomplete="username"></p>'
        '<p><label for="password">Password</label><br>'
        '<input id="password" name="password" type="password" autocomplete="current-password">'
        '</p><p><button type="submit">Sign in</button></p></form>'
    )


def _code_form(flow_id: str) -> str:
    return (
        '<form method="post" action="/mfa">'
        f'<input type="hidden" name="flow" value="{html.escape(flow_id)}">'
        '<p><label for="code">Authenticator code</label><br>'
        '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"></p>'
        '<p><button type="submit">Continue</button></p></form>'
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    @property
    def hosted(self) -> HostedSignIn:
        return self.server.hosted

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """The authorize page and logout."""
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/oauth2/authorize":
            flow_id, why = self.hosted._authorize(query)
            if flow_id is None:
                self._html(400, _page("Sign-in request refused", "", why))
            else:
                self._html(200, _page("Sign in", _password_form(flow_id)))
        elif parts.path == "/logout":
            target = self.hosted._logout(query)
            if target is None:
                self._html(400, _page("Sign-out request refused", "", "Unknown logout_uri."))
            else:
                self._redirect(target)
        else:
            self._html(404, _page("Not found", ""))

    def do_OPTIONS(self) -> None:
        """The token endpoint's CORS preflight."""
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        """The two sign-in forms and the token endpoint."""
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= MAX_BODY_BYTES:
            self._html(413, _page("Too large", ""))
            return
        raw = self.rfile.read(length).decode("utf-8", errors="replace")
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        path = urlsplit(self.path).path
        if path == "/oauth2/token":
            status, body = self.hosted._token(form, self.headers.get("Origin", ""))
            self._json(status, body)
            return
        flow_id = form.get("flow", "")
        flow = self.hosted._flow(flow_id)
        if flow is None:
            self._html(400, _page("Sign-in expired", "", "Start again from the portal."))
        elif path == "/login":
            if self.hosted._sign_in(flow, form.get("username", ""), form.get("password", "")):
                self._html(200, _page("Enter your authenticator code", _code_form(flow_id)))
            else:
                self._html(
                    200,
                    _page("Sign in", _password_form(flow_id), "Incorrect username or password."),
                )
        elif path == "/mfa":
            target = self.hosted._second_factor(flow_id, flow, form.get("code", ""))
            if target is None:
                self._html(
                    200,
                    _page(
                        "Enter your authenticator code",
                        _code_form(flow_id),
                        "That code is not right. Enter the code your authenticator app shows now.",
                    ),
                )
            else:
                self._redirect(target)
        else:
            self._html(404, _page("Not found", ""))

    def _cors(self) -> None:
        origin = self.headers.get("Origin", "")
        if origin and origin == self.hosted.allowed_origin():
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _json(self, status: int, body: Mapping[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _html(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()


def code_outside_browser(
    hosted: HostedSignIn, username: str, password: str, *, state: str, verifier: str
) -> str:
    """Sign in at the hosted pages without a browser (as someone crafting a link would) and
    return the authorization code the final redirect carries."""
    timeout = 10
    with requests.Session() as session:
        page = session.get(
            f"{hosted.origin}/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": hosted.client_id,
                "redirect_uri": hosted.redirect_uri,
                "scope": "openid",
                "state": state,
                "code_challenge": s256(verifier),
                "code_challenge_method": "S256",
            },
            timeout=timeout,
        )
        found = re.search(r'name="flow" value="([^"]+)"', page.text)
        assert found is not None, page.text
        flow = html.unescape(found[1])
        session.post(
            f"{hosted.origin}/login",
            data={"flow": flow, "username": username, "password": password},
            timeout=timeout,
        ).raise_for_status()
        answer = session.post(
            f"{hosted.origin}/mfa",
            data={"flow": flow, "code": totp(hosted.totp_secret)},
            allow_redirects=False,
            timeout=timeout,
        )
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        return query["code"][0]
