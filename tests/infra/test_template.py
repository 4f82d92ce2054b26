"""What a deployment would create, read from the synthesised templates (aws_cdk.assertions).

Each expectation is written out here: the table names, the public routes, the schedules, the
one role that may open demographics. A change to the stack that breaks one fails offline,
before anything is deployed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import assertions
from aws_cdk import aws_s3 as s3

from chalicelib.resources import RESOURCES
from tests.infra.conftest import Synthesised

pytestmark = pytest.mark.infra


def _template(synthesised: Synthesised) -> assertions.Template:
    return assertions.Template.from_json(synthesised.main)


def _logical_id(synthesised: Synthesised, kind: str, **properties: Any) -> str:
    matches = [
        logical_id
        for logical_id, resource in synthesised.resources(kind).items()
        if all(resource["Properties"].get(k) == v for k, v in properties.items())
    ]
    assert len(matches) == 1, (kind, properties, matches)
    return matches[0]


def _storage_key(synthesised: Synthesised) -> str:
    return _logical_id(
        synthesised,
        "AWS::KMS::Key",
        Description="Encrypts the tables, queues, logs and alarm topic at rest",
    )


# --- tables, queues, keys ---------------------------------------------------------------------


def test_every_table_is_on_demand_encrypted_with_the_storage_key_recoverable_and_protected(
    synthesised: Synthesised,
) -> None:
    tables = synthesised.resources("AWS::DynamoDB::Table")
    assert {t["Properties"]["TableName"] for t in tables.values()} == {
        "report-support-ci-reports",
        "report-support-ci-demographics",
        "report-support-ci-staff",
        "report-support-ci-notifications",
        "report-support-ci-insights",
        "report-support-ci-rights",
        "report-support-ci-admin",
    }
    storage_key = _storage_key(synthesised)
    for table in tables.values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["SSESpecification"] == {
            "KMSMasterKeyId": {"Fn::GetAtt": [storage_key, "Arn"]},
            "SSEEnabled": True,
            "SSEType": "KMS",
        }
        assert properties["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }
        assert properties["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"


def test_tables_and_indexes_are_exactly_those_resources_py_defines(
    synthesised: Synthesised,
) -> None:
    # Given the one definition the local stack provisions from
    expected = {
        f"report-support-ci-{table.logical_name}": {
            "keys": [table.keys.partition[0], *([table.keys.sort[0]] if table.keys.sort else [])],
            "indexes": {
                index.name: (
                    [index.keys.partition[0], *([index.keys.sort[0]] if index.keys.sort else [])],
                    index.projection,
                )
                for index in table.indexes
            },
        }
        for table in RESOURCES.tables
    }
    # When the template is read back
    found = {}
    for table in synthesised.resources("AWS::DynamoDB::Table").values():
        properties = table["Properties"]
        found[properties["TableName"]] = {
            "keys": [k["AttributeName"] for k in properties["KeySchema"]],
            "indexes": {
                index["IndexName"]: (
                    [k["AttributeName"] for k in index["KeySchema"]],
                    index["Projection"]["ProjectionType"],
                )
                for index in properties.get("GlobalSecondaryIndexes", [])
            },
        }
    # Then they agree table for table, index for index
    assert found == expected
    # (and the sparse indexes the app relies on are among them)
    reports = found["report-support-ci-reports"]["indexes"]
    assert {"retention_due", "retention_log", "insight_pending", "sla_watch"} <= set(reports)


def test_every_queue_has_a_dead_letter_queue_and_is_encrypted_with_the_storage_key(
    synthesised: Synthesised,
) -> None:
    queues = synthesised.resources("AWS::SQS::Queue")
    by_name = {q["Properties"]["QueueName"]: (lid, q["Properties"]) for lid, q in queues.items()}
    assert set(by_name) == {
        "report-support-ci-triage",
        "report-support-ci-triage-dlq",
        "report-support-ci-notify",
        "report-support-ci-notify-dlq",
    }
    storage_key = _storage_key(synthesised)
    for name, (_, properties) in by_name.items():
        assert properties["KmsMasterKeyId"] == {"Fn::GetAtt": [storage_key, "Arn"]}, name
    for name in ("report-support-ci-triage", "report-support-ci-notify"):
        redrive = by_name[name][1]["RedrivePolicy"]
        dead_letters = by_name[f"{name}-dlq"][0]
        assert redrive == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
            "maxReceiveCount": 5,
        }
        assert by_name[name][1]["VisibilityTimeout"] == 60


def test_the_four_app_keys_and_the_storage_key_are_retained_and_rotate_where_kms_allows(
    synthesised: Synthesised,
) -> None:
    aliases = {
        a["Properties"]["AliasName"]: a["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
        for a in synthesised.resources("AWS::KMS::Alias").values()
    }
    assert set(aliases) == {
        "alias/report-support-ci-identity",
        "alias/report-support-ci-insight",
        "alias/report-support-ci-blind-index",
        "alias/report-support-ci-audit",
        "alias/report-support-ci-storage",
    }
    keys = synthesised.resources("AWS::KMS::Key")
    expected = {
        # alias: (spec, usage, rotation)
        "identity": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
        "insight": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
        "blind-index": ("HMAC_256", "GENERATE_VERIFY_MAC", False),
        "audit": ("HMAC_256", "GENERATE_VERIFY_MAC", False),
        "storage": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
    }
    for name, (spec, usage, rotation) in expected.items():
        key = keys[aliases[f"alias/report-support-ci-{name}"]]
        properties = key["Properties"]
        assert properties.get("KeySpec", "SYMMETRIC_DEFAULT") == spec, name
        assert properties.get("KeyUsage", "ENCRYPT_DECRYPT") == usage, name
        assert bool(properties.get("EnableKeyRotation", False)) is rotation, name
        assert key["DeletionPolicy"] == "Retain", name


# --- least privilege --------------------------------------------------------------------------


def _policy_statements(synthesised: Synthesised) -> dict[str, list[dict[str, Any]]]:
    """Role logical id -> every statement of its managed policies."""
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in synthesised.resources("AWS::IAM::ManagedPolicy").values():
        for role in policy["Properties"]["Roles"]:
            found.setdefault(role["Ref"], []).extend(
                policy["Properties"]["PolicyDocument"]["Statement"]
            )
    return found


def _role_of(synthesised: Synthesised, function: str) -> str:
    role = synthesised.main["Resources"][function]["Properties"]["Role"]
    return str(role["Fn::GetAtt"][0])


def _key_of(synthesised: Synthesised, name: str) -> str:
    for alias in synthesised.resources("AWS::KMS::Alias").values():
        if alias["Properties"]["AliasName"] == f"alias/report-support-ci-{name}":
            return str(alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0])
    raise AssertionError(name)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _roles_allowed(synthesised: Synthesised, action: str, key: str) -> set[str]:
    """Functions whose role policy allows `action` on this key."""
    key_arn = {"Fn::GetAtt": [_key_of(synthesised, key), "Arn"]}
    statements = _policy_statements(synthesised)
    return {
        function
        for function in synthesised.resources("AWS::Lambda::Function")
        for statement in statements.get(_role_of(synthesised, function), [])
        if action in _as_list(statement["Action"])
        and key_arn in _as_list(statement["Resource"])
        and "Condition" not in statement
    }


def _key_policy_principals(synthesised: Synthesised, key: str, action: str) -> set[str]:
    """Role logical ids the key's own policy names for `action`."""
    policy = synthesised.main["Resources"][_key_of(synthesised, key)]["Properties"]["KeyPolicy"]
    found = set()
    for statement in policy["Statement"]:
        if action in _as_list(statement["Action"]):
            for principal in _as_list(statement["Principal"].get("AWS", [])):
                if isinstance(principal, dict) and "Fn::GetAtt" in principal:
                    found.add(principal["Fn::GetAtt"][0])
    return found


