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

That copy was also most of a transaction's time: moto deep-copies a whole table for every
item the transaction writes to it (intake writes several to the reports table), so a
transaction cost more, in time and in peak memory, the more the stack had stored (an extra
copy of the reports table on every report, which the allocator keeps as its high-water
mark). `journal_transactions` keeps a copy of only the items a transaction names, and puts
those back if it fails: the same rollback, at a cost that does not grow with the table.
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


#: One item a transaction may change: its table, key, and a copy of it before (None: absent).
_Saved = tuple[Any, Any, Any, Any]


def _no_table_copy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy`, except that a table is not copied (`journal_transactions` saves items)."""
    from moto.dynamodb.models.table import Table

    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _saved_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Saved]:
    """A copy of every item `transact_items` names, as it is now, in the order named."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved: list[_Saved] = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName"))
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            if table is None or not isinstance(key, dict):
                continue
            try:
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.has_range_key else None
            except (KeyError, TypeError):
                continue  # moto refuses the operation before it writes anything
            # `.get`, not `table.get_item`: `table.items` is a defaultdict, a miss would add.
            current = table.items.get(hash_key)
            if range_key is not None:
                current = current.get(range_key) if current is not None else None
            saved.append((table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _put_back(saved: list[_Saved]) -> None:
    """Restore every saved item (latest first, so an item named twice ends as it began)."""
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def journal_transactions() -> None:
    """Make moto's `transact_write_items` save the items it names instead of whole tables.

    moto undoes a failed transaction by putting back a deep copy of every table it touches,
    taken before the first write. Here that copy is no copy at all (moto puts the same table
    back) and the items the transaction names are copied instead, and restored when it fails:
    moto fails a transaction only by raising, after its own rollback. Idempotent.
    """
    from moto.dynamodb import models

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "journals_items", False):
        return
    models.copy = types.SimpleNamespace(deepcopy=_no_table_copy)  # type: ignore[attr-defined,assignment]
    original = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _saved_items(self, transact_items)
        try:
            original(self, transact_items)
        except BaseException:
            _put_back(saved)
            raise

    transact_write_items.journals_items = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class SerialisedMotoServer(ThreadedMotoServer):
    """moto's threaded server (same interface) serving `SerialisedApp`."""

    def _server_entry(self) -> None:
        journal_transactions()
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
        server: BaseWSGIServer = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server = server
        self._server_ready_event.set()
        server.serve_forever()
