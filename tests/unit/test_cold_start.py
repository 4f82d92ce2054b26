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

import pytest

from chalicelib.institution.working_time import CHECKED_BANK_HOLIDAYS, check_bank_holidays

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


def _modules_after(probe: str, watched: tuple[str, ...]) -> list[str]:
    found = f"[m for m in {list(watched)!r} if m in sys.modules]"
    script = f"import json, sys; {probe}; print(json.dumps({found}))"
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_loading_the_institution_builds_no_bank_holiday_calendar() -> None:
    # The API loads the institution on its first request; the holidays package imports every
    # country it knows to build one calendar. Only triage, which counts working days, needs it.
    loaded = _modules_after(
        "from chalicelib.institution import load_institution; load_institution()",
        ("holidays",),
    )
    assert loaded == []


@pytest.mark.parametrize("calendar", sorted(CHECKED_BANK_HOLIDAYS, key=str))
def test_each_calendar_trusted_at_load_passes_the_full_check(
    calendar: tuple[str, str | None],
) -> None:
    check_bank_holidays(*calendar)  # raises if the pinned holidays release refuses it


def test_queue_producers_load_no_batch_processing() -> None:
    # With pydantic loaded, powertools' batch module builds parser models for every event
    # source; only the SQS consumers need it, not the API that sends to the queues.
    loaded = _modules_after(
        "import chalicelib.queues, chalicelib.cases.intake",
        ("aws_lambda_powertools.utilities.batch",),
    )
    assert loaded == []


def test_checking_an_email_address_makes_no_dns_lookup_nor_imports_dnspython() -> None:
    # The Lambda package leaves dnspython out (infra/lambda_package.py): email-validator
    # needs it only for the deliverability check, which the app turns off.
    loaded = _modules_after(
        "from chalicelib.addresses import EmailAddress; "
        "from pydantic import TypeAdapter; "
        "TypeAdapter(EmailAddress).validate_python('alex@example.ac.uk')",
        ("dns", "dns.resolver"),
    )
    assert loaded == []


#: The request and answer models of the staff, rights, records and insights routes, and the
#: OpenAPI document that imports all of them: each route imports its own on first use
#: (`chalicelib.lazy`), since `POST /reports` needs none of them.
STAFF_ROUTE_SCHEMAS = (
    "chalicelib.api.staff_schemas",
    "chalicelib.api.insights_schemas",
    "chalicelib.api.rights_schemas",
    "chalicelib.api.records_schemas",
    "chalicelib.api.openapi",
    "chalicelib.cases.models",
    "chalicelib.rights.models",
)


def test_importing_the_app_defines_no_staff_route_schema() -> None:
    # Defining a pydantic model costs a cold start a fraction of a millisecond, and these
    # modules define dozens of them.
    assert _modules_after("import app", STAFF_ROUTE_SCHEMAS) == []


def test_importing_the_app_builds_only_the_models_a_report_submission_uses() -> None:
    # A model without `defer_build` builds its validator at import; only those the first
    # `POST /reports` uses anyway may (the settings, and its answer).
    probe = (
        "import json, app; from pydantic import BaseModel\n"
        "def every(cls):\n"
        "    for sub in cls.__subclasses__():\n"
        "        yield sub\n"
        "        yield from every(sub)\n"
        "print(json.dumps(sorted({m.__qualname__ for m in every(BaseModel)"
        " if m.__pydantic_complete__})))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    built = json.loads(result.stdout.strip().splitlines()[-1])
    # (FollowUpIssued is part of SubmissionAccepted: the receipt code of a follow-up report)
    assert set(built) <= {"Settings", "SubmissionAccepted", "FollowUpIssued"}
