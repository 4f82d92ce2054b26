"""A clock you can move, on the local stack only: `python -m devstack.clock +30d`.

The app reads the time only through `chalicelib.services.clock()`. The local stack installs a
`MovableClock` there (the real UTC time plus an offset), and a `TimeMachine` moves it forward:
the schedules that fall due on the way (retention, SLA chasing, the statistics, the audit
checkpoints, the outbox's redrive) run in time order, each with the clock set to its due
moment, and the SQS queues are drained after every run, so what those runs queue (emails,
triage) happens at that moment too. What moves and what does not:

- moved: everything the app stamps or compares with "now" (cases, timelines, audit entries,
  retention and rights due dates, insights' periods, the outbox, receipts' failure windows)
  and the `time` of each scheduled event;
- not moved: the identity provider's times. A Cognito token's `exp`, `iat` and `auth_time`
  are real times, checked against the real clock, and a revocation's `not_before` is
  stamped with the real clock too (`services.identity_clock()`): moving 30 days neither
  signs anyone out nor lets a revoked token back in. moto's own timestamps (SQS, SES) and
  DynamoDB's TTL (which moto does not enforce) are real times as well; the app reads none.

Seeding demo data moves the clock hundreds of times and so changes how a journey runs
(`max_runs_per_job`, `schedule_overrides`, `drain_after_each_run`, and `hop_to`, a move
that leaves the schedules due on the way to the next journey), then puts them back: a
journey asked for on the command line always runs every schedule as described above.

Time moves forward only: the audit trail and the ledger expect time never to go back.
`start_at` is the one exception, for a stack on which nothing has been written yet (demo
data starts two academic years back, then travels to now).

Nothing here is in the Lambda package (`infra/lambda_package.py` packages `app.py` and
`chalicelib/` only), and no setting, variable or request reaches it in a deployment.

Command line, against the running stack's loopback control port (`devstack.clock_control`)::

    python -m devstack.clock +30d        # also +6h, +90min, +2w, +7mo, +1y (calendar)
    python -m devstack.clock --to 2027-06-01
    python -m devstack.clock --show
"""

from __future__ import annotations

import argparse
import calendar
import math
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from devstack.scheduler import Job, JobRun

