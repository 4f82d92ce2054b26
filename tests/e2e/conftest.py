"""The local stack, started once per session for the e2e tests (`running.running_stack`).

Its stdout and stderr go to a file so tests can scan the logs. At the end it is stopped with
SIGTERM, and must exit 0 within a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.running import RunningStack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The running local stack; stopped with SIGTERM at the end, which must exit 0."""
    with running_stack(tmp_path_factory.mktemp("devstack")) as running:
        yield running
