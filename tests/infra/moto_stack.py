"""Deploy the synthesised main template into moto's CloudFormation, in process.

moto (5.2) creates tables, queues, keys, roles, functions, event source mappings, rules,
buckets and topics from a template, and skips every type it has no model for with a warning.
So the types it cannot create are stripped here on purpose (`STRIPPED_TYPES`, each with its
reason), and the template is refused if it holds a type in neither list: a new kind of
resource is noticed, not silently left out. What the local stack creates through an API
instead (the staff user pool, the email sender) is created the same way here, and every
`Ref` to it in the remaining resources is replaced by the real id.

Call `deploy` inside `moto.mock_aws`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import boto3

from chalicelib.resources import RESOURCES
from devstack.aws import LOCAL_ACCOUNT_ID
from devstack.provision import create_user_pool, verify_sender

#: Types moto's CloudFormation cannot create, and why. The properties that matter for each
#: are asserted on the synthesised template by the other infra tests.
STRIPPED_TYPES: Mapping[str, str] = {
    "AWS::Cognito::UserPool": "no moto model; made through Cognito's API as the local stack does",
    "AWS::Cognito::UserPoolClient": "no moto model; created with the pool (devstack.provision)",
    "AWS::Cognito::UserPoolGroup": "no moto model; the groups are created with the pool",
    "AWS::Cognito::UserPoolDomain": "no moto model; the hosted sign-in has no moto counterpart",
    "AWS::SES::EmailIdentity": "no moto model; the sender is verified through SESv2's API",
    "AWS::SES::ConfigurationSet": "no moto model; created through SESv2's API",
    "AWS::CloudFront::Distribution": "no moto model (the web front is asserted on the template)",
    "AWS::CloudFront::Function": "no moto model",
    "AWS::CloudFront::OriginAccessControl": "no moto model",
    "AWS::CloudFront::ResponseHeadersPolicy": "no moto model",
    "AWS::CloudWatch::Alarm": "no moto model in moto's CloudFormation",
    "AWS::Logs::MetricFilter": "no moto model in moto's CloudFormation",
    "AWS::SNS::Subscription": "no moto model (the alarm email subscription)",
    "AWS::SNS::TopicPolicy": "no moto model",
    "AWS::SQS::QueuePolicy": "no moto model (the TLS-only queue policies)",
    "AWS::S3::BucketPolicy": "no moto model (the site bucket's policy)",
    "AWS::ApiGateway::Deployment": (
        "moto's RestApi ignores the OpenAPI Body, so the API has no methods and moto refuses "
        "the deployment ('The REST API doesn't contain any methods')"
    ),
    "AWS::ApiGateway::Stage": "no moto model (and no deployment to stage)",
    "AWS::ApiGateway::Account": "no moto model (the account-wide logging role setting)",
}

#: Types moto's CloudFormation creates from this template.
DEPLOYED_TYPES: frozenset[str] = frozenset(
    {
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::Logs::LogGroup",
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Events::Rule",
        "AWS::ApiGateway::RestApi",
        "AWS::S3::Bucket",
        "AWS::SNS::Topic",
    }
)


@dataclass(frozen=True)
class Deployment:
    """A stack moto created, and what was left out of it."""

    stack_name: str
    #: The template as deployed (stripped and substituted).
    template: dict[str, Any]
    #: Logical id -> (type, physical id), as moto's CloudFormation lists them.
    resources: dict[str, tuple[str, str]]
    #: Logical id -> type of every resource stripped before deployment.
    stripped: dict[str, str]
    #: Outputs left out because they name a stripped resource that has no stand-in.
    dropped_outputs: tuple[str, ...]
    outputs: dict[str, str]
    pool_id: str
    client_id: str

    def physical_ids(self, kind: str) -> dict[str, str]:
        """Logical id -> physical id of every deployed resource of this type."""
        return {
            logical_id: physical_id
            for logical_id, (found, physical_id) in self.resources.items()
            if found == kind
        }


class UnresolvedReference(ValueError):
    """A deployed resource refers to a stripped one that has no stand-in."""


def deploy(
    session: boto3.Session,
    *,
    template: dict[str, Any],
    stack_name: str,
    outdir: Path,
    stage: str,
) -> Deployment:
    """Upload the stack's assets, create what moto cannot, and create the stack."""
    unknown = {r["Type"] for r in template["Resources"].values()} - (
        set(STRIPPED_TYPES) | DEPLOYED_TYPES
    )
    if unknown:
        raise ValueError(f"resource types neither deployed nor stripped: {sorted(unknown)}")
    upload_assets(session, outdir / f"{stack_name}.assets.json")
    stripped = {
        logical_id: resource["Type"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in STRIPPED_TYPES
    }
    stand_ins = _create_outside_the_stack(session, template, stripped, stage)
    deployable, dropped = deployable_template(template, stripped, stand_ins)
    cloudformation = session.client("cloudformation")
    with _moto_creates_keys_as_cloudformation_does():
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(deployable),
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"{stack_name}: {stack['StackStatus']} {stack.get('StackStatusReason')}")
    summaries = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name)
    created = {
        summary["LogicalResourceId"]: (summary["ResourceType"], summary["PhysicalResourceId"])
        for page in summaries
        for summary in page["StackResourceSummaries"]
    }
    pool_type, client_type = "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"
    return Deployment(
        stack_name=stack_name,
        template=deployable,
        resources=created,
        stripped=stripped,
        dropped_outputs=dropped,
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        pool_id=next(stand_ins[k] for k, t in stripped.items() if t == pool_type),
        client_id=next(stand_ins[k] for k, t in stripped.items() if t == client_type),
    )


