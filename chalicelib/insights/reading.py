"""The read side of the statistics: the analysts' dashboard and its CSV. Never per report.

Everything is read from what the `build_insights` job precomputed (`publishing`), by key:
the packed snapshot of each month of the range (at most 36), the caseload's snapshot, the
job's record and the release of each published reporting period the range overlaps (at most
13), in one `BatchGetItem` (`InsightsTable.published`; at most 51 keys; unprocessed keys
are retried a bounded number of times). Each snapshot is one JSON string, so a read is a
fixed number of key lookups and string parses whether the institution has 500 reports or
50,000.

Counts by dimension are per month of the range asked for. Demographic tables are not: each
covers one whole reporting period (`periods`), is published only once released, and is the
same whenever and for whatever range it is read, so two tables can never be subtracted to
uncover a suppressed cell. Each is suppressed here (`suppression.suppress`): no published
cell or total is below the threshold, and no suppressed one can be worked out from the rest
of the table.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from chalicelib.cases.models import Outcome
from chalicelib.clock import Clock
from chalicelib.errors import FieldProblem, InvalidInput
from chalicelib.insights.contributions import (
    BEHAVIOUR_QUESTION,
    CASELOAD,
    DEMOGRAPHIC,
    FIRST_CONTACT,
    FIRST_CONTACT_HOURS,
    TOTAL,
    bucket_bounds,
    demographic_cell,
    month_of,
)
from chalicelib.insights.periods import (
    ReportingPeriod,
    month_label,
    period_of,
    periods_overlapping,
    shift_month,
)
from chalicelib.insights.suppression import suppress
from chalicelib.institution.models import Institution, Question
from chalicelib.storage.insights_table import InsightsTable

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"\A(\d{4})-(0[1-9]|1[0-2])\Z")
_DIMENSION_LABELS = {
    "month": "Month submitted",
    "mode": "Anonymous or named",
    "reporter_role": "Reporter's role",
    "behaviour": "What happened",
    "location": "Where it happened",
    "team": "Team",
    "outcome": "Outcome",
}


@dataclass(frozen=True)
class Period:
    """Whole months, `from` to `to` inclusive (`yyyy-mm`)."""

    start: str
    end: str

    def months(self) -> list[str]:
        """Every month of the period, in order."""
        return ReportingPeriod(self.start, self.end).months()


def parse_period(params: Mapping[str, str], this_month: str) -> Period:
    """The period a query asks for; by default the last 12 months up to this one.

    Raises `InvalidInput` naming each bad parameter.
    """
    problems = [
        FieldProblem(name, "is not a parameter of the statistics (use from and to)")
        for name in sorted(set(params) - {"from", "to"})
    ]
    for name in ("from", "to"):
        if name in params and not _MONTH.match(params[name]):
            problems.append(FieldProblem(name, "must be a month as YYYY-MM"))
    if problems:
        raise InvalidInput(problems)
    end = params.get("to", this_month)
    start = params.get("from", shift_month(end, -(DEFAULT_MONTHS - 1)))
    if start > end:
        raise InvalidInput([FieldProblem("from", "must not be after to")])
    if shift_month(start, MAX_MONTHS - 1) < end:
        raise InvalidInput([FieldProblem("to", f"must be within {MAX_MONTHS} months of from")])
    return Period(start, end)


@dataclass
class InsightsDashboard:
    """Reads the counters into the dashboard's tables. Takes its client, table and labels."""

    client: Any
    insights_table: str
    institution: Institution
    clock: Clock
    #: A team's display name (from the staff directory), or None to show its id.
    team_name: Callable[[str], str | None]
    #: Waits between retries of unprocessed keys (a test passes one that does not sleep).
    pause: Callable[[float], None] = time.sleep

    def period(self, params: Mapping[str, str]) -> Period:
        """The period a query asks for (see `parse_period`)."""
        this_month = month_of(self.clock.now().isoformat(), self.institution.time_zone)
        return parse_period(params, this_month)

    def read(self, period: Period) -> dict[str, Any]:
        """The dashboard for a period (the shape of `InsightsAnswer`)."""
        months = period.months()
        rules = self.institution.insights
        this_month = month_of(self.clock.now().isoformat(), self.institution.time_zone)
        reporting = periods_overlapping(period.start, period.end, rules)
        published = [p for p in reporting if p.is_published(this_month)]
        # (Built from `client` on each read, so that a test can put a failing one in its place.)
        found = InsightsTable(self.client, self.insights_table).published(
            months, [p.key for p in published], pause=self.pause
        )
        monthly = found.months
        releases = {p: found.releases[p.key] for p in published if p.key in found.releases}
        counters: Counter[str] = Counter()
        for numbers in monthly:
            counters.update(numbers)
        by_month = [numbers.get(TOTAL, 0) for numbers in monthly]
        return {
            "period": {"from": period.start, "to": period.end},
            "suppression_threshold": self.institution.insights.suppression_threshold,
            "counted_until": found.counted_until,
            "total_reports": sum(by_month),
            "counts": [
                _dimension(
                    "month",
                    [(m, month_label(m), n) for m, n in zip(months, by_month, strict=True)],
                ),
                *(self._dimension(name, counters) for name in _DIMENSION_LABELS if name != "month"),
            ],
            "first_contact": _first_contact(counters),
            "caseload": _caseload(found.caseload),
            "demographic_periods": [
                {**_period(p), "published": p in releases, "published_from": _first_day(p)}
                for p in reporting
            ],
            "current_demographic_period": {
                **_period(period_of(this_month, rules)),
                "published_from": _first_day(period_of(this_month, rules)),
            },
            "demographics": [
                self._demographic(question, cells, reporting_period)
                for reporting_period, cells in releases.items()
                for question in self._demographic_questions()
            ],
        }

    def csv(self, period: Period) -> str:
        """Every table of the dashboard as CSV; suppressed values written as `suppressed`."""
        return to_csv(self.read(period))

    # --- internals ----------------------------------------------------------------------

    def _dimension(self, name: str, counters: Counter[str]) -> dict[str, Any]:
        found = {
            key.split("#", 1)[1]: count
            for key, count in counters.items()
            if key.startswith(name + "#")
        }
        known = self._known_values(name)
        values = [(v, label, found.get(v, 0)) for v, label in known.items()]
        values += [
            (v, self._label_of_unknown(name, v), n)
            for v, n in sorted(found.items())
            if v not in known
        ]
        return _dimension(name, values)

    def _known_values(self, name: str) -> dict[str, str]:
        form = self.institution.form
        if name == "mode":
            return {"anonymous": "Anonymous", "named": "Named"}
        if name == "reporter_role":
            return _options(form.question("reporter_role"))
        if name == "behaviour":
            return _options(form.question(BEHAVIOUR_QUESTION))
        if name == "outcome":
            return {value: _humane(value) for value in get_args(Outcome)}
        if name == "location":
            return self._locations()
        return {}

    def _locations(self) -> dict[str, str]:
        form = self.institution.form
        where = _options(form.question("where"))
        details = {"on_campus": "campus_area", "online": "online_platform"}
        found: dict[str, str] = {}
        for value, label in where.items():
            detail = details.get(value)
            if detail is None:
                found[value] = label
                continue
            for option, option_label in _options(form.question(detail)).items():
                found[f"{value}:{option}"] = f"{label}: {option_label}"
        return found

    def _label_of_unknown(self, name: str, value: str) -> str:
        if name == "team":
            return self.team_name(value) or value
        return _humane(value)

    def _demographic_questions(self) -> list[Question]:
        return list(self.institution.form.demographic_questions)

    def _demographic(
        self, question: Question, counters: Mapping[str, int], period: ReportingPeriod
    ) -> dict[str, Any]:
        behaviours = _options(self.institution.form.question(BEHAVIOUR_QUESTION))
        options = _options(question)
        cells = [
            [
                counters.get(demographic_cell(f"{DEMOGRAPHIC}#{question.id}#{option}", b), 0)
                for b in behaviours
            ]
            for option in options
        ]
        table = suppress(cells, self.institution.insights.suppression_threshold)
        return {
            "period": _period(period),
            "question": question.id,
            "label": question.label["en"],
            "by": "behaviour",
            "rows": [{"value": v, "label": label} for v, label in options.items()],
            "columns": [{"value": v, "label": label} for v, label in behaviours.items()],
            "cells": table.cells,
            "row_totals": table.row_totals,
            "column_totals": table.column_totals,
            "total": table.total,
        }


