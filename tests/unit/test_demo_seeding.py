"""Seeding a demo plan (`devstack.demo_data.seeding`): how the clock moves between steps.

The schedules run on a journey at most once per simulated week, and up to the moment of a
step that needs them (`Step.on_time`); between journeys the clock hops without them when
the next step is more than a day ahead; closer steps run at the clock's time. The jobs kept
off the journeys while seeding run once at the end. The API is a small fake HTTP server;
the clock a fake `TimeTravel` recording each move.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from devstack.demo_data.plan import REPORTER, Plan, Step
from devstack.demo_data.seeding import (
    AFTER_SEEDING,
    SEEDING_SCHEDULES,
    Seeder,
    clock_move,
)

START = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday


def day(number: int, hour: int = 0) -> datetime:
    return START + timedelta(days=number, hours=hour)


def step(at: datetime, what: str, *, on_time: bool = False) -> Step:
    if what == "submit":
        return Step(at, REPORTER, "POST", "/reports", {"mode": "named"}, what, report=1)
    return Step(
        at,
        "ss-advisor-1",
        "POST",
        "/staff/cases/{reference}/timeline",
        {"entry": {"type": "note", "text": "[Demo] a note"}},
        what,
        report=1,
        on_time=on_time,
    )


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "on_time", "move"),
    [
        (day(0, 20), False, "stay"),  # less than a day ahead: at the clock's time
        (day(1, 13), False, "hop"),  # more than a day ahead, within the week
        (day(5, 23), False, "hop"),  # still within a week of the schedules' last run
        (day(6), False, "journey"),  # a week since the schedules last ran
        (day(0, 20), True, "journey"),  # on time: the schedules must run up to it
    ],
)
def test_the_clock_hops_within_a_day_and_runs_the_schedules_once_a_week_or_when_a_step_needs_them(
    at: datetime, on_time: bool, move: str
) -> None:
    # The clock stands at day 0 noon; the schedules last ran up to day -1 (a Sunday).
    assert clock_move(step(at, "note", on_time=on_time), now=day(0, 12), scheduled=day(-1)) == move


def test_a_step_the_clock_has_passed_runs_where_it_stands() -> None:
    now = day(3, 12)
    assert clock_move(step(day(3, 11), "note", on_time=True), now=now, scheduled=day(0)) == "stay"
    assert clock_move(step(day(3, 13), "note", on_time=True), now=now, scheduled=day(0)) == (
        "journey"
    )


def test_while_seeding_the_statistics_run_monthly_and_the_audit_checkpoint_only_at_the_end() -> (
    None
):
    assert SEEDING_SCHEDULES == {"build_insights": 30 * 86400, "audit_checkpoint": None}
    assert AFTER_SEEDING == ("build_insights", "audit_checkpoint")


# --- a run against a fake API ------------------------------------------------------------------


class FakeTravel:
    """The stack's clock: records every move and job."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 1, tzinfo=UTC)
        self.moves: list[tuple[str, Any]] = []

    def now(self) -> datetime:
        return self.moment

    def start_at(self, moment: datetime) -> None:
        self.moment = moment
        self.moves.append(("start", moment))

    def travel_to(self, moment: datetime) -> None:
        self.moment = moment
        self.moves.append(("journey", moment))

    def hop_to(self, moment: datetime) -> None:
        self.moment = moment
        self.moves.append(("hop", moment))

    def run_job(self, name: str) -> None:
        self.moves.append(("job", name))

    def settle(self) -> None:
        self.moves.append(("settle", None))


class FakeApi(BaseHTTPRequestHandler):
    """Accepts a report and any staff request, as the stack's API answers them."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path == "/reports":
            self._answer({"reference": "RS-DEMO-0001"})
        else:
            self._answer({"version": 2})

    def do_GET(self) -> None:
        self._answer({"version": 1})

    def _answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_plan_is_carried_out_with_a_journey_a_week_hops_between_and_the_jobs_left_for_the_end(
    api: str,
) -> None:
    steps = (
        step(day(0, 10), "submit"),
        step(day(0, 14), "note"),  # 4 hours on: no move
        step(day(2, 9), "note"),  # 2 days on: a hop
        step(day(2, 15), "note"),  # the same day: no move
        step(day(5, 9), "note"),  # a hop
        step(day(7, 9), "note"),  # a week since the start: a journey
        step(day(9, 9), "note", on_time=True),  # on time: a journey
        step(day(10, 12), "note"),  # more than a day on: a hop
    )
    plan = Plan(seed=16, start=START, end=day(12), reports=(), steps=steps)
    travel = FakeTravel()
    seeder = Seeder(api, lambda member: "a-token", travel, after=AFTER_SEEDING)

    result = seeder.run(plan)

    assert dict(result.done) == {"submit": 1, "note": 7}
    assert not result.failed
    assert [move for move in travel.moves if move[0] != "settle"] == [
        ("start", START),
        ("hop", day(2, 9)),
        ("hop", day(5, 9)),
        ("journey", day(7, 9)),
        ("journey", day(9, 9)),
        ("hop", day(10, 12)),
        ("journey", day(12)),  # to the plan's end
        ("job", "build_insights"),
        ("job", "audit_checkpoint"),
    ]
    assert (result.journeys, result.hops) == (3, 3)
    assert travel.moves[-1] == ("settle", None)
