"""A deployment has no clock to move (issue 16): the movable clock is the local stack's only.

The deployed app is `app.py` and `chalicelib/`; no module of either imports `devstack`, no
setting names a clock, and in a fresh process the app's clock is the system clock whatever
the environment says. (The request side is `tests/api/test_no_clock_in_a_deployment.py`; the
Lambda package's contents are `tests/infra/test_lambda_package.py`.)
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from chalicelib import services
from chalicelib.settings import ENV_PREFIX, Settings
from devstack.clock import MovableClock

ROOT = Path(__file__).resolve().parents[2]
#: Variables someone might hope would move a deployed app's clock.
HOPEFUL_ENVIRONMENT = {
    "RS_CLOCK": "devstack.clock.MovableClock",
    "RS_CLOCK_OFFSET": "+30d",
    "RS_NOW": "2030-01-01T00:00:00Z",
    "RS_TIME_OFFSET_SECONDS": "2592000",
    "FAKETIME": "+30d",
}


def imports_of(path: Path) -> set[str]:
    """Every module name `path` imports (top-level package of each)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def deployed_sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]


def test_no_module_of_the_deployed_app_imports_devstack() -> None:
    importing = [p.relative_to(ROOT) for p in deployed_sources() if "devstack" in imports_of(p)]

    assert len(deployed_sources()) > 100
    assert importing == []
    # The scan sees such imports where they are: the local stack's own wiring.
    assert "devstack" in imports_of(ROOT / "devstack" / "stack.py")


def test_no_setting_names_a_clock_and_none_can_be_added() -> None:
    timeish = [
        name
        for name in Settings.model_fields
        if any(word in name for word in ("clock", "offset", "now", "time_travel", "fake"))
    ]

    assert timeish == []
    assert Settings.model_config["extra"] == "forbid"
    with pytest.raises(ValidationError, match="clock_offset"):
        Settings(**_minimal_settings(), clock_offset="+30d")  # type: ignore[call-arg]
    # The same values without the made-up field are a valid Settings.
    assert Settings(**_minimal_settings()).region == "eu-west-2"


def test_settings_read_from_the_environment_ignore_clock_variables() -> None:
    environment = {ENV_PREFIX + k.upper(): v for k, v in _minimal_settings().items()}

    with_hopes = Settings.from_environment({**environment, **HOPEFUL_ENVIRONMENT})

    assert with_hopes == Settings.from_environment(environment)


def test_in_a_fresh_process_the_app_clock_is_the_system_clock_whatever_the_environment() -> None:
    probe = (
        "import sys, app\n"
        "from datetime import UTC, datetime\n"
        "from chalicelib import services\n"
        "clock = services.clock()\n"
        "drift = abs((clock.now() - datetime.now(UTC)).total_seconds())\n"
        "print(type(clock).__module__, type(clock).__name__, drift < 5,"
        " any(m.startswith('devstack') for m in sys.modules))\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith((ENV_PREFIX, "AWS_ENDPOINT_URL"))
    }
    environment |= {ENV_PREFIX + k.upper(): v for k, v in _minimal_settings().items()}

    answer = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**environment, **HOPEFUL_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert answer.stdout.split() == ["chalicelib.clock", "SystemClock", "True", "False"]


def test_in_this_process_the_local_stack_installs_a_movable_clock_and_it_is_the_app_clock() -> None:
    moved = MovableClock(lambda: datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    moved.set_offset(timedelta(days=30))
    try:
        services.reset(clock=moved)

        assert services.clock() is moved
        assert services.clock().now() == datetime(2026, 12, 20, 10, 30, tzinfo=UTC)
        # Cognito's times are never moved: revocations are stamped on the real clock.
        assert type(services.identity_clock()).__name__ == "SystemClock"
    finally:
        services.reset()
    assert type(services.clock()).__name__ == "SystemClock"


def _minimal_settings() -> dict[str, str]:
    return {
        "region": "eu-west-2",
        **{
            name: f"x-{name}"
            for name, field in Settings.model_fields.items()
            if field.is_required() and name != "region"
        },
    }
