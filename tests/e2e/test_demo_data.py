"""`python -m devstack --demo`, end to end (issue 16).

The stack starts with a small demo data set (`--demo-reports 36`), seeded through the real
APIs from the start of the academic year two years back to now, the clock moved forward on
the way. Then: the screeners' queues hold cases, Insights shows real tables with a small
cell still suppressed, the DPO's retention log lists old closed named cases redacted, a
trend alert was raised, and none of the demo's personal values is in clear in any table,
queue, log line or email. Then the clock moves on past a redaction date and past a deletion
date (`python -m devstack.clock`), and the retention log shows both happen, the scan still
clean.

The demo's values are known to the test without reading them from the stack: it builds the
same plan (`devstack.demo_data.plan`) from the seed, volume and dates the stack logs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from chalicelib.institution import load_institution
from chalicelib.resources import INSIGHTS_TABLE, physical_name
from devstack.demo_data.plan import Plan, build_plan
from tests.e2e.reports import email_blobs, emails, log_blob, wait_until_drained
from tests.e2e.running import PROJECT_DIR, RunningStack, running_stack
from tests.sentinels import (
    every_queue_blob,
    every_table_blob,
    occurrences,
    table_items,
    wait_until,
)

pytestmark = pytest.mark.e2e

REPORTS = 36
SEED = 16
#: Seeding takes about a minute alone on a quiet machine; a busy one takes several.
SEEDING_SECONDS = 1200
JOURNEY_SECONDS = 900
SCREENERS = ("ss-screener", "hr-screener", "di-screener")
ANALYST, DPO = "di-analyst", "dpo-admin"
_READY = re.compile(
    r"demo data ready in \d+ s: seed (?P<seed>\d+), (?P<reports>\d+) reports, "
    r"from (?P<start>\S+) to (?P<end>\S+)"
)


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack of this module's own, seeded with demo data (its clock goes years forward)."""
    arguments = ("--demo", "--demo-reports", str(REPORTS), "--demo-seed", str(SEED))
    with running_stack(tmp_path_factory.mktemp("devstack-demo"), *arguments) as running:
        ready = wait_until(
            lambda: "local stack ready" in running.log_text(), SEEDING_SECONDS, interval=2
        )
        assert ready, f"demo data not ready in {SEEDING_SECONDS} s:\n{running.log_text()[-4000:]}"
        yield running


@pytest.fixture(scope="module")
def plan(demo_stack: RunningStack) -> Plan:
    """The plan the stack carried out, built again here from what it logged."""
    found = _READY.search(demo_stack.log_text())
    assert found is not None, "the stack logs no demo data line"
    assert (int(found["seed"]), int(found["reports"])) == (SEED, REPORTS)
    return build_plan(
        load_institution(),
        seed=SEED,
        reports=REPORTS,
        start=datetime.fromisoformat(found["start"]),
        end=datetime.fromisoformat(found["end"]),
    )


@pytest.fixture(scope="module")
def tokens(demo_stack: RunningStack) -> dict[str, str]:
    return {who: demo_stack.access_token(who) for who in (*SCREENERS, ANALYST, DPO)}