def test_only_the_insights_job_may_open_demographics(synthesised: Synthesised) -> None:
    assert _roles_allowed(synthesised, "kms:Decrypt", "insight") == {"BuildInsights"}
    assert _key_policy_principals(synthesised, "insight", "kms:Decrypt") == {
        _role_of(synthesised, "BuildInsights")
    }
    # and the API may only seal them
    assert _roles_allowed(synthesised, "kms:GenerateDataKey", "insight") == {"APIHandler"}


def test_only_functions_that_show_or_change_personal_data_may_open_the_identity_key(
    synthesised: Synthesised,
) -> None:
    assert _roles_allowed(synthesised, "kms:Decrypt", "identity") == {
        "APIHandler",  # staff reveal a reporter's contact details
        "OnNotifyMessage",  # staff email addresses are sealed
    }
    assert _key_policy_principals(synthesised, "identity", "kms:Decrypt") == {
        _role_of(synthesised, "APIHandler"),
        _role_of(synthesised, "OnNotifyMessage"),
    }
    # sealing: intake and case work, and ops' function that adds staff to the directory
    assert _roles_allowed(synthesised, "kms:GenerateDataKey", "identity") == {
        "APIHandler",
        "AddStaffMember",
    }


def test_the_audit_key_signs_only_for_functions_that_write_or_verify_audit_entries(
    synthesised: Synthesised,
) -> None:
    assert _roles_allowed(synthesised, "kms:GenerateMac", "audit") == {
        "APIHandler",
        "OnTriageMessage",
        "RetentionSweep",
        "AuditCheckpoint",
    }
    assert _roles_allowed(synthesised, "kms:GenerateMac", "blind-index") == {"APIHandler"}


