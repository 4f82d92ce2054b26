"""The local stack's movable clock, end to end (issue 16).

A named report is submitted over HTTP and worked to closure by staff; `python -m
devstack.clock` moves the running stack's clock seven months on, and the retention sweep,
run by the time machine at its due moments, redacts the case (the DPO's retention log shows
it); three years further on the case is deleted and its signed tombstone is what is held.
Nothing personal is found in clear anywhere over the whole run. The tokens staff signed in
with before the journeys still work after them: a token's times are Cognito's, never moved.

The stack is this module's own (time only moves forward: the session's shared stack must not
find itself years on). The first journey goes to a fixed date, so that every due moment is
known: a case closed on 2031-01-15 is due for redaction on 2031-07-15 and for deletion on
2034-01-15; the daily sweep runs 31 times on each journey (`MAX_RUNS_PER_JOB`), 7 days
apart on the 7-month one (…, 2031-07-11, 2031-07-18, …) and 36 days apart on the 3-year
one (…, 2034-01-11, 2034-02-16, …).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from tests.e2e.reports import (
    email_blobs,
    emails,
    log_blob,
    report_with_reference,
    submit,
    wait_for_screening,
    wait_until_drained,
)
from tests.e2e.running import PROJECT_DIR, RunningStack, running_stack
from tests.factories import sentinel_submission
from tests.sentinels import every_queue_blob, every_table_blob, occurrences

pytestmark = pytest.mark.e2e

SCREENER, ADVISOR, DPO = "ss-screener", "ss-advisor-1", "dpo-admin"
JOURNEY_SECONDS = 600


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack for this module alone: its clock goes years forward."""
    with running_stack(tmp_path_factory.mktemp("devstack-clock")) as running:
        yield running


def move(stack: RunningStack, *arguments: str) -> str:
    """`python -m devstack.clock ...` against the stack; what it printed."""
    answer = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "devstack.clock", *arguments, "--port", str(stack.clock_port)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=JOURNEY_SECONDS,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def call(stack: RunningStack, token: str, method: str, path: str, body: Any = None) -> Any:
    """One staff API request; its JSON answer once it is a 2xx."""
    response = requests.request(
        method,
        stack.api + path,
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )
    assert 200 <= response.status_code < 300, f"{method} {path}: {response.text}"
    return response.json()


