"""Retention through the app: redaction and deletion on schedule, legal hold, reopening,
deferral, erasure, crash-and-resume, and what is left afterwards.

All tests share one mocked stack (see `tests.api.shared_stack`); before each test the case
tables are emptied and the clock set back to START (2026-11-20 10:30 UTC). Time moves by
setting the stack's clock; the sweep runs as the daily schedule would.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import services
from chalicelib.clock import iso
from chalicelib.errors import DependencyUnavailable, LegalHoldActive
from chalicelib.retention.sweep import Retention
from chalicelib.storage.dynamo import plain
from tests.api.shared_stack import START, Stack
from tests.api.test_case_workflow import REACHED, add_entry, assign, move, new_case, view
from tests.factories import anonymous_submission, sentinel_submission
from tests.sentinels import Blob, every_table_blob, leaves, occurrences, table_items

SCREENER, ADVISOR, ADMIN = "ss-screener", "ss-advisor-1", "dpo-admin"
#: With the default windows: six months after closure, three years after submission.
REDACT_AT = datetime(2027, 5, 20, 10, 30, tzinfo=START.tzinfo)
DELETE_AT = datetime(2029, 11, 20, 10, 30, tzinfo=START.tzinfo)
MS = timedelta(milliseconds=1)
NOTHING = {"redacted": 0, "deleted": 0, "deferred": 0, "skipped": 0}


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


# --- helpers ---------------------------------------------------------------------------------


def sweep_at(stack: Stack, moment: datetime) -> dict[str, int]:
    stack.clock.moment = moment
    return services.retention().sweep()


def worked_case(stack: Stack) -> tuple[str, list[str]]:
    """A named case with sentinel values everywhere, worked (reveal, contact, note) and
    closed at START; its reference and the sentinels."""
    body, sentinels = sentinel_submission()
    reference = stack.submit(body)
    assert assign(stack, reference, ADVISOR).status_code == 200
    note = f"Sentinelnote {sentinels[-1]}"
    purpose = f"Sentinelpurpose {sentinels[-1]}"
    reveal = stack.call("post", f"/staff/cases/{reference}/reveal", ADVISOR, {"purpose": purpose})
    assert reveal.status_code == 200
    assert add_entry(stack, reference, {**REACHED, "note": note}).status_code == 201
    assert add_entry(stack, reference, {"type": "note", "text": note}).status_code == 201
    assert move(stack, reference, "closed", ADVISOR, reason=purpose).status_code == 200
    return reference, [*sentinels, note, purpose]


def binary_attributes(stack: Stack, reference: str) -> list[str]:
    """`sk.attribute` of every binary (sealed) value left in the case's partition."""
    found = []
    for item in stack.partition(reference):
        for name, value in item.items():
            if "B" in value or ("M" in value and any("B" in v for v in value["M"].values())):
                found.append(f"{item['sk']['S']}.{name}")
    return found


def chain_verdict(stack: Stack, reference: str) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}/audit", ADMIN)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def remains(*values: str) -> list[str]:
    """Where any of these values (an id, a reference) still is in any table, tombstones aside."""
    dynamodb = services.dynamodb()
    blobs: list[Blob] = []
    for table in dynamodb.list_tables()["TableNames"]:
        for number, item in enumerate(table_items(dynamodb, table)):
            if not item.get("pk", {}).get("S", "").startswith("TOMBSTONE#"):
                blobs += leaves(item, f"table {table} item {number}")
    return occurrences(blobs, values)


def anonymous_filed(stack: Stack) -> str:
    """An anonymous report, screened and filed by its team's screener (the default process:
    every report waits in the screening queue)."""
    body = anonymous_submission(demographics={"age_band": "25_34"})
    reference = stack.submit(body)
    assert move(stack, reference, "filed", reason="Nothing to act on").status_code == 200
    assert view(stack, reference)["status"] == "filed"
    return reference


# --- named cases: redaction ------------------------------------------------------------------


def test_closing_a_named_case_shows_when_it_will_be_redacted(stack: Stack) -> None:
    reference = new_case(stack, "closed")

    case = view(stack, reference)

    assert case["retention_action"] == "redact"
    assert case["retention_due_at"] == iso(REDACT_AT)
    assert case["redacted_at"] is None


