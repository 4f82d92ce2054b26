"""Running the real intake and the real release of demographic tables against the running
stack, at a moment of the test's choosing.

Demographic tables are published only for reporting periods that ended at least a grace
month ago, and each is frozen when released. The stack's clock is the real one, so reports
sent to it now land in the current, unpublished period. Instead, the test process builds
the app's own services — the same classes the stack runs — with boto3 clients pointed at
the stack's moto server and a clock set where the test wants it: `ReportIntake` submits
reports dated in a past period (the stack then triages and counts them as it would any
report), and the job's `Publisher.release_due` releases that period, as the stack's
`build_insights` would in the run after the period's grace. The period is older than the
job's release lookback (36 months), so the stack never releases it itself before the test's
reports are counted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import boto3

from chalicelib import services
from chalicelib.clock import FixedClock
from chalicelib.reports.validation import parse_submission
from devstack.aws import AwsClients
from devstack.provision import provision
from tests.e2e.running import REGION, RunningStack

#: The stage `python -m devstack` provisions.
STAGE = "local"


@contextmanager
def app_at(stack: RunningStack, moment: datetime) -> Iterator[None]:
    """The app's services in this process, on the stack's moto server, the clock at `moment`.

    The stack's resources are found by `provision`, which creates only what is missing.
    """
    saved = dict(os.environ)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": stack.moto,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    try:
        session = boto3.session.Session(region_name=REGION)
        settings = provision(AwsClients.from_session(session, endpoint_url=stack.moto), STAGE)
        os.environ.update(settings.environment())
        services.reset(clock=FixedClock(moment))
        yield
    finally:
        services.reset()
        os.environ.clear()
        os.environ.update(saved)


def submit_at(stack: RunningStack, moment: datetime, bodies: list[dict[str, Any]]) -> list[str]:
    """Submit report bodies through the real intake, dated `moment`; their references.

    Each is stored and queued for the stack's triage exactly as `POST /reports` would."""
    with app_at(stack, moment):
        institution = services.institution()
        return [
            services.report_intake()
            .submit(parse_submission(body, institution.form, institution.privacy_notice))
            .reference
            for body in bodies
        ]


def release_at(stack: RunningStack, moment: datetime) -> int:
    """Release every reporting period due by `moment` that is not released yet (the job's
    own release step, as its run at `moment` would do it); how many were released."""
    with app_at(stack, moment):
        return services.insights_job().publisher.release_due(moment)
