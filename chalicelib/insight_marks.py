"""The mark that tells the insights job a report has changed since it was last counted.

Every change that can move a statistic (triage, assignment, first contact, closure,
reopening, redaction) sets the mark in the same write as the change. The mark puts the
report in a sparse index; the insights job reads that index, recounts the report's
contribution to the counters and removes the mark. So statistics follow every change
without the job ever scanning the table, and without case work knowing what is counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.clock import iso

#: The attribute (and sparse index) of reports waiting to be counted, and its one value.
INSIGHT_PENDING = "insight_pending"
PENDING = "pending"
#: When the report last changed, the sort key of the sparse index.
INSIGHT_CHANGED_AT = "insight_changed_at"
#: What the job has counted: on a report item, the counter keys it was last counted under;
#: on a demographics item, true once its answers are counted.
INSIGHT_COUNTED = "insight_counted"


def insight_mark(now: datetime) -> dict[str, Any]:
    """The attributes that put a report in the insights job's index."""
    return {INSIGHT_PENDING: PENDING, INSIGHT_CHANGED_AT: iso(now)}