def test_the_redaction_date_is_counted_from_the_closure_recorded(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a clock that moves on a millisecond each time it is read (as a real one does)
    reference = new_case(stack, "contacted")

    def ticking() -> datetime:
        stack.clock.moment += MS
        return stack.clock.moment

    monkeypatch.setattr(stack.clock, "now", ticking)

    # When the case is closed
    assert move(stack, reference, "closed", ADVISOR).status_code == 200

    # Then its redaction is due six months after the closure it records, to the millisecond
    case = view(stack, reference)
    closed_at = datetime.fromisoformat(str(case["closed_at"]).replace("Z", "+00:00"))
    assert case["retention_due_at"] == iso(closed_at.replace(year=2027, month=5))


def test_a_closed_case_is_redacted_at_its_due_time_not_before(stack: Stack) -> None:
    reference, sentinels = worked_case(stack)
    assert binary_attributes(stack, reference)  # there was sealed data to remove
    assert "preferences" in plain(stack.case_item(reference))  # and preferences in clear

    assert sweep_at(stack, REDACT_AT - MS) == NOTHING
    assert view(stack, reference)["status"] == "closed"

    assert sweep_at(stack, REDACT_AT) == {**NOTHING, "redacted": 1}

    case = view(stack, reference)
    assert case["status"] == "redacted"
    assert case["redacted_at"] == iso(REDACT_AT)
    assert case["sealed_fields"] == []
    assert case["answers"]["what_happened"] == ["verbal_harassment"]  # clear answers stay
    assert (case["retention_action"], case["retention_due_at"]) == ("delete", iso(DELETE_AT))
    assert binary_attributes(stack, reference) == []
    item = plain(stack.case_item(reference))
    assert "email_mac" not in item and "concern_macs" not in item
    assert "preferences" not in item  # a wish for a woman advisor, say, goes with the contact
    assert "insight_pending" in item
    assert occurrences(every_table_blob(services.dynamodb()), sentinels) == []


def test_a_redacted_case_reveals_nothing_and_its_audit_chain_verifies(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)

    revealed = stack.call(
        "post", f"/staff/cases/{reference}/reveal", ADVISOR, {"purpose": "Checking"}
    ).json_body
    timeline = stack.call(
        "post", f"/staff/cases/{reference}/timeline/read", ADVISOR, {"purpose": "Checking"}
    ).json_body
    trail = chain_verdict(stack, reference)

    assert (revealed["contact"], revealed["narrative"], revealed["answers"]) == (None, None, {})
    assert [entry.get("text") for entry in timeline["entries"]] == [None, None]
    assert trail["verification"]["intact"] is True, trail["verification"]
    redaction = next(entry for entry in trail["entries"] if entry["action"] == "redact")
    assert redaction["actor"] == "system:retention"
    assert redaction["details"] == {"from": "closed", "rule": "redact_named_after_months=6"}
    earlier = [entry for entry in trail["entries"] if entry["seq"] < redaction["seq"]]
    assert [entry["reason"] for entry in earlier if entry["reason"]] == []
    # later looks are audited as usual, with their purposes
    assert trail["entries"][-1]["action"] == "read_timeline"
    assert trail["entries"][-1]["reason"] == "Checking"


def test_an_edited_entry_of_a_redacted_chain_still_breaks_it(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)
    [entry] = [
        item
        for item in stack.partition(reference)
        if item["sk"]["S"].startswith("AUDIT#") and item["action"]["S"] == "assign"
    ]
    entry["actor"] = {"S": "ss-advisor-2"}
    services.dynamodb().put_item(TableName=stack.settings.reports_table, Item=entry)

    verification = chain_verdict(stack, reference)["verification"]

    assert verification["intact"] is False
    assert verification["broken_at"] == int(entry["seq"]["N"])


def test_nothing_personal_can_be_added_to_a_redacted_case(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)
    before = stack.partition(reference)

    note = add_entry(stack, reference, {"type": "note", "text": "Something new"})
    reopen = move(stack, reference, "reopened")

    assert (note.status_code, reopen.status_code) == (409, 409)
    assert reopen.json_body["allowed"] == []
    assert stack.partition(reference) == before


def test_reopening_cancels_the_redaction_and_closing_again_reschedules_it(stack: Stack) -> None:
    reference = new_case(stack, "closed")
    stack.clock.moment = START + timedelta(days=30)
    assert move(stack, reference, "reopened").status_code == 200
    assert view(stack, reference)["retention_action"] is None

    assert sweep_at(stack, REDACT_AT + timedelta(days=1)) == NOTHING
    assert view(stack, reference)["status"] == "reopened"

    assert move(stack, reference, "closed").status_code == 200
    assert view(stack, reference)["retention_due_at"] == iso(
        datetime(2027, 11, 21, 10, 30, tzinfo=START.tzinfo)
    )


def test_a_legal_hold_stops_redaction_until_it_is_lifted(stack: Stack) -> None:
    reference = new_case(stack, "closed")

    def flag(value: bool) -> None:
        body = {
            "flag": "legal_hold",
            "value": value,
            "reason": "Claim expected",
            "version": view(stack, reference)["version"],
        }
        assert stack.call("post", f"/staff/cases/{reference}/flags", ADMIN, body).status_code == 200

    flag(True)
    assert "retention_action" not in plain(stack.case_item(reference))
    assert view(stack, reference)["retention_action"] == "redact"  # still pending, held
    assert sweep_at(stack, REDACT_AT + timedelta(days=400)) == NOTHING
    assert view(stack, reference)["status"] == "closed"

    flag(False)
    assert sweep_at(stack, REDACT_AT + timedelta(days=401)) == {**NOTHING, "redacted": 1}
    assert view(stack, reference)["status"] == "redacted"


def test_the_schedule_handler_runs_the_sweep(stack: Stack) -> None:
    reference = new_case(stack, "closed")
    stack.clock.moment = REDACT_AT
    event = stack.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )

    result = stack.client.lambda_.invoke("retention_sweep", event).payload

    assert result == {**NOTHING, "redacted": 1}
    assert view(stack, reference)["status"] == "redacted"


