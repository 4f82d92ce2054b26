"""The first-contact and statutory clocks: when each promise to a reporter falls due.

Times are written in UTC (`utc(...)`) with the London wall-clock time alongside; London is
on GMT (UTC+0) in winter and BST (UTC+1) in summer. 2026: BST starts Sunday 29 March,
ends Sunday 25 October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.institution import load_institution
from chalicelib.institution import working_time as clocks
from chalicelib.institution.working_time import ClockDates, WorkingCalendar, WorkingTimePolicy

LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def calendar(**policy: Any) -> WorkingCalendar:
    return WorkingCalendar(WorkingTimePolicy(**policy))


def scotland(**policy: Any) -> WorkingCalendar:
    return calendar(bank_holidays={"country": "GB", "subdivision": "SCT"}, **policy)


@pytest.fixture
def england() -> WorkingCalendar:
    """The default policy: Monday to Friday, England's bank holidays, Europe/London."""
    return calendar()


# --- ordinary weeks ------------------------------------------------------------------------


def test_a_report_on_a_tuesday_morning_is_due_on_thursday_morning(
    england: WorkingCalendar,
) -> None:
    # given a report on Tuesday 10 March 2026 at 10:00 GMT
    submitted = utc(2026, 3, 10, 10)
    # when the first-contact clock of 2 working days runs
    due = england.add_working_days(submitted, 2)
    # then it is due on Thursday at the same time
    assert due == utc(2026, 3, 12, 10)


def test_a_report_on_friday_afternoon_is_due_on_tuesday_afternoon(
    england: WorkingCalendar,
) -> None:
    # Friday 13 March 2026 16:00 GMT: Monday and Tuesday are the two working days.
    assert england.add_working_days(utc(2026, 3, 13, 16), 2) == utc(2026, 3, 17, 16)


@pytest.mark.parametrize(
    "submitted",
    [utc(2026, 3, 14, 10), utc(2026, 3, 15, 23, 59)],
    ids=["saturday-morning", "sunday-night"],
)
def test_a_report_at_the_weekend_is_due_at_the_end_of_tuesday(
    england: WorkingCalendar, submitted: datetime
) -> None:
    # The clock starts at 00:00 on Monday; two whole working days later is 00:00 on
    # Wednesday, the end of Tuesday.
    assert england.add_working_days(submitted, 2) == utc(2026, 3, 18, 0)


def test_a_weekend_report_is_never_due_before_one_made_on_the_friday_before(
    england: WorkingCalendar,
) -> None:
    friday_night = england.add_working_days(utc(2026, 3, 13, 23, 59), 2)
    saturday = england.add_working_days(utc(2026, 3, 14, 10), 2)
    assert friday_night < saturday


def test_zero_working_days_from_a_working_day_is_the_moment_itself(
    england: WorkingCalendar,
) -> None:
    assert england.add_working_days(utc(2026, 3, 10, 10), 0) == utc(2026, 3, 10, 10)


def test_a_start_given_in_another_offset_is_the_same_instant(england: WorkingCalendar) -> None:
    # Friday 13 March 2026 16:00 GMT, written as 17:00+01:00
    submitted = datetime(2026, 3, 13, 17, tzinfo=timezone(timedelta(hours=1)))
    due = england.add_working_days(submitted, 2)
    assert due == utc(2026, 3, 17, 16)
    assert due.tzinfo is UTC


def test_a_four_day_week_skips_fridays() -> None:
    # given an institution that works Monday to Thursday
    four_days = calendar(working_days=[1, 2, 3, 4])
    # when a report arrives on Thursday 12 March 2026 at 10:00
    due = four_days.add_working_days(utc(2026, 3, 12, 10), 2)
    # then Friday does not count: Monday and Tuesday do
    assert due == utc(2026, 3, 17, 10)
    assert not four_days.is_working_day(date(2026, 3, 13))


# --- bank holidays -------------------------------------------------------------------------


def test_englands_2026_bank_holidays_are_not_working_days(england: WorkingCalendar) -> None:
    # Christmas Day 2026 is a Friday and Boxing Day a Saturday, so Monday 28 December is the
    # substitute day ("Boxing Day (observed)" in the holidays package).
    for day in [
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 28),  # Boxing Day, substitute day
    ]:
        assert not england.is_working_day(day), day
    assert england.is_working_day(date(2026, 12, 29))
    observed = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert observed[date(2026, 12, 28)] == "Boxing Day (observed)"


