"""The institution's working time, and the clocks a case runs against: first contact in
working days, statutory dates in calendar days and months, all counted in the institution's
own time zone.

A reporter is promised contact "within 2 working days": a working day is one of the
institution's working weekdays that is neither a bank holiday where it is (England and
Scotland differ) nor a day it has announced it is closed. Deadlines keep the local wall-clock
time of the submission, so across a daylight saving change the UTC offset moves, not the
hour the reporter was promised.

Every function takes timezone-aware datetimes and returns aware datetimes in UTC, the form
the rest of the system stores (see `chalicelib.clock.iso`).

Wall-clock times that a daylight saving change makes ambiguous or skips are read with
`fold=0`, the offset in force *before* the change (PEP 495; the same rule as RFC 5545 and
`java.time`):

- an ambiguous time (01:30 on the autumn day in London happens twice) is its first
  occurrence, the earlier instant, so a deadline is never silently an hour late;
- a time that does not exist (01:30 on the spring day in London) is pushed forward by the
  length of the gap: 01:30 GMT, which the clocks show as 02:30 BST. It is still a valid
  instant, and never earlier than the wall-clock time promised.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from chalicelib.institution.strict import Strict
from chalicelib.months import add_months


def _holidays() -> Any:
    # Imported on first use: the package is large and most requests never count working
    # days, so a cold start does not pay for it.
    import holidays

    return holidays


#: ISO weekday: Monday is 1, Sunday is 7.
IsoWeekday = Annotated[int, Field(ge=1, le=7)]

#: More consecutive non-working days than this means the configuration cannot be met (every
#: day of a year declared closed, say): fail loudly instead of searching forever.
_MAX_NON_WORKING_RUN = 400


#: Calendars known to pass `check_bank_holidays` with the pinned `holidays` release
#: (`tests/unit/test_cold_start.py` checks each against the package). The check builds the
#: calendar, which imports every country the package knows (about 0.1 s); the institution is
#: loaded at every cold start, so for these the check is not repeated there.
CHECKED_BANK_HOLIDAYS: frozenset[tuple[str, str | None]] = frozenset(
    {("GB", "ENG"), ("GB", "WLS"), ("GB", "SCT"), ("GB", "NIR"), ("GB", None)}
)


def check_bank_holidays(country: str, subdivision: str | None) -> None:
    """Raise unless the `holidays` package knows this calendar (and does not deprecate it).

    A deprecated code (GB's old "UK" subdivision) still works today but would fail at load
    after a library upgrade; it is refused now, while someone is looking.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        _holidays().country_holidays(country, subdiv=subdivision)


class BankHolidays(Strict):
    """Whose public holidays the institution observes, as the `holidays` package names them.

    For the United Kingdom the country is `GB` and the subdivision one of `ENG`, `WLS`, `SCT`,
    `NIR` (the package also accepts `England`, `Wales`, `Scotland`, `Northern Ireland`).
    Without a subdivision only the holidays common to the whole country apply; for `GB`
    that leaves out, for example, Easter Monday in England.
    """

    country: str = "GB"
    subdivision: str | None = "ENG"

    @model_validator(mode="after")
    def _check_known(self) -> BankHolidays:
        if (self.country, self.subdivision) in CHECKED_BANK_HOLIDAYS:
            return self
        try:
            check_bank_holidays(self.country, self.subdivision)
        except (NotImplementedError, DeprecationWarning) as error:
            raise ValueError(f"unknown bank holidays {self._describe()}: {error}") from None
        return self

    def _describe(self) -> str:
        if self.subdivision is None:
            return f"country {self.country!r}"
        return f"country {self.country!r}, subdivision {self.subdivision!r}"


class WorkingTimePolicy(Strict):
    """When an institution works, and how long its promises to a reporter run."""

    time_zone: str = "Europe/London"
    working_days: list[IsoWeekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5], min_length=1)
    bank_holidays: BankHolidays = Field(default_factory=BankHolidays)
    #: Extra days the institution is closed (a Christmas closure, say).
    closure_days: list[date] = Field(default_factory=list)
    #: An advisor contacts a named reporter within this many working days.
    first_contact_working_days: int = Field(default=2, ge=1, le=30)
    #: A screener reads an anonymous report waiting in the screening queue within this many
    #: working days (filing it or taking it on); a named report's deadline is first contact.
    screening_working_days: int = Field(default=2, ge=1, le=30)
    #: Staff answer a message from a reporter who kept a receipt code within this many
    #: working days (the reporter is told when to look again).
    reply_working_days: int = Field(default=2, ge=1, le=30)
    #: Statutory acknowledgement of a complaint, in calendar days.
    acknowledge_within_days: int = Field(default=7, ge=1, le=366)
    #: Statutory feedback on a complaint, in calendar months.
    feedback_within_months: int = Field(default=3, ge=1, le=24)

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone") from None
        return value

    @field_validator("working_days")
    @classmethod
    def _check_unique(cls, value: list[int]) -> list[int]:
        repeated = sorted({day for day in value if value.count(day) > 1})
        if repeated:
            raise ValueError(f"working days repeat {', '.join(map(str, repeated))}")
        return value


