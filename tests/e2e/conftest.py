"""The local stack, started once per session as `python -m devstack` on free ports.

Its stdout and stderr go to a file so tests can scan the logs. At the end it is stopped with
SIGTERM, and must exit 0 within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.running import (
    PROJECT_DIR,
    SCHEDULE_SCALE,
    START_TIMEOUT_SECONDS,
    STOP_TIMEOUT_SECONDS,
    RunningStack,
    free_port,
)


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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The running local stack; stopped with SIGTERM at the end, which must exit 0."""
    port, moto_port, web_port = free_port(), free_port(), free_port()
    log_path = tmp_path_factory.mktemp("devstack") / "stack.log"
    command = [
        sys.executable, "-m", "devstack",
        "--port", str(port),
        "--moto-port", str(moto_port),
        "--web-port", str(web_port),
        "--schedule-scale", str(SCHEDULE_SCALE),
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