def upload_assets(session: boto3.Session, manifest: Path) -> None:
    """Put every file asset where the template expects it (CDK's asset bucket, made here)."""
    s3 = session.client("s3")
    files: dict[str, Any] = json.loads(manifest.read_text())["files"]
    for asset in files.values():
        source = manifest.parent / asset["source"]["path"]
        if asset["source"].get("packaging") != "file" or not source.is_file():
            raise ValueError(f"unexpected asset {asset['source']}")
        for destination in asset["destinations"].values():
            bucket = destination["bucketName"]
            if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
                s3.create_bucket(
                    Bucket=bucket,
                    CreateBucketConfiguration={"LocationConstraint": destination["region"]},
                )
            s3.upload_file(str(source), bucket, destination["objectKey"])


def _create_outside_the_stack(
    session: boto3.Session, template: dict[str, Any], stripped: dict[str, str], stage: str
) -> dict[str, str]:
    """The user pool, its client and the email sender, made as the local stack makes them;
    logical id -> the value a `Ref` to it would have, and "<logical id>.<attribute>" -> the
    value of a `Fn::GetAtt` of it (the pool's ARN, which the staff functions' policies name)."""
    resources = template["Resources"]
    pool_id, client_id = create_user_pool(session.client("cognito-idp"), RESOURCES.user_pool, stage)
    sesv2 = session.client("sesv2")
    stand_ins: dict[str, str] = {}
    for logical_id, kind in stripped.items():
        properties = resources[logical_id].get("Properties", {})
        if kind == "AWS::Cognito::UserPool":
            stand_ins[logical_id] = pool_id
            stand_ins[f"{logical_id}.Arn"] = (
                f"arn:aws:cognito-idp:{session.region_name}:{LOCAL_ACCOUNT_ID}:userpool/{pool_id}"
            )
        elif kind == "AWS::Cognito::UserPoolClient":
            stand_ins[logical_id] = client_id
        elif kind == "AWS::SES::EmailIdentity":
            verify_sender(sesv2, properties["EmailIdentity"])
            stand_ins[logical_id] = properties["EmailIdentity"]
        elif kind == "AWS::SES::ConfigurationSet":
            sesv2.create_configuration_set(ConfigurationSetName=properties["Name"])
            stand_ins[logical_id] = properties["Name"]
    return stand_ins