def test_no_role_has_a_wildcard_but_its_own_log_streams(synthesised: Synthesised) -> None:
    own_log_streams = re.compile(
        r"^arn:\$\{AWS::Partition\}:logs:eu-west-2:123456789012:log-group:"
        r"/aws/lambda/report-support-ci-(\w+):log-stream:\*$"
    )
    checked = 0
    for role, statements in _policy_statements(synthesised).items():
        for statement in statements:
            for action in _as_list(statement["Action"]):
                assert "*" not in action, (role, action)
                assert not action.startswith(("kms:ReEncrypt", "dynamodb:Scan")), (role, action)
            for resource in _as_list(statement["Resource"]):
                text = json.dumps(resource)
                if "*" in text:
                    joined = "".join(
                        part if isinstance(part, str) else "${AWS::Partition}"
                        for part in resource["Fn::Join"][1]
                    )
                    match = own_log_streams.match(joined)
                    assert match, (role, text)
                    checked += 1
    # the one wildcard each function has is checked: twelve functions, twelve log groups
    assert checked == 12


def test_the_authorizer_may_only_write_its_logs(synthesised: Synthesised) -> None:
    statements = _policy_statements(synthesised)[_role_of(synthesised, "StaffAuthorizer")]
    assert [s["Sid"] for s in statements] == ["WriteOwnLogs"]


# --- functions, queues and schedules ----------------------------------------------------------


def test_both_queue_consumers_report_partial_batch_failures(synthesised: Synthesised) -> None:
    mappings = synthesised.resources("AWS::Lambda::EventSourceMapping")
    found = {
        m["Properties"]["FunctionName"]["Ref"]: (
            m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0],
            m["Properties"]["FunctionResponseTypes"],
        )
        for m in mappings.values()
    }
    queues = {
        q["Properties"]["QueueName"]: lid
        for lid, q in synthesised.resources("AWS::SQS::Queue").items()
    }
    assert found == {
        "OnTriageMessage": (queues["report-support-ci-triage"], ["ReportBatchItemFailures"]),
        "OnNotifyMessage": (queues["report-support-ci-notify"], ["ReportBatchItemFailures"]),
    }


def test_queue_visibility_is_at_least_six_times_its_consumers_timeout(
    synthesised: Synthesised,
) -> None:
    functions = synthesised.resources("AWS::Lambda::Function")
    for consumer in ("OnTriageMessage", "OnNotifyMessage"):
        assert functions[consumer]["Properties"]["Timeout"] * 6 <= 60, consumer


