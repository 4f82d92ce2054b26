"""Typed settings, read once from the environment.

Domain code receives a `Settings` object (through `chalicelib.services`) and never reads
`os.environ` itself. Every variable is prefixed `RS_`; `environment()` produces the
same mapping back, which is how the local stack and the infrastructure hand settings to
the app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.errors import ConfigurationError

ENV_PREFIX = "RS_"
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Settings(BaseModel):
    """Everything the app needs to know about where it runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_name: str = "report-support"
    stage: str = "dev"
    region: NonEmpty
    reports_table: NonEmpty
    demographics_table: NonEmpty
    staff_table: NonEmpty
    notifications_table: NonEmpty
    insights_table: NonEmpty
    rights_table: NonEmpty
    admin_table: NonEmpty
    triage_queue_url: NonEmpty
    notify_queue_url: NonEmpty
    identity_key_arn: NonEmpty
    insight_key_arn: NonEmpty
    blind_index_key_arn: NonEmpty
    audit_key_arn: NonEmpty
    staff_pool_id: NonEmpty
    staff_client_id: NonEmpty
    #: Where the pool's public keys are; by default Cognito's own address for the pool.
    staff_jwks_url: str = ""
    institution: str = "default"
    #: The address notification emails come from (an SES-verified identity).
    sender_email: NonEmpty = "report-support@example.ac.uk"
    #: The staff portal's address; emails link to a case there, never describe it.
    portal_url: NonEmpty = "http://127.0.0.1:8080/portal/"
    #: Reports still waiting for triage after this long are sent to the queue again.
    triage_redrive_after_seconds: int = Field(default=300, ge=30)
    #: The data-key cache trades KMS calls for key reuse; these bound the reuse.
    seal_cache_max_age_seconds: float = Field(default=300.0, gt=0, le=3600)
    seal_cache_max_messages: int = Field(default=1000, ge=1, le=2**32)
    #: A notification that has failed this many sends is given up on (and alarmed).
    notification_max_attempts: int = Field(default=15, ge=1, le=100)
    #: Receipt codes that may open nothing in a 10-minute window before every receipt call
    #: is refused until the window ends (issue 14): a global budget, nothing per caller.
    receipt_failure_budget: int = Field(default=1000, ge=1, le=1_000_000)
    #: How long a process trusts its read of which content version is published before
    #: reading it again: a publish reaches every reporter within this (plus `GET /form`'s
    #: browser cache). 0 reads it on every request (the tests).
    content_cache_seconds: float = Field(default=30.0, ge=0, le=300)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `RS_*` variables (and the AWS region) into a validated Settings."""
        source = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in source:
                values[name] = source[key]
        if "region" not in values:
            region = source.get("AWS_REGION") or source.get("AWS_DEFAULT_REGION")
            if region:
                values["region"] = region
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            missing = ", ".join(
                ENV_PREFIX + str(problem["loc"][0]).upper() for problem in error.errors()
            )
            raise ConfigurationError(f"missing or invalid settings: {missing}") from None

    @property
    def staff_token_issuer(self) -> str:
        """The `iss` of the pool's tokens."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.staff_pool_id}"

    @property
    def staff_jwks(self) -> str:
        """Where the pool's signing keys are published."""
        return self.staff_jwks_url or f"{self.staff_token_issuer}/.well-known/jwks.json"

    def environment(self) -> dict[str, str]:
        """The `RS_*` variables that reproduce these settings."""
        return {ENV_PREFIX + name.upper(): str(value) for name, value in self.model_dump().items()}