def test_a_report_before_easter_skips_good_friday_and_easter_monday(
    england: WorkingCalendar,
) -> None:
    # Thursday 2 April 2026 15:00 BST: Friday 3 and Monday 6 April are bank holidays.
    assert england.add_working_days(utc(2026, 4, 2, 14), 2) == utc(2026, 4, 8, 14)


def test_a_report_on_christmas_eve_skips_christmas_boxing_day_and_its_substitute(
    england: WorkingCalendar,
) -> None:
    # Thursday 24 December 2026 11:00 GMT: 25 and 28 December are bank holidays.
    assert england.add_working_days(utc(2026, 12, 24, 11), 2) == utc(2026, 12, 30, 11)


def test_the_clock_runs_over_new_year(england: WorkingCalendar) -> None:
    # Wednesday 30 December 2026 09:00: Thursday 31 December, then (after New Year's Day)
    # Monday 4 January 2027.
    assert england.add_working_days(utc(2026, 12, 30, 9), 2) == utc(2027, 1, 4, 9)
    # Tuesday 29 December with three working days lands on the same morning.
    assert england.add_working_days(utc(2026, 12, 29, 9), 3) == utc(2027, 1, 4, 9)


def test_scotland_works_on_easter_monday_and_england_does_not(england: WorkingCalendar) -> None:
    # Thursday 2 April 2026 15:00 BST
    submitted = utc(2026, 4, 2, 14)
    assert scotland().add_working_days(submitted, 2) == utc(2026, 4, 7, 14)
    assert england.add_working_days(submitted, 2) == utc(2026, 4, 8, 14)


def test_scotland_keeps_the_second_of_january(england: WorkingCalendar) -> None:
    # Wednesday 31 December 2025 12:00: Friday 2 January 2026 is a holiday only in Scotland.
    submitted = utc(2025, 12, 31, 12)
    assert england.add_working_days(submitted, 2) == utc(2026, 1, 5, 12)
    assert scotland().add_working_days(submitted, 2) == utc(2026, 1, 6, 12)


def test_scotland_keeps_st_andrews_day(england: WorkingCalendar) -> None:
    # Friday 27 November 2026 12:00: Monday 30 November is St Andrew's Day.
    submitted = utc(2026, 11, 27, 12)
    assert england.add_working_days(submitted, 2) == utc(2026, 12, 1, 12)
    assert scotland().add_working_days(submitted, 2) == utc(2026, 12, 2, 12)


def test_scotlands_new_year_substitute_day_crosses_the_year_boundary() -> None:
    # 2 January 2027 is a Saturday, so Scotland's substitute is Monday 4 January.
    # Wednesday 30 December 2026 09:00: Thursday 31 December, then Tuesday 5 January.
    assert scotland().add_working_days(utc(2026, 12, 30, 9), 2) == utc(2027, 1, 5, 9)


# --- closure days --------------------------------------------------------------------------


def test_a_christmas_closure_stops_the_clock() -> None:
    # given the institution closes from 29 to 31 December 2026
    closed = calendar(closure_days=["2026-12-29", "2026-12-30", "2026-12-31"])
    # when a report arrives on Christmas Eve at 11:00
    due = closed.add_working_days(utc(2026, 12, 24, 11), 2)
    # then the working days are Monday 4 and Tuesday 5 January 2027
    assert due == utc(2027, 1, 5, 11)


def test_a_report_on_a_closure_day_starts_the_clock_on_the_next_working_day() -> None:
    closed = calendar(closure_days=[date(2026, 3, 10)])
    # Tuesday 10 March 2026 (closed) 10:00 → starts Wednesday 00:00, due end of Thursday
    assert closed.add_working_days(utc(2026, 3, 10, 10), 2) == utc(2026, 3, 13, 0)


def test_a_calendar_with_no_working_day_within_a_year_fails_loudly() -> None:
    mondays = [date(2026, 3, 16) + timedelta(weeks=week) for week in range(60)]
    never = calendar(working_days=[1], closure_days=mondays)
    with pytest.raises(ValueError, match="no working day"):
        never.add_working_days(utc(2026, 3, 10, 10), 1)


# --- daylight saving -----------------------------------------------------------------------


