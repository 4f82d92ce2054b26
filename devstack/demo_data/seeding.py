"""Carrying out a demo plan against the running local stack, through its real APIs.

Every step is an HTTP request to the stack's API as the form or the portal makes it: a
report is `POST /reports`; staff act with their own Cognito sign-ins (the demo directory's
members, `devstack.demo`). Nothing is written to a table directly. Between steps the stack's
clock is moved forward to the step's moment (`TimeTravel`), which runs the schedules that
fall due on the way (SLA chasing, statistics, retention, checkpoints) and lets the SQS pump
deliver what was queued (triage, notifications), so the data set ages as it would have.

Moving the clock is most of what seeding costs (every journey runs every schedule, and
some schedules read every case), so seeding moves it in two ways:

- a journey, running the schedules (each job once, `DEMO_RUNS_PER_JOURNEY`), at most once
  per simulated week (`SCHEDULES_EVERY`), and whenever a step needs the schedules to have
  run up to its moment (`Step.on_time`: a late first contact, which the SLA watch must
  chase first);
- between journeys, a hop without the schedules (`TimeMachine.hop_to`: what falls due on
  the way runs on the next journey), when the next step is more than `granularity` ahead
  of the clock: steps closer together than that run at the clock's current time, so the
  requests of a simulated half day go together between moves.

While seeding, the statistics (`build_insights`) run once a simulated month instead of
every 15 minutes (each run counts everything changed since the last), and the audit
checkpoint, which reads every case, does not run on the journeys: both run once more at the
end (`AFTER_SEEDING`), so the stack is ready with everything counted and checkpointed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from devstack.demo import DEMO_PASSWORD
from devstack.demo_data.plan import (
    DEFAULT_REPORTS,
    DEFAULT_SEED,
    REPORTER,
    STAGES,
    Plan,
    Step,
    academic_year_start,
    build_plan,
)

if TYPE_CHECKING:
    from devstack.stack import LocalStack

logger = logging.getLogger(__name__)

#: Steps less than this ahead of the clock run at its current time (no move at all).
DEFAULT_GRANULARITY = timedelta(days=1)
#: The schedules run on a journey at most once per this much demo time (and for on-time steps).
SCHEDULES_EVERY = timedelta(days=7)
_TIMEOUT_SECONDS = 30
#: Runs of each scheduled job per journey while seeding (`TimeMachine.max_runs_per_job`).
DEMO_RUNS_PER_JOURNEY = 1
#: The schedules changed while seeding (`TimeMachine.schedule_overrides`): the statistics
#: once every 30 days of demo time, the audit checkpoint (which reads every case) not at all.
SEEDING_SCHEDULES: dict[str, int | None] = {
    "build_insights": 30 * 86400,
    "audit_checkpoint": None,
}
#: Run once more when seeding is done, so the stack starts counted and checkpointed.
AFTER_SEEDING = ("build_insights", "audit_checkpoint")
#: How long a step waits for the pump to triage its report (it takes well under a second).
TRIAGE_WAIT_SECONDS = 20


class TimeTravel(Protocol):
    """What seeding needs of the stack's movable clock (`devstack.clock`)."""

    def now(self) -> datetime:
        """The stack's time."""
        ...

    def start_at(self, moment: datetime) -> None:
        """Set the clock to `moment`, before anything of the demo is written."""
        ...

    def travel_to(self, moment: datetime) -> None:
        """Move forward to `moment`, running the schedules due on the way."""
        ...

    def hop_to(self, moment: datetime) -> None:
        """Move forward to `moment`, leaving the schedules due on the way to the next journey."""
        ...

    def run_job(self, name: str) -> None:
        """Run one scheduled job now."""
        ...

    def settle(self) -> None:
        """Return once the queued work (triage, notifications) is done."""
        ...


@dataclass
class SeedResult:
    """What seeding did: requests by kind, failures by kind and status, how long it took."""

    done: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    #: Clock moves running the schedules, and moves without them.
    journeys: int = 0
    hops: int = 0
    seconds: float = 0.0
    references: dict[int, str] = field(default_factory=dict)


class SeedingStopped(Exception):
    """Seeding was asked to stop before it was done."""


