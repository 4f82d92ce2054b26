"""The local scheduler: rate parsing, scaling, and carrying on past a failing job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.app import Chalice, Cron, Rate

from chalicelib.clock import FixedClock
from devstack.scheduler import Scheduler, interval_seconds, jobs, scheduled_event
from tests.sentinels import wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        (Rate(5, unit=Rate.MINUTES), 300),
        (Rate(1, unit=Rate.HOURS), 3600),
        (Rate(2, unit=Rate.DAYS), 172800),
        ("rate(1 minute)", 60),
        ("rate(10 minutes)", 600),
        ("rate(1 day)", 86400),
    ],
)
def test_rates_are_understood(expression: Any, seconds: int) -> None:
    assert interval_seconds(expression) == seconds


@pytest.mark.parametrize("expression", [Cron(0, 2, "*", "*", "?", "*"), "cron(0 2 * * ? *)"])
def test_cron_is_refused_clearly(expression: Any) -> None:
    with pytest.raises(ValueError, match="cron"):
        interval_seconds(expression)


def test_scale_divides_intervals() -> None:
    app = Chalice(app_name="schedule-test")

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event: Any) -> None:
        return None

    assert [(job.name, job.every_seconds) for job in jobs(app, scale=60)] == [("every_five", 5)]


def test_event_is_shaped_as_eventbridge_sends_it() -> None:
    event = scheduled_event("report-support-dev-job", "eu-west-2")
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [
        "arn:aws:events:eu-west-2:123456789012:rule/report-support-dev-job"
    ]


def test_a_failing_job_does_not_stop_the_schedule(caplog: pytest.LogCaptureFixture) -> None:
    app = Chalice(app_name="schedule-test")
    calls: dict[str, int] = {"broken": 0, "fine": 0}

    @app.schedule("rate(1 minute)")
    def broken(event: Any) -> None:
        calls["broken"] += 1
        raise RuntimeError("secret detail that must not be logged")

    @app.schedule("rate(1 minute)")
    def fine(event: Any) -> None:
        assert event.to_dict()["detail-type"] == "Scheduled Event"
        calls["fine"] += 1

    scheduler = Scheduler(jobs(app, scale=600), "eu-west-2")  # every 0.1 s
    scheduler.start()
    try:
        assert wait_until(lambda: calls["broken"] >= 3 and calls["fine"] >= 3, 10)
    finally:
        scheduler.stop()

    assert "handler raised RuntimeError" in caplog.text
    assert "secret detail" not in caplog.text
    assert scheduler.run_now("fine") is True
    assert scheduler.run_now("broken") is False


def test_the_event_time_is_the_clock_the_scheduler_is_given() -> None:
    app = Chalice(app_name="schedule-test")
    seen: list[str] = []

    @app.schedule("rate(1 day)")
    def daily(event: Any) -> dict[str, int]:
        seen.append(event.to_dict()["time"])
        return {"swept": 2}

    moved = FixedClock(datetime(2027, 6, 1, 0, 0, 5, tzinfo=UTC))
    scheduler = Scheduler(jobs(app), "eu-west-2", clock=moved)

    run = scheduler.run("daily")

    assert seen == ["2027-06-01T00:00:05Z"]
    assert run.ok is True
    assert run.result == {"swept": 2}
    assert [(job.name, job.rate_seconds) for job in jobs(app, scale=60)] == [("daily", 86400)]