def to_csv(answer: Mapping[str, Any]) -> str:
    """The dashboard's tables as one tidy CSV: table, row, column, count (or `suppressed`),
    and for demographic rows the reporting period the table covers (`2025-08/2026-07`)."""
    out = io.StringIO()
    writer = _SafeWriter(csv.writer(out, lineterminator="\r\n"))
    writer.writerow(["table", "row", "row_label", "column", "column_label", "value", "period"])
    period = answer["period"]
    writer.writerow(["period", "from", "", "", "", period["from"]])
    writer.writerow(["period", "to", "", "", "", period["to"]])
    writer.writerow(["period", "counted_until", "", "", "", answer["counted_until"] or ""])
    writer.writerow(["suppression_threshold", "", "", "", "", answer["suppression_threshold"]])
    writer.writerow(["total_reports", "", "", "", "", answer["total_reports"]])
    for dimension in answer["counts"]:
        for value in dimension["values"]:
            writer.writerow(
                [dimension["dimension"], value["value"], value["label"], "", "", value["count"]]
            )
    for name, figure in answer["first_contact"].items():
        writer.writerow(["first_contact", name, "", "", "", "" if figure is None else figure])
    for row in answer["caseload"]:
        writer.writerow(["caseload", row["team_id"], "", "", "", row["open"]])
    for reporting in answer["demographic_periods"]:
        state = "published" if reporting["published"] else "not published"
        writer.writerow(
            [
                "demographic_period",
                state,
                reporting["label"],
                "published_from",
                "",
                reporting["published_from"],
                _period_key(reporting),
            ]
        )
    for table in answer["demographics"]:
        name = f"demographics:{table['question']}"
        reporting_period = _period_key(table["period"])
        columns = [*table["columns"], {"value": "total", "label": "Total"}]
        rows = [*table["rows"], {"value": "total", "label": "Total"}]
        grid = [
            [*cells, total]
            for cells, total in zip(table["cells"], table["row_totals"], strict=True)
        ]
        grid.append([*table["column_totals"], table["total"]])
        for row, values in zip(rows, grid, strict=True):
            for column, value in zip(columns, values, strict=True):
                shown = "suppressed" if value is None else value
                writer.writerow(
                    [
                        name,
                        row["value"],
                        row["label"],
                        column["value"],
                        column["label"],
                        shown,
                        reporting_period,
                    ]
                )
    return out.getvalue()


