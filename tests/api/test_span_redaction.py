"""A screener removes words from a reporter's sealed free text (issue 15): the field's
ciphertext is replaced by the text with `[removed by screener]` where the words were, the
change is audited with a sealed reason, and the words are then nowhere: not in any table
(raw or decrypted), queue, log or email, nor in what the staff reveal or the reporter's
receipt code opens.

The form here is the default one as an institution that still asks for the names of those
involved as free text (`involved_names` a `text` question), so a case has a sealed text
answer as well as the account. All tests share one mocked stack; before each the case
tables are emptied and the clock set back to START.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import aws_encryption_sdk
import pytest
from aws_encryption_sdk.identifiers import CommitmentPolicy

from chalicelib import services
from chalicelib.cases.ledger import CaseLedger
from chalicelib.institution import load_institution
from chalicelib.storage.reports_table import CaseUpdate
from tests.api.conftest import REGION, post_json
from tests.api.shared_stack import Stack
from tests.factories import anonymous_submission
from tests.sentinels import Blob, every_opened_blob, every_queue_blob, every_table_blob, occurrences

SCREENER = "ss-screener"
MARKER = "[removed by screener]"


@pytest.fixture(scope="module")
def names_as_text(stack: Stack) -> Iterator[Stack]:
    """The shared stack, its services built for a form whose `involved_names` is free text."""
    institution = load_institution()
    form = institution.form.model_dump(mode="json", exclude_none=True)
    for question in form["questions"]:
        if question["id"] == "involved_names":
            question["kind"] = "text"
            question["max_length"] = 500
    asks_text = institution.model_copy(update={"form": type(institution.form).model_validate(form)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "institution", lambda: asks_text)
        services.reset(clock=stack.clock)
        yield stack
    services.reset(clock=stack.clock)


@pytest.fixture(autouse=True)
def _fresh_tables_and_clock(names_as_text: Stack) -> None:
    names_as_text.forget_cases()
    names_as_text.reset()


def report(stack: Stack, narrative: str, names: str) -> tuple[str, str]:
    """An anonymous report with a receipt code, triaged to the screener's team; (reference,
    receipt code)."""
    body = anonymous_submission(answers={"involved_names": names}, follow_up=True)
    body["narrative"] = narrative
    accepted = post_json(stack.client, "/reports", body)
    assert accepted.status_code == 201, accepted.json_body
    stack.drain()
    return accepted.json_body["reference"], accepted.json_body["follow_up"]["receipt_code"]


def version(stack: Stack, reference: str) -> int:
    return int(stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body["version"])


def redact(stack: Stack, reference: str, user: str = SCREENER, **body: Any) -> Any:
    fields = {"reason": "Identifies the reporter", "version": version(stack, reference), **body}
    return stack.call("post", f"/staff/cases/{reference}/redactions", user, fields)


def reveal(stack: Stack, reference: str) -> dict[str, Any]:
    revealed = stack.call(
        "post", f"/staff/cases/{reference}/reveal", SCREENER, {"purpose": "Screening it"}
    )
    assert revealed.status_code == 200, revealed.json_body
    return dict(revealed.json_body)


def decrypting(stack: Stack) -> Callable[[bytes], str | None]:
    """Opens any ciphertext of the stack's two keys (a test holds both; the API only one)."""
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[stack.settings.identity_key_arn, stack.settings.insight_key_arn],
        botocore_session=services.botocore_session(),
    )
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )

    def open_(data: bytes) -> str | None:
        try:
            plaintext, _header = client.decrypt(source=data, key_provider=provider)
        except Exception:
            return None
        return bytes(plaintext).decode("utf-8")

    return open_


def emails() -> list[Blob]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [Blob(f"email {n}", str(vars(message))) for n, message in enumerate(sent)]


# --- the words are gone ------------------------------------------------------------------