def test_functions_are_sized_from_measurement_not_left_at_128_mb(
    synthesised: Synthesised,
) -> None:
    functions = synthesised.resources("AWS::Lambda::Function")
    assert len(functions) == 12
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["MemorySize"] > 128, name
        assert properties["Runtime"] == "python3.11", name
        assert properties["FunctionName"] == f"report-support-ci-{name}"
        assert properties["LoggingConfig"]["LogGroup"] == f"/aws/lambda/report-support-ci-{name}"


def test_the_schedules_are_app_py_s(synthesised: Synthesised) -> None:
    rules = synthesised.resources("AWS::Events::Rule")
    found = {
        rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]: rule["Properties"][
            "ScheduleExpression"
        ]
        for rule in rules.values()
        if "ScheduleExpression" in rule["Properties"]
    }
    assert found == {
        "RedriveOutbox": "rate(5 minutes)",
        "SlaWatch": "rate(15 minutes)",
        "BuildInsights": "rate(15 minutes)",
        "RetentionSweep": "rate(1 day)",
        "AuditCheckpoint": "rate(1 hour)",
    }


def test_changes_made_in_cognito_itself_reach_the_directory(synthesised: Synthesised) -> None:
    # CloudTrail's record of each way to end or change access in Cognito's console or CLI
    (rule,) = (
        rule["Properties"]
        for rule in synthesised.resources("AWS::Events::Rule").values()
        if "EventPattern" in rule["Properties"]
    )
    assert rule["EventPattern"] == {
        "source": ["aws.cognito-idp"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["cognito-idp.amazonaws.com"],
            "eventName": [
                "AdminDisableUser",
                "AdminDeleteUser",
                "AdminUserGlobalSignOut",
                "GlobalSignOut",
                "AdminRemoveUserFromGroup",
                "AdminAddUserToGroup",
            ],
        },
    }
    # goes to the function that records it, which EventBridge (and nothing else) may invoke
    assert [target["Arn"]["Fn::GetAtt"][0] for target in rule["Targets"]] == ["RecordCognitoChange"]
    invokers = {
        permission["Properties"]["FunctionName"]["Ref"]: permission["Properties"]["Principal"]
        for permission in synthesised.resources("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"].get("Ref")
        in ("RecordCognitoChange", "ManageStaffMember")
    }
    assert invokers == {"RecordCognitoChange": "events.amazonaws.com"}


def test_only_the_staff_functions_may_change_the_staff_pool(synthesised: Synthesised) -> None:
    pool_actions = {
        role: sorted(
            action
            for statement in statements
            for action in _as_list(statement["Action"])
            if action.startswith("cognito-idp:")
        )
        for role, statements in _policy_statements(synthesised).items()
    }
    assert {role: actions for role, actions in pool_actions.items() if actions} == {
        _role_of(synthesised, "ManageStaffMember"): [
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminRemoveUserFromGroup",
            "cognito-idp:AdminUserGlobalSignOut",
        ],
        _role_of(synthesised, "RecordCognitoChange"): ["cognito-idp:ListUsers"],
        # The admins' staff directory, through the API (`chalicelib.staff_admin`).
        _role_of(synthesised, "APIHandler"): [
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminRemoveUserFromGroup",
            "cognito-idp:AdminUpdateUserAttributes",
        ],
    }


def test_functions_get_the_settings_naming_this_stacks_resources(
    synthesised: Synthesised,
) -> None:
    variables = synthesised.main["Resources"]["APIHandler"]["Properties"]["Environment"][
        "Variables"
    ]
    reports = _logical_id(
        synthesised, "AWS::DynamoDB::Table", TableName="report-support-ci-reports"
    )
    assert variables["RS_REPORTS_TABLE"] == {"Ref": reports}
    assert variables["RS_IDENTITY_KEY_ARN"] == {
        "Fn::GetAtt": [_key_of(synthesised, "identity"), "Arn"]
    }
    assert variables["RS_PORTAL_URL"] == "https://report.example.ac.uk/portal/"
    assert variables["RS_REGION"] == "eu-west-2"


