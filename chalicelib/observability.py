"""Structured JSON logging.

Log lines carry ids (report id, reference, message id) and outcomes — never a name, an
email address, a phone number, free text or a demographic answer. Exceptions raised by
the domain are built the same way, so logging one is safe too.

The AWS SDK's own loggers are held at WARNING whatever the root level: at DEBUG botocore
logs request bodies, and a KMS `GenerateMac` body holds the value being indexed (an email
address, base64-encoded). Turning on debug logs while investigating must not leak it.

`increment` adds one to an alarmed metric (CloudWatch embedded metric format, one line on
stdout, which Lambda ships to CloudWatch Logs and CloudWatch turns into the metric): a metric
carries a name and the service, never an id or a value.
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

#: The namespace of the service's own metrics (alarmed in `infra/alarms.py`).
METRICS_NAMESPACE = "ReportSupport"
#: A sealed value refused to open: moved to another record or field, tampered, or stale.
SEAL_REFUSED = "SealRefused"
#: A report found by an email's blind index whose sealed contact holds another address.
BLIND_INDEX_MISMATCH = "BlindIndexMismatch"
#: A case's audit chain failed verification, or its head disagrees with its checkpoint.
AUDIT_CHAIN_BROKEN = "AuditChainBroken"


def increment(metric: str) -> None:
    """Add one to `metric`, written at once (an alarm must not wait for a handler's end)."""
    # Imported here: these events are rare, and a cold start need not load the module.
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(
        name=metric,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        # Set here, not left to POWERTOOLS_SERVICE_NAME: the alarm names this exact dimension.
        default_dimensions={"service": SERVICE},
    ):
        pass


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