# --- anonymised records: deletion -------------------------------------------------------------


def test_an_anonymous_report_is_deleted_three_years_after_submission_leaving_a_tombstone(
    stack: Stack,
) -> None:
    gone = anonymous_filed(stack)
    gone_id = stack.report_id(gone)
    stack.clock.moment = START + timedelta(days=1)
    kept_id = stack.report_id(anonymous_filed(stack))
    demographics = {"report_id": {"S": gone_id}}
    table = stack.settings.demographics_table
    assert services.dynamodb().get_item(TableName=table, Key=demographics).get("Item")
    assert view(stack, gone)["retention_due_at"] == iso(DELETE_AT)

    assert sweep_at(stack, DELETE_AT - MS) == NOTHING
    assert sweep_at(stack, DELETE_AT + timedelta(days=1) - MS) == {**NOTHING, "deleted": 1}

    assert remains(kept_id)  # the other report is untouched
    assert remains(gone_id, gone) == []
    tombstone = services.retention().tombstone(gone)
    assert tombstone is not None
    assert tombstone["signed"] is True
    assert tombstone["rule"] == "delete_anonymised_after_years=3"
    assert tombstone["audit_seq"] == 2  # its chain held the triage entry and the filing
    assert set(tombstone) == {
        "pk", "sk", "report_id", "reference", "mode", "deleted_at", "due_at", "rule", "actor",
        "audit_seq", "audit_hash", "retention_log_month", "retention_log_at", "mac", "signed",
    }  # fmt: skip
    # Listed in the retention log under the month (London's) it was deleted in.
    deleted_at = DELETE_AT + timedelta(days=1) - MS
    assert (tombstone["retention_log_month"], tombstone["retention_log_at"]) == (
        "2029-11",
        iso(deleted_at),
    )


