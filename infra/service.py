"""The app itself: chalice's CDK construct, one role per function, and what Chalice leaves out.

`chalice.cdk.Chalice` packages the app (`chalice package`) into a SAM template and includes it.
This construct completes that template before it is included, then turns it into plain
CloudFormation with the SAM translator, so that cdk-nag, cfn-lint and moto's CloudFormation
see the real Lambda functions, event source mappings, schedules and API Gateway stage:

- each function gets its own role (built from `infra/permissions.py`), its own log group (kept
  `log_retention_days`, encrypted), a fixed name, its memory and timeout, and the settings;
- both SQS event sources read the deployed queues and report partial batch failures
  (`ReportBatchItemFailures`: Chalice never sets it, and without it one failed message
  makes Lambda retry, then dead-letter, its whole batch);
- the API is regional (CloudFront is in front), throttled per stage and on `POST /reports`,
  and writes access logs whose format has no caller IP and no user agent;
- API Gateway's own answers (a refused token, no route, throttling, its faults) are the
  app's problem shape with its security headers (`chalicelib.api.gateway_answers`);
- a staff member disabled, deleted, signed out or regrouped in Cognito itself reaches the
  staff directory: an EventBridge rule on CloudTrail's `cognito-idp` events invokes
  `RecordCognitoChange`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.api.gateway_answers import GATEWAY_ANSWERS, GATEWAY_HEADERS
from infra.config import DeploymentConfig
from infra.data import DataStores
from infra.permissions import (
    CONSUME_ACTIONS,
    EMAIL_ACTIONS,
    FUNCTIONS,
    KEY_ACTIONS,
    SEND_ACTIONS,
    TABLE_ACTIONS,
    FunctionAccess,
    KeyUse,
)
from infra.sizing import FUNCTION_MEMORY_MB

#: Seconds each function may run. A queue's visibility timeout must be at least six times
#: its consumer's timeout (AWS's advice for SQS event sources): 60 s queues, 10 s consumers.
FUNCTION_TIMEOUT_SECONDS: Mapping[str, int] = {
    "APIHandler": 29,  # API Gateway gives up after 29 s
    "StaffAuthorizer": 10,
    "OnTriageMessage": 10,
    "OnNotifyMessage": 10,
    "RedriveOutbox": 60,
    "SlaWatch": 120,
    "RetentionSweep": 600,
    "AuditCheckpoint": 300,
    "BuildInsights": 300,
    "AddStaffMember": 10,
    "ManageStaffMember": 10,
    "RecordCognitoChange": 10,
}

#: The CloudTrail events of changes made directly in Cognito that `RecordCognitoChange`
#: brings into the staff directory (`chalicelib.staff_access.record_cognito_change`).
COGNITO_CHANGES = (
    "AdminDisableUser",
    "AdminDeleteUser",
    "AdminUserGlobalSignOut",
    "GlobalSignOut",
    "AdminRemoveUserFromGroup",
    "AdminAddUserToGroup",
)

LOG_RETENTION: Mapping[int, logs.RetentionDays] = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}

#: The SQS event sources: function -> (queue logical name, its event source in the SAM template).
SQS_CONSUMERS: Mapping[str, str] = {"OnTriageMessage": "triage", "OnNotifyMessage": "notify"}

#: Access log fields: what happened and how long it took, never who asked (M1: anonymous
#: means no IP kept) nor with what browser.
ACCESS_LOG_FORMAT: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integration.error",
    "authorizerError": "$context.authorizer.error",
    "wafStatus": "$context.waf.status",
}


class AppService(Construct):
    """The Chalice app's functions and API, wired to the data stores."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        data: DataStores,
        source_dir: Path,
        environment: Mapping[str, str],
        sender_identity_arns: list[str],
        user_pool_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool_arn = user_pool_arn
        stack = cdk.Stack.of(self)
        self.config = config
        self.function_names = {name: f"{config.prefix}-{name}" for name in FUNCTIONS}
        self.log_groups = {
            name: self._log_group(f"{name}Logs", f"/aws/lambda/{function_name}", data)
            for name, function_name in self.function_names.items()
        }
        self.policies: dict[str, iam.ManagedPolicy] = {}
        self.roles = {
            name: self._role(name, access, data, sender_identity_arns, stack)
            for name, access in FUNCTIONS.items()
        }
        for key_name, use in _key_uses().items():
            for key_use, functions in use.items():
                data.allow_key_use(
                    key_name, [KEY_ACTIONS[key_use]], [self.roles[f] for f in functions]
                )
        self.access_logs = self._log_group(
            "ApiAccessLogs", f"/aws/apigateway/{config.prefix}-access", data
        )
        completion = _SamCompletion(
            roles={name: role.role_arn for name, role in self.roles.items()},
            function_names=self.function_names,
            environment=environment,
            queue_arns={
                function: data.queues[queue].queue.queue_arn
                for function, queue in SQS_CONSUMERS.items()
            },
            access_log_arn=self.access_logs.log_group_arn,
            config=config,
        )
        self.chalice = _CompletedChalice(
            self,
            "Chalice",
            source_dir=str(source_dir),
            completion=completion,
            stage_config={
                # Roles come from this construct, per function; Chalice makes none.
                "manage_iam_role": False,
                "iam_role_arn": "arn:aws:iam::000000000000:role/replaced-per-function",
                "api_gateway_endpoint_type": "REGIONAL",
                "api_gateway_stage": "api",
                "environment_variables": {},
            },
        )
        for name in FUNCTIONS:
            function = self.chalice.get_resource(name)
            # (Its role needs no explicit dependency: `Role` is a GetAtt of it; cfn-lint W3005.)
            # The SQS event source mapping is created with the function: its role must
            # already be allowed to read the queue.
            function.node.add_dependency(self.policies[name])
            function.node.add_dependency(self.log_groups[name])
        self._api_gateway_logging(config, data)
        self._cognito_change_rule(config)

    def _cognito_change_rule(self, config: DeploymentConfig) -> None:
        """CloudTrail's record of a change made in Cognito's console or CLI, to the directory.

        EventBridge sees these "AWS API Call via CloudTrail" events only while a trail logs
        the account's management events (docs/deploy.md).
        """
        function = self.chalice.get_resource("RecordCognitoChange")
        rule = events.CfnRule(
            self,
            "CognitoChangesRule",
            name=f"{config.prefix}-cognito-changes",
            description="Staff disabled, deleted, signed out or regrouped in Cognito itself",
            event_pattern={
                "source": ["aws.cognito-idp"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {
                    "eventSource": ["cognito-idp.amazonaws.com"],
                    "eventName": list(COGNITO_CHANGES),
                },
            },
            targets=[
                events.CfnRule.TargetProperty(
                    arn=function.get_att("Arn").to_string(), id="RecordCognitoChange"
                )
            ],
        )
        lambda_.CfnPermission(
            self,
            "CognitoChangesInvoke",
            action="lambda:InvokeFunction",
            function_name=function.ref,
            principal="events.amazonaws.com",
            source_arn=rule.attr_arn,
        )

    def _log_group(self, construct_id: str, name: str, data: DataStores) -> logs.LogGroup:
        """A log group kept `log_retention_days`, encrypted with the storage key, retained."""
        return logs.LogGroup(
            self,
            construct_id,
            log_group_name=name,
            retention=LOG_RETENTION[self.config.log_retention_days],
            encryption_key=data.storage_key,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _api_gateway_logging(self, config: DeploymentConfig, data: DataStores) -> None:
        """What API Gateway needs to write the stage's logs into this stack's log groups.

        API Gateway writes logs with a role set once per account and region (an
        `AWS::ApiGateway::Account`); without it the stage's logging settings fail to deploy.
        Its execution log group is made here, so it is kept `log_retention_days` and
        encrypted like the rest, rather than made by API Gateway with neither.
        """
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway writes the stage's access and execution logs",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        self.api_gateway_logs_role = role
        account = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn
        )
        self.execution_logs = self._log_group(
            "ApiExecutionLogs", f"API-Gateway-Execution-Logs_{self.rest_api_id}/api", data
        )
        stage = self.chalice.get_resource("RestAPIapiStage")
        stage.node.add_dependency(account)
        stage.node.add_dependency(self.execution_logs)

    @property
    def rest_api_id(self) -> str:
        """The REST API's id (a token)."""
        return str(self.chalice.get_resource("RestAPI").ref)

    def _role(
        self,
        name: str,
        access: FunctionAccess,
        data: DataStores,
        sender_identity_arns: list[str],
        stack: cdk.Stack,
    ) -> iam.Role:
        role = iam.Role(
            self,
            f"{name}Role",
            role_name=f"{self.config.prefix}-{name}",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: {access.purpose}",
        )
        statements = [
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                # Log streams are named by Lambda as it runs: the one wildcard, inside the
                # function's own log group.
                resources=[
                    f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:"
                    f"/aws/lambda/{self.function_names[name]}:log-stream:*"
                ],
            )
        ]
        for table, use in access.tables.items():
            statements.append(
                iam.PolicyStatement(
                    sid=f"{use.title().replace('_', '')}{_pascal(table)}Table",
                    actions=list(TABLE_ACTIONS[use]),
                    resources=data.table_resources(table),
                )
            )
        for key, uses in access.keys.items():
            statements.append(
                iam.PolicyStatement(
                    sid=f"{''.join(u.title() for u in uses)}With{_pascal(key)}Key",
                    actions=[KEY_ACTIONS[use] for use in uses],
                    resources=[data.keys[key].key_arn],
                )
            )
        if access.sends_to:
            statements.append(
                iam.PolicyStatement(
                    sid="SendToQueues",
                    actions=list(SEND_ACTIONS),
                    resources=[data.queues[q].queue.queue_arn for q in access.sends_to],
                )
            )
        if access.consumes:
            statements.append(
                iam.PolicyStatement(
                    sid="ConsumeQueue",
                    actions=list(CONSUME_ACTIONS),
                    resources=[data.queues[access.consumes].queue.queue_arn],
                )
            )
        if access.sends_to or access.consumes:
            # Queues are encrypted at rest: SQS uses the storage key on the caller's behalf.
            statements.append(
                iam.PolicyStatement(
                    sid="QueueEncryptionThroughSqs",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[data.storage_key.key_arn],
                    conditions={
                        "StringEquals": {"kms:ViaService": f"sqs.{stack.region}.amazonaws.com"}
                    },
                )
            )
        if access.user_pool:
            statements.append(
                iam.PolicyStatement(
                    sid="KeepTheStaffPoolInStep",
                    actions=list(access.user_pool),
                    resources=[self.user_pool_arn],
                )
            )
        if access.sends_email:
            statements.append(
                iam.PolicyStatement(
                    sid="SendEmailFromTheSender",
                    actions=list(EMAIL_ACTIONS),
                    resources=sender_identity_arns,
                )
            )
        # A customer-managed policy (not inline): one named, versioned document per function.
        policy = iam.ManagedPolicy(
            self,
            f"{name}Policy",
            managed_policy_name=f"{self.config.prefix}-{name}",
            description=f"What {name} may do (infra/permissions.py)",
            statements=statements,
        )
        # Attached from the policy's side: the role must not depend on the policy, because the
        # key policies name the roles and the role policies name the keys.
        policy.attach_to_role(role)
        self.policies[name] = policy
        return role