#: The most runs of one job in one journey. The daily retention sweep runs once a day on a
#: +30d journey; a job due more often (the 5-minute redrive would run 8,640 times in 30 days)
#: or a longer journey runs at most 31 times, its due moments spread evenly and the last one
#: the last due moment before arrival. Every job acts on everything due by the time it is
#: told (a case chased, a record deleted, a period released), so fewer runs change only how
#: late, in moved time, a thing happens, never whether it happens; 31 keeps +30d on a stack
#: with data to seconds, and +3y to a few minutes.
MAX_RUNS_PER_JOB = 31
#: Jobs held to fewer runs. The audit checkpoint reads every case's head on every run (about
#: 1 s a run with 40 cases on a busy two-core machine: half of a +30d journey), and what it
#: is for, a signed anchor of each head that moved, needs a run after the changes, not one
#: a day: 8 runs a journey still anchor every head the journey's runs moved.
RUN_CAPS: dict[str, int] = {"audit_checkpoint": 8}
#: Calendar units: months and years move the date (clamped to the month's last day).
_UNITS = {
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_MONTHS = {"mo": 1, "y": 12}
_JOURNEY = re.compile(r"^\+(?P<amount>\d{1,5})(?P<unit>min|h|d|w|mo|y)$")
_DEFAULT_CONTROL_PORT = 8001


class MovableClock:
    """The real UTC time plus an offset (satisfies `chalicelib.clock.Clock`; thread-safe)."""

    def __init__(self, real: Callable[[], datetime] | None = None) -> None:
        """`real` tells the real time (tests give a fake one)."""
        self._real = real or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._reads = 0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The moved time: the real time plus the offset."""
        with self._lock:
            self._reads += 1
            offset = self._offset
        return self._real() + offset

    def real_now(self) -> datetime:
        """The real time (not counted as a read by the app)."""
        return self._real()

    @property
    def offset(self) -> timedelta:
        """How far the clock is from the real time."""
        with self._lock:
            return self._offset

    @property
    def reads(self) -> int:
        """How many times `now()` was asked: `start_at` is refused once the app has read it."""
        with self._lock:
            return self._reads

    def set_offset(self, offset: timedelta) -> None:
        """Set the offset (the time machine's; it keeps time moving forward)."""
        with self._lock:
            self._offset = offset


class JobRunner(Protocol):
    """What the time machine needs of `devstack.scheduler.Scheduler`."""

    @property
    def jobs(self) -> list[Job]:
        """The app's scheduled jobs."""
        ...

    def run(self, name: str) -> JobRun:
        """Run one job now."""
        ...


class QueueDrain(Protocol):
    """What the time machine needs of `devstack.pump.Pump`."""

    def drain(self, timeout: float = 30.0) -> bool:
        """Deliver everything deliverable now."""
        ...


@dataclass
class Travel:
    """One journey: where it started and ended, and what ran on the way."""

    started: datetime
    now: datetime
    #: job name -> runs, in the order jobs first ran.
    runs: dict[str, int] = field(default_factory=dict)
    #: job name -> runs whose handler raised.
    failures: dict[str, int] = field(default_factory=dict)
    #: job name -> the numbers its runs returned, summed (e.g. `redacted`, `deleted`).
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Real seconds the journey took.
    seconds: float = 0.0
    #: job name -> real seconds its runs took, with the queues drained after each.
    job_seconds: dict[str, float] = field(default_factory=dict)

    def record(self, name: str, run: JobRun, seconds: float = 0.0) -> None:
        """Count one run of `name` (which took `seconds`) and add up what it returned."""
        self.runs[name] = self.runs.get(name, 0) + 1
        self.job_seconds[name] = self.job_seconds.get(name, 0.0) + seconds
        totals = self.counts.setdefault(name, {})
        if not run.ok:
            self.failures[name] = self.failures.get(name, 0) + 1
        elif isinstance(run.result, Mapping):
            for key, value in run.result.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    totals[str(key)] = totals.get(str(key), 0) + value

    def to_json(self) -> dict[str, Any]:
        """As the control endpoint answers it."""
        return {
            "started": show_time(self.started),
            "now": show_time(self.now),
            "runs": self.runs,
            "failures": self.failures,
            "counts": self.counts,
            "seconds": round(self.seconds, 3),
            "job_seconds": {name: round(value, 3) for name, value in self.job_seconds.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Travel:
        """What `to_json` wrote."""
        return cls(
            started=datetime.fromisoformat(str(data["started"])),
            now=datetime.fromisoformat(str(data["now"])),
            runs=dict(data.get("runs", {})),
            failures=dict(data.get("failures", {})),
            counts={name: dict(values) for name, values in data.get("counts", {}).items()},
            seconds=float(data.get("seconds", 0.0)),
            job_seconds={name: float(value) for name, value in data.get("job_seconds", {}).items()},
        )

    def describe(self) -> list[str]:
        """One line for the journey, then one per job: how many runs and what they did."""
        lines = [
            f"clock moved from {show_time(self.started)} to {show_time(self.now)} "
            f"in {self.seconds:.1f} s"
        ]
        for name, runs in self.runs.items():
            done = ", ".join(
                f"{key.replace('_', ' ')} {value}"
                for key, value in self.counts.get(name, {}).items()
                if value
            )
            failed = self.failures.get(name, 0)
            line = f"  {name} ran {runs} time{'s' if runs != 1 else ''}"
            line += f": {done}" if done else ": nothing to do"
            if failed:
                line += f" ({failed} failed; see the stack's log)"
            lines.append(line)
        if not self.runs:
            lines.append("  no schedule fell due on the way")
        return lines


def due_runs(
    jobs: Sequence[tuple[str, int]],
    start: datetime,
    end: datetime,
    max_runs: int = MAX_RUNS_PER_JOB,
    caps: Mapping[str, int] | None = None,
) -> list[tuple[datetime, str]]:
    """The (moment, job) runs that fall due after `start` up to and including `end`, in time
    order (jobs due at the same moment in the order given).

    A job of rate `r` seconds falls due at every multiple of `r` since the epoch (a daily job
    at midnight UTC, an hourly one on the hour). Past `max_runs` due moments in the span,
    its step widens to whole multiples of `r` so that it runs at most `max_runs` times, the
    last run still at its last due moment. `caps` holds some jobs to fewer runs.
    """
    start_s, end_s = start.timestamp(), end.timestamp()
    planned: list[tuple[float, int, str]] = []
    for order, (name, rate) in enumerate(jobs):
        last = math.floor(end_s / rate)
        due = last - math.floor(start_s / rate)
        if due <= 0:
            continue
        step = math.ceil(due / min(max_runs, (caps or {}).get(name, max_runs)))
        planned += [((last - i * step) * rate, order, name) for i in range(math.ceil(due / step))]
    planned.sort()
    return [(datetime.fromtimestamp(seconds, UTC), name) for seconds, _, name in planned]


def journey_end(text: str, now: datetime) -> datetime:
    """Where `+30d`, `+6h`, `+90min`, `+2w`, `+7mo` or `+1y` from `now` lands.

    Months and years are calendar ones (`+1y` is the same date next year; the 31st plus a
    month is the last day of a shorter month), as the retention windows are.
    """
    match = _JOURNEY.match(text.strip())
    if match is None:
        raise ValueError(
            f"not a journey: {text!r} (say +N with a unit: min, h, d, w, mo or y; e.g. +30d)"
        )
    amount, unit = int(match["amount"]), match["unit"]
    if amount == 0:
        raise ValueError("a journey of +0 goes nowhere")
    if unit in _UNITS:
        return now + amount * _UNITS[unit]
    return _add_months(now, amount * _MONTHS[unit])


def day_start(text: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with its offset, in UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (say YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        raise ValueError(f"say the time zone of {text!r} (e.g. ...Z or +01:00)")
    return moment.astimezone(UTC)


@dataclass
class TimeMachine:
    """Moves a `MovableClock` forward, running the schedules that fall due on the way."""

    clock: MovableClock
    scheduler: JobRunner
    pump: QueueDrain
    max_runs_per_job: int = MAX_RUNS_PER_JOB
    run_caps: Mapping[str, int] = field(default_factory=lambda: dict(RUN_CAPS))
    #: Jobs scheduled otherwise on journeys (demo seeding sets these, then clears them): job
    #: name -> seconds between its runs instead of its own rate, or None for a job that does
    #: not run on journeys at all (`run_job` runs it).
    schedule_overrides: dict[str, int | None] = field(default_factory=dict)
    #: Drain the queues after every run (so what a run queues happens at its moment), or
    #: only before and at the end of a journey (demo seeding: its journeys run each job
    #: once, near their end, and each drain costs a few requests to the queues).
    drain_after_each_run: bool = True
    _journey: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _travelled: bool = field(default=False, repr=False)
    _reads_at_start: int = field(default=0, repr=False)
    #: Where the schedules stopped when the clock last moved without running them (`hop_to`).
    _scheduled_until: datetime | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._reads_at_start = self.clock.reads

    def now(self) -> datetime:
        """Where the clock stands (not counted as the app reading it)."""
        return self.clock.real_now() + self.clock.offset

    def advance(self, by: timedelta) -> Travel:
        """Forward by `by` (see `travel_to`)."""
        if by <= timedelta(0):
            raise ValueError("the clock moves forward only")
        return self._travel(lambda now: now + by)

    def travel_to(self, moment: datetime) -> Travel:
        """Forward to `moment`, running every job due on the way (at most
        `max_runs_per_job` runs of each) in time order with the clock at its due moment,
        and draining the queues after each run. One journey at a time."""
        if moment.tzinfo is None:
            raise ValueError("say the moment's time zone")
        return self._travel(lambda now: moment)

    def journey(self, text: str) -> Travel:
        """Forward by `+30d`-style text (`journey_end`)."""
        return self._travel(lambda now: journey_end(text, now))

    def hop_to(self, moment: datetime) -> None:
        """Forward to `moment` without running the schedules: what falls due on the way runs
        on the next journey, late, with the clock where that journey finds it (as a schedule
        running behind would), still at most `max_runs_per_job` times. For many small moves
        close together (demo seeding moves between its steps so, and runs the schedules on a
        journey once a simulated week). Queued work is done first, at the time it was queued.
        """
        if moment.tzinfo is None:
            raise ValueError("say the moment's time zone")
        with self._journey:
            self.pump.drain()
            start = self.now()
            if moment <= start:
                raise ValueError(
                    f"the clock moves forward only: it is {show_time(start)}, "
                    f"not after {show_time(moment)}"
                )
            self._travelled = True
            if self._scheduled_until is None:
                self._scheduled_until = start
            self._stand_at(moment)

    def run_job(self, name: str) -> Travel:
        """Run one job now, where the clock stands, then drain the queues (a job that
        `schedule_overrides` keeps off the journeys runs so, once, when it is wanted)."""
        with self._journey:
            self.pump.drain()
            now = self.now()
            travel = Travel(started=now, now=now)
            started_real = time.monotonic()
            travel.record(name, self.scheduler.run(name))
            self.pump.drain()
            travel.now = self.now()
            travel.seconds = time.monotonic() - started_real
            return travel

    def start_at(self, moment: datetime) -> None:
        """Stand the clock at `moment` (past or future) before anything was written: refused
        once the app has read the clock since the stack started, or after a journey."""
        if moment.tzinfo is None:
            raise ValueError("say the moment's time zone")
        with self._journey:
            read = self.clock.reads - self._reads_at_start
            if self._travelled or read:
                raise RuntimeError(
                    "start_at is only for a stack on which nothing was written yet: "
                    f"the app has read the clock {read} time(s) since the stack started"
                )
            self.clock.set_offset(moment - self.clock.real_now())

    def _travel(self, destination: Callable[[datetime], datetime]) -> Travel:
        with self._journey:
            started_real = time.monotonic()
            # Work queued before the journey is done at the time it was queued.
            self.pump.drain()
            start = self.now()
            end = destination(start)
            if end <= start:
                raise ValueError(
                    f"the clock moves forward only: it is {show_time(start)}, "
                    f"not after {show_time(end)}"
                )
            self._travelled = True
            travel = Travel(started=start, now=start)
            plan = due_runs(
                self._rates(),
                # What fell due while the clock hopped runs now, late (never back in time).
                self._scheduled_until or start,
                end,
                self.max_runs_per_job,
                self.run_caps,
            )
            for moment, name in plan:
                self._stand_at(moment)
                run_started = time.monotonic()
                run = self.scheduler.run(name)
                if self.drain_after_each_run:
                    self.pump.drain()
                travel.record(name, run, time.monotonic() - run_started)
            if plan and not self.drain_after_each_run:
                self.pump.drain()
            self._stand_at(end)
            self._scheduled_until = None
            travel.now = self.now()
            travel.seconds = time.monotonic() - started_real
            return travel

    def _rates(self) -> list[tuple[str, int]]:
        """(job, seconds between runs) of the jobs that run on journeys, in the jobs' order."""
        rates: list[tuple[str, int]] = []
        for job in self.scheduler.jobs:
            rate = job.rate_seconds or int(job.every_seconds)
            if job.name in self.schedule_overrides:
                override = self.schedule_overrides[job.name]
                if override is None:
                    continue
                rate = override
            rates.append((job.name, rate))
        return rates

    def _stand_at(self, moment: datetime) -> None:
        # Never back: runs take real time, so the clock may already be past a due moment.
        self.clock.set_offset(max(self.clock.offset, moment - self.clock.real_now()))


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def show_time(moment: datetime) -> str:
    """A moment in UTC to the second, with a `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """`+30d` | `--to YYYY-MM-DD` | `--show`, and the control port."""
    parser = argparse.ArgumentParser(
        prog="python -m devstack.clock",
        description="Move the local stack's clock forward (never back), running the "
        "schedules that fall due on the way. The local stack only: a deployment has no clock "
        "to move.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "journey",
        nargs="?",
        help="how far: +N with a unit min, h, d, w, mo or y (months and years are calendar "
        "ones), e.g. +30d, +6h, +7mo, +2y",
    )
    what.add_argument("--to", metavar="YYYY-MM-DD", help="move forward to this date (UTC midnight)")
    what.add_argument("--show", action="store_true", help="print the stack's time and stop")
    parser.add_argument(
        "--port",
        type=int,
        default=_DEFAULT_CONTROL_PORT,
        help="the stack's clock control port on 127.0.0.1 (default %(default)s; "
        "the stack's summary prints it)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Talk to the running stack's clock control; print what ran."""
    from devstack.clock_control import ControlError, ask

    args = parse_args(argv)
    try:
        if args.show:
            answer = ask(args.port, "GET")
            print(
                f"the stack's clock: {answer['now']} (real time {answer['real_now']}, "
                f"moved {answer['offset']})"
            )
            return 0
        if args.to:
            day_start(args.to)  # refuse a malformed date before the stack does
            answer = ask(args.port, "POST", {"to": args.to})
        else:
            journey_end(args.journey, datetime.now(UTC))  # the same: a bad unit, at once
            answer = ask(args.port, "POST", {"by": args.journey})
    except ValueError as error:
        print(f"python -m devstack.clock: {error}", file=sys.stderr)
        return 2
    except ControlError as error:
        print(f"python -m devstack.clock: {error}", file=sys.stderr)
        return 1
    print("\n".join(Travel.from_json(answer).describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
