"""Failures of AWS calls, turned into the one domain error the API answers with 503."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


def conditional_write(write: Callable[[], Any]) -> bool:
    """Run a conditional DynamoDB write: True if it was made, False if its condition failed.

    Any other failure is `DependencyUnavailable("dynamodb")`, as `unavailable_on_failure`.
    """
    try:
        write()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise DependencyUnavailable("dynamodb") from None
    except BotoCoreError:
        raise DependencyUnavailable("dynamodb") from None
    return True
