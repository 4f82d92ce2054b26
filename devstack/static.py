"""Serve the static front ends in `web/`, as S3 + CloudFront would in a deployment.

Besides the files, `/config.json` tells the pages where the API is (a deployment writes the
same file next to the pages), and `/` redirects to the reporter form.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Handler(SimpleHTTPRequestHandler):
    """Files from the web directory, plus the generated config; no per-request logging."""

    site_config: bytes = b"{}"

    def do_GET(self) -> None:
        """Serve the generated config, the redirect at `/`, or a file."""
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            self._send(200, "application/json", self.site_config)
        elif path == "/":
            self.send_response(302)
            self.send_header("Location", "/report/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            super().do_GET()

    def end_headers(self) -> None:
        """Never cache: pages change while a developer edits them."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the API log is the interesting one."""

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StaticSite:
    """A threaded HTTP server for one directory, started and stopped on demand."""

    def __init__(
        self,
        directory: Path,
        host: str,
        port: int,
        site_config: Mapping[str, str] | None = None,
    ) -> None:
        """Bind now (port 0 picks a free port); serve after `start()`.

        `site_config` is served as `/config.json`; it may also be given later, through
        `configure()`, when it depends on something that binds after this server.
        """
        self._handler: type[_Handler] = type("SiteHandler", (_Handler,), {})
        self.configure(site_config or {})
        self._server = ThreadingHTTPServer(
            (host, port), functools.partial(self._handler, directory=str(directory))
        )
        self._thread: threading.Thread | None = None

    def configure(self, site_config: Mapping[str, str]) -> None:
        """Set what `/config.json` answers (before `start()`)."""
        self._handler.site_config = json.dumps(dict(site_config)).encode()

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="static-site", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