def test_removed_words_are_nowhere_and_the_kept_words_and_the_chain_remain(
    names_as_text: Stack, logs: list[str]
) -> None:
    stack = names_as_text
    tag = uuid.uuid4().hex[:12]
    gone_name, gone_person = f"Gonename{tag}", f"Goneperson{tag}"
    kept_place, kept_detail = f"Keptplace{tag}", f"Keptdetail{tag}"
    # Given an anonymous report whose account and text answer each name someone
    reference, code = report(
        stack,
        f"I am {gone_name} and it happened at {kept_place}.",
        f"{gone_person} from {kept_detail}",
    )
    open_ = decrypting(stack)
    before, _ = every_opened_blob(services.dynamodb(), open_)
    # (the decrypted scan does find the words while they are there)
    assert occurrences(before, [gone_name, gone_person]) != []

    # When the screener removes the two names, one from each field
    first = redact(stack, reference, field="narrative", text=gone_name)
    assert first.status_code == 200, first.json_body
    second = redact(stack, reference, field="answer.involved_names", text=gone_person)
    assert second.status_code == 200, second.json_body
    stack.drain()

    # Then the answer is the case as staff see it, two versions on
    assert second.json_body["reference"] == reference
    assert second.json_body["version"] == first.json_body["version"] + 1
    assert "redact_text" in second.json_body["allowed_actions"]
    # And the staff reveal shows the marker where the words were, the rest as written
    revealed = reveal(stack, reference)
    assert revealed["narrative"] == f"I am {MARKER} and it happened at {kept_place}."
    assert revealed["answers"] == {"involved_names": f"{MARKER} from {kept_detail}"}
    # And so does the reporter's own copy, opened with their receipt code
    copy = post_json(stack.client, "/reports/follow-up", {"receipt_code": code}).json_body
    assert copy["narrative"] == f"I am {MARKER} and it happened at {kept_place}."
    assert f"{MARKER} from {kept_detail}" in [answer["answer"] for answer in copy["answers"]]
    # And the audit says who removed how much from which field, and why, never the words
    trail = stack.call("get", f"/staff/cases/{reference}/audit", SCREENER).json_body
    assert trail["verification"]["intact"] is True
    redactions = [entry for entry in trail["entries"] if entry["action"] == "redact_span"]
    assert [(e["actor"], e["details"], e["reason"]) for e in redactions] == [
        (SCREENER, {"field": "narrative", "removed_characters": 20}, "Identifies the reporter"),
        (
            SCREENER,
            {"field": "answer.involved_names", "removed_characters": 22},
            "Identifies the reporter",
        ),
    ]
    # And no table, queue, log line or email holds the words, in clear or sealed
    stored = list(every_table_blob(services.dynamodb()))
    queued = list(every_queue_blob(services.sqs(), hide_for_seconds=0))
    logged = [Blob(f"log line {n}", line) for n, line in enumerate(logs)]
    opened, unopened = every_opened_blob(services.dynamodb(), open_)
    assert stored and logged and opened, "the scans must search something"
    assert unopened == [], "every binary value is a ciphertext the scan could open"
    assert any(blob.where.endswith("sealed.M.narrative.B") for blob in opened), opened[0].where
    for found in (stored, queued, logged, emails(), opened):
        assert occurrences(found, [gone_name, gone_person]) == []
    # ...while the words kept, and the marker, are still sealed there
    still = occurrences(opened, [kept_place, kept_detail, MARKER])
    assert {hit.split(" in ")[0] for hit in still} == {
        repr(kept_place),
        repr(kept_detail),
        repr(MARKER),
    }


# --- what is refused, and that nothing is written then ---------------------------------------


def case_state(stack: Stack, reference: str) -> list[dict[str, Any]]:
    """The case's partition (case item, audit, timeline) as stored."""
    return stack.partition(reference)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"field": "narrative", "text": "Nobody"},
            {"field": "text", "message": "is not in the field's current text"},
        ),
        (
            {"field": "narrative", "text": "by", "occurrence": 3},
            {
                "field": "occurrence",
                "message": "is more than the words occur (they occur 2 times)",
            },
        ),
        (
            {"field": "narrative", "text": "Sia", "occurrence": 1},
            {
                "field": "text",
                "message": "cuts a letter from its accent or an emoji apart; "
                "include the whole character",
            },
        ),
        (
            {"field": "answer.what_happened", "text": "verbal"},
            {"field": "field", "message": "is not a free-text field of this case"},
        ),
        (
            {"field": "narrative", "text": "Sam", "reason": "Sam is named"},
            {"field": "reason", "message": "must not quote the words being removed"},
        ),
    ],
    ids=["not-in-text", "too-many", "splits-accent", "not-free-text", "reason-quotes"],
)
def test_words_that_cannot_be_removed_as_asked_are_refused_422_and_nothing_is_written(
    names_as_text: Stack, body: dict[str, Any], problem: dict[str, str]
) -> None:
    stack = names_as_text
    # Given an account with "by" twice and a Welsh name written with a combining accent
    reference, _code = report(stack, "Sam met Sia\u0302n by the bar, by the door.", "Jo")
    before = case_state(stack, reference)

    refused = redact(stack, reference, **body)

    assert refused.status_code == 422, refused.json_body
    assert refused.json_body["error"] == "unprocessable_input"
    assert refused.json_body["errors"] == [problem]
    assert case_state(stack, reference) == before
    # while the same words, asked for as they are, are removed
    fine = redact(stack, reference, field="narrative", text="Sia\u0302n")
    assert fine.status_code == 200, fine.json_body
    assert reveal(stack, reference)["narrative"] == f"Sam met {MARKER} by the bar, by the door."