def test_a_closed_named_case_is_redacted_then_deleted_as_the_clock_moves(
    own_stack: RunningStack,
) -> None:
    stack = own_stack
    tokens = {who: stack.access_token(who) for who in (SCREENER, ADVISOR, DPO)}

    # Given a clock moved to 2031-01-15, and a named report submitted then.
    moved = move(stack, "--to", "2031-01-15")
    assert moved.startswith("clock moved from ")
    assert " to 2031-01-15T00:00:00Z in " in moved.splitlines()[0]
    assert move(stack, "--show").startswith("the stack's clock: 2031-01-15T00:0")
    body, personal = sentinel_submission()
    reference = str(submit(stack, body).json()["reference"])
    item = wait_for_screening(stack, reference)
    assert item["submitted_at"]["S"].startswith("2031-01-15T00:0")

    # ...which staff work to closure.
    written = [f"SentinelClock{what} {time.time_ns()}" for what in ("a", "b", "c", "d")]
    case = f"/staff/cases/{reference}"
    version = call(stack, tokens[SCREENER], "GET", case)["version"]
    assignment = {"advisor_id": ADVISOR, "reason": written[0], "version": version}
    call(stack, tokens[SCREENER], "POST", f"{case}/assignment", assignment)
    contact = {
        "entry": {
            "type": "contact_attempt",
            "method": "phone",
            "result": "reached",
            "note": written[1],
        }
    }
    version = call(stack, tokens[ADVISOR], "POST", f"{case}/timeline", contact)["version"]
    support = {"to": "in_support", "reason": written[2], "version": version}
    version = call(stack, tokens[ADVISOR], "POST", f"{case}/transitions", support)["version"]
    close = {
        "to": "closed",
        "reason": written[3],
        "outcome": "informal_resolution",
        "version": version,
    }
    call(stack, tokens[ADVISOR], "POST", f"{case}/transitions", close)
    assert call(stack, tokens[DPO], "GET", f"/staff/records/{reference}")["held"] == "case"

    # When the clock moves seven months on, the sweep redacts it on its first run after the
    # due date (2031-07-15): on 2031-07-18.
    moved = move(stack, "+7mo")
    assert "  retention_sweep ran 31 times: redacted 1" in moved.splitlines()
    june = call(stack, tokens[DPO], "GET", "/staff/records?month=2031-06")
    july = call(stack, tokens[DPO], "GET", "/staff/records?month=2031-07")
    assert june["redactions"] == []
    [redaction] = july["redactions"]
    assert redaction["reference"] == reference
    assert redaction["redacted_at"].startswith("2031-07-18T00:0")
    assert (redaction["by"], redaction["rule"]) == ("sweep", "redact_named_after_months=6")
    assert call(stack, tokens[DPO], "GET", f"/staff/records/{reference}")["held"] == "case"

    # And when it moves three years on, the case is deleted (due 2034-01-15; the sweep's
    # first run after that is on 2034-02-16) and its signed tombstone is what is held.
    moved = move(stack, "+3y")
    assert "  retention_sweep ran 31 times: deleted 1" in moved.splitlines()
    january = call(stack, tokens[DPO], "GET", "/staff/records?month=2034-01")
    february = call(stack, tokens[DPO], "GET", "/staff/records?month=2034-02")
    assert january["deletions"] == []
    [tombstone] = february["deletions"]
    assert tombstone["reference"] == reference
    assert tombstone["deleted_at"].startswith("2034-02-16T00:0")
    assert tombstone["signature_verified"] is True
    held = call(stack, tokens[DPO], "GET", f"/staff/records/{reference}")
    assert (held["held"], held["case"]) == ("tombstone", None)
    assert report_with_reference(stack, reference) is None

    # The tokens from before the journeys still work: their times are Cognito's.
    assert "cases" in call(stack, tokens[SCREENER], "GET", "/staff/queue")

    # Nothing personal in clear, anywhere, over the whole run.
    assert wait_until_drained(stack), "queues still hold messages"
    sentinels = [*personal, *written]
    assert occurrences(every_table_blob(stack.client("dynamodb")), sentinels) == []
    assert occurrences(every_queue_blob(stack.client("sqs")), sentinels) == []
    sent = emails(stack)
    assert sent  # the new report's alert and the assignment at least
    assert occurrences(email_blobs(sent), sentinels) == []
    assert occurrences([log_blob(stack)], sentinels) == []


def test_moving_the_clock_neither_signs_staff_out_nor_lets_a_revoked_token_back_in() -> None:
    from chalicelib import services
    from devstack.demo import DEMO_PASSWORD
    from devstack.stack import LocalStack, StackOptions

    options = StackOptions(port=0, moto_port=0, web_port=0, clock_port=0, pump_wait_seconds=0)
    with LocalStack(options) as stack:
        assert stack.urls and stack.settings and stack.clients and stack.time_machine

        def token() -> str:
            answer = stack.clients.cognito.initiate_auth(  # type: ignore[union-attr]
                ClientId=stack.settings.staff_client_id,  # type: ignore[union-attr]
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": SCREENER, "PASSWORD": DEMO_PASSWORD},
            )
            return str(answer["AuthenticationResult"]["AccessToken"])

        api = stack.urls.api

        def queue(with_token: str) -> int:
            headers = {"Authorization": f"Bearer {with_token}"}
            return requests.get(f"{api}/staff/queue", headers=headers, timeout=10).status_code

        before = token()
        stack.time_machine.advance(timedelta(days=30))
        # The journey ends 30 days after it began, on the clock; it took real seconds.
        assert timedelta(days=29) < stack.clock.offset <= timedelta(days=30)
        assert services.clock() is stack.clock

        # Thirty days on, a token signed in a moment ago still works.
        assert queue(before) == 200

        # Signed out everywhere now: that token is refused, and signing in again works.
        outcome = services.manage_staff_member()({"action": "sign_out", "member_id": SCREENER})
        assert outcome == {"done": True, "action": "sign_out", "member_id": SCREENER}
        assert queue(before) == 401
        time.sleep(1.1)  # token times are whole seconds: a new session begins after the cut-off
        assert queue(token()) == 200
