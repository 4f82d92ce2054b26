"""The case workflow through the staff API: moves, locking, first contact, assignment,
escalation, the audit entries each action appends, and what is never stored or shown.

All tests of this module share one mocked stack (see `tests.api.shared_stack`), provisioned
once; before each test the case tables are emptied, the clock set back and the sent emails
forgotten, so every test starts from the demo staff and no cases.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.clock import iso
from chalicelib.institution import load_institution
from tests.api.conftest import sent_emails
from tests.api.shared_stack import Stack
from tests.factories import named_submission, sentinel_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences

SCREENER, ADVISOR, OTHER_ADVISOR = "ss-screener", "ss-advisor-1", "ss-advisor-2"
#: The demo members' addresses (see devstack.demo).
ADDRESS = {
    "ss-screener": "sam.okafor@example.ac.uk",
    "ss-advisor-1": "rhian.evans@example.ac.uk",
    "ss-advisor-2": "imran.shah@example.ac.uk",
    "hr-screener": "priya.nair@example.ac.uk",
    "di-screener": "alex.morgan@example.ac.uk",
}
#: Distinctive demographic answers; none of them, nor a question id, may reach staff.
DEMOGRAPHICS = {
    "age_band": "25_34",
    "gender": "non_binary",
    "sexual_orientation": "bisexual",
    "ethnicity": "another_ethnicity",
    "religion": "sikh",
    "disability": "prefer_not_to_say",
}
OUTCOME = "no_further_action"
#: The answer of a named reporter who wants their report recorded, and no contact.
RECORD_ONLY = {"desired_outcome": ["record_only"]}


@pytest.fixture(autouse=True)
def _fresh_tables_clock_and_mailbox(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


# --- helpers ---------------------------------------------------------------------------------


def view(stack: Stack, reference: str, user: str = SCREENER) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}", user)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def move(
    stack: Stack,
    reference: str,
    to: str,
    user: str = SCREENER,
    *,
    reason: str = "Moving the case on",
    version: int | None = None,
) -> Any:
    body: dict[str, Any] = {
        "to": to,
        "reason": reason,
        "version": view(stack, reference)["version"] if version is None else version,
    }
    if to == "closed":
        body["outcome"] = OUTCOME
    return stack.call("post", f"/staff/cases/{reference}/transitions", user, body)


def assign(stack: Stack, reference: str, advisor: str, user: str = SCREENER, **extra: Any) -> Any:
    body = {"advisor_id": advisor, "reason": "Best placed to help", **extra}
    if "version" not in body:
        body["version"] = view(stack, reference)["version"]
    return stack.call("post", f"/staff/cases/{reference}/assignment", user, body)


def add_entry(stack: Stack, reference: str, entry: dict[str, Any], user: str = ADVISOR) -> Any:
    return stack.call("post", f"/staff/cases/{reference}/timeline", user, {"entry": entry})


REACHED = {"type": "contact_attempt", "method": "phone", "result": "reached"}

#: How to bring a fresh case (awaiting screening) to each state, as the screener.
PATHS: dict[str, list[tuple[str, str | None]]] = {
    "awaiting_screening": [],
    "assigned": [("assign", ADVISOR)],
    "contacted": [("assign", ADVISOR), ("contacted", None)],
    "in_support": [("assign", ADVISOR), ("contacted", None), ("in_support", None)],
    "closed": [("closed", None)],
    "filed": [("filed", None)],
    "reopened": [("closed", None), ("reopened", None)],
}


def new_case(
    stack: Stack,
    state: str = "awaiting_screening",
    paths: dict[str, list[tuple[str, str | None]]] | None = None,
    **submission: Any,
) -> str:
    """A fresh student case (student support) brought to `state` (by `PATHS`, or `paths`).

    Its reporter asked for a record only, so a screener files it with a reason alone (a
    reporter who asked to talk to someone is `tests/api/test_filing.py`'s subject).
    """
    answers = {**RECORD_ONLY, **submission.pop("answers", {})}
    reference = stack.submit(named_submission(answers=answers, **submission))
    case = view(stack, reference)
    version, status = case["version"], case["status"]
    for step, advisor in (paths or PATHS)[state]:
        response = (
            assign(stack, reference, advisor, version=version)
            if step == "assign"
            else move(stack, reference, step, version=version)
        )
        assert response.status_code == 200, (step, response.json_body)
        version, status = response.json_body["version"], response.json_body["status"]
    assert status == state
    return reference


def audit(stack: Stack, reference: str, user: str = SCREENER) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}/audit", user)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def last_entry(stack: Stack, reference: str) -> dict[str, Any]:
    trail = audit(stack, reference)
    assert trail["verification"]["intact"] is True, trail["verification"]
    return dict(trail["entries"][-1])


def queue_rows(stack: Stack, user: str) -> list[dict[str, Any]]:
    """Every row of a member's queue, all pages."""
    rows: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = stack.call("get", f"/staff/queue{cursor}", user)
        assert response.status_code == 200, response.json_body
        rows += response.json_body["cases"]
        if not response.json_body["next_cursor"]:
            return rows
        cursor = f"?cursor={response.json_body['next_cursor']}"


def queue_references(stack: Stack, user: str) -> set[str]:
    return {row["reference"] for row in queue_rows(stack, user)}


def sentinel(kind: str) -> str:
    return f"Sentinel{kind} {uuid.uuid4().hex[:12]}"


# --- the state machine -----------------------------------------------------------------------

#: Every move through `POST .../transitions` from every state a case reaches through the API,
#: and the answer to (the team's screener, the case's own advisor). Filing and reopening are
#: the screener's alone (403 to an advisor, whatever the state); an advisor never holds a
#: case awaiting screening or filed (404: no case they may see). A redacted case is reached
#: only through retention (tests/unit/test_workflow.py covers its row).
MOVES_TABLE = """
from \\ to          contacted  in_support  closed    filed     reopened
awaiting_screening  409 404    409 404     200 404   200 403   409 403
assigned            200 200    409 409     200 200   409 403   409 403
contacted           409 409    200 200     200 200   409 403   409 403
in_support          409 409    409 409     200 200   409 403   409 403
closed              409 409    409 409     409 409   409 403   200 403
filed               409 404    409 404     409 404   409 403   200 403
reopened            200 200    200 200     200 200   409 403   409 403
"""


def _moves(table: str) -> dict[tuple[str, str], tuple[int, int]]:
    header, *rows = table.strip().splitlines()
    targets = header.split()[3:]
    moves = {}
    for row in rows:
        state, *answers = row.split()
        for index, target in enumerate(targets):
            pair = answers[2 * index : 2 * index + 2]
            moves[(state, target)] = (int(pair[0]), int(pair[1]))
    return moves


MOVES = _moves(MOVES_TABLE)
#: What a refusal names as allowed from each state (the screener's 200s of its row).
ALLOWED_FROM = {
    "awaiting_screening": ["closed", "filed"],
    "assigned": ["closed", "contacted"],
    "contacted": ["closed", "in_support"],
    "in_support": ["closed"],
    "closed": ["reopened"],
    "filed": ["reopened"],
    "reopened": ["closed", "contacted", "in_support"],
}
#: How to bring a fresh case to each state with its advisor assigned where it can have one.
WITH_ADVISOR: dict[str, list[tuple[str, str | None]]] = {
    **PATHS,
    "closed": [("assign", ADVISOR), ("closed", None)],
    "reopened": [("assign", ADVISOR), ("closed", None), ("reopened", None)],
}


def test_the_table_holds_every_move_of_every_state() -> None:
    assert len(MOVES) == 7 * 5
    assert {
        current for (current, wanted), (screener, _) in MOVES.items() if screener == 200
    } == set(ALLOWED_FROM)
    for current, allowed in ALLOWED_FROM.items():
        assert sorted(w for (c, w), (code, _) in MOVES.items() if c == current and code == 200) == (
            allowed
        )


def _check_answer(
    stack: Stack, reference: str, user: str, current: str, wanted: str, expected: int
) -> None:
    before = stack.partition(reference)
    audit_before = view(stack, reference)["audit_entries"]

    response = move(stack, reference, wanted, user, reason="Next step agreed")

    assert response.status_code == expected, (user, response.json_body)
    if expected == 200:
        assert response.json_body["status"] == wanted
        assert response.json_body["audit_entries"] == audit_before + 1
        entry = last_entry(stack, reference)
        details = {"from": current, "to": wanted}
        if wanted == "closed":
            details["outcome"] = OUTCOME
            assert response.json_body["outcome"] == OUTCOME and response.json_body["closed_at"]
        assert (entry["action"], entry["actor"], entry["details"]) == ("transition", user, details)
        assert entry["reason"] == "Next step agreed"
        return
    assert stack.partition(reference) == before
    if expected == 409:
        assert response.json_body["error"] == "transition_refused"
        assert response.json_body["allowed"] == ALLOWED_FROM[current]
    elif expected == 403:
        assert response.json_body["error"] == "forbidden"
    else:
        assert response.json_body["error"] == "not_found"


@pytest.mark.parametrize(("current", "wanted"), list(MOVES), ids=[f"{a}->{b}" for a, b in MOVES])
def test_every_move_is_answered_as_the_table_says(stack: Stack, current: str, wanted: str) -> None:
    screener, advisor = MOVES[(current, wanted)]
    reference = new_case(stack, current, paths=WITH_ADVISOR)
    if advisor == 200:
        # both may make it: each makes it on a case of their own
        _check_answer(stack, reference, ADVISOR, current, wanted, advisor)
        reference = new_case(stack, current, paths=WITH_ADVISOR)
        _check_answer(stack, reference, SCREENER, current, wanted, screener)
    else:
        # a refusal changes nothing, so the screener then tries the very same case
        _check_answer(stack, reference, ADVISOR, current, wanted, advisor)
        _check_answer(stack, reference, SCREENER, current, wanted, screener)


@pytest.mark.parametrize("wanted", ["awaiting_screening", "assigned", "redacted", "escalated"])
def test_a_state_no_transition_leads_to_is_refused_at_the_edge_naming_to(
    stack: Stack, wanted: str
) -> None:
    reference = new_case(stack, "assigned")
    before = stack.partition(reference)

    response = move(stack, reference, wanted)

    assert response.status_code == 400, response.json_body
    assert [problem["field"] for problem in response.json_body["errors"]] == ["to"]
    assert stack.partition(reference) == before
    assert move(stack, reference, "contacted").status_code == 200


def test_the_assigned_advisor_moves_their_case_to_closure(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    for wanted in ("contacted", "in_support", "closed"):
        response = move(stack, reference, wanted, ADVISOR)
        assert response.status_code == 200, response.json_body
        assert response.json_body["status"] == wanted


@pytest.mark.parametrize("current", ["closed", "filed"])
def test_assigning_a_finished_case_is_refused_naming_what_is_allowed(
    stack: Stack, current: str
) -> None:
    """A closed or filed case cannot be assigned; the answer names the move that is allowed
    (reopening), not "none"."""
    reference = new_case(stack, current)
    before = stack.partition(reference)

    response = assign(stack, reference, ADVISOR)

    assert response.status_code == 409, response.json_body
    assert response.json_body["error"] == "transition_refused"
    assert stack.partition(reference) == before
    assert response.json_body["allowed"] == ["reopened"]


def test_closing_needs_an_outcome(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    before = stack.partition(reference)
    version = view(stack, reference)["version"]
    body = {"to": "closed", "reason": "Nothing more to do", "version": version}

    response = stack.call("post", f"/staff/cases/{reference}/transitions", SCREENER, body)

    assert response.status_code == 400, response.json_body
    assert response.json_body["error"] == "invalid_input"
    assert "outcome" in json.dumps(response.json_body["errors"])
    assert stack.partition(reference) == before


#: Bodies missing a field that is required only with another field's value, and that field.
CONDITIONALLY_REQUIRED = {
    "outcome": (
        "transitions",
        {"to": "closed", "reason": "Nothing more to do"},
        "outcome",
    ),
    "justification": (
        "timeline",
        {"entry": {"type": "action", "action": "police_disclosure"}},
        "entry.justification",
    ),
}


@pytest.mark.parametrize("missing", sorted(CONDITIONALLY_REQUIRED))
def test_a_conditionally_required_field_is_named_when_missing(stack: Stack, missing: str) -> None:
    """The 400 names the missing field itself (as for any other bad field), so that a form
    can point at it; not `body`, nor the field whose value made it required."""
    route, body, field = CONDITIONALLY_REQUIRED[missing]
    reference = new_case(stack, "assigned")
    if route == "transitions":
        body = {**body, "version": view(stack, reference)["version"]}

    response = stack.call("post", f"/staff/cases/{reference}/{route}", ADVISOR, body)

    assert response.status_code == 400, response.json_body
    assert [problem["field"] for problem in response.json_body["errors"]] == [field]


# --- optimistic locking ----------------------------------------------------------------------


def _stale_bodies(version: int) -> dict[str, dict[str, Any]]:
    return {
        "transitions": {"to": "contacted", "reason": "Reached them", "version": version},
        "assignment": {"advisor_id": OTHER_ADVISOR, "reason": "Rebalancing", "version": version},
        "priority": {"priority": "normal", "reason": "Not pressing", "version": version},
        "escalation": {"reason": "Getting worse", "version": version},
        "flags": {"flag": "legal_hold", "value": True, "reason": "Claim", "version": version},
    }


@pytest.mark.parametrize("route", sorted(_stale_bodies(1)))
@pytest.mark.parametrize("offset", [0, 5], ids=["older", "newer"])
def test_a_stale_version_is_refused_and_nothing_is_overwritten(
    stack: Stack, route: str, offset: int
) -> None:
    reference = new_case(stack, "assigned")
    read = view(stack, reference)["version"]
    # someone else changes the case after we read it
    changed = stack.call(
        "post",
        f"/staff/cases/{reference}/priority",
        SCREENER,
        {"priority": "high", "reason": "Colleague's change", "version": read},
    )
    assert changed.status_code == 200, changed.json_body
    current = changed.json_body["version"]
    before_item = stack.case_item(reference)
    before = stack.partition(reference)
    stale = read if offset == 0 else current + offset
    stack.drain()
    stack.reset()

    response = stack.call(
        "post", f"/staff/cases/{reference}/{route}", SCREENER, _stale_bodies(stale)[route]
    )

    assert response.status_code == 409, response.json_body
    assert response.json_body["error"] == "stale_version"
    assert response.json_body["current_version"] == current
    assert stack.case_item(reference) == before_item
    assert stack.partition(reference) == before
    stack.drain()
    assert sent_emails(stack.settings) == [], "a refused change must notify no one"


# --- first contact ---------------------------------------------------------------------------


def test_first_successful_contact_in_time_is_recorded_as_met(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    stack.clock.moment += timedelta(hours=3)

    missed = add_entry(stack, reference, {**REACHED, "result": "no_answer"})
    assert missed.status_code == 201, missed.json_body
    assert missed.json_body["first_contact_at"] is None
    assert missed.json_body["status"] == "assigned"

    response = add_entry(stack, reference, REACHED)

    assert response.status_code == 201, response.json_body
    case = response.json_body
    assert case["status"] == "contacted"
    assert case["first_contact_at"] == iso(stack.clock.moment)
    assert case["first_contact_at"] <= case["first_contact_due"]
    assert case["first_contact_met"] is True
    assert case["overdue"] is False


def test_first_successful_contact_after_the_due_time_is_recorded_as_missed(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    due = datetime.fromisoformat(view(stack, reference)["first_contact_due"])
    stack.clock.moment = due + timedelta(minutes=1)
    assert view(stack, reference)["overdue"] is True

    response = add_entry(stack, reference, REACHED)

    assert response.status_code == 201, response.json_body
    case = response.json_body
    assert case["status"] == "contacted"
    assert case["first_contact_at"] == iso(stack.clock.moment)
    assert case["first_contact_met"] is False
    assert case["overdue"] is False


def test_a_later_contact_keeps_the_first_contact_time(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    first = add_entry(stack, reference, REACHED).json_body
    assert first["first_contact_met"] is True
    stack.clock.moment = datetime.fromisoformat(first["first_contact_due"]) + timedelta(days=3)

    later = add_entry(stack, reference, {**REACHED, "method": "email"})

    assert later.status_code == 201, later.json_body
    assert later.json_body["first_contact_at"] == first["first_contact_at"]
    assert later.json_body["first_contact_met"] is True
    assert later.json_body["status"] == "contacted"


def test_contact_through_a_reopened_case_keeps_the_first_contact_time(stack: Stack) -> None:
    """The first contact is a fact about the case: reopening and making contact again
    (by a contact attempt, or by moving the case to `contacted`) must not rewrite it."""
    reference = new_case(stack, "assigned")
    first = add_entry(stack, reference, REACHED).json_body
    for wanted in ("in_support", "closed"):
        assert move(stack, reference, wanted, ADVISOR).status_code == 200
    assert move(stack, reference, "reopened", SCREENER).status_code == 200
    assert view(stack, reference, ADVISOR)["advisor_id"] == ADVISOR
    stack.clock.moment = datetime.fromisoformat(first["first_contact_due"]) + timedelta(days=10)

    again = move(stack, reference, "contacted", ADVISOR)

    assert again.status_code == 200, again.json_body
    assert again.json_body["status"] == "contacted"
    assert again.json_body["first_contact_at"] == first["first_contact_at"]
    assert again.json_body["first_contact_met"] is True


def test_a_reached_contact_moves_a_reopened_case_to_contacted(stack: Stack) -> None:
    reference = new_case(stack, "reopened")

    response = add_entry(stack, reference, REACHED, user=SCREENER)

    assert response.status_code == 201, response.json_body
    assert response.json_body["status"] == "contacted"


# --- timeline entries ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["safeguarding_referral", "police_disclosure"])
def test_a_disclosure_needs_a_justification(stack: Stack, action: str) -> None:
    reference = new_case(stack, "assigned")
    before = stack.partition(reference)

    response = add_entry(stack, reference, {"type": "action", "action": action})

    assert response.status_code == 400, response.json_body
    assert response.json_body["error"] == "invalid_input"
    assert "justification" in json.dumps(response.json_body["errors"])
    assert stack.partition(reference) == before

    justified = add_entry(
        stack,
        reference,
        {"type": "action", "action": action, "justification": "Risk to others assessed"},
    )
    assert justified.status_code == 201, justified.json_body


def test_an_action_that_is_no_disclosure_needs_no_justification(stack: Stack) -> None:
    reference = new_case(stack, "assigned")
    response = add_entry(stack, reference, {"type": "action", "action": "signposted_counselling"})
    assert response.status_code == 201, response.json_body


# --- assignment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "advisor",
    ["ss-screener", "hr-advisor", "di-screener", "di-analyst", "nobody-here"],
    ids=[
        "a_screener",
        "another_teams_advisor",
        "another_teams_screener_advisor",
        "an_analyst",
        "unknown",
    ],
)
def test_assignment_only_to_an_advisor_of_the_team(stack: Stack, advisor: str) -> None:
    reference = new_case(stack)
    before = stack.partition(reference)

    response = assign(stack, reference, advisor)

    assert response.status_code == 400, response.json_body
    assert [problem["field"] for problem in response.json_body["errors"]] == ["advisor_id"]
    assert stack.partition(reference) == before


def test_assignment_emails_the_advisor_a_link_and_no_personal_data(stack: Stack) -> None:
    body, values = sentinel_submission()
    body["demographics"] = dict(DEMOGRAPHICS)
    reference = stack.submit(body)
    stack.reset()  # forget the new-report email to the screeners

    response = assign(stack, reference, ADVISOR)

    assert response.status_code == 200, response.json_body
    assert response.json_body["status"] == "assigned"
    assert response.json_body["advisor_id"] == ADVISOR
    stack.drain()
    emails = sent_emails(stack.settings)
    assert [message["To"] for message in emails] == [ADDRESS[ADVISOR]]
    assert reference in emails[0]["Subject"]
    assert_no_personal_data(emails, values)

    again = assign(stack, reference, OTHER_ADVISOR)
    assert again.status_code == 200, again.json_body
    assert again.json_body["advisor_id"] == OTHER_ADVISOR
    stack.drain()
    emails = sent_emails(stack.settings)
    assert [message["To"] for message in emails] == [ADDRESS[ADVISOR], ADDRESS[OTHER_ADVISOR]]
    assert_no_personal_data(emails, values)
    assert reference not in queue_references(stack, ADVISOR)
    assert reference in queue_references(stack, OTHER_ADVISOR)


def test_the_case_and_the_queues_name_the_advisor_not_only_their_member_id(
    stack: Stack, logs: list[str]
) -> None:
    reference = new_case(stack)
    unassigned = view(stack, reference)
    assert (unassigned["advisor_id"], unassigned["advisor_name"]) == (None, None)

    assigned = assign(stack, reference, ADVISOR).json_body

    assert (assigned["advisor_id"], assigned["advisor_name"]) == ("ss-advisor-1", "Rhian Evans")
    case = view(stack, reference)
    assert (case["advisor_id"], case["advisor_name"]) == ("ss-advisor-1", "Rhian Evans")
    [row] = [row for row in queue_rows(stack, SCREENER) if row["reference"] == reference]
    assert (row["advisor_id"], row["advisor_name"]) == ("ss-advisor-1", "Rhian Evans")
    [own] = [row for row in queue_rows(stack, ADVISOR) if row["reference"] == reference]
    assert own["advisor_name"] == "Rhian Evans"
    again = assign(stack, reference, OTHER_ADVISOR).json_body
    assert (again["advisor_id"], again["advisor_name"]) == ("ss-advisor-2", "Imran Shah")
    # names are shown to staff, never logged
    assert any(reference in line for line in logs)
    assert not [line for line in logs if "Rhian" in line or "Imran" in line]


def assert_no_personal_data(emails: list[Any], values: list[str]) -> None:
    blobs = []
    for number, message in enumerate(emails):
        blobs.append(Blob(f"email {number}", message.as_string()))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                blobs.append(Blob(f"email {number} {part.get_content_type()}", part.get_content()))
    demographic = [f'"{value}"' for value in DEMOGRAPHICS.values()] + ["bisexual", "sikh"]
    assert occurrences(blobs, [*values, *demographic]) == []


# --- escalation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "user", "screeners"),
    [
        ("student", ADVISOR, ["ss-screener", "di-screener"]),
        ("student", SCREENER, ["ss-screener", "di-screener"]),
        ("staff", "hr-screener", ["hr-screener", "di-screener"]),
    ],
    ids=["advisor_escalates", "screener_escalates", "another_team"],
)
def test_escalation_makes_the_case_urgent_and_alerts_the_screeners_and_the_fallback_team(
    stack: Stack, role: str, user: str, screeners: list[str]
) -> None:
    body, values = sentinel_submission()
    body["answers"]["reporter_role"] = role
    reference = stack.submit(body)
    if user == ADVISOR:
        assert assign(stack, reference, ADVISOR).status_code == 200
    stack.drain()
    stack.reset()
    before = view(stack, reference, user)
    assert before["priority"] != "urgent"

    response = stack.call(
        "post",
        f"/staff/cases/{reference}/escalation",
        user,
        {"reason": "The reporter fears for their safety", "version": before["version"]},
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["priority"] == "urgent"
    assert response.json_body["audit_entries"] == before["audit_entries"] + 1
    entry = audit(stack, reference, screeners[0])["entries"][-1]
    assert (entry["action"], entry["actor"]) == ("escalate", user)
    stack.drain()
    emails = sent_emails(stack.settings)
    assert len(emails) == 1
    recipients = {address.strip() for address in emails[0]["To"].split(",")}
    assert recipients == {ADDRESS[member] for member in screeners}
    assert reference in emails[0]["Subject"]
    assert_no_personal_data(emails, values)
    row = next(row for row in queue_rows(stack, screeners[0]) if row["reference"] == reference)
    assert row["priority"] == "urgent"


# --- reopening -------------------------------------------------------------------------------


@pytest.mark.parametrize("finished", ["closed", "filed"])
def test_reopening_puts_the_case_back_in_the_queue(stack: Stack, finished: str) -> None:
    reference = new_case(stack, "assigned")
    if finished == "closed":
        assert move(stack, reference, "closed", ADVISOR).status_code == 200
    else:
        reference = new_case(stack, "filed")
    assert reference not in queue_references(stack, SCREENER)
    assert reference not in queue_references(stack, ADVISOR)

    response = move(stack, reference, "reopened")

    assert response.status_code == 200, response.json_body
    assert response.json_body["status"] == "reopened"
    assert reference in queue_references(stack, SCREENER)
    if finished == "closed":
        assert reference in queue_references(stack, ADVISOR), "back in the advisor's own queue"
        assert move(stack, reference, "in_support", ADVISOR).status_code == 200
    else:
        assert assign(stack, reference, ADVISOR).json_body["status"] == "assigned"


# --- the audit entry of each action ----------------------------------------------------------

#: route suffix, body (without version), user, expected action and details.
ACTIONS: list[tuple[str, str, dict[str, Any], str, str, dict[str, Any]]] = [
    (
        "assign",
        "assignment",
        {"advisor_id": OTHER_ADVISOR, "reason": "Speaks the reporter's language"},
        SCREENER,
        "assign",
        {"advisor_id": OTHER_ADVISOR, "previous_advisor": ADVISOR},
    ),
    (
        "transition",
        "transitions",
        {"to": "closed", "outcome": "referred_elsewhere", "reason": "Referred"},
        ADVISOR,
        "transition",
        {"from": "assigned", "to": "closed", "outcome": "referred_elsewhere"},
    ),
    (
        "priority",
        "priority",
        {"priority": "urgent", "reason": "Risk rose"},
        SCREENER,
        "set_priority",
        {"from": "normal", "to": "urgent"},
    ),
    ("escalate", "escalation", {"reason": "Risk rose"}, ADVISOR, "escalate", {}),
    (
        "flag",
        "flags",
        {"flag": "legal_hold", "value": True, "reason": "Claim expected"},
        SCREENER,
        "set_flag",
        {"flag": "legal_hold", "value": True},
    ),
    (
        "note",
        "timeline",
        {"entry": {"type": "note", "text": "Agreed next steps"}},
        ADVISOR,
        "add_note",
        {"entry": "note"},
    ),
    (
        "contact",
        "timeline",
        {"entry": {"type": "contact_attempt", "method": "email", "result": "left_message"}},
        ADVISOR,
        "add_contact_attempt",
        {"entry": "contact_attempt", "method": "email", "result": "left_message"},
    ),
    (
        "assessment",
        "timeline",
        {"entry": {"type": "assessment", "risk_level": "high", "needs": ["counselling"]}},
        ADVISOR,
        "add_assessment",
        {"entry": "assessment", "risk_level": "high", "needs": ["counselling"]},
    ),
    (
        "action",
        "timeline",
        {"entry": {"type": "action", "action": "informed_security"}},
        ADVISOR,
        "add_action",
        {"entry": "action", "action": "informed_security"},
    ),
    (
        "reveal",
        "reveal",
        {"purpose": "To arrange a call"},
        ADVISOR,
        "reveal",
        {"fields": ["answer.involved_names", "contact", "narrative"]},
    ),
    (
        "read_timeline",
        "timeline/read",
        {"purpose": "To prepare a meeting"},
        SCREENER,
        "read_timeline",
        {"entries": 0},
    ),
]


@pytest.mark.parametrize(
    ("route", "body", "user", "action", "details"),
    [row[1:] for row in ACTIONS],
    ids=[row[0] for row in ACTIONS],
)
def test_each_action_appends_its_audit_entry(
    stack: Stack, route: str, body: dict[str, Any], user: str, action: str, details: dict[str, Any]
) -> None:
    reference = new_case(stack, "assigned", answers={"involved_names": [{"name": "Someone Named"}]})
    before = view(stack, reference)
    if "reason" in body:
        body = {**body, "version": before["version"]}

    response = stack.call("post", f"/staff/cases/{reference}/{route}", user, body)

    assert 200 <= response.status_code < 300, response.json_body
    after = view(stack, reference)
    assert after["audit_entries"] == before["audit_entries"] + 1
    looked_only = route in ("reveal", "timeline/read")
    assert after["version"] == before["version"] + (0 if looked_only else 1)
    trail = audit(stack, reference)
    assert trail["verification"] == {
        "intact": True,
        "entries": after["audit_entries"],
        "broken_at": None,
        "problem": None,
    }
    entry = trail["entries"][-1]
    assert entry["seq"] == after["audit_entries"]
    assert entry["at"] == iso(stack.clock.moment)
    assert (entry["action"], entry["actor"], entry["details"]) == (action, user, details)
    why = body.get("reason") or body.get("purpose")
    assert entry["reason"] == why


# --- what is never stored in clear, nor shown ------------------------------------------------


def test_purposes_reasons_and_notes_are_never_stored_in_clear(
    stack: Stack, logs: list[str]
) -> None:
    reference = new_case(stack)
    texts = {
        kind: sentinel(kind)
        for kind in (
            "assignreason",
            "revealpurpose",
            "transitionreason",
            "priorityreason",
            "flagreason",
            "escalationreason",
            "notetext",
            "contactnote",
            "assessmentnote",
            "justification",
            "readpurpose",
        )
    }

    def version() -> int:
        return int(view(stack, reference)["version"])

    steps = [
        (SCREENER, "assignment", {"advisor_id": ADVISOR, "reason": texts["assignreason"]}),
        (ADVISOR, "reveal", {"purpose": texts["revealpurpose"]}),
        (ADVISOR, "timeline", {"entry": {"type": "note", "text": texts["notetext"]}}),
        (
            ADVISOR,
            "timeline",
            {"entry": {**REACHED, "note": texts["contactnote"]}},
        ),
        (
            ADVISOR,
            "timeline",
            {
                "entry": {
                    "type": "assessment",
                    "risk_level": "medium",
                    "needs": ["safety_planning"],
                    "note": texts["assessmentnote"],
                }
            },
        ),
        (
            ADVISOR,
            "timeline",
            {
                "entry": {
                    "type": "action",
                    "action": "police_disclosure",
                    "justification": texts["justification"],
                }
            },
        ),
        (ADVISOR, "transitions", {"to": "in_support", "reason": texts["transitionreason"]}),
        (SCREENER, "priority", {"priority": "high", "reason": texts["priorityreason"]}),
        (ADVISOR, "flags", {"flag": "legal_hold", "value": True, "reason": texts["flagreason"]}),
        (ADVISOR, "escalation", {"reason": texts["escalationreason"]}),
        (SCREENER, "timeline/read", {"purpose": texts["readpurpose"]}),
    ]
    for user, route, body in steps:
        if "reason" in body:
            body = {**body, "version": version()}
        response = stack.call("post", f"/staff/cases/{reference}/{route}", user, body)
        assert 200 <= response.status_code < 300, (route, response.json_body)
    stack.drain()

    # the texts were kept (sealed) and read back by those allowed to...
    reasons = {entry["reason"] for entry in audit(stack, reference)["entries"]}
    assert {texts[k] for k in texts if k.endswith(("reason", "purpose"))} <= reasons
    timeline = response.json_body["entries"]
    assert {
        texts["notetext"],
        texts["contactnote"],
        texts["assessmentnote"],
        texts["justification"],
    } <= {entry.get("text") for entry in timeline}
    # ...but are nowhere in clear
    stored = list(every_table_blob(services.dynamodb()))
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    emailed = [Blob(f"email {n}", m.as_string()) for n, m in enumerate(sent_emails(stack.settings))]
    logged = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    assert stored and logged and emailed
    assert occurrences(stored, texts.values()) == []
    assert occurrences(queued, texts.values()) == []
    assert occurrences(emailed, texts.values()) == []
    assert occurrences(logged, texts.values()) == []


def _keys_and_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _keys_and_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys_and_strings(inner)
    elif isinstance(value, str):
        yield value


def test_no_case_route_returns_a_demographic_answer(stack: Stack) -> None:
    body = named_submission(answers={"involved_names": [{"name": "Someone Named"}]})
    body["demographics"] = dict(DEMOGRAPHICS)
    reference = stack.submit(body)
    case = f"/staff/cases/{reference}"
    answers: list[Any] = []

    def call(method: str, path: str, user: str, payload: Any = None) -> Any:
        response = stack.call(method, path, user, payload)
        assert 200 <= response.status_code < 300, (path, response.json_body)
        answers.append(response.json_body)
        return response.json_body

    def version() -> int:
        return int(call("get", case, SCREENER)["version"])

    call("get", "/staff/queue", SCREENER)
    call("get", f"{case}/advisors", SCREENER)
    call(
        "post",
        f"{case}/assignment",
        SCREENER,
        {"advisor_id": ADVISOR, "reason": "Best placed", "version": version()},
    )
    call("get", "/staff/queue", ADVISOR)
    call("get", case, ADVISOR)
    call("get", case, "dpo-admin")
    call("post", f"{case}/reveal", ADVISOR, {"purpose": "To arrange contact"})
    call("post", f"{case}/reveal", SCREENER, {"purpose": "To check routing"})
    call("post", f"{case}/timeline", ADVISOR, {"entry": REACHED})
    call("post", f"{case}/timeline", ADVISOR, {"entry": {"type": "note", "text": "Spoke today"}})
    call("post", f"{case}/timeline/read", ADVISOR, {"purpose": "Before the next call"})
    call(
        "post",
        f"{case}/transitions",
        ADVISOR,
        {"to": "in_support", "reason": "Plan agreed", "version": version()},
    )
    call(
        "post",
        f"{case}/priority",
        SCREENER,
        {"priority": "high", "reason": "Reassessed", "version": version()},
    )
    call("post", f"{case}/escalation", ADVISOR, {"reason": "Worse", "version": version()})
    call(
        "post",
        f"{case}/flags",
        ADVISOR,
        {
            "flag": "malicious_or_vexatious",
            "value": False,
            "reason": "Checked",
            "version": version(),
        },
    )
    call("get", f"{case}/audit", SCREENER)
    call("get", f"{case}/audit", "dpo-admin")
    call("get", "/staff/me", ADVISOR)

    questions = {question.id for question in load_institution().form.demographic_questions}
    assert questions >= set(DEMOGRAPHICS)
    seen = [text for answer in answers for text in _keys_and_strings(answer)]
    assert "Someone Named" in seen, "the reveal must have opened the sealed answers"
    assert questions.isdisjoint(seen)
    assert set(DEMOGRAPHICS.values()).isdisjoint(seen)
    raw = json.dumps(answers)
    for distinctive in (
        "sexual_orientation",
        "bisexual",
        "religion",
        "sikh",
        "ethnicity",
        "another_ethnicity",
        "non_binary",
        "age_band",
        "25_34",
    ):
        assert distinctive not in raw
