"""The CDK app: `cdk synth` / `cdk deploy` run this (see `infra/cdk.json`).

Two stacks per deployment, named after the stage:
- `ReportSupport-<stage>-edge` in us-east-1: the WAF web ACL and the site's certificate;
- `ReportSupport-<stage>` in the chosen region: everything else.

cdk-nag's AWS Solutions and NIST 800-53 rev 5 packs check both; any finding not suppressed
with a reason (`infra/nag.py`) fails the synthesis.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `cdk` runs this file as a script from infra/
    sys.path.insert(0, str(REPO))

from infra.config import DeploymentConfig  # noqa: E402
from infra.edge import EdgeStack  # noqa: E402
from infra.lambda_package import stage_project  # noqa: E402
from infra.nag import check_with_nag  # noqa: E402
from infra.stack import ReportSupportStack  # noqa: E402


def build_app(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    source_dir: Path | None = None,
) -> tuple[cdk.App, EdgeStack, ReportSupportStack]:
    """Both stacks in one app. `context` overrides `cdk.json` (tests pass their own)."""
    app = cdk.App(context=dict(context or {}), outdir=outdir)
    config = DeploymentConfig.from_context(_context(app, context))
    account = config.account or os.environ.get("CDK_DEFAULT_ACCOUNT") or None
    edge = EdgeStack(
        app,
        f"ReportSupport-{config.stage}-edge",
        config=config,
        env=cdk.Environment(account=account, region="us-east-1"),
        description="Report + Support: WAF web ACL and certificate (CloudFront's region)",
    )
    if source_dir is None:
        source_dir = stage_project(Path(tempfile.mkdtemp(prefix="report-support-lambda-")))
    main = ReportSupportStack(
        app,
        f"ReportSupport-{config.stage}",
        config=config,
        source_dir=source_dir,
        env=cdk.Environment(account=account, region=config.region),
        description="Report + Support: reporting and case management",
        synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False),
    )
    check_with_nag(app, edge, main)
    return app, edge, main


def _context(app: cdk.App, given: Mapping[str, Any] | None) -> dict[str, Any]:
    names = DeploymentConfig.model_fields
    found = {name: app.node.try_get_context(name) for name in names}
    return {name: value for name, value in found.items() if value is not None} | dict(given or {})


def main() -> None:
    """Synthesise as the CDK CLI asks (`CDK_OUTDIR`, `CDK_CONTEXT_JSON`), building the Lambda
    package and chalice's working files in a temporary directory removed afterwards."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    outdir = os.environ.get("CDK_OUTDIR")
    outdir = os.path.abspath(outdir) if outdir else str(Path.cwd() / "cdk.out")
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="report-support-synth-") as work:
        # chalice's construct writes its package under the working directory's chalice.out/
        os.chdir(work)
        try:
            app, _, _ = build_app(outdir=outdir, source_dir=stage_project(Path(work) / "app"))
            app.synth()
        finally:
            os.chdir(here)


if __name__ == "__main__":
    main()