def deployable_template(
    template: dict[str, Any], stripped: Mapping[str, str], stand_ins: Mapping[str, str]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The template without the stripped resources, references to them replaced by their
    stand-ins; and the outputs dropped because they name a stripped resource without one.

    Raises `UnresolvedReference` if a remaining resource needs a stripped one that has none.
    moto's CloudFormation also needs the REST API's name, which CloudFormation takes from the
    OpenAPI body's title when none is given.
    """
    resources: dict[str, Any] = {}
    for logical_id, resource in template["Resources"].items():
        if logical_id in stripped:
            continue
        try:
            kept = _substitute(resource, stripped, stand_ins)
        except UnresolvedReference as error:
            raise UnresolvedReference(f"{logical_id} refers to stripped {error}") from None
        depends = kept.get("DependsOn")
        if depends is not None:
            names = [depends] if isinstance(depends, str) else depends
            kept["DependsOn"] = [name for name in names if name not in stripped]
        if kept["Type"] == "AWS::ApiGateway::RestApi" and "Name" not in kept["Properties"]:
            kept["Properties"]["Name"] = kept["Properties"]["Body"]["info"]["title"]
        resources[logical_id] = kept
    outputs: dict[str, Any] = {}
    dropped: list[str] = []
    for name, output in template.get("Outputs", {}).items():
        try:
            outputs[name] = _substitute(output, stripped, stand_ins)
        except UnresolvedReference:
            dropped.append(name)
    deployable = dict(template) | {"Resources": resources, "Outputs": outputs}
    return deployable, tuple(dropped)


_SUB_NAME = re.compile(r"\$\{([^}!.]+)(\.[^}]+)?\}")


def _substitute(node: Any, stripped: Mapping[str, str], stand_ins: Mapping[str, str]) -> Any:
    if isinstance(node, list):
        return [_substitute(item, stripped, stand_ins) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"} and node["Ref"] in stripped:
        if node["Ref"] not in stand_ins:
            raise UnresolvedReference(node["Ref"])
        return stand_ins[node["Ref"]]
    if set(node) == {"Fn::GetAtt"}:
        target = node["Fn::GetAtt"]
        name, attribute = target if isinstance(target, list) else str(target).split(".", 1)
        if name in stripped:
            if f"{name}.{attribute}" not in stand_ins:
                raise UnresolvedReference(f"{name} (Fn::GetAtt)")
            return stand_ins[f"{name}.{attribute}"]
    if set(node) == {"Fn::Sub"}:
        text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]

        def replace(match: re.Match[str]) -> str:
            name, attribute = match.group(1), match.group(2)
            if name not in stripped:
                return match.group(0)
            key = name + (attribute or "")
            if key not in stand_ins:
                raise UnresolvedReference(f"{name} (Fn::Sub)")
            return stand_ins[key]

        replaced = _SUB_NAME.sub(replace, text)
        if isinstance(node["Fn::Sub"], str):
            return {"Fn::Sub": replaced}
        return {"Fn::Sub": [replaced, _substitute(node["Fn::Sub"][1], stripped, stand_ins)]}
    return {key: _substitute(value, stripped, stand_ins) for key, value in node.items()}


@contextlib.contextmanager
def _moto_creates_keys_as_cloudformation_does() -> Iterator[None]:
    """Two gaps in moto 5.2's AWS::KMS::Key, closed while the stack is created: it makes every
    key a symmetric encryption key, ignoring `KeySpec` and `KeyUsage` (so the HMAC keys could
    not GenerateMac), and it keeps `KeyPolicy` as a dict where its KMS expects the JSON text
    (DescribeKey then fails with a TypeError). CloudFormation honours both properties."""
    from moto.kms.models import Key, kms_backends

    def create(
        cls: type[Key],
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Key:
        properties = cloudformation_json["Properties"]
        key = kms_backends[account_id][region_name].create_key(
            policy=json.dumps(properties["KeyPolicy"]),
            key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=properties.get("Description"),
            tags=properties.get("Tags", []),
        )
        key.key_rotation_status = properties.get("EnableKeyRotation", False)
        key.enabled = properties.get("Enabled", True)
        return key

    with mock.patch.object(Key, "create_from_cloudformation_json", classmethod(create)):
        yield