def _key_uses() -> dict[str, dict[KeyUse, list[str]]]:
    """Key -> use -> the functions allowed it, from the permissions table."""
    found: dict[str, dict[KeyUse, list[str]]] = {}
    for function, access in FUNCTIONS.items():
        for key, uses in access.keys.items():
            for use in uses:
                found.setdefault(key, {}).setdefault(use, []).append(function)
    return found


class _SamCompletion:
    """Fills in what `chalice package` leaves out of the SAM template (see module docstring)."""

    def __init__(
        self,
        *,
        roles: Mapping[str, str],
        function_names: Mapping[str, str],
        environment: Mapping[str, str],
        queue_arns: Mapping[str, str],
        access_log_arn: str,
        config: DeploymentConfig,
    ) -> None:
        self.roles = roles
        self.function_names = function_names
        self.environment = environment
        self.queue_arns = queue_arns
        self.access_log_arn = access_log_arn
        self.config = config

    def apply(self, template: dict[str, Any]) -> dict[str, Any]:
        resources = template["Resources"]
        functions = {
            name: resource
            for name, resource in resources.items()
            if resource["Type"] == "AWS::Serverless::Function"
        }
        if set(functions) != set(FUNCTIONS):
            raise ValueError(
                "the app's functions and infra/permissions.py differ: "
                f"app has {sorted(functions)}, permissions has {sorted(FUNCTIONS)}"
            )
        for name, function in functions.items():
            properties = function["Properties"]
            properties["FunctionName"] = self.function_names[name]
            properties["Role"] = self.roles[name]
            properties["MemorySize"] = FUNCTION_MEMORY_MB[name]
            properties["Timeout"] = FUNCTION_TIMEOUT_SECONDS[name]
            properties["Environment"] = {"Variables": dict(self.environment)}
            # Text: the app's lines are already JSON (powertools); Lambda passes them as they are.
            properties["LoggingConfig"] = {
                "LogFormat": "Text",
                "LogGroup": f"/aws/lambda/{self.function_names[name]}",
            }
            properties.pop("Tags", None)
            properties["Tags"] = {"app": "report-support", "stage": self.config.stage}
        for name, queue_arn in self.queue_arns.items():
            events = functions[name]["Properties"]["Events"]
            (source,) = events.values()
            source["Properties"].update(
                {
                    "Queue": queue_arn,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "MaximumBatchingWindowInSeconds": 1,
                }
            )
        api = resources["RestAPI"]["Properties"]
        api["MethodSettings"] = [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": self.config.api_rate_limit,
                "ThrottlingBurstLimit": self.config.api_burst_limit,
                "MetricsEnabled": True,
                "LoggingLevel": "ERROR",
                "DataTraceEnabled": False,
            },
            {
                # The public intake: a tenth of the stage's rate, whatever WAF lets through.
                "ResourcePath": "/reports",
                "HttpMethod": "POST",
                "ThrottlingRateLimit": max(1.0, self.config.api_rate_limit / 10),
                "ThrottlingBurstLimit": max(1, self.config.api_burst_limit // 10),
                "MetricsEnabled": True,
                "LoggingLevel": "ERROR",
                "DataTraceEnabled": False,
            },
        ]
        api["AccessLogSetting"] = {
            "DestinationArn": self.access_log_arn,
            "Format": json.dumps(dict(ACCESS_LOG_FORMAT), separators=(",", ":")),
        }
        api["TracingEnabled"] = False
        api["GatewayResponses"] = gateway_responses()
        return template


