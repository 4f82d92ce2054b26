"""The triage queue: messages carry a report id and nothing else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyUnavailable


@dataclass
class TriageQueue:
    """Sends reports to triage. Takes its SQS client and queue URL."""

    client: Any
    queue_url: str

    def send(self, report_id: str) -> None:
        """Ask for a report to be triaged. Raises `DependencyUnavailable` if SQS fails."""
        try:
            self.client.send_message(
                QueueUrl=self.queue_url, MessageBody=json.dumps({"report_id": report_id})
            )
        except (BotoCoreError, ClientError):
            raise DependencyUnavailable("sqs") from None
