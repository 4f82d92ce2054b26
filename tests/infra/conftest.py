"""The CDK app synthesised once for every infra test (offline: no AWS account, no CDK CLI).

Synthesis packages the app for Lambda (`infra/lambda_package.py`), runs cdk-nag and writes the
cloud assembly; it takes about half a minute, so the whole session shares one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: The settings every infra test synthesises with (an institution's deployment would give its
#: own on the command line).
CONTEXT: dict[str, str] = {
    "account": "123456789012",
    "stage": "ci",
    "region": "eu-west-2",
    "web_domain": "report.example.ac.uk",
    "sender_email": "report-support@example.ac.uk",
    "alarm_email": "ops@example.ac.uk",
}


@dataclass(frozen=True)
class Synthesised:
    """The cloud assembly: both stacks' templates and where they were written."""

    outdir: Path
    main: dict[str, Any]
    edge: dict[str, Any]
    main_stack: Any
    edge_stack: Any

    def resources(self, kind: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
        """Logical id -> resource, for every resource of this CloudFormation type."""
        source = self.main if template is None else template
        return {
            logical_id: resource
            for logical_id, resource in source["Resources"].items()
            if resource["Type"] == kind
        }


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesised]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    cwd = Path.cwd()
    # chalice's construct writes its package under the working directory's chalice.out/.
    os.chdir(tmp_path_factory.mktemp("chalice-work"))
    try:
        app, edge, main = build_app(CONTEXT, outdir=str(outdir))
        app.synth()
    finally:
        os.chdir(cwd)
    yield Synthesised(
        outdir=outdir,
        main=json.loads((outdir / f"{main.stack_name}.template.json").read_text()),
        edge=json.loads((outdir / f"{edge.stack_name}.template.json").read_text()),
        main_stack=main,
        edge_stack=edge,
    )