def test_the_due_time_keeps_the_local_hour_when_the_clocks_go_back(
    england: WorkingCalendar,
) -> None:
    # Friday 24 October 2025 15:00 BST (14:00Z) → Tuesday 28 October 15:00 GMT (15:00Z)
    assert england.add_working_days(utc(2025, 10, 24, 14), 2) == utc(2025, 10, 28, 15)
    # the same in 2026: Friday 23 October 15:00 BST → Tuesday 27 October 15:00 GMT
    assert england.add_working_days(utc(2026, 10, 23, 14), 2) == utc(2026, 10, 27, 15)


def test_the_due_time_keeps_the_local_hour_when_the_clocks_go_forward(
    england: WorkingCalendar,
) -> None:
    # Friday 27 March 2026 15:00 GMT (15:00Z) → Tuesday 31 March 15:00 BST (14:00Z)
    due = england.add_working_days(utc(2026, 3, 27, 15), 2)
    assert due == utc(2026, 3, 31, 14)
    assert due.astimezone(LONDON).time() == time(15)


def test_a_due_time_that_does_not_exist_is_moved_forward_by_the_gap(
    england: WorkingCalendar,
) -> None:
    # Saturday 28 March 2026 01:30 GMT; on Sunday 29 March the clocks jump from 01:00 to
    # 02:00, so 01:30 does not exist: it is read as 01:30 GMT, which the clocks show as 02:30.
    due = england.add_days(utc(2026, 3, 28, 1, 30), 1)
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.astimezone(LONDON).time() == time(2, 30)


def test_a_seven_day_week_moves_a_non_existent_due_time_forward_too() -> None:
    every_day = calendar(working_days=[1, 2, 3, 4, 5, 6, 7])
    assert every_day.add_working_days(utc(2026, 3, 28, 1, 30), 1) == utc(2026, 3, 29, 1, 30)


def test_an_ambiguous_due_time_is_its_first_occurrence(england: WorkingCalendar) -> None:
    # Saturday 24 October 2026 01:30 BST (00:30Z); on Sunday 25 October 01:30 happens twice:
    # first in BST (00:30Z), then in GMT (01:30Z). The earlier one is due.
    assert england.add_days(utc(2026, 10, 24, 0, 30), 1) == utc(2026, 10, 25, 0, 30)


def test_a_start_in_the_repeated_hour_keeps_its_wall_clock_time(
    england: WorkingCalendar,
) -> None:
    # Sunday 25 October 2026 01:30 GMT, the second 01:30 (01:30Z); a week later is Sunday
    # 1 November 01:30 GMT.
    assert england.add_days(utc(2026, 10, 25, 1, 30), 7) == utc(2026, 11, 1, 1, 30)


# --- statutory clocks ----------------------------------------------------------------------


def test_acknowledgement_is_due_seven_calendar_days_later_at_the_same_local_time(
    england: WorkingCalendar,
) -> None:
    # Friday 23 October 2026 15:00 BST → Friday 30 October 15:00 GMT, weekend included
    assert england.add_days(utc(2026, 10, 23, 14), 7) == utc(2026, 10, 30, 15)


@pytest.mark.parametrize(
    ("submitted", "months", "due"),
    [
        (utc(2026, 1, 31, 10), 1, utc(2026, 2, 28, 10)),
        (utc(2028, 1, 31, 10), 1, utc(2028, 2, 29, 10)),  # leap year
        (utc(2025, 11, 30, 10), 3, utc(2026, 2, 28, 10)),  # over the year boundary
        (utc(2026, 8, 31, 9), 1, utc(2026, 9, 30, 9)),  # BST both ends
    ],
    ids=["31-jan-to-28-feb", "leap-year", "over-new-year", "31-aug-to-30-sep"],
)
def test_a_month_later_is_clamped_to_the_last_day_of_a_shorter_month(
    england: WorkingCalendar, submitted: datetime, months: int, due: datetime
) -> None:
    assert england.add_months(submitted, months) == due


def test_months_across_the_spring_change_keep_the_local_hour(england: WorkingCalendar) -> None:
    # Thursday 15 January 2026 12:00 GMT → Wednesday 15 April 12:00 BST (11:00Z)
    assert england.add_months(utc(2026, 1, 15, 12), 3) == utc(2026, 4, 15, 11)


def test_the_clocks_of_a_report_follow_the_policy(england: WorkingCalendar) -> None:
    # Friday 23 October 2026 15:00 BST
    clocks_due = england.clocks_for(utc(2026, 10, 23, 14))
    assert clocks_due == ClockDates(
        first_contact_due=utc(2026, 10, 27, 15),  # Tuesday 15:00 GMT
        acknowledge_due=utc(2026, 10, 30, 15),  # Friday 15:00 GMT
        feedback_due=utc(2027, 1, 23, 15),  # 23 January 15:00 GMT
    )


