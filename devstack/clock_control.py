"""The running local stack's clock, reachable from other processes on loopback only.

`python -m devstack.clock` talks to it; so can a test or a script::

    GET  http://127.0.0.1:<port>/clock      -> {"now", "real_now", "offset", "offset_seconds"}
    POST http://127.0.0.1:<port>/clock      {"by": "+30d"} or {"to": "2027-06-01"}
                                            -> what ran (`devstack.clock.Travel.to_json`)

It listens on 127.0.0.1 whatever `--host` says (like moto: it has no authentication). A web
page cannot drive it either: a POST must say `Content-Type: application/json` (which a page
on another origin can only send after a CORS preflight this server never answers), and the
`Host` header must name loopback (so a DNS-rebound name is refused).
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.clock import TimeMachine, day_start, show_time

logger = logging.getLogger("devstack.clock")
PATH = "/clock"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_MAX_BODY = 1024
#: A +3y journey over a stack with data takes minutes.
_CLIENT_TIMEOUT_SECONDS = 1800


class ControlError(Exception):
    """The control port could not be reached or refused the request."""


class ClockControl:
    """An HTTP server on 127.0.0.1 in front of the stack's time machine."""

    def __init__(self, machine: TimeMachine, port: int) -> None:
        """Bind now (port 0 picks a free port); serve after `start()`."""
        handler = type("_Handler", (_Handler,), {"machine": machine})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="clock-control", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    machine: TimeMachine

    def do_GET(self) -> None:
        if not self._loopback() or self.path != PATH:
            return
        clock = self.machine.clock
        now = self.machine.now()
        self._answer(
            200,
            {
                "now": show_time(now),
                "real_now": show_time(clock.real_now()),
                "offset": str(clock.offset),
                "offset_seconds": int(clock.offset.total_seconds()),
            },
        )

    def do_POST(self) -> None:
        if not self._loopback() or self.path != PATH:
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._answer(415, {"error": "send JSON (Content-Type: application/json)"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._answer(413, {"error": "the body is too long"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            self._answer(400, {"error": "the body is not JSON"})
            return
        if not isinstance(body, dict) or len(body) != 1 or not ({"by", "to"} & body.keys()):
            self._answer(400, {"error": 'say {"by": "+30d"} or {"to": "YYYY-MM-DD"}'})
            return
        try:
            if "by" in body:
                travel = self.machine.journey(str(body["by"]))
            else:
                travel = self.machine.travel_to(day_start(str(body["to"])))
        except ValueError as error:
            self._answer(400, {"error": str(error)})
            return
        for line in travel.describe():
            logger.info("%s", line)
        self._answer(200, travel.to_json())

    def _loopback(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in _LOOPBACK_NAMES:
            self._answer(403, {"error": "the clock control answers loopback names only"})
            return False
        if self.path != PATH:
            self._answer(404, {"error": f"the clock is at {PATH}"})
        return True

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.info("%s %s %s", self.command, self.path.split("?", 1)[0], code)

    def log_message(self, format: str, *args: Any) -> None:
        logger.warning("%s", format % args)


def ask(port: int, method: str, body: dict[str, str] | None = None) -> dict[str, Any]:
    """Send one request to the control port on 127.0.0.1; its JSON answer, or ControlError."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=_CLIENT_TIMEOUT_SECONDS)
    try:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, PATH, body=data, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
    except OSError as error:
        raise ControlError(
            f"no local stack's clock on 127.0.0.1:{port} ({error.strerror or error}); "
            "is `scripts/dev` running? (--port says where)"
        ) from None
    except ValueError:
        raise ControlError("the clock control answered something that is not JSON") from None
    finally:
        connection.close()
    if response.status != 200:
        raise ControlError(str(answer.get("error", f"HTTP {response.status}")))
    if not isinstance(answer, dict):
        raise ControlError("the clock control answered something that is not an object")
    return answer
