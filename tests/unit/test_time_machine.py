"""The local stack's movable clock and its time machine (devstack/clock.py), with a fake
scheduler and a fake pump: which jobs run on a journey, in what order, how many times and
at what time each is told; forward only; and the command line's journeys."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devstack.clock import (
    MAX_RUNS_PER_JOB,
    MovableClock,
    TimeMachine,
    due_runs,
    journey_end,
    main,
)
from devstack.clock_control import ClockControl, ControlError, ask
from devstack.scheduler import Job, JobRun


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class RealTime:
    """A fake real clock: stands still unless a test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class FakeScheduler:
    """Jobs by name and rate; records each run and the app's time it saw."""

    clock: MovableClock
    rates: dict[str, int]
    results: dict[str, dict[str, int]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    #: Called after each run (a run that takes real time moves the fake real clock).
    after_run: Callable[[], None] = lambda: None
    ran: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        return [
            Job(name=name, every_seconds=rate / 60, handler=_unused, rate_seconds=rate)
            for name, rate in self.rates.items()
        ]

    def run(self, name: str) -> JobRun:
        self.ran.append((name, self.clock.now()))
        self.after_run()
        if name in self.failing:
            return JobRun(ok=False)
        return JobRun(ok=True, result=self.results.get(name, {}))


@dataclass
class FakePump:
    drains: int = 0

    def drain(self, timeout: float = 30.0) -> bool:
        self.drains += 1
        return True


def _unused(event: dict[str, Any], context: Any) -> None:
    raise AssertionError("the fake scheduler runs no handler")


def machine(
    start: datetime, rates: dict[str, int]
) -> tuple[TimeMachine, FakeScheduler, FakePump, RealTime]:
    real = RealTime(start)
    clock = MovableClock(real)
    scheduler = FakeScheduler(clock, rates)
    pump = FakePump()
    return TimeMachine(clock, scheduler, pump), scheduler, pump, real


# --- the clock ---------------------------------------------------------------------------------


def test_a_movable_clock_is_the_real_time_until_moved_then_the_real_time_plus_its_offset() -> None:
    real = RealTime(utc(2026, 3, 2, 9, 30))
    clock = MovableClock(real)

    assert clock.now() == utc(2026, 3, 2, 9, 30)
    assert clock.offset == timedelta(0)

    clock.set_offset(timedelta(days=30))
    real.moment = utc(2026, 3, 2, 9, 31)

    assert clock.now() == utc(2026, 4, 1, 9, 31)
    assert clock.real_now() == utc(2026, 3, 2, 9, 31)


def test_the_system_movable_clock_is_aware_utc() -> None:
    assert MovableClock().now().tzinfo is UTC


# --- which runs fall due -----------------------------------------------------------------------


def test_each_job_runs_at_every_multiple_of_its_rate_on_the_way_in_time_order() -> None:
    runs = due_runs(
        [("hourly", 3600), ("daily", 86400)],
        start=utc(2026, 3, 1, 21, 30),
        end=utc(2026, 3, 2, 1, 0),
    )

    assert runs == [
        (utc(2026, 3, 1, 22), "hourly"),
        (utc(2026, 3, 1, 23), "hourly"),
        (utc(2026, 3, 2, 0), "hourly"),
        (utc(2026, 3, 2, 0), "daily"),
        (utc(2026, 3, 2, 1), "hourly"),
    ]


def test_a_job_due_at_the_start_does_not_run_again_and_one_due_at_the_end_does() -> None:
    runs = due_runs([("daily", 86400)], start=utc(2026, 3, 1), end=utc(2026, 3, 3))

    assert runs == [(utc(2026, 3, 2), "daily"), (utc(2026, 3, 3), "daily")]


def test_nothing_falls_due_within_one_interval_between_due_moments() -> None:
    assert due_runs([("daily", 86400)], utc(2026, 3, 1, 0, 1), utc(2026, 3, 1, 23, 59)) == []
    assert due_runs([("daily", 86400)], utc(2026, 3, 1, 0, 1), utc(2026, 3, 2, 0, 0)) == [
        (utc(2026, 3, 2), "daily")
    ]


def test_a_daily_job_runs_every_day_of_thirty_days() -> None:
    runs = due_runs([("retention_sweep", 86400)], utc(2026, 3, 1, 12), utc(2026, 3, 31, 12))

    assert len(runs) == 30
    assert runs[0] == (utc(2026, 3, 2), "retention_sweep")
    assert runs[-1] == (utc(2026, 3, 31), "retention_sweep")


def test_a_five_minute_job_runs_at_most_31_times_in_thirty_days_ending_at_its_last_due_moment() -> (
    None
):
    # 8,640 due moments; every 279th (23 h 15 min apart), counted back from the last: the
    # first of the 31 is 30 steps (29 days 1 h 30 min) before it.
    runs = due_runs([("redrive_outbox", 300)], utc(2026, 3, 1, 12, 2), utc(2026, 3, 31, 12, 2))

    assert MAX_RUNS_PER_JOB == 31
    assert len(runs) == 31
    assert runs[-1] == (utc(2026, 3, 31, 12, 0), "redrive_outbox")
    assert runs[-2] == (utc(2026, 3, 30, 12, 45), "redrive_outbox")
    assert runs[0] == (utc(2026, 3, 2, 10, 30), "redrive_outbox")


def test_the_daily_job_over_three_years_runs_31_times_a_whole_number_of_days_apart() -> None:
    runs = due_runs([("retention_sweep", 86400)], utc(2026, 1, 1, 12), utc(2029, 1, 1, 12))

    assert len(runs) == 31
    # 1,096 days; every 36th day, counted back from 2029-01-01.
    assert runs[-1][0] == utc(2029, 1, 1)
    assert runs[-2][0] == utc(2028, 11, 26)
    assert all(moment.hour == 0 and moment.minute == 0 for moment, _ in runs)


# --- journeys ------------------------------------------------------------------------------------


def test_advance_runs_each_due_job_with_the_clock_at_its_due_moment_and_drains_after_each() -> None:
    time_machine, scheduler, pump, _ = machine(
        utc(2026, 3, 1, 21, 30), {"sla_watch": 3600, "retention_sweep": 86400}
    )

    travel = time_machine.advance(timedelta(hours=3, minutes=30))

    assert scheduler.ran == [
        ("sla_watch", utc(2026, 3, 1, 22)),
        ("sla_watch", utc(2026, 3, 1, 23)),
        ("sla_watch", utc(2026, 3, 2, 0)),
        ("retention_sweep", utc(2026, 3, 2, 0)),
        ("sla_watch", utc(2026, 3, 2, 1)),
    ]
    # Once before the journey (work queued before it), then after every run.
    assert pump.drains == 6
    assert travel.runs == {"sla_watch": 4, "retention_sweep": 1}
    assert travel.started == utc(2026, 3, 1, 21, 30)
    assert travel.now == utc(2026, 3, 2, 1, 0)
    assert time_machine.clock.now() == utc(2026, 3, 2, 1, 0)


def test_what_the_runs_returned_is_summed_and_described_per_job() -> None:
    time_machine, scheduler, _, _ = machine(
        utc(2026, 3, 1, 12), {"retention_sweep": 86400, "audit_checkpoint": 86400}
    )
    scheduler.results["retention_sweep"] = {"redacted": 1, "deleted": 0, "deferred": 0}
    scheduler.failing.add("audit_checkpoint")

    travel = time_machine.journey("+2d")

    assert travel.counts["retention_sweep"] == {"redacted": 2, "deleted": 0, "deferred": 0}
    assert travel.failures == {"audit_checkpoint": 2}
    assert travel.describe()[1:] == [
        "  retention_sweep ran 2 times: redacted 2",
        "  audit_checkpoint ran 2 times: nothing to do (2 failed; see the stack's log)",
    ]


def test_a_journey_on_which_nothing_falls_due_says_so_and_still_moves_the_clock() -> None:
    time_machine, scheduler, _, _ = machine(utc(2026, 3, 1, 0, 10), {"daily": 86400})

    travel = time_machine.journey("+6h")

    assert scheduler.ran == []
    assert travel.describe() == [
        "clock moved from 2026-03-01T00:10:00Z to 2026-03-01T06:10:00Z in 0.0 s",
        "  no schedule fell due on the way",
    ]
    assert time_machine.clock.now() == utc(2026, 3, 1, 6, 10)


def test_the_clock_never_goes_back_when_runs_take_longer_than_the_gap_between_them() -> None:
    time_machine, scheduler, _, real = machine(utc(2026, 3, 1, 21, 30), {"hourly": 3600})

    def two_real_hours() -> None:
        real.moment += timedelta(hours=2)

    scheduler.after_run = two_real_hours

    time_machine.advance(timedelta(hours=3, minutes=30))

    # Due at 22:00, 23:00, 00:00, 01:00; each run took two real hours, so from the second on
    # the clock was already past the due moment and was not put back.
    assert scheduler.ran == [
        ("hourly", utc(2026, 3, 1, 22)),
        ("hourly", utc(2026, 3, 2, 0)),
        ("hourly", utc(2026, 3, 2, 2)),
        ("hourly", utc(2026, 3, 2, 4)),
    ]
    assert time_machine.clock.now() == utc(2026, 3, 2, 6)


def test_the_clock_moves_forward_only() -> None:
    time_machine, scheduler, _, _ = machine(utc(2026, 3, 1, 12), {"hourly": 3600})

    with pytest.raises(ValueError, match="forward only"):
        time_machine.advance(timedelta(hours=-1))
    with pytest.raises(ValueError, match="forward only: it is 2026-03-01T12:00:00Z"):
        time_machine.travel_to(utc(2026, 2, 1))
    assert time_machine.clock.now() == utc(2026, 3, 1, 12)
    assert scheduler.ran == []

    time_machine.travel_to(utc(2026, 3, 1, 13))
    assert time_machine.clock.now() == utc(2026, 3, 1, 13)
    assert scheduler.ran == [("hourly", utc(2026, 3, 1, 13))]


def test_start_at_sets_the_clock_before_the_app_read_it_and_is_refused_after() -> None:
    time_machine, _, _, _ = machine(utc(2026, 12, 1, 12), {"daily": 86400})

    time_machine.start_at(utc(2024, 9, 1))

    assert time_machine.clock.now() == utc(2024, 9, 1)
    with pytest.raises(RuntimeError, match="nothing was written yet"):
        time_machine.start_at(utc(2024, 10, 1))
    assert time_machine.clock.now() == utc(2024, 9, 1)


def test_start_at_is_refused_after_a_journey() -> None:
    time_machine, _, _, _ = machine(utc(2026, 12, 1, 12), {"daily": 86400})
    time_machine.journey("+1h")

    with pytest.raises(RuntimeError, match="nothing was written yet"):
        time_machine.start_at(utc(2024, 9, 1))


# --- seeding's ways of moving: hops, schedules changed, a job run alone -------------------------


def test_a_hop_runs_no_schedule_and_the_next_journey_runs_what_fell_due_on_the_way_late() -> None:
    time_machine, scheduler, pump, _ = machine(utc(2026, 3, 1, 12), {"daily": 86400})
    time_machine.max_runs_per_job = 1

    time_machine.hop_to(utc(2026, 3, 3, 12))

    assert scheduler.ran == []
    assert time_machine.clock.now() == utc(2026, 3, 3, 12)
    assert pump.drains == 1  # what was queued before the hop is done at its time

    travel = time_machine.travel_to(utc(2026, 3, 3, 13))

    # Due at midnight on the 2nd and the 3rd, both during the hop: one run (the cap), late,
    # with the clock where the journey found it, never back.
    assert scheduler.ran == [("daily", utc(2026, 3, 3, 12))]
    assert travel.runs == {"daily": 1}

    time_machine.travel_to(utc(2026, 3, 4, 1))
    assert scheduler.ran[1:] == [("daily", utc(2026, 3, 4))]


def test_a_hop_moves_forward_only() -> None:
    time_machine, scheduler, _, _ = machine(utc(2026, 3, 1, 12), {"daily": 86400})

    with pytest.raises(ValueError, match="forward only: it is 2026-03-01T12:00:00Z"):
        time_machine.hop_to(utc(2026, 3, 1, 11))
    assert time_machine.clock.now() == utc(2026, 3, 1, 12)

    time_machine.hop_to(utc(2026, 3, 1, 13))
    assert time_machine.clock.now() == utc(2026, 3, 1, 13)
    assert scheduler.ran == []


def test_overrides_keep_a_job_off_the_journeys_and_run_another_at_a_rate_of_its_own() -> None:
    time_machine, scheduler, _, _ = machine(
        utc(2026, 3, 1, 12),
        {"audit_checkpoint": 3600, "build_insights": 900, "retention_sweep": 86400},
    )
    time_machine.schedule_overrides = {"audit_checkpoint": None, "build_insights": 2 * 86400}

    travel = time_machine.travel_to(utc(2026, 3, 5, 12))

    assert travel.runs == {"build_insights": 2, "retention_sweep": 4}
    # Every two days counted from the epoch: midnight on the 2nd and the 4th.
    assert [run for run in scheduler.ran if run[0] == "build_insights"] == [
        ("build_insights", utc(2026, 3, 2)),
        ("build_insights", utc(2026, 3, 4)),
    ]

    # Without the overrides, each runs on its own rate again.
    time_machine.schedule_overrides = {}
    assert time_machine.travel_to(utc(2026, 3, 5, 13)).runs == {
        "audit_checkpoint": 1,
        "build_insights": 4,
    }


def test_run_job_runs_one_job_where_the_clock_stands_draining_before_and_after() -> None:
    time_machine, scheduler, pump, _ = machine(
        utc(2026, 3, 1, 12, 30), {"audit_checkpoint": 3600, "sla_watch": 900}
    )
    scheduler.results["audit_checkpoint"] = {"checkpointed": 3}

    travel = time_machine.run_job("audit_checkpoint")

    assert scheduler.ran == [("audit_checkpoint", utc(2026, 3, 1, 12, 30))]
    assert travel.counts == {"audit_checkpoint": {"checkpointed": 3}}
    assert time_machine.clock.now() == utc(2026, 3, 1, 12, 30)
    assert pump.drains == 2


def test_a_journey_may_drain_once_after_all_its_runs_instead_of_after_each() -> None:
    time_machine, scheduler, pump, _ = machine(
        utc(2026, 3, 1, 21, 30), {"sla_watch": 3600, "retention_sweep": 86400}
    )
    time_machine.drain_after_each_run = False

    time_machine.advance(timedelta(hours=3, minutes=30))

    assert len(scheduler.ran) == 5
    assert pump.drains == 2  # before the journey and after its last run (not 6)


# --- how far a journey goes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("+30d", utc(2026, 3, 1, 9), utc(2026, 3, 31, 9)),
        ("+6h", utc(2026, 3, 1, 21), utc(2026, 3, 2, 3)),
        ("+90min", utc(2026, 3, 1, 9), utc(2026, 3, 1, 10, 30)),
        ("+2w", utc(2026, 3, 1, 9), utc(2026, 3, 15, 9)),
        ("+7mo", utc(2026, 1, 31, 9), utc(2026, 8, 31, 9)),
        ("+1mo", utc(2026, 1, 31, 9), utc(2026, 2, 28, 9)),
        ("+1y", utc(2028, 2, 29, 9), utc(2029, 2, 28, 9)),
        ("+2y", utc(2026, 3, 1, 9), utc(2028, 3, 1, 9)),
        (" +3y ", utc(2026, 3, 1, 9), utc(2029, 3, 1, 9)),
    ],
)
def test_journeys_in_days_and_hours_are_exact_and_months_and_years_are_calendar_ones(
    text: str, start: datetime, end: datetime
) -> None:
    assert journey_end(text, start) == end


