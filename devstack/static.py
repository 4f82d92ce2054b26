"""Serve the static front ends in `web/`, as S3 + CloudFront would in a deployment.

Everything the pages need comes from this one origin, so the browser needs no CORS and no
page ever talks to another host:

- the files under `web/` (`/` redirects to the reporter form);
- `/config.json`, which tells the pages where the API is and how staff sign in;
- `/api/<path>`, proxied to the API (`<api>/<path>`: method, headers, body, status and
  headers back), as a CloudFront behaviour would route it to API Gateway;
- `/cognito/` (POST only), proxied to the Cognito endpoint (moto locally) for the
  user-facing Cognito operations the portal's password sign-in needs.

`/config.json` in the local stack (moto has no hosted UI, so staff sign in with
USER_PASSWORD_AUTH through `/cognito/`)::

    {"apiUrl": "/api",
     "auth": {"mode": "password", "cognitoUrl": "/cognito/",
              "clientId": "<staff app client id>", "region": "<region>"}}

A deployment writes the same file next to the pages, with the hosted UI and authorization
code + PKCE instead (the portal exchanges the code at `<domain>/oauth2/token`, so the
deployment either adds that domain to `connect-src` or routes it through the site's origin)::

    {"apiUrl": "/api",
     "auth": {"mode": "hosted",
              "domain": "https://<prefix>.auth.<region>.amazoncognito.com",
              "clientId": "<staff app client id>", "region": "<region>",
              "redirectUri": "https://<site>/portal/", "scopes": "openid",
              "logoutUri": "https://<site>/portal/"}}

Every response carries the security headers a deployment sets on CloudFront (a strict
Content-Security-Policy that allows nothing but this origin, no referrer, no sniffing, no
camera, microphone or geolocation), and `Cache-Control: no-store` unless the API set its own.
"""

from __future__ import annotations

import functools
import http.client
import json
import threading
from collections.abc import Mapping, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devstack.api import LISTEN_BACKLOG

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def content_security_policy(*connect_src: str) -> str:
    """The pages' CSP: this origin only, plus any `connect_src` origins (a hosted sign-in's
    token endpoint, as a deployment's CSP allows it; the local stack adds none)."""
    return _CSP.format(connect=" ".join(("'self'", *connect_src)))


#: Sent with every response, page or API.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": content_security_policy(),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

API_PREFIX = "/api"
COGNITO_PATH = "/cognito/"
#: How long the proxy waits for the API or Cognito before answering 502.
UPSTREAM_TIMEOUT_SECONDS = 30.0
#: Largest request body the proxy forwards (the API itself refuses more than 256 KiB).
MAX_REQUEST_BYTES = 1024 * 1024
#: Largest response body the proxy relays.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: The Cognito operations a signed-out browser may call; moto answers every other AWS call
#: unauthenticated, so nothing else is passed on.
COGNITO_OPERATIONS = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "GetUser",
        "GlobalSignOut",
        "RevokeToken",
        "ChangePassword",
    }
)
_COGNITO_SERVICE = "AWSCognitoIdentityProviderService"
#: Connection-level headers (RFC 9110 7.6.1) and those the proxy sets itself.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_NOT_RELAYED = _NOT_FORWARDED | {"server", "date"}


def local_site_config(client_id: str, region: str) -> dict[str, Any]:
    """`/config.json` for the local stack: the API and Cognito through this origin."""
    return {
        "apiUrl": API_PREFIX,
        "auth": {
            "mode": "password",
            "cognitoUrl": COGNITO_PATH,
            "clientId": client_id,
            "region": region,
        },
    }


