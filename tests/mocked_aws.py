"""An in-process moto account for the storage modules' unit tests: either the project's own
tables, provisioned as the local stack provisions them, or one bare `pk`/`sk` table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.settings import Settings
from devstack.provision import provision


@contextmanager
def mocked_session() -> Iterator[boto3.Session]:
    """A session on moto's in-process AWS (never a local stack's endpoint, if one is set)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            yield boto3.Session(region_name="eu-west-2")


@contextmanager
def provisioned() -> Iterator[tuple[Any, Settings]]:
    """A DynamoDB client and the settings naming the project's tables, provisioned."""
    with mocked_session() as session:
        settings = provision(session, "unit")
        yield session.client("dynamodb"), settings


@contextmanager
def pk_sk_table(name: str) -> Iterator[Any]:
    """A DynamoDB client with one bare table keyed `pk` (hash) and `sk` (range)."""
    with mocked_session() as session:
        dynamodb = session.client("dynamodb")
        dynamodb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb
