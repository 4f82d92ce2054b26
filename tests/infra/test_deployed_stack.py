"""The synthesised main stack, deployed into moto's CloudFormation, runs the app.

One deployment for the module: the template from the session's synthesis, stripped of what
moto cannot create (`tests/infra/moto_stack.py` names each type and why), with the staff user
pool and the email sender created through their APIs as the local stack creates them. Then:

- the settings are read back from what *that stack* created (the deployed functions'
  environment), and a slice of the API runs against those tables, queues and keys with
  chalice's test client: the queues' messages are delivered to the handlers the stack's
  event source mappings name;
- every table, index, queue and key in `chalicelib/resources.py` matches what the stack
  created, and the stack created none that `resources.py` lacks; the SQS event sources and
  the schedules are as the app declares them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import services
from chalicelib.clock import FixedClock
from chalicelib.reports.reference import PATTERN
from chalicelib.resources import RESOURCES, dead_letter_queue_name, physical_name
from chalicelib.settings import Settings
from devstack.demo import create_demo_users, seed_directory
from devstack.jwks import serve_moto_jwks
from tests.api.conftest import as_staff, post_json, sent_emails, sign_in
from tests.factories import anonymous_submission, named_submission
from tests.infra.conftest import CONTEXT, Synthesised
from tests.infra.moto_stack import (
    DEPLOYED_TYPES,
    STRIPPED_TYPES,
    Deployment,
    deploy,
)

pytestmark = pytest.mark.infra

REGION = CONTEXT["region"]
STAGE = CONTEXT["stage"]

#: The app's schedules (`app.py`), by function.
SCHEDULES = {
    "RedriveOutbox": "rate(5 minutes)",
    "SlaWatch": "rate(15 minutes)",
    "BuildInsights": "rate(15 minutes)",
    "RetentionSweep": "rate(1 day)",
    "AuditCheckpoint": "rate(1 hour)",
}

#: The SQS consumers, by function: the queue (resources.py) each reads.
CONSUMERS = {"OnTriageMessage": "triage", "OnNotifyMessage": "notify"}

#: Outputs that name a resource moto cannot create and that has no stand-in.
DROPPED_OUTPUTS = {
    "DistributionDomain": "the CloudFront distribution",
    "DistributionId": "the CloudFront distribution",
}

#: Keys the stack has beyond resources.py: the one that encrypts tables, queues, logs and
#: the alarm topic at rest (the local stack leaves moto's storage unencrypted).
EXTRA_KEYS = {"storage"}


@dataclass(frozen=True)
class DeployedStack:
    """The deployment, the settings read back from it, and the app's test client on it."""

    deployment: Deployment
    settings: Settings
    session: boto3.Session
    client: Client

    def function_names(self) -> dict[str, str]:
        """Function logical id -> deployed function name."""
        return self.deployment.physical_ids("AWS::Lambda::Function")


@pytest.fixture(scope="module")
def deployed(synthesised: Synthesised) -> Iterator[DeployedStack]:
    endpoint = os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws(), serve_moto_jwks() as jwks_url, pytest.MonkeyPatch.context() as patch:
            session = boto3.Session(region_name=REGION)
            deployment = deploy(
                session,
                template=synthesised.main,
                stack_name=synthesised.main_stack.stack_name,
                outdir=synthesised.outdir,
                stage=STAGE,
            )
            environment = _function_environment(session, deployment)
            # The deployed value is "" (Cognito's own address for the pool); in-process moto
            # serves no HTTP, so its keys are published on loopback instead.
            assert environment["RS_STAFF_JWKS_URL"] == ""
            environment["RS_STAFF_JWKS_URL"] = jwks_url
            settings = Settings.from_environment(environment)
            for name in [name for name in os.environ if name.startswith("RS_")]:
                patch.delenv(name)
            for name, value in environment.items():
                patch.setenv(name, value)
            services.reset(clock=FixedClock(datetime(2026, 11, 20, 10, 30, tzinfo=UTC)))
            from app import app

            try:
                with Client(app) as client:
                    yield DeployedStack(deployment, settings, session, client)
            finally:
                services.reset()
    finally:
        if endpoint is not None:
            os.environ["AWS_ENDPOINT_URL"] = endpoint


def _function_environment(session: boto3.Session, deployment: Deployment) -> dict[str, str]:
    """The `RS_*` settings the deployed functions run with (the same for every function)."""
    lambda_ = session.client("lambda")
    environments = {
        name: lambda_.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        for name in deployment.physical_ids("AWS::Lambda::Function").values()
    }
    first: dict[str, str] = next(iter(environments.values()))
    assert all(found == first for found in environments.values()), environments
    return dict(first)


# --- the deployment -------------------------------------------------------------------------


def test_every_resource_type_is_deployed_or_stripped_for_a_named_reason(
    synthesised: Synthesised, deployed: DeployedStack
) -> None:
    kinds = {resource["Type"] for resource in synthesised.main["Resources"].values()}
    assert kinds <= set(STRIPPED_TYPES) | DEPLOYED_TYPES, sorted(
        kinds - set(STRIPPED_TYPES) - DEPLOYED_TYPES
    )
    assert all(reason for reason in STRIPPED_TYPES.values())
    # moto skips a type it cannot create with only a warning: every kept resource must exist.
    kept = {
        logical_id: resource["Type"]
        for logical_id, resource in synthesised.main["Resources"].items()
        if resource["Type"] in DEPLOYED_TYPES
    }
    created = {logical_id: kind for logical_id, (kind, _) in deployed.deployment.resources.items()}
    assert created == kept
    assert kinds & DEPLOYED_TYPES == DEPLOYED_TYPES, "a deployed type the template no longer has"
    # An output is left out only for a named reason (a new one naming a stripped resource
    # is noticed here); the rest are the stack's own.
    assert set(deployed.deployment.dropped_outputs) <= set(DROPPED_OUTPUTS)
    assert set(deployed.deployment.outputs) | set(deployed.deployment.dropped_outputs) == set(
        synthesised.main["Outputs"]
    )


def test_the_functions_name_the_pool_made_through_cognito_and_the_stacks_resources(
    synthesised: Synthesised, deployed: DeployedStack
) -> None:
    settings, deployment = deployed.settings, deployed.deployment
    (pool,) = synthesised.resources("AWS::Cognito::UserPool").values()
    cognito = deployed.session.client("cognito-idp")
    described = cognito.describe_user_pool(UserPoolId=settings.staff_pool_id)["UserPool"]
    assert described["Name"] == pool["Properties"]["UserPoolName"]
    groups = cognito.list_groups(UserPoolId=settings.staff_pool_id)["Groups"]
    assert {g["GroupName"] for g in groups} == set(RESOURCES.user_pool.groups)
    assert settings.staff_client_id == deployment.client_id
    assert deployment.outputs["UserPoolId"] == settings.staff_pool_id
    assert deployment.outputs["PortalClientId"] == settings.staff_client_id

    tables = set(deployment.physical_ids("AWS::DynamoDB::Table").values())
    queues = set(deployment.physical_ids("AWS::SQS::Queue").values())
    keys = set(deployment.physical_ids("AWS::KMS::Key").values())
    for table in RESOURCES.tables:
        assert getattr(settings, table.settings_field) in tables
    for queue in RESOURCES.queues:
        assert getattr(settings, queue.settings_field) in queues
    for key in RESOURCES.keys:
        assert getattr(settings, key.settings_field).rsplit("/", 1)[1] in keys
    assert settings.stage == STAGE
    assert settings.region == REGION


def test_every_function_runs_the_synthesised_package(
    synthesised: Synthesised, deployed: DeployedStack
) -> None:
    (package,) = synthesised.outdir.glob("asset.*.zip")
    digest = base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode()
    lambda_ = deployed.session.client("lambda")
    for name in deployed.function_names().values():
        configuration = lambda_.get_function_configuration(FunctionName=name)
        assert configuration["CodeSize"] == package.stat().st_size, name
        assert configuration["CodeSha256"] == digest, name
        assert configuration["Runtime"] == "python3.11"


# --- the API on the deployed resources ------------------------------------------------------


def call(stack: DeployedStack, method: str, path: str, token: str, body: Any = None) -> Any:
    request = getattr(stack.client.http, method)
    if body is None:
        return request(path, headers=as_staff(token))
    return request(path, headers=as_staff(token), body=json.dumps(body))


def drain(stack: DeployedStack) -> int:
    """Deliver every waiting message to the handler the stack's event source mapping names.

    Returns how many messages were delivered.
    """
    sqs, lambda_ = stack.session.client("sqs"), stack.session.client("lambda")
    wiring: dict[str, str] = {}
    for mapping in lambda_.list_event_source_mappings()["EventSourceMappings"]:
        name = mapping["FunctionArn"].rsplit(":", 1)[1]
        handler = lambda_.get_function_configuration(FunctionName=name)["Handler"]
        queue_name = mapping["EventSourceArn"].rsplit(":", 1)[1]
        wiring[sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]] = handler.split(".")[-1]
    delivered = 0
    moved = True
    while moved:
        moved = False
        for url, handler in wiring.items():
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                continue
            moved = True
            event = stack.client.events.generate_sqs_event(
                queue_name=url.rsplit("/", 1)[1], message_bodies=[m["Body"] for m in messages]
            )
            result = stack.client.lambda_.invoke(handler, event)
            assert result.payload == {"batchItemFailures": []}, result.payload
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            delivered += len(messages)
    return delivered


def test_reports_are_submitted_triaged_assigned_revealed_and_audited(
    deployed: DeployedStack,
) -> None:
    settings = deployed.settings
    seed_directory(services.staff_directory())
    create_demo_users(services.cognito(), settings.staff_pool_id)

    named = post_json(deployed.client, "/reports", named_submission())
    anonymous = post_json(deployed.client, "/reports", anonymous_submission())
    assert named.status_code == 201, named.json_body
    assert anonymous.status_code == 201, anonymous.json_body
    reference = named.json_body["reference"]
    assert PATTERN.match(reference)
    assert PATTERN.match(anonymous.json_body["reference"])
    assert anonymous.json_body["mode"] == "anonymous"
    stored = deployed.session.client("dynamodb").scan(
        TableName=physical_name(STAGE, "reports"), Select="COUNT"
    )
    assert stored["Count"] >= 2

    # Triage, then the screeners' alert, through the stack's queues and event sources.
    assert drain(deployed) >= 3
    assert any(
        email["To"] == "sam.okafor@example.ac.uk" and reference in email["Subject"]
        for email in sent_emails(settings)
    )

    screener = sign_in(settings, "ss-screener")
    queue = call(deployed, "get", "/staff/queue", screener)
    assert queue.status_code == 200, queue.json_body
    assert reference in [row["reference"] for row in queue.json_body["cases"]]
    case = call(deployed, "get", f"/staff/cases/{reference}", screener).json_body
    assert case["status"] == "awaiting_screening"
    assigned = call(
        deployed,
        "post",
        f"/staff/cases/{reference}/assignment",
        screener,
        {"advisor_id": "ss-advisor-1", "reason": "Available now", "version": case["version"]},
    )
    assert assigned.status_code == 200, assigned.json_body
    drain(deployed)
    assert sent_emails(settings)[-1]["To"] == "rhian.evans@example.ac.uk"

    advisor = sign_in(settings, "ss-advisor-1")
    mine = call(deployed, "get", "/staff/queue", advisor).json_body
    assert [row["reference"] for row in mine["cases"]] == [reference]
    revealed = call(
        deployed,
        "post",
        f"/staff/cases/{reference}/reveal",
        advisor,
        {"purpose": "To make first contact"},
    )
    assert revealed.status_code == 200, revealed.json_body
    assert revealed.json_body["contact"]["email"] == "alex.example@example.ac.uk"

    audit = call(deployed, "get", f"/staff/cases/{reference}/audit", screener)
    assert audit.status_code == 200, audit.json_body
    assert audit.json_body["verification"]["intact"] is True
    assert [entry["action"] for entry in audit.json_body["entries"]] == [
        "triage",
        "assign",
        "reveal",
    ]


# --- no drift between resources.py and the deployed stack -----------------------------------


def _key_schema(partition: str, sort: tuple[str, str] | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort[0], "KeyType": "RANGE"})
    return schema


def test_the_tables_and_indexes_are_those_of_resources_py(deployed: DeployedStack) -> None:
    dynamodb = deployed.session.client("dynamodb")
    deployed_tables = set(deployed.deployment.physical_ids("AWS::DynamoDB::Table").values())
    assert deployed_tables == {physical_name(STAGE, t.logical_name) for t in RESOURCES.tables}
    for table in RESOURCES.tables:
        described = dynamodb.describe_table(TableName=physical_name(STAGE, table.logical_name))[
            "Table"
        ]
        assert described["KeySchema"] == _key_schema(table.keys.partition[0], table.keys.sort)
        assert {
            a["AttributeName"]: a["AttributeType"] for a in described["AttributeDefinitions"]
        } == table.attribute_definitions()
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {
            index["IndexName"]: (index["KeySchema"], index["Projection"]["ProjectionType"])
            for index in described.get("GlobalSecondaryIndexes", [])
        }
        assert indexes == {
            index.name: (_key_schema(index.keys.partition[0], index.keys.sort), index.projection)
            for index in table.indexes
        }, table.logical_name
        assert not described.get("LocalSecondaryIndexes")


