"""Intake overhead: one report submitted through the real API stack vs the bare AWS calls it makes.

Measured: the wall time of `POST /reports` through chalice's in-process test client, the
routing, body parsing, validation against the form, sealing, the DynamoDB transaction and
the triage message, with the data-key cache warm (the steady state of a warm Lambda).

Floor: the AWS operations that same submission makes, issued with plain boto3 clients on
the same moto server in the same run. They are captured from a real submission (operation
names with a `before-call` hook, their parameters with `provide-client-params`), so the
floor sends byte-for-byte what the app sends, except that the report id, submission id and
reference are replaced with fresh ones each time so the write conditions pass and moto runs
the same code path as for a new report. The ratio is therefore what the app costs on top of
the round trips it cannot avoid. Against real AWS, where each round trip takes milliseconds
rather than moto's fraction of one, the same overhead would weigh less.

Runs are interleaved (submission, floor, submission, floor, ...) so that whatever else the
machine is doing affects both sides alike; the figures are medians.
"""

from __future__ import annotations

import copy
import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from chalice.test import Client

from bench.local_aws import LocalAws
from bench.stats import Row, median, p95, summary_ms
from chalicelib import services
from chalicelib.reports.reference import new_reference
from tests.factories import anonymous_submission, named_submission

GOAL_RATIO = 1.3
PAIRS = 200
WARMUP = 20
#: Pairs between drains of the queue and tables; keeps moto's per-table copy small.
DRAIN_EVERY = 20
PROJECT_DIR = Path(__file__).resolve().parent.parent
_JSON = {"Content-Type": "application/json"}

Factory = Callable[[], dict[str, Any]]
MODES: dict[str, Factory] = {"named": named_submission, "anonymous": anonymous_submission}


@dataclass(frozen=True)
class Call:
    """One AWS operation as the app made it."""

    service: str
    operation: str
    params: dict[str, Any]

    @property
    def name(self) -> str:
        """`service.Operation`, as printed."""
        return f"{self.service}.{self.operation}"


@dataclass
class CallRecorder:
    """Records the operations made through a botocore session, with their parameters.

    Handlers must be registered before the session builds a client: each client copies the
    session's event handlers when it is created.
    """

    operations: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def attach(self, session: Any) -> None:
        """Listen on `session` (before it builds any client)."""
        session.register("provide-client-params", self._on_params)
        session.register("before-call", self._on_call)

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.operations.clear()
        self.calls.clear()

    def _on_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        # Deep copy: the caller's dict is the one botocore goes on to use.
        self.calls.append(Call(model.service_model.service_name, model.name, copy.deepcopy(params)))

    def _on_call(self, model: Any, **_: Any) -> None:
        self.operations.append(f"{model.service_model.service_name}.{model.name}")


def post(client: Any, body: str) -> None:
    """Submit a report body; fail loudly unless it was accepted."""
    response = client.http.post("/reports", body=body, headers=_JSON)
    if response.status_code != 201:
        raise RuntimeError(f"submission refused: {response.status_code} {response.body!r}")


@dataclass
class Floor:
    """Replays captured calls on plain clients, with fresh ids in every replay."""

    steps: list[tuple[Callable[..., Any], Call]]
    report_id: str
    submission_id: str
    reference: str

    @classmethod
    def from_calls(cls, calls: list[Call], local: LocalAws) -> Floor:
        """Bind each captured call to the plain client's method for it."""
        steps: list[tuple[Callable[..., Any], Call]] = []
        for call in calls:
            client = local.client_for(call.service)
            methods = {api: method for method, api in client.meta.method_to_api_mapping.items()}
            steps.append((getattr(client, methods[call.operation]), call))
        report = report_item(calls)
        return cls(
            steps,
            report_id=report["report_id"]["S"],
            submission_id=report["submission_id"]["S"],
            reference=report["reference"]["S"],
        )

    def prepare(self) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
        """The calls with fresh ids, ready to run (built outside the timing)."""
        fresh = {
            self.report_id: uuid.uuid4().hex,
            self.submission_id: str(uuid.uuid4()),
            self.reference: new_reference(),
        }
        return [(method, substitute(call.params, fresh)) for method, call in self.steps]

    @staticmethod
    def run(prepared: list[tuple[Callable[..., Any], dict[str, Any]]]) -> None:
        """Make the calls, in the order the app made them."""
        for method, params in prepared:
            method(**params)