@dataclass(frozen=True, slots=True)
class ClockDates:
    """When each promise to a reporter falls due, in UTC."""

    first_contact_due: datetime
    acknowledge_due: datetime
    feedback_due: datetime


@lru_cache(maxsize=128)
def _bank_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The bank holidays falling in one year, built once per process and year.

    The neighbouring years are populated too, because a holiday's substitute ("observed")
    day may fall in the year after the holiday; only the dates inside `year` are kept.
    """
    observed = _holidays().country_holidays(
        country, subdiv=subdivision, years=range(year - 1, year + 2)
    )
    return frozenset(day for day in observed if day.year == year)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {moment!r}")


class WorkingCalendar:
    """Working-day and calendar arithmetic in an institution's time zone."""

    def __init__(self, policy: WorkingTimePolicy) -> None:
        self.policy = policy
        self.zone = ZoneInfo(policy.time_zone)
        self._working_weekdays = frozenset(policy.working_days)
        self._closure_days = frozenset(policy.closure_days)

    def is_working_day(self, day: date) -> bool:
        """Whether the institution works on this local date.

        It must be a working weekday, not a bank holiday of the configured subdivision and
        not a closure day.
        """
        if isinstance(day, datetime):
            # A datetime is a date, but it never equals one: it would slip past the holiday
            # and closure lookups. Callers convert to the local date first.
            raise TypeError("is_working_day takes a local date, not a datetime")
        return (
            day.isoweekday() in self._working_weekdays
            and day not in self._closure_days
            and day not in self._holidays_in(day.year)
        )

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The moment `days` working days after `start`, at the same local wall-clock time.

        A start on a non-working day counts from 00:00 local on the next working day, so a
        report on Saturday with 2 working days is due at 00:00 on Wednesday, the end of
        Tuesday (never earlier than a report made on the Friday before it).
        """
        _require_aware(start)
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        local = start.astimezone(self.zone)
        day = local.date()
        wall = local.time()
        if not self.is_working_day(day):
            day = self._next_working_day(day)
            wall = time(0)
        for _ in range(days):
            day = self._next_working_day(day)
        return self._at_wall_clock(day, wall)

    def add_days(self, start: datetime, days: int) -> datetime:
        """The moment `days` calendar days after `start`, at the same local wall-clock time."""
        _require_aware(start)
        local = start.astimezone(self.zone)
        return self._at_wall_clock(local.date() + timedelta(days=days), local.time())

    def add_months(self, start: datetime, months: int) -> datetime:
        """The moment `months` calendar months after `start`, at the same local wall-clock
        time; a day the target month lacks becomes its last day (31 January + 1 month is
        the 28th or 29th of February)."""
        _require_aware(start)
        local = start.astimezone(self.zone)
        return self._at_wall_clock(add_months(local.date(), months), local.time())

    def clocks_for(self, submitted_at: datetime) -> ClockDates:
        """The due dates of a report submitted at `submitted_at`, under this policy."""
        policy = self.policy
        return ClockDates(
            first_contact_due=self.add_working_days(
                submitted_at, policy.first_contact_working_days
            ),
            acknowledge_due=self.add_days(submitted_at, policy.acknowledge_within_days),
            feedback_due=self.add_months(submitted_at, policy.feedback_within_months),
        )

    def screening_due(self, submitted_at: datetime) -> datetime:
        """When an anonymous report submitted at `submitted_at` must have been screened."""
        return self.add_working_days(submitted_at, self.policy.screening_working_days)

    def reply_due(self, written_at: datetime) -> datetime:
        """When staff owe an answer to a reporter's message written at `written_at`."""
        return self.add_working_days(written_at, self.policy.reply_working_days)

    def _holidays_in(self, year: int) -> frozenset[date]:
        bank_holidays = self.policy.bank_holidays
        return _bank_holidays(bank_holidays.country, bank_holidays.subdivision, year)

    def _next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, _MAX_NON_WORKING_RUN + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"no working day in the {_MAX_NON_WORKING_RUN} days after {day.isoformat()}: "
            "check the working days and closure days"
        )

    def _at_wall_clock(self, day: date, wall: time) -> datetime:
        """The UTC instant the local clocks show `wall` on `day`.

        `fold=0` reads an ambiguous or skipped time with the offset before the change: see
        the module docstring.
        """
        local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=self.zone)
        return local.astimezone(UTC)