@pytest.mark.parametrize("text", ["30d", "-1d", "+0d", "+1x", "+1.5d", "+d", "+1 d", ""])
def test_a_journey_that_is_not_plus_a_number_and_a_unit_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"journey|nowhere"):
        journey_end(text, utc(2026, 3, 1))


# --- the control port and the command line -------------------------------------------------------


@pytest.fixture
def control() -> Iterator[tuple[int, FakeScheduler]]:
    time_machine, scheduler, _, _ = machine(
        utc(2026, 3, 1, 12), {"retention_sweep": 86400, "sla_watch": 900}
    )
    scheduler.results["retention_sweep"] = {"redacted": 1, "deleted": 0}
    server = ClockControl(time_machine, 0)
    server.start()
    try:
        yield server.port, scheduler
    finally:
        server.stop()


def test_the_command_line_moves_the_stack_clock_and_prints_what_ran(
    control: tuple[int, FakeScheduler], capsys: pytest.CaptureFixture[str]
) -> None:
    port, scheduler = control

    assert main(["+2d", "--port", str(port)]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("clock moved from 2026-03-01T12:00:00Z to 2026-03-03T12:00:00Z")
    assert "  retention_sweep ran 2 times: redacted 2" in printed
    # 192 quarter hours in two days: every 7th runs (28 runs, under the cap of 31).
    assert "  sla_watch ran 28 times: nothing to do" in printed
    assert scheduler.ran[-1] == ("sla_watch", utc(2026, 3, 3, 12))

    assert main(["--show", "--port", str(port)]) == 0
    assert capsys.readouterr().out.startswith("the stack's clock: 2026-03-03T12:00:00Z")


def test_the_command_line_moves_to_a_date_and_refuses_going_back(
    control: tuple[int, FakeScheduler], capsys: pytest.CaptureFixture[str]
) -> None:
    port, _ = control

    assert main(["--to", "2026-03-05", "--port", str(port)]) == 0
    assert "to 2026-03-05T00:00:00Z" in capsys.readouterr().out

    assert main(["--to", "2026-03-04", "--port", str(port)]) == 1
    assert "forward only: it is 2026-03-05T00:00:00Z" in capsys.readouterr().err
    assert main(["+3days", "--port", str(port)]) == 2
    assert "not a journey: '+3days'" in capsys.readouterr().err


def test_the_command_line_says_when_no_stack_is_listening(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert main(["--show", "--port", str(port)]) == 1
    assert "no local stack's clock on 127.0.0.1" in capsys.readouterr().err


def _raw(port: int, method: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, "/clock", body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_control_refuses_a_non_loopback_host_and_a_post_that_is_not_json(
    control: tuple[int, FakeScheduler],
) -> None:
    port, scheduler = control
    body = json.dumps({"by": "+1d"}).encode()

    # A DNS-rebound name, and a form post (which a web page could send without a preflight).
    rebound = {"Host": f"evil.example:{port}", "Content-Type": "application/json"}
    form = {"Host": f"127.0.0.1:{port}", "Content-Type": "text/plain"}
    assert _raw(port, "POST", rebound, body)[0] == 403
    assert _raw(port, "POST", form, body)[0] == 415
    assert scheduler.ran == []

    status, answer = _raw(
        port, "POST", {"Host": f"localhost:{port}", "Content-Type": "application/json"}, body
    )
    assert status == 200
    assert answer["now"] == "2026-03-02T12:00:00Z"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"by": "+1d", "to": "2027-01-01"}, 'say {"by": "+30d"} or {"to": "YYYY-MM-DD"}'),
        ({"now": "2027-01-01"}, 'say {"by": "+30d"} or {"to": "YYYY-MM-DD"}'),
        ({"to": "01/06/2027"}, "not a date: '01/06/2027'"),
        ({"by": "-1d"}, "not a journey: '-1d'"),
    ],
)
def test_the_control_answers_a_bad_request_with_400_naming_what_is_wrong(
    control: tuple[int, FakeScheduler], body: dict[str, str], error: str
) -> None:
    port, scheduler = control

    with pytest.raises(ControlError, match="^" + re.escape(error)):
        ask(port, "POST", body)
    assert scheduler.ran == []
    assert ask(port, "GET")["now"] == "2026-03-01T12:00:00Z"


