"""The local web server's proxy, against a stand-in upstream: what passes, what does not, and
what happens when the upstream is gone or slow."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack import static
from devstack.static import SECURITY_HEADERS, StaticSite, local_site_config


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received, plus headers a proxy must handle."""

    delay = threading.Event()

    def _answer(self) -> None:
        if self.path.startswith("/slow"):
            self.delay.wait(5)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": self.rfile.read(length).decode() if length else "",
            }
        ).encode()
        self.send_response(207 if self.path.startswith("/multi") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Upstream", "yes")
        self.send_header("Cache-Control", "max-age=60")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Echo.delay.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, upstream: str) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("web")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "index.html").write_text("<!doctype html><html lang=en></html>")
    served = StaticSite(tmp_path, "127.0.0.1", 0)
    served.configure(
        local_site_config("client-1", "eu-west-2"),
        api_upstream=upstream,
        cognito_upstream=upstream,
    )
    served.start()
    yield f"http://127.0.0.1:{served.port}"
    served.stop()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_request_reaches_the_api_whole(site: str, upstream: str) -> None:
    response = requests.post(
        f"{site}/api/staff/cases/RS-1/notes?x=1&y=2",
        data=b'{"a": 1}',
        headers={"Authorization": "Bearer t0ken", "Content-Type": "application/json"},
        timeout=5,
    )

    seen = response.json()
    assert response.status_code == 200
    assert seen["method"] == "POST"
    assert seen["path"] == "/staff/cases/RS-1/notes?x=1&y=2"
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"]["authorization"] == "Bearer t0ken"
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["host"] == upstream.removeprefix("http://")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_every_method_reaches_the_api(site: str, method: str) -> None:
    response = requests.request(method, f"{site}/api/thing", timeout=5)

    assert response.json()["method"] == method


def test_head_is_answered_without_a_body(site: str) -> None:
    response = requests.head(f"{site}/api/thing", timeout=5)

    assert response.status_code == 200
    assert response.content == b""


def test_the_answer_comes_back_with_its_status_and_headers_but_no_cors(site: str) -> None:
    response = requests.get(f"{site}/api/multi", timeout=5)

    assert response.status_code == 207
    assert response.headers["X-Upstream"] == "yes"
    assert response.headers["Cache-Control"] == "max-age=60"  # the API's, not no-store
    assert "Access-Control-Allow-Origin" not in response.headers
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_the_api_root_is_reached_at_slash_api(site: str) -> None:
    assert requests.get(f"{site}/api", timeout=5).json()["path"] == "/"
    assert requests.get(f"{site}/apiary", timeout=5).status_code == 404


def test_cognito_gets_only_the_target_and_the_amz_json_type(site: str) -> None:
    response = requests.post(
        f"{site}/cognito/",
        data=b'{"AuthFlow": "USER_PASSWORD_AUTH"}',
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "text/plain",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/y/eu-west-2/dynamodb/aws4_request",
        },
        timeout=5,
    )

    seen = response.json()
    assert seen["path"] == "/"
    assert seen["headers"]["x-amz-target"] == "AWSCognitoIdentityProviderService.InitiateAuth"
    assert seen["headers"]["content-type"] == "application/x-amz-json-1.1"
    assert "authorization" not in seen["headers"]
    assert seen["body"] == '{"AuthFlow": "USER_PASSWORD_AUTH"}'


def test_cognito_refuses_anything_but_sign_in_operations(site: str) -> None:
    response = requests.post(
        f"{site}/cognito/",
        data=b"{}",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.AdminDeleteUser"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_operation"


def test_a_body_too_large_is_refused_before_it_is_forwarded(
    site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(static, "MAX_REQUEST_BYTES", 10)

    response = requests.post(f"{site}/api/reports", data=b"x" * 11, timeout=5)

    assert response.status_code == 413


def test_a_chunked_body_is_refused(site: str) -> None:
    response = requests.post(f"{site}/api/reports", data=iter([b"a", b"b"]), timeout=5)

    assert response.status_code == 411


def test_an_api_that_is_down_is_a_502_in_json(tmp_path: Path) -> None:
    served = StaticSite(tmp_path, "127.0.0.1", 0)
    served.configure({}, api_upstream=f"http://127.0.0.1:{_closed_port()}")
    served.start()
    try:
        response = requests.get(f"http://127.0.0.1:{served.port}/api/form", timeout=5)
    finally:
        served.stop()

    assert response.status_code == 502
    assert response.json()["error"] == "bad_gateway"
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"] == policy


def test_a_slow_api_is_a_502_after_the_timeout(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static, "UPSTREAM_TIMEOUT_SECONDS", 0.2)

    response = requests.get(f"{site}/api/slow", timeout=5)

    assert response.status_code == 502


def test_an_unconfigured_proxy_answers_503(tmp_path: Path) -> None:
    served = StaticSite(tmp_path, "127.0.0.1", 0)
    served.start()
    try:
        api = requests.get(f"http://127.0.0.1:{served.port}/api/form", timeout=5)
        cognito = requests.post(
            f"http://127.0.0.1:{served.port}/cognito/",
            headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
            timeout=5,
        )
    finally:
        served.stop()

    assert api.status_code == 503
    assert cognito.status_code == 503


def test_pages_and_config_carry_the_security_headers_and_no_store(site: str) -> None:
    for path in ("/report/", "/config.json", "/missing"):
        response = requests.get(site + path, timeout=5)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert response.headers["Cache-Control"] == "no-store"


def test_the_local_config_names_the_proxies_and_the_client() -> None:
    assert local_site_config("abc", "eu-west-2") == {
        "apiUrl": "/api",
        "auth": {
            "mode": "password",
            "cognitoUrl": "/cognito/",
            "clientId": "abc",
            "region": "eu-west-2",
        },
    }