class StepFailed(Exception):
    """A step's request was refused (its status and the fields named, never values)."""


@dataclass
class Seeder:
    """Runs a plan's steps in order against the API at `api`."""

    api: str
    #: A member id -> a current access token for them.
    token_for: Callable[[str], str]
    travel: TimeTravel
    granularity: timedelta = DEFAULT_GRANULARITY
    schedules_every: timedelta = SCHEDULES_EVERY
    #: Jobs run once when every step is done (those kept off the journeys while seeding).
    after: tuple[str, ...] = ()
    #: Called with the month ("2025-10") as seeding enters it, for progress lines.
    on_month: Callable[[str, SeedResult], None] | None = None
    #: Set to stop between steps (Ctrl-C while seeding): `run` raises `SeedingStopped`.
    stop: threading.Event | None = None
    _versions: dict[int, int] = field(default_factory=dict)
    _receipts: dict[int, str] = field(default_factory=dict)
    _requests: dict[int, str] = field(default_factory=dict)
    _untriaged: set[int] = field(default_factory=set)

    def run(self, plan: Plan) -> SeedResult:
        """Every step of `plan`, then the clock to the plan's end."""
        result = SeedResult()
        started = time.monotonic()
        self.travel.start_at(plan.start)
        scheduled = plan.start
        month = ""
        for step in plan.steps:
            if self.stop is not None and self.stop.is_set():
                raise SeedingStopped
            move = clock_move(
                step,
                now=self.travel.now(),
                scheduled=scheduled,
                granularity=self.granularity,
                schedules_every=self.schedules_every,
            )
            if move == "journey":
                self.travel.travel_to(step.at)
                result.journeys += 1
                scheduled = step.at
            elif move == "hop":
                self.travel.hop_to(step.at)
                result.hops += 1
            if move != "stay":
                self._untriaged.clear()  # both drain the queues: triage is done
            if step.at.strftime("%Y-%m") != month:
                month = step.at.strftime("%Y-%m")
                if self.on_month is not None:
                    self.on_month(month, result)
            try:
                self._run(step, result)
            except StepFailed as failure:
                result.failed[f"{step.what} {failure}"] += 1
                logger.warning("demo step %s refused: %s", step.what, failure)
            else:
                result.done[step.what] += 1
        if plan.end > self.travel.now():
            self.travel.travel_to(plan.end)
            result.journeys += 1
        for job in self.after:
            self.travel.run_job(job)
        self.travel.settle()
        result.seconds = time.monotonic() - started
        return result

    def _run(self, step: Step, result: SeedResult) -> None:
        number = step.report
        if step.what == "submit":
            answer = self._call(step, REPORTER_TOKEN, step.path, step.body)
            assert number is not None
            result.references[number] = str(answer["reference"])
            follow_up = answer.get("follow_up")
            if isinstance(follow_up, dict):
                self._receipts[number] = str(follow_up["receipt_code"])
            self._untriaged.add(number)
            return
        if number is not None and number not in result.references:
            raise StepFailed("its report was not accepted")
        reference = result.references.get(number, "") if number is not None else ""
        path = step.path.replace("{reference}", reference)
        if step.rights_request is not None:
            path = path.replace("{request_id}", self._requests.get(step.rights_request, "?"))
        body = _filled(step.body, self._receipts.get(number, "") if number else "")
        if step.versioned:
            assert number is not None and body is not None
            body = {**body, "version": self._version(step.actor, number, reference)}
        try:
            answer = self._first_call(step, path, body)
        except StepFailed as failure:
            if not (step.versioned and str(failure).startswith("409")):
                raise
            # Someone (a schedule, another step) changed the case since it was read.
            assert number is not None and body is not None
            self._versions.pop(number, None)
            body = {**body, "version": self._version(step.actor, number, reference)}
            answer = self._call(step, step.actor, path, body)
        if number is not None and isinstance(answer.get("version"), int):
            self._versions[number] = int(answer["version"])
        if step.what == "rights_request" and step.rights_request is not None:
            self._requests[step.rights_request] = str(answer["request_id"])

    def _first_call(self, step: Step, path: str, body: Any) -> dict[str, Any]:
        """The step's request, once the queued triage of its report is done (a case no one
        may read yet answers 404: asked again, briefly, should it still be on its way)."""
        number = step.report
        waiting = number is not None and number in self._untriaged
        if waiting:
            # Deliver the queued triage on this thread at once rather than ask until the
            # pump's own threads have (asking first costs more requests than it saves).
            self.travel.settle()
            self._untriaged.clear()
        deadline = time.monotonic() + TRIAGE_WAIT_SECONDS
        while True:
            try:
                answer = self._call(step, step.actor, path, body)
            except StepFailed as failure:
                if waiting and str(failure).startswith("404") and time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                raise
            if waiting:
                self._untriaged.discard(number)
            return answer

    def _version(self, actor: str, number: int, reference: str) -> int:
        if number not in self._versions:
            case = self._request("GET", f"/staff/cases/{reference}", None, actor)
            self._versions[number] = int(case["version"])
        return self._versions[number]

    def _call(self, step: Step, actor: str, path: str, body: Any) -> dict[str, Any]:
        return self._request(step.method, path, body, actor)

    def _request(self, method: str, path: str, body: Any, actor: str) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if actor != REPORTER_TOKEN and actor != REPORTER:
            headers["Authorization"] = f"Bearer {self.token_for(actor)}"
        request = urllib.request.Request(  # noqa: S310 - the local stack's own API
            self.api + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise StepFailed(_refusal(error)) from None
        answer = json.loads(text) if text else {}
        return answer if isinstance(answer, dict) else {}


#: The reporter has no sign-in.
REPORTER_TOKEN = REPORTER


def clock_move(
    step: Step,
    *,
    now: datetime,
    scheduled: datetime,
    granularity: timedelta = DEFAULT_GRANULARITY,
    schedules_every: timedelta = SCHEDULES_EVERY,
) -> str:
    """How the clock moves before `step`, standing at `now`, the schedules last run up to
    `scheduled`: "journey" (forward to the step, running the schedules) once the step is
    `schedules_every` past `scheduled`, or when it is `on_time` and past it; else "hop"
    (forward without the schedules) when it is more than `granularity` ahead; else "stay"
    (the step runs at the clock's time)."""
    if step.at <= now:
        return "stay"
    if step.at - scheduled >= schedules_every or (step.on_time and step.at > scheduled):
        return "journey"
    if step.at - now > granularity:
        return "hop"
    return "stay"


def _filled(body: dict[str, Any] | None, receipt_code: str) -> dict[str, Any] | None:
    if body is None:
        return None
    return {
        key: receipt_code if value == "{receipt_code}" else value for key, value in body.items()
    }


def _refusal(error: urllib.error.HTTPError) -> str:
    """The status and the fields an error names (the API's messages name rules, and the
    demo's values are fictional, but only field names are kept here all the same)."""
    try:
        answer = json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return str(error.code)
    problems = answer.get("errors", []) if isinstance(answer, dict) else []
    fields = sorted({str(p.get("field")) for p in problems if isinstance(p, dict)})
    code = answer.get("error") if isinstance(answer, dict) else None
    return " ".join(str(part) for part in (error.code, code, ",".join(fields)) if part)


class _MachineTravel:
    """`TimeTravel` over the stack's time machine (`devstack.clock.TimeMachine`)."""

    def __init__(self, machine: Any, pump: Any) -> None:
        self._machine = machine
        self._pump = pump

    def now(self) -> datetime:
        return self._machine.now()  # type: ignore[no-any-return]

    def start_at(self, moment: datetime) -> None:
        self._machine.start_at(moment)

    def travel_to(self, moment: datetime) -> None:
        self._machine.travel_to(moment)

    def hop_to(self, moment: datetime) -> None:
        self._machine.hop_to(moment)

    def run_job(self, name: str) -> None:
        self._machine.run_job(name)

    def settle(self) -> None:
        self._pump.drain()


def seed_stack(
    stack: LocalStack,
    *,
    seed: int = DEFAULT_SEED,
    reports: int = DEFAULT_REPORTS,
    granularity: timedelta = DEFAULT_GRANULARITY,
    on_month: Callable[[str, SeedResult], None] | None = None,
    stop: threading.Event | None = None,
) -> tuple[Plan, SeedResult]:
    """Seed the started `stack` with the demo data set of `seed` and `reports` reports.

    The data set runs from the start of the academic year two years back to now, so the
    clock is first set back there: the stack must hold nothing yet but its staff directory.
    """
    from chalicelib import services

    machine = getattr(stack, "time_machine", None)
    if machine is None or stack.urls is None or stack.pump is None or stack.settings is None:
        raise RuntimeError("demo data needs a started stack with a movable clock")
    end = machine.now()
    plan = build_plan(
        services.institution(),
        seed=seed,
        reports=reports,
        start=academic_year_start(end),
        end=end,
    )
    tokens = _Tokens(stack)
    seeder = Seeder(
        stack.urls.api,
        tokens.token_for,
        _MachineTravel(machine, stack.pump),
        granularity=granularity,
        after=AFTER_SEEDING,
        on_month=on_month,
        stop=stop,
    )
    # The journeys are short (a week at most): one run of each job per journey is enough, as
    # every job acts on everything due by its run (a case chased, a record redacted, a
    # statistic counted), and keeps two years of journeys to minutes rather than hours.
    saved = (machine.max_runs_per_job, machine.schedule_overrides, machine.drain_after_each_run)
    machine.max_runs_per_job = DEMO_RUNS_PER_JOURNEY
    machine.schedule_overrides = dict(SEEDING_SCHEDULES)
    # Each job runs once, near the journey's end: one drain after them all is enough.
    machine.drain_after_each_run = False
    try:
        return plan, seeder.run(plan)
    finally:
        (
            machine.max_runs_per_job,
            machine.schedule_overrides,
            machine.drain_after_each_run,
        ) = saved


class _Tokens:
    """Access tokens of the demo staff, signed in with their demo password (cached)."""

    def __init__(self, stack: LocalStack) -> None:
        assert stack.clients is not None and stack.settings is not None
        self._cognito = stack.clients.cognito
        self._client_id = stack.settings.staff_client_id
        self._tokens: dict[str, tuple[float, str]] = {}

    def token_for(self, member_id: str) -> str:
        held = self._tokens.get(member_id)
        # Tokens last an hour: sign in again well before then.
        if held is None or time.monotonic() - held[0] > 1800:
            answer = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": member_id, "PASSWORD": DEMO_PASSWORD},
            )
            held = (time.monotonic(), str(answer["AuthenticationResult"]["AccessToken"]))
            self._tokens[member_id] = held
        return held[1]


