"""Escalation stages of a named case: first contact overdue, statutory acknowledgement due
soon, statutory feedback due soon. Each falls due at a moment derived from the case's clocks;
the screeners are chased about the earliest stage not yet escalated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.cases.sla import (
    ACKNOWLEDGE_DUE_SOON,
    FEEDBACK_DUE_SOON,
    FIRST_CONTACT_OVERDUE,
    REPLY_OVERDUE,
    clock_attributes,
    next_stage,
    reply_attributes,
    stage_times,
)
from chalicelib.institution import load_institution
from chalicelib.institution.models import Escalation
from chalicelib.institution.working_time import ClockDates, WorkingCalendar
from chalicelib.storage.case_item import CaseItem

LONDON = ZoneInfo("Europe/London")
ALL_STAGES = {FIRST_CONTACT_OVERDUE, ACKNOWLEDGE_DUE_SOON, FEEDBACK_DUE_SOON}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


#: A report on Tuesday 10 March 2026 at 10:00 GMT under the default policy.
ORDINARY = ClockDates(
    first_contact_due=utc(2026, 3, 12, 10),
    acknowledge_due=utc(2026, 3, 17, 10),
    feedback_due=utc(2026, 6, 10, 9),
)
DEFAULT_ESCALATION = Escalation(acknowledge_warning_hours=24, feedback_warning_days=14)


def christmas_clocks() -> ClockDates:
    """The default institution's clocks for a report on Wednesday 23 December 2026, 16:00.

    24 December is a working day; then Christmas, a weekend, the Boxing Day substitute
    (Monday 28th), the closure days 29 to 31 December, New Year's Day and another weekend.
    """
    calendar = WorkingCalendar(load_institution().working_time)
    return calendar.clocks_for(datetime(2026, 12, 23, 16, tzinfo=LONDON))


# --- When each stage falls due ---------------------------------------------------------------


def test_first_contact_is_overdue_when_its_clock_runs_out() -> None:
    stages = dict(stage_times(ORDINARY, DEFAULT_ESCALATION))

    assert stages[FIRST_CONTACT_OVERDUE] == ORDINARY.first_contact_due


@pytest.mark.parametrize("hours", [1, 24, 72])
def test_the_acknowledgement_warning_is_its_warning_hours_before_the_due_time(
    hours: int,
) -> None:
    escalation = Escalation(acknowledge_warning_hours=hours)

    stages = dict(stage_times(ORDINARY, escalation))

    assert stages[ACKNOWLEDGE_DUE_SOON] == ORDINARY.acknowledge_due - timedelta(hours=hours)


@pytest.mark.parametrize("days", [1, 14, 30])
def test_the_feedback_warning_is_its_warning_days_before_the_due_date(days: int) -> None:
    escalation = Escalation(feedback_warning_days=days)

    stages = dict(stage_times(ORDINARY, escalation))

    assert stages[FEEDBACK_DUE_SOON] == ORDINARY.feedback_due - timedelta(days=days)


def test_the_default_escalation_warns_a_day_and_two_weeks_ahead() -> None:
    assert load_institution().triage.escalation == DEFAULT_ESCALATION


def test_every_stage_appears_once() -> None:
    names = [name for name, _ in stage_times(ORDINARY, DEFAULT_ESCALATION)]

    assert sorted(names) == sorted(ALL_STAGES)


def test_stages_of_an_ordinary_week_run_first_contact_then_acknowledgement_then_feedback() -> None:
    assert stage_times(ORDINARY, DEFAULT_ESCALATION) == [
        (FIRST_CONTACT_OVERDUE, utc(2026, 3, 12, 10)),
        (ACKNOWLEDGE_DUE_SOON, utc(2026, 3, 16, 10)),
        (FEEDBACK_DUE_SOON, utc(2026, 5, 27, 9)),
    ]


def test_stages_are_sorted_by_time_whatever_the_clocks_order() -> None:
    # given clocks where feedback is due before first contact (an unusual policy)
    clocks = ClockDates(
        first_contact_due=utc(2026, 5, 1),
        acknowledge_due=utc(2026, 4, 1),
        feedback_due=utc(2026, 3, 20),
    )

    stages = stage_times(clocks, Escalation(acknowledge_warning_hours=1, feedback_warning_days=1))

    assert [name for name, _ in stages] == [
        FEEDBACK_DUE_SOON,
        ACKNOWLEDGE_DUE_SOON,
        FIRST_CONTACT_OVERDUE,
    ]
    times = [moment for _, moment in stages]
    assert times == sorted(times)


# --- Over the Christmas closure --------------------------------------------------------------


def test_over_christmas_first_contact_falls_after_the_acknowledgement_warning() -> None:
    clocks = christmas_clocks()

    # first contact: 24 December and 4 January are the two working days
    assert clocks.first_contact_due == utc(2027, 1, 4, 16)
    # acknowledgement: 7 calendar days, closure or not
    assert clocks.acknowledge_due == utc(2026, 12, 30, 16)
    assert stage_times(clocks, DEFAULT_ESCALATION) == [
        (ACKNOWLEDGE_DUE_SOON, utc(2026, 12, 29, 16)),
        (FIRST_CONTACT_OVERDUE, utc(2027, 1, 4, 16)),
        (FEEDBACK_DUE_SOON, utc(2027, 3, 9, 16)),
    ]


def test_over_christmas_the_first_stage_to_watch_is_the_acknowledgement_warning() -> None:
    stage = next_stage(christmas_clocks(), DEFAULT_ESCALATION, set())

    assert stage == (ACKNOWLEDGE_DUE_SOON, utc(2026, 12, 29, 16))


def test_over_christmas_first_contact_follows_the_acknowledgement_warning() -> None:
    stage = next_stage(christmas_clocks(), DEFAULT_ESCALATION, {ACKNOWLEDGE_DUE_SOON})

    assert stage == (FIRST_CONTACT_OVERDUE, utc(2027, 1, 4, 16))


# --- The next stage to chase -----------------------------------------------------------------


def test_the_next_stage_of_a_new_case_is_the_earliest() -> None:
    assert next_stage(ORDINARY, DEFAULT_ESCALATION, set()) == (
        FIRST_CONTACT_OVERDUE,
        utc(2026, 3, 12, 10),
    )


def test_the_next_stage_skips_stages_already_escalated() -> None:
    stage = next_stage(ORDINARY, DEFAULT_ESCALATION, {FIRST_CONTACT_OVERDUE})

    assert stage == (ACKNOWLEDGE_DUE_SOON, utc(2026, 3, 16, 10))


def test_the_next_stage_skips_a_later_stage_escalated_out_of_order() -> None:
    stage = next_stage(ORDINARY, DEFAULT_ESCALATION, {ACKNOWLEDGE_DUE_SOON})

    assert stage == (FIRST_CONTACT_OVERDUE, utc(2026, 3, 12, 10))


def test_the_last_stage_is_next_when_the_others_are_done() -> None:
    stage = next_stage(ORDINARY, DEFAULT_ESCALATION, {FIRST_CONTACT_OVERDUE, ACKNOWLEDGE_DUE_SOON})

    assert stage is not None
    assert stage[0] == FEEDBACK_DUE_SOON


def test_nothing_is_next_when_every_stage_is_done() -> None:
    assert next_stage(ORDINARY, DEFAULT_ESCALATION, set(ALL_STAGES)) is None


def test_an_unknown_name_among_the_done_stages_changes_nothing() -> None:
    assert next_stage(ORDINARY, DEFAULT_ESCALATION, {"no_such_stage"}) == next_stage(
        ORDINARY, DEFAULT_ESCALATION, set()
    )


# --- What triage stores on a named case ------------------------------------------------------


def test_clock_attributes_are_iso_utc_strings_ending_in_z() -> None:
    attributes = clock_attributes(ORDINARY, DEFAULT_ESCALATION)

    assert attributes["first_contact_due"] == "2026-03-12T10:00:00.000Z"
    assert attributes["acknowledge_due"] == "2026-03-17T10:00:00.000Z"
    assert attributes["feedback_due"] == "2026-06-10T09:00:00.000Z"


def test_clock_attributes_open_the_watch_on_the_first_stage() -> None:
    attributes = clock_attributes(ORDINARY, DEFAULT_ESCALATION)

    assert attributes["sla_watch"] == "open"
    assert attributes["sla_next_stage"] == FIRST_CONTACT_OVERDUE
    assert attributes["sla_next_at"] == "2026-03-12T10:00:00.000Z"


def test_clock_attributes_over_christmas_watch_the_acknowledgement_first() -> None:
    attributes = clock_attributes(christmas_clocks(), DEFAULT_ESCALATION)

    assert attributes["sla_next_stage"] == ACKNOWLEDGE_DUE_SOON
    assert attributes["sla_next_at"] == "2026-12-29T16:00:00.000Z"
    assert attributes["first_contact_due"] == "2027-01-04T16:00:00.000Z"


def test_clock_attributes_convert_other_offsets_to_utc() -> None:
    # given clocks held in London summer time (UTC+1)
    summer = ClockDates(
        first_contact_due=datetime(2026, 7, 2, 10, tzinfo=LONDON),
        acknowledge_due=datetime(2026, 7, 7, 10, tzinfo=LONDON),
        feedback_due=datetime(2026, 9, 30, 10, tzinfo=LONDON),
    )

    attributes = clock_attributes(summer, DEFAULT_ESCALATION)

    assert attributes["first_contact_due"] == "2026-07-02T09:00:00.000Z"
    assert attributes["sla_next_at"] == "2026-07-02T09:00:00.000Z"
    assert all(
        str(attributes[field]).endswith("Z")
        for field in ("first_contact_due", "acknowledge_due", "feedback_due", "sla_next_at")
    )


# --- a reply owed to a reporter's message (a receipt code's thread) ------------------------


def watched(**attributes: str) -> CaseItem:
    """A case with these watch attributes (and what every case item holds)."""
    return CaseItem.from_item(
        {
            "report_id": "r1",
            "reference": "RS-TEST-0001",
            "mode": "anonymous",
            "status": "assigned",
            "version": 3,
            "submitted_at": "2026-11-20T10:30:00.000Z",
            **attributes,
        }
    )


def test_a_reply_owed_is_watched_when_nothing_else_is() -> None:
    # Given a filed case, no longer watched
    case = watched(status="filed", sla_next_stage="screening_overdue", sla_next_at="x")
    # Then the reply owed is watched
    assert reply_attributes(case, "2026-11-24T11:00:00.000Z") == {
        "sla_watch": "open",
        "sla_next_stage": REPLY_OVERDUE,
        "sla_next_at": "2026-11-24T11:00:00.000Z",
    }


def test_a_reply_owed_before_the_stage_watched_is_watched_first() -> None:
    case = watched(
        sla_watch="open",
        sla_next_stage="feedback_due_soon",
        sla_next_at="2027-02-10T09:00:00.000Z",
    )
    assert reply_attributes(case, "2026-11-24T11:00:00.000Z")["sla_next_stage"] == REPLY_OVERDUE


def test_a_reply_owed_after_the_stage_watched_waits_for_it() -> None:
    # Given a report watched for screening on Tuesday 10:30
    case = watched(
        sla_watch="open",
        sla_next_stage="screening_overdue",
        sla_next_at="2026-11-24T10:30:00.000Z",
    )
    # Then a reply owed at 11:00 leaves the watch as it is (it follows the screening stage)
    assert reply_attributes(case, "2026-11-24T11:00:00.000Z") == {}
    # And one owed at 10:00 is watched first
    assert reply_attributes(case, "2026-11-24T10:00:00.000Z")["sla_next_at"] == (
        "2026-11-24T10:00:00.000Z"
    )