def test_the_clocks_use_the_institutions_own_periods() -> None:
    own = calendar(
        first_contact_working_days=1, acknowledge_within_days=5, feedback_within_months=1
    )
    clocks_due = own.clocks_for(utc(2026, 3, 10, 10))
    assert clocks_due.first_contact_due == utc(2026, 3, 11, 10)
    assert clocks_due.acknowledge_due == utc(2026, 3, 15, 10)
    assert clocks_due.feedback_due == utc(2026, 4, 10, 9)  # 10:00 BST


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method",
    ["add_working_days", "add_days", "add_months"],
)
def test_a_naive_datetime_is_refused(england: WorkingCalendar, method: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(england, method)(datetime(2026, 3, 10, 10), 2)  # deliberately naive


def test_the_clocks_of_a_naive_submission_are_refused(england: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        england.clocks_for(datetime(2026, 3, 10, 10))  # deliberately naive


def test_negative_working_days_are_refused(england: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        england.add_working_days(utc(2026, 3, 10, 10), -1)


def test_is_working_day_takes_a_date_not_a_datetime(england: WorkingCalendar) -> None:
    # A datetime never equals a date, so it would slip past the holiday lookup.
    with pytest.raises(TypeError):
        england.is_working_day(utc(2026, 12, 25, 10))


@pytest.mark.parametrize(
    ("policy", "complaint"),
    [
        ({"time_zone": "Europe/Londres"}, "not a known time zone"),
        ({"time_zone": ""}, "not a known time zone"),
        ({"working_days": []}, "at least 1 item"),
        ({"working_days": [1, 2, 8]}, "less than or equal to 7"),
        ({"working_days": [0, 1]}, "greater than or equal to 1"),
        ({"working_days": [1, 2, 2]}, "working days repeat 2"),
        ({"bank_holidays": {"country": "XX"}}, "unknown bank holidays"),
        ({"bank_holidays": {"country": "GB", "subdivision": "XYZ"}}, "unknown bank holidays"),
        ({"bank_holidays": {"country": "GB", "subdivision": "UK"}}, "deprecated"),
        ({"bank_holidays": {"country": "gb", "subdivision": "ENG"}}, "unknown bank holidays"),
        ({"first_contact_working_days": 0}, "greater than or equal to 1"),
        ({"first_contact_working_days": 31}, "less than or equal to 30"),
        ({"screening_working_days": 0}, "greater than or equal to 1"),
        ({"screening_working_days": 31}, "less than or equal to 30"),
        ({"reply_working_days": 0}, "greater than or equal to 1"),
        ({"reply_working_days": 31}, "less than or equal to 30"),
        ({"closure_days": ["not a date"]}, "date"),
        ({"acknowledge_within_day": 7}, "Extra inputs are not permitted"),
    ],
    ids=[
        "bad-time-zone",
        "empty-time-zone",
        "no-working-days",
        "weekday-8",
        "weekday-0",
        "repeated-weekday",
        "unknown-country",
        "unknown-subdivision",
        "deprecated-subdivision",
        "lower-case-country",
        "no-first-contact-days",
        "too-many-first-contact-days",
        "no-screening-days",
        "too-many-screening-days",
        "no-reply-days",
        "too-many-reply-days",
        "bad-closure-day",
        "misspelt-key",
    ],
)
def test_an_invalid_policy_is_refused_at_load(policy: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        WorkingTimePolicy.model_validate(policy)


def test_an_anonymous_report_before_christmas_is_due_for_screening_after_the_closure() -> None:
    # Wednesday 23 December 2026, 16:00 in London: the 24th is a working day, then Christmas,
    # a weekend, the Boxing Day substitute, the closure (29-31), New Year's Day, a weekend.
    calendar = WorkingCalendar(load_institution().working_time)

    due = calendar.screening_due(datetime(2026, 12, 23, 16, tzinfo=ZoneInfo("Europe/London")))

    assert due == datetime(2027, 1, 4, 16, tzinfo=UTC)


def test_a_reporter_message_on_a_friday_is_owed_a_reply_by_the_tuesday() -> None:
    # Friday 4 December 2026, 15:30 in London (GMT): Saturday and Sunday are not counted.
    calendar = WorkingCalendar(load_institution().working_time)

    due = calendar.reply_due(datetime(2026, 12, 4, 15, 30, tzinfo=ZoneInfo("Europe/London")))

    assert due == datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
    assert due != datetime(2026, 12, 6, 15, 30, tzinfo=UTC)


def test_a_reporter_message_before_the_may_bank_holiday_skips_it() -> None:
    # Friday 1 May 2026, 09:00 in London (BST): Monday 4 May is the Early May bank holiday.
    calendar = WorkingCalendar(load_institution().working_time)

    due = calendar.reply_due(datetime(2026, 5, 1, 9, tzinfo=ZoneInfo("Europe/London")))

    assert due == datetime(2026, 5, 6, 8, tzinfo=UTC)
    assert due != datetime(2026, 5, 5, 8, tzinfo=UTC)


def test_a_reply_window_set_by_the_institution_is_used() -> None:
    # Monday 7 December 2026, 10:00 GMT, with a reply owed within 1 working day.
    policy = WorkingTimePolicy(reply_working_days=1)

    due = WorkingCalendar(policy).reply_due(datetime(2026, 12, 7, 10, tzinfo=UTC))

    assert due == datetime(2026, 12, 8, 10, tzinfo=UTC)


def test_the_default_policy_is_england_monday_to_friday_in_london() -> None:
    policy = WorkingTimePolicy()
    assert policy.time_zone == "Europe/London"
    assert policy.working_days == [1, 2, 3, 4, 5]
    assert (policy.bank_holidays.country, policy.bank_holidays.subdivision) == ("GB", "ENG")
    assert policy.first_contact_working_days == 2
    assert policy.screening_working_days == 2
    assert policy.reply_working_days == 2
    assert policy.acknowledge_within_days == 7
    assert policy.feedback_within_months == 3


def test_a_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        WorkingTimePolicy().time_zone = "UTC"  # type: ignore[misc]


@pytest.mark.parametrize("subdivision", ["ENG", "WLS", "SCT", "NIR", "Scotland"])
def test_each_uk_nation_is_accepted(subdivision: str) -> None:
    policy = WorkingTimePolicy(bank_holidays={"country": "GB", "subdivision": subdivision})
    assert WorkingCalendar(policy).is_working_day(date(2026, 3, 10))


def test_bank_holidays_are_built_once_per_year_not_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Any] = []
    real = holidays.country_holidays

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("years"))
        return real(*args, **kwargs)

    clocks._bank_holidays.cache_clear()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    england = calendar()
    built.clear()  # loading the policy checks the country once; that is not the point here

    for day in range(1, 29):
        england.add_working_days(utc(2026, 2, day, 10), 2)

    assert len(built) == 1
    clocks._bank_holidays.cache_clear()


# --- properties ----------------------------------------------------------------------------


def _exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=150, deadline=None, database=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2028, 12, 31),
        timezones=st.just(UTC),
    ),
    days=st.integers(min_value=0, max_value=30),
    weekdays=st.sets(st.integers(min_value=1, max_value=7), min_size=1),
    subdivision=st.sampled_from(["ENG", "SCT", "NIR"]),
)
def test_the_due_date_is_a_working_day_exactly_n_working_days_on(
    start: datetime, days: int, weekdays: set[int], subdivision: str
) -> None:
    working = calendar(
        working_days=sorted(weekdays),
        bank_holidays={"country": "GB", "subdivision": subdivision},
    )
    due = working.add_working_days(start, days)

    local_start = start.astimezone(LONDON)
    local_due = due.astimezone(LONDON)
    starts_on_working_day = working.is_working_day(local_start.date())
    counted = [
        local_start.date() + timedelta(days=offset)
        for offset in range(1, (local_due.date() - local_start.date()).days + 1)
    ]

    assert due.tzinfo is UTC
    assert working.is_working_day(local_due.date())
    assert due >= start
    if days:
        assert due > start
    # A non-working start counts from the first working day after it, which is one more.
    expected_working_days = days if starts_on_working_day else days + 1
    assert sum(working.is_working_day(day) for day in counted) == expected_working_days
    wall = local_start.time() if starts_on_working_day else time(0)
    if _exists(local_due.date(), wall, LONDON):
        assert local_due.time() == wall
    else:
        assert local_due.time() == (datetime.combine(date.min, wall) + timedelta(hours=1)).time()
