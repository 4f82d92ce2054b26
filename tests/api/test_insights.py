"""The analysts' statistics, end to end: reports submitted and worked through the API, the
`build_insights` job run as its schedule would, the answers read through the API."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import services
from chalicelib.errors import DependencyUnavailable
from chalicelib.insight_marks import INSIGHT_COUNTED
from chalicelib.insights.contributions import counter_keys
from chalicelib.storage.case_item import CaseItem
from tests.api.conftest import file_quiet_anonymous_reports, use_screening
from tests.api.emf import metrics
from tests.api.shared_stack import Stack
from tests.factories import anonymous_submission, named_submission, sentinel_submission
from tests.sentinels import leaves, occurrences, table_items

ANALYST, SCREENER, ADVISOR = "di-analyst", "ss-screener", "ss-advisor-1"
PERIOD = "?from=2026-01&to=2026-12"


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.forget_cases()
    stack.reset()
    # These tests count what case work does, not screening: anonymous reports with no risk
    # are filed by the machine (`triage.screening: named_or_flagged`), out of the caseload.
    # The test of both settings switches back to the default itself.
    file_quiet_anonymous_reports(monkeypatch)


# --- helpers ---------------------------------------------------------------------------------


def scheduled(stack: Stack) -> dict[str, int]:
    """Run the job as EventBridge would: through the app's schedule handler."""
    event = stack.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    return dict(stack.client.lambda_.invoke("build_insights", event).payload)


def statistics(stack: Stack, query: str = PERIOD) -> dict[str, Any]:
    response = stack.call("get", f"/staff/insights{query}", ANALYST)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def counts(answer: dict[str, Any], dimension: str) -> dict[str, int]:
    """A dimension's non-zero counts."""
    found = next(d for d in answer["counts"] if d["dimension"] == dimension)
    return {v["value"]: v["count"] for v in found["values"] if v["count"]}


def case(stack: Stack, reference: str) -> dict[str, Any]:
    return dict(stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body)


def stored_case(stack: Stack, reference: str) -> CaseItem:
    found = services.report_store().case_item(stack.report_id(reference))
    assert found is not None
    return found


def act(stack: Stack, reference: str, route: str, user: str, body: dict[str, Any]) -> None:
    if "version" not in body and route != "timeline":
        body = {**body, "version": case(stack, reference)["version"]}
    response = stack.call("post", f"/staff/cases/{reference}/{route}", user, body)
    assert response.status_code in (200, 201), response.json_body


def counter_items(stack: Stack) -> list[dict[str, Any]]:
    items = table_items(services.dynamodb(), stack.settings.insights_table)
    return sorted(
        (i for i in items if i["pk"]["S"] != "JOB"), key=lambda i: (i["pk"]["S"], i["sk"]["S"])
    )


def submit_mix(stack: Stack) -> dict[str, str]:
    """Three anonymous reports and two named ones (students: student support)."""
    references = {
        "anon_online": stack.submit(
            anonymous_submission(
                answers={
                    "what_happened": ["online_harassment", "bullying"],
                    "where": "online",
                    "online_platform": "social_media",
                }
            )
        ),
        "anon_library": stack.submit(
            anonymous_submission(
                answers={
                    "what_happened": ["bullying"],
                    "where": "on_campus",
                    "campus_area": "library",
                    "reporter_role": "staff",
                }
            )
        ),
        "anon_off": stack.submit(anonymous_submission()),
    }
    references["named_1"] = stack.submit(named_submission())
    references["named_2"] = stack.submit(named_submission())
    return references


# --- counting --------------------------------------------------------------------------------


