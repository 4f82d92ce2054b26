"""Structured JSON logging.

Log lines carry ids (report id, reference, message id) and outcomes — never a name, an
email address, a phone number, free text or a demographic answer. Exceptions raised by
the domain are built the same way, so logging one is safe too.

The AWS SDK's own loggers are held at WARNING whatever the root level: at DEBUG botocore
logs request bodies, and a KMS `GenerateMac` body holds the value being indexed (an email
address, base64-encoded). Turning on debug logs while investigating must not leak it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools import Logger

SERVICE = "report-support"
_SDK_LOGGERS = ("botocore", "boto3", "urllib3", "aws_encryption_sdk", "s3transfer")

for _name in _SDK_LOGGERS:
    logging.getLogger(_name).setLevel(logging.WARNING)

logger = Logger(service=SERVICE)


@contextmanager
def correlated(report_id: str) -> Iterator[None]:
    """Tag every log line written inside with the report's id as `correlation_id`.

    Thread-local, so concurrent requests in `chalice local` do not tag each other's lines.
    """
    logger.thread_safe_append_keys(correlation_id=report_id)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(["correlation_id"])
