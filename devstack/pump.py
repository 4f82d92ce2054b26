"""Deliver SQS messages to the app's `@app.on_sqs_message` handlers, as Lambda would.

chalice local serves HTTP only, so this pump stands in for Lambda's SQS event source
mapping: it long-polls each queue, hands the handler a Lambda-shaped event and deletes what
the handler processed. Partial batch failures follow Lambda's `ReportBatchItemFailures`
contract, which the deployment enables on every event source (see DESIGN.md): ids listed in
`batchItemFailures` stay on the queue, reappear after the visibility timeout and reach the
dead-letter queue after `maxReceiveCount` receives (moto does the move on receive, as SQS
does). A handler that raises fails the whole batch. Logs never carry message bodies.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalice.app import Chalice, SQSEventConfig
from chalice.local import LambdaContext

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]
#: SQS returns at most ten messages per receive, whatever the event source's batch size.
MAX_RECEIVE = 10
#: drain(): the pause before its second look at quiet queues.
_SETTLE_GRACE_SECONDS = 0.01


@dataclass(frozen=True)
class Subscription:
    """One `on_sqs_message` handler bound to the queue it reads."""

    name: str
    queue_url: str
    queue_arn: str
    batch_size: int
    handler: Handler


def subscriptions(app: Chalice, queue_urls: Mapping[str, str], sqs: Any) -> list[Subscription]:
    """Bind every SQS event source of `app` to a provisioned queue.

    `queue_urls` maps names to URLs; a handler's `queue=` is a logical name from
    `chalicelib.resources`, while `queue_arn=` is matched by the queue name at its end.
    """
    found = []
    for source in app.event_sources:
        if not isinstance(source, SQSEventConfig):
            continue
        wanted = source.queue or (source.queue_arn or "").rsplit(":", 1)[-1]
        url = queue_urls.get(wanted)
        if url is None:
            raise LookupError(
                f"SQS handler {source.name!r} reads queue {wanted!r}, which the local stack "
                f"did not provision (known: {', '.join(sorted(queue_urls))})"
            )
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        found.append(
            Subscription(
                name=source.name,
                queue_url=url,
                queue_arn=arn,
                batch_size=source.batch_size,
                handler=app.handler_map[source.name],
            )
        )
    return found


def lambda_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One SQS message as it appears in a Lambda event's `Records`."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _lambda_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_message_ids(result: object, batch_ids: Iterable[str]) -> set[str]:
    """The ids Lambda would leave on the queue, given what the handler returned.

    As in Lambda, a response that names an id outside the batch (or an empty one) fails the
    whole batch, and anything other than a `batchItemFailures` mapping means success.
    """
    ids = set(batch_ids)
    if not isinstance(result, Mapping) or "batchItemFailures" not in result:
        return set()
    failures = result["batchItemFailures"] or []
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in ids:
            return ids
        failed.add(str(identifier))
    return failed


class Pump:
    """Polls every subscription on its own thread until stopped."""

    def __init__(
        self,
        sqs: Any,
        subscriptions: Iterable[Subscription],
        region: str,
        wait_seconds: int = 1,
    ) -> None:
        """`wait_seconds` is the long-poll wait; 0 polls as fast as the queue answers."""
        self._sqs = sqs
        self._subscriptions = list(subscriptions)
        self._region = region
        self._wait_seconds = wait_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._changed = threading.Condition()
        # Per subscription: how many polls found nothing. wait_until_idle() watches these.
        self._empty_polls = {sub.name: 0 for sub in self._subscriptions}
        # Batches being handled right now, on any thread: drain() waits for them.
        self._settling = 0

    @property
    def subscriptions(self) -> list[Subscription]:
        """The handlers this pump feeds."""
        return list(self._subscriptions)

    def start(self) -> None:
        """Start one polling thread per subscription."""
        for sub in self._subscriptions:
            thread = threading.Thread(target=self._run, args=(sub,), name=f"pump-{sub.name}")
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop polling; waits for a batch in progress to finish."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def wait_until_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every queue has been found empty since this call; False on timeout.

        Messages that failed and are invisible until their visibility timeout ends do not
        count: idle means nothing is deliverable now.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            start = dict(self._empty_polls)
            while any(self._empty_polls[name] <= count for name, count in start.items()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def drain(self, timeout: float = 30.0) -> bool:
        """Deliver, on the calling thread, everything deliverable now, and wait for the batches
        the polling threads are handling; False on timeout.

        Unlike wait_until_idle() it does not wait out a long poll on each queue, so the time
        machine can drain after every step of a journey in milliseconds. As there, messages
        that failed and are invisible until their visibility timeout ends do not count.
        """
        deadline = time.monotonic() + timeout
        quiet_rounds = 0
        while time.monotonic() < deadline:
            delivered = sum(self.deliver_once(sub, wait_seconds=0) for sub in self._subscriptions)
            with self._changed:
                if delivered or self._settling:
                    quiet_rounds = 0
                    if not delivered:
                        self._changed.wait(max(0.0, min(0.1, deadline - time.monotonic())))
                    continue
            quiet_rounds += 1
            if quiet_rounds == 2:
                return True
            # A polling thread may hold a batch it has received but not yet counted (the
            # answer is still being parsed): a second quiet round a moment later sees it.
            time.sleep(_SETTLE_GRACE_SECONDS)
        return False

    def deliver_once(self, sub: Subscription, wait_seconds: int | None = None) -> int:
        """Receive one batch for `sub`, run its handler and settle it; returns its size.

        `wait_seconds` overrides the pump's long-poll wait (0: answer at once).
        """
        response = self._sqs.receive_message(
            QueueUrl=sub.queue_url,
            MaxNumberOfMessages=max(1, min(sub.batch_size, MAX_RECEIVE)),
            WaitTimeSeconds=self._wait_seconds if wait_seconds is None else wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if messages:
            with self._changed:
                self._settling += 1
            try:
                self._settle(sub, messages)
            finally:
                with self._changed:
                    self._settling -= 1
                    self._changed.notify_all()
        return len(messages)

    def _run(self, sub: Subscription) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.deliver_once(sub)
            except Exception as error:
                logger.warning("pump %s: poll failed: %s", sub.name, type(error).__name__)
                self._stop.wait(1.0)
                continue
            if delivered == 0:
                with self._changed:
                    self._empty_polls[sub.name] += 1
                    self._changed.notify_all()
                if self._wait_seconds == 0:
                    # Without a long poll an empty queue would be polled in a tight loop.
                    self._stop.wait(0.05)

    def _settle(self, sub: Subscription, messages: list[dict[str, Any]]) -> None:
        records = [lambda_record(m, sub.queue_arn, self._region) for m in messages]
        receives = sorted(int(r["attributes"].get("ApproximateReceiveCount", 1)) for r in records)
        context = LambdaContext(function_name=sub.name, memory_size=128)
        started = time.monotonic()
        try:
            result = sub.handler({"Records": records}, context)
        except Exception as error:
            # The type only: exception messages may quote the data being processed.
            logger.warning(
                "pump %s: %d received, handler raised %s; none deleted (receive counts %d-%d)",
                sub.name,
                len(records),
                type(error).__name__,
                receives[0],
                receives[-1],
            )
            return
        failed = failed_message_ids(result, (r["messageId"] for r in records))
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start : start + MAX_RECEIVE]
            response = self._sqs.delete_message_batch(
                QueueUrl=sub.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                # Such messages come back after their visibility timeout and run again.
                logger.warning("pump %s: %d deletes failed", sub.name, len(response["Failed"]))
        logger.info(
            "pump %s: %d received, %d deleted, %d failed in %.0f ms (receive counts %d-%d)",
            sub.name,
            len(records),
            len(done),
            len(failed),
            (time.monotonic() - started) * 1000,
            receives[0],
            receives[-1],
        )


def _lambda_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS API message attribute in Lambda's lower-camel shape (binary as base64)."""
    shaped: dict[str, Any] = {
        "dataType": value.get("DataType", "String"),
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [
            base64.b64encode(item).decode("ascii") for item in value.get("BinaryListValues", [])
        ],
    }
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return shaped
