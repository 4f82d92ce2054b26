"""cdk-nag: the AWS Solutions and NIST 800-53 rev 5 rule packs, and every acknowledged finding
with its reason. An unacknowledged finding fails the synthesis (and so the tests).

Each acknowledgment is scoped to the constructs it is about, never to a whole stack, so a new
resource of the same kind is checked afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

if TYPE_CHECKING:
    from infra.edge import EdgeStack
    from infra.stack import ReportSupportStack

_NO_IP_KEPT = (
    "Such logs would keep every reporter's IP address and user agent; anonymous reporting "
    "means no address is kept (M1). Requests are counted in metrics instead."
)


def check_with_nag(app: cdk.App, edge: EdgeStack, main: ReportSupportStack) -> None:
    """Register the rule packs on the app and acknowledge, with reasons, what is by design."""
    cdk.Validations.of(app).add_plugins(
        cdk_nag.AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True),
        cdk_nag.NIST80053R5Checks(app, write_suppressions_to_cloud_formation=True),
    )
    for construct, rule, reason in acknowledgments(edge, main):
        cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def acknowledgments(edge: EdgeStack, main: ReportSupportStack) -> list[tuple[IConstruct, str, str]]:
    """Every acknowledged finding: (where, rule, why)."""
    service, web, config = main.service, main.web, main.config
    stage = service.chalice.get_resource("RestAPIapiStage")
    api = service.chalice.get_resource("RestAPI")
    functions = [service.chalice.get_resource(name) for name in service.function_names]
    found: list[tuple[IConstruct, str, str]] = [
        (
            web.distribution,
            "AwsSolutions-CFR3",
            "CloudFront access logs: " + _NO_IP_KEPT,
        ),
        (
            edge.web_acl,
            "NIST.800.53.R5-WAFv2LoggingEnabled",
            "WAF logs: " + _NO_IP_KEPT,
        ),
        (
            web.distribution,
            "AwsSolutions-CFR1",
            "Reporters may be abroad (exchange students, placements, visitors); no country is "
            "refused.",
        ),
        (
            stage,
            "AwsSolutions-APIG3",
            "The web ACL is on the CloudFront distribution in front of the API (edge stack): "
            "a regional ACL would see CloudFront's addresses, not the callers'.",
        ),
        (
            stage,
            "NIST.800.53.R5-APIGWAssociatedWithWAF",
            "As AwsSolutions-APIG3: the web ACL guards the distribution in front of the API.",
        ),
        (
            api,
            "AwsSolutions-APIG2",
            "Every body is parsed by the app (pydantic, extra fields refused) and answered with "
            "a 400 naming each bad field; API Gateway's validator would answer in another shape.",
        ),
        (
            stage,
            "NIST.800.53.R5-APIGWCacheEnabledAndEncrypted",
            "Responses carry case data for one signed-in person or a reporter's reference: "
            "nothing may be cached.",
        ),
        (
            stage,
            "NIST.800.53.R5-APIGWSSLEnabled",
            "The integration is Lambda proxy (no HTTP backend to authenticate with a client "
            "certificate).",
        ),
        (
            web.bucket,
            "AwsSolutions-S1",
            "Static public pages only, read by CloudFront alone (origin access control); the "
            "bucket is versioned and rebuilt from the repository by every deploy.",
        ),
        (
            web.bucket,
            "NIST.800.53.R5-S3BucketLoggingEnabled",
            "As AwsSolutions-S1: public static pages, read by CloudFront alone.",
        ),
        (
            web.bucket,
            "NIST.800.53.R5-S3BucketReplicationEnabled",
            "Public static pages that every deploy uploads again from the repository.",
        ),
        (
            web.bucket,
            "NIST.800.53.R5-S3DefaultEncryptionKMS",
            "Public static pages: S3-managed encryption (SSE-KMS would need the key opened to "
            "CloudFront for no gain in secrecy).",
        ),
        *(
            (
                table,
                "NIST.800.53.R5-DynamoDBInBackupPlan",
                "Point-in-time recovery (35 days) is on; a longer backup plan would keep "
                "personal data past the retention the privacy notice promises.",
            )
            for table in main.data.tables.values()
        ),
    ]
    for function in functions:
        found += [
            (
                function,
                "AwsSolutions-L1",
                "The app is built and tested on Python 3.11 (chalice 1.34, the pinned wheels); "
                "moving runtime is a tested change of its own.",
            ),
            (
                function,
                "NIST.800.53.R5-LambdaConcurrency",
                "Bounded by API Gateway stage throttling and WAF rate limits; reserved "
                "concurrency fails to deploy on new accounts (their limit is 10).",
            ),
            (
                function,
                "NIST.800.53.R5-LambdaDLQ",
                "Queue consumers have dead-letter queues on their queues; schedules run again at "
                "their next period and their errors alarm; the API answers its caller.",
            ),
            (
                function,
                "NIST.800.53.R5-LambdaInsideVPC",
                "The functions call only AWS APIs, over TLS with IAM; a VPC would need NAT or "
                "seven interface endpoints (about $50 a month) for no reachable private "
                "resource.",
            ),
        ]
    # cdk-nag names an account that is only known at deploy time by its pseudo parameter.
    account = "<AWS::AccountId>" if cdk.Token.is_unresolved(main.account) else main.account
    for name, role_policy in service.policies.items():
        log_streams = (
            f"arn:<AWS::Partition>:logs:{config.region}:{account}:log-group:"
            f"/aws/lambda/{service.function_names[name]}:log-stream:*"
        )
        found.append(
            (
                role_policy,
                f"AwsSolutions-IAM5[Resource::{log_streams}]",
                "Lambda names log streams as it runs: the one wildcard, inside the function's "
                "own log group.",
            )
        )
    found.append(
        (
            service.api_gateway_logs_role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The role API Gateway itself assumes to write the stage's logs (no app code runs "
            "with it); AWS's policy for exactly this, as API Gateway's documentation gives it.",
        )
    )
    if not config.threat_protection:
        found.append(
            (
                main.staff.pool,
                "AwsSolutions-COG8",
                "MFA is required and nobody signs up; threat protection (the Plus plan, per "
                "active user) is a deployment setting: threat_protection=true.",
            )
        )
    return found