def call(stack: RunningStack, token: str, path: str) -> Any:
    """A staff GET; its JSON answer once it is a 200."""
    response = requests.get(
        stack.api + path, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert response.status_code == 200, f"GET {path}: {response.text}"
    return response.json()


def move(stack: RunningStack, journey: str) -> str:
    """`python -m devstack.clock <journey>` against the stack; what it printed."""
    answer = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "devstack.clock", journey, "--port", str(stack.clock_port)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=JOURNEY_SECONDS,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def months(first: str, last: str) -> list[str]:
    """`YYYY-MM` from `first` to `last`, both included."""
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def retention_log(stack: RunningStack, token: str, month: str) -> tuple[list[Any], list[Any]]:
    """Every redaction and deletion the DPO's retention log lists for a month."""
    redactions: list[Any] = []
    deletions: list[Any] = []
    cursor = ""
    while True:
        page = call(stack, token, f"/staff/records?month={month}{cursor}")
        redactions += page["redactions"]
        deletions += page["deletions"]
        if not page["next_cursor"]:
            return redactions, deletions
        cursor = f"&cursor={page['next_cursor']}"


def logged(stack: RunningStack, token: str, span: list[str]) -> tuple[set[str], set[str]]:
    """The references redacted and deleted over the months of `span`."""
    redacted: set[str] = set()
    deleted: set[str] = set()
    for month in span:
        redactions, deletions = retention_log(stack, token, month)
        redacted |= {entry["reference"] for entry in redactions}
        deleted |= {entry["reference"] for entry in deletions}
    return redacted, deleted


def personal_values_in_clear(stack: RunningStack, plan: Plan) -> list[str]:
    """Where any of the demo's personal values is found in clear."""
    assert wait_until_drained(stack, timeout=60)
    blobs = [
        *every_table_blob(stack.client("dynamodb")),
        *every_queue_blob(stack.client("sqs")),
        *email_blobs(emails(stack)),
        log_blob(stack),
    ]
    return occurrences(blobs, plan.personal_values())


def test_the_demo_stack_holds_a_realistic_data_set_and_retention_acts_on_it_as_time_moves(
    demo_stack: RunningStack, plan: Plan, tokens: dict[str, str]
) -> None:
    stack = demo_stack
    log = stack.log_text()
    # The summary says the stack holds demo data and how to sign in.
    assert "DEMO DATA: this stack holds a fictional data set, not real reports" in log
    assert "dpo-admin for the retention log and rights requests" in log
    assert "refused steps" not in log

    # The screeners' queues hold cases.
    queued = [
        case
        for screener in SCREENERS
        for case in call(stack, tokens[screener], "/staff/queue")["cases"]
    ]
    assert len(queued) > 0

    # Insights for the first academic year: real tables, small cells still suppressed.
    first_year = f"{plan.start:%Y-%m}"
    last_month = f"{plan.start.year + 1}-07"
    insights = call(stack, tokens[ANALYST], f"/staff/insights?from={first_year}&to={last_month}")
    assert insights["total_reports"] > 0
    assert any(dimension["values"] for dimension in insights["counts"])
    assert insights["demographics"], "no demographic table was released for the first year"
    assert all(table["rows"] and table["columns"] for table in insights["demographics"])
    cells = [cell for table in insights["demographics"] for row in table["cells"] for cell in row]
    assert None in cells  # suppressed: at this volume most cells are below the threshold

    # The retention log lists old closed named cases redacted.
    span = months(f"{plan.start:%Y-%m}", f"{plan.end:%Y-%m}")
    redacted, deleted = logged(stack, tokens[DPO], span)
    assert len(redacted) > 0
    assert deleted == set()  # nothing is three years old yet

    # A trend alert was raised.
    alerts = [
        item
        for item in table_items(
            stack.client("dynamodb"), physical_name("local", INSIGHTS_TABLE.logical_name)
        )
        if item["pk"]["S"].startswith("ALERT#")
    ]
    assert len(alerts) > 0

    # Nothing personal in clear anywhere.
    assert personal_values_in_clear(stack, plan) == []

    # When the clock moves seven months on, cases closed since are redacted too.
    move(stack, "+7mo")
    later = months(f"{plan.end:%Y-%m}", f"{plan.end.year + 1}-{plan.end.month:02d}")
    redacted_later, _ = logged(stack, tokens[DPO], later)
    assert redacted_later - redacted

    # And a year further on, the oldest anonymised records (three years old) are deleted.
    move(stack, "+1y")
    until = f"{plan.end.year + 2}-{plan.end.month:02d}"
    _, deleted = logged(stack, tokens[DPO], months(f"{plan.end:%Y-%m}", until))
    assert len(deleted) > 0

    # Still nothing personal in clear, over the whole run.
    assert personal_values_in_clear(stack, plan) == []
