"""Calendar-month arithmetic, written once.

Retention windows (redact 6 months after closure), the feedback date of a report and the due
date of a rights request all count calendar months the same way: the same day of the month
`n` months on, or that month's last day when it is shorter (31 January + 1 month is 28 or 29
February). A date or a datetime keeps its type, time and time zone.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TypeVar

Day = TypeVar("Day", bound=date)


def add_months(day: Day, months: int) -> Day:
    """`months` calendar months after `day` (before it if negative), clamped to the month's end."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))