def gateway_responses() -> dict[str, Any]:
    """API Gateway's own answers as the app's problems, with the app's headers (SAM's form).

    A refused token, no route, throttling and the gateway's faults never reach the app, so
    its middleware cannot add the security headers to them. Set on the API's definition (not
    as separate resources) so that changing one redeploys the stage.
    """
    return {
        answer.response_type: {
            **({"StatusCode": str(answer.status)} if answer.status else {}),
            "ResponseParameters": {
                # API Gateway's header values are expressions: a literal is single-quoted.
                "Headers": {name: f"'{value}'" for name, value in GATEWAY_HEADERS.items()}
            },
            "ResponseTemplates": {"application/json": answer.body()},
        }
        for answer in GATEWAY_ANSWERS
    }


class _CompletedChalice(Chalice):
    """chalice.cdk.Chalice, with the SAM template completed and translated before inclusion."""

    def __init__(
        self, scope: Construct, construct_id: str, *, completion: _SamCompletion, **kwargs: Any
    ) -> None:
        self._completion = completion
        super().__init__(scope, construct_id, **kwargs)

    def _generate_sam_template_with_assets(self, chalice_out_dir: str, package_id: str) -> str:
        path = Path(super()._generate_sam_template_with_assets(chalice_out_dir, package_id))
        template = self._completion.apply(json.loads(path.read_text()))
        translated = translate_sam(template, cdk.Stack.of(self).region)
        out = path.with_name(f"{package_id}.cloudformation.json")
        out.write_text(json.dumps(translated, indent=1))
        return str(out)


def translate_sam(template: dict[str, Any], region: str) -> dict[str, Any]:
    """SAM -> CloudFormation, offline (no managed policies are looked up: roles are ours)."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    translated: dict[str, Any] = translator.translate(
        template,
        parameter_values={},
        get_managed_policy_map=_NoManagedPolicies().load,
    )
    return translated


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))