def test_a_redacted_case_is_deleted_with_everything_of_it(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    report_id = stack.report_id(reference)
    assert services.dynamodb().query(
        TableName=stack.settings.notifications_table,
        IndexName="by_report",
        KeyConditionExpression="report_id = :r",
        ExpressionAttributeValues={":r": {"S": report_id}},
    )["Items"]  # it had notifications to delete
    sweep_at(stack, REDACT_AT)

    assert sweep_at(stack, DELETE_AT - MS) == NOTHING
    assert sweep_at(stack, DELETE_AT) == {**NOTHING, "deleted": 1}

    assert remains(report_id, reference) == []
    assert services.retention().tombstone(reference) is not None
    assert stack.call("get", f"/staff/cases/{reference}", SCREENER).status_code == 404


def test_a_named_case_closed_after_three_years_is_redacted_and_then_deleted_in_one_run(
    stack: Stack,
) -> None:
    reference = new_case(stack, "in_support")
    stack.clock.moment = DELETE_AT - timedelta(days=30)
    assert move(stack, reference, "closed").status_code == 200
    report_id = stack.report_id(reference)

    assert sweep_at(stack, DELETE_AT + timedelta(days=200)) == {
        **NOTHING,
        "redacted": 1,
        "deleted": 1,
    }
    assert remains(report_id, reference) == []


def test_an_anonymous_report_still_in_screening_is_deferred_then_deleted_once_filed(
    stack: Stack,
) -> None:
    reference = stack.submit(anonymous_submission(answers={"immediate_danger": "yes"}))
    assert view(stack, reference)["status"] == "awaiting_screening"

    assert sweep_at(stack, DELETE_AT) == {**NOTHING, "deferred": 1}
    assert sweep_at(stack, DELETE_AT + timedelta(days=1)) == NOTHING  # out of the index
    trail = chain_verdict(stack, reference)
    assert trail["verification"]["intact"] is True
    assert trail["entries"][-1]["action"] == "retention_deferred"
    assert trail["entries"][-1]["details"] == {"deferred": "delete", "status": "awaiting_screening"}

    assert move(stack, reference, "filed").status_code == 200
    assert view(stack, reference)["retention_due_at"] == iso(DELETE_AT)
    assert sweep_at(stack, DELETE_AT + timedelta(days=2)) == {**NOTHING, "deleted": 1}


def test_a_legal_hold_stops_deletion(stack: Stack) -> None:
    reference = stack.submit(anonymous_submission(answers={"immediate_danger": "yes"}))
    assert move(stack, reference, "filed").status_code == 200
    body = {"flag": "legal_hold", "value": True, "reason": "Claim expected"}
    body["version"] = view(stack, reference)["version"]
    assert stack.call("post", f"/staff/cases/{reference}/flags", ADMIN, body).status_code == 200

    assert sweep_at(stack, DELETE_AT + timedelta(days=10)) == NOTHING
    assert view(stack, reference)["status"] == "filed"


# --- the sweep: index only, bounded, idempotent, resumable -------------------------------------


def test_the_sweep_reads_the_index_never_scans_and_works_in_bounded_batches(
    stack: Stack,
) -> None:
    references = [anonymous_filed(stack) for _ in range(3)]
    calls: list[tuple[str, str | None]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, params.get("IndexName")))

    small = dataclasses.replace(
        services.retention(),
        policy=services.institution().retention.model_copy(update={"sweep_batch_size": 2}),
    )
    events = services.dynamodb().meta.events
    events.register("before-parameter-build.dynamodb", record)
    try:
        stack.clock.moment = DELETE_AT + timedelta(days=1)
        first, second, third = small.sweep(), small.sweep(), small.sweep()
    finally:
        events.unregister("before-parameter-build.dynamodb", record)

    assert [first["deleted"], second["deleted"], third] == [2, 1, NOTHING]
    assert not [name for name, _ in calls if name == "Scan"]
    assert ("Query", "retention_due") in calls
    assert {index for name, index in calls if name == "Query"} <= {
        "retention_due",
        "by_report",
        None,  # a case's own partition, by key
    }
    for reference in references:
        assert services.retention().tombstone(reference) is not None