def test_the_queues_and_their_dead_letter_queues_are_those_of_resources_py(
    deployed: DeployedStack,
) -> None:
    sqs = deployed.session.client("sqs")
    urls = set(deployed.deployment.physical_ids("AWS::SQS::Queue").values())
    names = {url.rsplit("/", 1)[1] for url in urls}
    # The dead-letter queues are expected: resources.py names them through its Queue.
    assert names == {physical_name(STAGE, q.logical_name) for q in RESOURCES.queues} | {
        dead_letter_queue_name(STAGE, q) for q in RESOURCES.queues
    }

    def attributes(name: str) -> dict[str, str]:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        assert url in urls
        found: dict[str, str] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
            "Attributes"
        ]
        return found

    for queue in RESOURCES.queues:
        work = attributes(physical_name(STAGE, queue.logical_name))
        dead_letters = attributes(dead_letter_queue_name(STAGE, queue))
        assert int(work["VisibilityTimeout"]) == queue.visibility_timeout_seconds
        assert int(work["MessageRetentionPeriod"]) == queue.retention_seconds
        redrive = json.loads(work["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count
        assert redrive["deadLetterTargetArn"] == dead_letters["QueueArn"]
        assert int(dead_letters["MessageRetentionPeriod"]) == queue.dlq_retention_seconds
        assert "RedrivePolicy" not in dead_letters


def test_the_keys_are_those_of_resources_py(
    synthesised: Synthesised, deployed: DeployedStack
) -> None:
    """Spec and usage as KMS describes the deployed keys. moto 5.2's CloudFormation ignores
    both (every key would be symmetric); `moto_stack` makes it honour them as CloudFormation
    does, so they are also asserted on the template here."""
    kms = deployed.session.client("kms")
    key_ids = set(deployed.deployment.physical_ids("AWS::KMS::Key").values())
    aliases = set(deployed.deployment.physical_ids("AWS::KMS::Alias").values())
    expected = {key.logical_name for key in RESOURCES.keys} | EXTRA_KEYS
    assert aliases == {f"alias/{physical_name(STAGE, name)}" for name in expected}
    targets = {
        alias["AliasName"]: alias["TargetKeyId"]
        for alias in kms.list_aliases()["Aliases"]
        if alias["AliasName"] in aliases
    }
    assert set(targets.values()) == key_ids, "a key without its alias, or an alias elsewhere"
    template_keys = {
        resource["Properties"]["Description"]: resource["Properties"]
        for resource in synthesised.resources("AWS::KMS::Key").values()
    }
    for key in RESOURCES.keys:
        metadata = kms.describe_key(KeyId=f"alias/{physical_name(STAGE, key.logical_name)}")[
            "KeyMetadata"
        ]
        assert metadata["KeyId"] in key_ids
        assert metadata["Description"] == key.description
        assert (metadata["KeySpec"], metadata["KeyUsage"]) == (key.spec, key.usage)
        in_template = template_keys[key.description]
        assert (in_template["KeySpec"], in_template["KeyUsage"]) == (key.spec, key.usage)
    storage = kms.describe_key(KeyId=f"alias/{physical_name(STAGE, 'storage')}")["KeyMetadata"]
    assert (storage["KeySpec"], storage["KeyUsage"]) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")


def test_both_queues_feed_their_consumers_reporting_partial_batch_failures(
    deployed: DeployedStack,
) -> None:
    """moto keeps FunctionResponseTypes on the mapping, so it is asserted as deployed."""
    lambda_ = deployed.session.client("lambda")
    functions = deployed.function_names()
    mappings = lambda_.list_event_source_mappings()["EventSourceMappings"]
    by_function = {m["FunctionArn"].rsplit(":", 1)[1]: m for m in mappings}
    assert len(mappings) == len(by_function) == len(CONSUMERS)
    for function, queue in CONSUMERS.items():
        mapping = by_function[functions[function]]
        queue_arn = f"arn:aws:sqs:{REGION}:{CONTEXT['account']}:{physical_name(STAGE, queue)}"
        assert mapping["EventSourceArn"] == queue_arn
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["State"] == "Enabled"


def test_the_schedules_are_eventbridge_rules_at_the_apps_rates(deployed: DeployedStack) -> None:
    """Every rule is a schedule of the app's but one: Cognito's changes, recorded by
    CloudTrail, sent to the function that brings them into the staff directory."""
    events = deployed.session.client("events")
    lambda_ = deployed.session.client("lambda")
    functions = deployed.function_names()
    found: dict[str, str] = {}
    patterned: dict[str, Any] = {}
    for rule in deployed.deployment.physical_ids("AWS::Events::Rule").values():
        described = events.describe_rule(Name=rule)
        (target,) = events.list_targets_by_rule(Rule=rule)["Targets"]
        function = next(
            logical_id
            for logical_id, name in functions.items()
            if lambda_.get_function_configuration(FunctionName=name)["FunctionArn"] == target["Arn"]
        )
        assert described["State"] == "ENABLED"
        if "EventPattern" in described:
            pattern = json.loads(described["EventPattern"])
            patterned[function] = (pattern["source"], pattern["detail-type"])
        else:
            found[function] = described["ScheduleExpression"]
    assert found == SCHEDULES
    assert patterned == {
        "RecordCognitoChange": (["aws.cognito-idp"], ["AWS API Call via CloudTrail"])
    }
