"""The local stack's moto server: one request at a time, and a memory that stays bounded.

moto's backends are plain dictionaries with no locking, and its threaded server runs each
request on its own thread: two DynamoDB transactions at once fail with "dictionary changed
size during iteration" (the API answers 503), and a scan racing a write can do the same.
`SerialisedMoto` is moto's own WSGI application behind one lock. The exception is an SQS
receive: it long-polls (the pump waits up to its `wait_seconds`), and holding the lock that
long would stall every other request; a receive only reads and flags messages already made.

moto also keeps every model object it ever creates (`moto.core.model_instances`) for its
dashboard, `/moto-api/data.json`: every SQS message, every email, every DynamoDB item, and
a transaction deep-copies its tables, so every item again on every transaction. Over a long
session that is gigabytes. After each request the server drops them, except the most recent
`KEEP_EMAILS` emails, which `devstack.emails` reads there (about 0.1 ms a request).

That copy is also most of a transaction's time: moto deep-copies a table once for every
item the transaction writes to it (intake writes several to the reports table), all before
the first write, so every copy is the same. `copy_each_table_once` makes it one copy a
table: the same rollback, a fraction of the time, and the lock is held that much less.
"""

from __future__ import annotations

import copy
import threading
import types
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

#: The emails kept for `devstack.emails` (and a developer reading them); older ones go.
KEEP_EMAILS = 500
#: The registry entries (service, model) that hold emails.
_EMAILS = frozenset({("ses", "RawMessage"), ("ses", "Message")})
#: Requests that may wait (long polling) and only read what other requests made.
_UNLOCKED_TARGETS = frozenset({"AmazonSQS.ReceiveMessage"})

_StartResponse = Callable[..., Any]
_App = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]


class SerialisedApp:
    """A WSGI application that runs moto's one request at a time, then trims its registry."""

    def __init__(self, app: _App) -> None:
        """Wrap moto's application."""
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> list[bytes]:
        """Serve one request, under the lock unless it is a long-polling receive."""
        if environ.get("HTTP_X_AMZ_TARGET") in _UNLOCKED_TARGETS:
            return list(self._app(environ, start_response))
        with self._lock:
            # The body is read inside the lock: a Flask answer may be produced lazily.
            body = list(self._app(environ, start_response))
            trim_registry()
            return body


def trim_registry(keep_emails: int = KEEP_EMAILS) -> None:
    """Forget every model object moto tracks for its dashboard, but the latest emails.

    The objects themselves live on in their backends as long as those need them; only the
    dashboard's extra reference goes. moto's SES backends keep each email a second time, in
    `sent_messages`, which nothing here reads: that list is cut to the same length.
    """
    from moto.core.model_instances import model_data

    for service, models in list(model_data.items()):
        for name, model in list(models.items()):
            tracked: list[Any] = model.instances_tracked  # type: ignore[attr-defined]
            keep = keep_emails if (service, name) in _EMAILS else 0
            if len(tracked) > keep:
                del tracked[: len(tracked) - keep]
    if "ses" in model_data:
        from moto.ses.models import ses_backends

        for regions in ses_backends.values():
            for backend in regions.values():
                sent: list[Any] = backend.sent_messages
                if len(sent) > keep_emails:
                    del sent[: len(sent) - keep_emails]


_table_copies: dict[int, Any] = {}


def _deepcopy_tables_once(value: Any, memo: dict[int, Any] | None = None) -> Any:
    from moto.dynamodb.models.table import Table

    if not isinstance(value, Table):
        return copy.deepcopy(value, memo)
    if id(value) not in _table_copies:
        _table_copies[id(value)] = copy.deepcopy(value, memo)
    return _table_copies[id(value)]


def copy_each_table_once() -> None:
    """Make moto's `transact_write_items` copy each table it touches once, not per item.

    Only under `SerialisedApp`'s lock: the copies are shared for the length of one call.
    """
    from moto.dynamodb import models

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "copies_tables_once", False):
        return
    models.copy = types.SimpleNamespace(deepcopy=_deepcopy_tables_once)  # type: ignore[attr-defined,assignment]
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        try:
            original(self, transact_items)
        finally:
            _table_copies.clear()

    transact_write_items.copies_tables_once = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class SerialisedMotoServer(ThreadedMotoServer):
    """moto's threaded server (same interface) serving `SerialisedApp`."""

    def _server_entry(self) -> None:
        copy_each_table_once()
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
        server: BaseWSGIServer = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server = server
        self._server_ready_event.set()
        server.serve_forever()