def summary_lines(plan: Plan, result: SeedResult) -> list[str]:
    """What the start-up summary says about the demo data."""
    stages = Counter(plan.stages().values())
    modes = Counter(str(report.body["mode"]) for report in plan.reports)
    welsh = sum(1 for report in plan.reports if report.language == "cy")
    lines = [
        "",
        "DEMO DATA: this stack holds a fictional data set, not real reports",
        f"  {len(plan.reports)} reports from {plan.start:%d %B %Y} to {plan.end:%d %B %Y} "
        f"(seed {plan.seed}; {modes['named']} named, {modes['anonymous']} anonymous, "
        f"{welsh} in Welsh), seeded through the API in {result.seconds:.0f} s "
        f"({sum(result.done.values())} requests; the clock moved {result.journeys} times "
        f"running the schedules, {result.hops} times between them)",
        "  cases left: "
        + ", ".join(f"{stage} {stages[stage]}" for stage in STAGES if stages[stage]),
        '  Every text starts with "[Demo]"; people are "Demo Person N", addresses on',
        "  example.ac.uk / example.org, phone numbers 07700 900xxx (Ofcom's drama range).",
        "  Sign in to the staff portal as a demo member (sign-ins above): ss-screener for a",
        "  screener's queue, ss-advisor-1 for an advisor's cases, di-analyst for Insights,",
        "  dpo-admin for the retention log and rights requests.",
    ]
    if result.failed:
        lines.append(
            "  refused steps: " + ", ".join(f"{k} x{n}" for k, n in sorted(result.failed.items()))
        )
    return lines
