"""Tampering with a case's audit trail in DynamoDB is found, and the first broken link named.

A case is worked through six audited actions (once; each test starts from that case's
partition put back exactly as it was); then its audit items (`pk=REPORT#<id>`,
`sk=AUDIT#<seq:010d>`) are edited, deleted, reordered or forged directly in the table, and
the chain is verified twice: through `GET /staff/cases/{ref}/audit` (as the team's
screener and as an admin, who must see the same verdict) and directly with
`AuditTrail.verify`.

The attacker of most tests can write the table but not use the KMS keys: they copy another
case's chain in, empty a chain, put back an older ciphertext or the whole case item as it
was, or truncate a chain after the hourly checkpoint recorded its head. Each is found by
verification, and a sealed field of such a case refuses to open (`SealBroken`, a 409).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.audit import Anchor, ChainHead, Verification, next_entry
from chalicelib.cases.seal import CaseSeal
from chalicelib.errors import SealBroken
from chalicelib.storage.case_item import CaseItem
from chalicelib.storage.dynamo import plain
from tests.api.conftest import post_json
from tests.api.emf import metrics
from tests.api.shared_stack import START, Stack
from tests.factories import anonymous_submission, named_submission

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
def reference(stack: Stack, worked_case: tuple[str, list[Item]]) -> Iterator[str]:
    """The worked case, its partition (case item, timeline, audit) put back as it was, no
    checkpoint taken yet, and the clock at the start."""
    reference, baseline = worked_case
    stack.restore(reference, baseline)
    forget_checkpoints(stack)
    assert stack.partition(reference) == baseline
    yield reference
    stack.reset()


def forget_checkpoints(stack: Stack) -> None:
    dynamodb = services.dynamodb()
    items = dynamodb.query(
        TableName=stack.settings.reports_table,
        KeyConditionExpression="pk = :checkpoint",
        ExpressionAttributeValues={":checkpoint": {"S": "CHECKPOINT"}},
    )["Items"]
    for item in items:
        dynamodb.delete_item(
            TableName=stack.settings.reports_table, Key={"pk": item["pk"], "sk": item["sk"]}
        )


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
    return services.audit_trail().verify(plain(stack.case_item(reference)))[1]


def reveal(stack: Stack, reference: str) -> Any:
    return stack.call(
        "post", f"/staff/cases/{reference}/reveal", ADVISOR, {"purpose": "To call back"}
    )


def opening_contact(stack: Stack, reference: str) -> SealBroken:
    """The refusal to open the case's contact details (fails the test if it opens)."""
    seal = CaseSeal(services.audit_trail(), services.identity_sealer())
    with pytest.raises(SealBroken) as refused:
        seal.open(CaseItem.from_item(plain(stack.case_item(reference))), "contact")
    return refused.value


def set_attribute(stack: Stack, reference: str, path: str, value: Item) -> None:
    """SET one attribute of the case item (a dotted path into a map), as a table writer."""
    *parents, last = path.split(".")
    names = {f"#p{i}": part for i, part in enumerate([*parents, last])}
    services.dynamodb().update_item(
        TableName=stack.settings.reports_table,
        Key={"pk": {"S": f"REPORT#{stack.report_id(reference)}"}, "sk": {"S": "REPORT"}},
        UpdateExpression=f"SET {'.'.join(names)} = :value",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":value": value},
    )


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


# --- what a table writer without the keys does to the case item --------------------------------


def test_an_entry_whose_signature_was_removed_is_named(stack: Stack, reference: str) -> None:
    item = item_at(stack, reference, 3)
    del item["mac"]
    put(stack, item)

    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": len(ACTIONS),
        "broken_at": 3,
        "problem": "entry 3 is not signed by the audit key",
    }


def test_another_cases_chain_and_head_copied_in_belong_to_another_case(
    stack: Stack, reference: str
) -> None:
    """Every entry replaced by another case's (its one triage entry, MAC and all, under this
    case's key) and the head set to that case's: each link and signature recomputes, but
    the entries name the other case."""
    other = stack.submit(named_submission())
    for seq in range(1, len(ACTIONS) + 1):
        delete(stack, reference, seq)
    for item in audit_items(stack, other):
        put(stack, {**item, "pk": {"S": f"REPORT#{stack.report_id(reference)}"}})
    case, source = stack.case_item(reference), stack.case_item(other)
    case["audit_seq"], case["audit_hash"] = source["audit_seq"], source["audit_hash"]
    put(stack, case)

    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": 1,
        "broken_at": 1,
        "problem": "entry 1 belongs to another case",
    }
    assert verdicts(stack, other) == {
        "intact": True,
        "entries": 1,
        "broken_at": None,
        "problem": None,
    }