def test_counts_follow_submission_triage_and_case_work(stack: Stack) -> None:
    references = submit_mix(stack)

    assert scheduled(stack)["counted"] == 5
    answer = statistics(stack)

    assert answer["period"] == {"from": "2026-01", "to": "2026-12"}
    assert answer["total_reports"] == 5
    assert counts(answer, "month") == {"2026-11": 5}
    assert counts(answer, "mode") == {"anonymous": 3, "named": 2}
    assert counts(answer, "reporter_role") == {"student": 4, "staff": 1}
    assert counts(answer, "behaviour") == {
        "bullying": 2,
        "online_harassment": 1,
        "verbal_harassment": 3,
    }
    assert counts(answer, "location") == {
        "online:social_media": 1,
        "on_campus:library": 1,
        "off_campus": 3,
    }
    assert sum(counts(answer, "team").values()) == 5
    assert answer["caseload"] == [{"team_id": "student_support", "open": 2}]
    assert answer["first_contact"] == {
        "cases": 0,
        "median_hours": None,
        "within_two_working_days": None,
    }
    assert answer["counted_until"] == "2026-11-20T10:30:00.000Z"

    # Work one named case: assign, reach the reporter 20 hours after submission, close.
    reference = references["named_1"]
    act(stack, reference, "assignment", SCREENER, {"advisor_id": ADVISOR, "reason": "Best fit"})
    stack.clock.moment += timedelta(hours=20)
    act(
        stack,
        reference,
        "timeline",
        ADVISOR,
        {"entry": {"type": "contact_attempt", "method": "phone", "result": "reached"}},
    )
    act(
        stack,
        reference,
        "transitions",
        ADVISOR,
        {"to": "closed", "outcome": "informal_resolution", "reason": "Resolved together"},
    )
    assert scheduled(stack) == {
        "counted": 1,
        "unchanged": 0,
        "skipped": 0,
        "demographics": 0,
        "snapshots": 2,  # its month and the caseload
        "released": 0,
    }
    answer = statistics(stack)
    assert answer["total_reports"] == 5
    assert counts(answer, "outcome") == {"informal_resolution": 1}
    assert answer["caseload"] == [{"team_id": "student_support", "open": 1}]
    assert answer["first_contact"]["cases"] == 1
    assert answer["first_contact"]["within_two_working_days"] == 1.0
    assert 20 <= answer["first_contact"]["median_hours"] <= 21

    # Reopening takes the outcome back and the case back into the caseload.
    act(stack, reference, "transitions", SCREENER, {"to": "reopened", "reason": "More to do"})
    scheduled(stack)
    answer = statistics(stack)
    assert counts(answer, "outcome") == {}
    assert answer["caseload"] == [{"team_id": "student_support", "open": 2}]
    assert answer["total_reports"] == 5


def test_a_filed_report_counts_the_same_whichever_screening_setting_filed_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two alike anonymous reports with no risk: one filed by the machine (this module's
    # `named_or_flagged` setting), one screened then filed by its screener (`every_report`)
    answers = {"what_happened": ["bullying"], "where": "on_campus", "campus_area": "library"}
    by_machine = stack.submit(anonymous_submission(answers=answers))
    use_screening(monkeypatch, "every_report")
    by_screener = stack.submit(anonymous_submission(answers=answers))
    scheduled(stack)
    assert statistics(stack)["caseload"] == [{"team_id": "student_support", "open": 1}]

    act(stack, by_screener, "transitions", SCREENER, {"to": "filed", "reason": "No action"})
    scheduled(stack)

    assert case(stack, by_machine)["status"] == case(stack, by_screener)["status"] == "filed"
    answer = statistics(stack)
    assert answer["total_reports"] == 2
    assert counts(answer, "mode") == {"anonymous": 2}
    assert counts(answer, "behaviour") == {"bullying": 2}
    assert counts(answer, "location") == {"on_campus:library": 2}
    assert counts(answer, "team") == {"student_support": 2}
    assert counts(answer, "outcome") == {}
    assert answer["caseload"] == []
    # the two reports' counters are the same ones
    keys = [
        counter_keys(stored_case(stack, reference), "Europe/London")
        for reference in (by_machine, by_screener)
    ]
    assert keys[0] == keys[1]
    assert "COUNTS#2026-11|reports#all" in keys[0]
    assert not [key for key in keys[0] if key.startswith("CURRENT|")]


def test_running_the_job_again_changes_nothing(stack: Stack) -> None:
    submit_mix(stack)
    scheduled(stack)
    first, items = statistics(stack), counter_items(stack)

    assert scheduled(stack) == {
        "counted": 0,
        "unchanged": 0,
        "skipped": 0,
        "demographics": 0,
        "snapshots": 0,
        "released": 0,
    }
    assert counter_items(stack) == items
    assert statistics(stack) == first


class FailingNthTransaction:
    """A DynamoDB client whose Nth TransactWriteItems fails as if the Lambda died there."""

    def __init__(self, client: Any, nth: int) -> None:
        self._client = client
        self._left = nth

    def transact_write_items(self, **kwargs: Any) -> Any:
        self._left -= 1
        if self._left == 0:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="dynamodb")
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.mark.parametrize("nth", [1, 2, 3, 5, 7])
def test_a_crash_midway_then_a_rerun_counts_every_report_exactly_once(
    stack: Stack, nth: int
) -> None:
    submit_mix(stack)
    job = services.insights_job()
    real_client = job.client
    job.client = FailingNthTransaction(real_client, nth)
    try:
        with pytest.raises(DependencyUnavailable):
            job.run()
    finally:
        job.client = real_client

    scheduled(stack)
    crashed = counter_items(stack)
    answer = statistics(stack)

    assert answer["total_reports"] == 5
    assert counts(answer, "mode") == {"anonymous": 3, "named": 2}
    assert answer["caseload"] == [{"team_id": "student_support", "open": 2}]
    # The same counters, item for item, as a run that never crashed.
    for item in crashed:
        services.dynamodb().delete_item(
            TableName=stack.settings.insights_table, Key={"pk": item["pk"], "sk": item["sk"]}
        )
    _mark_every_report_uncounted(stack)
    scheduled(stack)
    assert counter_items(stack) == crashed


