"""The cost model's defaults (bench/cost.py `Stack()`) are what the stacks synthesise to."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from bench.cost import REPORTS_PER_YEAR, Stack, bill, runs_per_month, stack_from_templates, totals

from .conftest import Synthesised


def test_the_cost_models_defaults_agree_with_the_synthesised_templates(
    synthesised: Synthesised, tmp_path: Path
) -> None:
    paths = []
    for name, template in (("main", synthesised.main), ("edge", synthesised.edge)):
        paths.append(tmp_path / f"{name}.template.json")
        paths[-1].write_text(json.dumps(template))
    counted = stack_from_templates(paths)
    defaults = Stack()

    for field in fields(Stack):
        if field.name in ("source", "schedules", "memory_mb"):
            continue
        assert getattr(counted, field.name) == getattr(defaults, field.name), field.name
    assert sorted(runs_per_month(e) for _, e in counted.schedules) == sorted(
        runs_per_month(e) for _, e in defaults.schedules
    )
    assert counted.memory_mb == defaults.memory_mb
    for reports in REPORTS_PER_YEAR:
        assert totals(bill(reports, counted)).with_waf == pytest.approx(
            totals(bill(reports, defaults)).with_waf, abs=0.005
        )