# --- the API ----------------------------------------------------------------------------------

PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/form"),
    ("POST", "/reports"),
    ("POST", "/reports/follow-up"),
    ("POST", "/reports/follow-up/messages"),
}


def test_every_staff_route_is_behind_the_authorizer_and_the_public_ones_are_not(
    synthesised: Synthesised,
) -> None:
    (api,) = synthesised.resources("AWS::ApiGateway::RestApi").values()
    routes = {
        (method.upper(), path): bool(operation.get("security"))
        for path, methods in api["Properties"]["Body"]["paths"].items()
        for method, operation in methods.items()
    }
    public = {route for route, guarded in routes.items() if not guarded}
    assert public == PUBLIC_ROUTES
    staff = {route for route, guarded in routes.items() if guarded}
    assert ("POST", "/staff/cases/{reference}/reveal") in staff
    assert all(path.startswith("/staff/") for _, path in staff)
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_the_api_is_throttled_and_its_access_log_keeps_no_address_or_browser(
    synthesised: Synthesised,
) -> None:
    (stage,) = synthesised.resources("AWS::ApiGateway::Stage").values()
    settings = {
        (s["ResourcePath"], s["HttpMethod"]): s for s in stage["Properties"]["MethodSettings"]
    }
    assert settings[("/*", "*")]["ThrottlingRateLimit"] == 50.0
    assert settings[("/reports", "POST")]["ThrottlingRateLimit"] == 5.0
    assert all(s["DataTraceEnabled"] is False for s in settings.values())
    log_format = stage["Properties"]["AccessLogSetting"]["Format"]
    fields = json.loads(log_format)
    assert fields["status"] == "$context.status"
    for leak in ("sourceIp", "userAgent", "identity", "caller", "user"):
        assert leak not in log_format, leak


def test_the_gateways_own_answers_are_problems_with_the_apps_security_headers(
    synthesised: Synthesised,
) -> None:
    (api,) = synthesised.resources("AWS::ApiGateway::RestApi").values()
    answers = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]

    assert set(answers) == {
        "UNAUTHORIZED",
        "ACCESS_DENIED",
        "MISSING_AUTHENTICATION_TOKEN",
        "THROTTLED",
        "REQUEST_TOO_LARGE",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    }
    for answer in answers.values():
        assert answer["responseParameters"] == {
            "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
            "gatewayresponse.header.Referrer-Policy": "'no-referrer'",
            "gatewayresponse.header.X-Frame-Options": "'DENY'",
            "gatewayresponse.header.Strict-Transport-Security": (
                "'max-age=63072000; includeSubDomains'"
            ),
            "gatewayresponse.header.Content-Type": "'application/json'",
            "gatewayresponse.header.Cache-Control": "'no-store'",
        }
    assert answers["UNAUTHORIZED"]["statusCode"] == "401"
    assert json.loads(answers["UNAUTHORIZED"]["responseTemplates"]["application/json"]) == {
        "error": "unauthenticated",
        "message": "Sign in again.",
    }
    # No route: a 404 problem, where API Gateway would answer 403 quoting the Authorization
    # header back.
    assert answers["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert "$context" not in json.dumps(answers)
    assert "statusCode" not in answers["DEFAULT_4XX"]


# --- sign-in ----------------------------------------------------------------------------------


def test_staff_must_use_an_authenticator_app_and_cannot_sign_themselves_up(
    synthesised: Synthesised,
) -> None:
    template = _template(synthesised)
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "MfaConfiguration": "ON",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "Policies": {
                "PasswordPolicy": assertions.Match.object_like(
                    {
                        "MinimumLength": 14,
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                    }
                )
            },
        },
    )
    groups = {
        g["Properties"]["GroupName"]
        for g in synthesised.resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"screeners", "advisors", "analysts", "admins"}


