"""The monthly AWS bill, modelled from counted calls and the resources the stack creates.

`python -m bench cost` prints the bill at 2,000 and 50,000 reports a year, by line item,
fixed and per-report, with and without the WAF web ACL, then the proposals of
`docs/cost.md` with their effect. Options:

- `--template PATH`: count the stack's fixed resources (keys, alarm metrics, WAF rules,
  schedules, tables, polled queues, function memory) from a synthesised CloudFormation
  template (JSON). Without it the newest `infra/cdk.out/*.template.json` is used if there is
  one, else the defaults below (`Stack()`), which the output names.
- `--measure`: run the scenarios again in-process against moto (`mock_aws`, as the API
  tests do), print what they count, and exit 1 if any count differs from `MEASURED` (the
  inputs the model uses). Exit 0 means the model's inputs are still what the code does.

What is counted: every botocore API call the app makes, by service and operation, through a
handler on `services.botocore_session()` (every client of the app and of the encryption SDK
comes from that session). Each phase starts with `services.reset()`, i.e. a fresh Lambda
container with a cold data-key cache: at 2,000 reports a year almost every invocation is
cold, so that is the honest case. The harness's own calls (provisioning, sign-ins, the
receive/delete that stands in for Lambda's SQS poller) are not counted; the poller is
modelled on its own (`POLLERS_PER_QUEUE`). DynamoDB request units are worked out from the
sizes of the items each call writes or reads (AWS's item-size rules; moto's consumed
capacity is fake): a write by the larger of the item before and after, reads by the items
returned (a projection or filter can make that an under-estimate of at most a few units).

Prices are list prices for eu-west-2 (London) as assumed on `PRICE_DATE`; every one is
"list price as published by AWS; check before budgeting". Figures are US dollars a month.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION = "eu-west-2"
#: The date the price table is assumed to hold for. Check each price before budgeting.
PRICE_DATE = "2026-12-01"
HOURS_PER_MONTH = 730  # AWS's own convention for a month
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
REPORTS_PER_YEAR = (2_000, 50_000)

# --- prices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """One list price: dollars per `unit`; `free` units a month under AWS's always-free tier."""

    usd: float
    unit: str
    free: float = 0.0
    note: str = ""


_CHECK = "list price as published by AWS; check before budgeting"

#: eu-west-2 (London) list prices assumed on PRICE_DATE. Every entry: _CHECK.
#: "unsure" marks a figure recalled rather than known well; the model's totals do not hang
#: on any of them (the big items are KMS keys, WAF and alarms, which are the same everywhere).
PRICES: dict[str, Price] = {
    "lambda_request": Price(0.20 / 1e6, "request", 1_000_000),
    "lambda_gb_s_x86_64": Price(0.0000166667, "GB-second", 400_000),
    "lambda_gb_s_arm64": Price(0.0000133334, "GB-second", 400_000),
    # REST API, first 333 million a month. unsure: London may be $3.50 like Ireland.
    "apigw_rest_request": Price(3.70 / 1e6, "request", note="unsure: London tier"),
    # On-demand, standard table class, after AWS's November 2024 halving of on-demand prices.
    "dynamodb_wru": Price(0.7425 / 1e6, "write request unit", note="unsure: London rate"),
    "dynamodb_rru": Price(0.1485 / 1e6, "read request unit", note="unsure: London rate"),
    "dynamodb_storage": Price(0.2972, "GB-month", 25, note="unsure: London rate"),
    "dynamodb_pitr": Price(0.2376, "GB-month", note="unsure: London rate"),
    "sqs_request": Price(0.40 / 1e6, "request (64 KB chunk)", 1_000_000),
    "kms_key": Price(1.00, "key-month"),
    # From the first and the second automatic rotation on, each adds $1/month to its key;
    # later rotations are free (KMS pricing since 2024). HMAC keys cannot rotate automatically.
    "kms_rotated_material": Price(1.00, "key material version-month (2nd and 3rd only)"),
    "kms_request": Price(0.03 / 10_000, "request", 20_000),
    "ses_email": Price(0.10 / 1_000, "email (each recipient)"),
    "cloudwatch_alarm_metric": Price(0.10, "standard-resolution alarm metric-month", 10),
    "cloudwatch_composite_alarm": Price(0.50, "composite alarm-month"),
    "cloudwatch_custom_metric": Price(0.30, "metric-month (metric filters)", 10),
    "cloudwatch_dashboard": Price(3.00, "dashboard-month", 3),
    "cloudwatch_logs_ingest": Price(0.5985, "GB ingested", 5, note="unsure: London rate"),
    "cloudwatch_logs_storage": Price(0.0315, "GB-month stored", note="unsure: London rate"),
    "eventbridge_schedule": Price(0.0, "scheduled rule invocation (free)"),
    # Essentials feature plan; the first 10,000 MAUs of Lite and Essentials are free (a
    # standing tier of Cognito's price list, not a 12-month offer). Plus has no free tier.
    "cognito_mau_essentials": Price(0.015, "monthly active user", 10_000),
    "cognito_mau_lite": Price(0.0055, "monthly active user", 10_000),
    "cognito_mau_plus": Price(0.020, "monthly active user"),
    "s3_storage": Price(0.024, "GB-month"),
    "s3_get": Price(0.00042 / 1_000, "GET request"),
    # Pay-as-you-go, Europe edge locations. (CloudFront's flat-rate plans of late 2025 are
    # not modelled: see docs/cost.md.)
    "cloudfront_https_request": Price(0.0120 / 10_000, "HTTPS request", 10_000_000),
    "cloudfront_transfer_out": Price(0.085, "GB out to the internet", 1_000),
    "waf_web_acl": Price(5.00, "web ACL-month"),
    "waf_rule": Price(1.00, "rule-month (a managed rule group counts as one)"),
    "waf_request": Price(0.60 / 1e6, "request inspected"),
}

# --- assumptions (stated, not measured) ----------------------------------------------------

#: Memory when neither the template nor infra/sizing.py names a function (every function is
#: named there, from measurement; 256 MB is the smallest size it gives).
DEFAULT_MEMORY_MB = 256
#: Billed seconds per invocation, conservative: at 2,000 reports a year nearly every
#: invocation starts a cold container, and since August 2025 Lambda bills the INIT phase.
BILLED_SECONDS: dict[str, float] = {
    "api": 1.0,
    "authorizer": 0.5,
    "on_triage_message": 1.5,
    "on_notify_message": 1.0,
    "schedule": 1.5,
}
#: Lambda's SQS event source for a standard queue long-polls with 5 pollers at all times
#: (20 s waits, so 3 ReceiveMessage a minute each) whether or not there are messages.
POLLERS_PER_QUEUE = 5
POLLS_PER_POLLER_MINUTE = 3
#: Half the reports named, half anonymous (the institution's mix will differ).
NAMED_SHARE = 0.5
#: Every report's clock is escalated once by sla_watch (conservative).
ESCALATIONS_PER_REPORT = 1.0
#: Staff who sign in in a month (screeners, advisors, analysts, admins).
STAFF_MAU = 30
#: Log bytes per invocation (START/END/REPORT lines and the app's JSON lines) and per API
#: access-log line; logs kept 90 days (so about 3 months' worth stored).
LOG_BYTES_PER_INVOCATION = 2_000
LOG_BYTES_PER_ACCESS_LINE = 400
LOG_MONTHS_STORED = 3
#: Static site: page views per submitted report (people who read and leave, plus the
#: reporter's own visits) and per case in the portal; requests and bytes per view.
FORM_VIEWS_PER_REPORT = 10
PORTAL_VIEWS_PER_CASE = 20
REQUESTS_PER_VIEW = 20
BYTES_PER_VIEW = 400_000
#: Crawlers and scanners on a public site, whatever the number of reports (requests/month).
BACKGROUND_REQUESTS = 30_000
STATIC_SITE_GB = 0.01
#: DynamoDB bills 100 bytes of overhead per item and per index entry.
ITEM_OVERHEAD_BYTES = 100
#: Reports are kept 3 years (then deleted; named cases are redacted earlier, not counted).
MONTHS_KEPT = 36

