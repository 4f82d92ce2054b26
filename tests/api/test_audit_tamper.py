"""Tampering with a case's audit trail in DynamoDB is found, and the first broken link named.

A case is worked through six audited actions (once; each test starts from that case's
partition put back exactly as it was); then its audit items (`pk=REPORT#<id>`,
`sk=AUDIT#<seq:010d>`) are edited, deleted, reordered or forged directly in the table, and
the chain is verified twice: through `GET /staff/cases/{ref}/audit` (as the team's
screener and as an admin, who must see the same verdict) and directly with
`chalicelib.audit.verify`.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import services
from chalicelib.audit import ChainHead, Verification, next_entry, verify
from chalicelib.cases.store import plain
from tests.api.shared_stack import START, Stack
from tests.factories import named_submission

SCREENER, ADVISOR, ADMIN = "ss-screener", "ss-advisor-1", "dpo-admin"
#: The chain the fixture case ends up with, in order.
ACTIONS = ["triage", "assign", "reveal", "add_contact_attempt", "add_note", "transition"]
Item = dict[str, Any]


@pytest.fixture(scope="module")
def worked_case(stack: Stack) -> tuple[str, list[Item]]:
    """A case with six audit entries (see ACTIONS), and its partition as it then is."""
    stack.forget_cases()
    stack.reset()
    reference = stack.submit(named_submission())
    case = f"/staff/cases/{reference}"

    def version() -> int:
        return int(stack.call("get", case, SCREENER).json_body["version"])

    steps = [
        (SCREENER, "assignment", {"advisor_id": ADVISOR, "reason": "Best placed to help"}),
        (ADVISOR, "reveal", {"purpose": "To arrange a first call"}),
        (
            ADVISOR,
            "timeline",
            {"entry": {"type": "contact_attempt", "method": "phone", "result": "reached"}},
        ),
        (ADVISOR, "timeline", {"entry": {"type": "note", "text": "Weekly check-ins agreed"}}),
        (ADVISOR, "transitions", {"to": "in_support", "reason": "Support plan agreed"}),
    ]
    for user, route, body in steps:
        if "reason" in body:
            body = {**body, "version": version()}
        response = stack.call("post", f"{case}/{route}", user, body)
        assert 200 <= response.status_code < 300, (route, response.json_body)
    assert [entry.action for entry, _ in chain(stack, reference)] == ACTIONS
    return reference, stack.partition(reference)


@pytest.fixture
def reference(stack: Stack, worked_case: tuple[str, list[Item]]) -> str:
    """The worked case, its partition (case item, timeline, audit) put back as it was."""
    reference, baseline = worked_case
    stack.restore(reference, baseline)
    assert stack.partition(reference) == baseline
    return reference


# --- reading and writing the raw items --------------------------------------------------------


def audit_items(stack: Stack, reference: str) -> list[Item]:
    return [item for item in stack.partition(reference) if item["sk"]["S"].startswith("AUDIT#")]


def item_at(stack: Stack, reference: str, seq: int) -> Item:
    return next(i for i in audit_items(stack, reference) if i["sk"]["S"] == f"AUDIT#{seq:010d}")


def put(stack: Stack, item: Item) -> None:
    services.dynamodb().put_item(TableName=stack.settings.reports_table, Item=item)


def delete(stack: Stack, reference: str, seq: int) -> None:
    item = item_at(stack, reference, seq)
    services.dynamodb().delete_item(
        TableName=stack.settings.reports_table, Key={"pk": item["pk"], "sk": item["sk"]}
    )


def chain(stack: Stack, reference: str) -> list[Any]:
    return services.audit_trail().entries(stack.report_id(reference))


def verified_directly(stack: Stack, reference: str) -> Verification:
    head = ChainHead.of(plain(stack.case_item(reference)))
    return verify(chain(stack, reference), head, services.audit_trail().signer.check)


def verified_through_the_api(stack: Stack, reference: str) -> dict[str, Any]:
    """The verification the audit route answers, the same for the screener and the admin."""
    answers = []
    for user in (SCREENER, ADMIN):
        response = stack.call("get", f"/staff/cases/{reference}/audit", user)
        assert response.status_code == 200, (user, response.status_code, response.json_body)
        answers.append(response.json_body["verification"])
    assert answers[0] == answers[1]
    return dict(answers[0])


def verdicts(stack: Stack, reference: str) -> dict[str, Any]:
    """Both verdicts, checked to agree; the API's."""
    direct = verified_directly(stack, reference)
    api = verified_through_the_api(stack, reference)
    assert api == {
        "intact": direct.intact,
        "entries": direct.entries,
        "broken_at": direct.broken_at,
        "problem": direct.problem,
    }
    return api