def test_the_portal_signs_in_with_code_and_pkce_and_no_secret(synthesised: Synthesised) -> None:
    (client,) = synthesised.resources("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert properties["GenerateSecret"] is False
    assert properties["AllowedOAuthFlows"] == ["code"]
    assert properties["CallbackURLs"] == ["https://report.example.ac.uk/portal/"]
    assert properties["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert properties["AccessTokenValidity"] == 60


# --- web ----------------------------------------------------------------------------------


def test_pages_and_api_share_one_origin_with_strict_headers(synthesised: Synthesised) -> None:
    (distribution,) = synthesised.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["report.example.ac.uk"]
    assert "Logging" not in config  # no reporter IPs in access logs
    assert config["WebACLId"].startswith("arn:aws:wafv2:us-east-1:")
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api["ViewerProtocolPolicy"] == "https-only"
    # CloudFront's managed CachingDisabled policy
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    policies = {
        p["Properties"]["ResponseHeadersPolicyConfig"]["Comment"]: p["Properties"][
            "ResponseHeadersPolicyConfig"
        ]["SecurityHeadersConfig"]
        for p in synthesised.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    }
    pages = policies["Report + Support security headers (pages)"]
    portal = policies["Report + Support security headers (portal)"]
    pages_csp = pages["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "connect-src 'self';" in pages_csp
    assert "frame-ancestors 'none'" in pages_csp
    portal_csp = portal["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert (
        "connect-src 'self' https://report-support-ci-default.auth.eu-west-2.amazoncognito.com;"
        in portal_csp
    )
    assert pages["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 63072000
    assert pages["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert pages["FrameOptions"]["FrameOption"] == "DENY"


def test_the_site_bucket_is_private_encrypted_and_versioned(synthesised: Synthesised) -> None:
    _template(synthesised).has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": assertions.Match.any_value(),
        },
    )


def test_the_edge_stack_limits_reports_per_address(synthesised: Synthesised) -> None:
    (acl,) = synthesised.resources("AWS::WAFv2::WebACL", synthesised.edge).values()
    properties = acl["Properties"]
    assert properties["Scope"] == "CLOUDFRONT"
    rules = {rule["Name"]: rule for rule in properties["Rules"]}
    reports = rules["LimitReportsPerAddress"]["Statement"]["RateBasedStatement"]
    assert reports["Limit"] == 100
    assert reports["AggregateKeyType"] == "IP"
    matches = reports["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert [m["ByteMatchStatement"]["SearchString"] for m in matches] == ["POST", "/api/reports"]
    # every path under it: the receipt calls (a code typed in, a message written) count too
    assert [m["ByteMatchStatement"]["PositionalConstraint"] for m in matches] == [
        "EXACTLY",
        "STARTS_WITH",
    ]
    assert rules["LimitReportsPerAddress"]["Action"] == {"Block": {}}
    # no request is sampled (a sample keeps the caller's address)
    assert all(not r["VisibilityConfig"]["SampledRequestsEnabled"] for r in rules.values())
    assert "AWS::WAFv2::LoggingConfiguration" not in {
        r["Type"] for r in synthesised.edge["Resources"].values()
    }


# --- alarms -----------------------------------------------------------------------------------


def test_alarms_cover_dead_letters_errors_given_up_emails_5xx_and_a_missed_sweep(
    synthesised: Synthesised,
) -> None:
    alarms = synthesised.resources("AWS::CloudWatch::Alarm")
    described = {a["Properties"]["AlarmDescription"] for a in alarms.values()}
    assert "Messages in the triage dead-letter queue: see docs/deploy.md" in described
    assert "Messages in the notify dead-letter queue: see docs/deploy.md" in described
    assert "A notification email was given up on after its last attempt" in described
    assert "More than 1 % of API requests answered 5xx" in described
    assert "The retention sweep has not run for 26 hours" in described
    sealed = {
        a["Properties"]["MetricName"]: a["Properties"]
        for a in alarms.values()
        if a["Properties"].get("Namespace") == "ReportSupport"
        and a["Properties"]["MetricName"]
        in ("SealRefused", "BlindIndexMismatch", "AuditChainBroken")
    }
    assert sorted(sealed) == ["AuditChainBroken", "BlindIndexMismatch", "SealRefused"]
    for properties in sealed.values():
        assert properties["Dimensions"] == [{"Name": "service", "Value": "report-support"}]
        assert (properties["Statistic"], properties["Threshold"]) == ("Sum", 0)
    for function in synthesised.resources("AWS::Lambda::Function"):
        assert f"report-support-ci-{function}: errors" in described
        assert f"report-support-ci-{function}: throttles" in described
    topics = synthesised.resources("AWS::SNS::Topic")
    (topic,) = topics
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": topic}] for a in alarms.values())
    (subscription,) = synthesised.resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == "ops@example.ac.uk"
    (given_up,) = synthesised.resources("AWS::Logs::MetricFilter").values()
    assert "notification not sent and given up" in given_up["Properties"]["FilterPattern"]


# --- cdk-nag ----------------------------------------------------------------------------------


def test_the_rule_packs_ran_and_every_acknowledged_finding_says_why(
    synthesised: Synthesised,
) -> None:
    # (the packs write what was acknowledged into the template: no metadata, no packs)
    acknowledged = [
        rule
        for template in (synthesised.main, synthesised.edge)
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    ids = {rule["id"] for rule in acknowledged}
    assert {"AwsSolutions-CFR3", "NIST.800.53.R5-WAFv2LoggingEnabled", "AwsSolutions-L1"} <= ids
    assert all(len(rule["reason"]) > 40 for rule in acknowledged)


def test_cdk_nag_fails_a_synthesis_with_an_unacknowledged_finding() -> None:
    # Given an app with the AWS Solutions pack and a bucket that accepts plain HTTP (S10)
    app = cdk.App()
    stack = cdk.Stack(app, "Careless")
    s3.Bucket(stack, "Open", enforce_ssl=False)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    # When it is synthesised, then it fails
    with pytest.raises(RuntimeError, match="AwsSolutions-S10"):
        app.synth()


def test_api_gateway_writes_its_logs_into_this_stacks_encrypted_kept_groups(
    synthesised: Synthesised,
) -> None:
    (account,) = synthesised.resources("AWS::ApiGateway::Account").values()
    role = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assumed = synthesised.main["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
    assert assumed["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
    groups = {
        json.dumps(g["Properties"]["LogGroupName"]): g["Properties"]
        for g in synthesised.resources("AWS::Logs::LogGroup").values()
    }
    (execution,) = [p for name, p in groups.items() if "API-Gateway-Execution-Logs_" in name]
    (access,) = [p for name, p in groups.items() if "/aws/apigateway/" in name]
    storage_key = {"Fn::GetAtt": [_storage_key(synthesised), "Arn"]}
    for group in (execution, access):
        assert group["RetentionInDays"] == 90
        assert group["KmsKeyId"] == storage_key


def test_the_storage_key_serves_the_tables_and_queues_of_this_account_only_through_them(
    synthesised: Synthesised,
) -> None:
    policy = synthesised.main["Resources"][_storage_key(synthesised)]["Properties"]["KeyPolicy"]
    (through,) = [
        s for s in policy["Statement"] if s.get("Sid") == "ServicesEncryptAtRestForThisAccount"
    ]
    # Any caller of this account (the functions need no grant of their own to read a table)
    assert through["Principal"] == {"AWS": "*"}
    assert through["Condition"]["StringEquals"]["kms:CallerAccount"] == "123456789012"
    # but only through these services: a direct kms:Decrypt is not covered
    assert through["Condition"]["StringEquals"]["kms:ViaService"] == [
        "dynamodb.eu-west-2.amazonaws.com",
        "sqs.eu-west-2.amazonaws.com",
        "logs.eu-west-2.amazonaws.com",
        "sns.eu-west-2.amazonaws.com",
    ]
    assert "kms:ReEncryptFrom" not in through["Action"]
