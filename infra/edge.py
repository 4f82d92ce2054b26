"""The edge stack, in us-east-1 (CloudFront's region): the WAF web ACL and the certificate.

Deployed first by `scripts/deploy`; its outputs (`WebAclArn`, `CertificateArn`) are given to the
main stack as context. Kept apart so that the main stack needs no cross-region custom resource.

The web ACL, on every path of the distribution:
- a rate-based rule on `POST /api/reports` and every path under it: more than
  `report_rate_limit` reports from one address in 5 minutes are blocked for a while. The
  receipt calls (`/api/reports/follow-up`: a code typed in, a message written) count
  towards it too, so one address cannot spend the app's global failure budget for receipt
  codes alone; a rule of their own would cost another $1 a month for no more protection.
  WAF counts addresses in its own memory; no WAF logging is configured, so no reporter's
  address is written anywhere (M1);
- a general rate limit per address on everything else (10x the report limit);
- AWS's managed rules for known bad inputs and common exploits.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import DeploymentConfig


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    # Metrics count requests per rule; sampled requests (which keep addresses) are off.
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=False
    )


def report_rate_rule(limit: int) -> wafv2.CfnWebACL.RuleProperty:
    """Block an address sending more than `limit` reports in 5 minutes."""
    return wafv2.CfnWebACL.RuleProperty(
        name="LimitReportsPerAddress",
        priority=0,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit,
                evaluation_window_sec=300,
                aggregate_key_type="IP",
                scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                    and_statement=wafv2.CfnWebACL.AndStatementProperty(
                        statements=[
                            wafv2.CfnWebACL.StatementProperty(
                                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                                    positional_constraint="EXACTLY",
                                    search_string="POST",
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(
                                            priority=0, type="NONE"
                                        )
                                    ],
                                )
                            ),
                            wafv2.CfnWebACL.StatementProperty(
                                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                        uri_path={}
                                    ),
                                    positional_constraint="STARTS_WITH",
                                    search_string="/api/reports",
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(
                                            priority=0, type="LOWERCASE"
                                        )
                                    ],
                                )
                            ),
                        ]
                    )
                ),
            )
        ),
        visibility_config=_visibility("LimitReportsPerAddress"),
    )


def _managed(
    name: str, priority: int, *, count: tuple[str, ...] = ()
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule,
                        action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                    )
                    for rule in count
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )


class EdgeStack(cdk.Stack):
    """WAF web ACL (CLOUDFRONT scope) and the site's certificate, in us-east-1."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        general = wafv2.CfnWebACL.RuleProperty(
            name="LimitRequestsPerAddress",
            priority=1,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=config.report_rate_limit * 10,
                    evaluation_window_sec=300,
                    aggregate_key_type="IP",
                )
            ),
            visibility_config=_visibility("LimitRequestsPerAddress"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{config.prefix}-web",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                report_rate_rule(config.report_rate_limit),
                general,
                _managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
                # A reporter's account may be long (the API takes up to 256 KiB): the common
                # rules' 8 KB body limit only counts.
                _managed("AWSManagedRulesCommonRuleSet", 3, count=("SizeRestrictions_BODY",)),
            ],
            visibility_config=_visibility(f"{config.prefix}-web"),
        )
        self.certificate = acm.Certificate(
            self,
            "SiteCertificate",
            domain_name=config.web_domain,
            # The deployment waits until the DNS record CloudFormation shows is added.
            validation=acm.CertificateValidation.from_dns(),
        )
        cdk.CfnOutput(self, "WebAclArn", value=self.web_acl.attr_arn)
        cdk.CfnOutput(self, "CertificateArn", value=self.certificate.certificate_arn)
