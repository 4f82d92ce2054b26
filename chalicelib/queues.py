"""Work queues and their consumers. Messages carry one id and nothing else.

A consumer handles each message of a batch on its own and answers with the ids of the ones
that failed (SQS `ReportBatchItemFailures`), so one bad message is retried — and in the end
dead-lettered — without holding up or repeating the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.dependencies import unavailable_on_failure
from chalicelib.errors import DependencyUnavailable, DomainError
from chalicelib.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass
class WorkQueue:
    """An SQS queue whose messages are `{id_field: id}`. Takes its client and URL."""

    client: Any
    queue_url: str
    id_field: str

    def send(self, item_id: str) -> None:
        """Queue one id. Raises `DependencyUnavailable` if SQS fails."""
        with unavailable_on_failure("sqs"):
            self.client.send_message(
                QueueUrl=self.queue_url, MessageBody=json.dumps({self.id_field: item_id})
            )


def send_or_leave_for_redrive(queue: WorkQueue, item_id: str) -> bool:
    """Queue an id whose record is already stored; if SQS fails, the redrive job sends it.

    Only for records that the redrive job finds again (awaiting triage, unsent).
    """
    try:
        queue.send(item_id)
    except DependencyUnavailable:
        logger.warning("queue unavailable; left for redrive", extra={"id": item_id})
        return False
    return True


_Message = TypeVar("_Message", bound=BaseModel)


class MalformedMessage(DomainError):
    """A queue message that is not what its queue carries."""


def parse_message(record: SQSRecord, model: type[_Message]) -> _Message:
    """The record's body as `model`, or `MalformedMessage` (logged without the body)."""
    try:
        return model.model_validate_json(record.body)
    except ValidationError:
        logger.error(
            "malformed queue message",
            extra={"message_id": record.message_id, "expected": model.__name__},
        )
        raise MalformedMessage(f"message {record.message_id} is not a {model.__name__}") from None


def process_batch(event: dict[str, Any], handle: Callable[[SQSRecord], None]) -> dict[str, Any]:
    """Run `handle` on each record; answer with the ids of the records that raised."""
    # Imported here, not at the top: with pydantic loaded, powertools' batch module builds
    # its parser models for every event source (tens of ms), and a producer (the API sends
    # to these queues) never needs it.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=handle, processor=processor)
    return {"batchItemFailures": list(response["batchItemFailures"])}
