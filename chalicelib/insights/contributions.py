"""What one report adds to the statistics now: the counter keys it contributes. Pure.

A counter key names one counter as `<partition>|<counter>`. Every counter of a partition is
a top-level number attribute of ONE item of the `insights` table (its keys are
`chalicelib.storage.insights_table`'s), so the dashboard reads a fixed number of items
whatever the number of reports:

- `COUNTS#<yyyy-mm>|<dimension>#<value>`, in item (`COUNTS#<yyyy-mm>`, `MONTH`): the month
  the report was submitted (in the institution's time zone) and one value it counts
  towards: `reports#all`, its mode, reporter role, each behaviour ticked, its location, its
  team once triaged, its outcome once closed, and once first contact happened whether it
  was within the two working days and how many hours it took (a histogram bucket);
- `CURRENT|caseload#<team>`, in item (`CURRENT`, `CASELOAD`): an open case, in its team's
  current caseload.

The month item also holds the demographic crosstabs, one attribute per cell
(`demographic_cell`: `demographic#<question>#<option>#<behaviour>`). Identifiers are
`[a-z0-9_]` (`institution.models.Identifier`), so `#` separates them unambiguously.

The job keeps, on the report item, the keys it last counted the report under; the
difference to the keys a report contributes now is what it adds (+1) and takes back (-1).
Demographic answers never become counter keys of a report: they are counted once, apart
(`demographic_rows`), and nothing records which report gave which answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.cases.workflow import OPEN
from chalicelib.institution.models import Form
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.insights_table import CURRENT, counter_key, counts_key

BEHAVIOUR_QUESTION = "what_happened"
#: Dimensions counted per submission month, as `<dimension>#<value>` sort keys.
DIMENSIONS = ("mode", "reporter_role", "behaviour", "location", "team", "outcome")
TOTAL = "reports#all"
FIRST_CONTACT = "first_contact"
FIRST_CONTACT_HOURS = "first_contact_hours"
CASELOAD = "caseload"
#: A demographic row's sort key starts so: `demographic#<question>#<option>`.
DEMOGRAPHIC = "demographic"


def month_of(submitted_at: str, time_zone: str) -> str:
    """The month (`yyyy-mm`) a report was submitted in, in the institution's time zone."""
    moment = datetime.fromisoformat(submitted_at).astimezone(ZoneInfo(time_zone))
    return f"{moment.year:04d}-{moment.month:02d}"


def demographic_cell(row: str, behaviour: str) -> str:
    """The month item's attribute counting one crosstab cell: a row by a behaviour."""
    return f"{row}#{behaviour}"


def counter_keys(report: CaseItem, time_zone: str) -> frozenset[str]:
    """Every counter a report contributes to in its current state."""
    month = counts_key(month_of(report.submitted_at, time_zone))
    answers: Mapping[str, Any] = report.answers
    values = [TOTAL, f"mode#{report.mode}"]
    role = answers.get("reporter_role")
    if isinstance(role, str):
        values.append(f"reporter_role#{role}")
    values += [f"behaviour#{b}" for b in _options(answers.get(BEHAVIOUR_QUESTION))]
    place = location(answers)
    if place:
        values.append(f"location#{place}")
    team = report.team_id
    if team:
        values.append(f"team#{team}")
    status = report.status
    outcome = report.outcome
    if outcome and status not in OPEN:
        values.append(f"outcome#{outcome}")
    contacted, due = report.first_contact_at, report.first_contact_due
    if contacted and due:
        values.append(f"{FIRST_CONTACT}#{'met' if contacted <= due else 'missed'}")
        hours = _hours_between(report.submitted_at, contacted)
        values.append(f"{FIRST_CONTACT_HOURS}#{hours_bucket(hours)}")
    keys = {counter_key(month, value) for value in values}
    if team and status in OPEN:
        keys.add(counter_key(CURRENT, f"{CASELOAD}#{team}"))
    return frozenset(keys)


def location(answers: Mapping[str, Any]) -> str | None:
    """Where it happened, as precisely as the form asked: `on_campus:library`, `off_campus`."""
    where = answers.get("where")
    if not isinstance(where, str):
        return None
    detail = answers.get("campus_area") if where == "on_campus" else answers.get("online_platform")
    return f"{where}:{detail}" if isinstance(detail, str) and where != "off_campus" else where


def demographic_rows(
    demographics: Mapping[str, Any], answers: Mapping[str, Any], form: Form
) -> dict[str, list[str]]:
    """The crosstab rows a report's demographic answers add to, and the behaviours (columns)
    each adds one to: `{"demographic#gender#woman": ["bullying", ...]}`.

    Only questions and options the form knows are counted; anything else is ignored.
    """
    behaviours = sorted(set(_options(answers.get(BEHAVIOUR_QUESTION))))
    rows: dict[str, list[str]] = {}
    if not behaviours:
        return rows
    for question in form.demographic_questions:
        answer = demographics.get(question.id)
        if isinstance(answer, str) and answer in question.option_ids():
            rows[f"{DEMOGRAPHIC}#{question.id}#{answer}"] = behaviours
    return rows


#: Upper edges (hours) of the time-to-first-contact histogram's buckets: hourly for the first
#: two days (the promise is two working days), then six-hourly to a week, then daily to 30.
BUCKET_EDGES: tuple[int, ...] = (
    *range(1, 49),
    *range(54, 169, 6),
    *range(192, 721, 24),
)


def hours_bucket(hours: float) -> str:
    """The histogram bucket of a time to first contact: its lower edge, zero-padded."""
    lower = 0
    for edge in BUCKET_EDGES:
        if hours < edge:
            return f"{lower:04d}"
        lower = edge
    return f"{lower:04d}"


def bucket_bounds(bucket: str) -> tuple[float, float]:
    """The lower and upper edge (hours) of a bucket; the last one is taken as 30 days wide."""
    lower = int(bucket)
    upper = next((edge for edge in BUCKET_EDGES if edge > lower), lower + 720)
    return float(lower), float(upper)


def _hours_between(start: str, end: str) -> float:
    elapsed = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return max(elapsed.total_seconds() / 3600, 0.0)


def _options(answer: Any) -> list[str]:
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, list):
        return [str(item) for item in answer]
    return []