# --- the tests -------------------------------------------------------------------------------


def test_an_intact_chain_verifies(stack: Stack, reference: str) -> None:
    assert verdicts(stack, reference) == {
        "intact": True,
        "entries": len(ACTIONS),
        "broken_at": None,
        "problem": None,
    }
    trail = stack.call("get", f"/staff/cases/{reference}/audit", ADMIN).json_body
    assert [entry["action"] for entry in trail["entries"]] == ACTIONS
    assert [entry["seq"] for entry in trail["entries"]] == list(range(1, len(ACTIONS) + 1))


def _set_action(item: Item) -> None:
    item["action"] = {"S": "add_note"}


def _set_detail(item: Item) -> None:
    item["details"]["M"]["advisor_id"] = {"S": "ss-advisor-2"}


def _drop_detail(item: Item) -> None:
    del item["details"]["M"]["advisor_id"]


def _set_actor(item: Item) -> None:
    item["actor"] = {"S": "ss-advisor-2"}


def _set_time(item: Item) -> None:
    item["at"] = {"S": "2026-01-01T00:00:00.000Z"}


def _drop_reason(item: Item) -> None:
    del item["sealed_reason"]


EDITS: dict[str, tuple[int, Callable[[Item], None]]] = {
    "action": (2, _set_action),
    "details_value": (2, _set_detail),
    "details_removed": (2, _drop_detail),
    "actor": (2, _set_actor),
    "time": (4, _set_time),
    "sealed_reason_removed": (3, _drop_reason),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_entry_is_named_as_altered(stack: Stack, reference: str, edit: str) -> None:
    seq, change = EDITS[edit]
    item = item_at(stack, reference, seq)
    change(item)
    put(stack, item)

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["broken_at"] == seq
    assert verdict["problem"] == f"entry {seq} was altered"


def test_a_reason_moved_from_another_entry_is_reported_not_a_crash(
    stack: Stack, reference: str
) -> None:
    """Entry 2's sealed reason replaced by entry 6's (both real ciphertexts of this case):
    the verifier names entry 2 as altered, and the audit route still answers with that
    verdict instead of failing while it opens the moved reason."""
    item = item_at(stack, reference, 2)
    item["sealed_reason"] = item_at(stack, reference, 6)["sealed_reason"]
    put(stack, item)

    assert verified_directly(stack, reference) == Verification(
        False, len(ACTIONS), 2, "entry 2 was altered"
    )
    assert verified_through_the_api(stack, reference)["broken_at"] == 2


def test_a_deleted_middle_entry_is_named_as_missing(stack: Stack, reference: str) -> None:
    delete(stack, reference, 3)

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["entries"] == len(ACTIONS) - 1
    assert verdict["broken_at"] == 3
    assert verdict["problem"] == "entry 3 is missing"


def test_a_deleted_last_entry_is_found_by_the_head(stack: Stack, reference: str) -> None:
    delete(stack, reference, len(ACTIONS))

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["entries"] == len(ACTIONS) - 1
    assert verdict["broken_at"] == len(ACTIONS)
    assert (
        verdict["problem"] == f"the case records {len(ACTIONS)} entries; {len(ACTIONS) - 1} remain"
    )


def _swap(stack: Stack, reference: str, first: int, second: int, *, renumber: bool) -> None:
    """Swap everything but the keys of two entries; `renumber` also keeps each key's seq."""
    one, other = item_at(stack, reference, first), item_at(stack, reference, second)
    swapped_one = {**copy.deepcopy(other), "pk": one["pk"], "sk": one["sk"]}
    swapped_other = {**copy.deepcopy(one), "pk": other["pk"], "sk": other["sk"]}
    if renumber:
        swapped_one["seq"], swapped_other["seq"] = one["seq"], other["seq"]
    put(stack, swapped_one)
    put(stack, swapped_other)


def test_two_swapped_entries_are_named_as_out_of_order(stack: Stack, reference: str) -> None:
    """Entries 4 and 5 swap places (contents moved, keys kept): nothing is missing, so the
    verdict must say the entries are out of order, at 4."""
    _swap(stack, reference, 4, 5, renumber=False)
    assert [entry.seq for entry, _ in chain(stack, reference)] == [1, 2, 3, 5, 4, 6]

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["entries"] == len(ACTIONS)
    assert verdict["broken_at"] == 4
    assert verdict["problem"] in ("entry 4 is out of order", "entry 4 does not follow entry 3")


def test_swapped_and_renumbered_entries_do_not_follow(stack: Stack, reference: str) -> None:
    """The same swap with each moved entry renumbered to its new place: the hash links no
    longer follow."""
    _swap(stack, reference, 4, 5, renumber=True)
    assert [entry.action for entry, _ in chain(stack, reference)] == [
        "triage",
        "assign",
        "reveal",
        "add_note",
        "add_contact_attempt",
        "transition",
    ]

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["broken_at"] == 4
    assert verdict["problem"] == "entry 4 does not follow entry 3"


def _forge(stack: Stack, reference: str, after: Any, entry_hash: str) -> Item:
    """A well-formed entry extending `after` (an entry) whose hash is `entry_hash`."""
    forged, forged_hash = next_entry(
        ChainHead(after.seq, entry_hash),
        report_id=stack.report_id(reference),
        at=START,
        actor=SCREENER,
        action="add_note",
        details={"entry": "note"},
    )
    request = services.audit_trail().put_request(forged, forged_hash)
    return dict(request["Put"]["Item"])


def test_an_entry_appended_beyond_the_head_is_named(stack: Stack, reference: str) -> None:
    """A correctly chained entry added after the last one, without moving the case's head:
    the first broken link is the added entry (7), not the intact last one (6)."""
    entries = chain(stack, reference)
    last, last_hash = entries[-1]
    put(stack, _forge(stack, reference, last, last_hash))

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["entries"] == len(ACTIONS) + 1
    assert verdict["broken_at"] == len(ACTIONS) + 1


def test_a_last_entry_replaced_by_a_rehashed_forgery_is_found_by_the_head(
    stack: Stack, reference: str
) -> None:
    """The last entry rewritten with a recomputed, correctly chained hash: every link
    recomputes, but the case's recorded head no longer matches; entry 6 is named."""
    entries = chain(stack, reference)
    before_last, before_last_hash = entries[-2]
    forged = _forge(stack, reference, before_last, before_last_hash)
    assert forged["sk"] == item_at(stack, reference, len(ACTIONS))["sk"]
    put(stack, forged)

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["entries"] == len(ACTIONS)
    assert verdict["broken_at"] == len(ACTIONS)


def test_a_rehashed_forgery_with_a_moved_head_fails_on_its_signature(
    stack: Stack, reference: str
) -> None:
    """Someone who can write the table but not use the audit key rewrites the last entry,
    recomputes its hash and moves the case's head to match: every link and the head now
    agree, and only the missing KMS signature gives the forgery away."""
    entries = chain(stack, reference)
    before_last, before_last_hash = entries[-2]
    forged = _forge(stack, reference, before_last, before_last_hash)
    forged["mac"] = {"S": base64.b64encode(b"\x00" * 32).decode()}
    put(stack, forged)
    case = stack.case_item(reference)
    case["audit_hash"] = forged["hash"]
    put(stack, case)

    verdict = verdicts(stack, reference)

    assert verdict["intact"] is False
    assert verdict["broken_at"] == len(ACTIONS)
    assert verdict["problem"] == f"entry {len(ACTIONS)} is not signed by the audit key"
