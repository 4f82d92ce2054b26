"""cfn-lint and checkov on both synthesised templates: clean, except what is acknowledged below.

cdk-nag already checks the app at synthesis (`infra/nag.py`); these two read the CloudFormation
that would be deployed. cfn-lint finds template mistakes (types, properties, references) that
CloudFormation would only refuse at deploy time. checkov adds policy checks cdk-nag lacks (CIS
and its own). Where a checkov check is the same finding cdk-nag makes, it is allowed only on the
resources that carry cdk-nag's acknowledgment, and the reason is that acknowledgment's, so the
two lists cannot disagree.

checkov runs from its own tool venv, `.venv-checkov` (`scripts/ensure-venv` makes it from
`infra/checkov-requirements.txt`): it pins a boto3 below the project's.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cfnlint import ManualArgs
from cfnlint.api import lint_file

from tests.infra.conftest import Synthesised

pytestmark = pytest.mark.infra

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"

#: cfn-lint findings acknowledged: (rule id, logical id) -> why. Errors and warnings count;
#: informational findings do not (I1022, "prefer Fn::Sub over Fn::Join", is how CDK writes
#: every ARN). Empty: every finding so far was right and was fixed in infra/ (W3005, a
#: `DependsOn` on each function's role that its `Role: GetAtt` already implies).
CFN_LINT_IGNORED: dict[tuple[str, str], str] = {}

#: The same M1 reason infra/nag.py gives for CloudFront and WAF logs.
_NO_IP_KEPT = (
    "anonymous reporting means no address is kept (M1). Requests are counted in metrics instead."
)

_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSPHRASE|TOKEN|PRIVATE|CREDENTIAL", re.IGNORECASE)


@dataclass(frozen=True)
class Nag:
    """The finding cdk-nag makes as `rule`: allowed where infra/nag.py acknowledges that rule,
    for the reason given there (written into each resource's `Metadata.cdk_nag`)."""

    rule: str


@dataclass(frozen=True)
class Because:
    """A finding cdk-nag does not make: allowed on resources of `kind` for which `where` holds
    (the condition the reason rests on), for `reason`."""

    kind: str
    reason: str
    where: Callable[[dict[str, Any]], bool] = lambda resource: True


def _hmac_key(resource: dict[str, Any]) -> bool:
    return str(resource["Properties"].get("KeySpec", "")).startswith("HMAC_")


def _wildcard_only_through_services_of_this_account(resource: dict[str, Any]) -> bool:
    """Every statement of the key's policy with principal `*` holds only through named AWS
    services (`kms:ViaService`) and for callers of this account (`kms:CallerAccount`)."""
    statements = resource["Properties"]["KeyPolicy"]["Statement"]
    wildcards = [s for s in statements if s.get("Principal") in ("*", {"AWS": "*"})]
    return bool(wildcards) and all(
        {"kms:ViaService", "kms:CallerAccount"} <= set(s["Condition"]["StringEquals"])
        for s in wildcards
    )


def _environment_without_secrets(resource: dict[str, Any]) -> bool:
    variables = resource["Properties"].get("Environment", {}).get("Variables", {})
    return not any(_SECRET_NAME.search(name) for name in variables)


#: checkov checks that fail by design: check id -> where and why. Anything else that fails is
#: a finding to fix in infra/. An entry no failure needs any more fails the test too.
CHECKOV_ALLOWED: dict[str, Nag | Because] = {
    # Function-level concurrency limit.
    "CKV_AWS_115": Nag("NIST.800.53.R5-LambdaConcurrency"),
    # Lambda dead-letter queue.
    "CKV_AWS_116": Nag("NIST.800.53.R5-LambdaDLQ"),
    # Lambda inside a VPC.
    "CKV_AWS_117": Nag("NIST.800.53.R5-LambdaInsideVPC"),
    # API Gateway caching.
    "CKV_AWS_120": Nag("NIST.800.53.R5-APIGWCacheEnabledAndEncrypted"),
    # S3 access logging (the web bucket).
    "CKV_AWS_18": Nag("AwsSolutions-S1"),
    # CloudFront access logging.
    "CKV_AWS_86": Nag("AwsSolutions-CFR3"),
    # Lambda environment encrypted with a customer-managed key (KmsKeyArn).
    "CKV_AWS_173": Because(
        "AWS::Lambda::Function",
        "Lambda already encrypts environment variables at rest (its AWS-managed key). Ours "
        "hold only resource names, ARNs and settings, no secret (checked: no variable is named "
        "like one). A customer-managed key would be a fifth key ($1 a month against the $5 "
        "goal) or a grant of an existing one to every function, loosening key separation, "
        "to hide table names.",
        _environment_without_secrets,
    ),
    # Automatic rotation of customer-managed keys.
    "CKV_AWS_7": Because(
        "AWS::KMS::Key",
        "HMAC keys (blind indexes, audit chain): KMS rotates symmetric encryption keys only, "
        "and a new HMAC key would change every blind index and break the audit chain's "
        "verification. The encryption keys rotate yearly.",
        _hmac_key,
    ),
    # A key policy with a wildcard principal: the storage key (tables, queues, logs, topic).
    "CKV_AWS_33": Because(
        "AWS::KMS::Key",
        "AWS's documented pattern for a table's customer-managed key: any caller of this "
        "account, only through DynamoDB, SQS, CloudWatch Logs or SNS; a direct kms:Decrypt "
        "by anyone is not covered. The app's four keys name their roles instead.",
        _wildcard_only_through_services_of_this_account,
    ),
    # X-Ray tracing on the API Gateway stage (TracingEnabled, set false in infra/service.py).
    "CKV_AWS_73": Because(
        "AWS::ApiGateway::Stage",
        "API Gateway's X-Ray segments record each caller's IP address (client_ip, "
        "x_forwarded_for) and user agent: " + _NO_IP_KEPT,
    ),
}


def _templates(synthesised: Synthesised) -> dict[str, tuple[dict[str, Any], str]]:
    """Template file name -> (template, region) for both stacks."""
    return {
        f"{stack.stack_name}.template.json": (template, stack.region)
        for stack, template in (
            (synthesised.main_stack, synthesised.main),
            (synthesised.edge_stack, synthesised.edge),
        )
    }


@pytest.mark.parametrize("which", ["main", "edge"])
def test_cfn_lint_finds_no_error_or_warning(synthesised: Synthesised, which: str) -> None:
    stack = synthesised.main_stack if which == "main" else synthesised.edge_stack
    path = synthesised.outdir / f"{stack.stack_name}.template.json"
    matches = lint_file(path, config=ManualArgs(regions=[stack.region]))
    found = []
    for match in matches:
        where = list(getattr(match, "path", []))
        logical_id = str(where[1]) if len(where) > 1 and where[0] == "Resources" else ""
        if (match.rule.id, logical_id) not in CFN_LINT_IGNORED:
            found.append(
                f"{match.rule.id} {logical_id or '-'}: {match.message} (line {match.linenumber})"
            )
    assert not found, f"cfn-lint on {path.name} ({stack.region}):\n" + "\n".join(found)


@pytest.fixture(scope="module")
def checkov_failures(synthesised: Synthesised) -> list[dict[str, Any]]:
    """Every failed checkov check on both templates (one run: checkov takes seconds to start)."""
    if not CHECKOV.exists():
        pytest.fail(
            f"{CHECKOV.relative_to(REPO)} is missing: `source scripts/ensure-venv` makes it "
            "(scripts/test does) from infra/checkov-requirements.txt"
        )
    files = [arg for name in _templates(synthesised) for arg in ("-f", name)]
    command = [str(CHECKOV), *files, "--framework", "cloudformation", "--output", "json"]
    # --quiet: failed checks only; --skip-download: offline (no guidelines or custom policies
    # from the vendor's platform, which checkov otherwise tries to reach).
    command += ["--quiet", "--skip-download"]
    result = subprocess.run(  # noqa: S603 (our own tool venv, our own templates)
        command,
        cwd=synthesised.outdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # 0: every check passed; 1: some failed. Anything else is checkov failing to run.
    assert result.returncode in (0, 1), result.stderr[-4000:]
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    resources = sum(len(template["Resources"]) for template, _ in _templates(synthesised).values())
    assert summary["resource_count"] >= resources * 0.9, summary  # it read both templates
    failures: list[dict[str, Any]] = report["results"]["failed_checks"]
    return failures


def test_checkov_fails_only_the_acknowledged_checks(
    synthesised: Synthesised, checkov_failures: list[dict[str, Any]]
) -> None:
    templates = _templates(synthesised)
    unexplained: list[str] = []
    used: set[str] = set()
    for failure in checkov_failures:
        check, name = failure["check_id"], failure["check_name"]
        file = Path(failure["file_path"]).name
        kind, _, logical_id = failure["resource"].partition(".")
        resource = templates[file][0]["Resources"].get(logical_id, {})
        if _allowed(check, kind, resource):
            used.add(check)
        else:
            unexplained.append(f"{check} {file} {logical_id}: {name}")
    stale = sorted(set(CHECKOV_ALLOWED) - used)
    assert not unexplained, "checkov failures to fix or acknowledge:\n" + "\n".join(unexplained)
    assert not stale, f"acknowledged checkov checks that no longer fail (remove them): {stale}"


def _allowed(check: str, kind: str, resource: dict[str, Any]) -> bool:
    allowance = CHECKOV_ALLOWED.get(check)
    if isinstance(allowance, Nag):
        return allowance.rule in _nag_reasons(resource)
    if isinstance(allowance, Because):
        return kind == allowance.kind and allowance.where(resource)
    return False


def _nag_reasons(resource: dict[str, Any]) -> dict[str, str]:
    """cdk-nag rule -> reason, for each rule acknowledged on this resource."""
    suppressed = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    return {entry["id"]: entry["reason"] for entry in suppressed}
