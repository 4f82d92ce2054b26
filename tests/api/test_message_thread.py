"""The message thread between staff and a reporter who kept a receipt code (issue 14).

The receipt code itself (and the reporter's HTTP routes) are another part of the issue: here
a case is given `follow_up` through the case ledger, as intake gives it to a report whose
reporter asked for a code, and the reporter's side is called as the receipt routes call it
(`services.message_thread().post_from_reporter` / `thread_for_reporter`).

The stack's clock starts on Friday 20 November 2026 at 10:30 (UTC, which is London's time
in November); the institution replies within 2 working days.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import services
from chalicelib.cases.ledger import CaseLedger
from chalicelib.storage.reports_table import CaseUpdate
from tests.api.conftest import sent_emails
from tests.api.shared_stack import START, Stack
from tests.factories import anonymous_submission, contact, named_submission
from tests.sentinels import Blob, every_queue_blob, every_table_blob, occurrences

SCREENER, ADVISOR = "ss-screener", "ss-advisor-1"
#: The demo members' addresses (see devstack.demo).
SCREENER_ADDRESS, ADVISOR_ADDRESS = "sam.okafor@example.ac.uk", "rhian.evans@example.ac.uk"
REPLY_OVERDUE_SUBJECT = "a reply to the reporter is overdue"


@pytest.fixture(autouse=True)
def _fresh_tables_clock_and_mailbox(stack: Stack) -> None:
    stack.forget_cases()
    stack.reset()


# --- helpers ---------------------------------------------------------------------------------


def keep_receipt(stack: Stack, reference: str) -> None:
    """Give the case `follow_up`, through the ledger (as intake does for a receipt code)."""
    store = services.report_store()
    case = store.case_item(stack.report_id(reference))
    assert case is not None
    ledger = CaseLedger(store, services.audit_trail(), services.identity_sealer(), services.clock())
    update = CaseUpdate(changes={"follow_up": True})
    ledger.commit("system:test", case, update, [], "follow_up_kept", {}, None)


def kept_case(stack: Stack, **answers: Any) -> str:
    """An anonymous report (awaiting screening) whose reporter kept a receipt code."""
    reference = stack.submit(anonymous_submission(answers=answers or None))
    keep_receipt(stack, reference)
    return reference


def reporter_writes(stack: Stack, reference: str, text: str, at: datetime) -> dict[str, str]:
    stack.clock.moment = at
    return services.message_thread().post_from_reporter(stack.report_id(reference), text)


def view(stack: Stack, reference: str, user: str = SCREENER) -> dict[str, Any]:
    response = stack.call("get", f"/staff/cases/{reference}", user)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def read(stack: Stack, reference: str, user: str = SCREENER) -> Any:
    return stack.call("get", f"/staff/cases/{reference}/messages", user)


def reply(stack: Stack, reference: str, text: str, user: str = SCREENER) -> Any:
    return stack.call("post", f"/staff/cases/{reference}/messages", user, {"text": text})


def audit(stack: Stack, reference: str) -> list[dict[str, Any]]:
    response = stack.call("get", f"/staff/cases/{reference}/audit", SCREENER)
    assert response.status_code == 200, response.json_body
    assert response.json_body["verification"]["intact"] is True
    return list(response.json_body["entries"])


def message_items(stack: Stack, reference: str) -> list[dict[str, Any]]:
    return [item for item in stack.partition(reference) if item["sk"]["S"].startswith("MESSAGE#")]


def queue_rows(stack: Stack, user: str = SCREENER) -> list[dict[str, Any]]:
    response = stack.call("get", "/staff/queue", user)
    assert response.status_code == 200, response.json_body
    return list(response.json_body["cases"])


def assign(stack: Stack, reference: str) -> None:
    body = {
        "advisor_id": ADVISOR,
        "reason": "Best placed to help",
        "version": view(stack, reference)["version"],
    }
    response = stack.call("post", f"/staff/cases/{reference}/assignment", SCREENER, body)
    assert response.status_code == 200, response.json_body


def file_case(stack: Stack, reference: str) -> None:
    body = {
        "to": "filed",
        "reason": "Nothing to act on",
        "version": view(stack, reference)["version"],
    }
    response = stack.call("post", f"/staff/cases/{reference}/transitions", SCREENER, body)
    assert response.status_code == 200, response.json_body


def run_sla_watch(stack: Stack, at: datetime) -> int:
    """Run the watch until it has nothing left due (each run takes one stage per case),
    deliver what it queued; how many stages it escalated."""
    stack.clock.moment = at
    escalated = sum(services.sla_watch().run()["escalated"] for _ in range(3))
    stack.drain()
    return escalated


def reply_chasers(stack: Stack) -> list[tuple[str, str]]:
    return sorted(
        (str(mail["To"]), str(mail["Subject"]))
        for mail in sent_emails(stack.settings)
        if REPLY_OVERDUE_SUBJECT in str(mail["Subject"])
    )


def sentinel(kind: str) -> str:
    return f"Sentinel{kind} {uuid.uuid4().hex[:12]}"


# --- the reporter writes, staff read and reply -----------------------------------------------


def test_a_reporter_message_makes_a_reply_owed_two_working_days_later(stack: Stack) -> None:
    # Given a case whose reporter kept a receipt code, and who has not written
    reference = kept_case(stack)
    assert view(stack, reference)["follow_up"] is True
    assert view(stack, reference)["reply_due"] is None

    # When the reporter writes on Friday at 11:30
    posted = reporter_writes(
        stack, reference, "Is anyone looking at this?", datetime(2026, 11, 20, 11, 30, tzinfo=UTC)
    )

    # Then a reply is owed by Tuesday 11:30 (the weekend does not count)
    assert posted["at"] == "2026-11-20T11:30:00.000Z"
    case = view(stack, reference)
    assert case["reply_due"] == "2026-11-24T11:30:00.000Z"
    # And the message is a change of the case, recorded on its chain as the reporter's
    last = audit(stack, reference)[-1]
    assert (last["actor"], last["action"]) == ("reporter", "reporter_message")
    assert last["details"] == {"message_id": posted["message_id"]}
    # And a second message while the reply is owed keeps the first due time
    reporter_writes(stack, reference, "Hello?", datetime(2026, 11, 23, 9, tzinfo=UTC))
    assert view(stack, reference)["reply_due"] == "2026-11-24T11:30:00.000Z"


def test_a_staff_read_opens_the_thread_and_is_audited(stack: Stack) -> None:
    reference = kept_case(stack)
    posted = reporter_writes(
        stack, reference, "It happened again today.", datetime(2026, 11, 20, 11, 30, tzinfo=UTC)
    )
    entries_before = len(audit(stack, reference))

    response = read(stack, reference)

    assert response.status_code == 200, response.json_body
    assert response.json_body == {
        "messages": [
            {
                "message_id": posted["message_id"],
                "from": "reporter",
                "at": "2026-11-20T11:30:00.000Z",
                "text": "It happened again today.",
                "author_id": None,
            }
        ],
        "reply_due": "2026-11-24T11:30:00.000Z",
    }
    trail = audit(stack, reference)
    assert len(trail) == entries_before + 1
    assert (trail[-1]["actor"], trail[-1]["action"]) == (SCREENER, "thread_read")
    assert trail[-1]["details"] == {"messages": 1}


def test_a_staff_reply_clears_the_reply_owed_and_the_reporter_reads_it(stack: Stack) -> None:
    reference = kept_case(stack)
    reporter_writes(stack, reference, "Can I talk to someone?", START + timedelta(hours=1))
    stack.clock.moment = datetime(2026, 11, 23, 14, tzinfo=UTC)

    answered = reply(stack, reference, "  Yes: write here and an advisor will answer.  ")

    assert answered.status_code == 201, answered.json_body
    assert set(answered.json_body) == {"message_id", "at"}
    assert answered.json_body["at"] == "2026-11-23T14:00:00.000Z"
    assert view(stack, reference)["reply_due"] is None
    last = audit(stack, reference)[-1]
    assert (last["actor"], last["action"]) == (SCREENER, "staff_message")
    assert last["details"] == {"message_id": answered.json_body["message_id"]}
    # The reporter sees both, in order, without the staff member's id
    thread = services.message_thread().thread_for_reporter(stack.report_id(reference))
    assert [(m["from"], m["at"], m["text"]) for m in thread] == [
        ("reporter", "2026-11-20T11:30:00.000Z", "Can I talk to someone?"),
        ("staff", "2026-11-23T14:00:00.000Z", "Yes: write here and an advisor will answer."),
    ]
    assert "author_id" not in thread[1]
    # Staff see who wrote
    staff_view = read(stack, reference).json_body["messages"]
    assert [m["author_id"] for m in staff_view] == [None, SCREENER]


def test_the_assigned_advisor_reads_and_replies(stack: Stack) -> None:
    reference = kept_case(stack)
    assign(stack, reference)
    reporter_writes(stack, reference, "Thank you.", START + timedelta(hours=1))

    assert read(stack, reference, ADVISOR).status_code == 200
    answered = reply(stack, reference, "You're welcome.", ADVISOR)

    assert answered.status_code == 201, answered.json_body
    assert view(stack, reference, ADVISOR)["allowed_actions"][-2:] == [
        "read_thread",
        "reply_to_reporter",
    ]


# --- who may not ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [("hr-screener", 404), ("ss-advisor-2", 404), ("dpo-admin", 403), ("di-analyst", 403)],
    ids=["another-teams-screener", "another-advisor", "admin", "analyst"],
)
def test_only_those_who_work_the_case_read_or_reply(stack: Stack, user: str, status: int) -> None:
    reference = kept_case(stack)
    assign(stack, reference)
    reporter_writes(stack, reference, "Sentinelrefused text", START + timedelta(hours=1))
    before = stack.partition(reference)

    refused_read, refused_reply = read(stack, reference, user), reply(stack, reference, "Hi", user)

    assert (refused_read.status_code, refused_reply.status_code) == (status, status)
    assert "Sentinelrefused" not in refused_read.body.decode()
    assert stack.partition(reference) == before
    # while the case's own screener may
    assert read(stack, reference).status_code == 200


def test_a_case_without_a_receipt_code_has_no_thread(stack: Stack) -> None:
    # Given a case whose reporter kept no code
    reference = stack.submit(anonymous_submission())
    assert view(stack, reference)["follow_up"] is False
    before = stack.partition(reference)

    refused_read, refused_reply = read(stack, reference), reply(stack, reference, "Hello")

    # Then both are refused as the policy's state rule refuses (409), and nothing is written
    for refused in (refused_read, refused_reply):
        assert refused.status_code == 409, refused.json_body
        assert refused.json_body["error"] == "transition_refused"
        assert "without follow_up" in refused.json_body["message"]
    assert stack.partition(reference) == before
    assert "read_thread" not in view(stack, reference)["allowed_actions"]
    # And the reporter's side finds no such report
    with pytest.raises(Exception, match="not found"):
        services.message_thread().post_from_reporter(stack.report_id(reference), "Hi")
    # While a case with a code has one
    kept = kept_case(stack)
    assert read(stack, kept).status_code == 200
    assert "read_thread" in view(stack, kept)["allowed_actions"]


# --- what a message may hold ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": "   "}, {"text": "x" * 5001}, {}, {"text": 5}, {"text": "\ud800"}],
    ids=["empty", "blank", "too-long", "missing", "not-text", "lone-surrogate"],
)
def test_a_bad_message_is_refused_naming_text(stack: Stack, body: dict[str, Any]) -> None:
    reference = kept_case(stack)
    before = stack.partition(reference)

    refused = stack.call("post", f"/staff/cases/{reference}/messages", SCREENER, body)

    assert refused.status_code == 400, refused.json_body
    assert [error["field"] for error in refused.json_body["errors"]] == ["text"]
    assert stack.partition(reference) == before


def test_a_message_of_5000_characters_after_trimming_is_taken(stack: Stack) -> None:
    reference = kept_case(stack)

    taken = reply(stack, reference, "\u3000 " + "é" * 5000 + " \n")

    assert taken.status_code == 201, taken.json_body
    assert read(stack, reference).json_body["messages"][0]["text"] == "é" * 5000


def test_a_message_with_an_extra_field_is_refused_naming_it(stack: Stack) -> None:
    reference = kept_case(stack)

    refused = stack.call(
        "post", f"/staff/cases/{reference}/messages", SCREENER, {"text": "Hi", "to": "reporter"}
    )

    assert refused.status_code == 400, refused.json_body
    assert [error["field"] for error in refused.json_body["errors"]] == ["to"]
    assert message_items(stack, reference) == []


# --- the queue and the watch -------------------------------------------------------------------


def test_a_reply_owed_orders_the_queue_and_shows_reply_by(stack: Stack) -> None:
    # Given two cases waiting for screening: first due Tuesday 10:30, second 10:35
    first = kept_case(stack)
    stack.clock.moment = START + timedelta(minutes=5)
    second = kept_case(stack)
    assert [row["reference"] for row in queue_rows(stack)] == [first, second]

    # When the first's reporter writes on Friday at 12:00 (a reply owed by Tuesday 12:00)
    reporter_writes(stack, first, "Any news?", datetime(2026, 11, 20, 12, tzinfo=UTC))

    # Then the queue orders it by its reply, and shows when it is owed
    rows = queue_rows(stack)
    assert [(row["reference"], row["reply_due"]) for row in rows] == [
        (second, None),
        (first, "2026-11-24T12:00:00.000Z"),
    ]
    # And once answered it goes back to its own place
    assert reply(stack, first, "We are looking at it.").status_code == 201
    assert [(row["reference"], row["reply_due"]) for row in queue_rows(stack)] == [
        (first, None),
        (second, None),
    ]


def test_a_filed_case_whose_reporter_writes_is_back_in_the_queue_until_answered(
    stack: Stack,
) -> None:
    reference = kept_case(stack)
    file_case(stack, reference)
    assert queue_rows(stack) == []

    reporter_writes(stack, reference, "I remembered more.", START + timedelta(days=3))

    assert [(row["reference"], row["status"], row["reply_due"]) for row in queue_rows(stack)] == [
        (reference, "filed", "2026-11-25T10:30:00.000Z")
    ]
    assert reply(stack, reference, "Thank you, we have added it.").status_code == 201
    assert queue_rows(stack) == []


def test_an_unanswered_message_is_chased_once_to_the_screeners_and_the_advisor(
    stack: Stack,
) -> None:
    # Given an assigned case whose reporter wrote on Friday at 11:00 (reply by Tuesday 11:00)
    reference = kept_case(stack)
    assign(stack, reference)
    reporter_writes(
        stack, reference, "Please call me back.", datetime(2026, 11, 20, 11, tzinfo=UTC)
    )

    # When the watch runs just before the reply is due, nothing about it is sent
    run_sla_watch(stack, datetime(2026, 11, 24, 10, 59, tzinfo=UTC))
    assert reply_chasers(stack) == []

    # Then just after, the team's screener and the case's advisor are told, once
    run_sla_watch(stack, datetime(2026, 11, 24, 11, 1, tzinfo=UTC))
    subject = f"[Report + Support] Action needed on {reference}: {REPLY_OVERDUE_SUBJECT}"
    assert reply_chasers(stack) == [(ADVISOR_ADDRESS, subject), (SCREENER_ADDRESS, subject)]
    run_sla_watch(stack, datetime(2026, 11, 27, 11, tzinfo=UTC))
    assert len(reply_chasers(stack)) == 2

    # And a later message, after a reply, is chased once more when it in turn goes unanswered
    assert reply(stack, reference, "We tried to call.", ADVISOR).status_code == 201
    reporter_writes(stack, reference, "Still here.", datetime(2026, 11, 30, 9, tzinfo=UTC))
    run_sla_watch(stack, datetime(2026, 12, 2, 9, 1, tzinfo=UTC))
    assert len(reply_chasers(stack)) == 4


def test_a_message_answered_in_time_is_never_chased(stack: Stack) -> None:
    reference = kept_case(stack)
    file_case(stack, reference)
    reporter_writes(stack, reference, "One more thing.", datetime(2026, 11, 20, 11, tzinfo=UTC))
    stack.clock.moment = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert reply(stack, reference, "Noted, thank you.").status_code == 201

    run_sla_watch(stack, datetime(2026, 11, 30, 9, tzinfo=UTC))

    assert reply_chasers(stack) == []
    # while the same message unanswered on another case is chased
    other = kept_case(stack)
    file_case(stack, other)
    reporter_writes(stack, other, "One more thing.", datetime(2026, 11, 30, 9, tzinfo=UTC))
    run_sla_watch(stack, datetime(2026, 12, 3, 9, tzinfo=UTC))
    assert [to for to, _ in reply_chasers(stack)] == [SCREENER_ADDRESS]


# --- retention and rights ----------------------------------------------------------------------


def test_redaction_strips_every_message_text(stack: Stack) -> None:
    reference = kept_case(stack)
    reporter_writes(stack, reference, "Sentinelredact words", START + timedelta(hours=1))
    stack.clock.moment = START + timedelta(hours=2)
    assert reply(stack, reference, "Sentinelredact answer").status_code == 201
    file_case(stack, reference)
    assert all("sealed_text" in item for item in message_items(stack, reference))

    services.retention().redact(stack.report_id(reference), actor="dpo-admin", reason="Request")

    kept = message_items(stack, reference)
    assert [item["from"]["S"] for item in kept] == ["reporter", "staff"]
    assert [item for item in kept if "sealed_text" in item] == []
    assert read(stack, reference).status_code == 409  # a redacted case has no thread to read


def test_deletion_removes_the_thread_with_the_case(stack: Stack) -> None:
    reference = kept_case(stack)
    reporter_writes(stack, reference, "Delete me with it.", START + timedelta(hours=1))
    assert reply(stack, reference, "Understood.").status_code == 201
    file_case(stack, reference)
    assert len(message_items(stack, reference)) == 2

    stack.clock.moment = datetime(2030, 1, 1, tzinfo=UTC)
    assert services.retention().sweep()["deleted"] == 1

    assert stack.partition(reference) == []
    with pytest.raises(Exception, match="not found"):
        services.message_thread().thread_for_reporter(stack.report_id(reference))


def test_the_subject_access_export_lists_the_thread_as_withheld(stack: Stack) -> None:
    # Given a named case with a thread (as if its reporter had kept a code)
    email = f"subject-{uuid.uuid4().hex[:8]}@example.ac.uk"
    body = named_submission()
    body["contact"] = contact(email=email)
    reference = stack.submit(body)
    keep_receipt(stack, reference)
    reporter_writes(stack, reference, "My own words.", datetime(2026, 11, 20, 11, tzinfo=UTC))
    stack.clock.moment = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert reply(stack, reference, "Staff words.").status_code == 201
    logged = stack.call(
        "post", "/staff/rights/requests", "dpo-admin", {"kind": "access", "email": email}
    )
    assert logged.status_code == 201, logged.json_body

    exported = stack.call(
        "post",
        f"/staff/rights/requests/{logged.json_body['request_id']}/export",
        "dpo-admin",
        {"reason": "SAR received"},
    )

    assert exported.status_code == 200, exported.json_body
    withheld = [(w["item"], w["why"]) for w in exported.json_body["withheld"]]
    assert (
        "message from the reporter of 2026-11-20T11:00:00.000Z",
        "free text that may name or describe other people; review before release",
    ) in withheld
    assert (
        "message from staff of 2026-11-20T12:00:00.000Z",
        "staff's words that may hold other people's data; review before release",
    ) in withheld
    assert "My own words." not in exported.body.decode()


# --- never in clear -------------------------------------------------------------------------------


def test_message_texts_are_never_stored_queued_logged_or_emailed_in_clear(
    stack: Stack, logs: list[str]
) -> None:
    reference = kept_case(stack)
    assign(stack, reference)
    words = {kind: sentinel(kind) for kind in ("reportermessage", "staffreply", "second")}
    reporter_writes(stack, reference, words["reportermessage"], START + timedelta(hours=1))
    stack.clock.moment = START + timedelta(hours=1, minutes=30)
    assert reply(stack, reference, words["staffreply"], ADVISOR).status_code == 201
    reporter_writes(stack, reference, words["second"], START + timedelta(hours=2))
    run_sla_watch(stack, datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert len(reply_chasers(stack)) == 2  # the chase was sent, and is searched too
    assert [m["text"] for m in read(stack, reference).json_body["messages"]] == list(words.values())

    blobs = [
        *every_table_blob(services.dynamodb()),
        *every_queue_blob(services.sqs()),
        *(Blob("log", line) for line in logs),
        *(Blob("email", mail.as_string()) for mail in sent_emails(stack.settings)),
    ]

    assert occurrences(blobs, list(words.values())) == []