def _mark_every_report_uncounted(stack: Stack) -> None:
    """Forget what the job counted (as if it had never run) and mark every report again."""
    dynamodb = services.dynamodb()
    for item in table_items(dynamodb, stack.settings.reports_table):
        if item["sk"]["S"] == "REPORT":
            dynamodb.update_item(
                TableName=stack.settings.reports_table,
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET insight_pending = :p REMOVE #counted",
                ExpressionAttributeNames={"#counted": INSIGHT_COUNTED},
                ExpressionAttributeValues={":p": {"S": "pending"}},
            )
    for item in table_items(dynamodb, stack.settings.demographics_table):
        dynamodb.update_item(
            TableName=stack.settings.demographics_table,
            Key={"report_id": item["report_id"]},
            UpdateExpression="REMOVE #counted",
            ExpressionAttributeNames={"#counted": INSIGHT_COUNTED},
        )


class ChangesTheCaseFirst:
    """A client that, just before the job's first commit, lets a staff change land."""

    def __init__(self, client: Any, change: Any) -> None:
        self._client = client
        self._change = change

    def transact_write_items(self, **kwargs: Any) -> Any:
        if self._change is not None:
            change, self._change = self._change, None
            change()
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_case_change_during_the_run_is_not_lost_nor_counted_twice(stack: Stack) -> None:
    reference = stack.submit(named_submission(demographics=None))
    job = services.insights_job()
    real_client = job.client
    stack.clock.moment += timedelta(minutes=1)

    def close() -> None:
        act(
            stack,
            reference,
            "transitions",
            SCREENER,
            {"to": "closed", "outcome": "no_further_action", "reason": "Nothing to do"},
        )

    job.client = ChangesTheCaseFirst(real_client, close)
    try:
        assert job.run()["skipped"] == 1
    finally:
        job.client = real_client
    assert statistics(stack)["total_reports"] == 0
    assert statistics(stack)["counted_until"] is None

    scheduled(stack)
    answer = statistics(stack)
    assert answer["total_reports"] == 1
    assert counts(answer, "outcome") == {"no_further_action": 1}
    assert answer["caseload"] == []