def report_item(calls: list[Call]) -> dict[str, Any]:
    """The report item a captured submission's transaction wrote (low-level shape)."""
    for call in calls:
        for write in call.params.get("TransactItems", []):
            item = write.get("Put", {}).get("Item", {})
            if item.get("sk", {}).get("S") == "REPORT":
                return dict(item)
    raise RuntimeError("the captured submission wrote no report item; cannot build a floor")


def substitute(value: Any, fresh: dict[str, str]) -> Any:
    """`value` with every `old` replaced by `new` in every string inside it."""
    if isinstance(value, str):
        for old, new in fresh.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: substitute(item, fresh) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, fresh) for item in value]
    return value


def capture(client: Any, factory: Factory, recorder: CallRecorder) -> list[Call]:
    """The calls one submission makes once the data-key cache is warm."""
    post(client, json.dumps(factory()))  # fills the data-key cache
    recorder.clear()
    post(client, json.dumps(factory()))
    made = [call.name for call in recorder.calls]
    if made != recorder.operations:
        raise RuntimeError(f"parameters {made} do not match calls {recorder.operations}")
    if any(call.operation == "GenerateDataKey" for call in recorder.calls):
        raise RuntimeError("the data-key cache did not stay warm between two submissions")
    return list(recorder.calls)


def measure_mode(
    client: Any, local: LocalAws, factory: Factory, floor: Floor, pairs: int
) -> tuple[list[float], list[float]]:
    """Interleaved wall times (seconds) of submissions and of their floor."""
    submissions: list[float] = []
    floors: list[float] = []
    local.drain()
    for _ in range(WARMUP):
        post(client, json.dumps(factory()))
        floor.run(floor.prepare())
    for index in range(pairs):
        if index % DRAIN_EVERY == 0:
            local.drain()
        body = json.dumps(factory())
        prepared = floor.prepare()
        start = perf_counter()
        post(client, body)
        middle = perf_counter()
        floor.run(prepared)
        end = perf_counter()
        submissions.append(middle - start)
        floors.append(end - middle)
    return submissions, floors


def run(local: LocalAws, pairs: int = PAIRS) -> tuple[list[Row], dict[str, Any]]:
    """Run the intake benchmark for both modes; return table rows and raw figures."""
    from app import app

    raw: dict[str, Any] = {"goal_ratio": GOAL_RATIO, "pairs": pairs, "warmup": WARMUP}
    rows: list[Row] = []
    with Client(app, project_dir=str(PROJECT_DIR)) as client:
        services.reset()
        recorder = CallRecorder()
        recorder.attach(services.botocore_session())
        captured = {mode: capture(client, factory, recorder) for mode, factory in MODES.items()}
        # A fresh session without the recorder: timed submissions must not pay for it.
        services.reset()
        for mode, factory in MODES.items():
            print(f"  intake {mode}: {pairs} interleaved pairs", file=sys.stderr, flush=True)
            floor = Floor.from_calls(captured[mode], local)
            submissions, floors = measure_mode(client, local, factory, floor, pairs)
            ratio = median(submissions) / median(floors)
            raw[mode] = {
                "operations": [call.name for call in captured[mode]],
                "submission": summary_ms(submissions),
                "floor": summary_ms(floors),
                "ratio": round(ratio, 3),
                "ratio_p95": round(p95(submissions) / p95(floors), 3),
                "overhead_ms": round((median(submissions) - median(floors)) * 1000, 3),
                "met": ratio <= GOAL_RATIO,
                "samples_ms": {
                    "submission": [round(s * 1000, 4) for s in submissions],
                    "floor": [round(s * 1000, 4) for s in floors],
                },
            }
            rows.append(
                Row(
                    benchmark=f"intake {mode} (median ms)",
                    measured=_ms(submissions),
                    floor=_ms(floors),
                    ratio=f"{ratio:.2f}x",
                    goal=f"<= {GOAL_RATIO:.1f}x",
                    met=ratio <= GOAL_RATIO,
                )
            )
    return rows, raw


def _ms(samples: list[float]) -> str:
    return f"{median(samples) * 1000:.1f} (p95 {p95(samples) * 1000:.1f})"
