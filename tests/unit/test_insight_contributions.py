"""What a report contributes to the statistics, the read side's arithmetic, and who may
open demographics."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from typing import Any, get_args

import pytest

from chalicelib.cases.models import Outcome
from chalicelib.errors import InvalidInput
from chalicelib.insights.contributions import (
    BUCKET_EDGES,
    counter_keys,
    demographic_cell,
    demographic_rows,
    hours_bucket,
    month_of,
)
from chalicelib.insights.reading import Period, median_from_histogram, parse_period, to_csv
from chalicelib.institution import load_institution
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.insights_table import counter_item, split_key

ROOT = Path(__file__).resolve().parents[2]
TZ = "Europe/London"


def report(**overrides: Any) -> CaseItem:
    """A triaged named report, as the job reads it."""
    item: dict[str, Any] = {
        "report_id": "r1",
        "reference": "RS-TEST-0001",
        "version": 2,
        "mode": "named",
        "status": "awaiting_screening",
        "submitted_at": "2026-11-20T10:30:00.000Z",
        "team_id": "student_support",
        "answers": {
            "reporter_role": "student",
            "what_happened": ["bullying", "stalking"],
            "where": "on_campus",
            "campus_area": "library",
        },
    }
    item.update(overrides)
    return CaseItem.from_item(item)


def test_a_new_case_counts_its_answers_team_and_the_open_caseload() -> None:
    assert counter_keys(report(), TZ) == {
        "COUNTS#2026-11|reports#all",
        "COUNTS#2026-11|mode#named",
        "COUNTS#2026-11|reporter_role#student",
        "COUNTS#2026-11|behaviour#bullying",
        "COUNTS#2026-11|behaviour#stalking",
        "COUNTS#2026-11|location#on_campus:library",
        "COUNTS#2026-11|team#student_support",
        "CURRENT|caseload#student_support",
    }


def test_a_closed_case_counts_its_outcome_and_leaves_the_caseload() -> None:
    keys = counter_keys(report(status="closed", outcome="formal_complaint"), TZ)
    assert "COUNTS#2026-11|outcome#formal_complaint" in keys
    assert not [key for key in keys if key.startswith("CURRENT|")]


def test_a_reopened_case_keeps_no_outcome() -> None:
    keys = counter_keys(report(status="reopened", outcome="formal_complaint"), TZ)
    assert not [key for key in keys if "outcome#" in key]
    assert "CURRENT|caseload#student_support" in keys


@pytest.mark.parametrize(
    ("contacted", "met", "bucket"),
    [
        ("2026-11-20T11:00:00.000Z", "met", "0000"),
        ("2026-11-21T06:45:00.000Z", "met", "0020"),
        ("2026-11-25T10:30:00.000Z", "missed", "0120"),
    ],
)
def test_first_contact_counts_met_or_missed_and_its_hours(
    contacted: str, met: str, bucket: str
) -> None:
    keys = counter_keys(
        report(first_contact_at=contacted, first_contact_due="2026-11-24T17:00:00.000Z"), TZ
    )
    assert f"COUNTS#2026-11|first_contact#{met}" in keys
    assert f"COUNTS#2026-11|first_contact_hours#{bucket}" in keys


def test_a_reports_counters_live_in_two_items_its_month_and_the_caseload() -> None:
    keys = counter_keys(
        report(
            first_contact_at="2026-11-21T06:45:00.000Z",
            first_contact_due="2026-11-24T17:00:00.000Z",
        ),
        TZ,
    )

    items = {tuple(counter_item(split_key(key)[0]).values()) for key in keys}

    assert items == {("COUNTS#2026-11", "MONTH"), ("CURRENT", "CASELOAD")}
    assert split_key("COUNTS#2026-11|location#on_campus:library") == (
        "COUNTS#2026-11",
        "location#on_campus:library",
    )


#: DynamoDB's item size limit, and a number's largest size (38 significant digits).
ITEM_LIMIT_BYTES = 400 * 1024
NUMBER_BYTES = 21


def full_month_item_bytes() -> int:
    """The size of a month item holding every counter the default institution can produce,
    each number taken at its largest, counted as DynamoDB sizes items (names + values)."""
    institution = load_institution()
    form = institution.form

    def options(question_id: str) -> list[str]:
        question = form.question(question_id)
        assert question is not None
        return [option.id for option in question.options]

    routing = institution.triage.routing
    teams = {routing.fallback_team, *routing.by_role.values()}
    teams |= {override.team for override in routing.overrides}
    places = ["off_campus"]
    places += [f"on_campus:{area}" for area in options("campus_area")]
    places += [f"online:{platform}" for platform in options("online_platform")]
    behaviours = options("what_happened")
    counters = [
        "reports#all",
        "mode#anonymous",
        "mode#named",
        *(f"reporter_role#{role}" for role in options("reporter_role")),
        *(f"behaviour#{behaviour}" for behaviour in behaviours),
        *(f"location#{place}" for place in places),
        *(f"team#{team}" for team in teams),
        *(f"outcome#{outcome}" for outcome in get_args(Outcome)),
        "first_contact#met",
        "first_contact#missed",
        *(f"first_contact_hours#{hours_bucket(edge)}" for edge in (0, *BUCKET_EDGES)),
        *(
            demographic_cell(f"demographic#{question.id}#{option.id}", behaviour)
            for question in form.demographic_questions
            for option in question.options
            for behaviour in behaviours
        ),
    ]
    assert len(set(counters)) == len(counters)
    key = sum(len(name) + len(value) for name, value in counter_item("COUNTS#2026-11").items())
    return key + sum(len(name.encode()) + NUMBER_BYTES for name in counters)


def test_a_month_with_every_counter_at_its_largest_is_far_below_the_item_limit() -> None:
    # With the default form: 477 counters (342 demographic cells); 29,142 bytes, 7 % of it.
    assert full_month_item_bytes() < ITEM_LIMIT_BYTES / 10


def test_the_month_is_the_institutions_not_utcs() -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    assert month_of("2026-05-31T23:30:00.000Z", TZ) == "2026-06"
    assert month_of("2026-12-31T23:30:00.000Z", TZ) == "2026-12"


def test_an_untriaged_anonymous_report_counts_no_team_and_no_caseload() -> None:
    keys = counter_keys(report(mode="anonymous", status="awaiting_triage", team_id=None), TZ)
    assert "COUNTS#2026-11|mode#anonymous" in keys
    assert not [key for key in keys if "team#" in key or key.startswith("CURRENT")]


def test_demographic_rows_cross_known_answers_with_each_behaviour() -> None:
    form = load_institution().form
    rows = demographic_rows(
        {"gender": "woman", "age_band": "not_an_option", "unknown_question": "x"},
        {"what_happened": ["stalking", "bullying"]},
        form,
    )
    assert rows == {"demographic#gender#woman": ["bullying", "stalking"]}


def test_hours_buckets_are_hourly_for_two_days_then_coarser() -> None:
    assert [hours_bucket(h) for h in (0, 0.99, 1, 47.5, 48, 53.9, 54, 200, 5000)] == [
        "0000",
        "0000",
        "0001",
        "0047",
        "0048",
        "0048",
        "0054",
        "0192",
        "0720",
    ]


def test_the_median_is_interpolated_within_its_bucket() -> None:
    assert median_from_histogram([]) is None
    assert median_from_histogram([("0020", 1)]) == 20.5
    # Four cases: the median lies halfway through the second bucket's two cases.
    assert median_from_histogram([("0002", 1), ("0010", 2), ("0030", 1)]) == 10.5


def test_a_period_defaults_to_twelve_months_and_is_bounded() -> None:
    assert parse_period({}, "2026-03") == Period("2025-04", "2026-03")
    assert parse_period({"to": "2026-01"}, "2026-03").months()[0] == "2025-02"
    assert len(Period("2024-01", "2026-12").months()) == 36
    with pytest.raises(InvalidInput) as refused:
        parse_period({"from": "2024-01", "to": "2027-01", "x": "1"}, "2026-03")
    assert [p.field for p in refused.value.problems] == ["x"]


def test_the_csv_writes_suppressed_values_as_suppressed_and_defuses_formulas() -> None:
    answer = {
        "period": {"from": "2026-01", "to": "2026-12"},
        "suppression_threshold": 5,
        "counted_until": None,
        "total_reports": 9,
        "counts": [
            {
                "dimension": "team",
                "label": "Team",
                "values": [{"value": "t", "label": "=HYPERLINK(1)", "count": 9}],
            }
        ],
        "first_contact": {"cases": 0, "median_hours": None, "within_two_working_days": None},
        "caseload": [],
        "demographic_periods": [
            {
                "from": "2025-08",
                "to": "2026-07",
                "label": "August 2025 to July 2026",
                "published": True,
                "published_from": "2026-09-01",
            }
        ],
        "demographics": [
            {
                "period": {"from": "2025-08", "to": "2026-07", "label": "August 2025 to July 2026"},
                "question": "gender",
                "label": "Gender",
                "by": "behaviour",
                "rows": [{"value": "woman", "label": "Woman"}],
                "columns": [{"value": "bullying", "label": "Bullying"}],
                "cells": [[None]],
                "row_totals": [None],
                "column_totals": [None],
                "total": None,
            }
        ],
    }
    rows = list(csv.DictReader(io.StringIO(to_csv(answer))))
    team = next(r for r in rows if r["table"] == "team")
    assert team["row_label"] == "'=HYPERLINK(1)"
    gender = [(r["value"], r["period"]) for r in rows if r["table"] == "demographics:gender"]
    assert gender == [("suppressed", "2025-08/2026-07")] * 4


def _calls_of(name: str, path: Path) -> list[str]:
    """The functions of a module (dotted by class) that call `name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name | ast.Attribute)
                    and (getattr(inner.func, "id", None) or getattr(inner.func, "attr", None))
                    == name
                ):
                    found.append(node.name)
    return found


def test_only_the_insights_job_is_built_with_the_reader_of_demographics() -> None:
    sources = [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]
    callers = {
        str(path.relative_to(ROOT)): calls
        for path in sources
        if (calls := _calls_of("insight_reader", path))
    }
    assert callers == {"chalicelib/services.py": ["insights_job"]}
    job_callers = {
        str(path.relative_to(ROOT)): calls
        for path in sources
        if (calls := _calls_of("insights_job", path))
    }
    assert job_callers == {"app.py": ["build_insights"]}
