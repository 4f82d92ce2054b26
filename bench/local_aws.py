"""An in-process moto server with every resource provisioned, for the AWS-backed benchmarks.

The environment is pointed at moto *before* any client exists (a client binds its endpoint
when it is built), and restored on exit so a later benchmark in the same process, or a
subprocess, does not inherit it. Plain boto3 clients on the same server are kept here for
the floor measurements and for housekeeping between timed runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import Any, TextIO

import boto3
from moto.core.model_instances import reset_model_data
from moto.server import ThreadedMotoServer

from chalicelib import services
from chalicelib.observability import SERVICE
from chalicelib.resources import RESOURCES, physical_name
from chalicelib.settings import Settings
from devstack.aws import point_environment_at
from devstack.provision import create_table, provision

REGION = "eu-west-2"
STAGE = "bench"


@contextmanager
def quiet_logs() -> Iterator[None]:
    """moto's request log off, and the app's log lines written to /dev/null while inside.

    moto's request log goes to stderr once per call: thousands of lines, and writing them
    costs the server time that belongs to neither side of a comparison. The app logs a JSON
    line per report and per message handled. Formatting those is part of the cost being
    measured, so their level stays; only the output goes to /dev/null, so that the printed
    table stays readable.
    """
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.ERROR)
    saved: list[tuple[logging.StreamHandler[TextIO], TextIO]] = []
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        for handler in logging.getLogger(SERVICE).handlers:
            if isinstance(handler, logging.StreamHandler):
                previous = handler.setStream(devnull)
                if previous is not None:
                    saved.append((handler, previous))
        try:
            yield
        finally:
            for handler, stream in saved:
                handler.setStream(stream)
            werkzeug.setLevel(level)


class LocalAws:
    """moto on 127.0.0.1 (a free port), provisioned, with the app's services pointed at it."""

    def __init__(self) -> None:
        self._server: Any = None
        self._saved_environ: dict[str, str] = {}
        self._quiet = ExitStack()
        self.endpoint_url = ""
        self.settings: Settings | None = None
        self.dynamodb: Any = None
        self.sqs: Any = None
        self.kms: Any = None

    def __enter__(self) -> LocalAws:
        """Start moto, provision, and point the app at it."""
        self._saved_environ = dict(os.environ)
        self._quiet.enter_context(quiet_logs())

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        port = self._server.get_host_and_port()[1]
        self.endpoint_url = f"http://127.0.0.1:{port}"
        point_environment_at(self.endpoint_url, REGION)
        # Real SQS allows one purge a minute and moto copies that by default; draining the
        # triage queue between batches needs more than that.
        os.environ["MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR"] = "false"

        session = boto3.Session(region_name=REGION)
        self.settings = provision(session, STAGE)
        os.environ.update(self.settings.environment())
        services.reset()
        self.dynamodb = session.client("dynamodb")
        self.sqs = session.client("sqs")
        self.kms = session.client("kms")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop moto and put the environment and logging back as they were."""
        services.reset()
        if self._server is not None:
            self._server.stop()
        os.environ.clear()
        os.environ.update(self._saved_environ)
        self._quiet.close()

    def client_for(self, service: str) -> Any:
        """The plain boto3 client for a service (used for the floor)."""
        clients = {"dynamodb": self.dynamodb, "sqs": self.sqs, "kms": self.kms}
        if service not in clients:
            raise RuntimeError(f"no floor client for {service}; add one to LocalAws")
        return clients[service]

    def drain(self) -> None:
        """Empty the triage queue and the tables (housekeeping, never inside a timing).

        moto's TransactWriteItems deep-copies every table it touches before writing, so its
        cost grows with the number of items stored. Left alone, that growth would swell both
        the submission and its floor as a run goes on and blur the ratio between them.
        """
        assert self.settings is not None, "use LocalAws as a context manager"
        # moto keeps every model object it ever creates (for its dashboard), including the
        # table copies above: over a run that is millions of objects, half a gigabyte, and
        # cyclic-GC passes that grow long enough to land inside timings. Forgetting them
        # leaves the live tables, keys and queues untouched.
        reset_model_data()
        self.sqs.purge_queue(QueueUrl=self.settings.triage_queue_url)
        for table in RESOURCES.tables:
            self.dynamodb.delete_table(TableName=physical_name(STAGE, table.logical_name))
            create_table(self.dynamodb, table, STAGE)
