"""A Lambda cold start pays for `import app` before its first request.

The app's modules load their heavy dependencies — boto3 and botocore, the encryption SDK,
powertools' batch processing — on first use through `chalicelib.services`, not at import.
(A route module importing a domain module at top level once tripled the cold import;
`bench/cold_import.py` measures the time, this test keeps the cause away.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: (powertools imports the bare `botocore` package, which costs nothing: its client and
#: session are what is heavy.)
HEAVY = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "aws_encryption_sdk",
    "aws_lambda_powertools.utilities.batch",
)


def test_importing_the_app_loads_no_aws_sdk_nor_encryption_sdk() -> None:
    # Given a fresh interpreter (nothing imported yet)
    probe = (
        "import json, sys; import app; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )

    # When it imports the app
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )

    # Then none of the heavy dependencies came with it
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
