"""No request moves the app's clock (issue 16): a made-up header or query asking for another
time changes nothing the app stamps, while the local stack's movable clock, installed as
the app's clock, does."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from chalice.test import Client

from chalicelib import services
from chalicelib.settings import Settings
from devstack.clock import MovableClock
from tests.api.conftest import report_items
from tests.factories import named_submission

#: Headers someone might hope a deployed app would take the time from.
HOPEFUL_HEADERS = {
    "X-Clock-Offset": "+30d",
    "X-Now": "2030-01-01T00:00:00Z",
    "X-Fake-Time": "2030-01-01T00:00:00Z",
    "Date": "Tue, 01 Jan 2030 00:00:00 GMT",
}


def submit(client: Client, path: str = "/reports") -> int:
    response = client.http.post(
        path,
        body=json.dumps(named_submission()),
        headers={"Content-Type": "application/json", **HOPEFUL_HEADERS},
    )
    return int(response.status_code)


def test_a_request_asking_for_another_time_is_stamped_with_the_app_clock(
    client: Client, aws: Settings
) -> None:
    # The `clock` fixture holds the app's clock at 2026-11-20 10:30 UTC.
    assert submit(client) == 201
    assert submit(client, "/reports?now=2030-01-01&clock_offset=%2B30d") == 201

    stamped = {item["submitted_at"]["S"] for item in report_items(aws)}
    assert stamped == {"2026-11-20T10:30:00.000Z"}


def test_the_local_stack_clock_installed_as_the_app_clock_does_move_what_is_stamped(
    client: Client, aws: Settings
) -> None:
    moved = MovableClock(lambda: datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    moved.set_offset(timedelta(days=30))
    services.reset(clock=moved)

    assert submit(client) == 201

    [item] = report_items(aws)
    assert item["submitted_at"]["S"] == "2026-12-20T10:30:00.000Z"
