"""Boto3 clients and environment for talking to the local moto server.

Nothing here builds a client at import time: a client binds its endpoint when it is created,
so building one before `AWS_ENDPOINT_URL` is set would point it at real AWS.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import boto3

#: moto's default account; every ARN moto hands out carries it.
LOCAL_ACCOUNT_ID = "123456789012"
LOCAL_REGION = "eu-west-2"
#: moto accepts any credentials; these make boto3 sign requests without looking further.
FAKE_CREDENTIAL = "testing"

# Variables that would send boto3 somewhere other than the local moto server, or make it
# look for a profile that may not exist on this machine.
_CONFLICTING = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)


def local_aws_environment(endpoint_url: str, region: str = LOCAL_REGION) -> dict[str, str]:
    """The variables that point boto3, the AWS CLI and aws-encryption-sdk at moto."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def point_environment_at(
    endpoint_url: str, region: str = LOCAL_REGION, environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Point `environ` (default `os.environ`) at moto; returns the variables that were set.

    Service-specific `AWS_ENDPOINT_URL_<SERVICE>` variables win over `AWS_ENDPOINT_URL` in
    boto3, so any left over from the shell are removed along with profiles and tokens.
    """
    target = os.environ if environ is None else environ
    for name in list(target):
        if name in _CONFLICTING or name.startswith("AWS_ENDPOINT_URL_"):
            del target[name]
    values = local_aws_environment(endpoint_url, region)
    target.update(values)
    return values


@dataclass(frozen=True)
class AwsClients:
    """The low-level clients the local stack needs, built together from one session."""

    dynamodb: Any
    sqs: Any
    kms: Any
    sesv2: Any
    cognito: Any

    @classmethod
    def from_session(
        cls, session: boto3.session.Session | None = None, endpoint_url: str | None = None
    ) -> AwsClients:
        """Build clients; `endpoint_url=None` lets boto3 read `AWS_ENDPOINT_URL`."""
        chosen = session if session is not None else boto3.session.Session()
        return cls(
            dynamodb=chosen.client("dynamodb", endpoint_url=endpoint_url),
            sqs=chosen.client("sqs", endpoint_url=endpoint_url),
            kms=chosen.client("kms", endpoint_url=endpoint_url),
            sesv2=chosen.client("sesv2", endpoint_url=endpoint_url),
            cognito=chosen.client("cognito-idp", endpoint_url=endpoint_url),
        )

    @property
    def region(self) -> str:
        """The region the clients were built for."""
        return str(self.sqs.meta.region_name)
