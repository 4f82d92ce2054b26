"""The running local stack as the e2e tests see it: its addresses, clients and log."""

from __future__ import annotations

import re
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

PROJECT_DIR = Path(__file__).resolve().parents[2]
REGION = "eu-west-2"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10
#: Makes the five-minute redrive job fire every five seconds.
SCHEDULE_SCALE = 60
#: The start-up summary's line naming the staff user pool and its app client.
_SIGN_IN_HEADING = re.compile(r"Cognito pool (?P<pool>[^\s,]+), app client (?P<client>[^\s;]+);")


@dataclass(frozen=True)
class RunningStack:
    """Where the stack under test listens, and its log file."""

    api: str
    web: str
    moto: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def client(self, service: str) -> Any:
        """A low-level boto3 client for the stack's moto server.

        Endpoint and credentials are passed explicitly rather than through the environment:
        in-process tests that use `mock_aws` need `AWS_ENDPOINT_URL` unset.
        """
        return boto3.session.Session().client(
            service,
            endpoint_url=self.moto,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def staff_pool(self) -> tuple[str, str]:
        """The staff user pool's id and its app client's id, as the start-up summary names them."""
        found = _SIGN_IN_HEADING.search(self.log_text())
        assert found is not None, "the start-up summary names no Cognito pool"
        return found["pool"], found["client"]

    def log_text(self) -> str:
        """Everything the stack has printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_bytes(self) -> bytes:
        """Everything the stack has printed so far, raw."""
        return self.log_path.read_bytes()


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
