"""The running local stack as the e2e and browser tests see it: starting and stopping it,
its addresses, clients and log."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from devstack.demo import DEMO_PASSWORD

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
    #: The clock control's port on 127.0.0.1 (`python -m devstack.clock --port`).
    clock_port: int = 0

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

    def access_token(self, username: str) -> str:
        """An access token for a demo member, from the stack's Cognito app client."""
        _, client_id = self.staff_pool()
        answer = self.client("cognito-idp").initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
        )
        return str(answer["AuthenticationResult"]["AccessToken"])

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


def _stack_environment() -> dict[str, str]:
    # The stack sets its own AWS variables; nothing from this process may point it elsewhere.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_ENDPOINT_URL", "RS_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"devstack exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    process.kill()
    pytest.fail(f"devstack did not answer /health in {START_TIMEOUT_SECONDS} s")


@contextlib.contextmanager
def running_stack(log_dir: Path, *arguments: str) -> Iterator[RunningStack]:
    """`python -m devstack` on free ports, its output in `log_dir/stack.log`, until the end of
    the block; then stopped with SIGTERM, which must exit 0 within a few seconds.
    `arguments` are more options (e.g. `--demo`)."""
    port, moto_port, web_port, clock_port = free_port(), free_port(), free_port(), free_port()
    log_path = log_dir / "stack.log"
    command = [
        sys.executable, "-m", "devstack",
        "--port", str(port),
        "--moto-port", str(moto_port),
        "--web-port", str(web_port),
        "--clock-port", str(clock_port),
        "--schedule-scale", str(SCHEDULE_SCALE),
        *arguments,
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            cwd=PROJECT_DIR,
            env=_stack_environment(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    running = RunningStack(
        api=f"http://127.0.0.1:{port}",
        web=f"http://127.0.0.1:{web_port}",
        moto=f"http://127.0.0.1:{moto_port}",
        log_path=log_path,
        process=process,
        clock_port=clock_port,
    )
    try:
        _wait_for_health(running.api, process, log_path)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"devstack did not stop within {STOP_TIMEOUT_SECONDS} s of SIGTERM")
    assert process.returncode == 0, f"devstack exited {process.returncode}:\n{running.log_text()}"