def test_a_second_run_changes_nothing(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    sweep_at(stack, REDACT_AT)
    before = stack.partition(reference)

    assert sweep_at(stack, REDACT_AT + timedelta(hours=1)) == NOTHING
    assert stack.partition(reference) == before


class CrashingClient:
    """The app's DynamoDB client, failing at one write: the `allowed`+1-th write raises
    (after landing, with `lands`, as when the answer is lost), like a crash mid-run."""

    WRITES = frozenset(
        {"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"}
    )

    def __init__(self, client: Any, allowed: int, *, lands: bool) -> None:
        self._client, self.allowed, self.lands, self.writes = client, allowed, lands, 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self.WRITES:
            return attribute

        def write(**kwargs: Any) -> Any:
            if self.writes == self.allowed:
                self.writes += 1
                if self.lands:
                    attribute(**kwargs)
                raise ClientError({"Error": {"Code": "InternalServerError"}}, name)
            self.writes += 1
            return attribute(**kwargs)

        return write


def crashing(allowed: int, lands: bool) -> Retention:
    return dataclasses.replace(
        services.retention(), client=CrashingClient(services.dynamodb(), allowed, lands=lands)
    )


def run_crashing(stack: Stack, moment: datetime, allowed: int, lands: bool) -> None:
    stack.clock.moment = moment
    with pytest.raises(DependencyUnavailable):
        crashing(allowed, lands).sweep()


@pytest.mark.parametrize("lands", [False, True], ids=["lost", "landed"])
@pytest.mark.parametrize("allowed", [0, 1, 3])
def test_a_redaction_that_crashed_midway_is_finished_by_the_next_run(
    stack: Stack, allowed: int, lands: bool
) -> None:
    reference, _ = worked_case(stack)

    run_crashing(stack, REDACT_AT, allowed, lands)
    if allowed == 0 and not lands:
        assert view(stack, reference)["status"] == "closed"  # nothing was written
    second = sweep_at(stack, REDACT_AT + timedelta(hours=1))

    assert second == {**NOTHING, "redacted": 1}
    assert view(stack, reference)["status"] == "redacted"
    assert binary_attributes(stack, reference) == []
    trail = chain_verdict(stack, reference)
    assert trail["verification"]["intact"] is True, trail["verification"]
    assert [entry["action"] for entry in trail["entries"]].count("redact") == 1
    assert sweep_at(stack, REDACT_AT + timedelta(hours=2)) == NOTHING


#: A filed anonymous report's deletion writes: the claim (tombstone and mark), the
#: screeners' new-report notification (every report alerts them), the demographics, the
#: claims and partition children, and last the case item.
LAST_DELETION_WRITE = 4


@pytest.mark.parametrize("lands", [False, True], ids=["lost", "landed"])
@pytest.mark.parametrize("allowed", range(LAST_DELETION_WRITE + 1))
def test_a_deletion_that_crashed_midway_is_finished_by_the_next_run(
    stack: Stack, allowed: int, lands: bool
) -> None:
    reference = anonymous_filed(stack)
    report_id = stack.report_id(reference)

    run_crashing(stack, DELETE_AT, allowed, lands)
    # Until the case item itself goes (the last write), the case stays in the index.
    finished = allowed == LAST_DELETION_WRITE and lands
    if not finished:
        assert plain(stack.case_item(reference))["retention_action"] == "delete"
    second = sweep_at(stack, DELETE_AT + timedelta(hours=1))

    assert second == (NOTHING if finished else {**NOTHING, "deleted": 1})
    assert remains(report_id, reference) == []
    tombstone = services.retention().tombstone(reference)
    assert tombstone is not None and tombstone["signed"] is True
    assert sweep_at(stack, DELETE_AT + timedelta(hours=2)) == NOTHING


# --- erasure (the contract with data-subject rights) -----------------------------------------


def test_erasure_redacts_now_and_deletes_the_demographics(stack: Stack) -> None:
    reference, _ = worked_case(stack)
    report_id = stack.report_id(reference)
    demographics = {"report_id": {"S": report_id}}
    table = stack.settings.demographics_table
    assert services.dynamodb().get_item(TableName=table, Key=demographics).get("Item")

    erased = services.retention().erase(report_id, actor=ADMIN, reason="Erasure request")

    assert erased is True
    assert not services.dynamodb().get_item(TableName=table, Key=demographics).get("Item")
    trail = chain_verdict(stack, reference)
    assert trail["verification"]["intact"] is True
    erasure = trail["entries"][-1]
    assert (erasure["action"], erasure["actor"], erasure["reason"]) == (
        "erase",
        ADMIN,
        "Erasure request",
    )
    # The only sealed value left is the erasure's own reason (the admin's words, not the
    # reporter's): every reason written before it is gone.
    assert binary_attributes(stack, reference) == [f"AUDIT#{erasure['seq']:010d}.sealed_reason"]
    assert [entry["reason"] for entry in trail["entries"][:-1] if entry["reason"]] == []
    assert services.retention().erase(report_id, actor=ADMIN, reason="Again") is False
    assert services.retention().redact(report_id, actor=ADMIN, reason="Again") is False


def test_erasure_under_a_legal_hold_is_refused_naming_the_case(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    body = {"flag": "legal_hold", "value": True, "reason": "Claim expected"}
    body["version"] = view(stack, reference)["version"]
    assert stack.call("post", f"/staff/cases/{reference}/flags", ADMIN, body).status_code == 200
    before = stack.partition(reference)

    with pytest.raises(LegalHoldActive) as refused:
        services.retention().redact(stack.report_id(reference), actor=ADMIN, reason="Erase")

    assert refused.value.references == [reference]
    assert stack.partition(reference) == before


def test_an_erased_open_case_leaves_every_queue(stack: Stack) -> None:
    reference = new_case(stack, "assigned")

    assert services.retention().redact(stack.report_id(reference), actor=ADMIN, reason="Erase")

    item = plain(stack.case_item(reference))
    assert not {"queue_team", "advisor_open", "sla_watch", "sealed"} & set(item)
    assert item["status"] == "redacted"
