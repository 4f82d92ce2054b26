"""The analysts' statistics, end to end: reports submitted and worked through the API, the
`build_insights` job run as its schedule would, the answers read through the API."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.errors import DependencyUnavailable
from chalicelib.insights.counting import INSIGHT_COUNTED
from tests.api.shared_stack import Stack, shared_stack
from tests.factories import anonymous_submission, named_submission, sentinel_submission
from tests.sentinels import leaves, occurrences, table_items

ANALYST, SCREENER, ADVISOR = "di-analyst", "ss-screener", "ss-advisor-1"
PERIOD = "?from=2026-01&to=2026-12"


@pytest.fixture(scope="module")
def stack(mocked_account: None, jwks_url: str) -> Iterator[Stack]:
    with shared_stack(jwks_url) as shared:
        yield shared


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


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
    assert scheduled(stack) == {"counted": 1, "unchanged": 0, "skipped": 0, "demographics": 0}
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


def test_running_the_job_again_changes_nothing(stack: Stack) -> None:
    submit_mix(stack)
    scheduled(stack)
    first, items = statistics(stack), counter_items(stack)

    assert scheduled(stack) == {"counted": 0, "unchanged": 0, "skipped": 0, "demographics": 0}
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
        ("CURRENT", "CASELOAD"),
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
        for query, months in (("?from=2026-11&to=2026-11", 1), ("?from=2024-01&to=2026-12", 36)):
            recording.calls.clear()
            assert statistics(stack, query)["total_reports"] == 5
            assert [name for name, _ in recording.calls] == ["batch_get_item"]
            (request,) = recording.calls[0][1]["RequestItems"].values()
            assert len(request["Keys"]) == months + 2  # the months, the caseload, the job
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
    act(stack, references[0], "transitions", SCREENER, {"to": "filed", "reason": "For analysis"})
    scheduled(stack)
    scheduled(stack)

    tables = {t["question"]: t for t in statistics(stack)["demographics"]}
    gender = tables["gender"]
    rows = [r["value"] for r in gender["rows"]]
    columns = [c["value"] for c in gender["columns"]]
    woman, man = rows.index("woman"), rows.index("man")
    bullying = columns.index("bullying")
    published = [
        v
        for v in [
            *(c for row in gender["cells"] for c in row),
            *gender["row_totals"],
            *gender["column_totals"],
            gender["total"],
        ]
        if v is not None
    ]
    assert all(value >= 5 for value in published)
    assert gender["cells"][man][bullying] is None
    assert gender["cells"][woman][bullying] in (7, None)
    # Counted once each: the unsuppressed truth, read from the month's counters, is 7 and 2.
    month = next(item for item in counter_items(stack) if item["pk"]["S"] == "COUNTS#2026-11")
    assert month["demographic#gender#woman#bullying"] == {"N": "7"}
    assert month["demographic#gender#man#bullying"] == {"N": "2"}
    assert month["demographic#age_band#18_24#bullying"] == {"N": "7"}
    assert "demographic#gender#woman#stalking" not in month
    # Nothing on a report says what its demographic answers were.
    for item in table_items(services.dynamodb(), stack.settings.reports_table):
        counted = [key["S"] for key in item.get(INSIGHT_COUNTED, {}).get("L", [])]
        assert not [key for key in counted if "demographic" in key or "woman" in key]


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
    for _ in range(6):
        stack.submit(named_submission(demographics={"gender": "woman"}))
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