class Recording:
    """A DynamoDB client that notes each call (name and arguments) and passes it on."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return method(*args, **kwargs)

        return recorded


def test_counters_are_one_item_per_month_and_one_for_the_caseload(stack: Stack) -> None:
    submit_mix(stack)
    job = services.insights_job()
    recording = Recording(job.client)
    job.client = recording
    try:
        assert job.run()["counted"] == 5
    finally:
        job.client = services.dynamodb()

    assert [(i["pk"]["S"], i["sk"]["S"]) for i in counter_items(stack)] == [
        ("COUNTS#2026-11", "MONTH"),
        ("COUNTS#2026-11", "SNAPSHOT"),
        ("CURRENT", "CASELOAD"),
        ("CURRENT", "SNAPSHOT"),
        # The reporting periods (August to July) that ended up to three years ago, their
        # grace month past; nothing was counted in them, so their releases are empty.
        ("DEMOGRAPHICS#2023-08/2024-07", "RELEASE"),
        ("DEMOGRAPHICS#2024-08/2025-07", "RELEASE"),
        ("DEMOGRAPHICS#2025-08/2026-07", "RELEASE"),
    ]
    month = counter_items(stack)[0]
    assert month["reports#all"] == {"N": "5"}
    assert month["mode#anonymous"] == {"N": "3"}
    # One transaction per report: the report, its month and (the two open named cases) the
    # caseload, each once; and one per report with demographics (the named ones): those and
    # its month's cells.
    transactions = [
        [(w["Update"]["TableName"], str(w["Update"]["Key"])) for w in kwargs["TransactItems"]]
        for name, kwargs in recording.calls
        if name == "transact_write_items"
    ]
    tables = sorted(tuple(table.rsplit("-", 1)[1] for table, _ in keys) for keys in transactions)
    assert tables == [
        *[("demographics", "insights")] * 2,
        *[("reports", "insights")] * 3,
        *[("reports", "insights", "insights")] * 2,
    ]
    assert all(len(keys) == len(set(keys)) for keys in transactions)


def test_a_read_is_one_batch_of_key_lookups_whatever_the_period(stack: Stack) -> None:
    # (Team names come from the staff directory, by key, through its own client.)
    submit_mix(stack)
    scheduled(stack)
    dashboard = services.insights_dashboard()
    recording = Recording(dashboard.client)
    dashboard.client = recording
    try:
        # The months' snapshots, the caseload's, the job record, and the releases of the
        # published reporting periods the range overlaps (none, then 2023-24 to 2025-26).
        for query, keys in (
            ("?from=2026-11&to=2026-11", 1 + 2),
            ("?from=2024-01&to=2026-12", 36 + 2 + 3),
        ):
            recording.calls.clear()
            assert statistics(stack, query)["total_reports"] == 5
            assert [name for name, _ in recording.calls] == ["batch_get_item"]
            (request,) = recording.calls[0][1]["RequestItems"].values()
            assert len(request["Keys"]) == keys
            assert {key["sk"]["S"] for key in request["Keys"]} <= {
                "SNAPSHOT",
                "RELEASE",
                "build_insights",
            }
    finally:
        dashboard.client = services.dynamodb()


class Throttled:
    """A DynamoDB client whose first `times` BatchGetItems answer only the first key and
    return the others unprocessed, as DynamoDB does under throttling."""

    def __init__(self, client: Any, times: int) -> None:
        self._client = client
        self.left = times

    def batch_get_item(self, RequestItems: dict[str, Any]) -> Any:  # noqa: N803 (boto3's name)
        if self.left == 0:
            return self._client.batch_get_item(RequestItems=RequestItems)
        self.left -= 1
        ((table, request),) = RequestItems.items()
        first, rest = request["Keys"][:1], request["Keys"][1:]
        answer = self._client.batch_get_item(RequestItems={table: {**request, "Keys": first}})
        answer["UnprocessedKeys"] = {table: {**request, "Keys": rest}} if rest else {}
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_unprocessed_keys_are_retried_then_a_503(stack: Stack) -> None:
    submit_mix(stack)
    scheduled(stack)
    expected = statistics(stack)
    dashboard = services.insights_dashboard()
    pauses: list[float] = []
    dashboard.pause = pauses.append
    try:
        dashboard.client = Throttled(services.dynamodb(), times=3)
        assert statistics(stack) == expected
        assert pauses == [0.1, 0.2, 0.4]

        dashboard.client = Throttled(services.dynamodb(), times=10)
        response = stack.call("get", f"/staff/insights{PERIOD}", ANALYST)
        assert response.status_code == 503
        assert dashboard.client.left == 6  # four calls, then it gave up
    finally:
        dashboard.client = services.dynamodb()
        dashboard.pause = time.sleep


# --- demographics ----------------------------------------------------------------------------


def test_demographic_tables_are_counted_once_and_suppressed(stack: Stack) -> None:
    at(stack, IN_LAST_YEAR)
    for _ in range(7):
        stack.submit(
            named_submission(
                answers={"what_happened": ["bullying"]},
                demographics={"gender": "woman", "age_band": "18_24"},
            )
        )
    for _ in range(2):
        stack.submit(
            named_submission(
                answers={"what_happened": ["bullying"]}, demographics={"gender": "man"}
            )
        )
    assert scheduled(stack)["demographics"] == 9
    references = [stack.submit(named_submission(answers={"what_happened": ["stalking"]}))]
    # A case change recounts the report, but never its demographics again.
    filing = {"to": "filed", "reason": "For analysis", "override_reason": "Reporter withdrew"}
    act(stack, references[0], "transitions", SCREENER, filing)
    scheduled(stack)
    scheduled(stack)
    at(stack, RELEASED)
    assert scheduled(stack)["released"] == 1

    tables = {t["question"]: t for t in statistics(stack)["demographics"]}
    gender = tables["gender"]
    assert gender["period"] == LAST_YEAR
    rows = [r["value"] for r in gender["rows"]]
    columns = [c["value"] for c in gender["columns"]]
    woman, man = rows.index("woman"), rows.index("man")
    bullying = columns.index("bullying")
    assert all(value >= 5 for value in published_values(gender))
    assert gender["cells"][man][bullying] is None
    assert gender["cells"][woman][bullying] in (7, None)
    assert gender["total"] == 9
    # Counted once each: the unsuppressed truth, read from the month's counters, is 7 and 2.
    month = next(
        item
        for item in counter_items(stack)
        if (item["pk"]["S"], item["sk"]["S"]) == ("COUNTS#2026-03", "MONTH")
    )
    assert month["demographic#gender#woman#bullying"] == {"N": "7"}
    assert month["demographic#gender#man#bullying"] == {"N": "2"}
    assert month["demographic#age_band#18_24#bullying"] == {"N": "7"}
    assert "demographic#gender#woman#stalking" not in month
    # The month's snapshot (what the dashboard reads) carries no demographic cell: those
    # leave the counters only through a period's release.
    snapshot = next(
        item
        for item in counter_items(stack)
        if (item["pk"]["S"], item["sk"]["S"]) == ("COUNTS#2026-03", "SNAPSHOT")
    )
    assert '"reports#all":10' in snapshot["counters"]["S"]
    assert "demographic" not in snapshot["counters"]["S"]
    # Nothing on a report says what its demographic answers were.
    for item in table_items(services.dynamodb(), stack.settings.reports_table):
        counted = [key["S"] for key in item.get(INSIGHT_COUNTED, {}).get("L", [])]
        assert not [key for key in counted if "demographic" in key or "woman" in key]


# --- reporting periods: demographic tables cannot be differenced ----------------------------

#: In the reporting year August 2025 to July 2026 (the default: 12 months from August).
IN_LAST_YEAR = datetime(2026, 3, 10, 9, tzinfo=UTC)
#: After that year's grace month (August 2026): its tables are released from September.
IN_GRACE = datetime(2026, 8, 20, 9, tzinfo=UTC)
RELEASED = datetime(2026, 9, 1, 9, tzinfo=UTC)
LAST_YEAR = {"from": "2025-08", "to": "2026-07", "label": "August 2025 to July 2026"}
THIS_YEAR = {"from": "2026-08", "to": "2027-07", "label": "August 2026 to July 2027"}


def at(stack: Stack, moment: datetime) -> None:
    """Move the stack's clock (intake, triage and the job all read it)."""
    stack.clock.moment = moment


