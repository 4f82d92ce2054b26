"""Time, injected so that tests can hold it still."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands at one moment and moves only when told (tests, benchmarks, and
    running a job "as of" a chosen time)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        """The moment it stands at."""
        return self.moment


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the millisecond: sortable as text in DynamoDB."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
