"""moto's Cognito signing keys, published on loopback as Cognito publishes a pool's.

In-process moto (`mock_aws`) answers boto3 only, while the app's token verifier fetches the
keys over HTTP (`RS_STAFF_JWKS_URL`); tests and benchmarks that sign staff in against it
serve the keys here. (A moto server publishes them itself, at `/<pool>/.well-known/...`.)
"""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any


@contextmanager
def serve_moto_jwks() -> Iterator[str]:
    """Serve the keys on 127.0.0.1 while inside; yields the JWKS URL."""
    keys = gzip.decompress(
        resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz").read_bytes()
    )

    class Keys(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(keys)

        def log_message(self, *_: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