def published_values(table: dict[str, Any]) -> list[int]:
    return [
        v
        for v in [
            *(c for row in table["cells"] for c in row),
            *table["row_totals"],
            *table["column_totals"],
            table["total"],
        ]
        if v is not None
    ]


def religion_reports(stack: Stack, religions: dict[str, int], behaviour: str = "bullying") -> None:
    for religion, how_many in religions.items():
        for _ in range(how_many):
            stack.submit(
                anonymous_submission(
                    answers={"what_happened": [behaviour]}, demographics={"religion": religion}
                )
            )


def tables_by_period(answer: dict[str, Any], question: str) -> dict[str, dict[str, Any]]:
    return {
        f"{t['period']['from']}/{t['period']['to']}": t
        for t in answer["demographics"]
        if t["question"] == question
    }


def test_a_period_has_no_table_until_it_has_ended_and_its_grace_month_passed(
    stack: Stack,
) -> None:
    at(stack, IN_LAST_YEAR)
    religion_reports(stack, {"buddhist": 6, "christian": 6})
    scheduled(stack)

    # While the period runs, and during its grace month, no table: only when it will come.
    for moment in (IN_LAST_YEAR, IN_GRACE):
        at(stack, moment)
        scheduled(stack)
        answer = statistics(stack)
        assert answer["demographics"] == []
        assert answer["demographic_periods"] == [
            {**LAST_YEAR, "published": False, "published_from": "2026-09-01"},
            {**THIS_YEAR, "published": False, "published_from": "2027-09-01"},
        ]
        assert answer["total_reports"] == 12  # counts by month are not held back
    assert statistics(stack)["current_demographic_period"] == {
        **THIS_YEAR,
        "published_from": "2027-09-01",
    }

    # Its grace past, the job's next run releases it; the dashboard shows it whole.
    at(stack, RELEASED)
    assert statistics(stack)["demographics"] == []  # due, but not released before the run
    assert scheduled(stack)["released"] == 1
    answer = statistics(stack, "?from=2026-05&to=2026-06")
    (table,) = tables_by_period(answer, "religion").values()
    assert table["period"] == LAST_YEAR
    assert table["total"] == 12
    assert answer["demographic_periods"] == [
        {**LAST_YEAR, "published": True, "published_from": "2026-09-01"}
    ]
    assert answer["total_reports"] == 0  # May and June: none; the table is still the year's


