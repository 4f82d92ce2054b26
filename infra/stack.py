"""The main stack: everything of one deployment in its region (default eu-west-2).

Data stores (`infra/data.py`), the staff user pool (`infra/staff_pool.py`), the app's functions,
API and schedules (`infra/service.py`), the web front ends (`infra/web.py`), the email sender
and the alarms (`infra/alarms.py`). The edge stack (`infra/edge.py`, us-east-1) is deployed
first and hands over the WAF web ACL and the certificate.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ses as ses
from constructs import Construct

from chalicelib.resources import RESOURCES
from chalicelib.settings import Settings
from infra.alarms import Alarms
from infra.config import DeploymentConfig
from infra.data import DataStores
from infra.service import AppService
from infra.staff_pool import StaffPool
from infra.web import WebFront


class ReportSupportStack(cdk.Stack):
    """One institution's deployment of Report + Support."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        source_dir: Path,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.data = DataStores(self, "Data", stage=config.stage)
        self.staff = StaffPool(self, "Staff", config=config)
        sender_arns = self._sender(config)
        self.service = AppService(
            self,
            "App",
            config=config,
            data=self.data,
            source_dir=source_dir,
            environment=self._environment(),
            sender_identity_arns=sender_arns,
            user_pool_arn=self.staff.pool.user_pool_arn,
        )
        self.web = WebFront(
            self,
            "Web",
            config=config,
            rest_api_id=self.service.rest_api_id,
            hosted_sign_in_url=self.staff.hosted_domain_url,
        )
        self.alarms = Alarms(
            self,
            "Alarms",
            config=config,
            key=self.data.storage_key,
            queues=self.data.queues,
            function_names=self.service.function_names,
            notify_logs=self.service.log_groups["OnNotifyMessage"],
            rest_api_name="report-support",
        )
        outputs = {
            "SiteUrl": f"https://{config.web_domain}/",
            "DistributionDomain": self.web.distribution.distribution_domain_name,
            "DistributionId": self.web.distribution.distribution_id,
            "SiteBucket": self.web.bucket.bucket_name,
            "UserPoolId": self.staff.pool.user_pool_id,
            "PortalClientId": self.staff.client.user_pool_client_id,
            "HostedSignInUrl": self.staff.hosted_domain_url,
            "AlarmTopicArn": self.alarms.topic.topic_arn,
            "StaffTable": self.data.tables["staff"].ref,
            "IdentityKeyArn": self.data.keys["identity"].key_arn,
        }
        for name, value in outputs.items():
            cdk.CfnOutput(self, name, value=value)

    def _environment(self) -> dict[str, str]:
        """The app's `RS_*` settings, naming this stack's resources (validated here)."""
        data, config = self.data, self.config
        values: dict[str, str] = {
            "stage": config.stage,
            "region": config.region,
            "institution": config.institution,
            "sender_email": config.sender_email,
            "portal_url": config.portal_url,
            "staff_pool_id": self.staff.pool.user_pool_id,
            "staff_client_id": self.staff.client.user_pool_client_id,
        }
        for table in RESOURCES.tables:
            values[table.settings_field] = data.tables[table.logical_name].ref
        for queue in RESOURCES.queues:
            values[queue.settings_field] = data.queues[queue.logical_name].queue.queue_url
        for key in RESOURCES.keys:
            values[key.settings_field] = data.keys[key.logical_name].key_arn
        return Settings.model_validate(values).environment()

    def _sender(self, config: DeploymentConfig) -> list[str]:
        """The SES identity emails are sent from, and its configuration set; their ARNs."""
        configuration_set = ses.ConfigurationSet(
            self,
            "EmailConfiguration",
            configuration_set_name=f"{config.prefix}-email",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        ses.EmailIdentity(
            self,
            "Sender",
            identity=(
                ses.Identity.domain(config.sender_domain)
                if config.sender_domain
                else ses.Identity.email(config.sender_email)
            ),
            configuration_set=configuration_set,
        )
        stack = cdk.Stack.of(self)
        return [
            f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:identity/"
            f"{config.sender_domain or config.sender_email}",
            f"arn:{stack.partition}:ses:{stack.region}:{stack.account}:configuration-set/"
            f"{configuration_set.configuration_set_name}",
        ]
