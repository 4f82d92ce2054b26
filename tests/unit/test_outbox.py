"""The notification outbox: written once in a transaction, claimed under a lease, marked
sent or released, given up after its last attempt, and found again while unsent through a
sparse index. Runs against moto's DynamoDB, provisioned once for the module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.notify.messages import Notification
from chalicelib.notify.worker import NotifyMessage
from chalicelib.storage.notifications import FAILED, PENDING, SENDING, SENT, Outbox
from tests.mocked_aws import provisioned

LEASE = timedelta(minutes=2)
T0 = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Aws:
    client: Any
    outbox: Outbox


@pytest.fixture(scope="module")
def aws() -> Iterator[Aws]:
    """One mocked account for the module; every test works on notifications of its own."""
    with provisioned() as (client, settings):
        yield Aws(client, Outbox(client, settings.notifications_table))


@pytest.fixture
def outbox(aws: Aws) -> Outbox:
    return aws.outbox


def new_notification(created_at: datetime = T0, **values: Any) -> Notification:
    report_id = uuid.uuid4().hex
    fields: dict[str, Any] = {
        "notification_id": f"{report_id}.new_report",
        "kind": "new_report",
        "report_id": report_id,
        "reference": "RS-ABCD-2345",
        "priority": "normal",
        "team_id": "student_support",
        "created_at": created_at,
    }
    fields.update(values)
    return Notification(**fields)


def put(outbox: Outbox, notification: Notification) -> str:
    outbox.client.transact_write_items(TransactItems=[outbox.put_request(notification)])
    return notification.notification_id


def stored(outbox: Outbox, notification_id: str) -> dict[str, Any]:
    item = outbox.get(notification_id)
    assert item is not None, f"notification {notification_id} is not stored"
    return item


def unsent_ids(outbox: Outbox, before: datetime = T0 + timedelta(days=3650)) -> set[str]:
    return set(outbox.unsent(before, 1000))


@pytest.fixture
def pending(outbox: Outbox) -> str:
    """A notification written and not yet claimed."""
    return put(outbox, new_notification())


@pytest.fixture
def claimed(outbox: Outbox, pending: str) -> str:
    """A notification claimed at T0 under a two-minute lease."""
    assert outbox.claim(pending, T0, LEASE)
    return pending


# --- Writing ---------------------------------------------------------------------------------


def test_a_written_notification_is_pending_unsent_and_unattempted(
    outbox: Outbox, pending: str
) -> None:
    item = stored(outbox, pending)

    assert item["status"] == PENDING
    assert item["unsent"] == "pending"
    assert item["attempts"] == 0
    assert item["created_at"] == "2026-11-20T10:30:00.000Z"
    assert pending in unsent_ids(outbox)


def test_an_escalation_keeps_its_stage_and_due_time(outbox: Outbox) -> None:
    notification = new_notification(
        kind="sla_escalation", stage="first_contact_overdue", due_at="2026-11-24T10:30:00.000Z"
    )

    item = stored(outbox, put(outbox, notification))

    assert item["stage"] == "first_contact_overdue"
    assert item["due_at"] == "2026-11-24T10:30:00.000Z"


def test_a_report_notification_has_no_stage_or_due_time(outbox: Outbox, pending: str) -> None:
    item = stored(outbox, pending)

    assert "stage" not in item
    assert "due_at" not in item


def test_a_notification_is_written_only_once(outbox: Outbox) -> None:
    # given a notification already written
    first = new_notification(priority="normal")
    put(outbox, first)
    again = new_notification(priority="urgent", notification_id=first.notification_id)

    # when the same id is written again (a duplicate triage), the transaction is refused
    with pytest.raises(outbox.client.exceptions.TransactionCanceledException):
        put(outbox, again)

    # and the first write is untouched
    assert stored(outbox, first.notification_id)["priority"] == "normal"


def test_a_refused_rewrite_does_not_reset_a_sent_notification(outbox: Outbox, claimed: str) -> None:
    outbox.mark_sent(claimed, "ses-1", T0)
    duplicate = new_notification(notification_id=claimed)

    with pytest.raises(outbox.client.exceptions.TransactionCanceledException):
        put(outbox, duplicate)

    assert stored(outbox, claimed)["status"] == SENT


# --- Claiming under a lease ------------------------------------------------------------------


def test_a_pending_notification_can_be_claimed_once(outbox: Outbox, pending: str) -> None:
    assert outbox.claim(pending, T0, LEASE) is True

    item = stored(outbox, pending)
    assert item["status"] == SENDING
    assert item["lease_until"] == "2026-11-20T10:32:00.000Z"


def test_a_second_claim_within_the_lease_fails(outbox: Outbox, claimed: str) -> None:
    assert outbox.claim(claimed, T0 + LEASE - timedelta(seconds=1), LEASE) is False


def test_a_claim_at_the_very_end_of_the_lease_still_fails(outbox: Outbox, claimed: str) -> None:
    assert outbox.claim(claimed, T0 + LEASE, LEASE) is False


def test_a_claim_after_the_lease_expired_succeeds_and_renews_it(
    outbox: Outbox, claimed: str
) -> None:
    later = T0 + LEASE + timedelta(seconds=1)

    assert outbox.claim(claimed, later, LEASE) is True

    assert stored(outbox, claimed)["lease_until"] == "2026-11-20T10:34:01.000Z"
    assert outbox.claim(claimed, later + timedelta(seconds=1), LEASE) is False


def test_a_notification_that_does_not_exist_cannot_be_claimed(outbox: Outbox) -> None:
    assert outbox.claim(f"{uuid.uuid4().hex}.new_report", T0, LEASE) is False
    assert outbox.get(f"{uuid.uuid4().hex}.new_report") is None


# --- Marking sent ----------------------------------------------------------------------------


def test_a_sent_notification_records_delivery_and_leaves_the_unsent_index(
    outbox: Outbox, claimed: str
) -> None:
    sent_at = T0 + timedelta(seconds=5)

    outbox.mark_sent(claimed, "ses-message-1", sent_at)

    item = stored(outbox, claimed)
    assert item["status"] == SENT
    assert item["ses_message_id"] == "ses-message-1"
    assert item["sent_at"] == "2026-11-20T10:30:05.000Z"
    assert "unsent" not in item
    assert "lease_until" not in item
    assert claimed not in unsent_ids(outbox)


def test_a_sent_notification_cannot_be_claimed_again_even_after_the_lease(
    outbox: Outbox, claimed: str
) -> None:
    outbox.mark_sent(claimed, "ses-message-1", T0)

    assert outbox.claim(claimed, T0 + timedelta(days=1), LEASE) is False


def test_an_unclaimed_notification_is_not_marked_sent(outbox: Outbox, pending: str) -> None:
    outbox.mark_sent(pending, "ses-message-1", T0)

    assert stored(outbox, pending)["status"] == PENDING
    assert pending in unsent_ids(outbox)


# --- Releasing after a failed send -----------------------------------------------------------


def test_a_released_notification_is_pending_again_and_counts_the_attempt(
    outbox: Outbox, claimed: str
) -> None:
    last = outbox.release(claimed, max_attempts=3)

    assert last is False
    item = stored(outbox, claimed)
    assert item["status"] == PENDING
    assert item["attempts"] == 1
    assert "lease_until" not in item
    assert claimed in unsent_ids(outbox)


def test_a_released_notification_can_be_claimed_again_at_once(outbox: Outbox, claimed: str) -> None:
    outbox.release(claimed, max_attempts=3)

    assert outbox.claim(claimed, T0 + timedelta(seconds=1), LEASE) is True


def test_attempts_accumulate_over_releases(outbox: Outbox, claimed: str) -> None:
    outbox.release(claimed, max_attempts=5)
    assert outbox.claim(claimed, T0, LEASE)
    outbox.release(claimed, max_attempts=5)

    assert stored(outbox, claimed)["attempts"] == 2


def test_the_last_attempt_gives_up_and_leaves_the_unsent_index(
    outbox: Outbox, claimed: str
) -> None:
    # given a notification that failed once with two attempts allowed
    assert outbox.release(claimed, max_attempts=2) is False
    assert outbox.claim(claimed, T0, LEASE)

    # when its second send fails
    last = outbox.release(claimed, max_attempts=2)

    # then it is given up on: failed, out of the unsent index, never claimed again
    assert last is True
    item = stored(outbox, claimed)
    assert item["status"] == FAILED
    assert item["attempts"] == 2
    assert "unsent" not in item
    assert "lease_until" not in item
    assert claimed not in unsent_ids(outbox)
    assert outbox.claim(claimed, T0 + timedelta(days=1), LEASE) is False


def test_with_one_attempt_allowed_the_first_failure_gives_up(outbox: Outbox, claimed: str) -> None:
    assert outbox.release(claimed, max_attempts=1) is True
    assert stored(outbox, claimed)["status"] == FAILED


# --- Finding unsent notifications ------------------------------------------------------------


def test_unsent_lists_only_notifications_created_before_the_cut_off(outbox: Outbox) -> None:
    # given notifications created at 09:00, 09:59:59.999, 10:00 and 11:00 on one day
    day = datetime(2031, 5, 6, tzinfo=UTC)
    early = put(outbox, new_notification(created_at=day.replace(hour=9)))
    just_before = put(
        outbox,
        new_notification(
            created_at=day.replace(hour=9, minute=59, second=59) + timedelta(milliseconds=999)
        ),
    )
    at_cut_off = put(outbox, new_notification(created_at=day.replace(hour=10)))
    late = put(outbox, new_notification(created_at=day.replace(hour=11)))

    # when asked for those created before 10:00
    found = unsent_ids(outbox, before=day.replace(hour=10))

    # then only the two earlier ones are listed
    assert {early, just_before} <= found
    assert at_cut_off not in found
    assert late not in found


def test_unsent_lists_no_more_than_its_limit(outbox: Outbox) -> None:
    moment = datetime(2032, 1, 1, tzinfo=UTC)
    for _ in range(3):
        put(outbox, new_notification(created_at=moment))

    assert len(outbox.unsent(moment + timedelta(seconds=1), 2)) == 2


def test_a_claimed_but_unsent_notification_stays_in_the_unsent_index(
    outbox: Outbox, claimed: str
) -> None:
    # a worker that crashes mid-send leaves it for the redrive job
    assert claimed in unsent_ids(outbox)


# --- The notify queue's message --------------------------------------------------------------

REPORT_ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "notification_id",
    [f"{REPORT_ID}.new_report", f"{REPORT_ID}.urgent_report", f"{REPORT_ID}.feedback_due_soon"],
)
def test_a_notify_message_names_a_report_and_a_cause(notification_id: str) -> None:
    message = NotifyMessage.model_validate_json(f'{{"notification_id": "{notification_id}"}}')

    assert message.notification_id == notification_id


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f'{{"notification_id": "{REPORT_ID}"}}', id="no_cause"),
        pytest.param(f'{{"notification_id": "{REPORT_ID[:-1]}.new_report"}}', id="short_id"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}0.new_report"}}', id="long_id"),
        pytest.param(f'{{"notification_id": "{REPORT_ID.upper()}.new_report"}}', id="upper_hex"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}.New_Report"}}', id="upper_cause"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}.a.b.c.d"}}', id="four_parts"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}..new_report"}}', id="empty_part"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}.{"a" * 65}"}}', id="part_too_long"),
        pytest.param(f'{{"notification_id": "{REPORT_ID}.new_report\\n"}}', id="newline"),
        pytest.param(f'{{"notification_id": " {REPORT_ID}.new_report"}}', id="space"),
        pytest.param('{"notification_id": 12}', id="number"),
        pytest.param("{}", id="missing"),
        pytest.param(
            f'{{"notification_id": "{REPORT_ID}.new_report", "email": "a@b.c"}}', id="extra"
        ),
        pytest.param(f'"{REPORT_ID}.new_report"', id="bare_string"),
        pytest.param("not json", id="not_json"),
    ],
)
def test_any_other_notify_message_is_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        NotifyMessage.model_validate_json(body)
