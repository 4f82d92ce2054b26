"""Create every resource in `chalicelib.resources` on the local moto server.

The same definitions drive `infra/`, so the local stack and a deployment cannot drift. Safe
to run twice against the same server: existing tables, queues and key aliases are reused.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3

from chalicelib.resources import (
    RESOURCES,
    Key,
    Queue,
    Table,
    UserPool,
    dead_letter_queue_name,
    physical_name,
)
from chalicelib.settings import Settings
from devstack.aws import AwsClients

logger = logging.getLogger(__name__)


def provision(target: AwsClients | boto3.session.Session, stage: str) -> Settings:
    """Create (or find) every table, queue and key; return the Settings that name them."""
    clients = target if isinstance(target, AwsClients) else AwsClients.from_session(target)
    values: dict[str, str] = {"stage": stage, "region": clients.region}
    for table in RESOURCES.tables:
        values[table.settings_field] = create_table(clients.dynamodb, table, stage)
    for queue in RESOURCES.queues:
        values[queue.settings_field] = create_queue(clients.sqs, queue, stage)
    for key in RESOURCES.keys:
        values[key.settings_field] = create_key(clients.kms, key, stage)
    values["staff_pool_id"], values["staff_client_id"] = create_user_pool(
        clients.cognito, RESOURCES.user_pool, stage
    )
    # Validation here means a resource whose settings_field Settings lacks fails at start,
    # not at the first request that needs it.
    settings = Settings.model_validate(values)
    verify_sender(clients.sesv2, settings.sender_email)
    return settings


def create_user_pool(client: Any, pool: UserPool, stage: str) -> tuple[str, str]:
    """Create (or find) the staff user pool, its groups and its app client; their ids.

    The app client allows the username-and-password flow because moto has no hosted UI;
    a deployment uses the hosted UI with authorization code and PKCE instead.
    """
    name = physical_name(stage, pool.logical_name)
    pools = client.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == name), None)
    if pool_id is None:
        pool_id = client.create_user_pool(
            PoolName=name,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                }
            },
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        )["UserPool"]["Id"]
        for group in pool.groups:
            client.create_group(GroupName=group, UserPoolId=pool_id)
    clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    client_id = next(
        (c["ClientId"] for c in clients["UserPoolClients"] if c["ClientName"] == "portal"), None
    )
    if client_id is None:
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="portal",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AccessTokenValidity=pool.access_token_minutes,
            TokenValidityUnits={"AccessToken": "minutes"},
        )["UserPoolClient"]["ClientId"]
    return str(pool_id), str(client_id)


def verify_sender(client: Any, address: str) -> None:
    """Make the notification sender an SES identity (moto verifies it at once)."""
    try:
        client.create_email_identity(EmailIdentity=address)
    except client.exceptions.AlreadyExistsException:
        logger.info("email identity %s already exists; reusing it", address)


def create_table(client: Any, table: Table, stage: str) -> str:
    """Create an on-demand table with its key schema and indexes; return its name."""
    name = physical_name(stage, table.logical_name)
    request: dict[str, object] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": attribute, "AttributeType": kind}
            for attribute, kind in table.attribute_definitions().items()
        ],
        "KeySchema": _key_schema(table.keys.partition[0], table.keys.sort),
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.keys.partition[0], index.keys.sort),
                "Projection": {"ProjectionType": index.projection},
            }
            for index in table.indexes
        ]
    try:
        client.create_table(**request)
    except client.exceptions.ResourceInUseException:
        logger.info("table %s already exists; reusing it", name)
        return name
    client.get_waiter("table_exists").wait(TableName=name)
    if table.ttl_attribute:
        # moto records TTL but never expires items; the retention sweep must not rely on it.
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    return name


def create_queue(client: Any, queue: Queue, stage: str) -> str:
    """Create a queue and its dead-letter queue with a redrive policy; return the queue URL."""
    dlq_url = client.create_queue(
        QueueName=dead_letter_queue_name(stage, queue),
        Attributes={"MessageRetentionPeriod": str(queue.dlq_retention_seconds)},
    )["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
    url: str = client.create_queue(
        QueueName=physical_name(stage, queue.logical_name),
        Attributes={
            "VisibilityTimeout": str(queue.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(queue.retention_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return url


def create_key(client: Any, key: Key, stage: str) -> str:
    """Create a customer-managed key with alias `alias/<physical name>`; return its ARN."""
    alias = "alias/" + physical_name(stage, key.logical_name)
    try:
        existing = client.describe_key(KeyId=alias)["KeyMetadata"]
    except client.exceptions.NotFoundException:
        existing = None
    if existing is not None:
        logger.info("key %s already exists; reusing it", alias)
        return str(existing["Arn"])
    metadata = client.create_key(Description=key.description, KeySpec=key.spec, KeyUsage=key.usage)[
        "KeyMetadata"
    ]
    client.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    return str(metadata["Arn"])


def _key_schema(partition: str, sort: tuple[str, str] | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort[0], "KeyType": "RANGE"})
    return schema