def test_a_triaged_case_whose_whole_chain_and_head_were_deleted_is_not_intact(
    stack: Stack, reference: str
) -> None:
    for seq in range(1, len(ACTIONS) + 1):
        delete(stack, reference, seq)
    case = stack.case_item(reference)
    del case["audit_seq"], case["audit_hash"]
    put(stack, case)

    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": 0,
        "broken_at": 1,
        "problem": "the case was triaged but has no entries",
    }


def test_a_report_waiting_for_triage_has_no_chain_yet_and_a_signed_head(stack: Stack) -> None:
    """Intake writes no entry but signs the new report's head: it verifies, untouched."""
    response = post_json(stack.client, "/reports", anonymous_submission())
    assert response.status_code == 201, response.json_body
    reference = str(response.json_body["reference"])
    report = plain(stack.case_item(reference))
    assert report["status"] == "awaiting_triage"
    assert services.audit_trail().verify(report)[1] == Verification(True, 0)

    set_attribute(stack, reference, "version", {"N": "2"})

    assert services.audit_trail().verify(plain(stack.case_item(reference)))[1] == Verification(
        False, 0, None, "the case's head or sealed fields are not the ones signed"
    )
    set_attribute(stack, reference, "version", {"N": "1"})  # put right, so triage can run
    stack.drain()


def test_an_older_ciphertext_put_back_is_refused_before_it_opens(
    stack: Stack, reference: str
) -> None:
    """The contact details replaced by a real ciphertext of this case's contact field, as
    one kept from before a rectification: it would open, but the signed head says it is
    not the value last written."""
    report_id = stack.report_id(reference)
    opened = reveal(stack, reference)
    assert opened.status_code == 200, opened.json_body
    assert opened.json_body["contact"]["email"] == "alex.example@example.ac.uk"
    older = services.identity_sealer().seal(
        report_id, "contact", {"name": "Alex Example", "email": "old.address@example.ac.uk"}
    )

    set_attribute(stack, reference, "sealed.contact", {"B": older})

    assert reveal(stack, reference).status_code == 409
    refused = opening_contact(stack, reference)
    assert (refused.reason, str(refused)) == (
        "stale",
        f"contact of {report_id} is not the value last signed",
    )
    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": len(ACTIONS) + 1,
        "broken_at": None,
        "problem": "the case's head or sealed fields are not the ones signed",
    }


def test_a_case_whose_head_signature_was_removed_does_not_open(
    stack: Stack, reference: str
) -> None:
    report_id = stack.report_id(reference)
    case = stack.case_item(reference)
    del case["head_mac"]
    put(stack, case)

    assert reveal(stack, reference).status_code == 409
    refused = opening_contact(stack, reference)
    assert (refused.reason, str(refused)) == (
        "unsigned",
        f"contact of {report_id} is not under a signed head",
    )
    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": len(ACTIONS),
        "broken_at": None,
        "problem": "the case's head is not signed",
    }


def add_note(stack: Stack, reference: str) -> None:
    response = stack.call(
        "post",
        f"/staff/cases/{reference}/timeline",
        ADVISOR,
        {"entry": {"type": "note", "text": "Called back as agreed"}},
    )
    assert response.status_code == 201, response.json_body


def test_a_case_item_put_back_whole_from_before_a_note_does_not_open(
    stack: Stack, reference: str
) -> None:
    """The whole case item as it was before entry 7, its own signature intact: the entry
    beyond its head gives it away before anything is opened."""
    report_id = stack.report_id(reference)
    earlier = stack.case_item(reference)
    add_note(stack, reference)
    assert reveal(stack, reference).status_code == 200

    put(stack, earlier)

    assert reveal(stack, reference).status_code == 409
    refused = opening_contact(stack, reference)
    assert (refused.reason, str(refused)) == (
        "rolled_back",
        f"contact of {report_id} is from before its last change",
    )


def test_a_case_that_moved_on_since_it_was_read_opens_as_it_is_now(
    stack: Stack, reference: str
) -> None:
    """Not every entry beyond the head as read is a rollback: a colleague's note committed
    between reading the case and opening its contact (or triage finishing while a retried
    submission is answered) looks the same until the item is read again."""
    read_before_the_note = stack.case_item(reference)
    add_note(stack, reference)
    seal = CaseSeal(services.audit_trail(), services.identity_sealer())

    contact = seal.open(CaseItem.from_item(plain(read_before_the_note)), "contact")

    assert contact["email"] == "alex.example@example.ac.uk"
    # whereas the same item put back by a table writer is a rollback
    put(stack, read_before_the_note)
    assert opening_contact(stack, reference).reason == "rolled_back"


