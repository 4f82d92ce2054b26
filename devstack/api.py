"""The API: the Chalice app served by chalice's local server, in this process.

This mirrors what `chalice local --no-autoreload --stage dev` does (chalice/cli/__init__.py
and cli/factory.py): read `.chalice/config.json`, apply the stage's environment variables,
import `app.py`, check its routes as a deploy would, and serve it with `LocalDevServer`.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.constants import DEFAULT_APIGATEWAY_STAGE_NAME, DEFAULT_ENDPOINT_TYPE
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    ThreadedHTTPServer,
)

logger = logging.getLogger("devstack.api")
#: Connections the kernel holds until the server accepts them. http.server's 5 resets the
#: rest of a burst (fifty reporters submitting at once); 128 is werkzeug's (moto's server).
LISTEN_BACKLOG = 128
#: Requests the app handles at once; the rest wait their turn, as over a Lambda function's
#: concurrency limit. moto serves one request at a time (`devstack.moto_server`), and the
#: app gives each AWS call 5 s: with a burst of 200 reporters all inside the app, calls
#: queued behind the others' time out and the reporters get 503s.
MAX_IN_FLIGHT = 4
_in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)


def chalice_config(project_dir: Path, stage: str, app: Chalice | None = None) -> Config:
    """The chalice Config for `stage`, as the CLI builds it from `.chalice/config.json`."""
    with (project_dir / ".chalice" / "config.json").open() as config_file:
        from_disk: dict[str, Any] = json.load(config_file)
    if float(from_disk.get("version", "1.0")) > 2.0:
        raise RuntimeError(f"unsupported .chalice/config.json version {from_disk['version']}")
    user_params: dict[str, Any] = {"project_dir": str(project_dir)}
    if app is not None:
        user_params["chalice_app"] = app
    return Config(
        chalice_stage=stage,
        user_provided_params=user_params,
        config_from_disk=from_disk,
        default_params={
            "project_dir": str(project_dir),
            "api_gateway_stage": DEFAULT_APIGATEWAY_STAGE_NAME,
            "api_gateway_endpoint_type": DEFAULT_ENDPOINT_TYPE,
            "autogen_policy": True,
        },
    )


def load_app(project_dir: Path) -> Chalice:
    """Import `app.py` from the project root (after the environment is ready)."""
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    module = importlib.import_module("app")
    app = getattr(module, "app", None)
    if not isinstance(app, Chalice):
        raise RuntimeError("app.py defines no Chalice object named `app`")
    # The same check `chalice local` and `chalice deploy` make before serving anything.
    validate_routes(app.routes)
    return app


class _RequestHandler(ChaliceRequestHandler):
    """chalice's handler: `MAX_IN_FLIGHT` at a time, logging without query strings."""

    def _generic_handle(self) -> None:
        # Around the app only: an idle keep-alive connection must not hold a turn.
        with _in_flight:
            super()._generic_handle()

    # chalice binds its methods to its own `_generic_handle` when its class is made.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle  # noqa: N815

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request: method, path and status; never bodies or query strings."""
        logger.info("%s %s %s", self.command, self.path.split("?", 1)[0], code)

    def log_message(self, format: str, *args: Any) -> None:
        """Protocol errors (bad request lines and the like)."""
        logger.warning("%s", format % args)


class _HttpServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_BACKLOG


class ApiServer:
    """chalice's local API server on a background thread."""

    def __init__(self, app: Chalice, config: Config, host: str, port: int) -> None:
        """Bind now (port 0 picks a free port); serve after `start()`."""
        if not isinstance(app, LocalChalice):
            # What chalice.local.create_local_server does before building the server: give
            # the app a thread-local current_request so concurrent requests do not mix.
            # Done here because that function offers no handler_cls; skipped when an earlier
            # server in this process converted the app already (a second conversion would
            # make CustomLocalChalice its own base).
            CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
            app.__class__ = CustomLocalChalice
        self._server = LocalDevServer(
            app, config, host, port, handler_cls=_RequestHandler, server_cls=_HttpServer
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server.server_address[1])

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread = threading.Thread(
            target=self._server.server.serve_forever, name="chalice-local", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server.server_close()
