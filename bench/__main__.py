"""Run the benchmarks: `python -m bench` for all, `python -m bench
import|intake|kms|latency|retention|insights|receipts|cold_start` for some.

`python -m bench cost [--template PATH] [--measure]` prints the modelled monthly AWS bill
instead (`bench/cost.py`; a model, not a timing, so it is never part of "all").
`python -m bench concurrency` loads `python -m devstack` with 200 reporters at once and then
5,000 requests (`bench/concurrency.py`; several minutes, so it is not part of "all" either).

Prints a table of each figure against its floor (measured in the same run) and its goal, and
writes the raw numbers to `bench/results/latest.json`. The cold-import benchmark runs first,
before moto is started and the environment is pointed at it, so its subprocesses start from
the same quiet state a deployment would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.stats import Row, format_table

#: In the order they run when all are asked for.
BENCHMARKS = (
    "import", "intake", "kms", "latency", "retention", "insights", "receipts", "cold_start",
    "concurrency",
)  # fmt: skip
#: Run only when named.
_ON_REQUEST = frozenset({"concurrency"})
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> list[str]:
    """The benchmarks asked for, in running order (all of them if none is named)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks whose figures are quoted in BENCHMARKS.md.",
    )
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="{import,intake,kms,latency,retention,insights,receipts,cold_start,concurrency}",
        help="run only these",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.benchmarks) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {BENCHMARKS}")
    wanted = set(args.benchmarks) or set(BENCHMARKS) - _ON_REQUEST
    return [name for name in BENCHMARKS if name in wanted]


def run(selected: list[str]) -> tuple[list[Row], dict[str, Any]]:
    """Run the selected benchmarks; return the table rows and the raw figures."""
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    if "import" in selected:
        from bench import cold_import

        new_rows, raw["cold_import"] = cold_import.run()
        rows += new_rows
    if "intake" in selected or "kms" in selected:
        # Loaded only now: the import benchmark above should run with as little of this
        # process's memory and threads in the way as possible.
        from bench import intake, kms
        from bench.local_aws import LocalAws

        with LocalAws() as local:
            if "intake" in selected:
                new_rows, raw["intake"] = intake.run(local)
                rows += new_rows
            if "kms" in selected:
                new_rows, raw["kms"] = kms.run(local)
                rows += new_rows
    if "latency" in selected:
        # The whole local stack, in this process, on its own moto server.
        from bench import notify_latency

        new_rows, raw["latency"] = notify_latency.run()
        rows += new_rows
    if "retention" in selected:
        from bench import retention
        from bench.local_aws import LocalAws

        with LocalAws() as local:
            new_rows, raw["retention"] = retention.run(local)
            rows += new_rows
    if "insights" in selected:
        # In-process moto (mock_aws) of its own: counters from 500 and 50,000 reports.
        from bench import insights

        new_rows, raw["insights"] = insights.run()
        rows += new_rows
    if "receipts" in selected:
        # In-process moto (mock_aws) of its own: codes that open nothing, timed alike.
        from bench import receipts

        new_rows, raw["receipts"] = receipts.run()
        rows += new_rows
    if "cold_start" in selected:
        # The Lambda package, built and unpacked; each side in fresh interpreters against a
        # moto server of its own.
        from bench import cold_start

        new_rows, raw["cold_start"] = cold_start.run()
        rows += new_rows
    if "concurrency" in selected:
        # `python -m devstack` in a process of its own, over HTTP, as a developer runs it.
        from bench import concurrency

        new_rows, raw["concurrency"] = concurrency.run()
        rows += new_rows
    return rows, raw


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the JSON; 0 even when a goal is missed (that is a figure)."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["cost"]:
        from bench import cost

        return cost.main(given[1:])
    selected = parse_args(argv)
    started = datetime.now(UTC)
    start = perf_counter()
    print(f"running: {', '.join(selected)}", file=sys.stderr, flush=True)
    rows, raw = run(selected)
    elapsed = perf_counter() - start
    print()
    print(format_table(rows))
    print(f"\n{elapsed:.0f} s on {os.cpu_count()} CPUs, Python {platform.python_version()}")
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "benchmarks_run": selected,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "system": platform.system(),
            "machine": platform.machine(),
        },
        "table": [asdict(row) for row in rows],
        "results": raw,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"raw figures: bench/results/{RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
