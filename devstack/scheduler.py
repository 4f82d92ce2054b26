"""Run the app's `@app.schedule` handlers on their rates, as EventBridge would.

chalice local does not fire schedules, so this scheduler does. `scale` divides every
interval so a test can make a five-minute job run every few seconds. A handler that raises
is logged (its type only: messages may quote personal data) and the schedule carries on.
The event's `time` is the app's clock (`clock=`), so a job run by the time machine
(`devstack.clock`) at a moved moment is told that moment, as EventBridge tells the time.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, Cron, Rate, ScheduledEventConfig
from chalice.local import LambdaContext

from chalicelib.clock import Clock, SystemClock
from devstack.aws import LOCAL_ACCOUNT_ID

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]

_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")


def interval_seconds(expression: str | Rate | Cron | object) -> int:
    """Seconds between runs of a schedule expression; only rates are supported."""
    if isinstance(expression, Rate):
        text = expression.to_string()
    elif isinstance(expression, Cron) or (
        isinstance(expression, str) and expression.strip().startswith("cron(")
    ):
        shown = expression.to_string() if isinstance(expression, Cron) else expression
        raise ValueError(
            f"the local scheduler does not support cron schedules yet ({shown}); "
            "use Rate(...) or 'rate(N minutes)'"
        )
    elif isinstance(expression, str):
        text = expression.strip()
    else:
        raise TypeError(f"unknown schedule expression: {expression!r}")
    match = _RATE.match(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"not a rate expression the local scheduler understands: {text!r}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


@dataclass(frozen=True)
class Job:
    """One scheduled handler and how often it runs (already scaled)."""

    name: str
    every_seconds: float
    handler: Handler
    #: The schedule's own interval (unscaled): the time machine steps through moved time by it.
    rate_seconds: int = 0


@dataclass(frozen=True)
class JobRun:
    """One run of a job: whether its handler returned, and what it returned (its counts)."""

    ok: bool
    result: Any = None


def jobs(app: Chalice, scale: float = 1.0) -> list[Job]:
    """Every `@app.schedule` handler of `app`, its interval divided by `scale`."""
    if scale <= 0:
        raise ValueError("schedule scale must be positive")
    return [
        Job(
            name=source.name,
            every_seconds=interval_seconds(source.schedule_expression) / scale,
            handler=app.handler_map[source.name],
            rate_seconds=interval_seconds(source.schedule_expression),
        )
        for source in app.event_sources
        if isinstance(source, ScheduledEventConfig)
    ]


def scheduled_event(rule_name: str, region: str, at: datetime | None = None) -> dict[str, Any]:
    """An EventBridge scheduled event, shaped as Lambda receives it; `time` is `at` (or now)."""
    moment = at if at is not None else datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT_ID,
        "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{LOCAL_ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


class Scheduler:
    """Fires each job every `every_seconds`, first one interval after start, on one thread."""

    def __init__(
        self,
        jobs: Iterable[Job],
        region: str,
        rule_prefix: str = "",
        clock: Clock | None = None,
    ) -> None:
        """`rule_prefix` names the EventBridge rule in the event's `resources`; `clock` tells
        the event's `time` (the app's clock: the local stack's is movable)."""
        self._jobs = list(jobs)
        self._region = region
        self._rule_prefix = rule_prefix
        self._clock: Clock = clock or SystemClock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Runs are serialised so run_now() from a test never overlaps the timer's run.
        self._running = threading.Lock()

    @property
    def jobs(self) -> list[Job]:
        """The jobs this scheduler fires."""
        return list(self._jobs)

    def start(self) -> None:
        """Start the timer thread."""
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop firing; waits for a run in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_now(self, name: str) -> bool:
        """Run one job immediately; True when its handler returned without raising."""
        return self.run(name).ok

    def run(self, name: str) -> JobRun:
        """Run one job immediately (after any run in progress); what its handler returned."""
        job = next((job for job in self._jobs if job.name == name), None)
        if job is None:
            raise KeyError(name)
        return self._fire(job)

    def _run(self) -> None:
        now = time.monotonic()
        due = {job.name: now + job.every_seconds for job in self._jobs}
        by_name = {job.name: job for job in self._jobs}
        while due and not self._stop.is_set():
            name = min(due, key=due.__getitem__)
            if self._stop.wait(max(0.0, due[name] - time.monotonic())):
                break
            self._fire(by_name[name])
            # A run that overran its interval skips the missed runs instead of bunching up.
            due[name] = max(due[name] + by_name[name].every_seconds, time.monotonic())

    def _fire(self, job: Job) -> JobRun:
        context = LambdaContext(function_name=job.name, memory_size=128)
        with self._running:
            # Read inside the lock: the time machine sets the clock before it asks for a run.
            event = scheduled_event(self._rule_prefix + job.name, self._region, self._clock.now())
            started = time.monotonic()
            try:
                result = job.handler(event, context)
            except Exception as error:
                logger.warning("scheduler %s: handler raised %s", job.name, type(error).__name__)
                return JobRun(ok=False)
        logger.info("scheduler %s: ran in %.0f ms", job.name, (time.monotonic() - started) * 1000)
        return JobRun(ok=True, result=result)
