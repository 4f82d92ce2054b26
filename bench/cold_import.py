"""Cold import: a fresh interpreter importing the app vs one importing only boto3.

A Lambda cold start pays for `import app` before the first request. boto3 is the floor: the
app cannot talk to AWS without it, so a fresh `python -c "import boto3"` (interpreter start
included) is the least any handler can cost. Everything above that is the app's own import
work: chalice, pydantic models, the institution's configuration and so on. Both commands run
from the repository root with the same interpreter, alternately, after discarded warm-ups
(which also leave byte-code caches written, as a deployed package would have them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.stats import Row, median, p95, summary_ms

GOAL_RATIO = 1.8
REPEATS = 15
WARMUPS = 2
PROJECT_DIR = Path(__file__).resolve().parent.parent
COMMANDS = {"app": "import app", "boto3": "import boto3"}


def clean_environment() -> dict[str, str]:
    """This process's environment without app settings or AWS endpoints.

    Importing the app must build nothing, so it must not need `RS_*` settings; and an
    endpoint left over from a moto run must not change what either import does.
    """
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("RS_", "AWS_ENDPOINT_URL", "MOTO_"))
    }


def time_import(statement: str, env: dict[str, str]) -> float:
    """Wall time (seconds) of a fresh interpreter running `statement`."""
    start = perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", statement],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        check=False,
    )
    elapsed = perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{statement!r} failed:\n{result.stderr.decode(errors='replace')}")
    return elapsed


def run(repeats: int = REPEATS) -> tuple[list[Row], dict[str, Any]]:
    """Time both imports, interleaved; return the table row and raw figures."""
    env = clean_environment()
    print(f"  cold import: {repeats} interleaved pairs", file=sys.stderr, flush=True)
    for _ in range(WARMUPS):
        for statement in COMMANDS.values():
            time_import(statement, env)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeats):
        for name, statement in COMMANDS.items():
            samples[name].append(time_import(statement, env))
    app, floor = samples["app"], samples["boto3"]
    ratio = median(app) / median(floor)
    raw: dict[str, Any] = {
        "repeats": repeats,
        "warmups": WARMUPS,
        "app": summary_ms(app),
        "boto3": summary_ms(floor),
        "ratio": round(ratio, 3),
        "goal_ratio": GOAL_RATIO,
        "met": ratio <= GOAL_RATIO,
        "samples_ms": {
            name: [round(s * 1000, 3) for s in values] for name, values in samples.items()
        },
    }
    row = Row(
        benchmark="cold import (median ms)",
        measured=f"{median(app) * 1000:.0f} (p95 {p95(app) * 1000:.0f})",
        floor=f"{median(floor) * 1000:.0f} (p95 {p95(floor) * 1000:.0f})",
        ratio=f"{ratio:.2f}x",
        goal=f"<= {GOAL_RATIO:.1f}x",
        met=ratio <= GOAL_RATIO,
    )
    return [row], raw
