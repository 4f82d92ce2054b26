"""Failures of AWS calls, turned into the one domain error the API answers with 503.

DynamoDB's own answers (a failed condition, a cancelled transaction) are told apart from
failures in `chalicelib.storage.dynamo`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyUnavailable


@contextmanager
def unavailable_on_failure(service: str) -> Iterator[None]:
    """Raise `DependencyUnavailable(service)` for any AWS error inside, without its text.

    botocore's messages can quote request parameters, so the cause is not chained.
    """
    try:
        yield
    except (BotoCoreError, ClientError):
        raise DependencyUnavailable(service) from None
