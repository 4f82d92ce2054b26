"""Tables, queues and keys: declared from `chalicelib/resources.py`, the definition the local
stack provisions from, so a deployment and the local stack cannot drift.

Every table is on demand, encrypted with the customer-managed `storage` key, with
point-in-time recovery and deletion protection. Every queue has its dead-letter queue and is
encrypted with the same key. The app's four keys are retained when the stack is deleted (a
deleted key makes every sealed value unreadable) and rotate yearly where KMS allows it (HMAC
keys cannot rotate automatically).

Key policies name the principals themselves: the account's administrators may manage a key
but not use it, and each use (`kms:Decrypt`, `kms:GenerateMac`, ...) is allowed to exactly the
roles `infra/permissions.py` lists. So even an IAM policy granting `kms:Decrypt` on every
key cannot open demographics: only the insights job's role is in the `insight` key's policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.resources import (
    RESOURCES,
    Key,
    KeySchema,
    Queue,
    Table,
    dead_letter_queue_name,
    physical_name,
)

#: What the account's administrators may do with a key: manage it, never use it.
KEY_ADMIN_ACTIONS = (
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:EnableKeyRotation",
    "kms:ListResourceTags",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:ListGrants",
    "kms:RevokeGrant",
)

#: The services that encrypt data at rest with the `storage` key on the app's behalf.
STORAGE_SERVICES = ("dynamodb", "sqs", "logs", "sns")


@dataclass
class QueuePair:
    """A work queue and its dead-letter queue."""

    queue: sqs.Queue
    dead_letters: sqs.Queue


class DataStores(Construct):
    """The keys, tables and queues of one deployment."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str) -> None:
        super().__init__(scope, construct_id)
        self.stage = stage
        prefix = self.prefix = physical_name(stage, "").rstrip("-")
        self.storage_key = kms.Key(
            self,
            "StorageKey",
            alias=f"alias/{prefix}-storage",
            description="Encrypts the tables, queues, logs and alarm topic at rest",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            policy=self._admin_policy(),
        )
        self._allow_storage_services(self.storage_key)
        self.keys: dict[str, kms.Key] = {key.logical_name: self._key(key) for key in RESOURCES.keys}
        self.tables: dict[str, dynamodb.CfnTable] = {
            table.logical_name: self._table(table) for table in RESOURCES.tables
        }
        self.queues: dict[str, QueuePair] = {
            queue.logical_name: self._queue(queue) for queue in RESOURCES.queues
        }

    # --- keys -------------------------------------------------------------------------------

    def _admin_policy(self) -> iam.PolicyDocument:
        account = cdk.Stack.of(self).account
        return iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="AccountAdministersTheKey",
                    principals=[iam.AccountRootPrincipal()],
                    actions=list(KEY_ADMIN_ACTIONS),
                    resources=["*"],  # in a key policy, "*" is this key
                    conditions={"StringEquals": {"aws:PrincipalAccount": account}},
                )
            ]
        )

    def _key(self, key: Key) -> kms.Key:
        hmac = key.spec == "HMAC_256"
        return kms.Key(
            self,
            f"{_pascal(key.logical_name)}Key",
            alias=f"alias/{self.prefix}-{key.logical_name}",
            description=key.description,
            key_spec=kms.KeySpec.HMAC_256 if hmac else kms.KeySpec.SYMMETRIC_DEFAULT,
            key_usage=(kms.KeyUsage.GENERATE_VERIFY_MAC if hmac else kms.KeyUsage.ENCRYPT_DECRYPT),
            # KMS rotates symmetric encryption keys only; HMAC keys are rotated by hand.
            enable_key_rotation=not hmac,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            policy=self._admin_policy(),
        )

    def _allow_storage_services(self, key: kms.Key) -> None:
        stack = cdk.Stack.of(self)
        key.add_to_resource_policy(
            # AWS's documented pattern for a table key: any principal of this account, but
            # only through these services (a direct kms:Decrypt by anyone is still refused).
            # With the account root here instead, every caller's own IAM policy would also
            # need the key, and DynamoDB would refuse the functions' reads and writes.
            iam.PolicyStatement(
                sid="ServicesEncryptAtRestForThisAccount",
                principals=[iam.AnyPrincipal()],
                actions=[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:GenerateDataKey",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:CallerAccount": stack.account,
                        "kms:ViaService": [
                            f"{service}.{stack.region}.amazonaws.com"
                            for service in STORAGE_SERVICES
                        ],
                    }
                },
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="LogsEncryptTheAppsLogGroups",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{stack.partition}:logs:{stack.region}:{stack.account}"
                            f":log-group:/aws/*/{self.prefix}*"
                        )
                    }
                },
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlarmsPublishToTheEncryptedTopic",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )

    def allow_key_use(self, logical_name: str, actions: list[str], roles: list[iam.IRole]) -> None:
        """Name these roles in a key's policy for these actions (and nothing else)."""
        if not roles:
            return
        key = self.keys[logical_name]
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"Use{''.join(_pascal(a.split(':')[1]) for a in actions)}",
                principals=[iam.ArnPrincipal(role.role_arn) for role in roles],
                actions=actions,
                resources=["*"],
            )
        )

    # --- tables -----------------------------------------------------------------------------

    def _table(self, table: Table) -> dynamodb.CfnTable:
        """A table exactly as `resources.py` defines it (L1, so the definition maps 1:1)."""

        def key_schema(keys: KeySchema) -> list[dynamodb.CfnTable.KeySchemaProperty]:
            schema = [
                dynamodb.CfnTable.KeySchemaProperty(
                    attribute_name=keys.partition[0], key_type="HASH"
                )
            ]
            if keys.sort:
                schema.append(
                    dynamodb.CfnTable.KeySchemaProperty(
                        attribute_name=keys.sort[0], key_type="RANGE"
                    )
                )
            return schema

        indexes = [
            dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                index_name=index.name,
                key_schema=key_schema(index.keys),
                projection=dynamodb.CfnTable.ProjectionProperty(projection_type=index.projection),
            )
            for index in table.indexes
        ]
        cfn = dynamodb.CfnTable(
            self,
            f"{_pascal(table.logical_name)}Table",
            table_name=physical_name(self.stage, table.logical_name),
            billing_mode="PAY_PER_REQUEST",
            attribute_definitions=[
                dynamodb.CfnTable.AttributeDefinitionProperty(
                    attribute_name=name, attribute_type=kind
                )
                for name, kind in table.attribute_definitions().items()
            ],
            key_schema=key_schema(table.keys),
            global_secondary_indexes=indexes or None,
            sse_specification=dynamodb.CfnTable.SSESpecificationProperty(
                sse_enabled=True, sse_type="KMS", kms_master_key_id=self.storage_key.key_arn
            ),
            point_in_time_recovery_specification=(
                dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                    point_in_time_recovery_enabled=True
                )
            ),
            deletion_protection_enabled=True,
            time_to_live_specification=(
                dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                    attribute_name=table.ttl_attribute, enabled=True
                )
                if table.ttl_attribute
                else None
            ),
        )
        cfn.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        return cfn

    def table_resources(self, logical_name: str) -> list[str]:
        """The table's ARN and each of its indexes' ARNs (named one by one, no wildcard)."""
        table = next(t for t in RESOURCES.tables if t.logical_name == logical_name)
        arn = self.tables[logical_name].attr_arn
        return [arn, *(f"{arn}/index/{index.name}" for index in table.indexes)]

    # --- queues -----------------------------------------------------------------------------

    def _queue(self, queue: Queue) -> QueuePair:
        name = _pascal(queue.logical_name)
        dead_letters = sqs.Queue(
            self,
            f"{name}DeadLetterQueue",
            queue_name=dead_letter_queue_name(self.stage, queue),
            retention_period=cdk.Duration.seconds(queue.dlq_retention_seconds),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.storage_key,
            data_key_reuse=cdk.Duration.hours(24),
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        work = sqs.Queue(
            self,
            f"{name}Queue",
            queue_name=physical_name(self.stage, queue.logical_name),
            visibility_timeout=cdk.Duration.seconds(queue.visibility_timeout_seconds),
            retention_period=cdk.Duration.seconds(queue.retention_seconds),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.storage_key,
            # One data key a day: KMS is asked once a day per producer, not once a message.
            data_key_reuse=cdk.Duration.hours(24),
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=dead_letters, max_receive_count=queue.max_receive_count
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        return QueuePair(queue=work, dead_letters=dead_letters)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