@dataclass
class _SafeWriter:
    """Labels come from configuration, not from reporters; still, a spreadsheet must never
    read a cell as a formula."""

    writer: Any

    def writerow(self, row: list[Any]) -> None:
        row = [*row, *[""] * (_CSV_COLUMNS - len(row))]
        self.writer.writerow(
            ["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row]
        )


_CSV_COLUMNS = 7


def _period_key(period: Mapping[str, str]) -> str:
    return f"{period['from']}/{period['to']}"


def _caseload(counters: Mapping[str, int]) -> list[dict[str, Any]]:
    prefix = CASELOAD + "#"
    return [
        {"team_id": name.removeprefix(prefix), "open": count}
        for name, count in sorted(counters.items())
        if name.startswith(prefix) and count > 0
    ]


def _dimension(name: str, values: Iterable[tuple[str, str, int]]) -> dict[str, Any]:
    return {
        "dimension": name,
        "label": _DIMENSION_LABELS[name],
        "values": [{"value": v, "label": label, "count": n} for v, label, n in values],
    }


def _first_contact(counters: Counter[str]) -> dict[str, Any]:
    met = counters[f"{FIRST_CONTACT}#met"]
    cases = met + counters[f"{FIRST_CONTACT}#missed"]
    prefix = FIRST_CONTACT_HOURS + "#"
    histogram = sorted(
        (key.removeprefix(prefix), n) for key, n in counters.items() if key.startswith(prefix)
    )
    return {
        "cases": cases,
        "median_hours": median_from_histogram(histogram),
        "within_two_working_days": round(met / cases, 4) if cases else None,
    }


def median_from_histogram(histogram: Iterable[tuple[str, int]]) -> float | None:
    """The median time to first contact, interpolated within its histogram bucket."""
    buckets = [(bucket, n) for bucket, n in sorted(histogram) if n > 0]
    total = sum(n for _, n in buckets)
    if total == 0:
        return None
    half = total / 2
    seen = 0
    for bucket, n in buckets:
        if seen + n >= half:
            lower, upper = bucket_bounds(bucket)
            return round(lower + (half - seen) / n * (upper - lower), 1)
        seen += n
    raise AssertionError("unreachable: the counts add up to the total")


def _options(question: Question | None) -> dict[str, str]:
    return {o.id: o.label["en"] for o in question.options} if question else {}


def _humane(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _period(period: ReportingPeriod) -> dict[str, str]:
    return {"from": period.start, "to": period.end, "label": period.label}


def _first_day(period: ReportingPeriod) -> str:
    """The date (institution's time zone) from which a period's tables may be released."""
    return f"{period.published_from}-01"