# --- measured inputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """What one scenario made the app do (counted, not guessed)."""

    #: "service.Operation" -> calls made by the app.
    calls: Mapping[str, float]
    #: Lambda function -> invocations ("api" for each API Gateway request, "authorizer" for
    #: each staff request: its result is cached 60 s, but not across a working session).
    invocations: Mapping[str, float]
    write_units: float
    read_units: float
    #: SES recipients (each is billed as one email).
    emails: float

    def scaled(self, factor: float) -> Usage:
        """This usage `factor` times (for shares and per-report averages)."""
        return Usage(
            calls={k: v * factor for k, v in self.calls.items()},
            invocations={k: v * factor for k, v in self.invocations.items()},
            write_units=self.write_units * factor,
            read_units=self.read_units * factor,
            emails=self.emails * factor,
        )

    def calls_to(self, service: str) -> float:
        """Calls to one service (e.g. "kms")."""
        return sum(n for name, n in self.calls.items() if name.split(".")[0] == service)

    def to_json(self) -> dict[str, Any]:
        """Plain data (sorted, rounded), as `--measure` prints it."""
        return {
            "calls": {k: _num(v) for k, v in sorted(self.calls.items())},
            "invocations": {k: _num(v) for k, v in sorted(self.invocations.items())},
            "write_units": _num(self.write_units),
            "read_units": _num(self.read_units),
            "emails": _num(self.emails),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usage:
        """The inverse of `to_json`."""
        return cls(
            calls=dict(data["calls"]),
            invocations=dict(data["invocations"]),
            write_units=float(data["write_units"]),
            read_units=float(data["read_units"]),
            emails=float(data["emails"]),
        )


def _num(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _summed(mappings: Iterator[Mapping[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            total[key] = total.get(key, 0.0) + value
    return total


def add(*usages: Usage) -> Usage:
    """The sum of usages."""
    return Usage(
        calls=_summed(u.calls for u in usages),
        invocations=_summed(u.invocations for u in usages),
        write_units=sum(u.write_units for u in usages),
        read_units=sum(u.read_units for u in usages),
        emails=sum(u.emails for u in usages),
    )


#: Counted by `python -m bench cost --measure` (in-process moto, 2026-11-20 clock).
#: Scenarios: the five jobs run once each with nothing to do; an anonymous report (POST,
#: triage, the screeners' alert; build_insights counting it, the audit checkpoint recording
#: its head) and its screening (queue, case, filed by the screener, as every report is by
#: default; counted and checkpointed again); a named report likewise and its casework
#: (screener: queue, case, advisors, assign; advisor: queue, reveal, contact log, note,
#: in_support, closed; the advisor's email; build_insights and the checkpoint after each
#: step, as if each step fell in another hour); one sla_watch escalation with its email; the
#: retention sweep redacting the named case and later deleting the reports (per report).
MEASURED_COUNTS: dict[str, dict[str, Any]] = {
    "idle.redrive_outbox": {
        "calls": {"dynamodb.Query": 2},
        "invocations": {"redrive_outbox": 1},
        "write_units": 0,
        "read_units": 1,
        "emails": 0,
    },
    "idle.sla_watch": {
        "calls": {"dynamodb.Query": 1},
        "invocations": {"sla_watch": 1},
        "write_units": 0,
        "read_units": 0.5,
        "emails": 0,
    },
    "idle.build_insights": {
        "calls": {
            "dynamodb.BatchGetItem": 4,
            "dynamodb.GetItem": 1,
            "dynamodb.PutItem": 3,
            "dynamodb.Query": 1,
            "dynamodb.UpdateItem": 1,
        },
        "invocations": {"build_insights": 1},
        "write_units": 4,
        "read_units": 1.5,
        "emails": 0,
    },
    "idle.retention_sweep": {
        "calls": {"dynamodb.Query": 2},
        "invocations": {"retention_sweep": 1},
        "write_units": 0,
        "read_units": 1,
        "emails": 0,
    },
    "idle.audit_checkpoint": {
        "calls": {"dynamodb.Query": 2},
        "invocations": {"audit_checkpoint": 1},
        "write_units": 0,
        "read_units": 1.5,
        "emails": 0,
    },
    "anonymous_report": {
        "calls": {
            "dynamodb.BatchGetItem": 2,
            "dynamodb.GetItem": 6,
            "dynamodb.PutItem": 3,
            "dynamodb.Query": 4,
            "dynamodb.TransactWriteItems": 3,
            "dynamodb.UpdateItem": 5,
            "kms.Decrypt": 1,
            "kms.GenerateDataKey": 1,
            "kms.GenerateMac": 4,
            "kms.VerifyMac": 2,
            "sesv2.SendEmail": 1,
            "sqs.SendMessage": 2,
        },
        "invocations": {
            "api": 1,
            "audit_checkpoint": 1,
            "build_insights": 1,
            "on_notify_message": 1,
            "on_triage_message": 1,
        },
        "write_units": 32,
        "read_units": 12.5,
        "emails": 1,
    },
    "anonymous_screening": {
        "calls": {
            "dynamodb.BatchGetItem": 2,
            "dynamodb.GetItem": 8,
            "dynamodb.PutItem": 2,
            "dynamodb.Query": 7,
            "dynamodb.TransactWriteItems": 2,
            "dynamodb.UpdateItem": 3,
            "kms.GenerateDataKey": 1,
            "kms.GenerateMac": 3,
            "kms.VerifyMac": 3,
        },
        "invocations": {"api": 3, "audit_checkpoint": 1, "authorizer": 3, "build_insights": 1},
        "write_units": 17,
        "read_units": 16,
        "emails": 0,
    },
    "named_report": {
        "calls": {
            "dynamodb.BatchGetItem": 2,
            "dynamodb.GetItem": 7,
            "dynamodb.PutItem": 3,
            "dynamodb.Query": 4,
            "dynamodb.TransactWriteItems": 4,
            "dynamodb.UpdateItem": 6,
            "kms.Decrypt": 2,
            "kms.GenerateDataKey": 2,
            "kms.GenerateMac": 5,
            "kms.VerifyMac": 2,
            "sesv2.SendEmail": 1,
            "sqs.SendMessage": 2,
        },
        "invocations": {
            "api": 1,
            "audit_checkpoint": 1,
            "build_insights": 1,
            "on_notify_message": 1,
            "on_triage_message": 1,
        },
        "write_units": 45,
        "read_units": 14.5,
        "emails": 1,
    },
    "named_casework": {
        "calls": {
            "dynamodb.BatchGetItem": 6,
            "dynamodb.GetItem": 34,
            "dynamodb.PutItem": 6,
            "dynamodb.Query": 33,
            "dynamodb.TransactWriteItems": 9,
            "dynamodb.UpdateItem": 9,
            "kms.Decrypt": 5,
            "kms.GenerateDataKey": 3,
            "kms.GenerateMac": 15,
            "kms.VerifyMac": 13,
            "sesv2.SendEmail": 1,
            "sqs.SendMessage": 1,
        },
        "invocations": {
            "api": 10,
            "audit_checkpoint": 3,
            "authorizer": 10,
            "build_insights": 3,
            "on_notify_message": 1,
        },
        "write_units": 105,
        "read_units": 67.5,
        "emails": 1,
    },
    "retention_redaction": {
        "calls": {
            "dynamodb.Query": 3,
            "dynamodb.TransactWriteItems": 2,
            "dynamodb.UpdateItem": 5,
            "kms.GenerateMac": 2,
            "kms.VerifyMac": 1,
        },
        "invocations": {"retention_sweep": 1},
        "write_units": 19,
        "read_units": 4,
        "emails": 0,
    },
    "retention_deletion": {
        "calls": {
            "dynamodb.BatchWriteItem": 3,
            "dynamodb.DeleteItem": 1,
            "dynamodb.Query": 3,
            "dynamodb.TransactWriteItems": 1,
            "kms.GenerateMac": 2,
            "kms.VerifyMac": 1,
        },
        "invocations": {"retention_sweep": 0.5},
        "write_units": 18.5,
        "read_units": 2.5,
        "emails": 0,
    },
    "sla_escalation": {
        "calls": {
            "dynamodb.GetItem": 2,
            "dynamodb.Query": 2,
            "dynamodb.TransactWriteItems": 1,
            "dynamodb.UpdateItem": 2,
            "kms.Decrypt": 1,
            "sesv2.SendEmail": 1,
            "sqs.SendMessage": 1,
        },
        "invocations": {"on_notify_message": 1, "sla_watch": 1},
        "write_units": 10,
        "read_units": 3,
        "emails": 1,
    },
}
MEASURED: dict[str, Usage] = {name: Usage.from_json(v) for name, v in MEASURED_COUNTS.items()}
#: Stored bytes per report (items, index entries, DynamoDB's per-item overhead), measured
#: after the scenarios above (mean of the anonymous and the named report with its case).
MEASURED_BYTES_PER_REPORT = 9_436


# --- the stack's fixed resources ------------------------------------------------------------


def runs_per_month(expression: str) -> float:
    """Runs a month of an EventBridge schedule: `rate(...)` exactly, `cron(...)` roughly."""
    text = expression.strip()
    if text.startswith("rate("):
        amount, unit = text[5:-1].split()
        minutes = {"minute": 1, "hour": 60, "day": 1440}[unit.rstrip("s")]
        return MINUTES_PER_MONTH / (int(amount) * minutes)
    if text.startswith("cron("):
        minute, hour, day, _month, weekday, *_ = text[5:-1].split()
        days = 30.4 if weekday in ("*", "?") else 30.4 * _values(weekday, 7) / 7
        if day not in ("*", "?"):
            days = _values(day, 31)
        return _values(minute, 60) * _values(hour, 24) * days
    raise ValueError(f"not a schedule expression: {expression}")


def _values(cron_field: str, size: int) -> int:
    """How many values a cron field takes (`*`, `a`, `a,b`, `a-b`, `*/n`, `a/n`, names)."""
    count = 0
    for part in cron_field.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            span = size
        elif "-" in base:
            low, high = base.split("-")
            span = (int(high) - int(low) + 1) if low.isdigit() else 5  # MON-FRI
        else:
            span = 1 if not step else size - int(base)
        count += math.ceil(span / int(step)) if step else span
    return count


def app_schedules() -> tuple[tuple[str, str], ...]:
    """(function, schedule expression) of every `@app.schedule` in app.py."""
    from app import app

    return tuple(
        (source.name, source.schedule_expression.to_string())
        for source in app.event_sources
        if hasattr(source, "schedule_expression")
    )


def sizing_memory() -> dict[str, int]:
    """infra/sizing.py's FUNCTION_MEMORY_MB by normalised function name (empty if absent)."""
    try:
        from infra.sizing import FUNCTION_MEMORY_MB
    except ImportError:
        return {}
    return {_norm(name): int(mb) for name, mb in FUNCTION_MEMORY_MB.items()}


def _norm(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


#: What each billed role is called among the functions (normalised names).
_ROLE_NAMES = {
    "api": ("apihandler",),
    "authorizer": ("staffauthorizer",),
    "on_triage_message": ("ontriagemessage",),
    "on_notify_message": ("onnotifymessage",),
    "redrive_outbox": ("redriveoutbox",),
    "sla_watch": ("slawatch",),
    "retention_sweep": ("retentionsweep",),
    "build_insights": ("buildinsights",),
    "audit_checkpoint": ("auditcheckpoint",),
}


@dataclass(frozen=True)
class Stack:
    """The fixed resources the bill depends on.

    Defaults: what infra/ declares as read on PRICE_DATE (infra/data.py: a storage key for
    tables, queues, logs and the alarm topic besides the app's four keys, the three
    symmetric ones rotating yearly; infra/alarms.py: a DLQ alarm per queue, errors and
    throttles for each of the twelve functions (the nine of app.py's events and schedules,
    `AddStaffMember` and `ManageStaffMember`, which ops invoke by hand, and
    `RecordCognitoChange`, which Cognito's CloudTrail events invoke), notifications given up
    (a metric filter), API 5xx, sweep missed, and three metrics the functions publish (seals
    refused, blind-index mismatches, audit chains broken);
    infra/edge.py: one CloudFront-scope web ACL with two rate rules and two managed rule
    groups; infra/staff_pool.py: Essentials plan; infra/sizing.py: memory; 90-day logs,
    API Gateway's execution log at ERROR only). A template replaces them.
    """

    source: str = "defaults (infra/*.py as read on 2026-12-01; no template given)"
    keys: int = 5
    rotating_keys: int = 3
    functions: int = 12
    alarm_metrics: int = 2 + 2 * 12 + 1 + 1 + 1 + 3
    composite_alarms: int = 0
    custom_metrics: int = 1
    dashboards: int = 0
    web_acls: int = 1
    waf_rules: int = 4
    waf_scope: str = "CLOUDFRONT"
    schedules: tuple[tuple[str, str], ...] = field(default_factory=app_schedules)
    polled_queues: int = 2
    tables: int = 7
    pitr: bool = True
    memory_mb: Mapping[str, int] = field(default_factory=sizing_memory)
    architecture: str = "x86_64"
    cognito_plan: str = "ESSENTIALS"
    log_retention_days: int = 90

    def memory(self, role: str) -> int:
        """Memory (MB) of the function playing `role` (api, authorizer, a handler, a job)."""
        for name in (*_ROLE_NAMES.get(role, ()), _norm(role)):
            for known, mb in self.memory_mb.items():
                if known == name or known.startswith(name):
                    return mb
        return DEFAULT_MEMORY_MB


def stack_from_templates(paths: list[Path]) -> Stack:
    """Count the fixed resources in synthesised CloudFormation templates (JSON)."""
    resources: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        template = json.loads(path.read_text(encoding="utf-8"))
        for logical_id, resource in template.get("Resources", {}).items():
            resources.append((logical_id, resource))

    def of(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(i, r.get("Properties", {})) for i, r in resources if r.get("Type") == kind]

    keys = of("AWS::KMS::Key")
    alarm_metrics = 0
    for _, props in of("AWS::CloudWatch::Alarm"):
        metrics = props.get("Metrics")
        alarm_metrics += sum(1 for m in metrics if "MetricStat" in m) if metrics else 1
    acls = of("AWS::WAFv2::WebACL")
    schedules: list[tuple[str, str]] = []
    for logical_id, props in of("AWS::Events::Rule"):
        if "ScheduleExpression" in props and props.get("State", "ENABLED") == "ENABLED":
            target = props.get("Targets", [{}])[0].get("Arn", {})
            function = target.get("Fn::GetAtt", [logical_id])[0] if isinstance(target, dict) else ""
            schedules.append((function or logical_id, props["ScheduleExpression"]))
    functions = of("AWS::Lambda::Function") + of("AWS::Serverless::Function")
    polled = {
        json.dumps(p.get("EventSourceArn"), sort_keys=True)
        for _, p in of("AWS::Lambda::EventSourceMapping")
        if "sqs" in json.dumps(p.get("EventSourceArn", ""))
        or "Queue" in json.dumps(p.get("EventSourceArn", ""))
    }
    for logical_id, props in of("AWS::Serverless::Function"):
        for event in props.get("Events", {}).values():
            if event.get("Type") == "Schedule":
                schedules.append((logical_id, event["Properties"]["Schedule"]))
            if event.get("Type") == "SQS":
                polled.add(json.dumps(event["Properties"].get("Queue"), sort_keys=True))
    memory = {_norm(i): int(p.get("MemorySize", 128)) for i, p in functions}
    architectures = {a for _, p in functions for a in p.get("Architectures", ["x86_64"])}
    pools = of("AWS::Cognito::UserPool")
    log_groups = [
        int(p["RetentionInDays"]) for _, p in of("AWS::Logs::LogGroup") if "RetentionInDays" in p
    ]
    tables = of("AWS::DynamoDB::Table")
    return Stack(
        source=", ".join(str(p) for p in paths),
        keys=len(keys),
        rotating_keys=sum(1 for _, p in keys if p.get("EnableKeyRotation")),
        functions=len(functions),
        alarm_metrics=alarm_metrics,
        composite_alarms=len(of("AWS::CloudWatch::CompositeAlarm")),
        custom_metrics=sum(
            len(p.get("MetricTransformations", [])) for _, p in of("AWS::Logs::MetricFilter")
        ),
        dashboards=len(of("AWS::CloudWatch::Dashboard")),
        web_acls=len(acls),
        waf_rules=sum(len(p.get("Rules", [])) for _, p in acls),
        waf_scope=acls[0][1].get("Scope", "CLOUDFRONT") if acls else "CLOUDFRONT",
        schedules=tuple(schedules),
        polled_queues=len(polled),
        tables=len(tables),
        pitr=any(
            p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
            for _, p in tables
        ),
        memory_mb=memory or sizing_memory(),
        architecture="arm64" if architectures == {"arm64"} else "x86_64",
        cognito_plan=str(pools[0][1].get("UserPoolTier", "ESSENTIALS")) if pools else "ESSENTIALS",
        log_retention_days=max(log_groups) if log_groups else 90,
    )


def default_templates() -> list[Path]:
    """infra/cdk.out/*.template.json, if the CDK app has been synthesised."""
    return sorted((PROJECT_DIR / "infra" / "cdk.out").glob("*.template.json"))


# --- the bill --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of the bill: a quantity a month, fixed plus per-report, at one price."""

    service: str
    item: str
    price: str
    fixed: float
    variable: float

    def cost(self, *, free_tier: bool = False) -> float:
        """Dollars a month (after the always-free allowance if `free_tier`)."""
        price = PRICES[self.price]
        quantity = self.fixed + self.variable
        if free_tier:
            quantity = max(0.0, quantity - price.free)
        return quantity * price.usd

    def fixed_cost(self) -> float:
        """Dollars a month with no reports at all (list price)."""
        return self.fixed * PRICES[self.price].usd


@dataclass(frozen=True)
class Assumptions:
    """The figures the model does not measure (see the module constants)."""

    named_share: float = NAMED_SHARE
    escalations_per_report: float = ESCALATIONS_PER_REPORT
    staff_mau: int = STAFF_MAU
    key_age_years: int = 1


def bill(
    reports_per_year: float,
    stack: Stack,
    measured: Mapping[str, Usage] | None = None,
    bytes_per_report: float | None = None,
    assume: Assumptions | None = None,
) -> list[Line]:
    """The monthly bill, line by line, at list prices."""
    m = MEASURED if measured is None else measured
    a = assume or Assumptions()
    stored = MEASURED_BYTES_PER_REPORT if bytes_per_report is None else bytes_per_report
    n = reports_per_year / 12
    u = _per_report(m, a)
    runs = {name: runs_per_month(expression) for name, expression in stack.schedules}
    idle = {name: m.get(f"idle.{_role_of(name)}", _NOTHING) for name in runs}

    def gb_s(role: str, invocations: float) -> float:
        seconds = BILLED_SECONDS.get(role, BILLED_SECONDS["schedule"])
        return invocations * stack.memory(role) / 1024 * seconds

    def over_runs(value: Callable[[Usage], float]) -> float:
        return sum(runs[name] * value(idle[name]) for name in runs)

    invocations = sum(u.invocations.values())
    api = u.invocations.get("api", 0.0)
    batches = u.invocations.get("on_triage_message", 0.0) + u.invocations.get(
        "on_notify_message", 0.0
    )
    static_views = FORM_VIEWS_PER_REPORT + a.named_share * PORTAL_VIEWS_PER_CASE
    edge_requests = static_views * REQUESTS_PER_VIEW + api
    dynamodb_invocations = sum(v for k, v in u.invocations.items() if k not in ("authorizer",))
    log_gb_fixed = sum(runs.values()) * LOG_BYTES_PER_INVOCATION / 1e9
    log_gb = (invocations * LOG_BYTES_PER_INVOCATION + api * LOG_BYTES_PER_ACCESS_LINE) / 1e9
    table_gb = stored * n * MONTHS_KEPT / 1e9
    arch = "arm64" if stack.architecture == "arm64" else "x86_64"
    lines = [
        Line(
            "Lambda",
            "requests (schedules fixed)",
            "lambda_request",
            sum(runs.values()),
            invocations * n,
        ),
        Line(
            "Lambda",
            f"duration, {arch}",
            f"lambda_gb_s_{arch}",
            sum(gb_s(_role_of(name), count) for name, count in runs.items()),
            sum(gb_s(role, count) for role, count in u.invocations.items()) * n,
        ),
        Line("API Gateway", "REST requests", "apigw_rest_request", 0.0, api * n),
        Line(
            "DynamoDB",
            "write request units",
            "dynamodb_wru",
            over_runs(lambda x: x.write_units),
            u.write_units * n,
        ),
        Line(
            "DynamoDB",
            "read request units",
            "dynamodb_rru",
            over_runs(lambda x: x.read_units),
            u.read_units * n,
        ),
        Line(
            "DynamoDB",
            f"storage after {MONTHS_KEPT} months (GB)",
            "dynamodb_storage",
            0.0,
            table_gb,
        ),
        Line(
            "DynamoDB",
            "point-in-time recovery (GB)",
            "dynamodb_pitr",
            0.0,
            table_gb if stack.pitr else 0.0,
        ),
        Line(
            "SQS",
            f"Lambda pollers ({stack.polled_queues} queues x {POLLERS_PER_QUEUE})",
            "sqs_request",
            stack.polled_queues * POLLERS_PER_QUEUE * POLLS_PER_POLLER_MINUTE * MINUTES_PER_MONTH,
            0.0,
        ),
        Line(
            "SQS",
            "app sends, poller receive+delete per batch",
            "sqs_request",
            over_runs(lambda x: x.calls_to("sqs")),
            (u.calls_to("sqs") + 2 * batches) * n,
        ),
        Line("KMS", f"customer-managed keys ({stack.keys})", "kms_key", stack.keys, 0.0),
        Line(
            "KMS",
            f"rotated key material ({stack.rotating_keys} rotating, year {a.key_age_years})",
            "kms_rotated_material",
            stack.rotating_keys * min(max(a.key_age_years - 1, 0), 2),
            0.0,
        ),
        # The app's own requests, plus (upper bound) one by DynamoDB/SQS at rest per
        # invocation that touches them: their data keys are cached only minutes.
        Line(
            "KMS",
            "requests (app's + DynamoDB/SQS at rest)",
            "kms_request",
            over_runs(lambda x: x.calls_to("kms") + 1.0),
            (u.calls_to("kms") + dynamodb_invocations + u.calls_to("sqs") + batches) * n,
        ),
        Line("SES", "emails (recipients)", "ses_email", 0.0, u.emails * n),
        Line(
            "CloudWatch",
            f"alarm metrics ({stack.alarm_metrics})",
            "cloudwatch_alarm_metric",
            stack.alarm_metrics,
            0.0,
        ),
        Line(
            "CloudWatch",
            "composite alarms",
            "cloudwatch_composite_alarm",
            stack.composite_alarms,
            0.0,
        ),
        Line(
            "CloudWatch",
            "custom metrics (metric filters)",
            "cloudwatch_custom_metric",
            stack.custom_metrics,
            0.0,
        ),
        Line("CloudWatch", "dashboards", "cloudwatch_dashboard", stack.dashboards, 0.0),
        Line(
            "CloudWatch Logs", "ingestion (GB)", "cloudwatch_logs_ingest", log_gb_fixed, log_gb * n
        ),
        Line(
            "CloudWatch Logs",
            f"storage, {stack.log_retention_days} days kept (GB)",
            "cloudwatch_logs_storage",
            log_gb_fixed * stack.log_retention_days / 30.4,
            log_gb * n * stack.log_retention_days / 30.4,
        ),
        Line(
            "EventBridge",
            f"scheduled runs ({sum(runs.values()):,.0f}, free)",
            "eventbridge_schedule",
            sum(runs.values()),
            0.0,
        ),
        Line(
            "Cognito",
            f"staff MAUs ({a.staff_mau}, {stack.cognito_plan.title()})",
            f"cognito_mau_{stack.cognito_plan.lower()}",
            a.staff_mau,
            0.0,
        ),
        Line("S3", "static site storage (GB)", "s3_storage", STATIC_SITE_GB, 0.0),
        Line(
            "S3",
            "origin GETs (5 % of static requests)",
            "s3_get",
            0.05 * BACKGROUND_REQUESTS,
            0.05 * static_views * REQUESTS_PER_VIEW * n,
        ),
        Line(
            "CloudFront",
            "HTTPS requests",
            "cloudfront_https_request",
            BACKGROUND_REQUESTS,
            edge_requests * n,
        ),
        Line(
            "CloudFront",
            "data out (GB)",
            "cloudfront_transfer_out",
            BACKGROUND_REQUESTS / REQUESTS_PER_VIEW * BYTES_PER_VIEW / 1e9,
            static_views * BYTES_PER_VIEW * n / 1e9,
        ),
        Line("WAF", "web ACL", "waf_web_acl", stack.web_acls, 0.0),
        Line("WAF", f"rules ({stack.waf_rules})", "waf_rule", stack.waf_rules, 0.0),
        Line(
            "WAF",
            f"requests inspected ({stack.waf_scope.lower()} scope)",
            "waf_request",
            BACKGROUND_REQUESTS if stack.waf_scope == "CLOUDFRONT" and stack.web_acls else 0.0,
            (edge_requests if stack.waf_scope == "CLOUDFRONT" else api) * n
            if stack.web_acls
            else 0.0,
        ),
    ]
    return lines


_NOTHING = Usage(calls={}, invocations={}, write_units=0.0, read_units=0.0, emails=0.0)


def _role_of(function: str) -> str:
    """The role (app.py name) of a function named in app.py or in a template."""
    normalised = _norm(function)
    for role, names in _ROLE_NAMES.items():
        if normalised == _norm(role) or any(normalised.startswith(n) for n in names):
            return role
    return function


def _per_report(m: Mapping[str, Usage], a: Assumptions) -> Usage:
    anonymous = add(m["anonymous_report"], m["anonymous_screening"], m["retention_deletion"])
    named = add(
        m["named_report"], m["named_casework"], m["retention_redaction"], m["retention_deletion"]
    )
    return add(
        anonymous.scaled(1 - a.named_share),
        named.scaled(a.named_share),
        m["sla_escalation"].scaled(a.escalations_per_report),
    )


def per_report(measured: Mapping[str, Usage] | None = None) -> Usage:
    """The mean usage of one report, from intake to deletion (NAMED_SHARE of them named)."""
    return _per_report(MEASURED if measured is None else measured, Assumptions())


@dataclass(frozen=True)
class Totals:
    """A bill's totals (dollars a month)."""

    fixed: float
    variable: float
    waf_fixed: float
    waf_variable: float

    @property
    def with_waf(self) -> float:
        """Everything."""
        return self.fixed + self.variable

    @property
    def without_waf(self) -> float:
        """Everything but the web ACL, its rules and its requests."""
        return self.with_waf - self.waf_fixed - self.waf_variable


def totals(lines: list[Line], *, free_tier: bool = False) -> Totals:
    """Fixed and per-report parts of a bill, and the WAF's share of each.

    With `free_tier`, each line's always-free allowance is taken off its fixed part first.
    """
    fixed = variable = waf_fixed = waf_variable = 0.0
    for line in lines:
        total = line.cost(free_tier=free_tier)
        line_fixed = line.fixed_cost()
        if free_tier:
            line_fixed = max(0.0, line.fixed - PRICES[line.price].free) * PRICES[line.price].usd
        fixed += line_fixed
        variable += total - line_fixed
        if line.service == "WAF":
            waf_fixed += line_fixed
            waf_variable += total - line_fixed
    return Totals(fixed=fixed, variable=variable, waf_fixed=waf_fixed, waf_variable=waf_variable)


# --- measurement (`--measure`) ---------------------------------------------------------------


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def attribute_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one low-level attribute value (AWS's item-size rules)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(x).encode()) for x in inner)
    if kind == "NS":
        return sum(_number_size(str(x)) for x in inner)
    if kind == "BS":
        return sum(len(x) for x in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in inner)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes DynamoDB counts for an item (0 for no item)."""
    if not item:
        return 0
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """Write request units of a standard write of an item of `size` bytes."""
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    """Read request units of reading `size` bytes (one item, or one query page)."""
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


class Meter:
    """Counts what the app asks of AWS, by phase, through handlers on a botocore session.

    Item sizes the calls do not show (the item an update or a delete touches) are looked up
    with `peek`, a client of another session, so the lookups are not counted.
    """

    def __init__(self, peek: Any) -> None:
        self.phase: str | None = None
        self.peek = peek
        self.calls: dict[str, Counter[str]] = {}
        self.invocations: dict[str, Counter[str]] = {}
        self.units: dict[str, list[float]] = {}
        self.emails: dict[str, int] = {}
        self._keys: dict[str, list[str]] = {}

    def start(self, phase: str) -> None:
        """Count from now on into `phase`."""
        self.phase = phase
        self.calls.setdefault(phase, Counter())
        self.invocations.setdefault(phase, Counter())
        self.units.setdefault(phase, [0.0, 0.0])
        self.emails.setdefault(phase, 0)

    def invoked(self, function: str, times: int = 1) -> None:
        """A Lambda invocation of `function` in the current phase."""
        if self.phase is not None:
            self.invocations[self.phase][function] += times

    def attach(self, session: Any) -> None:
        """Register on a (fresh) botocore session before any client is built from it."""
        session.register("before-parameter-build", self._before)
        session.register("after-call", self._after)

    def usage(self, phase: str, divide: float = 1.0) -> Usage:
        """What was counted in `phase`, divided by `divide` (e.g. per report)."""
        return Usage(
            calls=dict(self.calls[phase]),
            invocations=dict(self.invocations[phase]),
            write_units=self.units[phase][0],
            read_units=self.units[phase][1],
            emails=self.emails[phase],
        ).scaled(1 / divide)

    # -- handlers

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if self.phase is None:
            return
        service = model.service_model.service_name
        self.calls[self.phase][f"{service}.{model.name}"] += 1
        context["cost_params"] = dict(params)
        if service == "sesv2" and model.name == "SendEmail":
            destination = params.get("Destination", {})
            self.emails[self.phase] += sum(
                len(destination.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses")
            )
        if service == "dynamodb":
            context["cost_before"] = self._sizes_before(model.name, params)

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.phase is None or model.service_model.service_name != "dynamodb":
            return
        params = context.get("cost_params", {})
        before: list[int] = context.get("cost_before", [])
        wru, rru = self._units(model.name, params, parsed, before)
        self.units[self.phase][0] += wru
        self.units[self.phase][1] += rru

    # -- DynamoDB request units

    def _key_names(self, table: str) -> list[str]:
        if table not in self._keys:
            schema = self.peek.describe_table(TableName=table)["Table"]["KeySchema"]
            self._keys[table] = [k["AttributeName"] for k in schema]
        return self._keys[table]

    def _stored(self, table: str, key: Mapping[str, Any]) -> int:
        found = self.peek.get_item(TableName=table, Key=dict(key), ConsistentRead=True)
        return item_size(found.get("Item"))

    def _key_of(self, table: str, item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self._key_names(table)}

    def _writes(self, operation: str, params: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """(table, key) of each item a write operation touches, in order."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = params["TableName"]
            key = params.get("Key") or self._key_of(table, params["Item"])
            return [(table, key)]
        if operation == "TransactWriteItems":
            found = []
            for action in params["TransactItems"]:
                ((_kind, body),) = action.items()
                key = body.get("Key") or self._key_of(body["TableName"], body["Item"])
                found.append((body["TableName"], key))
            return found
        if operation == "BatchWriteItem":
            found = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        found.append((table, self._key_of(table, request["PutRequest"]["Item"])))
                    else:
                        found.append((table, request["DeleteRequest"]["Key"]))
            return found
        return []

    def _sizes_before(self, operation: str, params: Mapping[str, Any]) -> list[int]:
        return [self._stored(table, key) for table, key in self._writes(operation, params)]

    def _units(
        self,
        operation: str,
        params: Mapping[str, Any],
        parsed: Mapping[str, Any],
        before: list[int],
    ) -> tuple[float, float]:
        touched = self._writes(operation, params)
        if touched:
            after = [self._stored(table, key) for table, key in touched]
            sizes = [max(b, a) for b, a in zip(before, after, strict=True)]
            if operation == "TransactWriteItems":
                return float(sum(2 * write_units(s) for s in sizes)), 0.0
            return float(sum(write_units(s) for s in sizes)), 0.0
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            return 0.0, read_units(item_size(parsed.get("Item")), consistent=consistent)
        if operation in ("Query", "Scan"):
            size = sum(item_size(item) for item in parsed.get("Items", []))
            return 0.0, read_units(size, consistent=consistent and "IndexName" not in params)
        if operation == "BatchGetItem":
            units = 0.0
            for table, items in parsed.get("Responses", {}).items():
                strong = bool(params["RequestItems"].get(table, {}).get("ConsistentRead"))
                units += sum(read_units(item_size(i), consistent=strong) for i in items)
            return 0.0, units
        if operation == "TransactGetItems":
            return 0.0, sum(
                2 * read_units(item_size(r.get("Item")), consistent=True)
                for r in parsed.get("Responses", [])
            )
        return 0.0, 0.0


@dataclass
class _Run:
    """The mocked stack a measurement drives."""

    client: Any
    settings: Any
    clock: Any
    meter: Meter
    tokens: dict[str, str] = field(default_factory=dict)

    def container(self, phase: str | None) -> None:
        """A fresh Lambda container (cold caches), counting into `phase` (None: not at all)."""
        from chalicelib import services

        services.reset(clock=self.clock)
        self.meter.attach(services.botocore_session())
        if phase is None:
            self.meter.phase = None
        else:
            self.meter.start(phase)

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
            self.meter.invoked("authorizer")
        self.meter.invoked("api")
        response = self.client.http.post(path, body=json.dumps(body), headers=headers)
        assert response.status_code < 300, (path, response.status_code, response.json_body)
        return response.json_body

    def get(self, path: str, token: str) -> Any:
        self.meter.invoked("authorizer")
        self.meter.invoked("api")
        response = self.client.http.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.status_code, response.json_body)
        return response.json_body

    def job(self, name: str) -> Any:
        self.meter.invoked(name)
        event = self.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        return self.client.lambda_.invoke(name, event).payload

    def drain(self, phase: str | None) -> None:
        """Deliver queued messages to their handlers, one fresh container per batch.

        The receive and delete here stand in for Lambda's poller and are not counted.
        """
        from chalicelib import services

        queues = {
            self.settings.triage_queue_url: "on_triage_message",
            self.settings.notify_queue_url: "on_notify_message",
        }
        moved = True
        while moved:
            moved = False
            for url, handler in queues.items():
                self.meter.phase = None
                sqs = services.sqs()
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                if not messages:
                    continue
                moved = True
                self.container(phase)
                self.meter.invoked(handler)
                event = self.client.events.generate_sqs_event(
                    queue_name=handler, message_bodies=[m["Body"] for m in messages]
                )
                result = self.client.lambda_.invoke(handler, event).payload
                assert result == {"batchItemFailures": []}, result
                self.meter.phase = None
                for message in messages:
                    services.sqs().delete_message(
                        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                    )


@contextmanager
def _mocked_stack() -> Iterator[_Run]:
    """A fresh in-process moto account with every resource and the demo staff."""
    import os
    from datetime import UTC, datetime

    from moto import mock_aws

    from chalicelib import services
    from chalicelib.clock import FixedClock
    from chalicelib.observability import logger
    from devstack.demo import DEMO_PASSWORD, create_demo_users, seed_directory
    from devstack.provision import provision

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="cost",
        AWS_SECRET_ACCESS_KEY="cost",  # noqa: S106 - moto's, never a real account's
        AWS_SESSION_TOKEN="cost",  # noqa: S106
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
    )
    clock = FixedClock(datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    quiet = logger.log_level
    logger.setLevel("WARNING")  # the app's INFO lines would bury the figures
    try:
        from devstack.jwks import serve_moto_jwks

        with mock_aws(), serve_moto_jwks() as jwks_url:
            import boto3
            from chalice.test import Client

            services.reset(clock=clock)
            session = boto3.Session(
                botocore_session=services.botocore_session(), region_name=REGION
            )
            settings = provision(session, "cost").model_copy(update={"staff_jwks_url": jwks_url})
            os.environ.update(settings.environment())
            services.reset(clock=clock)
            seed_directory(services.staff_directory())
            create_demo_users(services.cognito(), settings.staff_pool_id)
            tokens = {
                name: services.cognito().initiate_auth(
                    ClientId=settings.staff_client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": name, "PASSWORD": DEMO_PASSWORD},
                )["AuthenticationResult"]["AccessToken"]
                for name in ("ss-screener", "ss-advisor-1")
            }
            peek = boto3.Session(region_name=REGION).client("dynamodb")
            from app import app

            with Client(app, project_dir=str(PROJECT_DIR)) as client:
                yield _Run(client, settings, clock, Meter(peek), tokens)
    finally:
        logger.setLevel(quiet)
        services.reset()
        os.environ.clear()
        os.environ.update(saved)


JOBS = ("redrive_outbox", "sla_watch", "build_insights", "retention_sweep", "audit_checkpoint")


def _stored_bytes(run: _Run, tables: tuple[str, ...]) -> int:
    """Bytes stored in these tables: items, index entries, DynamoDB's per-item overhead."""
    from chalicelib.resources import RESOURCES

    total = 0
    for table in RESOURCES.tables:
        if table.logical_name not in tables:
            continue
        name = getattr(run.settings, table.settings_field)
        key_names = list(table.keys.attributes())
        pages = run.meter.peek.get_paginator("scan").paginate(TableName=name)
        for item in (i for page in pages for i in page["Items"]):
            total += item_size(item) + ITEM_OVERHEAD_BYTES
            for index in table.indexes:
                if not all(k in item for k in index.keys.attributes()):
                    continue  # sparse: not in this index
                if index.projection == "ALL":
                    total += item_size(item) + ITEM_OVERHEAD_BYTES
                else:
                    names = set(key_names) | set(index.keys.attributes())
                    total += item_size({k: item[k] for k in names}) + ITEM_OVERHEAD_BYTES
    return total


def measure() -> tuple[dict[str, Usage], int]:
    """Run every scenario against moto; the usage of each and stored bytes per report."""
    from datetime import timedelta

    from tests.factories import anonymous_submission, named_submission

    with _mocked_stack() as run:
        screener, advisor = run.tokens["ss-screener"], run.tokens["ss-advisor-1"]
        for job in JOBS:
            run.container(f"idle.{job}")
            run.job(job)

        run.container("anonymous_report")
        anonymous = run.post("/reports", anonymous_submission())["reference"]
        run.drain("anonymous_report")
        run.container("anonymous_report")
        run.job("build_insights")
        run.job("audit_checkpoint")

        run.container("anonymous_screening")
        run.get("/staff/queue", screener)
        # Every report waits for a screener (`triage.screening: every_report`, the default):
        # the screener reads it and files it; then the counting and the checkpoint see it.
        seen = run.get(f"/staff/cases/{anonymous}", screener)
        run.post(
            f"/staff/cases/{anonymous}/transitions",
            {"to": "filed", "reason": "Nothing to act on", "version": seen["version"]},
            screener,
        )
        run.container("anonymous_screening")
        run.job("build_insights")
        run.job("audit_checkpoint")

        run.container("named_report")
        named = run.post("/reports", named_submission())["reference"]
        run.drain("named_report")
        run.container("named_report")
        run.job("build_insights")
        run.job("audit_checkpoint")

        phase = "named_casework"
        run.container(phase)
        run.get("/staff/queue", screener)
        case = run.get(f"/staff/cases/{named}", screener)
        run.get(f"/staff/cases/{named}/advisors", screener)
        run.post(
            f"/staff/cases/{named}/assignment",
            {"advisor_id": "ss-advisor-1", "reason": "Available", "version": case["version"]},
            screener,
        )
        run.drain(phase)
        run.container(phase)
        run.job("build_insights")
        run.job("audit_checkpoint")
        run.container(phase)
        run.get("/staff/queue", advisor)
        run.post(f"/staff/cases/{named}/reveal", {"purpose": "To make first contact"}, advisor)
        timeline = f"/staff/cases/{named}/timeline"
        entry = {"type": "contact_attempt", "method": "phone", "result": "reached"}
        run.post(timeline, {"entry": entry}, advisor)
        note = run.post(timeline, {"entry": {"type": "note", "text": "Weekly check-ins."}}, advisor)
        run.drain(phase)
        run.container(phase)
        run.job("build_insights")
        run.job("audit_checkpoint")
        run.container(phase)
        transitions = f"/staff/cases/{named}/transitions"
        support = run.post(
            transitions,
            {"to": "in_support", "reason": "Plan agreed", "version": note["version"]},
            advisor,
        )
        run.post(
            transitions,
            {
                "to": "closed",
                "reason": "Resolved informally",
                "outcome": "informal_resolution",
                "version": support["version"],
            },
            advisor,
        )
        run.drain(phase)
        run.container(phase)
        run.job("build_insights")
        run.job("audit_checkpoint")

        stored = _stored_bytes(run, ("reports", "notifications", "demographics")) / 2

        start = run.clock.moment
        run.clock.moment = start + timedelta(days=200)
        run.container("retention_redaction")
        swept = run.job("retention_sweep")
        assert sum(swept.values()) >= 1, swept

        run.clock.moment = start + timedelta(days=3 * 366 + 30)
        run.container("retention_deletion")
        swept = run.job("retention_sweep")
        deleted = sum(n for k, n in swept.items() if "delet" in k)
        assert deleted >= 2, swept

        run.container(None)
        run.post("/reports", named_submission())
        run.drain(None)
        run.clock.moment += timedelta(days=10)
        run.container("sla_escalation")
        escalated = run.job("sla_watch")
        assert escalated.get("escalated", 0) >= 1, escalated
        run.drain("sla_escalation")

        usages = {phase: run.meter.usage(phase) for phase in run.meter.calls}
        usages["retention_deletion"] = run.meter.usage("retention_deletion", divide=deleted)
        usages["sla_escalation"] = run.meter.usage("sla_escalation", divide=escalated["escalated"])
        return usages, round(stored)


# --- proposals -----------------------------------------------------------------------------


def _reschedule(stack: Stack, function: str, expression: str) -> Stack:
    return replace(
        stack,
        schedules=tuple(
            (name, expression if _role_of(name) == function else old)
            for name, old in stack.schedules
        ),
    )


#: Changes that lower the fixed bill, none touching the app's key separation (identity,
#: insight, blind-index HMAC, audit HMAC stay four keys with their grants). Each: a title
#: and how it changes the stack. docs/cost.md argues each one.
PROPOSALS: tuple[tuple[str, Callable[[Stack], Stack]], ...] = (
    (
        "redrive_outbox every 15 min, not 5",
        lambda s: _reschedule(s, "redrive_outbox", "rate(15 minutes)"),
    ),
    ("sla_watch hourly, not every 15 min", lambda s: _reschedule(s, "sla_watch", "rate(1 hour)")),
    (
        "build_insights hourly, not every 15 min",
        lambda s: _reschedule(s, "build_insights", "rate(1 hour)"),
    ),
    (
        "Lambda errors and throttles alarmed on the account-wide metrics (2, not 2 a function)",
        lambda s: replace(s, alarm_metrics=max(0, s.alarm_metrics - 2 * s.functions + 2)),
    ),
    (
        "a notification given up on goes to the notify DLQ (already alarmed): no metric filter",
        lambda s: replace(
            s,
            alarm_metrics=max(0, s.alarm_metrics - 1),
            custom_metrics=max(0, s.custom_metrics - 1),
        ),
    ),
    (
        "one work queue for triage and notify (one event source: 5 pollers, not 10)",
        lambda s: replace(s, polled_queues=max(1, s.polled_queues - 1)),
    ),
    (
        "no storage key: tables, queues, logs at rest under AWS-owned keys (sealed fields "
        "stay under identity/insight; departs from the issue's CMK-encrypted tables)",
        lambda s: replace(s, keys=s.keys - 1, rotating_keys=max(0, s.rotating_keys - 1)),
    ),
)
#: How many of PROPOSALS keep every requirement of the issue (the last one does not).
KEEPS_REQUIREMENTS = 6


def proposal_effects(
    stack: Stack, reports_per_year: float = REPORTS_PER_YEAR[0]
) -> list[tuple[str, float, float, float]]:
    """(title, list saving, list total after, total after always-free tiers), without WAF,
    for each proposal alone, then the ones that keep the requirements, then all."""

    def figures(changed: Stack) -> tuple[float, float]:
        lines = bill(reports_per_year, changed)
        return totals(lines).without_waf, totals(lines, free_tier=True).without_waf

    base, _ = figures(stack)
    effects = []
    for title, change in PROPOSALS:
        after, free = figures(change(stack))
        effects.append((title, base - after, after, free))
    for label, count in (
        (f"the first {KEEPS_REQUIREMENTS} together", KEEPS_REQUIREMENTS),
        ("all together", len(PROPOSALS)),
    ):
        changed = stack
        for _, change in PROPOSALS[:count]:
            changed = change(changed)
        after, free = figures(changed)
        effects.append((label, base - after, after, free))
    return effects


# --- output ----------------------------------------------------------------------------------


def render(stack: Stack, assume: Assumptions | None = None) -> str:
    """The bill at each REPORTS_PER_YEAR, the totals, and the proposals, as text."""
    a = assume or Assumptions()
    out = [
        f"Monthly AWS bill, {REGION}, list prices assumed on {PRICE_DATE} ({_CHECK}).",
        f"Fixed resources: {stack.source}.",
        f"Key age: year {a.key_age_years}; {a.named_share:.0%} of reports named; "
        f"{a.staff_mau} staff MAUs; memory {DEFAULT_MEMORY_MB} MB where unknown.",
        "",
    ]
    bills = {r: bill(r, stack, assume=a) for r in REPORTS_PER_YEAR}
    header = f"{'service':<16}{'item':<58}" + "".join(
        f"{f'{r:,}/yr fixed':>16}{'per-report':>12}{'total':>9}" for r in REPORTS_PER_YEAR
    )
    out.append(header)
    out.append("-" * len(header))
    first = bills[REPORTS_PER_YEAR[0]]
    for index, line in enumerate(first):
        row = f"{line.service:<16}{line.item[:57]:<58}"
        for r in REPORTS_PER_YEAR:
            other = bills[r][index]
            row += (
                f"{other.fixed_cost():>16.3f}{other.cost() - other.fixed_cost():>12.3f}"
                f"{other.cost():>9.3f}"
            )
        out.append(row)
    out.append("-" * len(header))
    for label, free in (("list", False), ("after always-free tiers", True)):
        for with_waf in (True, False):
            kind = "with WAF" if with_waf else "without WAF"
            row = f"{'TOTAL':<16}{f'{label}, {kind}':<58}"
            for r in REPORTS_PER_YEAR:
                t = totals(bills[r], free_tier=free)
                fixed = t.fixed if with_waf else t.fixed - t.waf_fixed
                total = t.with_waf if with_waf else t.without_waf
                row += f"{fixed:>16.2f}{total - fixed:>12.2f}{total:>9.2f}"
            out.append(row)
    later = totals(bill(REPORTS_PER_YEAR[0], stack, assume=replace(a, key_age_years=3)))
    out += [
        "",
        f"From year 3 (two rotations of each rotating key billed): list at "
        f"{REPORTS_PER_YEAR[0]:,}/yr {later.with_waf:.2f} with WAF, "
        f"{later.without_waf:.2f} without.",
        f"Per report (measured, mean of named and anonymous): {_per_report_line()}",
        "",
        f"Proposals at {REPORTS_PER_YEAR[0]:,} reports/yr, without WAF (goal <= $5.00 list):",
        f"  {'saving':>7} {'list':>6} {'free-tier':>9}",
    ]
    for title, saving, after, after_free in proposal_effects(stack):
        out.append(f"  {-saving:7.2f} {after:6.2f} {after_free:9.2f}  {title}")
    return "\n".join(out)


def _per_report_line() -> str:
    u = per_report()
    return (
        f"{sum(u.calls.values()):.1f} AWS calls ({u.calls_to('dynamodb'):.1f} DynamoDB, "
        f"{u.calls_to('kms'):.1f} KMS, {u.calls_to('sqs'):.1f} SQS, {u.calls_to('sesv2'):.1f} "
        f"SES), {sum(u.invocations.values()):.1f} invocations "
        f"({u.invocations.get('api', 0):.1f} API), {u.write_units:.0f} WRU, "
        f"{u.read_units:.0f} RRU, {MEASURED_BYTES_PER_REPORT:,} bytes stored"
    )


def check_measured() -> int:
    """Count again; print the counts; 1 if they moved from MEASURED, else 0."""
    usages, stored = measure()
    fresh = {name: usage.to_json() for name, usage in usages.items()}
    recorded = {name: usage.to_json() for name, usage in MEASURED.items()}
    print(json.dumps(fresh, indent=1))
    print(f"bytes stored per report: {stored}")
    moved = [
        name for name in sorted(set(fresh) | set(recorded)) if fresh.get(name) != recorded.get(name)
    ]
    if stored != MEASURED_BYTES_PER_REPORT:
        moved.append(f"bytes per report {MEASURED_BYTES_PER_REPORT} -> {stored}")
    if moved:
        print(f"MOVED (update MEASURED in bench/cost.py): {', '.join(moved)}", file=sys.stderr)
        return 1
    print("measured inputs unchanged", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m bench cost [--template PATH ...] [--measure] [--key-age-years N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench cost", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--template",
        action="append",
        type=Path,
        default=[],
        help="a synthesised CloudFormation template (JSON); repeat for several stacks",
    )
    parser.add_argument("--measure", action="store_true", help="recount the measured inputs")
    parser.add_argument("--key-age-years", type=int, default=1, help="for rotation charges")
    args = parser.parse_args(argv)
    if args.measure:
        return check_measured()
    templates = args.template or default_templates()
    stack = stack_from_templates(templates) if templates else Stack()
    print(render(stack, Assumptions(key_age_years=args.key_age_years)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
