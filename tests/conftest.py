"""Shared test setup: AWS credentials that can never reach a real account."""

from __future__ import annotations

import os

# Set before anything imports boto3: the tests must never find real credentials or endpoints.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="eu-west-2",
    AWS_REGION="eu-west-2",
)
os.environ.pop("AWS_PROFILE", None)
