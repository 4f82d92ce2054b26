"""One institution's deployment settings, read from CDK context and validated once.

Given on the command line (`scripts/deploy -c key=value`) or in `infra/cdk.json`'s context.
A bad value stops the synthesis with a message naming the setting; nothing is deployed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_DOMAIN = re.compile(r"\A(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
_ARN = r"^arn:aws[a-z-]*:"


class ConfigurationProblem(ValueError):
    """A deployment setting is missing or wrong; the message names each one."""


class SingleSignOn(BaseModel):
    """The university's identity provider, if staff sign in with it (SAML or OIDC)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["saml", "oidc"]
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    #: SAML: the metadata document's URL. OIDC: the issuer URL.
    metadata_url: Annotated[str, Field(pattern=r"^https://")] = ""
    #: OIDC only: the client registered with the university's provider.
    client_id: str = ""
    #: OIDC only: that client's secret (kept by Cognito; prefer SAML to avoid one).
    client_secret: str = ""


class DeploymentConfig(BaseModel):
    """Everything that differs between one institution's deployment and another's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: A short name: resource names are `report-support-<stage>-...`.
    stage: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,15}$")] = "prod"
    #: Where every table, queue, key and function lives (personal data stays in it).
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] = "eu-west-2"
    #: The AWS account to deploy to (12 digits); empty takes the CLI's current account.
    account: Annotated[str, Field(pattern=r"^(\d{12})?$")] = ""
    #: Where reporters and staff reach the service, e.g. `report.example.ac.uk`.
    web_domain: str = "report.example.ac.uk"
    #: ACM certificate for `web_domain` in us-east-1 (CloudFront's region); from the edge stack.
    certificate_arn: Annotated[str, Field(pattern=_ARN + r"acm:us-east-1:")] = (
        "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
    )
    #: The CloudFront-scope WAF web ACL from the edge stack.
    web_acl_arn: Annotated[str, Field(pattern=_ARN + r"wafv2:us-east-1:")] = (
        "arn:aws:wafv2:us-east-1:111111111111:global/webacl/report-support/"
        "00000000-0000-0000-0000-000000000000"
    )
    #: The hosted sign-in's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`).
    auth_domain_prefix: Annotated[str, Field(pattern=r"^[a-z0-9](-?[a-z0-9]){0,62}$")] = ""
    #: Notification emails come from this address; `sender_domain` (if given) is verified
    #: as an SES domain identity instead of the single address.
    sender_email: str = "report-support@example.ac.uk"
    sender_domain: str = ""
    #: Who receives the alarms (an SNS email subscription; they confirm it once).
    alarm_email: str = "ops@example.ac.uk"
    #: The institution's configuration shipped with the app (`chalicelib/institution/`).
    institution: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")] = "default"
    #: POST /reports allowed from one address in any 5 minutes (WAF's minimum is 10).
    report_rate_limit: Annotated[int, Field(ge=10, le=2_000_000_000)] = 100
    #: API Gateway stage throttling: steady requests per second, and the burst.
    api_rate_limit: Annotated[float, Field(gt=0, le=10_000)] = 50.0
    api_burst_limit: Annotated[int, Field(ge=1, le=5_000)] = 100
    #: How long function and access logs are kept (days; a CloudWatch Logs retention value).
    log_retention_days: Literal[7, 14, 30, 60, 90, 180, 365] = 90
    #: Cognito threat protection (the Plus plan, charged per active user).
    threat_protection: bool = False
    single_sign_on: SingleSignOn | None = None

    @field_validator("web_domain", "sender_domain")
    @classmethod
    def _is_domain(cls, value: str) -> str:
        if value and not _DOMAIN.match(value):
            raise ValueError("must be a DNS name such as report.example.ac.uk")
        return value

    @field_validator("sender_email", "alarm_email")
    @classmethod
    def _is_address(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("must be an email address")
        return value

    @property
    def prefix(self) -> str:
        """The start of every physical resource name of this deployment."""
        return f"report-support-{self.stage}"

    @property
    def hosted_sign_in_domain(self) -> str:
        """The hosted sign-in's host name."""
        prefix = self.auth_domain_prefix or f"{self.prefix}-{self.institution}"
        return f"{prefix}.auth.{self.region}.amazoncognito.com"

    @property
    def portal_url(self) -> str:
        """Where staff sign in; emails link here."""
        return f"https://{self.web_domain}/portal/"

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> DeploymentConfig:
        """Read the settings this model knows from CDK context (unknown keys are ignored:
        the CDK puts its own flags there)."""
        values = {name: context[name] for name in cls.model_fields if name in context}
        if isinstance(values.get("single_sign_on"), str):
            import json

            values["single_sign_on"] = json.loads(values["single_sign_on"])
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                for problem in error.errors()
            )
            raise ConfigurationProblem(f"bad deployment settings: {problems}") from None
