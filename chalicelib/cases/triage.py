"""Triage of new reports, fed by the triage queue.

For now a report is moved to `awaiting_screening`; routing, risk flags and priority come
next. Each message is handled on its own: a bad one is reported as a batch item failure
(and reaches the dead-letter queue after repeated receives) without holding up the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.errors import DomainError, NotFound
from chalicelib.observability import logger
from chalicelib.reports.store import ReportStore


class TriageMessage(BaseModel):
    """The body of a triage message: a report id, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    report_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class MalformedMessage(DomainError):
    """A queue message that is not a triage message."""


@dataclass
class TriageService:
    """Moves reports from intake into the screening queue."""

    store: ReportStore

    def handle(self, record: SQSRecord) -> None:
        """Triage the report a message names. Idempotent under duplicate delivery."""
        try:
            message = TriageMessage.model_validate_json(record.body)
        except ValidationError:
            logger.error("malformed triage message", extra={"message_id": record.message_id})
            raise MalformedMessage(f"message {record.message_id} is not a triage message") from None
        moved = self.store.mark_awaiting_screening(message.report_id)
        if not moved and self.store.get(message.report_id) is None:
            logger.error("triage for unknown report", extra={"report_id": message.report_id})
            raise NotFound(f"report {message.report_id} does not exist")
        logger.info(
            "report triaged" if moved else "duplicate triage ignored",
            extra={"report_id": message.report_id},
        )


def handle_batch(event: dict[str, Any], service: TriageService) -> dict[str, Any]:
    """Process an SQS batch, answering with the ids of the messages that failed."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response = process_partial_response(
        event=event, record_handler=service.handle, processor=processor
    )
    return {"batchItemFailures": list(response["batchItemFailures"])}
