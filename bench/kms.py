"""KMS requests per 1,000 submissions, counted where they are made.

Every AWS client the app has, including the ones aws-encryption-sdk builds for itself,
comes from one botocore session (`services.botocore_session()`), so a `before-call` hook
on that session sees every KMS request the app makes. Each mode starts with
`services.reset()`, so the data-key cache starts cold as in a fresh Lambda container.

Floor: the requests that cannot be avoided. A named report needs one `GenerateMac` for the
email's blind index (the HMAC key never leaves KMS), so 1,000 per 1,000; an anonymous
report needs none beyond an occasional data key. The goals allow a handful of data keys
on top (`GenerateDataKey` once per `seal_cache_max_messages` seals or per cache lifetime).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from time import perf_counter
from typing import Any

from chalice.test import Client

from bench.intake import MODES, Factory, post
from bench.local_aws import LocalAws
from bench.stats import Row
from chalicelib import services

SUBMISSIONS = 1000
#: KMS requests allowed per 1,000 submissions, and the unavoidable ones.
GOALS = {"anonymous": 10, "named": 1010}
FLOORS = {"anonymous": 0, "named": 1000}
#: Submissions between drains of the queue and tables (moto slows as its tables grow).
DRAIN_EVERY = 100
PROJECT_DIR = Path(__file__).resolve().parent.parent


def count_requests(
    client: Any, local: LocalAws, factory: Factory, submissions: int
) -> Counter[str]:
    """AWS requests (`service.Operation` -> count) made by `submissions` submissions."""
    services.reset()
    counts: Counter[str] = Counter()

    def on_call(model: Any, **_: Any) -> None:
        counts[f"{model.service_model.service_name}.{model.name}"] += 1

    # Registered before any client exists: clients copy the session's handlers when built.
    services.botocore_session().register("before-call", on_call)
    for index in range(submissions):
        if index % DRAIN_EVERY == 0:
            local.drain()
        post(client, json.dumps(factory()))
    return counts


def run(local: LocalAws, submissions: int = SUBMISSIONS) -> tuple[list[Row], dict[str, Any]]:
    """Count KMS requests for anonymous, then named submissions; return rows and raw figures."""
    from app import app

    raw: dict[str, Any] = {"submissions": submissions}
    rows: list[Row] = []
    with Client(app, project_dir=str(PROJECT_DIR)) as client:
        for mode in ("anonymous", "named"):
            print(f"  kms {mode}: {submissions} submissions", file=sys.stderr, flush=True)
            start = perf_counter()
            counts = count_requests(client, local, MODES[mode], submissions)
            elapsed = perf_counter() - start
            kms = {name: n for name, n in sorted(counts.items()) if name.startswith("kms.")}
            per_1000 = sum(kms.values()) * 1000 / submissions
            goal, floor = GOALS[mode], FLOORS[mode]
            raw[mode] = {
                "kms_requests": sum(kms.values()),
                "kms_per_1000": per_1000,
                "kms_by_operation": kms,
                "all_requests": dict(sorted(counts.items())),
                "floor_per_1000": floor,
                "goal_per_1000": goal,
                "met": per_1000 <= goal,
                "wall_s": round(elapsed, 3),
            }
            rows.append(
                Row(
                    benchmark=f"kms {mode} (requests/1k)",
                    measured=f"{per_1000:,.0f} ({_breakdown(kms)})",
                    floor=f"{floor:,}",
                    ratio=f"{per_1000 / floor:.3f}x" if floor else "-",
                    goal=f"<= {goal:,}",
                    met=per_1000 <= goal,
                )
            )
    return rows, raw


def _breakdown(kms: dict[str, int]) -> str:
    return ", ".join(f"{name.removeprefix('kms.')} {n}" for name, n in kms.items()) or "none"