def test_a_released_table_is_the_same_whatever_range_and_whenever_it_is_read(
    stack: Stack,
) -> None:
    at(stack, IN_LAST_YEAR)
    religion_reports(stack, {"buddhist": 6, "christian": 6, "hindu": 2})
    scheduled(stack)
    at(stack, RELEASED)
    scheduled(stack)
    ranges = [
        "?from=2025-08&to=2026-07",
        "?from=2026-01&to=2026-12",
        "?from=2026-07&to=2026-07",
        "?from=2025-12&to=2026-01",
        "?from=2024-01&to=2026-12",
    ]
    released = [
        tables_by_period(statistics(stack, q), "religion")["2025-08/2026-07"] for q in ranges
    ]
    assert all(table == released[0] for table in released)
    rows = [r["value"] for r in released[0]["rows"]]
    bullying = [c["value"] for c in released[0]["columns"]].index("bullying")
    assert released[0]["cells"][rows.index("hindu")][bullying] is None

    # Later: reports in the current period, and one submitted on the period's last day but
    # counted only after the release (its triage late). The counts move; the table does not.
    at(stack, datetime(2026, 10, 5, 9, tzinfo=UTC))
    religion_reports(stack, {"buddhist": 6, "hindu": 1})
    at(stack, datetime(2026, 7, 31, 21, tzinfo=UTC))
    religion_reports(stack, {"hindu": 1})
    at(stack, datetime(2026, 10, 6, 9, tzinfo=UTC))
    scheduled(stack)
    for moment in (datetime(2026, 10, 6, 9, tzinfo=UTC), datetime(2027, 6, 1, 9, tzinfo=UTC)):
        at(stack, moment)
        for query in ranges:
            answer = statistics(stack, query)
            assert tables_by_period(answer, "religion")["2025-08/2026-07"] == released[0]
            assert "2026-08/2027-07" not in tables_by_period(answer, "religion")
    answer = statistics(stack, "?from=2026-07&to=2026-10")
    assert counts(answer, "month") == {"2026-07": 1, "2026-10": 7}

    # The current period is released once it has ended and its grace passed, frozen likewise.
    at(stack, datetime(2027, 9, 2, 9, tzinfo=UTC))
    assert scheduled(stack)["released"] == 1
    answer = statistics(stack, "?from=2026-01&to=2027-12")
    tables = tables_by_period(answer, "religion")
    assert tables["2025-08/2026-07"] == released[0]
    assert tables["2026-08/2027-07"]["total"] == 7