def test_a_chain_truncated_after_a_checkpoint_is_named_with_the_checkpoint_time(
    stack: Stack, reference: str
) -> None:
    """A note (entry 7), the hourly checkpoint, then entry 7 deleted and the case item put
    back as it was before the note: the chain and the item's signature are those of an
    intact case of six entries, and only the checkpoint knows there were seven."""
    report_id = stack.report_id(reference)
    earlier = stack.case_item(reference)
    add_note(stack, reference)
    seventh = item_at(stack, reference, 7)
    services.audit_checkpoint()()
    assert services.audit_checkpoints().anchor(report_id) == Anchor(
        7, seventh["hash"]["S"], "2026-11-20T10:30:00.000Z"
    )
    assert verdicts(stack, reference)["intact"] is True

    delete(stack, reference, 7)
    put(stack, earlier)

    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": len(ACTIONS),
        "broken_at": 7,
        "problem": "the chain was truncated or rolled back since the checkpoint of "
        "2026-11-20T10:30:00.000Z",
    }
    stack.clock.moment = START + timedelta(hours=1)
    assert services.audit_checkpoint()()["behind"] == 1
    assert services.audit_checkpoints().anchor(report_id) == Anchor(
        7, seventh["hash"]["S"], "2026-11-20T10:30:00.000Z"
    )


def file_anonymous_report(stack: Stack) -> str:
    """An anonymous report, which its screener reads and files for the statistics (every
    report waits for screening by default)."""
    reference = stack.submit(anonymous_submission())
    version = int(stack.case_item(reference)["version"]["N"])
    body = {"to": "filed", "reason": "Nothing to act on", "version": version}
    filing = stack.call("post", f"/staff/cases/{reference}/transitions", SCREENER, body)
    assert filing.status_code == 200, filing.json_body
    assert stack.case_item(reference)["status"] == {"S": "filed"}
    return reference


def test_a_case_retention_deleted_leaves_the_checkpoint_and_a_vanished_one_is_reported(
    stack: Stack, reference: str
) -> None:
    """Two anonymous reports, filed and checkpointed. Four years on the sweep deletes one (and
    leaves its signed tombstone); a table writer deletes the other's items outright."""
    deleted, vanished = file_anonymous_report(stack), file_anonymous_report(stack)
    deleted_id, vanished_id = stack.report_id(deleted), stack.report_id(vanished)
    services.audit_checkpoint()()
    for item in stack.partition(vanished):
        services.dynamodb().delete_item(
            TableName=stack.settings.reports_table, Key={"pk": item["pk"], "sk": item["sk"]}
        )
    stack.clock.moment = START + timedelta(days=4 * 366)
    services.retention_sweep()()
    assert (services.retention().tombstone(deleted) or {}).get("signed") is True

    counts = services.audit_checkpoint()()

    assert counts["vanished"] == 1
    assert services.audit_checkpoints().anchor(deleted_id) is None
    assert services.audit_checkpoints().anchor(vanished_id) is not None
    assert verdicts(stack, reference)["intact"] is True


def test_a_checkpoint_edited_down_anchors_nothing_and_is_not_replaced(
    stack: Stack, reference: str
) -> None:
    """A table writer lowers a case's checkpointed head (to make room for a truncation):
    its signature fails, verification says so, and the next run neither trusts nor
    re-signs it."""
    report_id = stack.report_id(reference)
    services.audit_checkpoint()()
    key = {"pk": {"S": "CHECKPOINT"}, "sk": {"S": f"REPORT#{report_id}"}}
    services.dynamodb().update_item(
        TableName=stack.settings.reports_table,
        Key=key,
        UpdateExpression="SET seq = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    assert verdicts(stack, reference) == {
        "intact": False,
        "entries": len(ACTIONS),
        "broken_at": None,
        "problem": "the checkpoint of 2026-11-20T10:30:00.000Z is not signed by the audit key",
    }
    assert services.audit_checkpoint()()["checkpoint_unsigned"] == 1
    edited = services.dynamodb().get_item(TableName=stack.settings.reports_table, Key=key)
    assert edited["Item"]["seq"] == {"N": "1"}


def test_a_broken_chain_counts_towards_the_alarm_where_it_is_found(
    stack: Stack, reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ops learn of tampering from the AuditChainBroken metric: once from each read of the
    broken trail, once from the checkpoint job that finds the head behind its checkpoint."""
    earlier = stack.case_item(reference)
    add_note(stack, reference)
    services.audit_checkpoint()()
    assert verified_through_the_api(stack, reference)["intact"] is True
    assert broken_chain_counts(capsys.readouterr().out) == []

    delete(stack, reference, 7)
    put(stack, earlier)
    response = stack.call("get", f"/staff/cases/{reference}/audit", ADMIN)
    assert response.json_body["verification"]["intact"] is False
    stack.clock.moment = START + timedelta(hours=1)
    assert services.audit_checkpoint()()["behind"] == 1

    assert broken_chain_counts(capsys.readouterr().out) == [[1.0], [1.0]]


def broken_chain_counts(printed: str) -> list[Any]:
    """The AuditChainBroken values the app wrote, with the dimension the alarm names."""
    return [
        metric["value"]
        for metric in metrics(printed)
        if (metric["namespace"], metric["name"], metric["dimensions"])
        == ("ReportSupport", "AuditChainBroken", {"service": "report-support"})
    ]