def test_words_already_removed_cannot_be_removed_again(names_as_text: Stack) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Jo Bloggs", "Jo")
    # Given a field cut down to the marker alone
    assert redact(stack, reference, field="narrative", text="Jo Bloggs").status_code == 200
    before = case_state(stack, reference)

    # When the screener asks to remove part of the marker
    again = redact(stack, reference, field="narrative", text="removed")

    # Then it is refused, naming the words, and nothing changes
    assert again.status_code == 422, again.json_body
    assert again.json_body["errors"] == [
        {"field": "text", "message": "overlaps words already removed; choose other words"}
    ]
    assert case_state(stack, reference) == before
    assert reveal(stack, reference)["narrative"] == MARKER


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        (
            {"field": "contact", "text": "x", "reason": "Why not", "version": 1},
            [{"field": "field", "message": "must be narrative or answer.<question id>"}],
        ),
        (
            {"field": "narrative", "text": "  ", "occurrence": 0, "reason": "No", "version": 1},
            [
                {"field": "text", "message": "must not be blank"},
                {
                    "field": "occurrence",
                    "message": "must be 1 or more (1 is the first place the words stand)",
                },
                {"field": "reason", "message": "must be at least 3 characters"},
            ],
        ),
        (
            {"field": "narrative", "text": "Sam", "reason": "Names", "colour": "red"},
            [
                {"field": "version", "message": "is required"},
                {"field": "colour", "message": "is not a field of this request"},
            ],
        ),
    ],
    ids=["contact-details", "blank-zero-short", "missing-and-unknown"],
)
def test_a_bad_body_is_refused_400_naming_each_field(
    names_as_text: Stack, body: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Sam met me.", "Jo")
    before = case_state(stack, reference)

    refused = stack.call("post", f"/staff/cases/{reference}/redactions", SCREENER, body)

    assert refused.status_code == 400, refused.json_body
    assert refused.json_body["errors"] == problems
    assert case_state(stack, reference) == before


def test_a_stale_version_is_refused_409_and_the_text_is_unchanged(names_as_text: Stack) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Sam met me.", "Jo")
    seen = version(stack, reference)
    # Given a colleague changed the case after the screener read it
    moved = stack.call(
        "post",
        f"/staff/cases/{reference}/priority",
        SCREENER,
        {"priority": "high", "reason": "Looks serious", "version": seen},
    )
    assert moved.status_code == 200, moved.json_body

    stale = redact(stack, reference, field="narrative", text="Sam", version=seen)

    assert stale.status_code == 409, stale.json_body
    assert stale.json_body["error"] == "stale_version"
    assert stale.json_body["current_version"] == seen + 1
    assert reveal(stack, reference)["narrative"] == "Sam met me."
    # and at the version it is now, it is done
    assert redact(stack, reference, field="narrative", text="Sam").status_code == 200


def test_a_case_redacted_by_retention_refuses_409(names_as_text: Stack) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Sam met me.", "Jo")
    # Given the case went through retention's redaction (its sealed fields removed)
    store = services.report_store()
    ledger = CaseLedger(store, services.audit_trail(), services.identity_sealer(), services.clock())
    case = store.case_item(stack.report_id(reference))
    assert case is not None
    ledger.commit(
        "system:retention",
        case,
        CaseUpdate(changes={"status": "redacted"}, remove=["sealed"]),
        [],
        "redact",
        {},
        None,
    )

    refused = redact(stack, reference, field="narrative", text="Sam")

    assert refused.status_code == 409, refused.json_body
    assert refused.json_body["error"] == "transition_refused"
    viewed = stack.call("get", f"/staff/cases/{reference}", SCREENER).json_body
    assert "redact_text" not in viewed["allowed_actions"]
    assert "view" in viewed["allowed_actions"]


def test_a_legal_hold_does_not_stop_a_screener_removing_words(names_as_text: Stack) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Sam met me.", "Jo")
    # Given the case is under a legal hold
    held = stack.call(
        "post",
        f"/staff/cases/{reference}/flags",
        SCREENER,
        {
            "flag": "legal_hold",
            "value": True,
            "reason": "Claim expected",
            "version": version(stack, reference),
        },
    )
    assert held.status_code == 200 and held.json_body["legal_hold"] is True

    done = redact(stack, reference, field="narrative", text="Sam")

    assert done.status_code == 200, done.json_body
    assert done.json_body["legal_hold"] is True
    assert reveal(stack, reference)["narrative"] == f"{MARKER} met me."


@pytest.mark.parametrize(
    ("user", "status"),
    [("ss-advisor-1", 403), ("dpo-admin", 403), ("di-analyst", 403), ("hr-screener", 404)],
    ids=["advisor", "admin", "analyst", "another-teams-screener"],
)
def test_only_the_teams_screener_may_remove_words(
    names_as_text: Stack, user: str, status: int
) -> None:
    stack = names_as_text
    reference, _code = report(stack, "Sam met me.", "Jo")
    before = case_state(stack, reference)

    refused = redact(stack, reference, user=user, field="narrative", text="Sam")

    assert refused.status_code == status, refused.json_body
    assert case_state(stack, reference) == before
    assert redact(stack, reference, field="narrative", text="Sam").status_code == 200
