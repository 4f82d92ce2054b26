"""The arithmetic of the cost model (bench/cost.py) on a tiny literal example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cost import (
    PROPOSALS,
    Assumptions,
    Line,
    Stack,
    Usage,
    bill,
    item_size,
    read_units,
    runs_per_month,
    stack_from_templates,
    totals,
    write_units,
)

NOTHING = Usage(calls={}, invocations={}, write_units=0, read_units=0, emails=0)
SCENARIOS = (
    "anonymous_report",
    "anonymous_screening",
    "named_report",
    "named_casework",
    "retention_redaction",
    "retention_deletion",
    "sla_escalation",
)


def test_schedules_run_this_often_in_a_730_hour_month() -> None:
    assert runs_per_month("rate(5 minutes)") == 8_760
    assert runs_per_month("rate(1 hour)") == 730
    assert runs_per_month("rate(1 day)") == pytest.approx(30.4167, abs=1e-4)
    assert runs_per_month("cron(0/15 * * * ? *)") == pytest.approx(4 * 24 * 30.4)
    assert runs_per_month("cron(0 9 * * ? *)") == pytest.approx(30.4)


def test_item_sizes_and_request_units_follow_dynamodbs_rules() -> None:
    item = {"pk": {"S": "REPORT#1"}, "n": {"N": "123"}, "m": {"M": {"a": {"BOOL": True}}}}
    # pk: 2 + 8; n: 1 + (2 digit pairs + 1); m: 1 + (3 + "a" 1 + BOOL 1 + 1 per element)
    assert item_size(item) == 10 + 4 + 7
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert read_units(4097, consistent=False) == 1.0
    assert read_units(10, consistent=True) == 1.0


def test_a_line_costs_its_quantity_at_its_price_less_the_free_allowance() -> None:
    requests = Line("KMS", "requests", "kms_request", fixed=10_000, variable=20_000)

    assert requests.cost() == pytest.approx(0.09)  # 30,000 at $0.03 per 10,000
    assert requests.fixed_cost() == pytest.approx(0.03)
    assert requests.cost(free_tier=True) == pytest.approx(0.03)  # 20,000 free


def test_totals_split_fixed_per_report_and_waf() -> None:
    lines = [
        Line("KMS", "keys", "kms_key", fixed=4, variable=0),
        Line("WAF", "web ACL", "waf_web_acl", fixed=1, variable=0),
        Line("WAF", "requests", "waf_request", fixed=0, variable=1_000_000),
        Line("SES", "emails", "ses_email", fixed=0, variable=1_000),
    ]

    result = totals(lines)

    assert result.fixed == pytest.approx(9.0)
    assert result.variable == pytest.approx(0.70)
    assert result.with_waf == pytest.approx(9.70)
    assert result.without_waf == pytest.approx(4.10)


def test_a_tiny_bill_from_literal_counts() -> None:
    measured = {name: NOTHING for name in SCENARIOS}
    measured["anonymous_report"] = Usage(
        calls={"sqs.SendMessage": 1, "kms.GenerateDataKey": 1},
        invocations={"api": 1},
        write_units=2,
        read_units=1,
        emails=0,
    )
    stack = Stack(
        source="literal",
        keys=1,
        rotating_keys=1,
        alarm_metrics=3,
        custom_metrics=0,
        web_acls=0,
        waf_rules=0,
        schedules=(("redrive_outbox", "rate(1 hour)"),),
        polled_queues=1,
        memory_mb={"redriveoutbox": 1024},
        cognito_plan="LITE",
    )
    assume = Assumptions(named_share=0, escalations_per_report=0, staff_mau=0, key_age_years=3)

    every = bill(12, stack, measured, 1_000, assume)
    lines = {line.price: line for line in every}
    pollers, sqs_calls = (line for line in every if line.price == "sqs_request")

    # 730 scheduled runs a month and one report (12 a year): one API invocation.
    assert (lines["lambda_request"].fixed, lines["lambda_request"].variable) == (730, 1)
    # 730 runs x 1 GB x 1.5 s; the API at the 256 MB default for 1.0 s.
    assert lines["lambda_gb_s_x86_64"].fixed == pytest.approx(1_095)
    assert lines["lambda_gb_s_x86_64"].variable == pytest.approx(0.25)
    assert lines["apigw_rest_request"].cost() == pytest.approx(3.70e-6)
    assert lines["dynamodb_wru"].variable == 2
    # 5 pollers x 3 receives a minute x 43,800 minutes.
    assert pollers.fixed == 657_000
    assert pollers.cost() == pytest.approx(0.2628)
    assert sqs_calls.variable == 1  # the report's SendMessage (no batches in this example)
    assert lines["kms_key"].cost() == 1.0
    assert lines["kms_rotated_material"].cost() == 2.0  # year 3: two rotations billed
    assert lines["cloudwatch_alarm_metric"].cost() == pytest.approx(0.30)
    # 1,000 bytes a report, kept 36 months: 36 kB.
    assert lines["dynamodb_storage"].variable == pytest.approx(36_000 / 1e9)
    assert lines["waf_web_acl"].cost() == 0


def test_fixed_resources_are_counted_from_a_template(tmp_path: Path) -> None:
    def fn(memory: int) -> dict[str, Any]:
        return {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": memory}}

    resources: dict[str, Any] = {
        "IdentityKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "AuditKey": {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "HMAC_256"}},
        "Plain": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors"}},
        "Maths": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Metrics": [
                    {"Id": "a", "MetricStat": {}},
                    {"Id": "b", "MetricStat": {}},
                    {"Id": "e", "Expression": "a/b"},
                ]
            },
        },
        "Acl": {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {"Scope": "CLOUDFRONT", "Rules": [{}, {}, {}]},
        },
        "Every5": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "ScheduleExpression": "rate(5 minutes)",
                "Targets": [{"Arn": {"Fn::GetAtt": ["RedriveOutbox1234", "Arn"]}}],
            },
        },
        "RedriveOutbox1234": fn(512),
        "ApiHandler": fn(1024),
        "Mapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": {"Fn::GetAtt": ["TriageQueue", "Arn"]}},
        },
        "Given": {
            "Type": "AWS::Logs::MetricFilter",
            "Properties": {"MetricTransformations": [{"MetricName": "X"}]},
        },
    }
    path = tmp_path / "Stack.template.json"
    path.write_text(json.dumps({"Resources": resources}))

    stack = stack_from_templates([path])

    assert (stack.keys, stack.rotating_keys) == (2, 1)
    assert stack.functions == 2
    assert stack.alarm_metrics == 3
    assert (stack.web_acls, stack.waf_rules, stack.waf_scope) == (1, 3, "CLOUDFRONT")
    assert stack.schedules == (("RedriveOutbox1234", "rate(5 minutes)"),)
    assert stack.polled_queues == 1
    assert stack.custom_metrics == 1
    assert stack.memory("redrive_outbox") == 512
    assert stack.memory("api") == 1024


def test_the_defaults_are_the_stacks_synthesised_on_2026_12_01() -> None:
    # Counted from both templates (tests/infra/test_cost_defaults.py checks them against a
    # fresh synthesis): 12 functions (app.py's 9 events and schedules, AddStaffMember,
    # ManageStaffMember, RecordCognitoChange), errors and throttles alarmed for each, 2
    # dead-letter queues, notifications given up, API 5xx, sweep missed, and the three metrics
    # the functions publish (SealRefused, BlindIndexMismatch, AuditChainBroken).
    stack = Stack(schedules=(), memory_mb={})

    assert (stack.keys, stack.rotating_keys) == (5, 3)
    assert stack.functions == 12
    assert stack.alarm_metrics == 2 + 2 * 12 + 3 + 3 == 32
    assert (stack.custom_metrics, stack.web_acls, stack.waf_rules) == (1, 1, 4)
    assert (stack.polled_queues, stack.tables, stack.pitr) == (2, 7, True)


def test_account_wide_lambda_alarms_leave_two_metrics_for_all_functions() -> None:
    title, change = PROPOSALS[3]
    assert "account-wide" in title

    changed = change(Stack(schedules=(), memory_mb={}))

    assert changed.alarm_metrics == 32 - 24 + 2
