"""`infra/cdk.json` names the app, so the CDK CLI's `cdk synth` (and `cdk deploy`) works from
`infra/`: the CLI runs that command with `CDK_OUTDIR` set and reads the cloud assembly."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

INFRA = Path(__file__).resolve().parents[2] / "infra"


def test_the_app_cdk_json_names_synthesises_both_stacks_with_its_context(
    tmp_path: Path,
) -> None:
    # Given the command and context cdk.json gives the CLI
    cdk = json.loads((INFRA / "cdk.json").read_text())
    command = shlex.split(cdk["app"])
    assert command[0] == "python"
    environment = {
        **os.environ,
        # the CLI's own variables: where to write, and the context it read from cdk.json
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps(cdk["context"]),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }

    # When it is run from infra/ as the CLI runs it
    subprocess.run(  # noqa: S603 (the project's own app)
        command, cwd=INFRA, env=environment, check=True, capture_output=True, timeout=300
    )

    # Then both stacks of the default stage are in the assembly (and no working files are
    # left in infra/)
    assert not (INFRA / "chalice.out").exists()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    stacks = {
        name: artifact["environment"]
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    assert stacks == {
        "ReportSupport-prod-edge": "aws://unknown-account/us-east-1",
        "ReportSupport-prod": "aws://unknown-account/eu-west-2",
    }
