"""A data-subject request is due one calendar month after the day it was received."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.rights.models import due_on


def test_a_day_the_next_month_lacks_is_clamped_to_its_last_day() -> None:
    assert due_on(date(2026, 1, 31)) == date(2026, 2, 28)
    assert due_on(date(2028, 1, 31)) == date(2028, 2, 29)
    assert due_on(date(2026, 8, 31)) == date(2026, 9, 30)


def test_december_rolls_into_january_of_the_next_year() -> None:
    assert due_on(date(2026, 12, 31)) == date(2027, 1, 31)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_the_due_date_is_in_the_next_month_on_the_same_day_or_its_last(received: date) -> None:
    due = due_on(received)

    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    last_of_month = (due.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert due.day == min(received.day, last_of_month.day)