class _Handler(SimpleHTTPRequestHandler):
    """Files from the web directory, the generated config and the two proxies; no logging."""

    site_config: bytes = b"{}"
    security_headers: Mapping[str, str] = SECURITY_HEADERS
    #: `http://host:port` of the API and of the Cognito endpoint; None until configured.
    api_upstream: str | None = None
    cognito_upstream: str | None = None

    _sent_headers: set[str]

    # --- routing -------------------------------------------------------------------------

    def do_GET(self) -> None:
        """Serve the generated config, the redirect at `/`, the API, or a file."""
        path = self._path()
        if self._is_api(path):
            self._proxy_api()
        elif path == "/config.json":
            self._send(200, "application/json", self.site_config)
        elif path == "/":
            self.send_response(302)
            self.send_header("Location", "/report/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        if self._is_api(self._path()):
            self._proxy_api()
        else:
            super().do_HEAD()

    def do_POST(self) -> None:
        """The API, or Cognito's sign-in; nothing else takes a POST."""
        path = self._path()
        if self._is_api(path):
            self._proxy_api()
        elif path == COGNITO_PATH:
            self._proxy_cognito()
        else:
            self._method_not_allowed()

    def do_PUT(self) -> None:
        """The API only."""
        self._api_only()

    def do_PATCH(self) -> None:
        """The API only."""
        self._api_only()

    def do_DELETE(self) -> None:
        """The API only."""
        self._api_only()

    def do_OPTIONS(self) -> None:
        """The API only (same origin: browsers send no preflight, but a client may ask)."""
        self._api_only()

    def _api_only(self) -> None:
        if self._is_api(self._path()):
            self._proxy_api()
        else:
            self._method_not_allowed()

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    @staticmethod
    def _is_api(path: str) -> bool:
        return path == API_PREFIX or path.startswith(API_PREFIX + "/")

    # --- proxying ------------------------------------------------------------------------

    def _proxy_api(self) -> None:
        if self.api_upstream is None:
            self._send_json(503, "unavailable", "The API is not running yet.")
            return
        body = self._request_body()
        if body is None:
            return
        upstream_path = self.path[len(API_PREFIX) :] or "/"
        if not upstream_path.startswith("/"):  # "/api?x=1" -> "/?x=1"
            upstream_path = "/" + upstream_path
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in _NOT_FORWARDED
        }
        self._relay(self.api_upstream, self.command, upstream_path, headers, body)

    def _proxy_cognito(self) -> None:
        if self.cognito_upstream is None:
            self._send_json(503, "unavailable", "Sign-in is not available yet.")
            return
        target = self.headers.get("X-Amz-Target", "")
        service, _, operation = target.partition(".")
        if service != _COGNITO_SERVICE or operation not in COGNITO_OPERATIONS:
            self._send_json(400, "unsupported_operation", "Not a sign-in operation.")
            return
        body = self._request_body()
        if body is None:
            return
        headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
        self._relay(self.cognito_upstream, "POST", "/", headers, body)

    def _request_body(self) -> bytes | None:
        """The request's body, or None once an error has been answered."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send_json(411, "length_required", "Send the body with a Content-Length.")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send_json(400, "malformed_request", "Content-Length is not a number.")
            return None
        if length < 0:
            self._send_json(400, "malformed_request", "Content-Length is negative.")
            return None
        if length > MAX_REQUEST_BYTES:
            self._send_json(413, "payload_too_large", "The request body is too large.")
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""

    def _relay(
        self, upstream: str, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        """Send one request upstream and its answer back; 502 if upstream fails."""
        parts = urlsplit(upstream)
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=UPSTREAM_TIMEOUT_SECONDS
        )
        try:
            payload = body if body or method not in ("GET", "HEAD") else None
            connection.request(method, path, body=payload, headers=dict(headers))
            answer = connection.getresponse()
            content = answer.read(MAX_RESPONSE_BYTES + 1)
            if len(content) > MAX_RESPONSE_BYTES:
                raise http.client.HTTPException("response too large")
            status, reason, answer_headers = answer.status, answer.reason, answer.getheaders()
        except (OSError, http.client.HTTPException):
            self._send_json(502, "bad_gateway", "The service did not answer. Please try again.")
            return
        finally:
            connection.close()
        self.send_response(status, reason)
        for name, value in answer_headers:
            # Same origin: CORS headers from upstream would only widen who may read this.
            if name.lower() not in _NOT_RELAYED and not name.lower().startswith("access-control-"):
                self.send_header(name, value)
        length = str(len(content))
        if method == "HEAD":  # no body came, but the length of the one a GET would get
            length = next((v for n, v in answer_headers if n.lower() == "content-length"), "0")
        self.send_header("Content-Length", length)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(content)

    # --- responses -----------------------------------------------------------------------

    def send_response(self, code: int, message: str | None = None) -> None:
        """Start a response, remembering which headers it has set."""
        self._sent_headers = set()
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        """Send one header, remembering its name."""
        if hasattr(self, "_sent_headers"):
            self._sent_headers.add(keyword.lower())
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        """Add the security headers, and never cache unless the API says otherwise."""
        sent: set[str] = getattr(self, "_sent_headers", set())
        for name, value in self.security_headers.items():
            if name.lower() not in sent:
                self.send_header(name, value)
        if "cache-control" not in sent:
            # Pages change while a developer edits them.
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the API log is the interesting one."""

    def _method_not_allowed(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_json(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": code, "message": message}).encode()
        self._send(status, "application/json", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _HttpServer(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG


class StaticSite:
    """A threaded HTTP server for one directory, started and stopped on demand."""

    def __init__(
        self,
        directory: Path,
        host: str,
        port: int,
        site_config: Mapping[str, Any] | None = None,
        *,
        connect_src: Sequence[str] = (),
    ) -> None:
        """Bind now (port 0 picks a free port); serve after `start()`.

        `site_config` is served as `/config.json`; it may also be given later, through
        `configure()`, when it depends on something that binds after this server.
        `connect_src`: origins the pages may also `fetch` from (the browser tests' stand-in
        for a hosted sign-in; the local stack gives none).
        """
        self._handler: type[_Handler] = type("SiteHandler", (_Handler,), {})
        if connect_src:
            self._handler.security_headers = {
                **SECURITY_HEADERS,
                "Content-Security-Policy": content_security_policy(*connect_src),
            }
        self.configure(site_config or {})
        self._server = _HttpServer(
            (host, port), functools.partial(self._handler, directory=str(directory))
        )
        self._thread: threading.Thread | None = None

    def configure(
        self,
        site_config: Mapping[str, Any],
        *,
        api_upstream: str | None = None,
        cognito_upstream: str | None = None,
    ) -> None:
        """Set what `/config.json` answers and where `/api/` and `/cognito/` lead.

        Upstreams are `http://host:port` URLs; one left out answers 503 until it is set.
        """
        self._handler.site_config = json.dumps(dict(site_config)).encode()
        if api_upstream is not None:
            self._handler.api_upstream = api_upstream.rstrip("/")
        if cognito_upstream is not None:
            self._handler.cognito_upstream = cognito_upstream.rstrip("/")

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # so that stop() is quick
            name="static-site",
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