def test_no_two_reads_give_tables_that_can_be_subtracted(stack: Stack) -> None:
    """For any two reads (any ranges, any moments), every pair of tables of one question is
    identical (the same period) or covers disjoint periods."""
    at(stack, datetime(2025, 2, 10, 9, tzinfo=UTC))
    religion_reports(stack, {"buddhist": 5, "hindu": 2})
    at(stack, IN_LAST_YEAR)
    religion_reports(stack, {"buddhist": 6, "christian": 7, "hindu": 3})
    scheduled(stack)
    at(stack, RELEASED)
    scheduled(stack)
    at(stack, datetime(2026, 12, 1, 9, tzinfo=UTC))
    religion_reports(stack, {"christian": 8, "hindu": 1})
    at(stack, datetime(2026, 7, 30, 9, tzinfo=UTC))
    religion_reports(stack, {"hindu": 1})  # counted after its period's release
    at(stack, datetime(2026, 12, 1, 10, tzinfo=UTC))
    scheduled(stack)
    dashboard = services.insights_dashboard()

    def read(first: int, length: int, moment: int) -> list[dict[str, Any]]:
        start = f"{2023 + first // 12}-{first % 12 + 1:02d}"
        end_index = first + length - 1
        end = f"{2023 + end_index // 12}-{end_index % 12 + 1:02d}"
        at(stack, datetime(2025 + moment // 12, moment % 12 + 1, 15, 9, tzinfo=UTC))
        answer = dashboard.read(dashboard.period({"from": start, "to": end}))
        this_month = f"{2025 + moment // 12}-{moment % 12 + 1:02d}"
        for table in answer["demographics"]:
            # Only whole periods, ended at least a grace month before the read.
            assert table["period"]["to"] < this_month
            assert table["period"]["from"][5:] in ("08",)
        return [t for t in answer["demographics"] if t["question"] == "religion"]

    @settings(max_examples=40, deadline=None)
    @given(
        first=st.tuples(st.integers(0, 59), st.integers(1, 36), st.integers(0, 35)),
        second=st.tuples(st.integers(0, 59), st.integers(1, 36), st.integers(0, 35)),
    )
    def any_two_reads(first: tuple[int, int, int], second: tuple[int, int, int]) -> None:
        for one in read(*first):
            for other in read(*second):
                a, b = one["period"], other["period"]
                if a == b:
                    assert one == other
                else:
                    assert a["to"] < b["from"] or b["to"] < a["from"]

    any_two_reads()
    # The reads did see tables: the two released years, each with its own counts.
    at(stack, datetime(2026, 12, 1, 10, tzinfo=UTC))
    tables = tables_by_period(statistics(stack, "?from=2024-01&to=2026-12"), "religion")
    assert {key: t["total"] for key, t in tables.items()} == {
        "2023-08/2024-07": None,
        "2024-08/2025-07": 7,
        "2025-08/2026-07": 16,
    }


class FailingSnapshots:
    """A DynamoDB client whose first `times` snapshot writes fail, as if the run died there."""

    def __init__(self, client: Any, times: int) -> None:
        self._client = client
        self.left = times

    def put_item(self, **kwargs: Any) -> Any:
        if kwargs["Item"]["sk"]["S"] == "SNAPSHOT" and self.left:
            from botocore.exceptions import EndpointConnectionError

            self.left -= 1
            raise EndpointConnectionError(endpoint_url="dynamodb")
        return self._client.put_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_crash_before_the_snapshots_is_made_good_by_the_next_run(stack: Stack) -> None:
    submit_mix(stack)
    job = services.insights_job()
    real_client = job.client
    job.client = FailingSnapshots(real_client, times=1)
    try:
        with pytest.raises(DependencyUnavailable):
            job.run()
    finally:
        job.client = real_client
    # Counted, but the dashboard reads snapshots, which the crash left unwritten.
    assert statistics(stack)["total_reports"] == 0

    # Nothing is left to count; the next run still rewrites the snapshots the crash missed.
    outcome = scheduled(stack)
    assert (outcome["counted"], outcome["snapshots"]) == (0, 2)
    answer = statistics(stack)
    assert answer["total_reports"] == 5
    assert answer["caseload"] == [{"team_id": "student_support", "open": 2}]
    assert scheduled(stack)["snapshots"] == 0


def test_the_api_never_builds_the_reader_of_demographics(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> Any:
        raise AssertionError("the insight reader was built outside the insights job")

    monkeypatch.setattr(services, "insight_reader", refuse)
    services.reset(clock=stack.clock)
    reference = stack.submit(named_submission(demographics={"gender": "woman"}))
    act(stack, reference, "assignment", SCREENER, {"advisor_id": ADVISOR, "reason": "Best fit"})
    assert stack.call("get", f"/staff/cases/{reference}", ADVISOR).status_code == 200
    assert statistics(stack)["total_reports"] == 0
    assert stack.call("get", "/staff/insights/csv", ANALYST).status_code == 200
    with pytest.raises(AssertionError, match="outside the insights job"):
        services.insights_job()


# --- the read API ----------------------------------------------------------------------------


def test_the_default_period_is_the_last_twelve_months(stack: Stack) -> None:
    assert statistics(stack, "")["period"] == {"from": "2025-12", "to": "2026-11"}
    months = next(d for d in statistics(stack, "")["counts"] if d["dimension"] == "month")
    assert [v["value"] for v in months["values"]] == [
        "2025-12",
        *(f"2026-{month:02d}" for month in range(1, 12)),
    ]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("?from=2026-13", ["from"]),
        ("?from=2026-1&to=26-01", ["from", "to"]),
        ("?from=2026-05&to=2026-04", ["from"]),
        ("?from=2023-01&to=2026-01", ["to"]),
        ("?month=2026-01", ["month"]),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(
    stack: Stack, query: str, fields: list[str]
) -> None:
    for path in ("/staff/insights", "/staff/insights/csv"):
        response = stack.call("get", path + query, ANALYST)
        assert response.status_code == 400
        assert [e["field"] for e in response.json_body["errors"]] == fields


def test_thirty_six_months_is_the_longest_period(stack: Stack) -> None:
    answer = statistics(stack, "?from=2024-01&to=2026-12")
    assert len(next(d for d in answer["counts"] if d["dimension"] == "month")["values"]) == 36


def test_the_csv_holds_every_table_with_suppressed_cells_marked(stack: Stack) -> None:
    at(stack, IN_LAST_YEAR)
    for _ in range(6):
        stack.submit(named_submission(demographics={"gender": "woman"}))
    scheduled(stack)
    at(stack, RELEASED)
    scheduled(stack)

    response = stack.call("get", f"/staff/insights/csv{PERIOD}", ANALYST)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
    by_table = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert by_table[("total_reports", "", "")] == "6"
    assert by_table[("mode", "named", "")] == "6"
    assert by_table[("demographics:gender", "man", "bullying")] == "suppressed"
    answer = statistics(stack)
    gender = next(t for t in answer["demographics"] if t["question"] == "gender")
    cells = [row for row in rows if row["table"] == "demographics:gender"]
    assert len(cells) == (len(gender["rows"]) + 1) * (len(gender["columns"]) + 1)
    # Each demographic row names the reporting period its table covers.
    assert {row["period"] for row in cells} == {"2025-08/2026-07"}
    periods = [
        (r["row"], r["row_label"], r["value"], r["period"])
        for r in rows
        if r["table"] == "demographic_period"
    ]
    assert periods == [
        ("published", "August 2025 to July 2026", "2026-09-01", "2025-08/2026-07"),
        ("not published", "August 2026 to July 2027", "2027-09-01", "2026-08/2027-07"),
    ]


def test_no_personal_data_reaches_the_statistics(stack: Stack) -> None:
    body, sentinels = sentinel_submission()
    reference = stack.submit(body)
    act(stack, reference, "assignment", SCREENER, {"advisor_id": ADVISOR, "reason": "Best fit"})
    scheduled(stack)

    blobs = [
        *(
            blob
            for number, item in enumerate(
                table_items(services.dynamodb(), stack.settings.insights_table)
            )
            for blob in leaves(item, f"insights item {number}")
        ),
        *leaves(statistics(stack), "the statistics"),
        *leaves(stack.call("get", f"/staff/insights/csv{PERIOD}", ANALYST).body, "the CSV"),
    ]
    assert statistics(stack)["total_reports"] == 1
    assert occurrences(blobs, sentinels) == []


def test_demographics_moved_onto_another_report_raise_the_alarm(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two named reports with demographics, and a table writer who copies the second's
    # sealed demographics onto the first's item
    at(stack, IN_LAST_YEAR)
    first, second = (stack.submit(named_submission()) for _ in range(2))
    dynamodb, table = services.dynamodb(), stack.settings.demographics_table
    items = {
        reference: dynamodb.get_item(
            TableName=table, Key={"report_id": {"S": stack.report_id(reference)}}
        )["Item"]
        for reference in (first, second)
    }
    dynamodb.put_item(TableName=table, Item={**items[first], "sealed": items[second]["sealed"]})
    capsys.readouterr()

    # When the job counts them
    counted = scheduled(stack)

    # Then both reports are processed once (the moved copy's answers count as not given),
    # and ops are told of the one that refused to open
    assert counted["demographics"] == 2
    refused = [
        metric["value"]
        for metric in metrics(capsys.readouterr().out)
        if (metric["namespace"], metric["name"]) == ("ReportSupport", "SealRefused")
    ]
    assert refused == [[1.0]]
