"""Alarms, to one encrypted SNS topic with the ops team's email subscribed.

What pages someone: a message in any dead-letter queue (a report or email that could not be
handled five times); any function error or throttle; a notification given up on (the notify
worker logs "notification not sent and given up" at ERROR); the API answering 5xx to more than
1 % of requests; a retention sweep that has not run for 26 hours (it runs daily); and any
sealed value refused (a ciphertext moved, tampered or put back) or report found by an email's
blind index whose sealed contact holds another address (the index copied onto it): both are
counted by the functions themselves (`chalicelib.observability.increment`, CloudWatch's
embedded metric format, so every function's log group feeds the one metric).
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from chalicelib.observability import (
    AUDIT_CHAIN_BROKEN,
    BLIND_INDEX_MISMATCH,
    METRICS_NAMESPACE,
    SEAL_REFUSED,
    SERVICE,
)
from infra.config import DeploymentConfig
from infra.data import QueuePair

NOTIFICATION_GIVEN_UP = "notification not sent and given up"


class Alarms(Construct):
    """Every alarm of the deployment and the topic they report to."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        queues: Mapping[str, QueuePair],
        function_names: Mapping[str, str],
        notify_logs: logs.ILogGroup,
        rest_api_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Topic", topic_name=f"{config.prefix}-alarms", master_key=key, enforce_ssl=True
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlarmsOfThisAccountPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
            )
        )
        self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        for name, pair in queues.items():
            self._alarm(
                f"{name.capitalize()}DeadLetters",
                pair.dead_letters.metric_approximate_number_of_messages_visible(
                    period=cdk.Duration.minutes(5), statistic="Maximum"
                ),
                threshold=0,
                description=f"Messages in the {name} dead-letter queue: see docs/deploy.md",
            )
        for name, function_name in function_names.items():
            for metric in ("Errors", "Throttles"):
                self._alarm(
                    f"{name}{metric}",
                    cloudwatch.Metric(
                        namespace="AWS/Lambda",
                        metric_name=metric,
                        dimensions_map={"FunctionName": function_name},
                        statistic="Sum",
                        period=cdk.Duration.minutes(5),
                    ),
                    threshold=0,
                    description=f"{function_name}: {metric.lower()}",
                )
        given_up = logs.MetricFilter(
            self,
            "NotificationGivenUp",
            log_group=notify_logs,
            metric_namespace="ReportSupport",
            metric_name="NotificationsGivenUp",
            filter_pattern=logs.FilterPattern.all(
                logs.FilterPattern.string_value("$.level", "=", "ERROR"),
                logs.FilterPattern.string_value("$.message", "=", NOTIFICATION_GIVEN_UP),
            ),
            metric_value="1",
            default_value=0,
        )
        self._alarm(
            "NotificationsGivenUp",
            given_up.metric(statistic="Sum", period=cdk.Duration.minutes(5)),
            threshold=0,
            description="A notification email was given up on after its last attempt",
        )
        api = {"ApiName": rest_api_name, "Stage": "api"}
        self._alarm(
            "Api5xxRate",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map=api,
                statistic="Average",
                period=cdk.Duration.minutes(5),
            ),
            threshold=0.01,
            description="More than 1 % of API requests answered 5xx",
        )
        for name, description in (
            (SEAL_REFUSED, "A sealed value refused to open (moved, tampered or put back)"),
            (BLIND_INDEX_MISMATCH, "A report's email blind index does not match its contact"),
            (AUDIT_CHAIN_BROKEN, "A case's audit chain or head failed its check"),
        ):
            self._alarm(
                name,
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=name,
                    dimensions_map={"service": SERVICE},
                    statistic="Sum",
                    period=cdk.Duration.minutes(5),
                ),
                threshold=0,
                description=f"{description}: see docs/deploy.md",
            )
        sweep = cloudwatch.Metric(
            namespace="AWS/Lambda",
            metric_name="Invocations",
            dimensions_map={"FunctionName": function_names["RetentionSweep"]},
            statistic="Sum",
            period=cdk.Duration.hours(1),
        )
        alarm = cloudwatch.Alarm(
            self,
            "RetentionSweepMissed",
            metric=sweep,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=26,
            datapoints_to_alarm=26,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            alarm_description="The retention sweep has not run for 26 hours",
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _alarm(
        self, name: str, metric: cloudwatch.IMetric, *, threshold: float, description: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