def test_one_journey_at_a_time() -> None:
    time_machine, scheduler, _, _ = machine(utc(2026, 3, 1, 12), {"hourly": 3600})
    inside = threading.Event()
    release = threading.Event()

    def slow() -> None:
        if not inside.is_set():
            inside.set()
            release.wait(5)

    scheduler.after_run = slow
    first = threading.Thread(target=lambda: time_machine.journey("+2h"))
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=lambda: time_machine.journey("+1h"))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waiting for the first journey
    release.set()
    first.join(5)
    second.join(5)

    assert [moment for _, moment in scheduler.ran] == [
        utc(2026, 3, 1, 13),
        utc(2026, 3, 1, 14),
        utc(2026, 3, 1, 15),
    ]


def test_the_audit_checkpoint_runs_at_most_8_times_a_journey_the_others_31() -> None:
    time_machine, scheduler, _, _ = machine(
        utc(2026, 3, 1, 12), {"audit_checkpoint": 3600, "sla_watch": 900}
    )

    travel = time_machine.journey("+30d")

    assert travel.runs == {"sla_watch": 31, "audit_checkpoint": 8}
    # 720 hours: every 90th hour, counted back from the last.
    checkpoints = [moment for name, moment in scheduler.ran if name == "audit_checkpoint"]
    assert checkpoints[-1] == utc(2026, 3, 31, 12)
    assert checkpoints[-2] == utc(2026, 3, 27, 18)
